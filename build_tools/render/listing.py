"""HTML blocks: the parts of pages rendered as final HTML, which no Markdown pass parses.

Every generated page (an SOP, a listing, a reference page, a training path...) is rendered
by an HTML template (``*.html.j2``) into one *page block*, and hand-written pages embed
*listing blocks* (the SOP situations table, a list of SOPs) where they have ``sop-kb``
markers. While Python-Markdown runs, a page's Markdown holds a placeholder where each block
stands (:func:`placeholder`); the MkDocs plugin puts the blocks back after (:func:`restore`),
adding their headings to the page's table of contents and their ids to the anchors MkDocs
checks links against (:func:`headings`, :func:`ids`). Blocks are only ever the plugin's
own: nothing a page's author writes is taken for one. So text from SOP
files reaches a page as the HTML its template and the sanitizer made of it, and no later
pass (Markdown's link, image, emphasis or attribute-list patterns) can read it as syntax:
there is one seam from SOP text to the page, :mod:`build_tools.render.markup`.

It also saves time: with thousands of SOPs these blocks are most of the site's text, which
Python-Markdown would otherwise parse again on every build and rebuild.

Links in a block are final URLs (:func:`relative_url`), since nothing rewrites them; the
link checker (``sopkb check-site``) goes over every one in the built site.

A block is made of parts (one table row, one SOP's section) that are reused from the page's
last render while what they show is unchanged (:class:`Parts`): after one SOP is edited, the
roles or templates page renders that SOP's parts again, not every row of every SOP.
"""

from __future__ import annotations

import html
import re
import secrets
from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field

from markdown.extensions.toc import slugify, unique

START = '<div class="sop-listing">'
END = "</div><!-- /sop-listing -->"
#: The block holding a whole generated page.
PAGE_START = '<div class="sop-page">'
PAGE_END = "</div><!-- /sop-page -->"
#: Where a block stands in a page's Markdown while Markdown runs. The number is random for
#: the process and never in a page's output, so that text a page's author writes cannot
#: stand for a block (a forged placeholder is an HTML comment like any other).
NONCE = secrets.token_hex(8)
_PLACEHOLDER = re.compile(rf"<!-- sop-kb-block {NONCE} (\d+) -->")
_HEADING = re.compile(r'<h([1-6])((?: [^>]*)? id="[^"]*"[^>]*)>(.*?)'
                      r'(?:<a class="headerlink"[^>]*>[^<]*</a>)?</h\1>')
# A space before, as every template here writes it: a literal prefix the regex engine
# scans for (a templates page of 1,000 SOPs: 9 ms instead of 42 with ``\s``).
_ID = re.compile(r' id="([^"]*)"')
_TAG = re.compile(r"<[^>]*>")


def wrap(html: str) -> str:
    """``html`` as a listing block (an HTML block of its own, were Markdown to see it)."""
    return f"\n{START}\n{html.strip()}\n{END}\n"


def wrap_page(html: str) -> str:
    """A whole generated page's ``html`` as the one block of its Markdown."""
    return f"{PAGE_START}\n{html.strip()}\n{PAGE_END}\n"


def placeholder(number: int) -> str:
    """What stands in a page's Markdown for its ``number``-th block (from 0)."""
    return f"<!-- sop-kb-block {NONCE} {number} -->"


def restore(html: str, blocks: list[str]) -> str:
    """The rendered page with its blocks where their placeholders are."""
    return _PLACEHOLDER.sub(lambda match: blocks[int(match.group(1))]
                            if int(match.group(1)) < len(blocks) else "", html)


def headings(block: str) -> list[tuple[int, str, str]]:
    """``(level, id, text as HTML)`` of every heading in a block, in order, but those
    marked ``data-toc="no"`` (the handbook's sections and steps: its sidebar would repeat
    every heading of every SOP, most of the page's bytes)."""
    return [(int(level), _ID.search(attributes).group(1),  # type: ignore[union-attr]
             _TAG.sub("", inner).strip())
            for level, attributes, inner in _HEADING.findall(block)
            if 'data-toc="no"' not in attributes]


