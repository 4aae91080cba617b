"""The grammar of ids, step ids, target times, dates and review cycles, defined once: by
the SOP schema.

``build_tools/schema/sop.schema.json`` is what writers' editors check against, so its
patterns are the definition; everything else (the model's duration parser, review dates,
the ``[[ID]]`` links of SOP text, the validator's date checks, ``sopkb new`` and ``sopkb
report``) compiles them from there instead of copying them.
"""

from __future__ import annotations

import datetime
import json
import re
from functools import cache
from importlib import resources
from typing import Any


@cache
def schema_definitions() -> dict[str, Any]:
    text = resources.files("build_tools").joinpath("schema", "sop.schema.json").read_text("utf-8")
    definitions: dict[str, Any] = json.loads(text)["$defs"]
    return definitions


def _pattern(name: str) -> str:
    """The schema's pattern for ``name`` without its anchors, to build other patterns from."""
    pattern: str = schema_definitions()[name]["pattern"]
    return pattern.removeprefix("^").removesuffix("$")


#: An SOP id (``CS-COMP-002``), a step id or any slug (``minta-bukti``), a target time
#: (``15m``, ``1h``, ``2d``, ``1wd``), each matching the whole text.
#: (``\Z``, not ``$``, which also matches before a final line break.)
SOP_ID = re.compile(rf"^(?:{_pattern('sopId')})\Z")
STEP_ID = re.compile(rf"^(?:{_pattern('slug')})\Z")
DURATION = re.compile(rf"^(?:{_pattern('duration')})\Z")
#: The series part of an id (``CS-COMP`` of ``CS-COMP-002``): the id without its number.
SERIES = re.compile(
    "^(?:" + _pattern("sopId").removesuffix("-[0-9]{3,}") + r")\Z")
#: A link to an SOP, or to one of its steps, in SOP text: ``[[CS-COMP-002#minta-bukti]]``.
SOP_LINK = re.compile(r"\[\[(?P<id>" + _pattern("sopId") + r")(?:#(?P<step>" + _pattern("slug")
                      + r"))?\]\]")
#: Anything written as an SOP link, well-formed or not (the validator reports the others).
ANY_SOP_LINK = re.compile(r"\[\[([^\[\]\n]*)\]\]")
#: A date as SOP files write it (``2026-05-01``), and what the validator says of another.
DATE = re.compile(schema_definitions()["date"]["pattern"])
DATE_MESSAGE: str = schema_definitions()["date"]["x-message"]
#: A review cycle (``6 months``, ``1 year``): its amount and its unit (``month``, ``year``).
REVIEW_CYCLE = re.compile(schema_definitions()["reviewCycle"]["pattern"])


#: A version number read as numbers (the schema also allows at most three parts).
_VERSION_NUMBER = re.compile(r"[0-9]{1,9}(?:\.[0-9]{1,9})*")


def version_number(text: object) -> tuple[int, ...] | None:
    """``"1.10"`` as ``(1, 10)``, to compare versions; None for anything else (a part of
    more than nine digits too: Python refuses to read integers past 4,300 digits)."""
    if not isinstance(text, str) or not _VERSION_NUMBER.fullmatch(text):
        return None
    return tuple(int(part) for part in text.split("."))


def parse_date(text: str) -> datetime.date:
    """The date ``text`` writes; ``ValueError`` when it is not written as :data:`DATE` or is
    no calendar date (``2026-02-30``)."""
    if not DATE.match(text):
        raise ValueError(f"not a date: {text!r}")
    return datetime.date.fromisoformat(text)


def review_cycle(text: str) -> tuple[int, str]:
    """The amount and the unit, without its plural ``s``, of a review cycle
    (``6 months`` → ``(6, "month")``); ``ValueError`` when ``text`` is not one."""
    match = REVIEW_CYCLE.match(text)
    if not match:
        raise ValueError(f"not a review cycle: {text!r}")
    return int(match.group(1)), match.group(2)
