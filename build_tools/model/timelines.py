"""Each SOP's versions and periods in force, built from the history git holds
(:class:`~build_tools.source.history.History`) and the current files.

An SOP is followed by the ``id`` inside its file, so a renamed or moved file keeps its
versions; a text whose id cannot be read (it does not parse) belongs to the SOP its path
held before. A move that changes nothing is no new text. The entries of ``history`` are
taken from the SOP's last committed text (they may have been corrected since the version
was written), falling back to the version's own text; but the record's days are not
rewritten after the fact (:func:`_as_recorded`): a version takes effect on the day its
entry gave when it reached main, moved later only while neither day had come; an entry
keeps its first date; the versions older than the repository are those the SOP's first
committed text lists. An edit not followed is a :class:`Rewrite` of the timeline. Without
git history, the current files give each SOP's current version and the older ones its
``history`` lists, each in force from its entry's ``effective`` day or date.
"""

from __future__ import annotations

import datetime
import functools
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from build_tools.model.grammar import version_number
from build_tools.model.sop import Revision
from build_tools.model.versions import Period, Rewrite, Snapshot, SopTimeline, SopVersion
from build_tools.source.history import SourceText

if TYPE_CHECKING:
    from build_tools.source.document import Document
    from build_tools.source.history import FileChange, History

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def timelines(history: History, current: Iterable[Document] = (),
              zone: datetime.tzinfo | None = None, today: datetime.date | None = None,
              ) -> dict[str, SopTimeline]:
    """Every SOP's timeline, by id. ``current``: the files as they are now (a working tree);
    with history, a version found only there is added as ``pending``; without history, they
    are all there is. ``zone``: the time zone whose calendar day a commit's moment falls on
    (default: the committer's own UTC offset); ``today``: the working tree's day, for its
    edits of the record (default: today in ``zone``)."""
    return _timelines(history, current, zone,
                      today or datetime.datetime.now(zone).date())


def _timelines(history: History, current: Iterable[Document],
               zone: datetime.tzinfo | None, today: datetime.date) -> dict[str, SopTimeline]:
    events = _events(history.changes, zone)
    now = {doc.data["id"]: doc for doc in current
           if isinstance(doc.data, dict) and isinstance(doc.data.get("id"), str)}
    found = {}
    for sop_id in sorted(set(events) | set(now)):
        versions, removals = _versions(sop_id, events.get(sop_id, []))
        if not history.available:
            versions = [_current(sop_id, now[sop_id])]
        elif sop_id in now and _is_new(versions, now[sop_id]):
            versions.append(replace(_current(sop_id, now[sop_id]), pending=True))
        older, versions = _with_history(versions, _entries(versions, now.get(sop_id)))
        if history.available and _renamed(versions, now.get(sop_id), events):
            older = []  # its earlier versions are its former id's, in force as that id
        rewrites: list[Rewrite] = []
        if history.available:
            texts = [(s.reached_main, s.text) for v in versions for s in v.snapshots]
            texts += [(today, SourceText.of(now[sop_id]))] if sop_id in now else []
            listed = [(day, {entry.version: entry for entry in _revisions(text)})
                      for day, text in texts]  # each text's entries, read once
            older, versions = _as_recorded(older, versions, listed, rewrites)
        sequence: list[SopVersion | datetime.date] = list(older)
        for position, version in enumerate(versions):
            sequence.extend(day for before, day in removals if before == position)
            sequence.append(version)
        sequence.extend(day for before, day in removals if before == len(versions))
        found[sop_id] = SopTimeline(sop_id, (*older, *versions), _periods(sequence),
                                    tuple(rewrites))
    return found


def _renamed(versions: list[SopVersion], current: Document | None,
             events: dict[str, list[Any]]) -> bool:
    """Whether it took over from a former id: one its texts list under ``aliases`` whose
    last file left main on the day its own first text reached main (a rename). An alias
    naming any other SOP, one removed long before, takes nothing over."""
    first = versions[0].reached_main if versions else None
    if first is None:
        return False
    for alias in _former_ids(versions, current):
        found = events.get(alias)
        if found and isinstance(found[-1], datetime.date) and found[-1] == first:
            return True
    return False


def _former_ids(versions: list[SopVersion], current: Document | None) -> set[str]:
    """The ids its texts list under ``aliases`` (an SOP renamed keeps its former id there)."""
    datas = [s.text.data for v in versions for s in v.snapshots]
    datas += [current.data] if current is not None else []
    return {alias for data in datas if isinstance(data, dict)
            and isinstance(aliases := data.get("aliases"), list)
            for alias in aliases if isinstance(alias, str)}


def _id(text: SourceText | None) -> str | None:
    data = text.data if text is not None else None
    sop_id = data.get("id") if isinstance(data, dict) else None
    return sop_id if isinstance(sop_id, str) else None


