"""The one problem type every check reports, and the rule each problem names."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from functools import cache


class Level(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class Rule:
    """A rule of the validator: a stable kebab-case id (what a writer's CI may match on) and
    what it checks, in one line (``sopkb rules``).

    Declared once, as a module-level constant of the module that checks it
    (``UNKNOWN_ROLE = Rule("unknown-role", "…")``), and passed to the problems it reports;
    :mod:`build_tools.rules.registry` collects the declarations.
    """

    id: str
    description: str


@dataclass(frozen=True, order=True)
class Problem:
    """A problem found in a source file, at a 1-based line and column, naming its rule
    (the id of a declared :class:`Rule`; any other is refused).

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
        if self.rule not in _declared():
            raise ValueError(f"rule {self.rule!r} is not declared (a Rule collected by "
                             f"build_tools/rules/registry.py)")

    def __str__(self) -> str:
        text = (f"{self.path}:{self.line}:{self.col}: [{self.level.value}] {self.message} "
                f"({self.rule})")
        if self.hint:
            text += f" — {self.hint}"
        return text

    @property
    def is_error(self) -> bool:
        return self.level is Level.ERROR


@cache
def _declared() -> Mapping[str, str]:
    # Imported on first use: the registry collects the rules of the modules that report
    # them, and those import this one.
    from build_tools.rules.registry import RULES

    return RULES
