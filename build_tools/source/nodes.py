"""How a node path is written in messages: ``procedure[2].role`` (list positions count from 1)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from build_tools.source.document import NodePath


def describe(node_path: NodePath) -> str:
    if not node_path:
        return "the document"
    text = ""
    for part in node_path:
        text += f"[{part + 1}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text


def lookup(data: Any, node_path: NodePath) -> Any:
    """The value at ``node_path`` in ``data``, or None where the path does not exist."""
    for part in node_path:
        if isinstance(part, str) and isinstance(data, dict):
            data = data.get(part)
        elif isinstance(part, int) and isinstance(data, list) and 0 <= part < len(data):
            data = data[part]
        else:
            return None
    return data


def step_anchors(data: Any) -> Iterator[tuple[NodePath, str]]:
    """Every URL anchor of an SOP's steps in raw data: each step id and its former ids."""
    procedure = lookup(data, ("procedure",))
    for index, step in enumerate(procedure if isinstance(procedure, list) else []):
        if not isinstance(step, dict):
            continue
        if isinstance(step.get("id"), str):
            yield ("procedure", index, "id"), step["id"]
        aliases = step.get("aliases")
        for position, alias in enumerate(aliases if isinstance(aliases, list) else []):
            if isinstance(alias, str):
                yield ("procedure", index, "aliases", position), alias
