"""The versions of each SOP, the days each was in force, and where its page lives.

A **version** is a value of the SOP's ``version`` key as committed on the main line; its
text may have been corrected later without a new number, so it holds every committed
text (:class:`Snapshot`), the last one being its :attr:`SopVersion.text`. Versions
listed in ``history`` but never committed (history older than the repository) are
versions too, flagged ``committed=False``, with no text.

A version is **in force** from its ``effective`` day when its history entry gives one,
otherwise from the day it reached the main branch (:mod:`build_tools.source.history`; a
version known from ``history`` only: the entry's date). It stays in force until a newer
version takes over or the SOP's file leaves main; a newer version with a future effective
day is not yet in force, so the previous one stays until that day. An SOP whose version in
force is ``status: retired`` is not in force. Days are calendar days; a period's ``until``
is the first day it no longer applied (the next one's ``start``), None when nothing has
replaced it yet. Built by :func:`build_tools.model.timelines.timelines`.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from build_tools.model.sop import Revision
    from build_tools.source.document import Document
    from build_tools.source.history import SourceText

RETIRED = "retired"


def sop_url(sop_id: str) -> str:
    """The page of an SOP as it is in force today (site-relative, no leading slash)."""
    return f"sop/{sop_id.lower()}/"


def version_url(sop_id: str, version: str, *, current: bool) -> str:
    """Where a version's page lives: ``sop/<id>/`` for the version standing today
    (``current``: in force, or the last of a retired SOP), ``sop/<id>/v/<version>/`` for any
    other (past, or not yet in force)."""
    return sop_url(sop_id) if current else f"{sop_url(sop_id)}v/{version}/"


@dataclass(frozen=True)
class Snapshot:
    """One committed text of a version: where it was, the commit that wrote it, the
    main-line commit that brought it to main and the day it did."""

    path: str
    commit: str
    main_commit: str
    reached_main: datetime.date
    text: SourceText


@dataclass(frozen=True)
class SopVersion:
    """One version of an SOP. ``revisions``: the ``history`` entries it brought (its own,
    and any listed between the previous committed version and it), newest first.
    ``committed``: False for a version known from ``history`` alone (history older than the
    repository) or from the working tree; ``pending``: in the working tree, not committed
    yet, so never in force. ``written``: the date of its own history entry."""

    sop_id: str
    version: str
    text: SourceText | None = None
    snapshots: tuple[Snapshot, ...] = ()
    revisions: tuple[Revision, ...] = ()
    effective: datetime.date | None = None
    written: datetime.date | None = None
    committed: bool = True
    pending: bool = False
    #: 2 and on for a number that comes back (1.0, 2.0, then 1.0 again: a revert).
    run: int = 1

    @property
    def page_name(self) -> str:
        """The last part of its page's address: its number, and the run should the number
        come back (``1.0-2``: no version number holds a ``-``, so no page is claimed twice
        and the first run's address stays as it was)."""
        return self.version if self.run == 1 else f"{self.version}-{self.run}"

    @property
    def data(self) -> Any:
        """The version's data as written (None when it has no text or did not parse)."""
        return self.text.data if self.text is not None else None

    def document(self) -> Document | None:
        """Its text read whole, with every node's position (read again on each call)."""
        return self.text.document() if self.text is not None else None

    def unplaced(self) -> Document | None:
        """Its data as already read, without node positions (see :meth:`document`)."""
        return self.text.unplaced() if self.text is not None else None

    @property
    def status(self) -> str | None:
        data = self.data
        status = data.get("status") if isinstance(data, dict) else None
        return status if isinstance(status, str) else None

    @property
    def title(self) -> str | None:
        data = self.data
        title = data.get("title") if isinstance(data, dict) else None
        return title if isinstance(title, str) else None

    @property
    def reached_main(self) -> datetime.date | None:
        """The day its first committed text reached the main branch."""
        return self.snapshots[0].reached_main if self.snapshots else None

    @property
    def commit(self) -> str | None:
        """The commit that wrote its first text (see :attr:`Snapshot.commit`)."""
        return self.snapshots[0].commit if self.snapshots else None

    @property
    def main_commit(self) -> str | None:
        """The main-line commit that brought it: a pull request's merge commit."""
        return self.snapshots[0].main_commit if self.snapshots else None

    @property
    def start(self) -> datetime.date | None:
        """The day it takes effect, or None (pending: never in force). A committed version
        never takes effect before it reached main: ``effective``, written in the pull
        request, may postpone it, never backdate it (the version in force on an earlier
        day is what main held then)."""
        if self.pending:
            return None
        if self.reached_main is not None:
            return max(self.effective or self.reached_main, self.reached_main)
        return self.effective or self.written

    def changes(self) -> list[Snapshot]:
        """The texts that changed it, in order: its first, then each correction without a
        new number (a move or a change of layout alone reads the same and is not one; a text
        that does not read as a mapping is no SOP to approve), the first snapshot of each
        main-line commit. Each is what an approval is of."""
        found: list[Snapshot] = []
        for snapshot in self.snapshots:
            if not isinstance(snapshot.text.data, dict):
                continue
            if not found or (snapshot.main_commit != found[-1].main_commit and
                             snapshot.text.data != found[-1].text.data):
                found.append(snapshot)
        return found

    def text_on(self, day: datetime.date) -> Snapshot | None:
        """The committed text that stood on ``day`` (its first before it reached main)."""
        standing = [s for s in self.snapshots if s.reached_main <= day]
        return standing[-1] if standing else (self.snapshots[0] if self.snapshots else None)


@dataclass(frozen=True)
class Period:
    """Days from ``start`` up to (not including) ``until``: a version in force, or, with
    ``version`` None, the SOP's file absent from main (removed)."""

    version: SopVersion | None
    start: datetime.date
    until: datetime.date | None

    def holds(self, day: datetime.date) -> bool:
        return self.start <= day and (self.until is None or day < self.until)


@dataclass(frozen=True)
class Rewrite:
    """An edit of the record a timeline does not follow: a ``history`` entry's ``effective``
    day moved once its version was in force (or moved into the past), its ``date`` changed,
    or an ``entry`` for a version older than the SOP's first committed one added after the
    SOP reached main. ``kept``: what the timeline holds (for ``effective``, the day the
    version takes effect); ``given``: the field's value in the later text ("" when it has
    none); ``day``: the day that text reached main (today for the working tree)."""

    version: str
    field: str
    kept: str
    given: str
    day: datetime.date


@dataclass(frozen=True)
class SopTimeline:
    """Every version of one SOP, oldest first, and the periods they were in force; the
    edits of its record it did not follow (:class:`Rewrite`)."""

    sop_id: str
    versions: tuple[SopVersion, ...]
    periods: tuple[Period, ...]
    rewrites: tuple[Rewrite, ...] = ()

    def period_on(self, day: datetime.date) -> Period | None:
        """The version standing on ``day`` (retired included), or a removal, or None."""
        return next((period for period in self.periods if period.holds(day)), None)

    def in_force(self, day: datetime.date) -> Period | None:
        """The period of the version in force on ``day``; None when the SOP did not exist
        yet, was removed, or its version then is retired."""
        period = self.period_on(day)
        if period is None or period.version is None or period.version.status == RETIRED:
            return None
        return period

    def period_of(self, version: SopVersion) -> Period | None:
        """When ``version`` was in force (None: never, e.g. replaced the day it came)."""
        return next((period for period in self.periods if period.version is version), None)

    def previous(self, version: SopVersion) -> SopVersion | None:
        """The version before ``version`` (to say what changed), or None for the first."""
        index = next(i for i, found in enumerate(self.versions) if found is version)
        return self.versions[index - 1] if index > 0 else None

    def version(self, version: str) -> SopVersion | None:
        """The version of that number (the latest, should a number come back)."""
        return next((v for v in reversed(self.versions) if v.version == version), None)

    def url(self, version: SopVersion, today: datetime.date) -> str:
        """Where ``version``'s page lives, as of ``today``: ``sop/<id>/`` for the version
        standing today (a retired SOP's last version too: its page stays, with a banner)."""
        period = self.period_on(today)
        return version_url(self.sop_id, version.page_name,
                           current=period is not None and period.version is version)


@dataclass(frozen=True)
class InForce:
    """An SOP's version in force on a day, the period it was in force, and its page."""

    sop_id: str
    version: SopVersion
    start: datetime.date
    until: datetime.date | None
    #: None: a version without a page of its own (not committed, or unreadable today).
    url: str | None

    def as_json(self) -> dict[str, Any]:
        version = self.version
        return {"id": self.sop_id, "version": version.version, "title": version.title,
                "status": version.status, "from": self.start.isoformat(),
                "until": self.until.isoformat() if self.until else None, "url": self.url,
                "effective": version.effective.isoformat() if version.effective else None,
                "reached_main": version.reached_main.isoformat() if version.reached_main
                else None,
                "commit": version.commit, "main_commit": version.main_commit,
                "committed": version.committed}


def in_force_on(timelines: Mapping[str, SopTimeline], day: datetime.date,
                today: datetime.date,
                has_page: Callable[[SopVersion], bool] = lambda version: version.committed,
                ) -> list[InForce]:
    """Every SOP in force on ``day``, by id, with its version and that version's page as of
    ``today`` (None where ``has_page`` says a past version has none: the site publishes
    committed texts that today's rules can read); SOPs not yet existing, removed or retired
    then are absent."""
    found = []
    for sop_id in sorted(timelines):
        timeline = timelines[sop_id]
        period = timeline.in_force(day)
        if period is not None and period.version is not None:
            url = timeline.url(period.version, today)
            standing = url == sop_url(sop_id)
            found.append(InForce(sop_id, period.version, period.start, period.until,
                                 url if standing or has_page(period.version) else None))
    return found
