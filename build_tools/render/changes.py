"""The changes between two versions of an SOP (:mod:`build_tools.model.changes`) in a
writer's words, with the labels of one language: a line each, for ``sopkb diff`` and for a
version's page."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from build_tools.model.changes import Change, history_changes, sop_changes
from build_tools.model.sop import Duration

Data = dict[str, Any]


class ChangeWords:
    """Words each :class:`Change` with the labels of one language (``labels["diff"]``)."""

    def __init__(self, labels: dict[str, Any], duration: Callable[[Duration | None], str]) -> None:
        self.t = labels["diff"]
        self.duration = duration

    def _time(self, text: Any) -> str:
        try:
            return self.duration(Duration.parse(text)) if isinstance(text, str) else "—"
        except ValueError:
            return str(text)

    def sop_changes(self, old: Data | None, new: Data | None) -> Iterator[str]:
        """A line per change from ``old`` to ``new`` (an SOP's data each)."""
        for change in sop_changes(old, new):
            yield self._line(change)

    def history_changes(self, old: Data | None, new: Data | None) -> Iterator[str]:
        """A line per edit of ``history``'s entries from ``old`` to ``new``."""
        for change in history_changes(old, new):
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
