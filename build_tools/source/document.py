"""Read a YAML file into plain data plus the position of every node in it.

The file is parsed once, with libyaml when available, into dicts, lists and strings, with
each node's 1-based line and column recorded under its path (a tuple of keys and indexes).
Checks use those positions to point at the offending node without reading the file again.
Most files go through libyaml's composer and a walk of its node tree, one call per mapping
or list and refused past :data:`MAX_DEPTH`; a file that could hold an anchor, a tag, a
second document or very deep nesting is built straight from the parser's events instead,
which refuses those with their position (:mod:`build_tools.source.builders`). Both give the
same result (tested).

Scalars follow the "text unless told otherwise" rule: every scalar is a string except
``null``/``~``/empty (``None``) and exactly ``true``/``false`` (``bool``). So ``version: 1.10``
stays ``"1.10"``, a date stays ``"2026-05-01"`` and YAML 1.1's ``yes``/``no``/``on``/``off``
(and Norway's ``NO``) stay text instead of turning into booleans.

Anchors and aliases are refused (an SOP never needs them, and aliases are how an
expansion bomb is built), as are duplicate keys, non-string keys, multiple documents,
tags other than ``!!str``/``!!map``/``!!seq``, nesting deeper than :data:`MAX_DEPTH`, a
byte-order mark, bytes that are not UTF-8 and files larger than :data:`MAX_BYTES`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import yaml

from build_tools.problem import Level, Problem, Rule
from build_tools.source.builders import (
    EventBuilder,
    NodeBuilder,
    Refused,
    composable,
)
from build_tools.source.paths import escapes

#: The file names read as YAML (SOP files, and the others).
YAML_SUFFIXES = (".yaml", ".yml")
MAX_BYTES = 1_000_000

NodePath = tuple[str | int, ...]
Position = tuple[int, int]

#: What reading a file refuses, each a rule of its own (``sopkb rules``).
UNREADABLE = Rule("unreadable", "the file cannot be read")
FILE_TOO_LARGE = Rule("file-too-large", "the file is larger than 1 MB")
ENCODING = Rule("encoding", "the file is not UTF-8, or starts with a byte-order mark")
EMPTY_FILE = Rule("empty-file", "the file holds no YAML document")
YAML_SYNTAX = Rule("yaml-syntax", "the file is not well-formed YAML")
OUTSIDE_REPOSITORY = Rule("outside-repository",
                          "a symbolic link that leads outside the repository (not read)")



@dataclass
class Document:
    """The data of one YAML file and where each of its nodes stands."""

    path: str
    data: Any = None
    positions: dict[NodePath, Position] = field(default_factory=dict)
    key_positions: dict[NodePath, Position] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    #: Every string value (not keys) with its path, in document order, noted while loading.
    strings: list[tuple[NodePath, str]] = field(default_factory=list)

    @cached_property
    def link_strings(self) -> list[tuple[NodePath, str]]:
        """The :attr:`strings` that may hold an ``[[SOP]]`` link, found once per document
        (``mkdocs serve`` keeps an unchanged file's document: each rebuild's cross-file
        check no longer goes over every string of every SOP, 25 ms at 1,000 large SOPs)."""
        return [(node_path, text) for node_path, text in self.strings if "[[" in text]

    def position(self, node_path: NodePath) -> Position:
        """Where the node at ``node_path`` stands, or its nearest existing ancestor."""
        while node_path not in self.positions and node_path:
            node_path = node_path[:-1]
        return self.positions.get(node_path, (1, 1))

    def key_position(self, node_path: NodePath) -> Position:
        """Where the key of the mapping entry at ``node_path`` stands."""
        return self.key_positions.get(node_path) or self.position(node_path)

    @classmethod
    def unplaced(cls, path: str, data: Any, problems: tuple[Problem, ...] = ()) -> Document:
        """A document of data already loaded, without the positions of its nodes: checks
        run on it as on one read whole, but a problem they find stands at line 1. For
        confirming that a text kept without its positions still validates; read the text
        whole to place what it does not pass."""
        doc = cls(path, data, problems=list(problems))
        _strings(data, (), doc.strings)
        return doc

    def problem(self, node_path: NodePath, rule: Rule, message: str, *,
                level: Level = Level.ERROR, hint: str = "", at_key: bool = False) -> Problem:
        line, col = self.key_position(node_path) if at_key else self.position(node_path)
        return Problem(self.path, line, col, level, rule.id, message, hint)


def _strings(value: Any, node_path: NodePath, found: list[tuple[NodePath, str]]) -> None:
    """Every string value under ``value`` with its path, in document order, as the
    builders note them while loading (keys are not values)."""
    if isinstance(value, str):
        found.append((node_path, value))
    elif isinstance(value, dict):
        for key, child in value.items():
            _strings(child, (*node_path, key), found)
    elif isinstance(value, list):
        for index, child in enumerate(value):
            _strings(child, (*node_path, index), found)


def load_document(path: Path, display_path: str | None = None,
                  root: Path | None = None) -> Document:
    """Load ``path``; problems that stop loading are in ``Document.problems``. A file that
    lies in ``root`` (the repository) but leads out of it through a symbolic link is not
    read, and nothing of where it leads is shown."""
    doc = Document(display_path or str(path))
    if root is not None and escapes(path, root):
        doc.problems.append(_whole_file(doc, OUTSIDE_REPOSITORY,
                                        "a symbolic link that leads outside the repository; "
                                        "not read"))
        return doc
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            doc.problems.append(_whole_file(doc, FILE_TOO_LARGE,
                                            f"file is {size:,} bytes; an SOP file may have at most "
                                            f"{MAX_BYTES:,}"))
            return doc
        raw = path.read_bytes()
    except OSError as error:
        doc.problems.append(_whole_file(doc, UNREADABLE, f"cannot read file: {error.strerror}"))
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


def _whole_file(doc: Document, rule: Rule, message: str) -> Problem:
    return Problem(doc.path, 1, 1, Level.ERROR, rule.id, message)


def _decode(doc: Document, raw: bytes) -> str | None:
    if raw.startswith(b"\xef\xbb\xbf"):
        doc.problems.append(_whole_file(doc, ENCODING, "file starts with a byte-order mark "
                                        "(BOM); save it as UTF-8 without BOM"))
        return None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        col = error.start - (raw.rfind(b"\n", 0, error.start) + 1) + 1
        doc.problems.append(Problem(doc.path, line, col, Level.ERROR, ENCODING.id,
                                    f"file is not valid UTF-8 (byte 0x{raw[error.start]:02x})"))
        return None


def _parse(doc: Document, text: str) -> None:
    try:
        if composable(text):
            NodeBuilder(doc).run(text)
        else:
            EventBuilder(doc).run(text)
    except Refused as refused:
        doc.problems.append(Problem(doc.path, refused.mark.line + 1, refused.mark.column + 1,
                                    Level.ERROR, refused.rule.id, refused.message))
        doc.data = None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        message = " ".join(str(part) for part in (error.context, error.problem) if part)
        doc.problems.append(Problem(doc.path, line, col, Level.ERROR, YAML_SYNTAX.id,
                                    f"YAML syntax error: {message}"))
        doc.data = None
    except yaml.YAMLError as error:
        doc.problems.append(_whole_file(doc, YAML_SYNTAX, f"YAML error: {error}"))
        doc.data = None
    else:
        if doc.data is None and not doc.problems:
            # Nothing, or a document that is only null (``~``, ``null``): no data either way.
            doc.problems.append(_whole_file(doc, EMPTY_FILE, "file is empty" if not
                                            doc.positions else "file holds only null"))