def title(block: str) -> str | None:
    """The text (as HTML) of the first heading of a page block, if it is its ``<h1>``: the
    title of a generated page, which MkDocs cannot take from a Markdown heading."""
    first = heading_one(block)
    return first[1] if first is not None else None


def heading_one(block: str) -> tuple[str, str] | None:
    """``(id, text as HTML)`` of the first heading of a page block, if it is its ``<h1>``."""
    if not block.startswith(PAGE_START):
        return None
    found = _HEADING.search(block)
    if found is None or found.group(1) != "1":
        return None
    anchor = _ID.search(found.group(2))
    return anchor.group(1) if anchor else "", _TAG.sub("", found.group(3)).strip()


def ids(block: str) -> set[str]:
    return set(_ID.findall(block))


def heading_id(text: str, used: set[str]) -> str:
    """The id Markdown's ``toc`` extension gives a heading with this text (links made to
    headings before they were in listing blocks keep working), unique among ``used``."""
    return unique(slugify(html.unescape(_TAG.sub("", text)), "-"), used)


def page_url(src_uri: str, directory_urls: bool) -> str:
    """The URL, relative to the site root, of the page built from ``src_uri`` (as MkDocs
    makes it: ``sop/x.md`` is ``sop/x/``, or ``sop/x.html`` without directory URLs)."""
    stem = src_uri.removesuffix(".md")
    folder, _, name = stem.rpartition("/")
    prefix = f"{folder}/" if folder else ""
    if name.lower() in ("index", "readme"):
        return prefix if directory_urls else f"{prefix}index.html"
    return f"{stem}/" if directory_urls else f"{stem}.html"


def page_path(src_uri: str, directory_urls: bool) -> str:
    """The file, relative to the site folder, of the page built from ``src_uri``."""
    url = page_url(src_uri, directory_urls)
    return f"{url}index.html" if url.endswith("/") or not url else url


def relative_url(from_uri: str, to_uri: str, directory_urls: bool,
                 anchor: str | None = None) -> str:
    """The link from the page built from ``from_uri`` to the one built from ``to_uri``, as
    MkDocs writes it (a listing block can hold tens of thousands: no ``os.path.relpath``)."""
    source, target = page_url(from_uri, directory_urls), page_url(to_uri, directory_urls)
    folders = source.split("/")[:-1]
    parts = target.split("/")
    shared = 0
    while (shared < len(folders) and shared < len(parts) - 1
           and folders[shared] == parts[shared]):
        shared += 1
    link = "../" * (len(folders) - shared) + "/".join(parts[shared:]) or "./"
    return f"{link}#{anchor}" if anchor else link


@dataclass(frozen=True)
class Part:
    """One part of a listing block as rendered: what it was rendered from, its HTML, the
    heading ids it holds and the SOPs its text links to, with what they were then."""

    sources: tuple[object, ...]
    html: str
    ids: frozenset[str]
    linked: dict[str, object]


@dataclass
class Parts:
    """The parts of one page's listing blocks: those of its last render, and this one's.

    A part is reused while it is rendered from equal sources (an SOP loaded from an
    unchanged file is the same object, so this is mostly an identity check) and the SOPs its
    text links to are as they were (``linked`` against ``now``, id → what a link shows).
    Within one render, a part met twice (an SOP listed under two channels) is reused too.
    """

    previous: Mapping[Hashable, Part] = field(default_factory=dict)
    current: dict[Hashable, Part] = field(default_factory=dict)

    def find(self, key: Hashable, sources: tuple[object, ...],
             now: Mapping[str, object]) -> Part | None:
        part = self.current.get(key) or self.previous.get(key)
        if part is None or part.sources != sources or any(
                now.get(sop_id) != then for sop_id, then in part.linked.items()):
            return None
        self.current[key] = part
        return part

    def add(self, key: Hashable, part: Part) -> None:
        self.current[key] = part
