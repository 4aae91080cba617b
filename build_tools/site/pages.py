"""Which pages the knowledge base produces, with their source paths and Markdown, in memory.

Besides one page per SOP, the SOP index and one page per category, the reference data
produces the complaint-types, channels and metrics pages, and every reply template of every
SOP is gathered on one templates page. Hand-written pages can embed generated blocks with
markers such as ``<!-- sop-kb: situations -->`` (see :meth:`SitePages.expand_markers`).
"""

from __future__ import annotations

import datetime
import json
import os
import posixpath
import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any
from zoneinfo import ZoneInfo

from markupsafe import escape

from build_tools.model.practice import Draws, PracticeSet, make
from build_tools.model.reference import CHANNELS, COMPLAINT_TYPES, METRICS, Channel
from build_tools.model.review import review_statuses
from build_tools.model.sop import Revision, Sop, Step
from build_tools.model.training import TrainingPath
from build_tools.model.words import normalise
from build_tools.problem import Level, Problem
from build_tools.render import listing
from build_tools.render.markup import plain
from build_tools.render.renderer import INDEX_URI, SOP_DIR, Renderer, sop_uri
from build_tools.render.repository import Repository
from build_tools.rules.catalog import Catalog
from build_tools.site import csp
from build_tools.site.second_core import start as start_elsewhere

CATEGORY_DIR = "category"
#: The status of an SOP no longer in force: still served, with a banner; listed nowhere.
RETIRED = "retired"
COMPLAINT_TYPES_URI = "complaint-types.md"
CHANNELS_URI = "channels.md"
METRICS_URI = "metrics.md"
TEMPLATES_URI = "templates.md"
ROLES_URI = "roles.md"
REVIEW_URI = "review-status.md"
CHANGES_URI = "changes.md"
#: The script of redirect pages (an asset of the plugin's).
REDIRECT_SCRIPT = "assets/sop-kb/redirect.js"
#: How many revisions the recent-changes page lists.
RECENT_CHANGES = 50
TRAINING_DIR = "training"
PRACTICE_DIR = "latihan"
HANDBOOK_URI = "handbook.md"
HANDBOOK_DIR = "handbook"
#: From this many SOPs on, a build renders their pages on a second core (see
#: :mod:`build_tools.site.second_core`); below, starting it would cost more than it saves.
PARALLEL_SOPS = 200

_LISTINGS = frozenset({INDEX_URI, TEMPLATES_URI, ROLES_URI, CHANGES_URI, REVIEW_URI})
_MARKER = re.compile(r"<!--\s*sop-kb:\s*([a-z-]+)((?:\s+[^\s>]+)*)\s*-->")


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


