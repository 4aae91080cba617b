"""The site's pages rendered as :meth:`SitePages.pages <build_tools.site.pages.SitePages.pages>`
renders them, faster: each page reused from the previous build while what it shows is
unchanged (:class:`.reuse.PageCache`), and, in a build of hundreds of SOPs none of whose
pages was rendered before, the SOP pages rendered on the second core
(:mod:`.second_core`) while this one renders the others (``benchmarks/shapes.py``: a build
of 1,000 SOPs about a tenth shorter). A test builds the same site both ways and compares.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import chain

from build_tools.site.pages import Plan, SitePages
from build_tools.site.sop_pages import redirects as redirects_of
from build_tools.site.sop_pages import render_redirect
from build_tools.speed import second_core
from build_tools.speed.reuse import PageCache

#: From this many SOPs on, a build renders their pages on a second core; below, starting
#: it would cost more than it saves.
PARALLEL_SOPS = 200


def pages(site: SitePages, cache: PageCache) -> Iterator[tuple[str, str]]:
    """``(source uri, markdown)`` of every generated page, as ``site.pages()`` gives them.
    A page whose template and data compare equal to those it was rendered from last time,
    and whose ``[[SOP]]`` links name SOPs with the same titles, is not rendered again."""
    renderer = site.renderer
    titles = renderer.sop_titles

    def key(plan: Plan) -> object:
        return (plan.template, plan.context, renderer.language, renderer.directory_urls,
                renderer.permalink)

    def fresh(plan: Plan) -> tuple[dict[str, object], str]:
        rendered = site.render(plan)
        return {sop_id: titles.get(sop_id) for sop_id in rendered.linked}, rendered.markdown

    def keep(plan: Plan, linked: dict[str, object], markdown: str) -> str:
        if cache.keep:
            cache.pages[plan.uri] = (key(plan), linked, markdown)
        return markdown

    def page(plan: Plan) -> tuple[str, str]:
        cached = cache.pages.get(plan.uri)
        if cached is not None and cached[0] == key(plan) and all(
                titles.get(sop_id) == title for sop_id, title in cached[1].items()):
            return plan.uri, cached[2]
        return plan.uri, keep(plan, *fresh(plan))

    plans = site.plan()
    first: list[Plan] = []
    sops: list[Plan] = []
    for plan in plans:
        (sops if plan.family == "sop" else first).append(plan)
        if sops:
            break
    after: list[Plan] = []
    for plan in plans:
        if plan.family != "sop":
            after.append(plan)
            break
        sops.append(plan)
    rest = chain(after, plans)
    elsewhere = None
    if len(sops) >= PARALLEL_SOPS and not any(plan.uri in cache.pages for plan in sops):
        elsewhere = second_core.start(lambda: (fresh(plan) for plan in sops))
    try:
        rendered_first = [page(plan) for plan in first]
        later = [page(plan) for plan in rest] if elsewhere else (page(plan) for plan in rest)
        yield from rendered_first
        done = elsewhere.results() if elsewhere else None
        if done is not None:
            for plan, (linked, markdown) in zip(sops, done, strict=True):
                yield plan.uri, keep(plan, linked, markdown)
        else:
            yield from (page(plan) for plan in sops)
        yield from later
    finally:
        if elsewhere is not None:
            elsewhere.results()  # a generator closed early leaves no child behind


def redirects(site: SitePages, cache: PageCache) -> Iterator[tuple[str, str]]:
    """``(path, html)`` of every redirect page, as ``site.redirects()`` gives them, each
    reused from the previous build when it is rendered from the same."""
    before, cache.redirects = cache.redirects, {}
    for redirect in redirects_of(site):
        html = before.get(redirect) or render_redirect(site.renderer, redirect)
        cache.redirects[redirect] = html
        yield redirect.path, html