def _events(changes: Iterable[FileChange], zone: datetime.tzinfo | None) -> dict[str, list[Any]]:
    """Per SOP id, in main-line order: each new text (a :class:`Snapshot`) and each day its
    last file left main (a ``date``), the files of one main-line commit taken together (a
    move is a removal and an addition in one commit)."""
    live = _Live()
    group: list[FileChange] = []
    for change in [*changes, None]:
        if group and (change is None or change.main.sha != group[0].main.sha):
            left = {sop_id for item in group if (sop_id := live.apply(item, zone)) is not None}
            day = _day(group[0].main.date, zone)
            for sop_id in sorted(left):
                if not live.paths.get(sop_id):
                    live.events[sop_id].append(day)
            group = []
        if change is not None:
            group.append(change)
    return live.events


class _Live:
    """Which SOP each path holds as the main line goes, and what happened to each SOP."""

    def __init__(self) -> None:
        self.by_path: dict[str, str] = {}
        self.paths: dict[str, set[str]] = {}
        self.last_blob: dict[str, str] = {}
        self.events: dict[str, list[Any]] = {}

    def apply(self, change: FileChange, zone: datetime.tzinfo | None) -> str | None:
        """Take ``change`` in; the SOP whose file it removed, if any."""
        before = self.by_path.pop(change.path, None)
        if before is not None:
            self.paths[before].discard(change.path)
        if change.blob is None or change.text is None:
            return before
        sop_id = _id(change.text) or before
        if sop_id is None:
            return None  # neither this text nor an earlier one at this path says its SOP
        self.by_path[change.path] = sop_id
        self.paths.setdefault(sop_id, set()).add(change.path)
        events = self.events.setdefault(sop_id, [])
        if self.last_blob.get(sop_id) != change.blob or not events or \
                not isinstance(events[-1], Snapshot):  # else moved or renamed, not changed
            self.last_blob[sop_id] = change.blob
            events.append(Snapshot(change.path, change.commit, change.main.sha,
                                   _day(change.main.date, zone), change.text))
        return before if before != sop_id else None


def _day(moment: datetime.datetime, zone: datetime.tzinfo | None) -> datetime.date:
    return (moment.astimezone(zone) if zone is not None else moment).date()


def _version_of(text: SourceText | None) -> str | None:
    data = text.data if text is not None else None
    version = data.get("version") if isinstance(data, dict) else None
    return version if isinstance(version, str) else None


def _versions(sop_id: str, events: list[Any]
              ) -> tuple[list[SopVersion], list[tuple[int, datetime.date]]]:
    """Consecutive texts of the same ``version`` make one version (a text that does not say
    its version continues the one before); a removal ends the run. Each removal comes with
    the number of versions before it."""
    runs: list[list[Snapshot]] = []
    removals: list[tuple[int, datetime.date]] = []
    broken = True
    for event in events:
        if not isinstance(event, Snapshot):
            removals.append((len(runs), event))
            broken = True
            continue
        number = _version_of(event.text)
        if broken or runs == [] or (number is not None and number != _run_version(runs[-1])):
            runs.append([event])
        else:
            runs[-1].append(event)
        broken = False
    versions, seen = [], Counter[str]()
    for run in runs:
        number = _run_version(run) or ""
        seen[number] += 1
        versions.append(SopVersion(sop_id, number, _readable(run), tuple(run), run=seen[number]))
    return versions, removals


def _run_version(run: list[Snapshot]) -> str | None:
    return next((v for s in run if (v := _version_of(s.text)) is not None), None)


def _readable(run: list[Snapshot]) -> SourceText:
    """The last text of a run that parsed, or its last text when none did."""
    return next((s.text for s in reversed(run) if isinstance(s.text.data, dict)),
                run[-1].text)


def _current(sop_id: str, document: Document) -> SopVersion:
    text = SourceText.of(document)
    return SopVersion(sop_id, _version_of(text) or "", text, committed=False)


def _is_new(versions: list[SopVersion], document: Document) -> bool:
    number = _version_of(SourceText.of(document))
    return not versions or (number is not None and number != versions[-1].version)


def _entries(versions: list[SopVersion], now: Document | None) -> list[Revision]:
    """The history entries, newest first, from the last committed text that has any."""
    sources = [v.text for v in reversed(versions) if v.committed]
    sources += [SourceText.of(now)] if now is not None else []
    for text in sources:
        found = _revisions(text)
        if found:
            return found
    return []


def _revisions(text: SourceText | None) -> list[Revision]:
    """The ``history`` entries of a text that name a version, newest first (a value of the
    wrong kind read as empty: an old text may not validate today)."""
    data = text.data if text is not None else None
    entries = data.get("history") if isinstance(data, dict) else None
    return [_revision(entry) for entry in (entries if isinstance(entries, list) else [])
            if isinstance(entry, dict) and isinstance(entry.get("version"), str)]


def _revision(entry: dict[str, Any]) -> Revision:
    text = {key: value if isinstance(value := entry.get(key), str) else ""
            for key in ("version", "date", "author", "summary")}
    effective = entry.get("effective")
    return Revision(text["version"], text["date"], text["author"], text["summary"],
                    effective if isinstance(effective, str) else None)


