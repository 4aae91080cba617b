"""Checks on one SOP that a schema cannot express.

Each check is a generator of :class:`Problem`; its docstring documents the rule. Checks
read the data defensively: a part of the wrong shape has already been reported by the
schema and is skipped here, so every problem of a file is still reported in one run.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Iterator
from pathlib import PurePosixPath
from typing import Any

from build_tools.model.grammar import DATE, parse_date
from build_tools.model.sop import SECTION_ANCHORS
from build_tools.problem import Problem, Rule
from build_tools.rules.components import component_of
from build_tools.rules.effective import BAD_DATE, check_effective
from build_tools.rules.review import check_history
from build_tools.source.document import Document, NodePath
from build_tools.source.nodes import describe, lookup, step_anchors

#: What one SOP is checked for beyond its schema (``sopkb rules``).
PLACEHOLDER = Rule("placeholder", "TODO, TBD, '...' or '[isi di sini]' instead of content")
TOO_SHORT = Rule("too-short", "a free-text field of fewer than three words")
DUPLICATE_STEP_ID = Rule("duplicate-step-id", "two steps (or former step ids) with the same id")
RESERVED_STEP_ID = Rule("reserved-step-id", "a step id that is a section anchor of the page")
UNKNOWN_ROLE = Rule("unknown-role", "a step's role is not declared in duties")
DUPLICATE_ROLE = Rule("duplicate-role", "a role declared twice in duties")
NO_TARGET_TIME = Rule("no-target-time", "no step has a target time")
FILE_NAME = Rule("file-name", "the file is not named after the SOP's id")
PRACTICE_ANSWER = Rule("practice-answer",
                       "a hand-written practice question whose answer is not one of its options")
PRACTICE_STEP = Rule("practice-step",
                     "a hand-written practice question naming a step the SOP does not have")

_PLACEHOLDER = re.compile(
    r"^\s*(?:todo|tbd|tba|fixme|xxx+|lorem ipsum|\.\.\.|…|-+|\?+|n/?a)\b"
    r"|^\s*(?:\.\.\.|…|-+|\?+)\s*$"
    r"|^\s*\[[^\]]*\]\s*$|^\s*<[^>]*>\s*$|\bTODO\b|\bTBD\b|\bFIXME\b|lorem ipsum",
    re.IGNORECASE,
)

#: Free-text fields that must say something: at least this many words.
_MIN_WORDS = 3
_PROSE_FIELDS: tuple[NodePath, ...] = (
    ("purpose",), ("escalation", "keep_informed"), ("feedback", "analysis"),
    ("maintenance", "change_communication"),
)

Check = Callable[[Document], Iterator[Problem]]


#: In reply templates [brackets] mark the agent's blanks on purpose; only these are refused.
_TEMPLATE_PLACEHOLDER = re.compile(r"\bTODO\b|\bTBD\b|\bFIXME\b|lorem ipsum", re.IGNORECASE)


#: What a text must start with (after spaces) or contain for the patterns above to match;
#: the patterns decide, these only spare them the texts that cannot match.
_PLACEHOLDER_STARTS = ("todo", "tbd", "tba", "fixme", "xxx", "lorem ipsum", "...", "…", "-",
                       "?", "n/a", "na", "[", "<")
_PLACEHOLDER_WORDS = ("todo", "tbd", "fixme", "lorem ipsum")


def is_placeholder(text: str, *, template: bool = False) -> bool:
    folded = text.casefold()
    if not any(word in folded for word in _PLACEHOLDER_WORDS) and (
            template or not folded.lstrip().startswith(_PLACEHOLDER_STARTS)):
        return False
    pattern = _TEMPLATE_PLACEHOLDER if template else _PLACEHOLDER
    return bool(text.strip()) and bool(pattern.search(text))


def _prefix(node_path: NodePath) -> str:
    component = component_of(node_path)
    return f"{component}: " if component else ""


def _steps(doc: Document) -> Iterator[tuple[int, dict[str, Any]]]:
    procedure = lookup(doc.data, ("procedure",))
    if isinstance(procedure, list):
        for index, step in enumerate(procedure):
            if isinstance(step, dict):
                yield index, step


#: How a placeholder can start, after the separator :func:`_may_hold_placeholder` puts
#: before each text (``na`` only as a word: ``nama`` is not ``n/a``).
_STARTS_AFTER_SEPARATOR = re.compile(
    r"\x00\s*(?:todo|tbd|tba|fixme|xxx|lorem ipsum|n/?a\b|\.\.\.|…|-|\?|\[|<)")


def _may_hold_placeholder(texts: list[str]) -> bool:
    """False when no text of a file can be a placeholder: one look at all of them together
    (a file's hundreds of texts, one call each, were a fifth of validating a small SOP)."""
    joined = ("\x00" + "\x00".join(texts)).casefold()
    return (any(word in joined for word in _PLACEHOLDER_WORDS)
            or _STARTS_AFTER_SEPARATOR.search(joined) is not None)


def check_placeholders(doc: Document) -> Iterator[Problem]:
    """placeholder: text such as ``TODO``, ``TBD``, ``...`` or ``[isi di sini]`` is not content."""
    if not _may_hold_placeholder([text for _, text in doc.strings]):
        return
    for node_path, text in doc.strings:
        if is_placeholder(text, template=bool(node_path) and node_path[-1] == "template"):
            yield doc.problem(node_path, PLACEHOLDER,
                              f"{_prefix(node_path)}{describe(node_path)} is a placeholder "
                              f"({text.strip()[:40]!r}); write the real content")


def check_prose_length(doc: Document) -> Iterator[Problem]:
    """too-short: purpose, escalation.keep_informed, feedback.analysis and
    maintenance.change_communication must be sentences, not a word or two."""
    for node_path in _PROSE_FIELDS:
        text = lookup(doc.data, node_path)
        if (isinstance(text, str) and text.strip() and not is_placeholder(text)
                and len(text.split()) < _MIN_WORDS):
            yield doc.problem(node_path, TOO_SHORT,
                              f"{_prefix(node_path)}{describe(node_path)} is too short to be "
                              f"useful "
                              f"(at least {_MIN_WORDS} words)")


def check_step_ids(doc: Document) -> Iterator[Problem]:
    """duplicate-step-id / reserved-step-id: step ids and former step ids (``aliases``) are
    unique within the SOP and do not take a section anchor, since each is a URL anchor."""
    seen: dict[str, NodePath] = {}
    for node_path, step_id in step_anchors(doc.data):
        if step_id in seen:
            yield doc.problem(node_path, DUPLICATE_STEP_ID,
                              f"{_prefix(node_path)}step id {step_id!r} is used twice "
                              f"(first at line {doc.position(seen[step_id])[0]})")
        else:
            seen[step_id] = node_path
        if step_id in SECTION_ANCHORS:
            yield doc.problem(node_path, RESERVED_STEP_ID,
                              f"{_prefix(node_path)}step id {step_id!r} is reserved for a page "
                              f"section; choose another")


def check_roles(doc: Document) -> Iterator[Problem]:
    """unknown-role / duplicate-role: every step's role is declared once in ``duties``."""
    duties = lookup(doc.data, ("duties",))
    if not isinstance(duties, list):
        return
    declared: dict[str, int] = {}
    for index, duty in enumerate(duties):
        role = duty.get("role") if isinstance(duty, dict) else None
        if isinstance(role, str):
            if role in declared:
                yield doc.problem(("duties", index, "role"), DUPLICATE_ROLE,
                                  f"{_prefix(('duties',))}role {role!r} is declared twice "
                                  f"in duties")
            declared.setdefault(role, index)
    for index, step in _steps(doc):
        role = step.get("role")
        if isinstance(role, str) and declared and role not in declared:
            node_path = ("procedure", index, "role")
            yield doc.problem(node_path, UNKNOWN_ROLE,
                              f"{_prefix(node_path)}{describe(node_path)} {role!r} is not a role "
                              f"declared in duties", hint=f"declared: {', '.join(declared)}")


def check_target_times(doc: Document) -> Iterator[Problem]:
    """no-target-time: a procedure states target times; at least one step has ``within``."""
    steps = list(_steps(doc))
    if steps and not any("within" in step for _, step in steps):
        yield doc.problem(("procedure",), NO_TARGET_TIME,
                          f"{_prefix(('procedure',))}no step has a target time; give the steps "
                          f"that have one a 'within' (e.g. within: 1h)")


def check_review_date(doc: Document) -> Iterator[Problem]:
    """bad-date: ``maintenance.last_reviewed`` is a real calendar date, not in the future."""
    yield from _check_date(doc, ("maintenance", "last_reviewed"))


def _check_date(doc: Document, node_path: NodePath,
                today: datetime.date | None = None) -> Iterator[Problem]:
    text = lookup(doc.data, node_path)
    if not isinstance(text, str) or not DATE.match(text):
        return  # the schema reports the format
    try:
        date = parse_date(text)
    except ValueError:
        yield doc.problem(node_path, BAD_DATE,
                          f"{_prefix(node_path)}{describe(node_path)} {text!r} is not a real date")
        return
    if date > (today or datetime.date.today()):
        yield doc.problem(node_path, BAD_DATE,
                          f"{_prefix(node_path)}{describe(node_path)} {text} is in the future")


def check_history_dates(doc: Document) -> Iterator[Problem]:
    """bad-date: every ``history`` date is a real date, not in the future."""
    history = lookup(doc.data, ("history",))
    if isinstance(history, list):
        for index in range(len(history)):
            yield from _check_date(doc, ("history", index, "date"))


def check_file_name(doc: Document) -> Iterator[Problem]:
    """file-name: an SOP file is named after its id (``CS-COMP-002.yaml``), so a reader of the
    repository finds an SOP from its URL; the URL itself comes from the id alone."""
    sop_id = lookup(doc.data, ("id",))
    stem = PurePosixPath(doc.path.replace("\\", "/").split(":")[-1]).stem
    if isinstance(sop_id, str) and re.fullmatch(r"[A-Z][A-Z0-9-]*", sop_id) and stem != sop_id:
        yield doc.problem(("id",), FILE_NAME, f"file name {stem!r} does not match id "
                          f"{sop_id!r}", hint=f"rename the file to {sop_id}.yaml")


def check_practice(doc: Document) -> Iterator[Problem]:
    """practice-answer / practice-step: a hand-written practice question's answer is one of
    its options, and the step it names is a step of the SOP."""
    questions = lookup(doc.data, ("practice", "questions"))
    steps = {anchor for _, anchor in step_anchors(doc.data)}
    for index, question in enumerate(questions if isinstance(questions, list) else []):
        if not isinstance(question, dict):
            continue
        options, answer = question.get("options"), question.get("answer")
        if isinstance(options, list) and isinstance(answer, str) and answer not in options:
            yield doc.problem(("practice", "questions", index, "answer"), PRACTICE_ANSWER,
                              f"practice.questions[{index + 1}].answer {answer!r} is not one "
                              f"of its options")
        step = question.get("step")
        if isinstance(step, str) and step not in steps:
            yield doc.problem(("practice", "questions", index, "step"), PRACTICE_STEP,
                              f"practice.questions[{index + 1}].step {step!r} is not a step of "
                              f"this SOP", hint=f"steps: {', '.join(sorted(steps))}")


CHECKS: tuple[Check, ...] = (
    check_placeholders, check_prose_length, check_step_ids, check_roles,
    check_target_times, check_review_date, check_history_dates, check_history, check_effective,
    check_file_name, check_practice,
)


def rule_problems(doc: Document) -> Iterator[Problem]:
    if isinstance(doc.data, dict):
        for check in CHECKS:
            yield from check(doc)
