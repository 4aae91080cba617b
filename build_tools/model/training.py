"""Training paths as the pages see them: ordered SOPs and steps with a goal for each."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class TrainingItem:
    sop: str
    goal: str
    step: str | None = None


@dataclass(frozen=True)
class TrainingPath:
    id: str
    title: str
    goal: str
    items: tuple[TrainingItem, ...]
    audience: str | None = None
    #: The file it was read from, as shown in messages (its path from the project root).
    source: str = ""
