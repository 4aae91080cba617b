"""Rules about the days versions take effect: ``effective-before-date`` and
``effective-order`` (and ``bad-date`` for an effective date that does not exist).

A ``history`` entry may carry ``effective: YYYY-MM-DD``, the day its version takes effect;
it may lie in the future (the previous version stays in force until then), unlike the
entry's ``date``, the day it was written. Without it, a version is in force from the day
its commit reached the main branch (:mod:`build_tools.model.versions`).
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator
from itertools import pairwise

from build_tools.problem import Problem, Rule
from build_tools.source.document import Document
from build_tools.source.nodes import lookup

#: Also reported for the other dates of an SOP (build_tools.rules.sop: last review, history).
BAD_DATE = Rule("bad-date", "a date that does not exist or lies in the future")
EFFECTIVE_BEFORE_DATE = Rule("effective-before-date",
                             "a history entry takes effect before the date it was written")
EFFECTIVE_ORDER = Rule("effective-order", "a newer version takes effect before an older one")

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _day(text: object) -> datetime.date | None:
    if not isinstance(text, str) or not _DATE.fullmatch(text):
        return None  # the schema reports the format
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        return None


def check_effective(doc: Document) -> Iterator[Problem]:
    """bad-date / effective-before-date / effective-order: an entry's ``effective`` is a real
    day, not before the entry's ``date`` (a version cannot apply before it was written), and
    going down the list (newest first) effective dates do not increase: a newer version never
    takes effect before an older one, which would then never be in force."""
    history = lookup(doc.data, ("history",))
    if not isinstance(history, list):
        return
    dated: list[tuple[int, dict[str, object], datetime.date]] = []
    for index, entry in enumerate(history):
        if not isinstance(entry, dict) or "effective" not in entry:
            continue
        effective = _day(entry["effective"])
        node_path = ("history", index, "effective")
        if effective is None:
            if isinstance(entry["effective"], str) and _DATE.fullmatch(entry["effective"]):
                yield doc.problem(node_path, BAD_DATE, f"history[{index + 1}].effective "
                                  f"{entry['effective']!r} is not a real date")
            continue
        written = _day(entry.get("date"))
        if written is not None and effective < written:
            yield doc.problem(node_path, EFFECTIVE_BEFORE_DATE,
                              f"history[{index + 1}].effective {effective} is before the "
                              f"entry's date {written}: a version takes effect once written")
        dated.append((index, entry, effective))
    for (_, newer, newer_day), (index, older, older_day) in pairwise(dated):
        if newer_day < older_day:
            yield doc.problem(("history", index, "effective"), EFFECTIVE_ORDER,
                              f"history[{index + 1}].effective {older_day} (version "
                              f"{older.get('version')}) is later than {newer_day}, when the "
                              f"newer version {newer.get('version')} takes effect: it would "
                              f"never be in force")
