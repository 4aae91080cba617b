"""Building an SOP file's data and node positions from YAML, and refusing what an SOP file
never needs (see :mod:`build_tools.source.document`, which says what is refused and why).

Two builders give the same result (tested): :class:`NodeBuilder` walks libyaml's node tree,
one call per mapping or list, refused past :data:`MAX_DEPTH` (most files);
:class:`EventBuilder` builds straight from the parser's events, for a file that could hold an
anchor, a tag, a second document or very deep nesting, which it refuses with their position.
:func:`composable` says which a text takes.
"""

from __future__ import annotations

import itertools
import re
from typing import TYPE_CHECKING, Any

import yaml

from build_tools.problem import Rule

if TYPE_CHECKING:
    from build_tools.source.document import Document, NodePath

try:
    _Loader: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - PyYAML built without libyaml
    _Loader = yaml.SafeLoader

MAX_DEPTH = 40

MULTIPLE_DOCUMENTS = Rule("multiple-documents", "the file holds more than one YAML document")
ALIAS = Rule("alias", "anchors and aliases are refused (no expansion bombs)")
UNSAFE_TAG = Rule("unsafe-tag", "a YAML tag other than !!str, !!map or !!seq")
TOO_DEEP = Rule("too-deep", "nesting deeper than 40 levels")
BAD_KEY = Rule("bad-key", "a mapping key that is not plain text")
DUPLICATE_KEY = Rule("duplicate-key", "the same key twice in one mapping")
_STANDARD_TAGS = {
    "tag:yaml.org,2002:" + name for name in ("str", "map", "seq")
}


#: libyaml's composer recurses in C once per nesting level, without a limit: far deeper
#: than this it overflows the stack (seen at 50,000 levels; 10,000 passes).
_COMPOSE_LIMIT = 2000
_DOCUMENT_MARKER = re.compile(r"^(?:---|\.\.\.)(?:[ \t]|$)", re.MULTILINE)
#: Where a tag could start a node (prose such as ``[nama]!`` does not match).
_TAG = re.compile(r"(?:^|[\s\[{,])!")


def composable(text: str) -> bool:
    """Whether ``text`` can go through libyaml's composer (:class:`NodeBuilder`), which is
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


class NodeBuilder:
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
                raise Refused(error.problem_mark, ALIAS, _ALIASES_REFUSED) from None
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


class Refused(Exception):
    def __init__(self, mark: Any, rule: Rule, message: str) -> None:
        super().__init__(message)
        self.mark, self.rule, self.message = mark, rule, message


_ALIASES_REFUSED = "YAML aliases (*name) are not allowed in SOP files"


def _too_deep(mark: Any) -> Refused:
    return Refused(mark, TOO_DEEP, f"nesting deeper than {MAX_DEPTH} levels")


def _note_key(doc: Document, mapping: dict[str, Any], mapping_path: NodePath, key: Any,
              mark: yaml.Mark) -> NodePath:
    """Check a mapping key (text, not seen before in ``mapping``) and note where it stands;
    the path of its value."""
    if not isinstance(key, str):
        raise Refused(mark, BAD_KEY, "mapping keys must be plain text")
    key_path = (*mapping_path, key)
    if key in mapping:
        first = doc.key_positions[key_path][0]
        raise Refused(mark, DUPLICATE_KEY, f"duplicate key {key!r} (first at line {first})")
    doc.key_positions[key_path] = (mark.line + 1, mark.column + 1)
    return key_path


class _Frame:
    __slots__ = ("value", "path", "key", "key_mark")

    def __init__(self, value: dict[str, Any] | list[Any], path: NodePath) -> None:
        self.value, self.path = value, path
        self.key: str | None = None
        self.key_mark: yaml.Mark | None = None


class EventBuilder:
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
                raise Refused(event.start_mark, ALIAS, _ALIASES_REFUSED)
            elif kind is yaml.DocumentStartEvent:
                self.documents += 1
                if self.documents > 1:
                    raise Refused(event.start_mark, MULTIPLE_DOCUMENTS,
                                   "a file holds one SOP: found a second YAML document (---)")

    def _node(self, event: Any, value: Any) -> NodePath:
        """Place ``value`` (a scalar or a new container) where the open container wants it."""
        if event.anchor is not None:
            raise Refused(event.start_mark, ALIAS,
                           "YAML anchors (&name) are not allowed in SOP files")
        tag = event.tag
        if tag is not None and tag not in _STANDARD_TAGS and tag != "!":
            raise Refused(event.start_mark, UNSAFE_TAG, f"tag {tag!r} is not allowed")
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
