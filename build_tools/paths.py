"""How a node path is written in messages: ``procedure[2].role`` (list positions count from 1)."""

from __future__ import annotations

from build_tools.yamlsource import NodePath


def describe(node_path: NodePath) -> str:
    if not node_path:
        return "the document"
    text = ""
    for part in node_path:
        text += f"[{part + 1}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text
