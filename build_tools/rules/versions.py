"""A past version checked under today's rules, so that its page can be rendered, or say why
it cannot be in full.

An old text may not validate any more (a key since renamed, a rule since added); it is still
a version, with its history entries, dates and text, and never stops a build. Only the
checks on the file itself run (YAML, schema, rules): links to other SOPs are not checked,
since those SOPs have changed since.
"""

from __future__ import annotations

from dataclasses import dataclass

from build_tools.model.sop import Sop
from build_tools.model.versions import SopVersion
from build_tools.problem import Problem
from build_tools.rules.schema import schema_problems
from build_tools.rules.sop import rule_problems
from build_tools.source.document import Document


@dataclass(frozen=True)
class CheckedVersion:
    """A version with the SOP object its page renders (None when it cannot be built) and the
    problems today's rules find in its text."""

    version: SopVersion
    sop: Sop | None
    problems: tuple[Problem, ...] = ()
    reason: str | None = None

    @property
    def renderable(self) -> bool:
        return self.sop is not None


def check_version(version: SopVersion) -> CheckedVersion:
    """Check ``version``'s text under today's rules; never raises. ``reason`` says, in one
    line, why it has no :class:`Sop` (None when it has one)."""
    document = version.unplaced()
    if document is None:
        why = ("listed in history only: older than the repository, its text was never "
               "committed" if not version.committed else "no text")
        return CheckedVersion(version, None, (), why)
    problems = _problems(document)
    if problems and not document.positions:
        # Read whole only to place what it does not pass: most old texts pass, and
        # reading 4,000 of them again took seconds of a build.
        document = version.document() or document
        problems = _problems(document)
    errors = [problem for problem in problems if problem.is_error]
    if errors:
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        return CheckedVersion(version, None, tuple(problems),
                              f"does not validate under today's rules: {errors[0]}{more}")
    try:
        sop = Sop.from_data(document.data, document.path)
    except (KeyError, TypeError, ValueError, AttributeError) as error:  # pragma: no cover
        return CheckedVersion(version, None, tuple(problems), f"cannot be read as an SOP: "
                              f"{error!r}")
    return CheckedVersion(version, sop, tuple(problems))


def _problems(document: Document) -> list[Problem]:
    problems = list(document.problems)
    if document.data is not None:
        problems += [*schema_problems(document), *rule_problems(document)]
    return problems
