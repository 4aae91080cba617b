"""The navigation and tables of contents: the SOP section placed where ``mkdocs.yml`` names
the SOP index, generated reference pages appended, listing-block headings added."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mkdocs.structure.nav import Navigation, Section
from mkdocs.structure.pages import Page
from mkdocs.structure.toc import AnchorLink

from build_tools.problem import Problem
from build_tools.render import listing
from build_tools.rules import pages

if TYPE_CHECKING:
    from mkdocs.structure.files import Files

    from build_tools.site.pages import SitePages


def navigation(nav: Navigation, files: Files, site: SitePages) -> Navigation:
    """``nav`` with the SOP index and category pages as one section (never one entry per
    SOP: the navigation is in every page), and the reference pages it leaves out."""
    pages = [page for uri in site.nav_uris() if (page := _page(files, uri)) is not None]
    if not pages:
        return nav
    section = Section(site.labels["sops"], list(pages))
    items = _replace_page(nav.items, pages[0], section)
    if items is None:
        items = [*nav.items, section]
    listed = {page.file.src_uri for page in _pages(items)}
    for uri in site.reference_uris():
        page = _page(files, uri)
        if uri not in listed and page is not None:
            items.append(page)
    return _rebuild(items)


def lift(page: Page, markdown: str) -> tuple[str, list[str]]:
    """A generated page's Markdown, which is one HTML block (see
    :mod:`build_tools.render.listing`), as the placeholder Markdown passes through, and the
    block; its title, which MkDocs would take from a Markdown heading, is the block's
    ``<h1>``. A hand-written page's front matter is checked with its HTML (:func:`checked`)."""
    if not page.file.generated_by:
        return markdown, []
    title = listing.title(markdown)
    if title is not None:
        page.meta["title"] = title
    return listing.placeholder(0), [markdown]


def checked(page: Page, html: str, display: str) -> tuple[str, list[Problem]]:
    """A hand-written page's HTML cleaned (:func:`build_tools.rules.pages.cleaned`), and
    what in it could run, load or restyle (rule ``unsafe-html``), read from its file as
    written (lines as the writer sees them) and from its HTML; its front matter kept to what
    the theme may print (rule ``page-meta``; the theme prints a page's meta as HTML, in other
    pages' navigation too, so this runs before any page is rendered with the theme).
    Generated pages are returned as they are."""
    if page.file.generated_by or not page.file.abs_src_path:
        return html, []
    source = Path(page.file.abs_src_path).read_text("utf-8-sig")
    page.meta, problems = pages.page_meta(page.meta, source, display)
    problems += pages.unsafe_html(source, html, display)
    return pages.cleaned(html), problems


def add_listings_to_toc(page: Page, blocks: list[str], levels: tuple[int, int]) -> None:
    """The headings of listing blocks in the page's table of contents, after its own and
    nested by level, those of ``levels`` only (as Markdown's); their ids among the anchors
    MkDocs checks links against."""
    stack: list[AnchorLink] = []
    items = page.toc.items
    while items:
        stack.append(items[-1])
        items = items[-1].children
    for block in blocks:
        if page.present_anchor_ids is not None:
            page.present_anchor_ids |= listing.ids(block)
        for level, anchor, title in listing.headings(block):
            if not levels[0] <= level <= levels[1]:
                continue
            link = AnchorLink(title, anchor, level)
            while stack and stack[-1].level >= level:
                stack.pop()
            (stack[-1].children if stack else page.toc.items).append(link)
            stack.append(link)


def _page(files: Files, uri: str) -> Page | None:
    file = files.get_file_from_path(uri)
    return file.page if file is not None else None


def _replace_page(items: list[Any], page: Page, section: Section) -> list[Any] | None:
    """``items`` with ``page`` (wherever it stands) replaced by ``section``; None if absent."""
    for index, item in enumerate(items):
        if item is page or (isinstance(item, Page) and item.file.src_uri == page.file.src_uri):
            return [*items[:index], section, *items[index + 1:]]
        if isinstance(item, Section):
            children = _replace_page(item.children, page, section)
            if children is not None:
                item.children = children
                return items
    return None


def _pages(items: list[Any]) -> Iterator[Page]:
    for item in items:
        if isinstance(item, Page):
            yield item
        if isinstance(item, Section):
            yield from _pages(item.children)


def _rebuild(items: list[Any]) -> Navigation:
    """A Navigation whose parent, previous and next links match ``items``."""
    pages = list(_pages(items))

    def parent_links(children: list[Any], parent: Section | None) -> None:
        for item in children:
            item.parent = parent
            if isinstance(item, Section):
                parent_links(item.children, item)

    parent_links(items, None)
    for previous, page, following in zip([None, *pages[:-1]], pages, [*pages[1:], None],
                                         strict=True):
        page.previous_page, page.next_page = previous, following
    return Navigation(items, pages)
