"""Which pages the knowledge base produces: a plan of every generated page (its source path,
its template and what it shows), rendered by the templates into Markdown, in memory.

The plan is made by page family, each a module of this package: the overviews that list
SOPs (:mod:`.overviews`), SOP pages and the redirects of their former addresses
(:mod:`.sop_pages`), reference pages (:mod:`.reference_pages`), training paths, practice and
handbooks (:mod:`.training_pages`); hand-written pages' ``sop-kb`` markers
(:mod:`.markers`) and what search gets beside the pages (:mod:`.findability`).

:meth:`SitePages.pages` renders the plan plainly, one page after another.
:mod:`build_tools.speed.rendering` renders the same plan faster (pages reused between the
rebuilds of ``mkdocs serve``, a second core in a large build); a test checks that both give
the same pages. What a build may keep from the previous one comes in through a
:class:`Memo` (here: nothing).
"""

from __future__ import annotations

import datetime
import os
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property
from typing import Any
from zoneinfo import ZoneInfo

from markupsafe import escape

from build_tools.model.draws import Draw, Draws
from build_tools.model.practice import PracticeSet, make
from build_tools.model.reference import COMPLAINT_TYPES, METRICS
from build_tools.model.review import review_statuses
from build_tools.model.sop import Sop
from build_tools.model.training import TrainingPath
from build_tools.model.versions import SopVersion
from build_tools.problem import Problem
from build_tools.render.changes import ChangeWords
from build_tools.render.renderer import INDEX_URI, Rendered, Renderer, sop_uri
from build_tools.render.repository import Repository
from build_tools.rules.catalog import Catalog
from build_tools.rules.versions import CheckedVersion, check_version
from build_tools.site import (
    findability,
    layout,
    markers,
    overviews,
    reference_pages,
    sop_pages,
    training_pages,
    versions,
)
from build_tools.site.shell import Shell, document

#: The status of an SOP no longer in force: still served, with a banner; listed nowhere.
RETIRED = "retired"
#: Up to this many categories are listed in the navigation; beyond, the SOP index alone.
NAV_CATEGORIES = 10
#: The time zone review dates are counted in, unless the site names another.
TIME_ZONE = "Asia/Jakarta"


def build_date(time_zone: str = TIME_ZONE) -> datetime.date:
    """Today in ``time_zone``, or the date there at ``SOURCE_DATE_EPOCH`` (as MkDocs uses for
    the sitemap), so a build can be reproduced byte for byte on another day."""
    zone = ZoneInfo(time_zone)
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return datetime.datetime.fromtimestamp(int(epoch), zone).date()
    return datetime.datetime.now(zone).date()


@dataclass(frozen=True)
class Plan:
    """One generated page: its source path, its template, what the template shows."""

    uri: str
    template: str
    context: dict[str, object]
    #: ``"sop"`` for an SOP's own page (a large build renders those on a second core).
    family: str = "site"


class Memo:
    """What a site may take from the previous build instead of making it anew: here,
    nothing. :class:`build_tools.speed.reuse.PageCache` keeps them while serving."""

    def renderer(self, language: str) -> Renderer:
        renderer = Renderer(language)
        renderer.keep_parts = False  # no next render to reuse a page's parts
        return renderer

    def draws(self) -> Draws:
        return Draws()

    def practice_set(self, renderer: Renderer, sop: Sop, drawn: Draw) -> PracticeSet:
        return make(sop, drawn, renderer.duration)