@functools.cache
def _number(version: str) -> tuple[int, ...] | None:
    return version_number(version)


def _date(text: str | None) -> datetime.date | None:
    if text and _DATE.fullmatch(text):
        try:
            return datetime.date.fromisoformat(text)
        except ValueError:
            return None
    return None


def _with_history(versions: list[SopVersion], entries: list[Revision]
                  ) -> tuple[list[SopVersion], list[SopVersion]]:
    """The entries older than the first version, as versions of their own
    (``committed=False``, oldest first); and each version with the entries it brought (its
    own and any between the previous version and it), its effective day and date."""
    first = _number(versions[0].version) if versions else None
    older = [SopVersion(versions[0].sop_id, entry.version, revisions=(entry,),
                        effective=_date(entry.effective), written=_date(entry.date),
                        committed=False)
             for entry in reversed(entries)
             if first is not None and (n := _number(entry.version)) is not None and n < first]
    result: list[SopVersion] = []
    previous: tuple[int, ...] | None = None
    for version in versions:
        number = _number(version.version)
        listed = entries if any(e.version == version.version for e in entries) \
            else _revisions(version.text)
        brought = tuple(entry for entry in listed if entry.version == version.version or (
            number is not None and previous is not None and (n := _number(entry.version))
            is not None and previous < n < number))
        own = next((entry for entry in brought if entry.version == version.version), None)
        result.append(replace(version, revisions=brought,
                              effective=_date(own.effective) if own else None,
                              written=_date(own.date) if own else None))
        previous = number if number is not None else previous
    return older, result


#: Each text of an SOP, in main-line order: the day it reached main, its entries by version.
Texts = list[tuple[datetime.date, dict[str, Revision]]]


def _as_recorded(older: list[SopVersion], versions: list[SopVersion], texts: Texts,
                 rewrites: list[Rewrite]) -> tuple[list[SopVersion], list[SopVersion]]:
    """``older`` and ``versions`` with the days of the record as first written, whatever a
    later text of ``texts`` (each with the day it reached main, in main-line order) says
    of them; each edit not followed added to ``rewrites``. A version's ``effective`` day is
    its first text's; a later text moves it only if, on that text's day, the version was
    not in force yet and the new day has not passed (a later day of a version not yet in
    force is a plan changed; any other move rewrites which version applied)."""
    first = texts[0][1] if texts else {}
    kept = []
    for version in older:
        entry = first.get(version.version)
        if entry is None:
            rewrites.append(Rewrite(version.version, "entry", "", version.version,
                                    _first_day_listing(texts, version.version)))
            continue
        kept.append(replace(version, effective=_date(entry.effective),
                            written=_date(entry.date)))
        _dates_kept(version.version, entry.date, texts, rewrites)
    result = []
    position = 0
    for version in versions:
        start, position = position, position + len(version.snapshots)
        later = texts[start + 1:]
        merged = version.reached_main
        if merged is None:
            result.append(version)
            continue
        own = texts[start][1].get(version.version)  # as merged
        effective = _date(own.effective) if own else None
        written = _date(own.date) if own else None
        refused: str | None = None
        for day, entries in later:
            entry = entries.get(version.version)
            if entry is None:
                continue
            if written is None:  # an entry written after its version reached main
                written = _date(entry.date)
            new = _date(entry.effective)
            before = max(effective or merged, merged)
            after = max(new or merged, merged)
            if before == after or (before > day and after >= day):
                effective = new
            elif (entry.effective or "") != refused:  # once, not again by each later text
                refused = entry.effective or ""
                rewrites.append(Rewrite(version.version, "effective", before.isoformat(),
                                        refused, day))
        if written is not None:
            _dates_kept(version.version, written.isoformat(), later, rewrites)
        result.append(replace(version, effective=effective, written=written))
    return kept, result


def _first_day_listing(texts: Texts, version: str) -> datetime.date:
    return next((day for day, entries in texts if version in entries), texts[-1][0])


def _dates_kept(version: str, date: str, texts: Texts, rewrites: list[Rewrite]) -> None:
    """A rewrite for the first text of ``texts`` giving ``version``'s entry another date."""
    for day, entries in texts:
        entry = entries.get(version)
        if entry is not None and date and entry.date and entry.date != date:
            rewrites.append(Rewrite(version, "date", date, entry.date, day))
            return


def _periods(sequence: list[SopVersion | datetime.date]) -> tuple[Period, ...]:
    """The periods, in main-line order: each version from its start, each removal from its
    day, until the earliest start of anything later (a later version taking effect earlier
    ends it sooner); empty periods left out, pending versions never in force."""
    starts = [(item, item.start) if isinstance(item, SopVersion) else (None, item)
              for item in sequence]
    periods = []
    for index, (version, start) in enumerate(starts):
        if start is None:
            continue
        later = [day for _, day in starts[index + 1:] if day is not None]
        until = min(later) if later else None
        if until is None or start < until:
            periods.append(Period(version, start, until))
    return tuple(periods)
