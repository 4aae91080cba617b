"""Read a YAML file into plain data plus the position of every node in it.

The file is parsed once, with libyaml when available, into dicts, lists and strings, with
each node's 1-based line and column recorded under its path (a tuple of keys and indexes).
Checks use those positions to point at the offending node without reading the file again.
Most files go through libyaml's composer and a walk of its node tree, one call per mapping
or list and refused past :data:`MAX_DEPTH` (:class:`_NodeBuilder`); a file that could hold
an anchor, a tag, a second document or very deep nesting is built straight from the
parser's events instead (:class:`_EventBuilder`), which refuses those with their position.
Both give the same result (tested).

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

import itertools
import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import yaml

from build_tools.problem import Level, Problem, Rule
from build_tools.source.paths import escapes

try:
    _Loader: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - PyYAML built without libyaml
    _Loader = yaml.SafeLoader

#: The file names read as YAML (SOP files, and the others).
YAML_SUFFIXES = (".yaml", ".yml")
MAX_BYTES = 1_000_000
MAX_DEPTH = 40

NodePath = tuple[str | int, ...]
Position = tuple[int, int]

#: What reading a file refuses, each a rule of its own (``sopkb rules``).
UNREADABLE = Rule("unreadable", "the file cannot be read")
FILE_TOO_LARGE = Rule("file-too-large", "the file is larger than 1 MB")
ENCODING = Rule("encoding", "the file is not UTF-8, or starts with a byte-order mark")
EMPTY_FILE = Rule("empty-file", "the file holds no YAML document")
YAML_SYNTAX = Rule("yaml-syntax", "the file is not well-formed YAML")
MULTIPLE_DOCUMENTS = Rule("multiple-documents", "the file holds more than one YAML document")
ALIAS = Rule("alias", "anchors and aliases are refused (no expansion bombs)")
UNSAFE_TAG = Rule("unsafe-tag", "a YAML tag other than !!str, !!map or !!seq")
TOO_DEEP = Rule("too-deep", "nesting deeper than 40 levels")
BAD_KEY = Rule("bad-key", "a mapping key that is not plain text")
DUPLICATE_KEY = Rule("duplicate-key", "the same key twice in one mapping")
OUTSIDE_REPOSITORY = Rule("outside-repository",
                          "a symbolic link that leads outside the repository (not read)")

_STANDARD_TAGS = {
    "tag:yaml.org,2002:" + name for name in ("str", "map", "seq")
}


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

    def problem(self, node_path: NodePath, rule: Rule, message: str, *,
                level: Level = Level.ERROR, hint: str = "", at_key: bool = False) -> Problem:
        line, col = self.key_position(node_path) if at_key else self.position(node_path)
        return Problem(self.path, line, col, level, rule.id, message, hint)


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
        if _composable(text):
            _NodeBuilder(doc).run(text)
        else:
            _EventBuilder(doc).run(text)
    except _Refused as refused:
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


#: libyaml's composer recurses in C once per nesting level, without a limit: far deeper
#: than this it overflows the stack (seen at 50,000 levels; 10,000 passes).
_COMPOSE_LIMIT = 2000
_DOCUMENT_MARKER = re.compile(r"^(?:---|\.\.\.)(?:[ \t]|$)", re.MULTILINE)
#: Where a tag could start a node (prose such as ``[nama]!`` does not match).
_TAG = re.compile(r"(?:^|[\s\[{,])!")


def _composable(text: str) -> bool:
    """Whether ``text`` can go through libyaml's composer (:class:`_NodeBuilder`), which is
    quicker than building from events but keeps no anchors, tags or document markers to
    refuse, and recurses per nesting level. Every collection needs an indicator of its own
    (``[``, ``{``, ``-``, ``:`` or ``?``), so their count bounds the nesting depth."""
    if "&" in text:
        return False  # anchors: refused with their position by the event path
    if ("!" in text and _TAG.search(text)) or (
            ("---" in text or "..." in text) and _DOCUMENT_MARKER.search(text)):
        return False
    indicators = (text.count("[") + text.count("{") + text.count("-") + text.count(":")
                  + text.count("?"))
    return indicators <= _COMPOSE_LIMIT


class _Composer(getattr(yaml, "CBaseLoader", yaml.BaseLoader)):  # type: ignore[misc]
    """libyaml's parser and composer. Tags are not looked at (a file with any tag goes the
    event path), so types are not resolved: null and true/false are read by :func:`_plain`
    as in the event path, everything else stays text."""

    def descend_resolver(self, *args: Any) -> None:
        pass

    def ascend_resolver(self, *args: Any) -> None:
        pass

    def resolve(self, *args: Any) -> str:
        return "tag:yaml.org,2002:str"


class _NodeBuilder:
    """Builds the data from libyaml's node tree, one call per mapping or list (never deeper
    than :data:`MAX_DEPTH`); scalars, most of a file's nodes, are read in the loop over their
    container, which keeps a small SOP's reading quicker than PyYAML's own constructor."""

    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self.positions = doc.positions
        self.key_positions = doc.key_positions
        self.strings = doc.strings

    def run(self, text: str) -> None:
        composer = _Composer(text)
        try:
            root = composer.get_single_node()
        except yaml.composer.ComposerError as error:
            # With no anchor in the file (see _composable), any alias is an undefined one.
            if error.problem_mark is not None and "undefined alias" in str(error.problem):
                raise _Refused(error.problem_mark, ALIAS, _ALIASES_REFUSED) from None
            raise
        finally:
            composer.dispose()
        if root is None:
            return
        mark = root.start_mark
        self.positions[()] = (mark.line + 1, mark.column + 1)
        if type(root) is yaml.ScalarNode:
            self.doc.data = _scalar(root.value, root.style)
            if type(self.doc.data) is str:
                self.strings.append(((), self.doc.data))
        else:
            self.doc.data = self._container(root, (), 0)

    def _container(self, node: Any, path: NodePath, depth: int) -> dict[str, Any] | list[Any]:
        if depth >= MAX_DEPTH:
            raise _too_deep(node.start_mark)
        positions, strings, scalar = self.positions, self.strings, yaml.ScalarNode
        if type(node) is yaml.MappingNode:
            mapping: dict[str, Any] = {}
            for key_node, child in node.value:
                key: Any = key_node.value if type(key_node) is scalar else None
                if type(key_node) is scalar and not key_node.style and key in _PLAIN_SPECIAL:
                    key = _PLAIN_SPECIAL[key]
                if type(key) is not str or key in mapping:
                    _note_key(self.doc, mapping, path, key, key_node.start_mark)  # refuses
                child_path: NodePath = (*path, key)
                mark = key_node.start_mark
                self.key_positions[child_path] = (mark.line + 1, mark.column + 1)
                mark = child.start_mark
                positions[child_path] = (mark.line + 1, mark.column + 1)
                if type(child) is not scalar:
                    mapping[key] = self._container(child, child_path, depth + 1)
                elif not child.style and child.value in _PLAIN_SPECIAL:
                    mapping[key] = _PLAIN_SPECIAL[child.value]
                else:
                    mapping[key] = child.value
                    strings.append((child_path, child.value))
            return mapping
        items: list[Any] = []
        for index, child in enumerate(node.value):
            child_path = (*path, index)
            mark = child.start_mark
            positions[child_path] = (mark.line + 1, mark.column + 1)
            if type(child) is not scalar:
                items.append(self._container(child, child_path, depth + 1))
            elif not child.style and child.value in _PLAIN_SPECIAL:
                items.append(_PLAIN_SPECIAL[child.value])
            else:
                items.append(child.value)
                strings.append((child_path, child.value))
        return items


class _Refused(Exception):
    def __init__(self, mark: Any, rule: Rule, message: str) -> None:
        super().__init__(message)
        self.mark, self.rule, self.message = mark, rule, message


_ALIASES_REFUSED = "YAML aliases (*name) are not allowed in SOP files"


def _too_deep(mark: Any) -> _Refused:
    return _Refused(mark, TOO_DEEP, f"nesting deeper than {MAX_DEPTH} levels")


def _note_key(doc: Document, mapping: dict[str, Any], mapping_path: NodePath, key: Any,
              mark: yaml.Mark) -> NodePath:
    """Check a mapping key (text, not seen before in ``mapping``) and note where it stands;
    the path of its value."""
    if not isinstance(key, str):
        raise _Refused(mark, BAD_KEY, "mapping keys must be plain text")
    key_path = (*mapping_path, key)
    if key in mapping:
        first = doc.key_positions[key_path][0]
        raise _Refused(mark, DUPLICATE_KEY, f"duplicate key {key!r} (first at line {first})")
    doc.key_positions[key_path] = (mark.line + 1, mark.column + 1)
    return key_path


class _Frame:
    __slots__ = ("value", "path", "key", "key_mark")

    def __init__(self, value: dict[str, Any] | list[Any], path: NodePath) -> None:
        self.value, self.path = value, path
        self.key: str | None = None
        self.key_mark: yaml.Mark | None = None


class _EventBuilder:
    """Builds the data straight from the parser's events, in one pass and without recursion,
    so deep nesting is refused at :data:`MAX_DEPTH` instead of overflowing a stack."""

    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self.stack: list[_Frame] = []
        self.documents = 0

    def run(self, text: str) -> None:
        for event in yaml.parse(text, Loader=_Loader):
            kind = type(event)
            if isinstance(event, yaml.ScalarEvent):
                value = _scalar(event.value, event.style, event.tag)
                path = self._node(event, value)
                if isinstance(value, str) and (not self.stack or path != self.stack[-1].path):
                    self.doc.strings.append((path, value))  # a value, not a mapping key
            elif kind is yaml.MappingStartEvent or kind is yaml.SequenceStartEvent:
                container: dict[str, Any] | list[Any] = \
                    {} if kind is yaml.MappingStartEvent else []
                path = self._node(event, container)
                if len(self.stack) >= MAX_DEPTH:
                    raise _too_deep(event.start_mark)
                self.stack.append(_Frame(container, path))
            elif kind is yaml.MappingEndEvent or kind is yaml.SequenceEndEvent:
                self.stack.pop()
            elif kind is yaml.AliasEvent:
                raise _Refused(event.start_mark, ALIAS, _ALIASES_REFUSED)
            elif kind is yaml.DocumentStartEvent:
                self.documents += 1
                if self.documents > 1:
                    raise _Refused(event.start_mark, MULTIPLE_DOCUMENTS,
                                   "a file holds one SOP: found a second YAML document (---)")

    def _node(self, event: Any, value: Any) -> NodePath:
        """Place ``value`` (a scalar or a new container) where the open container wants it."""
        if event.anchor is not None:
            raise _Refused(event.start_mark, ALIAS,
                           "YAML anchors (&name) are not allowed in SOP files")
        tag = event.tag
        if tag is not None and tag not in _STANDARD_TAGS and tag != "!":
            raise _Refused(event.start_mark, UNSAFE_TAG, f"tag {tag!r} is not allowed")
        position = (event.start_mark.line + 1, event.start_mark.column + 1)
        if not self.stack:
            self.doc.data = value
            self.doc.positions[()] = position
            return ()
        frame = self.stack[-1]
        if isinstance(frame.value, list):
            path = (*frame.path, len(frame.value))
            frame.value.append(value)
        elif frame.key is None:  # this node is a key
            _note_key(self.doc, frame.value, frame.path, value, event.start_mark)
            frame.key = value
            return frame.path
        else:
            path = (*frame.path, frame.key)
            frame.value[frame.key] = value
            frame.key = None
        self.doc.positions[path] = position
        return path


_NULLS = frozenset({"", "~", "null", "Null", "NULL"})
#: Every plain scalar that is not text (true and false in any case), with its value.
_PLAIN_SPECIAL: dict[str, bool | None] = {
    **dict.fromkeys(_NULLS),
    **{"".join(letters): word == "true" for word in ("true", "false")
       for letters in itertools.product(*((c, c.upper()) for c in word))},
}


def _scalar(value: str, style: str | None, tag: str | None = None) -> str | bool | None:
    if not style and tag is None:  # plain ('' from libyaml, None from PyYAML), untagged
        return _plain(value)
    return value


def _plain(value: str) -> str | bool | None:
    """A plain scalar: null, true and false are read as such, everything else is text."""
    return _PLAIN_SPECIAL.get(value, value)
