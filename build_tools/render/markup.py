"""SOP text to HTML: the one path every page takes to print text written in an SOP file.

SOP files come by pull request from many hands, so their text is untrusted. It is rendered
by markdown-it-py configured with only the constructs SOP text may use, then passed through
an allowlist sanitizer (nh3, the Python binding of ammonia); the result is final: pages are
HTML templates whose output no Markdown pass reads again (see
:mod:`build_tools.render.listing`), so nothing can turn the sanitized HTML into other markup:

1. **Parse** (:data:`_PARSER`): markdown-it's ``zero`` preset (paragraphs and text, raw
   HTML off) with emphasis, inline code, backslash escapes, line breaks, lists and links
   enabled, plus one rule of ours for links to other SOPs, ``[[CS-COMP-002]]`` and
   ``[[CS-COMP-002#minta-bukti]]``, whose label is the linked SOP's title as text. A link
   is only made to an ``http(s)`` URL; anything else (``javascript:``, ``data:``, images,
   headings, tables, block quotes, HTML, entities, comments, attribute lists, autolinks,
   reference links) stays text, written as it was typed.
2. **Sanitize** (:func:`sanitize`): nh3 with the tags, attributes and URL schemes listed
   below and nothing else; outside links get ``rel="noopener noreferrer"``.

Text that cannot hold any construct (most titles, roles and times) takes a short path with
the same result: HTML-escaped, nothing else. Where markup cannot stand (a ``<title>``, an
attribute, SVG text), :func:`plain` gives the text alone. Reply templates are shown as
written, with their ``[blanks]`` marked (:func:`template_html`), through the same sanitizer.
Jinja syntax in SOP text is never evaluated: text is data passed to templates.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from functools import lru_cache
from typing import TYPE_CHECKING

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup, escape

from build_tools.model.grammar import SOP_LINK

if TYPE_CHECKING:
    from markdown_it.rules_core import StateCore
    from markdown_it.rules_inline import StateInline

#: Resolves an SOP link to (href, label), or None when the SOP or step is unknown.
LinkResolver = Callable[[str, str | None], tuple[str, str] | None]

#: What sanitized SOP text may contain, and nothing more.
ALLOWED_TAGS = frozenset({"p", "br", "em", "strong", "code", "ul", "ol", "li", "a", "pre",
                          "span"})
ALLOWED_ATTRIBUTES: dict[str, set[str]] = {"*": set(), "a": {"href"}, "ol": {"start"}}
ALLOWED_CLASSES = {"a": {"sop-link"}, "span": {"sop-placeholder"}, "pre": {"sop-template"}}
URL_SCHEMES = frozenset({"http", "https"})

_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*:", re.IGNORECASE)


def _validate_link(url: str) -> bool:
    """Links of SOP text go to ``http(s)`` pages only (markdown-it's own check allows more)."""
    match = _SCHEME.match(url.strip())
    return match is not None and match.group(0)[:-1].lower() in URL_SCHEMES


def _sop_link_rule(state: StateInline, silent: bool) -> bool:
    """``[[ID]]`` / ``[[ID#step]]`` as a link to that SOP (or step), labelled with its title.
    Left as text when the SOP or step is unknown (the validator reports it)."""
    if not state.src.startswith("[[", state.pos):
        return False
    match = SOP_LINK.match(state.src, state.pos)
    resolve: LinkResolver | None = state.env.get("resolve")
    target = resolve(match["id"], match["step"]) if match and resolve else None
    if match is None or target is None:
        return False
    if not silent:
        href, label = target
        token = state.push("link_open", "a", 1)
        token.attrs = {"href": href, "class": "sop-link"}
        state.push("text", "", 0).content = label
        state.push("link_close", "a", -1)
    state.pos = match.end()
    return True


def _empty_links_as_text(state: StateCore) -> None:
    """``[text]()`` (a link to nowhere: markdown-it makes one with ``href=""``) as text."""
    for block in state.tokens:
        empty = False
        for token in block.children or ():
            if token.type == "link_open" and not token.attrGet("href"):
                token.type, token.tag, token.nesting, token.content = "text", "", 0, "["
                token.attrs, empty = {}, True
            elif token.type == "link_close" and empty:
                token.type, token.tag, token.nesting, token.content = "text", "", 0, "]()"
                empty = False


def _parser() -> MarkdownIt:
    parser = MarkdownIt("zero", {"html": False, "linkify": False, "typographer": False})
    parser.enable(["list", "emphasis", "backticks", "escape", "newline", "link"])
    parser.inline.ruler.before("link", "sop_link", _sop_link_rule)
    parser.core.ruler.after("inline", "empty_links", _empty_links_as_text)
    parser.validateLink = _validate_link  # type: ignore[method-assign]
    return parser


_PARSER = _parser()


def sanitize(fragment: str) -> str:
    """``fragment`` with only the allowed tags, attributes, classes and URL schemes."""
    return nh3.clean(fragment, tags=set(ALLOWED_TAGS), attributes=ALLOWED_ATTRIBUTES,
                     allowed_classes=ALLOWED_CLASSES, url_schemes=set(URL_SCHEMES),
                     link_rel=None, strip_comments=True,
                     attribute_filter=None, set_tag_attribute_values=None)


_OUTSIDE_LINK = re.compile(r'<a href="(https?://[^"]*)"', re.IGNORECASE)


def _outside_rel(fragment: str) -> str:
    """``rel="noopener noreferrer"`` on links to other sites (SOP links stay as they are)."""
    return _OUTSIDE_LINK.sub(r'<a href="\1" rel="noopener noreferrer"', fragment)


#: A tag of sanitized HTML (attribute values are quoted and hold no ``<``).
_TAG = re.compile(r"""(<[^<>"']*(?:(?:"[^"]*"|'[^']*')[^<>"']*)*>)""")


#: Text without these characters holds no construct: its HTML is the text, escaped.
_PLAIN = re.compile(r"[^\\`*_\[\]{}|#!<>&\"'\n\r\t\x00-\x08\x0b\x0c\x0e-\x1f\x7f" +
                    "\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]*")
_LIST_START = re.compile(r"^\s*(?:[-+*]|\d{1,9}[.)])(?:\s|$)")


def is_plain(text: str, inline: bool = True) -> bool:
    """Whether ``text`` holds no construct, so its HTML is the text escaped: on a line
    (``inline``), a leading ``1.`` or ``-`` is text too (a step's heading, ``1. Sapa``);
    as a block it would start a list."""
    return _PLAIN.fullmatch(text) is not None and (inline or not _LIST_START.match(text))


def to_html(text: str, resolve: LinkResolver | None = None, *, inline: bool = True) -> Markup:
    """SOP ``text`` as safe HTML that any Markdown page can hold. ``inline``: for a table
    cell, a heading or a line (no paragraphs or lists; line breaks become spaces)."""
    if is_plain(text, inline):
        escaped = str(escape(text))
        return Markup(escaped if inline else f"<p>{escaped}</p>")
    if "[[" in text and resolve is not None:
        return Markup(_render(text, inline, resolve))
    return _cached(text, inline)


@lru_cache(maxsize=16384)
def _cached(text: str, inline: bool) -> Markup:
    return Markup(_render(text, inline, None))


def _render(text: str, inline: bool, resolve: LinkResolver | None) -> str:
    text = _normalise(text)
    env = {"resolve": resolve}
    if inline:
        rendered = _PARSER.renderInline(" ".join(text.split()), env)
    else:
        rendered = _PARSER.render(text, env)
    return _outside_rel(sanitize(rendered)).strip()


#: Invisible characters that can hide or reorder text (zero-width, bidirectional controls,
#: a byte-order mark); C0 controls other than tab and line ends.
_INVISIBLE = re.compile("[\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff"
                        "\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _normalise(text: str) -> str:
    """Line ends as ``\\n``; invisible and control characters removed, so what a reviewer
    reads in the pull request is what an agent reads on the page."""
    return _INVISIBLE.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


def plain(text: str, resolve: LinkResolver | None = None) -> str:
    """The words of SOP ``text`` without markup (for a ``<title>``, an attribute, SVG text):
    what :func:`to_html` shows, as unescaped text on one line."""
    if is_plain(text):
        return " ".join(text.split())
    shown = _TAG.sub("", str(to_html(text, resolve)))
    return " ".join(html.unescape(shown).split())


_BLANK = re.compile(r"\[[^\[\]\n]{1,60}\]")
#: A blank of a reply template (``[nama pelanggan]``), as JavaScript reads it too.
BLANK_PATTERN = _BLANK.pattern


def template_html(text: str) -> Markup:
    """A reply template as a code block (Material gives it a copy button), shown exactly as
    written, with every ``[blank]`` marked so an agent sees what to fill in before sending."""
    escaped = str(escape(_normalise(text).rstrip()))
    marked = _BLANK.sub(lambda m: f'<span class="sop-placeholder">{m.group(0)}</span>', escaped)
    return Markup(sanitize(f'<pre class="sop-template"><code>{marked}</code></pre>'))
