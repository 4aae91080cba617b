"""The grammar of ids, step ids and target times, defined once: by the SOP schema.

``build_tools/schema/sop.schema.json`` is what writers' editors check against, so its
patterns are the definition; everything else (the model's duration parser, the ``[[ID]]``
links of SOP text, ``sopkb new``) compiles them from there instead of copying them.
"""

from __future__ import annotations

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
