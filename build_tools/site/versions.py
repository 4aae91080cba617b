"""Document control on the site: every version of an SOP at its own address, the version in
force on any day, and who approved each.

The versions and the days each was in force come from git (:mod:`build_tools.source.history`,
:mod:`build_tools.model.timelines`), the approvals from ``approvals/`` (:mod:`build_tools.
model.approvals`). Here they become pages:

* every committed version listed in an SOP's history, other than the one its own page shows,
  at ``sop/<id>/v/<version>/``, rendered with today's templates: a banner says it is not the
  version in force, the period it was, the previous and next versions and what changed
  from the previous one, who approved it; kept out of search and robots (:func:`plans`);
* on the SOP's own page, the list of its versions (:func:`rows`) and, when a newer version
  takes effect on a later day, the announcement of it while the SOP's page, listings,
  search and training keep showing the version in force today (:func:`in_force_today`);
* a page with a date field listing the version of each SOP in force that day, from a JSON
  the build writes (:func:`in_force_data`).
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

from build_tools.model.approvals import ApprovalRecord, records_of
from build_tools.model.sop import Sop
from build_tools.model.versions import SopTimeline, SopVersion, in_force_on
from build_tools.render import listing
from build_tools.render.changes import ChangeWords
from build_tools.rules.versions import check_version
from build_tools.site import layout

if TYPE_CHECKING:
    from build_tools.site.pages import Plan, SitePages


@dataclass
class Control:
    """What a site knows of its SOPs' versions: their timelines by SOP id (empty without
    git), the approval records by SOP id, and notices for the build's log (a shallow clone,
    no repository)."""

    timelines: Mapping[str, SopTimeline] = field(default_factory=dict)
    approvals: Mapping[str, list[ApprovalRecord]] = field(default_factory=dict)
    notices: tuple[str, ...] = ()

    def approval(self, version: SopVersion) -> ApprovalRecord | None:
        """The latest record of ``version`` (a version may take two PRs)."""
        found = records_of(version, self.approvals.get(version.sop_id, ()))
        return found[-1] if found else None


@dataclass(frozen=True)
class Row:
    """One version of an SOP as its pages list it: when it was in force, where its page is
    (None: none; the SOP's own page for the version it shows), who approved it, and why it
    has no page when it has none."""

    version: str
    start: datetime.date | None
    until: datetime.date | None
    uri: str | None
    summary: str
    approval: ApprovalRecord | None
    shown: bool = False
    note: str | None = None
    #: The version itself (None for one not committed yet, taking effect later).
    source: SopVersion | None = None


@dataclass(frozen=True)
class Upcoming:
    """A version written and merged that takes effect on a later day."""

    version: str
    effective: datetime.date
    summary: str
    uri: str


def in_force_today(sops: list[Sop], control: Control, today: datetime.date,
                   ) -> tuple[list[Sop], dict[str, Upcoming]]:
    """``sops`` with each SOP whose file holds a version taking effect after ``today``
    replaced by the version in force today (when git has it and it still reads as an SOP),
    and what each such SOP announces."""
    shown, upcoming = [], {}
    for sop in sops:
        entry = sop.history[0] if sop.history else None
        effective = _date(entry.effective if entry else None)
        timeline = control.timelines.get(sop.id)
        if entry is None or effective is None or effective <= today:
            shown.append(sop)
            continue
        upcoming[sop.id] = Upcoming(sop.version, effective, entry.summary,
                                    layout.version_uri(sop.slug, sop.version))
        period = timeline.in_force(today) if timeline else None
        before = check_version(period.version).sop \
            if period is not None and period.version is not None else None
        shown.append(before if before is not None and before.id == sop.id else sop)
    return shown, upcoming


def rows(site: SitePages, sop: Sop) -> list[Row]:
    """The versions of ``sop``, newest first, as its pages list them."""
    timeline = site.control.timelines.get(sop.id)
    if timeline is None:
        return []
    today = site.today
    standing = timeline.period_on(today)
    found = []
    for version in reversed(timeline.versions):
        if version.pending:
            continue
        period = timeline.period_of(version)
        shown = timeline.version(sop.version) is version or (
            standing is not None and standing.version is version)
        note = None if version.committed else site.labels["version_not_committed"]
        uri = None if shown or not version.committed else \
            layout.version_uri(sop.slug, version.page_name)
        if uri is not None and (checked := site.checked(version)).sop is None:
            uri, note = None, site.labels["version_unreadable"].format(reason=checked.reason)
        found.append(Row(version.version, period.start if period else None,  # None: never
                         period.until if period else None, uri, _summary(version),
                         site.control.approval(version), shown, note,
                         version))
    upcoming = site.upcoming.get(sop.id)
    if upcoming is not None and not any(row.version == upcoming.version for row in found):
        found.insert(0, Row(upcoming.version, upcoming.effective, None, upcoming.uri,
                            upcoming.summary, None))
    return found


def plans(site: SitePages) -> Iterator[Plan]:
    """The page of every version listed with a page (see :func:`rows`): its SOP as that
    version wrote it, with today's templates; a version that does not read as an SOP under
    today's rules has none."""
    for sop in site.sops:
        listed = site.version_rows(sop)
        timeline = site.control.timelines.get(sop.id)
        for index, row in enumerate(listed):
            version = row.source
            if row.uri is None:
                continue
            if version is not None:
                shown = site.checked(version).sop
            else:  # a version taking effect later, not committed yet (a preview)
                shown = site.current_files.get(sop.id)
            if shown is None or shown.id != sop.id:
                continue
            before = timeline.previous(version) if timeline and version else None
            yield site.plan_page(
                row.uri, "sop", family="version", sop=shown, time_zone=site.time_zone,
                practice_uri=None, related=[], links={"channels": True, "metrics": False},
                review=site.reviews[sop.id], versions=[], upcoming=None,
                this_version=row, sop_uri=layout.sop_uri(sop),
                previous=_neighbour(listed[index + 1:]),
                following=_neighbour(listed[:index][::-1]),
                changes=Changes(site.change_words, before.data if before else None,
                                version.data) if version else ())


@dataclass(frozen=True)
class Changes:
    """What changed from the previous version's data to a version's, in a writer's words
    (``sopkb diff``'s), worded when a page first reads them: on whichever core renders it.
    Equal when the data are (a page reused under ``mkdocs serve`` compares its plan)."""

    words: ChangeWords = field(compare=False)
    before: Any
    after: Any

    @cached_property
    def lines(self) -> tuple[str, ...]:
        return tuple(self.words.sop_changes(self.before, self.after))

    def __iter__(self) -> Iterator[str]:
        return iter(self.lines)

    def __bool__(self) -> bool:
        return bool(self.lines)


def _neighbour(rows: list[Row]) -> Row | None:
    """The nearest of ``rows`` that has a page (its own, or the SOP's)."""
    return next((row for row in rows if row.uri or row.shown), None)


def in_force_data(site: SitePages) -> str:
    """``assets/sop-kb/in-force.json``: for every SOP, each period a version was in force,
    for the in-force page's date field (the browser picks the period holding the date)."""
    directory_urls = site.renderer.directory_urls
    found = []
    for sop_id in sorted(site.control.timelines):
        timeline = site.control.timelines[sop_id]
        sop = site.by_id.get(sop_id)
        periods = []
        for period in timeline.periods:
            version = period.version
            if version is None or version.status == "retired":
                continue
            target = _page_of(site, sop, version, timeline.url(version, site.today)) \
                if sop else None
            periods.append({"v": version.version, "t": version.title or sop_id,
                            "from": period.start.isoformat(),
                            "until": period.until.isoformat() if period.until else None,
                            "u": listing.page_url(target, directory_urls) if target else None})
        if periods:
            found.append({"id": sop_id, "p": periods})
    return json.dumps(found, ensure_ascii=False, separators=(",", ":"))


def in_force_rows(site: SitePages) -> list[tuple[str, str, str, str, str | None]]:
    """Today's answer of the in-force page, written into it (the date field asks the JSON
    for other days): ``(id, title, version, from, page uri)``."""
    found: list[tuple[str, str, str, str, str | None]] = []
    for entry in in_force_on(site.control.timelines, site.today, site.today):
        sop = site.by_id.get(entry.sop_id)
        uri = _page_of(site, sop, entry.version, entry.url) if sop and entry.url else None
        found.append((entry.sop_id, entry.version.title or entry.sop_id,
                      entry.version.version, entry.start.isoformat(), uri))
    return found


def _page_of(site: SitePages, sop: Sop, version: SopVersion, url: str) -> str | None:
    """The page of ``version`` of ``sop``, whose address as of today is ``url``: the SOP's
    own for the version standing today, else its version page where the site makes one (a
    committed text today's rules can read, as :func:`rows` lists it), else None."""
    if url == f"sop/{sop.slug}/":
        return layout.sop_uri(sop)
    if not version.committed or site.checked(version).sop is None:
        return None
    return layout.version_uri(sop.slug, version.page_name)


def _summary(version: SopVersion) -> str:
    own = [revision for revision in version.revisions if revision.version == version.version]
    return own[0].summary if own else ""


def _date(text: str | None) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(text) if text else None
    except ValueError:
        return None
