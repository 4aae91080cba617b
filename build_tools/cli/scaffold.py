"""``sopkb new``: a new SOP file from a skeleton the validator refuses until it is filled in."""

from __future__ import annotations

import datetime
import json
import re
from collections.abc import Iterable
from pathlib import Path

from jinja2 import Environment, PackageLoader, StrictUndefined

from build_tools.model.grammar import SERIES


class ScaffoldError(Exception):
    pass


def next_id(series: str, taken: Iterable[str]) -> str:
    """The next free id of ``series`` (e.g. ``CS-COMP`` → ``CS-COMP-008``); ids and former
    ids (aliases) are never reused."""
    if not SERIES.match(series):
        raise ScaffoldError(f"series {series!r} must look like CS-COMP (upper case, hyphens)")
    numbers = [int(match.group(1)) for sop_id in taken
               if (match := re.fullmatch(re.escape(series) + r"-(\d{3,})", sop_id))]
    return f"{series}-{max(numbers, default=0) + 1:03d}"


def skeleton(sop_id: str, title: str, owner: str, channels: list[str],
             today: datetime.date) -> str:
    env = Environment(loader=PackageLoader("build_tools.cli", "templates"),
                      undefined=StrictUndefined,
                      keep_trailing_newline=True, autoescape=False)
    env.filters["yaml"] = lambda text: json.dumps(" ".join(str(text).split()), ensure_ascii=False)
    return env.get_template("new_sop.yaml.j2").render(
        id=sop_id, title=title, owner=owner, channels=channels, today=today.isoformat())


def write_new(folder: Path, sop_id: str, text: str) -> Path:
    """Write ``text`` to ``folder/<id>.yaml``; never overwrites an existing file."""
    path = folder / f"{sop_id}.yaml"
    folder.mkdir(parents=True, exist_ok=True)
    try:
        with path.open("x", encoding="utf-8") as handle:
            handle.write(text)
    except FileExistsError as error:
        raise ScaffoldError(f"{path} already exists") from error
    return path
