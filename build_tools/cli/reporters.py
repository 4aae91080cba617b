"""Ways to print problems, chosen by name: ``text``, ``github`` and ``json``."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence

from build_tools.problem import Problem


def _text(problems: Sequence[Problem]) -> str:
    return "".join(f"{problem}\n" for problem in problems)


def _escape_github(text: str, *, in_property: bool = False) -> str:
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if in_property:
        text = text.replace(":", "%3A").replace(",", "%2C")
    return text


def _github(problems: Sequence[Problem]) -> str:
    lines = []
    for problem in problems:
        command = "error" if problem.is_error else "warning"
        message = problem.message + (f" — {problem.hint}" if problem.hint else "")
        properties = ",".join([
            f"file={_escape_github(problem.path, in_property=True)}",
            f"line={problem.line}", f"col={problem.col}",
            f"title={_escape_github(problem.rule, in_property=True)}",
        ])
        lines.append(f"::{command} {properties}::{_escape_github(message)}\n")
    return "".join(lines)


def _json(problems: Sequence[Problem]) -> str:
    return json.dumps([
        {"path": p.path, "line": p.line, "col": p.col, "level": p.level.value,
         "rule": p.rule, "message": p.message, "hint": p.hint}
        for p in problems
    ], ensure_ascii=False, indent=2) + "\n"


REPORTER_BY_NAME: dict[str, Callable[[Sequence[Problem]], str]] = {
    "text": _text,
    "github": _github,
    "json": _json,
}
