"""How the search box reads a question, in Python: the reference of its modules.

What is typed is read in the browser, at every keystroke and without a server: its words
(:func:`build_tools.model.words.words`), the filler among them, the root a site knows each
reduces to, the typing slip corrected (:class:`Reading`). The build cannot answer for the
browser, since a question may hold any word; and the build needs the same reading itself,
the forms of the 30,000 words of Sastrawi's dictionary, to list the real words the box must
not correct (:func:`.language.real_words_near`), where running the browser's code would
take a JavaScript engine into every build.

So the facts are defined once and the algorithm is kept small on both sides: every word
list, affix rule, pattern and threshold is data of :mod:`.language` and
:mod:`build_tools.model.words`, which the build writes into ``lexicon.json`` and the
browser's modules apply as given (``assets/search/words.js``, ``forms.js``,
``correct.js``, ``query.js``); this module and :func:`.language.candidates` apply the same
data in the same steps. ``tests/test_search_agreement.py`` runs both on every word of the
fixture site and of every benchmark question, with the site's own lexicon, and requires the
same words, forms, root, correction and query terms for each.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from build_tools.model.words import words
from build_tools.search.language import (
    ABBREVIATIONS,
    NEVER_CORRECTED,
    SHORTEST_CORRECTED_ROOT,
    SHORTEST_CORRECTED_WORD,
    SHORTEST_QUERY_WORD,
    VOWELS,
    candidates,
    edit_letters,
    is_filler,
)

_NEVER_CORRECTED = re.compile(NEVER_CORRECTED)


def query_words(query: str) -> list[str]:
    """The words of a question (``assets/search/words.js``: ``queryWords``)."""
    return [word for word in words(query) if len(word) >= SHORTEST_QUERY_WORD]


def read_words(query: str) -> list[str]:
    """The words of a question, chat's abbreviations read as the words they stand for
    (``assets/search/query.js``: ``readWords``)."""
    return [ABBREVIATIONS.get(word, word) for word in query_words(query)]


class Reading:
    """A question read against one site: its roots (``lexicon.json``'s, in their order) and,
    once the box has loaded them, the real words it must not correct (``words.json``)."""

    def __init__(self, roots: Sequence[str], real_words: Iterable[str] = ()) -> None:
        self.roots = frozenset(roots)
        self.real_words = frozenset(real_words)
        self._by_length: dict[int, list[str]] = {}
        for root in roots:
            self._by_length.setdefault(len(root), []).append(root)

    def root_of(self, word: str) -> str:
        """The first of ``word``'s forms that is a root of the site, else ``word``
        (``forms.js``: ``rootOf``)."""
        return next((form for form in candidates(word) if form in self.roots), word)

    def correct(self, word: str) -> str:
        """``word``'s root, or for a longer word that reduces to none the root one typing
        slip from one of its forms (by a vowel only, from a real word) (``correct.js``)."""
        root = self.root_of(word)
        if root in self.roots or len(word) < SHORTEST_CORRECTED_WORD \
                or _NEVER_CORRECTED.search(word):
            return root
        forms = candidates(word)
        real = any(form in self.real_words for form in forms)
        for form in forms:
            if len(form) < SHORTEST_CORRECTED_ROOT:
                continue
            for length in (len(form) - 1, len(form), len(form) + 1):
                for known in self._by_length.get(length, ()):
                    if known[0] != form[0] or len(known) < SHORTEST_CORRECTED_ROOT:
                        continue
                    letters = edit_letters(form, known)
                    if letters is not None and (
                            not real or (bool(letters) and set(letters) <= VOWELS)):
                        return known
        return root

    def needs_real_words(self, query: str) -> bool:
        """Whether the box loads the real words before reading ``query``: a word of it
        could be corrected (``query.js``: ``needsRealWords``)."""
        return any(len(word) >= SHORTEST_CORRECTED_WORD and not is_filler(word)
                   and self.root_of(word) not in self.roots for word in read_words(query))

    def terms(self, query: str) -> list[str]:
        """What the box searches for: the question's words without the filler (unless
        nothing else is left), each corrected, each once (``query.js``: ``queryTerms``)."""
        found = read_words(query)
        kept = [word for word in found if not is_filler(word)]
        return list(dict.fromkeys(self.correct(word) for word in kept or found))
