"""The search synonyms file (default ``search/synonyms.yaml``): groups of interchangeable words."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from build_tools.model.words import normalise
from build_tools.problem import Problem, Rule
from build_tools.rules.schema import load_checked
from build_tools.source.document import Document

SCHEMA = "synonyms.schema.json"

DUPLICATE_SYNONYM = Rule("duplicate-synonym", "a word or phrase in two synonym groups")


def load_synonyms(path: Path, display: str,
                  root: Path | None = None) -> tuple[list[list[str]], list[Problem]]:
    """The synonym groups in ``path`` and the problems found in it."""
    doc, problems = load_checked(path, display, SCHEMA, root)
    if any(problem.is_error for problem in problems):
        return [], problems
    problems.extend(_repeated_phrases(doc))
    return [[str(phrase) for phrase in group] for group in doc.data["groups"]], problems


def _repeated_phrases(doc: Document) -> Iterator[Problem]:
    """duplicate-synonym: a word or phrase (in any word form) belongs to one group only."""
    first: dict[str, int] = {}
    for index, group in enumerate(doc.data["groups"]):
        for position, phrase in enumerate(group):
            key = normalise(phrase)
            if key in first and first[key] != index:
                yield doc.problem(("groups", index, position), DUPLICATE_SYNONYM,
                                  f"{phrase!r} is already in group {first[key] + 1}; a word "
                                  f"belongs to one group")
            first.setdefault(key, index)
