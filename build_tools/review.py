"""Review cycles and revision history: when each SOP is due for review, and whether its
``history`` agrees with its ``version``."""

from __future__ import annotations

import calendar
import datetime
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from build_tools.model import Sop
from build_tools.paths import lookup
from build_tools.problem import Level, Problem
from build_tools.yamlsource import Document

#: SOPs whose next review falls within this many days are "due soon".
DUE_WINDOW_DAYS = 30

_CYCLE = re.compile(r"^(\d+) (day|week|month|year)s?$")


def add_cycle(start: datetime.date, cycle: str) -> datetime.date:
    """``start`` plus a review cycle such as ``6 months`` (month ends are clamped)."""
    match = _CYCLE.match(cycle)
    if not match:
        raise ValueError(f"not a review cycle: {cycle!r}")
    amount, unit = int(match.group(1)), match.group(2)
    if unit == "day":
        return start + datetime.timedelta(days=amount)
    if unit == "week":
        return start + datetime.timedelta(weeks=amount)
    months = amount * (12 if unit == "year" else 1)
    year, month = divmod(start.month - 1 + months, 12)
    year, month = start.year + year, month + 1
    return datetime.date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def next_review(sop: Sop) -> datetime.date:
    last = datetime.date.fromisoformat(sop.maintenance.last_reviewed)
    return add_cycle(last, sop.maintenance.review_cycle)


@dataclass(frozen=True)
class ReviewStatus:
    sop: Sop
    next_review: datetime.date
    days_left: int

    @property
    def state(self) -> str:
        if self.days_left < 0:
            return "overdue"
        return "due" if self.days_left <= DUE_WINDOW_DAYS else "ok"


def review_statuses(sops: Iterable[Sop], today: datetime.date) -> list[ReviewStatus]:
    """Every SOP's review status, the most urgent first."""
    statuses = [ReviewStatus(sop, next_review(sop), (next_review(sop) - today).days)
                for sop in sops]
    return sorted(statuses, key=lambda status: (status.days_left, status.sop.id))


def overdue_problems(documents: Iterable[Document], sops: Iterable[Sop],
                     today: datetime.date) -> Iterator[Problem]:
    """overdue-review (a warning): the SOP is past its next review date."""
    by_path = {doc.path: doc for doc in documents}
    for status in review_statuses(sops, today):
        doc = by_path.get(status.sop.source)
        if status.state != "overdue" or doc is None:
            continue
        line, col = doc.position(("maintenance", "last_reviewed"))
        yield Problem(doc.path, line, col, Level.WARNING, "overdue-review",
                      f"component 6 (review and maintenance of the SOP): review was due on "
                      f"{status.next_review.isoformat()} ({-status.days_left} days ago); "
                      f"owner: {status.sop.maintenance.owner}")


def _version(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split("."))


def check_history(doc: Document) -> Iterator[Problem]:
    """history-version / history-order: the first ``history`` entry is the current
    ``version``; going down the list, versions decrease and dates do not increase."""
    history = lookup(doc.data, ("history",))
    version = lookup(doc.data, ("version",))
    if not isinstance(history, list) or not history:
        return
    entries = [(index, entry) for index, entry in enumerate(history) if isinstance(entry, dict)
               and isinstance(entry.get("version"), str) and isinstance(entry.get("date"), str)
               and re.fullmatch(r"\d+(\.\d+){0,2}", entry["version"])
               and re.fullmatch(r"\d{4}-\d{2}-\d{2}", entry["date"])]
    if not entries:
        return
    first_index, first = entries[0]
    if isinstance(version, str) and first_index == 0 and first["version"] != version:
        yield doc.problem(("history", 0, "version"), "history-version",
                          f"history[1].version {first['version']!r} is not the current version "
                          f"{version!r}; add an entry for {version!r} at the top of history")
    for (_, newer), (index, older) in zip(entries, entries[1:]):
        if _version(older["version"]) >= _version(newer["version"]):
            yield doc.problem(("history", index, "version"), "history-order",
                              f"history[{index + 1}].version {older['version']!r} is not older "
                              f"than {newer['version']!r} above it (newest first; versions "
                              f"only increase)")
        elif older["date"] > newer["date"]:
            yield doc.problem(("history", index, "date"), "history-order",
                              f"history[{index + 1}].date {older['date']} is later than "
                              f"{newer['date']} above it (newest first)")
