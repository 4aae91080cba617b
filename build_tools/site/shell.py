"""Pages written outside the theme: an SOP's versions other than the one its page shows.

A site keeps every version of every SOP: at 1,000 SOPs of five versions, 4,000 pages that
no one navigates to but from the SOP's page, the in-force page or a trainer's link. Built
as MkDocs pages, each cost MkDocs' Markdown and the theme's whole page template, about as
much again as rendering its text (``benchmarks/history.py --site``). Here such a page is
the rendered block in a document of its own (``templates/version_page.html.j2``): the
theme's stylesheets, so it reads like the site's other pages, and nothing else of the
theme. The :class:`Shell` says what of the site such a page carries; the MkDocs plugin
makes it from the site's configuration (``build_tools/mkdocs/settings.py``) and gives it to
:class:`~build_tools.site.pages.SitePages`, whose version pages are then such documents.
"""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup

from build_tools.render import listing
from build_tools.render.renderer import Renderer
from build_tools.site import csp


@dataclass(frozen=True)
class Shell:
    """What a page outside the theme carries of the site: paths are from the site's root."""

    site_name: str
    language: str
    description: str = ""
    #: The site's address with its final ``/`` (a canonical link), or empty.
    site_url: str = ""
    stylesheets: tuple[str, ...] = ()
    icon: str | None = None
    manifest: str | None = None
    scripts: tuple[str, ...] = ()
    #: Attributes of ``<body>`` (the theme's colour scheme).
    body: tuple[tuple[str, str], ...] = ()


def document(renderer: Renderer, shell: Shell, uri: str, block: str, version: str) -> str:
    """The page of ``version`` planned at ``uri`` whose rendered page block is ``block``,
    as a document of its own (its file is at ``listing.page_path(uri)``), with its policy."""
    anchor, title = listing.heading_one(block) or ("", "")  # title: text, escaped
    html = renderer.env.get_template("version_page.html.j2").render(
        page_uri=uri, shell=shell, block=Markup(block), title=Markup(title),
        anchor=anchor, version=version,
        page_url=listing.page_url(uri, renderer.directory_urls))
    return csp.with_policy(html)