def slugify(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-") or "category"


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


#: The quick card of an SOP is a view of its page (``#quick-card``: the at-a-glance block
#: alone, one A4 page in print), not a page of its own; ``sop/<id>/card/``, where it stood
#: before, forwards there so that printed and trained links keep working.
QUICK_CARD = "quick-card"


def card_uri(sop: Sop) -> str:
    """Where the quick card's page was built from; its URL now redirects."""
    return f"{SOP_DIR}/{sop.slug}/card.md"


@dataclass
class Role:
    """One role code across all SOPs: its names, its steps, the SOPs naming it in duties only."""

    slug: str
    names: dict[str, int] = field(default_factory=dict)
    #: The SOPs with steps for this role, each with those steps.
    steps: list[tuple[Sop, list[Step]]] = field(default_factory=list)
    duty_only: list[Sop] = field(default_factory=list)

    @property
    def titles(self) -> list[str]:
        """The role's names, the most used first."""
        return sorted(self.names, key=lambda name: -self.names[name])

    @property
    def step_count(self) -> int:
        return sum(len(steps) for _, steps in self.steps)


def roles(sops: list[Sop]) -> list[Role]:
    """Every role code, the busiest first."""
    found: dict[str, Role] = {}
    for sop in sops:
        for duty in sop.duties:
            role = found.setdefault(duty.role, Role(duty.role))
            role.names[duty.title] = role.names.get(duty.title, 0) + 1
            steps = [step for step in sop.steps if step.role == duty.role]
            if steps:
                role.steps.append((sop, steps))
            else:
                role.duty_only.append(sop)
    return sorted(found.values(), key=lambda role: (-role.step_count, role.slug))


class PageCache:
    """What :class:`SitePages` can reuse from one build to the next (``mkdocs serve``): the
    renderer with its compiled templates, and every page with what it was rendered from.
    With ``keep`` false (a single build) nothing is kept but the renderer: no next build
    would reuse it, and a build of 10,000 SOPs would hold it to the end."""

    def __init__(self, keep: bool = True) -> None:
        self.keep = keep
        #: uri → (template and data, {linked SOP id: its (slug, title)}, Markdown)
        self.pages: dict[str, tuple[object, dict[str, object], str]] = {}
        #: (what a redirect page is rendered from) → its HTML
        self.redirects: dict[tuple[object, ...], str] = {}
        #: SOP id → (the renderer that wrote its target times, the set)
        self.practice: dict[str, tuple[Renderer, PracticeSet]] = {}
        self.draws = Draws()
        self._renderers: dict[str, Renderer] = {}

    def renderer(self, language: str) -> Renderer:
        if language not in self._renderers:
            self._renderers[language] = Renderer(language)
            self._renderers[language].keep_parts = self.keep
        return self._renderers[language]


class SitePages:
    """The generated pages of one site, in one language."""

    def __init__(self, catalog: Catalog, language: str,
                 today: datetime.date | None = None, cache: PageCache | None = None,
                 directory_urls: bool = True, permalink: str = "&para;",
                 repository: Repository | None = None, time_zone: str = TIME_ZONE,
                 nav_categories: int = NAV_CATEGORIES) -> None:
        """``directory_urls`` and ``permalink`` say how the site links pages and headings
        (MkDocs' ``use_directory_urls``, the ``toc`` extension's ``permalink``), for the
        parts of pages written as HTML (see :mod:`build_tools.render.listing`)."""
        self.today = today or build_date(time_zone)
        #: Where the site's readers are: the overdue banner compares dates there.
        self.time_zone = time_zone
        self.nav_categories = nav_categories
        self.cache = cache or PageCache(keep=False)
        self.sops = catalog.sops
        self.reference = catalog.reference
        self.training = catalog.training
        self.renderer = self.cache.renderer(language)
        self.renderer.directory_urls = directory_urls
        self.renderer.permalink = permalink
        self.renderer.repository = repository or Repository()
        self.renderer.sop_titles = {sop.id: (sop.slug, sop.title) for sop in catalog.sops}
        self.by_id = {sop.id: sop for sop in self.sops}
        #: The SOPs listed on the pages that go over all of them: every one but the retired,
        #: whose pages are still served (with a banner), so that links to them keep working.
        self.listed = [sop for sop in self.sops if sop.status != RETIRED]
        self.listed_by_id = {sop.id: sop for sop in self.listed}
        self.groups = self.renderer.categories(self.listed)
        self.related = related_sops(self.sops)
        self._sop_uris = {sop_uri(sop) for sop in self.sops}
        self._retired_uris = {sop_uri(sop) for sop in self.sops if sop.status == RETIRED}
        self.reviews = {status.sop.id: status for status in review_statuses(self.sops, self.today)}
        #: The page on asking for a missing procedure (offered when search finds nothing).
        self.request_uri: str | None = None
        self._practice: dict[str, PracticeSet] | None = None

    @property
    def labels(self) -> dict[str, Any]:
        return self.renderer.labels

    @cached_property
    def edit_urls(self) -> dict[str, str | None]:
        """src_uri → where to edit the file a generated page is built from (None: nowhere)."""
        repository = self.renderer.repository
        urls = {sop_uri(sop): repository.edit_url(sop.source) for sop in self.sops}
        for name, uri in ((COMPLAINT_TYPES, COMPLAINT_TYPES_URI), (CHANNELS, CHANNELS_URI),
                          (METRICS, METRICS_URI)):
            if self.reference.has(name):
                urls[uri] = repository.edit_url(self.reference.documents[name].path)
        for path in self.training:
            urls[f"{TRAINING_DIR}/{path.id}.md"] = repository.edit_url(path.source)
        return urls

    def category_uri(self, name: str) -> str:
        return f"{CATEGORY_DIR}/{slugify(name)}.md"

    def handbook_uri(self, category: str) -> str:
        return f"{HANDBOOK_DIR}/{slugify(category)}.md"

    def nav_uris(self) -> list[str]:
        """Pages for the SOP section of the navigation: the index, then one per category, or
        the index alone when there are more than ``nav_categories`` categories (it lists
        them all). Never one entry per SOP: the navigation is embedded in every page, and its
        size would grow with the knowledge base's."""
        if len(self.groups) > self.nav_categories:
            return [INDEX_URI]
        return [INDEX_URI, *(self.category_uri(name) for name, _ in self.groups)]

    def reference_uris(self) -> list[str]:
        """The other generated pages that belong in the navigation."""
        uris = []
        if self.reference.has(COMPLAINT_TYPES):
            uris.append(COMPLAINT_TYPES_URI)
        uris.append(CHANNELS_URI)
        if self.reference.has(METRICS):
            uris.append(METRICS_URI)
        uris.extend((ROLES_URI, TEMPLATES_URI, CHANGES_URI, REVIEW_URI))
        if self.training:
            uris.append(f"{TRAINING_DIR}/index.md")
        return uris

    def search_weight(self, src_uri: str) -> float:
        """Relative weight of a page in search: SOP pages first, since agents look for a
        procedure; reference and hand-written pages less. Pages that only list what SOP
        pages say (SOP index, categories, templates, roles, changes, review dates) are not
        indexed (0): a hit there would only stand between the agent and the SOP's step, and
        with thousands of SOPs they are the largest pages to index."""
        if src_uri in self._retired_uris:
            return 0.0
        if src_uri in self._sop_uris:
            return 1.0
        if src_uri in _LISTINGS or src_uri.startswith((f"{CATEGORY_DIR}/", f"{PRACTICE_DIR}/")) \
                or src_uri == self.request_uri or src_uri.endswith(HANDBOOK_URI) \
                or src_uri.startswith(f"{HANDBOOK_DIR}/"):
            return 0.0
        return 0.6

    def pages(self) -> Iterator[tuple[str, str]]:
        """``(source uri, markdown)`` for every generated page.

        A page whose template and data compare equal to those it was rendered from last time
        (same ``cache``), and whose ``[[SOP]]`` links name SOPs with the same titles, is not
        rendered again. SOPs loaded from unchanged files are the same objects, so the
        comparison is mostly identity checks; ``mkdocs serve`` keeps the cache across
        rebuilds. With hundreds of SOPs and none rendered before, their pages are rendered
        in a second process (:mod:`build_tools.site.second_core`) while this one renders the rest.
        """
        titles = self.renderer.sop_titles
        edit_urls = {uri: escape(url) for uri, url in self.edit_urls.items() if url}

        def key(template: str, context: dict[str, object]) -> tuple[object, ...]:
            return (template, context, self.renderer.language, self.renderer.directory_urls,
                    self.renderer.permalink)

        def render(uri: str, template: str, context: dict[str, object],
                   ) -> tuple[dict[str, object], str]:
            self.renderer.linked = set()
            try:
                markdown = self.renderer.page(uri, template, **context)
                return {sop_id: titles.get(sop_id) for sop_id in self.renderer.linked}, markdown
            finally:
                self.renderer.linked = None

        def page(uri: str, template: str, **context: object) -> tuple[str, str]:
            context = {"edit_url": edit_urls.get(uri), **context}
            page_key = key(template, context)
            cached = self.cache.pages.get(uri)
            if cached is not None and cached[0] == page_key and all(
                    titles.get(sop_id) == title for sop_id, title in cached[1].items()):
                return uri, cached[2]
            linked, markdown = render(uri, template, context)
            if self.cache.keep:
                self.cache.pages[uri] = (page_key, linked, markdown)
            return uri, markdown

        links = {"channels": True, "metrics": self.reference.has(METRICS)}
        sop_pages = [(sop_uri(sop), {"sop": sop, "time_zone": self.time_zone,
                                     "practice_uri": self.practice_uri(sop.slug)
                                     if sop.status != RETIRED else None, "related": [
                          other for other in self.related[sop.id] if other.status != RETIRED],
                          "edit_url": edit_urls.get(sop_uri(sop)),
                                     "links": links, "review": self.reviews[sop.id]})
                     for sop in self.sops]
        # With none of them rendered before (a build, not a serve session), the SOP pages
        # are rendered on the other core while this one renders the listing pages.
        elsewhere = None
        if len(sop_pages) >= PARALLEL_SOPS and not any(
                uri in self.cache.pages for uri, _ in sop_pages):
            elsewhere = start_elsewhere(
                lambda: (render(uri, "sop", context) for uri, context in sop_pages))
        try:
            first = [page(INDEX_URI, "sop_index", groups=self.groups)]
            first.extend(page(self.category_uri(name), "category", name=name, sops=sops,
                              handbook_uri=self.handbook_uri(name))
                         for name, sops in self.groups)
            rest = list(self._listing_pages(page)) if elsewhere else self._listing_pages(page)
            yield from first
            rendered = elsewhere.results() if elsewhere else None
            if rendered is not None:
                for (uri, context), (linked, markdown) in zip(sop_pages, rendered, strict=True):
                    if self.cache.keep:
                        self.cache.pages[uri] = (key("sop", context), linked, markdown)
                    yield uri, markdown
            else:
                for uri, context in sop_pages:
                    yield page(uri, "sop", **context)
            yield from rest
        finally:
            if elsewhere is not None:
                elsewhere.results()  # a generator closed early leaves no child behind

    def _listing_pages(self, page: Callable[..., tuple[str, str]],
                       ) -> Iterator[tuple[str, str]]:
        """The pages after the SOP pages: reference data and pages listing every SOP."""
        if self.reference.has(COMPLAINT_TYPES):
            yield page(COMPLAINT_TYPES_URI, "complaint_types", reference=self.reference,
                       by_id=self.listed_by_id)
        channels = self.channels()
        yield page(CHANNELS_URI, "channels", channels=channels, sops_by_channel={
            channel.id: [sop for sop in self.listed if channel.id in sop.channels]
            for channel in channels})
        if self.reference.has(METRICS):
            metrics = list(self.reference.metrics.values())
            trackers = {m.id: [s.id for s in self.listed if m.id in s.feedback.metrics]
                        for m in metrics}
            yield page(METRICS_URI, "metrics", metrics=metrics, trackers=trackers,
                       by_id=self.by_id)
        yield page(TEMPLATES_URI, "templates", groups=self.groups)
        yield page(ROLES_URI, "roles", roles=roles(self.listed))
        yield page(REVIEW_URI, "review", today=self.today, statuses=[
            status for status in self.reviews.values() if status.sop.status != RETIRED])
        yield page(CHANGES_URI, "changes", changes=self.recent_changes())
        if self.training:
            yield page(f"{TRAINING_DIR}/index.md", "training_index", paths=self.training)
            for path in self.training:
                sets = self.path_practice(path)
                yield page(f"{TRAINING_DIR}/{path.id}.md", "training", path=path,
                           by_id=self.by_id, practice_counts=[
                               (practice.sop, len(practice.questions)) for practice in sets])
                yield from self._practice_pages(page, path.id, path.title, sets)
                yield page(f"{TRAINING_DIR}/{path.id}/{HANDBOOK_URI}", "handbook",
                           title=path.title, goal=path.goal,
                           sops=[practice.sop for practice in sets])
        for practice in self.practice().values():
            yield from self._practice_pages(page, practice.sop.slug, practice.sop.title,
                                            [practice])
        # One handbook per category, not one of every SOP: a page of thousands of SOPs is
        # not printed, weighs tens of megabytes, and every edit would render it again.
        yield page(HANDBOOK_URI, "handbook_index", groups=[
            (name, self.handbook_uri(name), len(sops)) for name, sops in self.groups])
        for name, sops in self.groups:
            yield page(self.handbook_uri(name), "handbook", title=name, goal=None, sops=sops)

    def practice_uri(self, name: str) -> str:
        return f"{PRACTICE_DIR}/{name}.md"

    def practice(self) -> dict[str, PracticeSet]:
        """The practice set of every SOP in force, by id (generated once per site)."""
        if self._practice is None:
            by_category = {name: sops for name, sops in self.groups}
            self._practice = {}
            draws = self.cache.draws.start(self.listed)
            for sop in self.listed:
                # The SOP compared by identity (the catalog keeps the Sop of an unchanged file
                # from one rebuild to the next under `mkdocs serve`), what it draws on from
                # others by value: an edit makes again only the sets it can change.
                drawn = draws.of(sop, by_category.get(sop.category or "", []))
                cached = self.cache.practice.get(sop.id)
                if cached is None or cached[0] is not self.renderer or \
                        cached[1].sop is not sop or cached[1].draw != drawn:
                    cached = self.renderer, make(sop, drawn, self.renderer.duration)
                    if self.cache.keep:
                        self.cache.practice[sop.id] = cached
                self._practice[sop.id] = cached[1]
        return self._practice

    def path_practice(self, path: TrainingPath) -> list[PracticeSet]:
        """The practice sets of a training path's SOPs, in the path's order, each once."""
        practice = self.practice()
        ids = dict.fromkeys(item.sop for item in path.items if item.sop in practice)
        return [practice[sop_id] for sop_id in ids]

    def _practice_pages(self, page: Callable[..., tuple[str, str]], name: str, title: str,
                        sets: list[PracticeSet]) -> Iterator[tuple[str, str]]:
        print_uri = f"{PRACTICE_DIR}/{name}/cetak.md"
        yield page(self.practice_uri(name), "practice", title=title, sets=sets,
                   print_uri=print_uri)
        yield page(print_uri, "practice_print", title=title, sets=sets)

    def recent_changes(self) -> list[tuple[Sop, Revision]]:
        """The latest revisions across all SOPs, newest first."""
        changes = [(sop, entry) for sop in self.listed for entry in sop.history]
        changes.sort(key=lambda change: (change[1].date, change[0].id), reverse=True)
        return changes[:RECENT_CHANGES]

    def redirects(self) -> Iterator[tuple[str, str]]:
        """``(path, html)`` of a redirect page at the URL of every former id (``aliases``),
        forwarding to the SOP's page with the ``#step`` anchor of the old link, and at the
        former quick-card URL of every SOP, forwarding to the page's quick-card view.
        """
        template = self.renderer.env.get_template("redirect.html.j2")
        language = self.renderer.language
        directory_urls = self.renderer.directory_urls
        before, self.cache.redirects = self.cache.redirects, {}

        def redirect(old: str, new: str, anchor: str | None, keep_hash: bool,
                     title: str) -> tuple[str, str]:
            """From the page ``old`` was built from before to the one ``new`` is built from."""
            target = escape(listing.relative_url(old, new, directory_urls, anchor))
            path = listing.page_path(old, directory_urls)
            script = escape(posixpath.relpath(REDIRECT_SCRIPT, posixpath.dirname(path) or "."))
            key = (target, title, language, keep_hash, script)
            page = before.get(key) or csp.with_policy(template.render(
                target=target, title=title, language=language, keep_hash=keep_hash,
                script=script))
            self.cache.redirects[key] = page
            return path, page

        for sop in self.sops:
            title = f"{sop.id} — {sop.title}"
            for alias in sop.aliases:
                yield redirect(f"{SOP_DIR}/{alias.lower()}.md", sop_uri(sop), None, True, title)
            yield redirect(card_uri(sop), sop_uri(sop), QUICK_CARD, False, title)

    def suggestions(self) -> str:
        """``assets/sop-kb/suggestions.json``: what the search box offers when nothing
        matches a query: each SOP's title, URL and the roots of its title and situation (to
        find the closest by situation), and where to ask for a missing procedure."""
        directory_urls = self.renderer.directory_urls
        sops = [{"t": plain(sop.title), "u": listing.page_url(sop_uri(sop), directory_urls),
                 "w": normalise(f"{sop.title} {sop.situation or ''}")} for sop in self.listed]
        request = (listing.page_url(self.request_uri, directory_urls)
                   if self.request_uri else None)
        return json.dumps({"request": request, "sops": sops}, ensure_ascii=False,
                          separators=(",", ":"))

    def channels(self) -> list[Channel]:
        """Described channels in the reference file's order, then any used but undescribed."""
        channels = list(self.reference.channels.values())
        described = set(self.reference.channels)
        for sop in self.sops:
            for name in sop.channels:
                if name not in described:
                    described.add(name)
                    channels.append(Channel(name, self.renderer.channel(name), ""))
        return channels

    def expand_markers(self, markdown: str, src_uri: str,
                       display: str | None = None) -> tuple[str, list[Problem]]:
        """Replace ``<!-- sop-kb: NAME ARGS -->`` markers in a hand-written page.

        ``situations`` gives the "which SOP for which situation" table; ``sop-list ID…`` a
        list of links to the named SOPs. Returns the new Markdown and a problem (warning),
        at the marker's line in ``display`` (the page's path), for every marker that could
        not be expanded.
        """
        problems: list[Problem] = []

        def warn(match: re.Match[str], rule: str, message: str) -> None:
            line = markdown.count("\n", 0, match.start()) + 1
            col = match.start() - markdown.rfind("\n", 0, match.start())
            problems.append(Problem(display or src_uri, line, col, Level.WARNING, rule, message))

        def expand(match: re.Match[str]) -> str:
            name, args = match.group(1), match.group(2).split()
            if name == "situations" and not args:
                return self.renderer.listing_fragment(src_uri, "situations", self.listed)
            if name == "sop-list" and args:
                unknown = [sop_id for sop_id in args if sop_id not in self.by_id]
                if unknown:
                    warn(match, "unknown-sop",
                         f"sop-kb marker names unknown SOP id(s): {', '.join(unknown)}")
                known = [self.by_id[sop_id] for sop_id in args if sop_id in self.by_id]
                return self.renderer.listing_fragment(src_uri, "sop_list", known)
            warn(match, "unknown-marker", f"unknown sop-kb marker {match.group(0)!r}")
            return match.group(0)

        return _MARKER.sub(expand, markdown), problems
