"""Rules about hand-written pages (``docs/``): ``unsafe-html``, ``unsafe-file``, ``page-meta``.

Hand-written pages come by pull request like SOP files, and Markdown passes raw HTML
through. Their HTML is cleaned by an allowlist sanitizer (:func:`cleaned`: nh3, which parses
as a browser does), and the site's Content-Security-Policy (:mod:`build_tools.site.csp`)
would block a script besides; this check says so at review time, at the line of the page,
so that a reviewer sees the attempt and a writer sees why their page does not work.

Reported: a ``<script>``, an ``on…=`` event handler, a ``javascript:`` or ``vbscript:`` URL
in a link or a source, a frame, object, embed, base or meta element, inline style
(``<style>``, ``style=``), which the policy ignores too, and Pagefind's ``data-pagefind-…``
attributes, which would make the page's search result say what the page does not. Raw
HTML is found in the page's source (code blocks and code spans, which Markdown shows as
text, left out), with its line; what the rendered page holds, read as a browser reads it
(comments such as ``<!-->`` end where a browser ends them), is reported too, placed at the
first line of the source that names it.
"""

from __future__ import annotations

import html
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from html.parser import HTMLParser
from pathlib import Path, PurePosixPath

import nh3

from build_tools.problem import Level, Problem, Rule
from build_tools.rules.catalog import UNSAFE_PATH
from build_tools.source.document import OUTSIDE_REPOSITORY
from build_tools.source.paths import escapes, shown, unsafe_characters

UNSAFE_HTML = Rule("unsafe-html",
                   "a script, event handler, javascript: URL, frame or inline style in a page")
UNSAFE_FILE = Rule("unsafe-file", "a file of docs/ that is not a page, an image or a PDF, "
                                  "or that replaces a file of the theme (not published)")
PAGE_META = Rule("page-meta", "front matter of a hand-written page other than its title, "
                              "description and what to hide (not used)")

#: The front matter a hand-written page may have, as the theme reads it: the theme prints
#: other keys (``subtitle`` in every page's navigation, ``icon`` as a template path,
#: ``template``, ``status``…) as HTML or uses them to pick files, and a list or a mapping
#: would be printed as Python writes it, past any escaping of strings.
META_TEXTS = frozenset({"title", "description"})
META_HIDE = frozenset({"navigation", "toc", "footer", "path", "tags", "feedback"})


def page_meta(meta: Mapping[str, object], source: str,
              path: str) -> tuple[dict[str, object], list[Problem]]:
    """``page-meta``: a hand-written page's front matter as the site uses it (its title and
    description as text, HTML-escaped, and ``hide`` as a list of the theme's names) and a
    problem, at the key's line, for each key left out."""
    kept: dict[str, object] = {}
    problems = []
    for key, value in meta.items():
        if key in META_TEXTS and isinstance(value, str):
            kept[str(key)] = html.escape(value)
        elif key == "hide" and isinstance(value, list) and \
                all(isinstance(item, str) and item in META_HIDE for item in value):
            kept["hide"] = list(value)
        else:
            name = shown(str(key))
            line = next((number for number, text in enumerate(source.split("\n"), 1)
                         if text.startswith(f"{key}:")), 1)
            problems.append(Problem(
                path, line, 1, Level.WARNING, PAGE_META.id,
                f"front matter `{name}` is not used: a page may set title and description "
                f"(text) and hide (a list of {', '.join(sorted(META_HIDE))})",
                "ask a maintainer for anything else"))
    return kept, problems


#: The files a docs folder may hold besides pages: images (not SVG, which can run script
#: when opened) and PDFs. A script, a style sheet or an HTML file would be served from the
#: site's own address, where the site's policy allows scripts and styles.
PUBLISHED_SUFFIXES = frozenset({".md", ".png", ".jpg", ".jpeg", ".gif", ".webp", ".avif",
                                ".ico", ".pdf"})


