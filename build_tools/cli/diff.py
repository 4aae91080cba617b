"""What changed in each SOP between two versions of the knowledge base, in a writer's terms.

Works on the raw data of the documents, so a change can be summarised even when one side
does not validate. Output is Markdown for a pull request's job summary.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

from build_tools.model.sop import Duration
from build_tools.rules.crossfile import identified
from build_tools.source.document import Document

Data = dict[str, Any]


def _by_id(documents: Iterable[Document]) -> dict[str, Data]:
    return {sop_id: doc.data for doc, sop_id in identified(documents)}


def _steps(data: Data) -> list[Data]:
    procedure = data.get("procedure")
    return [s for s in procedure if isinstance(s, dict) and isinstance(s.get("id"), str)] \
        if isinstance(procedure, list) else []


def _mapping(value: Any) -> Data:
    return value if isinstance(value, dict) else {}


def _levels(data: Data) -> list[Data]:
    escalation = data.get("escalation")
    levels = escalation.get("levels") if isinstance(escalation, dict) else None
    return [level for level in levels if isinstance(level, dict)] if isinstance(levels, list) \
        else []


class ChangeSummary:
    """Renders the differences with the labels of one language."""

    def __init__(self, labels: dict[str, Any], duration: Callable[[Duration | None], str]) -> None:
        self.t = labels["diff"]
        self.duration = duration

    def _time(self, text: Any) -> str:
        try:
            return self.duration(Duration.parse(text)) if isinstance(text, str) else "—"
        except ValueError:
            return str(text)

    def markdown(self, ref: str, before: Iterable[Document], after: Iterable[Document]) -> str:
        old, new = _by_id(before), _by_id(after)
        renamed = {alias: sop_id for sop_id, data in new.items()
                   for alias in (data.get("aliases") or []) if alias in old and alias not in new}
        sections = []
        for sop_id in sorted(set(old) | set(new)):
            if sop_id in renamed:
                continue
            if sop_id not in old:
                former = next((a for a, n in renamed.items() if n == sop_id), None)
                if former is None:
                    sections.append(self._section(new[sop_id], [self.t["added_sop"]]))
                    continue
                lines = [self.t["renamed"].format(old=former, new=sop_id),
                         *self.sop_changes(old[former], new[sop_id])]
                sections.append(self._section(new[sop_id], lines))
            elif sop_id not in new:
                sections.append(self._section(old[sop_id], [self.t["removed_sop"]]))
            else:
                lines = list(self.sop_changes(old[sop_id], new[sop_id]))
                if lines:
                    sections.append(self._section(new[sop_id], lines))
        body = "\n".join(sections) if sections else self.t["none"] + "\n"
        return f"## {self.t['title'].format(ref=ref)}\n\n{body}"

    def _section(self, data: Data, lines: list[str]) -> str:
        items = "".join(f"- {line}\n" for line in lines)
        return f"### {data.get('id')} — {data.get('title', '')}\n\n{items}"

    def sop_changes(self, old: Data, new: Data) -> Iterator[str]:
        yield from self._fields(old, new)
        yield from self._step_changes(_steps(old), _steps(new))
        yield from self._escalation_changes(_levels(old), _levels(new))

    def _fields(self, old: Data, new: Data) -> Iterator[str]:
        names = self.t["fields"]
        pairs = [(names[key], old.get(key), new.get(key))
                 for key in ("title", "owner", "status", "version")]
        old_m, new_m = _mapping(old.get("maintenance")), _mapping(new.get("maintenance"))
        pairs.append((names["review_cycle"], old_m.get("review_cycle"), new_m.get("review_cycle")))
        pairs.append((names["maintenance_owner"], old_m.get("owner"), new_m.get("owner")))
        for field, before, after in pairs:
            if before != after:
                yield self.t["field_changed"].format(field=field, old=before or "—",
                                                     new=after or "—")

    def _step_changes(self, old: list[Data], new: list[Data]) -> Iterator[str]:
        old_ids = [step["id"] for step in old]
        new_ids = [step["id"] for step in new]
        before = {step["id"]: step for step in old}
        for step in new:
            if step["id"] not in before:
                yield self.t["step_added"].format(id=step["id"], action=step.get("action", ""))
        after_ids = set(new_ids)
        for step in old:
            if step["id"] not in after_ids:
                yield self.t["step_removed"].format(id=step["id"], action=step.get("action", ""))
        kept_old = [i for i in old_ids if i in after_ids]
        kept_new = [i for i in new_ids if i in before]
        if kept_old != kept_new:
            yield self.t["steps_reordered"].format(old=", ".join(kept_old), new=", ".join(kept_new))
        for step in new:
            previous = before.get(step["id"])
            if previous is None:
                continue
            if previous.get("action") != step.get("action"):
                yield self.t["step_reworded"].format(id=step["id"], old=previous.get("action"),
                                                     new=step.get("action"))
            if previous.get("within") != step.get("within"):
                yield self.t["target_changed"].format(id=step["id"],
                                                      old=self._time(previous.get("within")),
                                                      new=self._time(step.get("within")))
            if previous.get("role") != step.get("role"):
                yield self.t["role_changed"].format(id=step["id"], old=previous.get("role"),
                                                    new=step.get("role"))
            if previous.get("template") != step.get("template"):
                yield self.t["template_changed"].format(id=step["id"])

    def _escalation_changes(self, old: list[Data], new: list[Data]) -> Iterator[str]:
        def show(level: Data) -> str:
            return f"{level.get('to', '—')} ({self._time(level.get('within'))})"

        for number in range(1, max(len(old), len(new)) + 1):
            before = old[number - 1] if number <= len(old) else None
            after = new[number - 1] if number <= len(new) else None
            if before is None and after is not None:
                yield self.t["escalation_added"].format(level=number, new=show(after))
            elif after is None and before is not None:
                yield self.t["escalation_removed"].format(level=number, old=show(before))
            elif before is not None and after is not None and show(before) != show(after):
                yield self.t["escalation_changed"].format(level=number, old=show(before),
                                                          new=show(after))
