"""Rules about hand-written pages (``docs/``): ``unsafe-html``.

Hand-written pages come by pull request like SOP files, and Markdown passes raw HTML
through. The site's Content-Security-Policy (:mod:`build_tools.site.csp`) already keeps
anything they hold from running; this check says so at review time, at the line of the
page, so that a reviewer sees the attempt and a writer sees why their page does not work.

Reported: a ``<script>``, an ``on…=`` event handler, a ``javascript:`` or ``vbscript:`` URL
in a link or a source, a frame, object, embed, base or meta element, and inline style
(``<style>``, ``style=``), which the policy ignores too. Raw HTML is found in the page's
source (code blocks and code spans, which Markdown shows as text, left out), with its
line; what Markdown itself made (a link written ``[x](javascript:…)``) is found in the
rendered page, and placed at the first line of the source that names it.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from html.parser import HTMLParser

from build_tools.problem import Level, Problem, Rule

UNSAFE_HTML = Rule("unsafe-html",
                   "a script, event handler, javascript: URL, frame or inline style in a page")

_ELEMENTS = frozenset({"script", "iframe", "frame", "frameset", "object", "embed", "applet",
                       "base", "meta", "style", "link", "portal"})
_URL_ATTRIBUTES = frozenset({"href", "src", "action", "formaction", "xlink:href", "data",
                             "poster", "srcdoc", "background", "ping"})
_SCHEME = re.compile(r"^\s*(javascript|vbscript)\s*:", re.IGNORECASE)
_FENCE = re.compile(r"^( {0,3})(`{3,}|~{3,})[^\n]*\n.*?(?:^\1?\2[`~]*[ \t]*$|\Z)",
                    re.DOTALL | re.MULTILINE)
_CODE_SPAN = re.compile(r"(`+)(?!`).+?(?<!`)\1(?!`)", re.DOTALL)
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class _Finder(HTMLParser):
    """Every unsafe construct of an HTML text: (what, line, column), 1-based."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, int, int]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        line, col = self.getpos()
        if tag in _ELEMENTS:
            self.found.append((f"element <{tag}>", line, col + 1))
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append((f"an event handler ({name}=) on <{tag}>", line, col + 1))
            elif name == "style":
                self.found.append((f"inline style (style=) on <{tag}>", line, col + 1))
            elif name in _URL_ATTRIBUTES and value and \
                    (match := _SCHEME.match(_CONTROL.sub("", value))):
                self.found.append((f"a {match.group(1).lower()}: URL ({name}=) on <{tag}>",
                                   line, col + 1))

    handle_startendtag = handle_starttag


def _find(text: str) -> list[tuple[str, int, int]]:
    finder = _Finder()
    finder.feed(text)
    finder.close()
    return finder.found


def _blank(match: re.Match[str]) -> str:
    """The text of a code block or span as spaces, its line ends kept (positions stay)."""
    return re.sub(r"[^\n]", " ", match.group(0))


_LIST_ITEM = re.compile(r"^\s*(?:[-+*]|\d+[.)])\s")


def _without_indented_code(text: str) -> str:
    """``text`` with Markdown's indented code blocks blanked: lines indented by four spaces
    or a tab after a blank line, outside a list (where such lines continue an item)."""
    lines = text.split("\n")
    in_list = in_code = False
    for index, line in enumerate(lines):
        blank = not line.strip()
        indented = line.startswith(("    ", "\t"))
        if not blank and not indented:
            in_list, in_code = bool(_LIST_ITEM.match(line)) or (in_list and in_code), False
        elif indented and not blank and not in_list and \
                (in_code or index == 0 or not lines[index - 1].strip()):
            in_code = True
        if in_code and not blank:
            lines[index] = " " * len(line)
    return "\n".join(lines)


def unsafe_html(source: str, rendered: str, path: str) -> Iterator[Problem]:
    """unsafe-html: what in a hand-written page could run, load or restyle (see above).
    ``source`` is the page's file as written, ``rendered`` its HTML; ``path`` for display."""
    code_free = _CODE_SPAN.sub(_blank, _without_indented_code(_FENCE.sub(_blank, source)))
    found = _find(code_free)
    written = Counter(what for what, _, _ in found)
    for what, count in Counter(what for what, _, _ in _find(rendered)).items():
        taken = {line for other, line, _ in found if other == what}
        for _ in range(count - written[what]):  # made by Markdown, not written as HTML
            at = _locate(source, what, taken)
            taken.add(at[0])
            found.append((what, *at))
    for what, line, col in sorted(found, key=lambda item: (item[1], item[2])):
        yield Problem(path, line, col, Level.WARNING, UNSAFE_HTML.id,
                      f"{what} in a hand-written page: the site's security policy blocks it",
                      "pages hold text, links and images; ask a maintainer for anything else")


_REDIRECTING = re.compile(r"<(?:meta|base)\b(?:[^>\"']|\"[^\"]*\"|'[^']*')*>", re.IGNORECASE)


def without_redirects(html: str) -> str:
    """A hand-written page's HTML without ``<meta>`` and ``<base>`` elements, which never
    belong in a page's content: a ``<meta http-equiv="refresh">`` would send agents to
    another site, and no Content-Security-Policy directive stops that."""
    return _REDIRECTING.sub("", html)


def _locate(source: str, what: str, taken: set[int]) -> tuple[int, int]:
    """The first place in ``source`` naming the scheme or element of ``what`` on a line not
    ``taken`` yet (the page's first line if none)."""
    word = re.search(r"(\w+):|<(\w+)>", what)
    key = (word.group(1) + ":" if word and word.group(1) else
           word.group(2) if word else "")
    lower = source.lower()
    at = lower.find(key) if key else -1
    while at >= 0:
        place = (source.count("\n", 0, at) + 1, at - source.rfind("\n", 0, at))
        if place[0] not in taken:
            return place
        at = lower.find(key, at + 1)
    return 1, 1
