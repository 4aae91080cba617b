"""Each SOP's page, and the pages at its former addresses that forward to it."""

from __future__ import annotations

import posixpath
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from markupsafe import escape

from build_tools.model.reference import METRICS
from build_tools.model.sop import Sop
from build_tools.render import listing
from build_tools.render.renderer import Renderer, sop_uri
from build_tools.site import csp, layout

if TYPE_CHECKING:
    from build_tools.site.pages import Plan, SitePages


def related_sops(sops: list[Sop]) -> dict[str, list[Sop]]:
    """Related SOPs of each SOP in both directions: those it names, then those naming it."""
    by_id = {sop.id: sop for sop in sops}
    related: dict[str, list[Sop]] = {sop.id: [by_id[i] for i in sop.related if i in by_id]
                                     for sop in sops}
    for sop in sops:
        for other_id in sop.related:
            if other_id in related and sop not in related[other_id]:
                related[other_id].append(sop)
    return related


def plans(site: SitePages) -> list[Plan]:
    """Every SOP's page, retired ones included (with a banner: links to them keep working)."""
    links = {"channels": True, "metrics": site.reference.has(METRICS)}
    listed = site.listed_by_id
    return [site.plan_page(
        sop_uri(sop), "sop", family="sop", sop=sop, time_zone=site.time_zone,
        practice_uri=layout.practice_uri(sop.slug) if sop.id in listed else None,
        related=[other for other in site.related[sop.id] if other.id in listed],
        links=links, review=site.reviews[sop.id], versions=site.version_rows(sop),
        upcoming=site.upcoming.get(sop.id), this_version=None, sop_uri=None, previous=None,
        following=None, changes=[]) for sop in site.sops]


@dataclass(frozen=True)
class Redirect:
    """A page at an address an SOP had, forwarding to where it is now."""

    path: str
    target: str
    title: str
    language: str
    keep_hash: bool
    script: str


def redirects(site: SitePages) -> Iterator[Redirect]:
    """A redirect page at the URL of every former id (``aliases``), forwarding to the SOP's
    page with the ``#step`` anchor of the old link, and at the former quick-card URL of
    every SOP, forwarding to the page's quick-card view."""
    directory_urls = site.renderer.directory_urls

    def redirect(old: str, new: str, anchor: str | None, keep_hash: bool,
                 title: str) -> Redirect:
        path = listing.page_path(old, directory_urls)
        return Redirect(path, escape(listing.relative_url(old, new, directory_urls, anchor)),
                        title, site.renderer.language, keep_hash,
                        escape(posixpath.relpath(layout.REDIRECT_SCRIPT,
                                                 posixpath.dirname(path) or ".")))

    for sop in site.sops:
        title = f"{sop.id} — {sop.title}"
        for alias in sop.aliases:
            yield redirect(layout.alias_uri(alias), sop_uri(sop), None, True, title)
        yield redirect(layout.card_uri(sop), sop_uri(sop), layout.QUICK_CARD, False, title)


def render_redirect(renderer: Renderer, redirect: Redirect) -> str:
    return csp.with_policy(renderer.env.get_template("redirect.html.j2").render(
        target=redirect.target, title=redirect.title, language=redirect.language,
        keep_hash=redirect.keep_hash, script=redirect.script))
