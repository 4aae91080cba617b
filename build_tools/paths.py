"""How a node path is written in messages: ``procedure[2].role`` (list positions count from 1)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from build_tools.yamlsource import NodePath


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


def strings(value: Any, node_path: NodePath = ()) -> Iterator[tuple[NodePath, str]]:
    """Every string in ``value`` with its path, in document order."""
    if isinstance(value, str):
        yield node_path, value
    elif isinstance(value, dict):
        for key, child in value.items():
            yield from strings(child, (*node_path, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from strings(child, (*node_path, index))
