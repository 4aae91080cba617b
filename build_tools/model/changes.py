"""What changed between two versions of one SOP, in a writer's terms: fields, steps added,
removed, reordered or reworded, target times, roles, reply templates, a step's other keys,
escalation levels, and any other part of the SOP that changed (named, not detailed).

Works on the raw data of the two documents, so a change can be described even when one
side does not validate (an old version under today's schema). Each :class:`Change` carries
the values as written; wording them is the reader's concern (``sopkb diff`` in
:mod:`build_tools.cli.diff`, a version page's template).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from build_tools.model.grammar import version_number
from build_tools.model.sop import Duration

if TYPE_CHECKING:
    from build_tools.source.document import Document

Data = dict[str, Any]

#: The kinds of :class:`Change`, in the order :func:`sop_changes` reports them.
KINDS = ("field", "step-added", "step-removed", "steps-reordered", "step-reworded",
         "target-changed", "role-changed", "template-changed", "step-changed",
         "escalation-added", "escalation-removed", "escalation-changed", "section-changed")

#: The kinds of :func:`history_changes` (``sopkb diff`` only: a version's page says what
#: its text changed, not how its record was edited).
HISTORY_KINDS = ("history-changed", "history-added", "history-removed")
#: The fields of a ``history`` entry, as written.
ENTRY_FIELDS = ("date", "effective", "author", "summary")

#: The fields compared, by the name a label file gives them: ``(name, key path)``.
FIELDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("title", ("title",)), ("owner", ("owner",)), ("status", ("status",)),
    ("version", ("version",)), ("review_cycle", ("maintenance", "review_cycle")),
    ("maintenance_owner", ("maintenance", "owner")))


#: A step's keys each worded on their own; any other key that changed is named by
#: ``step-changed`` (details, channel, former ids…).
STEP_KEYS = ("id", "action", "within", "role", "template")
#: What the other kinds already say of the top level; any other part that changed is named
#: by ``section-changed`` (purpose, scope, duties, quality standards, feedback, the
#: escalation's triggers, aliases, related SOPs…), so that no edit goes unsaid.
SAID = {"id": (), "history": (), "procedure": (), "title": (), "owner": (), "status": (),
        "version": (), "maintenance": ("review_cycle", "owner"), "escalation": ("levels",)}
_KEY = re.compile(r"[a-z][a-z0-9_]*")


@dataclass(frozen=True)
class Change:
    """One change. ``subject``: the field's name (``field``), the step id (step kinds) or the
    escalation level's number from 1 (escalation kinds); empty for ``steps-reordered``.
    ``old`` and ``new`` are the values as written (a step's action for ``step-added`` and
    ``step-removed``, the step ids in order for ``steps-reordered``, the level's mapping for
    the escalation kinds, a target time such as ``1h``); None where a side has none."""

    kind: str
    subject: str = ""
    old: Any = None
    new: Any = None


def sop_changes(old: Document | Data | None, new: Document | Data | None) -> list[Change]:
    """Every change from ``old`` to ``new`` (two documents, or their data), in the order a
    writer reads them: fields, then steps, then escalation levels."""
    before, after = _data(old), _data(new)
    return [*_fields(before, after), *_step_changes(steps(before), steps(after)),
            *_escalation_changes(levels(before), levels(after)),
            *_section_changes(before, after)]


def _rest(found: list[Data]) -> list[Data]:
    """Escalation levels without what ``escalation-changed`` words (``to``, ``within``):
    their ``when``, say, which it does not."""
    return [{k: v for k, v in level.items() if k not in ("to", "within")} for level in found]


def _section_changes(old: Data, new: Data) -> list[Change]:
    """``section-changed`` for each top-level part that changed beyond what the other kinds
    say (subject: its key; a key that is no plain name is named ``other``)."""
    changed = []
    for key in dict.fromkeys([*old, *new]):
        said = SAID.get(key)
        if said == ():
            continue
        before, after = old.get(key), new.get(key)
        if said is not None:
            before = {k: v for k, v in _mapping(before).items() if k not in said}
            after = {k: v for k, v in _mapping(after).items() if k not in said}
        if key == "escalation" and len(levels(old)) == len(levels(new)):
            before, after = (before, _rest(levels(old))), (after, _rest(levels(new)))
        if before != after:
            changed.append(key if isinstance(key, str) and _KEY.fullmatch(key) else "other")
    return [Change("section-changed", key) for key in dict.fromkeys(changed)]


def history_changes(old: Document | Data | None, new: Document | Data | None) -> list[Change]:
    """Edits of the record: each field of an entry both sides list that changed
    (``history-changed``, subject the version, old and new ``"field value"``), an entry
    dropped (``history-removed``), and an entry added for a version no newer than the old
    side's own (``history-added``: a new version's entry is no edit)."""
    before, after = _entries(_data(old)), _entries(_data(new))
    changes = []
    for version, entry in after.items():
        earlier = before.get(version)
        if earlier is None:
            if _older(version, _data(old).get("version")):
                changes.append(Change("history-added", version, None, entry.get("summary")))
            continue
        changes += [Change("history-changed", version, f"{key} {earlier.get(key, '—')}",
                           f"{key} {entry.get(key, '—')}")
                    for key in ENTRY_FIELDS if str(earlier.get(key)) != str(entry.get(key))]
    changes += [Change("history-removed", version, entry.get("summary"), None)
                for version, entry in before.items() if version not in after]
    return changes


def _entries(data: Data) -> dict[str, Data]:
    history = data.get("history")
    return {str(entry["version"]): entry for entry in history
            if isinstance(entry, dict) and "version" in entry} \
        if isinstance(history, list) else {}


def _older(version: str, than: Any) -> bool:
    """Whether ``version`` is no newer than ``than`` (numbers compared part by part)."""
    mine, theirs = version_number(version), version_number(than)
    return mine is not None and theirs is not None and mine <= theirs


def _data(value: Document | Data | None) -> Data:
    data = value if isinstance(value, dict) or value is None else value.data
    return data if isinstance(data, dict) else {}


def steps(data: Data) -> list[Data]:
    """The steps of ``data`` that have an id (the others cannot be followed across versions)."""
    procedure = data.get("procedure")
    return [s for s in procedure if isinstance(s, dict) and isinstance(s.get("id"), str)] \
        if isinstance(procedure, list) else []


def _mapping(value: Any) -> Data:
    return value if isinstance(value, dict) else {}


def levels(data: Data) -> list[Data]:
    """The escalation levels of ``data`` that are mappings."""
    escalation = data.get("escalation")
    found = escalation.get("levels") if isinstance(escalation, dict) else None
    return [level for level in found if isinstance(level, dict)] if isinstance(found, list) \
        else []


def _field(data: Data, key_path: tuple[str, ...]) -> Any:
    if len(key_path) == 1:
        return data.get(key_path[0])
    return _mapping(data.get(key_path[0])).get(key_path[1])


def _fields(old: Data, new: Data) -> list[Change]:
    return [Change("field", name, _field(old, key_path), _field(new, key_path))
            for name, key_path in FIELDS if _field(old, key_path) != _field(new, key_path)]


def _step_changes(old: list[Data], new: list[Data]) -> list[Change]:
    changes: list[Change] = []
    before = {step["id"]: step for step in old}
    after_ids = {step["id"] for step in new}
    changes += [Change("step-added", step["id"], None, step.get("action", ""))
                for step in new if step["id"] not in before]
    changes += [Change("step-removed", step["id"], step.get("action", ""), None)
                for step in old if step["id"] not in after_ids]
    kept_old = [step["id"] for step in old if step["id"] in after_ids]
    kept_new = [step["id"] for step in new if step["id"] in before]
    if kept_old != kept_new:
        changes.append(Change("steps-reordered", "", tuple(kept_old), tuple(kept_new)))
    for step in new:
        previous = before.get(step["id"])
        if previous is None:
            continue
        for kind, key in (("step-reworded", "action"), ("target-changed", "within"),
                          ("role-changed", "role"), ("template-changed", "template")):
            if previous.get(key) != step.get(key):
                changes.append(Change(kind, step["id"], previous.get(key), step.get(key)))
        others = [key if isinstance(key, str) and _KEY.fullmatch(key) else "other"
                  for key in dict.fromkeys([*previous, *step])
                  if key not in STEP_KEYS and previous.get(key) != step.get(key)]
        if others:
            changes.append(Change("step-changed", step["id"], None, ", ".join(others)))
    return changes


def _level_key(level: Data) -> tuple[str, Any]:
    """What a level shows a reader: its ``to`` and its target time (``01h`` reads as ``1h``)."""
    within = level.get("within")
    if isinstance(within, str):
        try:
            within = str(Duration.parse(within))
        except ValueError:
            pass
    else:
        within = None
    return str(level.get("to", "—")), within


def _escalation_changes(old: list[Data], new: list[Data]) -> list[Change]:
    changes = []
    for number in range(1, max(len(old), len(new)) + 1):
        before = old[number - 1] if number <= len(old) else None
        after = new[number - 1] if number <= len(new) else None
        if before is None and after is not None:
            changes.append(Change("escalation-added", str(number), None, after))
        elif after is None and before is not None:
            changes.append(Change("escalation-removed", str(number), before, None))
        elif before is not None and after is not None and \
                _level_key(before) != _level_key(after):
            changes.append(Change("escalation-changed", str(number), before, after))
    return changes
