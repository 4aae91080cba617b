"""Link stability: every SOP URL and step anchor published at a git ref must still resolve.

A URL resolves when its SOP id is still an id (or is listed under some SOP's ``aliases``,
whose redirect keeps the anchor) and, for a step anchor, that SOP still has the step id; a
former id listed under ``aliases`` is a published URL too (its redirect).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from build_tools.rules.crossfile import identified
from build_tools.source.document import Document
from build_tools.source.nodes import step_anchors


@dataclass(frozen=True)
class Published:
    """One SOP's URL-bearing facts: its id, its step anchors (step ids and former step ids)
    and its former ids."""

    id: str
    steps: tuple[str, ...]
    aliases: tuple[str, ...]
    source: str


def published(documents: Iterable[Document]) -> list[Published]:
    """What each readable SOP document publishes (invalid parts are skipped, not fatal)."""
    found = []
    for doc, sop_id in identified(documents):
        data: dict[str, Any] = doc.data
        steps = tuple(anchor for _, anchor in step_anchors(data))
        aliases = data.get("aliases")
        aliases = aliases if isinstance(aliases, list) else []
        found.append(Published(sop_id, steps, tuple(a for a in aliases if isinstance(a, str)),
                               doc.path))
    return found


def url(sop_id: str, step: str | None = None) -> str:
    return f"sop/{sop_id.lower()}/" + (f"#{step}" if step else "")


def lost_links(before: Iterable[Published], now: Iterable[Published]) -> Iterator[str]:
    """One message for every URL of ``before`` that no longer resolves in ``now``."""
    by_id = {sop.id: sop for sop in now}
    for sop in list(by_id.values()):
        for alias in sop.aliases:
            by_id.setdefault(alias, sop)
    for old in before:
        target = by_id.get(old.id)
        for alias in old.aliases:  # a former id's redirect, which trainers' links may use
            if alias not in by_id:
                yield (f"{url(alias)} is lost: {old.id}'s former id {alias!r} is under no "
                       f"SOP's 'aliases' any more, and its redirect is gone; keep it there")
            elif target is not None and by_id[alias] is not target:
                yield (f"{url(alias)} is lost: it led to {old.id}, and would now open "
                       f"{by_id[alias].id} ({by_id[alias].source}); a former id stays with "
                       f"the SOP it names")
        if target is None:
            yield (f"{url(old.id)} is lost: no SOP has the id {old.id!r} any more; add "
                   f"{old.id!r} to the 'aliases' of the SOP that replaces it")
            continue
        for step in old.steps:
            if step not in target.steps:
                yield (f"{url(old.id, step)} is lost: {target.id} ({target.source}) has no step "
                       f"{step!r} any more; keep the step id (reword the action instead) or "
                       f"list {step!r} under the renamed step's 'aliases'")