def docs_file_problems(files: Iterable[tuple[str, Path]], root: Path, docs: str,
                       theme: Callable[[str], bool] = lambda uri: False) -> list[Problem]:
    """``unsafe-file`` (a symbolic link out of the folder too), ``unsafe-path`` (a file's path
    becomes its URL, in the site and its search results) and ``outside-repository`` for the
    files of a docs folder, each
    ``(path in the folder, its file)``: not read, not published. ``docs`` is the folder
    as problems name it; ``theme(uri)`` says whether the theme has a file at that path
    (which a docs file would replace on every page: the theme's scripts and styles)."""
    problems = []
    for uri, path in files:
        where = f"{docs}/{shown(uri)}"
        if escapes(path, root):
            problems.append(Problem(where, 1, 1, Level.ERROR, OUTSIDE_REPOSITORY.id,
                                    "a symbolic link that leads outside the repository; "
                                    "not read, not published"))
        elif escapes(path, path.parents[len(PurePosixPath(uri).parts) - 1]):
            # Inside the repository but not the docs folder: .git/config, another file.
            problems.append(Problem(where, 1, 1, Level.ERROR, UNSAFE_FILE.id,
                                    "a symbolic link that leads outside the docs folder; "
                                    "not read, not published"))
        elif (reason := unsafe_characters(uri)) is not None:  # it becomes a URL
            problems.append(Problem(where, 1, 1, Level.ERROR, UNSAFE_PATH.id,
                                    f"{reason}; not published"))
        elif PurePosixPath(uri).suffix.lower() not in PUBLISHED_SUFFIXES:
            problems.append(Problem(where, 1, 1, Level.ERROR, UNSAFE_FILE.id,
                                    "only pages (.md), images and PDFs are published from "
                                    "docs/; this file is not"))
        elif theme(uri):
            problems.append(Problem(where, 1, 1, Level.ERROR, UNSAFE_FILE.id,
                                    "a file of the theme's has this path; the theme's is kept"))
    return problems

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
            elif name.startswith("data-pagefind"):
                self.found.append((f"a search attribute ({name}=) on <{tag}>", line, col + 1))
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
    for what, count in Counter(what for what, _, _ in _find(as_parsed(rendered))).items():
        taken = {line for other, line, _ in found if other == what}
        for _ in range(count - written[what]):  # made by Markdown, not written as HTML
            at = _locate(source, what, taken)
            taken.add(at[0])
            found.append((what, *at))
    for what, line, col in sorted(found, key=lambda item: (item[1], item[2])):
        yield Problem(path, line, col, Level.WARNING, UNSAFE_HTML.id,
                      f"{what} in a hand-written page: the site's security policy blocks it",
                      "pages hold text, links and images; ask a maintainer for anything else")


#: What a hand-written page's HTML may hold (what Markdown, its extensions in mkdocs.yml and
#: a writer's tables, figures and simple forms need), and nothing more.
PAGE_TAGS = frozenset(nh3.ALLOWED_TAGS) | {"form", "input", "button", "label", "section",
                                             "main", "picture", "source"}
PAGE_ATTRIBUTES: dict[str, set[str]] = {
    # Not ``hidden``: text a page hides from its readers but search reads is stuffing.
    "*": {"id", "class", "title", "lang", "dir", "role", "tabindex"},
    "a": {"href", "hreflang"}, "img": {"src", "alt", "width", "height", "loading"},
    "source": {"srcset", "type", "media"}, "form": {"action", "method"},
    "input": {"type", "name", "placeholder", "value", "autocomplete", "autofocus", "required",
              "checked", "disabled", "min", "max", "step", "list"},
    "button": {"type", "name", "value", "disabled"}, "label": {"for"},
    "ol": {"start", "reversed", "type"}, "li": {"value"}, "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"}, "time": {"datetime"}, "data": {"value"},
    "abbr": {"title"}, "q": {"cite"}, "blockquote": {"cite"}, "details": {"open"},
}
URL_SCHEMES = frozenset({"http", "https", "mailto", "tel"})
#: Every element and the attributes that matter, kept as parsed (to read, not to serve).
_PARSED_TAGS = PAGE_TAGS | _ELEMENTS | {"svg", "animate", "set", "math", "frameset", "noscript",
                                        "template", "textarea", "select", "option", "video",
                                        "audio", "area", "map"}
_PARSED_ATTRIBUTES = {"*": {*(name for names in PAGE_ATTRIBUTES.values() for name in names),
                            *_URL_ATTRIBUTES, "style", "http-equiv", "content"}}


def as_parsed(html: str) -> str:
    """``html`` as a browser parses it (nh3's html5ever, everything that matters kept),
    written out again: what a lenient parser would read as a comment (``<!-->``,
    ``<![CDATA[``) stands as the browser reads it."""
    return nh3.clean(html, tags=set(_PARSED_TAGS), clean_content_tags=set(),
                     attributes={key: set(value) for key, value in _PARSED_ATTRIBUTES.items()},
                     generic_attribute_prefixes={"on", "data-", "aria-"},
                     strip_comments=False, link_rel=None,
                     url_schemes={"http", "https", "mailto", "tel", "ftp", "file", "data",
                                  "javascript", "vbscript"})


def cleaned(html: str) -> str:
    """A hand-written page's HTML with only :data:`PAGE_TAGS` and :data:`PAGE_ATTRIBUTES`
    (``data-`` and ``aria-`` attributes too) and links to ``http(s)``, ``mailto`` and
    ``tel``: no script, handler, frame, meta refresh or inline style, however written, and
    no Pagefind attribute.
    Comments stay (the plugin's block placeholders are comments)."""
    return nh3.clean(html, tags=set(PAGE_TAGS),
                     attributes={key: set(value) for key, value in PAGE_ATTRIBUTES.items()},
                     generic_attribute_prefixes={"data-", "aria-"},
                     attribute_filter=_not_for_search, url_schemes=set(URL_SCHEMES),
                     strip_comments=False, link_rel=None)


def _not_for_search(tag: str, name: str, value: str) -> str | None:
    """An attribute as it may stay in a hand-written page: none of Pagefind's
    (``data-pagefind-…``), which would give the page another title, weight, metadata or a
    reply template in the search results than its text shows."""
    return None if name.startswith("data-pagefind") else value


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
