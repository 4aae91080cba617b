"""Rules about the days versions take effect: ``effective-before-date`` and
``effective-order`` (and ``bad-date`` for an effective date that does not exist); and
``history-rewritten``: the record of a version already in force changed after the fact
(read from git: :func:`rewrite_problems`).

A ``history`` entry may carry ``effective: YYYY-MM-DD``, the day its version takes effect;
it may lie in the future (the previous version stays in force until then), unlike the
entry's ``date``, the day it was written. Without it, a version is in force from the day
its commit reached the main branch (:mod:`build_tools.model.versions`).
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable, Iterator, Mapping
from itertools import pairwise
from pathlib import Path
from typing import TYPE_CHECKING

from build_tools.problem import Level, Problem, Rule
from build_tools.source.document import Document, load_document
from build_tools.source.nodes import lookup

if TYPE_CHECKING:
    from build_tools.model.versions import Rewrite, SopTimeline
    from build_tools.source.history import History

#: Also reported for the other dates of an SOP (build_tools.rules.sop: last review, history).
BAD_DATE = Rule("bad-date", "a date that does not exist or lies in the future")
EFFECTIVE_BEFORE_DATE = Rule("effective-before-date",
                             "a history entry takes effect before the date it was written")
EFFECTIVE_ORDER = Rule("effective-order", "a newer version takes effect before an older one")
HISTORY_REWRITTEN = Rule("history-rewritten",
                         "a history entry rewrites the record of a version already in force")
SHALLOW_HISTORY = Rule("shallow-history",
                       "git's history is cut short (a shallow clone): the days versions were "
                       "in force would be wrong (a warning)")

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


def rewrite_problems(timelines: Mapping[str, SopTimeline],
                     documents: Iterable[Document]) -> Iterator[Problem]:
    """history-rewritten: each edit of the record a timeline did not follow
    (:class:`~build_tools.model.versions.Rewrite`) that the SOP's file still holds, at the
    entry it is in. Restoring the entry ends it: what an earlier commit rewrote and a later
    one restored was never followed, and is not reported."""
    current = {doc.data["id"]: doc for doc in documents
               if isinstance(doc.data, dict) and isinstance(doc.data.get("id"), str)}
    for sop_id, timeline in sorted(timelines.items()):
        doc = current.get(sop_id)
        history = lookup(doc.data, ("history",)) if doc is not None else None
        if doc is None or not isinstance(history, list):
            continue
        found = []
        for rewrite in dict.fromkeys(timeline.rewrites):
            index = next((i for i, entry in enumerate(history) if isinstance(entry, dict)
                          and entry.get("version") == rewrite.version), None)
            if index is None:
                continue
            said = history[index].get(rewrite.field, "") if rewrite.field != "entry" \
                else rewrite.version
            if said != rewrite.given:
                continue  # restored since
            field = rewrite.field if rewrite.field in history[index] else "version"
            found.append(doc.problem(("history", index, field), HISTORY_REWRITTEN,
                                     _said(rewrite), hint=_HINTS[rewrite.field]))
        yield from sorted(found)


def shallow_problems(history: History, display: str) -> list[Problem]:
    """shallow-history, a warning (a strict build fails on it): versions read from a clone
    cut short start on the day of its oldest commit, and those before are missing, where
    no repository at all would only show the current files."""
    if not history.shallow:
        return []
    return [Problem(display, 1, 1, Level.WARNING, SHALLOW_HISTORY.id,
                    f"a shallow clone: history before "
                    f"{history.changes[0].main.date.date() if history.changes else 'it'} is "
                    f"missing, so the days versions were in force would be wrong",
                    "fetch the whole history: git fetch --unshallow (actions/checkout: "
                    "fetch-depth: 0)")]


def rewritten_files(timelines: Mapping[str, SopTimeline], sources: Mapping[str, str],
                    root: Path) -> list[Document]:
    """The files of the SOPs whose record some text rewrote, read again for
    :func:`rewrite_problems` where the catalog kept no documents (a build). ``sources``: each
    SOP's file, by id, from ``root``."""
    return [load_document(root / sources[sop_id], sources[sop_id], root)
            for sop_id, timeline in sorted(timelines.items())
            if timeline.rewrites and sop_id in sources]


_HINTS = {
    "effective": "put the entry back as it was merged; a change takes effect as a new version",
    "date": "put the entry's date back; a correction of the text goes in a new version",
    "entry": "remove the entry; versions before the repository are those its first text listed",
}


def _said(rewrite: Rewrite) -> str:
    if rewrite.field == "effective":
        moved = f"effective {rewrite.given}" if rewrite.given else "no effective day"
        return (f"version {rewrite.version} took effect on {rewrite.kept}; its entry, changed "
                f"on {rewrite.day}, says {moved}: that would change which version applied "
                f"on past days, so the site keeps {rewrite.kept}")
    if rewrite.field == "date":
        return (f"version {rewrite.version}'s entry was dated {rewrite.kept}; changed on "
                f"{rewrite.day} to {rewrite.given}, it keeps its first date")
    return (f"version {rewrite.version}, older than the SOP's first committed version, was "
            f"added to its history on {rewrite.day}, after the SOP reached main: not shown")
