"""Make Indonesian word forms meet in search, at build time.

The search engine (Pagefind) stems Indonesian with rules only, so a bare root such as
``kirim`` does not find ``pengiriman``. Here every section of a page (a heading and the
text under it) gets a hidden list of the dictionary roots of its words (Sastrawi's
dictionary stemmer: ``pengiriman`` → ``kirim``, ``memeriksa`` → ``periksa``) and of the
synonyms of any phrase it contains (``pengembalian dana`` → ``refund retur …``). The roots
seen across the site form the lexicon the browser uses to reduce a typed word to its root.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

from build_tools.model.sop import SECTION_ANCHORS
from build_tools.model.words import dictionary, normalise, root, words
from build_tools.render.terms import STEP_CLASS, TERMS_CLASS, TERMS_END, TERMS_START
from build_tools.search import language

_TAG = re.compile(r"<[^>]+>")
_HEADING = re.compile(r"(<h[1-6][^>]*>.*?</h[1-6]>)", re.DOTALL)
_IGNORED = re.compile(r"<div[^>]*data-pagefind-ignore[^>]*>.*?</div>", re.DOTALL)
_OPENING = re.compile(r"<h[1-6]([^>]*)>")
_CLASS = re.compile(r'\bclass="([^"]*)"')
_ID = re.compile(r'\bid="([^"]*)"')

@dataclass
class Lexicon:
    """Synonym groups, and every root seen while annotating (for the browser)."""

    groups: list[list[str]] = field(default_factory=list)
    roots: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        self._normalised = [[normalise(phrase) for phrase in group] for group in self.groups]
        self._real_words: language.RealWords | None = None

    def terms(self, text: str, name: str = "") -> list[str]:
        """Extra words to index with ``text``: roots it lacks, synonyms of its phrases; and
        those of ``name``, which it does not show (a step's id)."""
        shown = words(text)
        present = set(shown)
        roots = [root(word) for word in shown + words(name)]
        self.roots.update(roots)
        extra = dict.fromkeys(r for r in roots if r not in present)
        padded = f" {' '.join(roots[:len(shown)])} | {' '.join(roots[len(shown):])} "
        for group, normalised in zip(self.groups, self._normalised, strict=True):
            if any(f" {phrase} " in padded for phrase in normalised if phrase):
                for phrase in group:
                    extra.update(dict.fromkeys(w for w in words(phrase) if w not in present))
        self.roots.update(extra)
        return list(extra)

    def annotate(self, page_html: str) -> str:
        """``page_html`` with hidden term lists: inside every heading those of its own words
        (so they weigh as the heading does: a title, a step's action), and after it those
        of the text under it (and before the first heading, those of the text there)."""
        parts = _HEADING.split(page_html)
        out: list[str] = []
        for index, part in enumerate(parts):
            if index % 2 == 1:
                close = part.rindex("</h")
                hidden = self._hidden(part, _step_name(part))
                out.append(part[:close] + (f" {hidden}" if hidden else "") + part[close:])
                body = parts[index + 1] if index + 1 < len(parts) else ""
                out.append(self._hidden(body))
            elif index == 0 and part.strip():
                out.append(self._hidden(part) + part)
            elif index != 0:
                out.append(part)
        return "".join(out)

    def _hidden(self, fragment: str, name: str = "") -> str:
        text = html.unescape(_TAG.sub(" ", _IGNORED.sub(" ", fragment)))
        extra = self.terms(text, name)
        if not extra:
            return ""
        return (f'<span class="{TERMS_CLASS}" aria-hidden="true"> {TERMS_START} '
                f'{" ".join(extra)} {TERMS_END} </span>')

    def real_words(self) -> list[str]:
        """The dictionary's words the box must not correct into one of :attr:`roots` (see
        :func:`language.real_words_near`; 0.6 s the first time, then milliseconds for the
        roots an edit adds while serving)."""
        if self._real_words is None:
            self._real_words = language.RealWords(dictionary())
        return self._real_words.near(self.roots)

    def browser_data(self) -> dict[str, object]:
        """What the search box needs: every root and synonym word the index knows, the
        anchors of an SOP page's fixed sections (a result opens a step before one of them),
        and the rules of :mod:`build_tools.search.language`."""
        return {"roots": sorted(self.roots), "sections": sorted(SECTION_ANCHORS),
                "language": language.rules()}


def _step_name(heading: str) -> str:
    """The words of a step heading's id (the step's id in the YAML, a name its writer gave
    it: ``tindak-lanjut``), which the heading's own words may not hold (``Hubungi pelanggan
    untuk memastikan ia puas``); "" for another heading."""
    opening = _OPENING.match(heading)
    if not opening:
        return ""
    classes = _CLASS.search(opening.group(1))
    anchor = _ID.search(opening.group(1))
    if not classes or STEP_CLASS not in classes.group(1).split() or not anchor:
        return ""
    return html.unescape(anchor.group(1)).replace("-", " ")
