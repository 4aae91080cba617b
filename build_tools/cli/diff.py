"""What changed in each SOP between two versions of the knowledge base, in a writer's terms.

Works on the raw data of the documents, so a change can be summarised even when one side
does not validate. Output is Markdown for a pull request's job summary.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

from build_tools.model.changes import Change, sop_changes
from build_tools.model.sop import Duration
from build_tools.rules.crossfile import identified
from build_tools.source.document import Document

Data = dict[str, Any]


def _by_id(documents: Iterable[Document]) -> dict[str, Data]:
    return {sop_id: doc.data for doc, sop_id in identified(documents)}


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
        for change in sop_changes(old, new):
            yield self._line(change)

    def _line(self, change: Change) -> str:
        kind, subject = change.kind, change.subject
        label: str = self.t["field_changed" if kind == "field" else kind.replace("-", "_")]
        if kind == "field":
            return label.format(field=self.t["fields"][subject], old=change.old or "—",
                                new=change.new or "—")
        if kind == "steps-reordered":
            return label.format(old=", ".join(change.old), new=", ".join(change.new))
        if kind in ("step-added", "step-removed"):
            action = change.new if kind == "step-added" else change.old
            return label.format(id=subject, action=action)
        if kind == "target-changed":
            return label.format(id=subject, old=self._time(change.old),
                                new=self._time(change.new))
        if kind.startswith("escalation-"):
            return label.format(level=subject, old=self._level(change.old),
                                new=self._level(change.new))
        return label.format(id=subject, old=change.old, new=change.new)

    def _level(self, level: Data | None) -> str:
        if level is None:
            return ""
        return f"{level.get('to', '—')} ({self._time(level.get('within'))})"
