"""Review cycles: when each SOP is next due for review, and how urgent that is."""

from __future__ import annotations

import calendar
import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from build_tools.model.grammar import parse_date, review_cycle
from build_tools.model.sop import Sop

#: SOPs whose next review falls within this many days are "due soon".
DUE_WINDOW_DAYS = 30


def add_cycle(start: datetime.date, cycle: str) -> datetime.date:
    """``start`` plus a review cycle such as ``6 months`` (month ends are clamped)."""
    amount, unit = review_cycle(cycle)
    if unit == "day":
        return start + datetime.timedelta(days=amount)
    if unit == "week":
        return start + datetime.timedelta(weeks=amount)
    months = amount * (12 if unit == "year" else 1)
    year, month = divmod(start.month - 1 + months, 12)
    year, month = start.year + year, month + 1
    return datetime.date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def next_review(sop: Sop) -> datetime.date:
    last = parse_date(sop.maintenance.last_reviewed)
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
