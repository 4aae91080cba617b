"""Rules about an SOP's review and revision history: ``overdue-review`` (a warning, measured
against a date), ``history-version`` and ``history-order``."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Iterator
from itertools import pairwise

from build_tools.model.grammar import DATE, version_number
from build_tools.model.review import review_statuses
from build_tools.model.sop import Sop
from build_tools.problem import Level, Problem, Rule
from build_tools.source.document import Document
from build_tools.source.nodes import lookup

HISTORY_VERSION = Rule("history-version", "the newest history entry is not the current version")
HISTORY_ORDER = Rule("history-order", "history is not newest first, or versions do not increase")
OVERDUE_REVIEW = Rule("overdue-review", "the SOP is past its next review date (a warning)")


def overdue_problems(documents: Iterable[Document], sops: Iterable[Sop],
                     today: datetime.date) -> Iterator[Problem]:
    """overdue-review (a warning): the SOP is past its next review date."""
    by_path = {doc.path: doc for doc in documents}
    for status in review_statuses(sops, today):
        doc = by_path.get(status.sop.source)
        if status.state != "overdue" or doc is None:
            continue
        line, col = doc.position(("maintenance", "last_reviewed"))
        yield Problem(doc.path, line, col, Level.WARNING, OVERDUE_REVIEW.id,
                      f"component 6 (review and maintenance of the SOP): review was due on "
                      f"{status.next_review.isoformat()} ({-status.days_left} days ago); "
                      f"owner: {status.sop.maintenance.owner}")


def check_history(doc: Document) -> Iterator[Problem]:
    """history-version / history-order: the first ``history`` entry is the current
    ``version``; going down the list, versions decrease and dates do not increase."""
    history = lookup(doc.data, ("history",))
    version = lookup(doc.data, ("version",))
    if not isinstance(history, list) or not history:
        return
    entries = [(index, entry) for index, entry in enumerate(history) if isinstance(entry, dict)
               and isinstance(entry.get("version"), str) and isinstance(entry.get("date"), str)
               and version_number(entry["version"]) is not None
               and DATE.match(entry["date"])]
    if not entries:
        return
    first_index, first = entries[0]
    if isinstance(version, str) and first_index == 0 and first["version"] != version:
        yield doc.problem(("history", 0, "version"), HISTORY_VERSION,
                          f"history[1].version {first['version']!r} is not the current version "
                          f"{version!r}; add an entry for {version!r} at the top of history")
    for (_, newer), (index, older) in pairwise(entries):
        if (version_number(older["version"]) or ()) >= (version_number(newer["version"]) or ()):
            yield doc.problem(("history", index, "version"), HISTORY_ORDER,
                              f"history[{index + 1}].version {older['version']!r} is not older "
                              f"than {newer['version']!r} above it (newest first; versions "
                              f"only increase)")
        elif older["date"] > newer["date"]:
            yield doc.problem(("history", index, "date"), HISTORY_ORDER,
                              f"history[{index + 1}].date {older['date']} is later than "
                              f"{newer['date']} above it (newest first)")
