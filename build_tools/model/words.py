"""The words of Indonesian text and their dictionary roots (Sastrawi's dictionary stemmer:
``pengiriman`` → ``kirim``, ``memeriksa`` → ``periksa``), so that word forms can meet: in
search, and in the check that a synonym belongs to one group only.

:func:`words` is the one definition of how text splits into words: the index's words, a
question's and those the search box finds in a result are split alike (the box applies the
patterns below, which the build writes into ``lexicon.json``)."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from Sastrawi.Stemmer.StemmerFactory import StemmerFactory

#: A word: a run of letters and digits of the lower-case text without its accents, so that
#: a hyphen splits (``rata-rata`` is ``rata`` twice, ``e-mail`` is ``e`` and ``mail``).
WORD = "[a-z0-9]+"
#: The accents NFKD separates from their letters (``café``: ``cafe``), dropped.
ACCENT = r"[\u0300-\u036f]"
#: A word doubled the way chat writes it, with a 2 (``marah2``, ``ciri2``: ``marah-marah``,
#: ``ciri-ciri``), is the word (its first group); so is one doubled with an ending after
#: the 2 (``terus2an``: ``terus-terusan``, ``ciri2nya``).
DOUBLED = "^([a-z]{2,})2(?:an|nya)?$"

_WORD, _ACCENT, _DOUBLED = re.compile(WORD), re.compile(ACCENT), re.compile(DOUBLED)
_stemmer = StemmerFactory().create_stemmer()


#: Prefixes Sastrawi's own rules never pair with the suffix ``-kan`` (``ke-…-kan``,
#: ``se-…-kan``).
_NOT_WITH_KAN = ("ke", "se")
#: A particle, then a possessive, at the end of a word Sastrawi does not know (``chatnya``),
#: which it then leaves whole.
_PARTICLE, _POSSESSIVE = re.compile("(lah|kah|tah|pun)$"), re.compile("(ku|mu|nya)$")


@lru_cache(maxsize=200_000)
def root(word: str) -> str:
    """The dictionary root of one lower-case word (the word itself when none is known).

    Sastrawi reads ``kerusakan`` as ke-``rusa``-kan (``rusa`` is a deer), a pairing its own
    rules disallow; where the root plus ``k`` is a word, ke-``rusak``-an is the reading.
    A word it does not know it leaves whole, with its particle and possessive endings
    (``chatnya``): those are taken off (``chat``), as the search box does."""
    if not word.isalpha() or len(word) < 4:
        return word
    stem = _stemmer.stem(word) or word
    if (word.endswith(stem + "kan") and word[:-len(stem) - 3] in _NOT_WITH_KAN
            and stem + "k" in dictionary()):
        return stem + "k"
    if stem == word and word not in dictionary():
        bare = word
        for ending in (_PARTICLE, _POSSESSIVE):
            shorter = ending.sub("", bare)
            if len(shorter) >= 3:
                bare = shorter
        if bare != word:
            return root(bare)
    return stem


def words(text: str) -> list[str]:
    """The words of ``text``, in order (see :data:`WORD`, :data:`ACCENT`, :data:`DOUBLED`)."""
    text = text.lower()
    if not text.isascii():
        text = _ACCENT.sub("", unicodedata.normalize("NFKD", text))
    return [_DOUBLED.sub(r"\1", word) if "2" in word else word
            for word in _WORD.findall(text)]


def normalise(text: str) -> str:
    """``text`` as a space-separated sequence of roots, for phrase matching."""
    return " ".join(root(word) for word in words(text))


@lru_cache(maxsize=1)
def dictionary() -> frozenset[str]:
    """Every root word of Sastrawi's dictionary (about 30,000)."""
    return frozenset(_stemmer.delegatedStemmer.dictionary.words)
