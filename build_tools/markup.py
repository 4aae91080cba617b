"""Which Markdown SOP text may use, and everything else shown as text.

SOP files come by pull request from many hands, so their text is untrusted input to a
Markdown renderer. Allowed: emphasis (``*kata*``, ``**kata**``, ``_kata_``), inline code
(`` `kode` ``), lists (lines starting with ``-`` or ``1.``), links to ``https://`` or
``http://`` pages (``[teks](https://…)``) and links to other SOPs or their steps
(``[[CS-COMP-002]]``, ``[[CS-COMP-002#minta-bukti]]``). Everything else is escaped: HTML
(tags, entities, comments), other link and image forms (``javascript:``, reference links,
``![]()``), attribute lists (``{: onclick=…}``), headings, setext underlines and table pipes.
Jinja syntax in SOP text is never evaluated: text is data passed to templates, not a template.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

import markdown as python_markdown
from markupsafe import Markup, escape

SOP_LINK = re.compile(r"\[\[([A-Z][A-Z0-9]*(?:-[A-Z0-9]+)*-[0-9]{3,})"
                      r"(?:#([a-z0-9]+(?:-[a-z0-9]+)*))?\]\]")
ANY_SOP_LINK = re.compile(r"\[\[([^\[\]\n]*)\]\]")
_WEB_LINK = re.compile(r"\[([^\[\]\n]{1,200})\]\((https?://[^\s()\[\]]{1,500})\)")
_TOKEN = "\u0000{}\u0000"
_ESCAPES = str.maketrans({"[": "&#91;", "]": "&#93;", "{": "&#123;", "}": "&#125;",
                          "|": "&#124;"})
_BLOCK_START = re.compile(r"^(\s{0,3})(#|=+\s*$|-{3,}\s*$|_{3,}\s*$|\*{3,}\s*$)", re.MULTILINE)

#: Resolves an SOP link to (href, label), or None when the SOP is unknown.
LinkResolver = Callable[[str, str | None], tuple[str, str] | None]


#: Text without these characters, and not starting a line with a block marker, is its own
#: safe Markdown (most titles, roles, times): nothing to escape, link or keep.
_PLAIN = re.compile(r"[^\[\]{}|<>&\"'\x00\n\r]*")
_PLAIN_START = frozenset("#=-_* \t")


def is_plain(text: str) -> bool:
    """Whether ``text`` is its own safe Markdown (see :data:`_PLAIN`)."""
    return _PLAIN.fullmatch(text) is not None and (not text or text[0] not in _PLAIN_START)


def safe_markdown(text: str, resolve: LinkResolver) -> Markup:
    """``text`` as Markdown that can only produce the allowed constructs."""
    if is_plain(text):
        return Markup(text)
    kept: list[str] = []

    def keep(markdown: str) -> str:
        kept.append(markdown)
        return _TOKEN.format(len(kept) - 1)

    def sop_link(match: re.Match[str]) -> str:
        target = resolve(match.group(1), match.group(2))
        if target is None:
            return match.group(0)
        href, label = target
        return keep(f"[{_escape(label)}]({href})")

    # Markdown reads a lone carriage return as a line break: block markers after one count.
    text = text.replace("\u0000", "").replace("\r\n", "\n").replace("\r", "\n")
    escaped = str(escape(text))
    escaped = SOP_LINK.sub(sop_link, escaped)
    escaped = _WEB_LINK.sub(lambda m: keep(f"[{_escape(m.group(1))}]({m.group(2)})"), escaped)
    escaped = _escape(escaped)
    escaped = _BLOCK_START.sub(lambda m: m.group(1) + "\\" + m.group(2), escaped)
    return Markup(re.sub("\u0000(\\d+)\u0000", lambda m: kept[int(m.group(1))], escaped))


def _escape(text: str) -> str:
    return text.translate(_ESCAPES)


#: Converters for :func:`to_html`: a full one for text with paragraphs and lists, and one
#: that only knows paragraphs, for text standing in a table cell or a heading.
_BLOCKS = python_markdown.Markdown()
_INLINE = python_markdown.Markdown()
for _name in ("indent", "code", "hashheader", "setextheader", "hr", "olist", "ulist", "quote",
              "reference"):
    _INLINE.parser.blockprocessors.deregister(_name, strict=False)


@lru_cache(maxsize=8192)
def to_html(safe: str, inline: bool = True) -> Markup:
    """What Markdown makes of ``safe`` (the output of :func:`safe_markdown`), for pages
    written as HTML. ``inline``: the text of a cell, without its paragraph."""
    if is_plain(safe):
        return Markup(safe if inline or not safe.strip() else f"<p>{safe.strip()}</p>")
    converter = _INLINE if inline else _BLOCKS
    html = converter.reset().convert(safe)
    if inline and html.startswith("<p>") and html.endswith("</p>") and html.count("<p>") == 1:
        html = html[3:-4]
    return Markup(html)