class SitePages:
    """The generated pages of one site, in one language."""

    def __init__(self, catalog: Catalog, language: str,
                 today: datetime.date | None = None, cache: Memo | None = None,
                 directory_urls: bool = True, permalink: str = "&para;",
                 repository: Repository | None = None, time_zone: str = TIME_ZONE,
                 nav_categories: int = NAV_CATEGORIES,
                 control: versions.Control | None = None, shell: Shell | None = None) -> None:
        """``directory_urls`` and ``permalink`` say how the site links pages and headings
        (MkDocs' ``use_directory_urls``, the ``toc`` extension's ``permalink``); ``control``
        what git and the approval records say of the SOPs' versions (none: current files
        only); ``shell`` what a version page carries of the site, written outside the theme
        (none: a page block like every other page's)."""
        self.shell = shell
        self.today = today or build_date(time_zone)
        #: Where the site's readers are: the overdue banner compares dates there.
        self.time_zone = time_zone
        self.nav_categories = nav_categories
        self.cache = cache or Memo()
        self.control = control or versions.Control()
        #: The SOPs as their files are now; the site shows each as in force today.
        self.current_files = {sop.id: sop for sop in catalog.sops}
        self.sops, self.upcoming = versions.in_force_today(catalog.sops, self.control,
                                                           self.today)
        self.reference = catalog.reference
        self.training = catalog.training
        self.renderer = self.cache.renderer(language)
        self.renderer.directory_urls = directory_urls
        self.renderer.permalink = permalink
        self.renderer.repository = repository or Repository()
        self.renderer.sop_titles = {sop.id: (sop.slug, sop.title) for sop in self.sops}
        self.change_words = ChangeWords(self.labels, self.renderer.duration)
        self.by_id = {sop.id: sop for sop in self.sops}
        #: The SOPs listed on the pages that go over all of them: every one but the retired,
        #: whose pages are still served (with a banner), so that links to them keep working.
        self.listed = [sop for sop in self.sops if sop.status != RETIRED]
        self.listed_by_id = {sop.id: sop for sop in self.listed}
        self.sop_uris = {sop_uri(sop) for sop in self.sops}
        self.retired_uris = {sop_uri(sop) for sop in self.sops if sop.id not in self.listed_by_id}
        self.groups = categories(self.listed, self.labels["other_category"])
        self.related = sop_pages.related_sops(self.sops)
        self.reviews = {status.sop.id: status for status in review_statuses(self.sops, self.today)}
        #: The page on asking for a missing procedure (offered when search finds nothing).
        self.request_uri: str | None = None
        self._practice: dict[str, PracticeSet] | None = None
        self._checked: dict[int, CheckedVersion] = {}
        self._rows: dict[int, list[versions.Row]] = {}

    @property
    def labels(self) -> dict[str, Any]:
        return self.renderer.labels

    @cached_property
    def edit_urls(self) -> dict[str, str | None]:
        """src_uri → where to edit the file a generated page is built from (None: nowhere)."""
        repository = self.renderer.repository
        urls = {sop_uri(sop): repository.edit_url(sop.source) for sop in self.sops}
        for name, uri in ((COMPLAINT_TYPES, layout.COMPLAINT_TYPES_URI),
                          (reference_pages.CHANNELS, layout.CHANNELS_URI),
                          (METRICS, layout.METRICS_URI)):
            if self.reference.has(name):
                urls[uri] = repository.edit_url(self.reference.documents[name].path)
        for path in self.training:
            urls[layout.training_uri(path.id)] = repository.edit_url(path.source)
        return urls

    def category_uri(self, name: str) -> str:
        return layout.category_uri(name)

    def handbook_uri(self, category: str) -> str:
        return layout.handbook_uri(category)

    def practice_uri(self, name: str) -> str:
        return layout.practice_uri(name)

    def nav_uris(self) -> list[str]:
        """Pages for the SOP section of the navigation: the index, then one per category, or
        the index alone when there are more than ``nav_categories`` categories (it lists
        them all). Never one entry per SOP: the navigation is embedded in every page, and its
        size would grow with the knowledge base's."""
        if len(self.groups) > self.nav_categories:
            return [INDEX_URI]
        return [INDEX_URI, *(layout.category_uri(name) for name, _ in self.groups)]

    def reference_uris(self) -> list[str]:
        """The other generated pages that belong in the navigation."""
        return [*reference_pages.uris(self), *overviews.LISTS,
                *([layout.TRAINING_INDEX_URI] if self.training else [])]

    def plan_page(self, uri: str, template: str, family: str = "site",
                  **context: object) -> Plan:
        """The plan of one page; its edit link, where its file can be edited, added."""
        edit_url = self.edit_urls.get(uri)
        return Plan(uri, template, {"edit_url": escape(edit_url) if edit_url else None,
                                    **context}, family)

    def plan(self) -> Iterator[Plan]:
        """Every generated page, in the order the site lists them (the SOP pages together,
        then their versions' pages); each family planned as it is reached."""
        yield from overviews.index_and_categories(self)
        yield from sop_pages.plans(self)
        if self.control.timelines:
            yield from versions.plans(self)
        yield from reference_pages.plans(self)
        yield from overviews.lists(self)
        yield from training_pages.plans(self)
        yield from overviews.handbooks(self)
        if self.control.timelines:
            yield self.plan_page(layout.IN_FORCE_URI, "in_force", data_uri=layout.IN_FORCE_DATA,
                                 rows=versions.in_force_rows(self), today=self.today)

    def render(self, plan: Plan) -> Rendered:
        rendered = self.renderer.page(plan.uri, plan.template, **plan.context)
        if plan.family == "version" and self.shell is not None:
            version = plan.context["this_version"].version  # type: ignore[attr-defined]
            return Rendered(document(self.renderer, self.shell, plan.uri, rendered.markdown,
                                     version), rendered.linked)
        return rendered

    def pages(self) -> Iterator[tuple[str, str]]:
        """``(source uri, markdown)`` for every generated page, rendered one after another
        (see :mod:`build_tools.speed.rendering` for the same, faster)."""
        for plan in self.plan():
            yield plan.uri, self.render(plan).markdown

    def redirects(self) -> Iterator[tuple[str, str]]:
        """``(path, html)`` of every redirect page (see :func:`sop_pages.redirects`)."""
        for redirect in sop_pages.redirects(self):
            yield redirect.path, sop_pages.render_redirect(self.renderer, redirect)

    def practice(self) -> dict[str, PracticeSet]:
        """The practice set of every SOP in force, by id (made once per site)."""
        if self._practice is None:
            by_category = dict(self.groups)
            draws = self.cache.draws().start(self.listed)
            # (An SOP without a category draws on no other: its group's name is a label.)
            self._practice = {sop.id: self.cache.practice_set(
                self.renderer, sop, draws.of(sop, by_category.get(sop.category or "", [])))
                for sop in self.listed}
        return self._practice

    def path_practice(self, path: TrainingPath) -> list[PracticeSet]:
        """The practice sets of a training path's SOPs, in the path's order, each once."""
        practice = self.practice()
        ids = dict.fromkeys(item.sop for item in path.items if item.sop in practice)
        return [practice[sop_id] for sop_id in ids]

    def checked(self, version: SopVersion) -> CheckedVersion:
        """A past version checked under today's rules, once per site."""
        key = id(version)  # the timelines hold each version for the site's life
        if key not in self._checked:
            self._checked[key] = check_version(version)
        return self._checked[key]

    def version_rows(self, sop: Sop) -> list[versions.Row]:
        """The versions ``sop``'s pages list (:func:`versions.rows`), once per site: the SOP
        page, its handbooks, its version pages and the URL claims all ask."""
        key = id(sop)  # the catalog and the checked versions hold each Sop for the site's life
        if key not in self._rows:
            self._rows[key] = versions.rows(self, sop)
        return self._rows[key]

    def shown_rows(self, sops: list[Sop]) -> dict[str, versions.Row]:
        """The version each of ``sops`` shows, by id, with the days it is in force (for the
        line a printed handbook carries)."""
        found = {}
        for sop in sops:
            row = next((row for row in self.version_rows(sop) if row.shown), None)
            if row is not None:
                found[sop.id] = row
        return found

    def search_weight(self, src_uri: str) -> float:
        return findability.search_weight(self, src_uri)

    def suggestions(self) -> str:
        return findability.suggestions(self)

    def expand_markers(self, markdown: str, src_uri: str, display: str | None = None,
                       ) -> tuple[str, list[str], list[Problem]]:
        return markers.expand(self, markdown, src_uri, display)


def categories(sops: list[Sop], other: str) -> list[tuple[str, list[Sop]]]:
    """SOPs grouped by category, categories in alphabetical order, ``other`` (those without
    one) last."""
    groups: dict[str, list[Sop]] = defaultdict(list)
    for sop in sops:
        groups[sop.category or ""].append(sop)
    named = sorted(name for name in groups if name)
    ordered = [(name, groups[name]) for name in named]
    if "" in groups:
        ordered.append((other, groups[""]))
    return ordered
