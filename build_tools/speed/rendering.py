"""The site's pages rendered as :meth:`SitePages.pages <build_tools.site.pages.SitePages.pages>`
renders them, faster: each page reused from the previous build while what it shows is
unchanged (:class:`.reuse.PageCache`), and, in a build of hundreds of SOPs none of whose
pages was rendered before, the pages of some SOPs rendered on the second core
(:mod:`.second_core`) while this one renders the others (``benchmarks/shapes.py``: a build
of 1,000 SOPs about a tenth shorter). A build's earlier versions' pages, documents of their
own that MkDocs never reads, can be set aside and written into the site folder by the
second core while MkDocs renders its pages (:class:`Writing`). Tests build the same site
each way and compare.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial
from itertools import groupby
from pathlib import Path

from build_tools.render.listing import page_path
from build_tools.site.pages import Plan, SitePages
from build_tools.site.sop_pages import redirects as redirects_of
from build_tools.site.sop_pages import render_redirect
from build_tools.speed import second_core
from build_tools.speed.reuse import PageCache

#: From this many SOPs on, a build renders some of their pages on a second core; below,
#: starting it would cost more than it saves.
PARALLEL_SOPS = 200
#: What rendering a version page costs beside its SOP's page (``history.py``'s SOPs,
#: rendered SOP by SOP in one process: 2.0–2.7 ms against 3.1–4.0 ms); the listings,
#: training and handbooks this core renders meanwhile cost about what the SOP pages do.
VERSION_COST = 0.6
#: The families rendered together, an SOP's page and its versions' pages.
SHARED = ("sop", "version")
#: How far below the build's priority the child writing them runs: MkDocs and the search
#: indexer, which the build waits for, come first; the child takes what they leave.
WRITING_NICE = 10


def pages(site: SitePages, cache: PageCache,
          aside: list[Plan] | None = None) -> Iterator[tuple[str, str]]:
    """``(source uri, markdown)`` of every generated page, as ``site.pages()`` gives them.
    A page whose template and data compare equal to those it was rendered from last time,
    and whose ``[[SOP]]`` links name SOPs with the same titles, is not rendered again.

    In a build of hundreds of SOPs none of whose pages was rendered before, the pages of
    some SOPs (each SOP's own page and its versions' pages, rendered one after the other so
    that their texts' HTML is made once, see :func:`build_tools.render.markup.to_html`) go
    to the second core while this one renders those of the others and every other page;
    :func:`_share` says how many, so that both finish about together.

    With ``aside``, a build's version pages (none rendered before) are not rendered: their
    plans are added to ``aside``, for :class:`Writing`."""
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

    def page(plan: Plan) -> str:
        cached = cache.pages.get(plan.uri)
        if cached is not None and cached[0] == key(plan) and all(
                titles.get(sop_id) == title for sop_id, title in cached[1].items()):
            return cached[2]
        return keep(plan, *fresh(plan))

    order: list[Plan] = []
    done: list[str | None] = []
    elsewhere: second_core.Elsewhere[tuple[dict[str, object], str]] | None = None
    there: list[int] = []
    try:
        for together, group in groupby(site.plan(), key=lambda plan: plan.family in SHARED):
            run, at = list(group), len(order)
            if together and aside is not None and not cache.keep:
                aside.extend(plan for plan in run if plan.family == "version")
                run = [plan for plan in run if plan.family != "version"]
            order.extend(run)
            if together and elsewhere is None and \
                    sum(plan.family == "sop" for plan in run) >= PARALLEL_SOPS and \
                    not any(plan.uri in cache.pages for plan in run):
                here, away = _share(run)
                elsewhere = second_core.start(partial(map, fresh, [run[i] for i in away]))
                if elsewhere is not None:
                    there = [at + i for i in away]
                    done.extend(None for _ in run)
                    for i in here:
                        done[at + i] = page(run[i])
                    continue
            done.extend(page(plan) for plan in run)
        results = elsewhere.results() if elsewhere is not None else None
        for number, index in enumerate(there):
            plan = order[index]
            done[index] = keep(plan, *results[number]) if results is not None else page(plan)
    finally:
        if elsewhere is not None:
            elsewhere.results()  # a generator closed early leaves no child behind
    for plan, markdown in zip(order, done, strict=True):
        assert markdown is not None
        yield plan.uri, markdown


def _share(run: list[Plan]) -> tuple[list[int], list[int]]:
    """Which pages of a run of SOP and version pages this core renders, and which the
    second: whole SOPs (a page with its versions' pages), the last ones to the second core,
    as many as make its work half of all there is, counting the other families' pages
    this core renders as much as the SOP pages. Each side's pages SOP by SOP."""
    sops: dict[str, list[int]] = {}
    for index, plan in enumerate(run):
        sop = plan.context["sop"]
        sops.setdefault(getattr(sop, "id", ""), []).append(index)
    cost = [sum(1 if run[i].family == "sop" else VERSION_COST for i in indexes)
            for indexes in sops.values()]
    half = (sum(cost) + sum(plan.family == "sop" for plan in run)) / 2
    groups, taken = list(sops.values()), 0.0
    away: list[int] = []
    while groups and taken + cost[len(groups) - 1] <= half:
        taken += cost[len(groups) - 1]
        away = groups.pop() + away
    return [i for indexes in groups for i in indexes], away


def redirects(site: SitePages, cache: PageCache) -> Iterator[tuple[str, str]]:
    """``(path, html)`` of every redirect page, as ``site.redirects()`` gives them, each
    reused from the previous build when it is rendered from the same."""
    before, cache.redirects = cache.redirects, {}
    for redirect in redirects_of(site):
        html = before.get(redirect) or render_redirect(site.renderer, redirect)
        cache.redirects[redirect] = html
        yield redirect.path, html


class Writing:
    """Pages written into the site folder ``folder`` (each at its page's path) by the second
    core while this one goes on (where it can fork, see :mod:`.second_core`; here at once,
    otherwise). :meth:`wait` returns once all are written; if the child failed, all are
    written again here then, so that an error shows where it would have without the
    child."""

    def __init__(self, site: SitePages, plans: list[Plan], folder: Path,
                 directory_urls: bool) -> None:
        self._site, self._plans = site, plans
        self._folder, self._directory_urls = folder, directory_urls
        self._elsewhere = second_core.start(self._write, nice=WRITING_NICE)
        if self._elsewhere is None:
            self._write()

    def _write(self) -> list[None]:
        """Every page written; no results to hand back (what :mod:`.second_core` runs)."""
        for plan in self._plans:
            path = self._folder / page_path(plan.uri, self._directory_urls)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(self._site.render(plan).markdown, "utf-8")
        return []

    def wait(self) -> None:
        elsewhere, self._elsewhere = self._elsewhere, None
        if elsewhere is not None and elsewhere.results() is None:
            self._write()

    def cancel(self) -> None:
        """The child stopped, if it still runs (a build that failed publishes nothing)."""
        elsewhere, self._elsewhere = self._elsewhere, None
        if elsewhere is not None:
            elsewhere.cancel()
