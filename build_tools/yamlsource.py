"""Read a YAML file into plain data plus the position of every node in it.

The file is parsed once, with libyaml when available, into a node tree; the tree is
turned into dicts, lists and strings while each node's 1-based line and column is
recorded under its path (a tuple of keys and indexes). Checks use those positions to
point at the offending node without reading the file again.

Scalars follow the "text unless told otherwise" rule: every scalar is a string except
``null``/``~``/empty (``None``) and exactly ``true``/``false`` (``bool``). So ``version: 1.10``
stays ``"1.10"``, a date stays ``"2026-05-01"`` and YAML 1.1's ``yes``/``no``/``on``/``off``
(and Norway's ``NO``) stay text instead of turning into booleans.

Anchors and aliases are refused (an SOP never needs them, and aliases are how an
expansion bomb is built), as are duplicate keys, non-string keys, multiple documents,
custom tags and files larger than :data:`MAX_BYTES`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from build_tools.problem import Level, Problem

try:
    _Loader: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - PyYAML built without libyaml
    _Loader = yaml.SafeLoader

MAX_BYTES = 1_000_000
MAX_DEPTH = 40

NodePath = tuple[str | int, ...]
Position = tuple[int, int]

_STANDARD_TAGS = {
    "tag:yaml.org,2002:" + name
    for name in ("str", "int", "float", "bool", "null", "timestamp", "map", "seq")
}


@dataclass
class Document:
    """The data of one YAML file and where each of its nodes stands."""

    path: str
    data: Any = None
    positions: dict[NodePath, Position] = field(default_factory=dict)
    key_positions: dict[NodePath, Position] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    def position(self, node_path: NodePath) -> Position:
        """Where the node at ``node_path`` stands, or its nearest existing ancestor."""
        while node_path not in self.positions and node_path:
            node_path = node_path[:-1]
        return self.positions.get(node_path, (1, 1))

    def key_position(self, node_path: NodePath) -> Position:
        """Where the key of the mapping entry at ``node_path`` stands."""
        return self.key_positions.get(node_path) or self.position(node_path)

    def problem(self, node_path: NodePath, rule: str, message: str, *,
                level: Level = Level.ERROR, hint: str = "", at_key: bool = False) -> Problem:
        line, col = self.key_position(node_path) if at_key else self.position(node_path)
        return Problem(self.path, line, col, level, rule, message, hint)


class _Refused(Exception):
    def __init__(self, node: yaml.Node, rule: str, message: str) -> None:
        super().__init__(message)
        self.node, self.rule, self.message = node, rule, message


def load_document(path: Path, display_path: str | None = None) -> Document:
    """Load ``path``; problems that stop loading are in ``Document.problems``."""
    doc = Document(display_path or str(path))
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            doc.problems.append(_whole_file(doc, "file-too-large",
                                            f"file is {size:,} bytes; an SOP file may have at most "
                                            f"{MAX_BYTES:,}"))
            return doc
        raw = path.read_bytes()
    except OSError as error:
        doc.problems.append(_whole_file(doc, "unreadable", f"cannot read file: {error.strerror}"))
        return doc
    text = _decode(doc, raw)
    if text is not None:
        _parse(doc, text)
    return doc


def load_text(text: str, display_path: str) -> Document:
    """Load YAML given as text (used for files read from git history)."""
    doc = Document(display_path)
    _parse(doc, text)
    return doc


def _whole_file(doc: Document, rule: str, message: str) -> Problem:
    return Problem(doc.path, 1, 1, Level.ERROR, rule, message)


def _decode(doc: Document, raw: bytes) -> str | None:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        col = error.start - (raw.rfind(b"\n", 0, error.start) + 1) + 1
        doc.problems.append(Problem(doc.path, line, col, Level.ERROR, "encoding",
                                    f"file is not valid UTF-8 (byte 0x{raw[error.start]:02x})"))
        return None


def _parse(doc: Document, text: str) -> None:
    try:
        root = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        message = " ".join(str(part) for part in (error.context, error.problem) if part)
        doc.problems.append(Problem(doc.path, line, col, Level.ERROR, "yaml-syntax",
                                    f"YAML syntax error: {message}"))
        return
    except yaml.YAMLError as error:
        doc.problems.append(_whole_file(doc, "yaml-syntax", f"YAML error: {error}"))
        return
    except RecursionError:
        doc.problems.append(_whole_file(doc, "too-deep", "YAML is nested too deeply"))
        return
    if root is None:
        doc.problems.append(_whole_file(doc, "empty-file", "file is empty"))
        return
    try:
        doc.data = _Builder(doc).build(root, ())
    except _Refused as refused:
        mark = refused.node.start_mark
        doc.problems.append(Problem(doc.path, mark.line + 1, mark.column + 1, Level.ERROR,
                                    refused.rule, refused.message))
        doc.data = None


class _Builder:
    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self.seen: set[int] = set()

    def build(self, node: yaml.Node, node_path: NodePath) -> Any:
        if id(node) in self.seen:
            raise _Refused(node, "alias", "YAML anchors and aliases are not allowed in SOP files")
        self.seen.add(id(node))
        if len(node_path) > MAX_DEPTH:
            raise _Refused(node, "too-deep", f"nesting deeper than {MAX_DEPTH} levels")
        if node.tag not in _STANDARD_TAGS:
            raise _Refused(node, "unsafe-tag", f"tag {node.tag!r} is not allowed")
        self.doc.positions[node_path] = (node.start_mark.line + 1, node.start_mark.column + 1)
        if isinstance(node, yaml.ScalarNode):
            return _scalar(node)
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, (*node_path, index)) for index, item in enumerate(node.value)]
        return self._mapping(node, node_path)

    def _mapping(self, node: yaml.MappingNode, node_path: NodePath) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag not in _STANDARD_TAGS:
                raise _Refused(key_node, "bad-key", "mapping keys must be plain text")
            key = str(key_node.value)
            if key in result:
                raise _Refused(key_node, "duplicate-key",
                               f"duplicate key {key!r} (first at line "
                               f"{self.doc.key_positions[(*node_path, key)][0]})")
            child = (*node_path, key)
            self.doc.key_positions[child] = (key_node.start_mark.line + 1,
                                             key_node.start_mark.column + 1)
            result[key] = self.build(value_node, child)
        return result


def _scalar(node: yaml.ScalarNode) -> str | bool | None:
    value = node.value
    if node.style is None:  # plain, unquoted
        if node.tag.endswith(":null"):
            return None
        if node.tag.endswith(":bool") and value.lower() in ("true", "false"):
            return value.lower() == "true"
    return value
