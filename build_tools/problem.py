"""The one problem type every check reports."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from build_tools.rules.registry import RULES


class Level(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, order=True)
class Problem:
    """A problem found in a source file, at a 1-based line and column, naming its rule
    (one of :data:`build_tools.rules.registry.RULES`; any other is refused).

    Sorting orders problems by file, then position, so reports read top to bottom.
    """

    path: str
    line: int
    col: int
    level: Level
    rule: str
    message: str
    hint: str = ""

    def __post_init__(self) -> None:
        if self.rule not in RULES:
            raise ValueError(f"rule {self.rule!r} is not declared in build_tools/rules/registry.py")

    def __str__(self) -> str:
        text = (f"{self.path}:{self.line}:{self.col}: [{self.level.value}] {self.message} "
                f"({self.rule})")
        if self.hint:
            text += f" — {self.hint}"
        return text

    @property
    def is_error(self) -> bool:
        return self.level is Level.ERROR
