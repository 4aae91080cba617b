"""Structure and types of an SOP, checked against the JSON Schema shipped in ``schema/``.

The same schema file is what editors use for completion and inline errors, so the
validator and the editor cannot disagree about the format. jsonschema's errors are
turned into :class:`Problem` lines that name the component and point at the node.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Callable, Iterator
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import fastjsonschema
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError
from referencing import Registry, Resource

from build_tools.problem import Problem, Rule
from build_tools.rules.components import component_of
from build_tools.source.document import Document, NodePath, load_document
from build_tools.source.nodes import describe, lookup

SOP_SCHEMA = "sop.schema.json"

#: What the schemas refuse (``sopkb rules``).
NOT_A_MAPPING = Rule("not-a-mapping", "the file is not a mapping of keys")
MISSING_COMPONENT = Rule("missing-component", "one of the six required components is absent")
EMPTY_COMPONENT = Rule("empty-component", "a required component is present but empty")
MISSING_KEY = Rule("missing-key", "a required key is absent")
UNKNOWN_KEY = Rule("unknown-key", "a key the format does not know (a typo, usually)")
WRONG_TYPE = Rule("wrong-type", "a value of the wrong kind (text, list, mapping)")
EMPTY = Rule("empty", "an empty text or list where content is required")
TOO_LONG = Rule("too-long", "a text or list longer than the format allows")
BAD_FORMAT = Rule("bad-format",
                  "a value that does not match its pattern (id, step id, duration, date…)")
UNKNOWN_VALUE = Rule("unknown-value", "a value outside its list (status, channel, metric)")
DUPLICATE_ITEM = Rule("duplicate-item", "a list that names the same value twice")
SCHEMA = Rule("schema", "any other departure from the schema")

_TYPE_NAMES = {"object": "a mapping", "array": "a list", "string": "text",
               "boolean": "true or false", "null": "nothing"}


@cache
def load_schema(name: str = SOP_SCHEMA) -> dict[str, Any]:
    """A JSON Schema shipped in ``build_tools/schema/``."""
    text = resources.files("build_tools").joinpath("schema", name).read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


def whole_text_patterns(node: Any) -> Any:
    """``node`` with every ``pattern`` ending in ``$`` ending in ``\\Z`` instead. The schemas
    are written for editors, where a pattern is an ECMAScript regular expression and ``$``
    is the end of the text; the Python validators read ``$`` as "the end, or before a final
    line break", which let ``"balas-laporan\\n"`` pass as a step id."""
    if isinstance(node, dict):
        return {key: (value[:-1] + r"\Z" if key == "pattern" and isinstance(value, str)
                      and value.endswith("$") and not value.endswith(r"\$")
                      else whole_text_patterns(value)) for key, value in node.items()}
    if isinstance(node, list):
        return [whole_text_patterns(item) for item in node]
    return node


def schema_names() -> list[str]:
    folder = resources.files("build_tools").joinpath("schema")
    return sorted(entry.name for entry in folder.iterdir() if entry.name.endswith(".schema.json"))


@cache
def _validator(name: str) -> Draft202012Validator:
    # Schemas refer to each other by file name (as editors resolve them), e.g.
    # "sop.schema.json#/$defs/channel"; the registry answers those references offline.
    registry: Registry = Registry().with_resources(
        (other, Resource.from_contents(whole_text_patterns(load_schema(other))))
        for other in schema_names())
    return Draft202012Validator(whole_text_patterns(load_schema(name)), registry=registry)


@cache
def fast_check(name: str) -> Callable[[Any], Any] | None:
    """The schema compiled to Python by fastjsonschema (about ten times faster than
    jsonschema), for schemas without references to other files; None for the others."""
    schema = whole_text_patterns(load_schema(name))
    if "sop.schema.json#" in json.dumps(schema):
        return None
    inlined = _inline_refs(schema, schema.get("$defs", {}))
    return fastjsonschema.compile({**inlined, "$schema": "http://json-schema.org/draft-07/schema#"},
                                  detailed_exceptions=False)


#: Keywords that only describe; beside a ``$ref`` they need no ``allOf`` to keep.
_ANNOTATIONS = frozenset({"description", "title", "examples", "default", "$comment",
                          "markdownDescription"})


def _inline_refs(node: Any, definitions: dict[str, Any]) -> Any:
    """``node`` with every ``#/$defs/…`` reference replaced by the definition itself: the
    compiled check then calls no function per referenced value (fastjsonschema builds an
    error path with ``str.format(**locals())`` at each such call, valid data or not)."""
    if isinstance(node, list):
        return [_inline_refs(item, definitions) for item in node]
    if not isinstance(node, dict):
        return node
    inlined = {key: _inline_refs(value, definitions) for key, value in node.items()
               if key not in ("$ref", "$defs")}
    reference = node.get("$ref")
    if isinstance(reference, str) and reference.startswith("#/$defs/"):
        target = _inline_refs(definitions[reference.removeprefix("#/$defs/")], definitions)
        rest = {key: value for key, value in inlined.items() if key not in _ANNOTATIONS}
        return {**rest, "allOf": [target]} if rest else target
    if "$ref" in node:
        inlined["$ref"] = node["$ref"]
    return inlined


def is_valid(data: Any, name: str = SOP_SCHEMA) -> bool:
    """Whether ``data`` passes the schema, by the fastest validator available."""
    check = fast_check(name)
    if check is None:
        return _validator(name).is_valid(data)
    try:
        check(data)
    except fastjsonschema.JsonSchemaException:
        return False
    return True


def schema_problems(doc: Document, name: str = SOP_SCHEMA) -> Iterator[Problem]:
    """Every way ``doc.data`` departs from the schema ``name``, one problem each.

    Valid data (the common case) is confirmed by the compiled check; only invalid data goes
    through jsonschema, which reports every error with its path.
    """
    if not isinstance(doc.data, dict):
        yield doc.problem((), NOT_A_MAPPING,
                          f"the file must be a mapping of keys (found {_kind(doc.data)})")
        return
    if is_valid(doc.data, name):
        return
    seen: set[Problem] = set()
    for error in _validator(name).iter_errors(doc.data):
        for problem in _problems_for(doc, error):
            if problem not in seen:  # e.g. one 'empty' problem for several missing keys
                seen.add(problem)
                yield problem


def _problems_for(doc: Document, error: ValidationError) -> Iterator[Problem]:
    node_path: NodePath = tuple(error.absolute_path)
    where = describe(node_path)
    component = component_of(node_path)
    prefix = f"{component}: " if component else ""
    kind = error.validator
    # jsonschema types these as possibly unset; an error from iter_errors has them all.
    schema: Any = error.schema
    instance: Any = error.instance
    value: Any = error.validator_value
    if kind == "required":
        yield from _missing_keys(doc, error, node_path)
    elif kind == "additionalProperties":
        known = list(schema.get("properties", {}))
        for key in sorted(set(instance) - set(known)):
            close = difflib.get_close_matches(key, known, n=1)
            hint = f"did you mean {close[0]!r}?" if close else f"known keys: {', '.join(known)}"
            yield doc.problem((*node_path, key), UNKNOWN_KEY,
                              f"{prefix}unknown key {key!r} in {where}", hint=hint, at_key=True)
    elif kind == "type" and len(node_path) == 1 and component and _is_blank(instance):
        yield doc.problem(node_path, EMPTY_COMPONENT,
                          f"{component} is empty: {where} has no content")
    elif kind == "type":
        expected = _TYPE_NAMES.get(str(value), str(value))
        yield doc.problem(node_path, WRONG_TYPE,
                          f"{prefix}{where} must be {expected} (found {_kind(instance)})")
    elif kind in ("minLength", "minItems"):
        rule = EMPTY_COMPONENT if len(node_path) == 1 and component else EMPTY
        what = "an empty list" if kind == "minItems" else "empty"
        yield doc.problem(node_path, rule, f"{prefix}{where} is {what}")
    elif kind in ("maxLength", "maxItems"):
        limit = value
        unit = "characters" if kind == "maxLength" else "items"
        yield doc.problem(node_path, TOO_LONG,
                          f"{prefix}{where} is too long (at most {limit} {unit})")
    elif kind == "pattern":
        rule_text = schema.get("x-message", f"must match {value}")
        yield doc.problem(node_path, BAD_FORMAT,
                          f"{prefix}{where} {rule_text} (found {_quote(instance)})")
    elif kind == "enum" and _is_key_of(instance, lookup(doc.data, node_path)):
        # from propertyNames: the key itself is not one of the allowed names
        allowed = ", ".join(str(value) for value in value)
        yield doc.problem((*node_path, instance), UNKNOWN_KEY,
                          f"{prefix}unknown key {instance!r} in {where}",
                          hint=f"known keys: {allowed}", at_key=True)
    elif kind == "enum":
        allowed = ", ".join(str(value) for value in value)
        yield doc.problem(node_path, UNKNOWN_VALUE,
                          f"{prefix}{where}: {_quote(instance)} is not one of: {allowed}")
    elif kind == "uniqueItems":
        yield doc.problem(node_path, DUPLICATE_ITEM, f"{prefix}{where} lists a value twice")
    else:  # pragma: no cover - every keyword the schema uses is handled above
        yield doc.problem(node_path, SCHEMA, f"{prefix}{where}: {error.message}")


def _missing_keys(doc: Document, error: ValidationError, node_path: NodePath) -> Iterator[Problem]:
    # jsonschema reports one error per missing key; report each key once, in schema order.
    component = component_of(node_path)
    instance: Any = error.instance
    required: Any = error.validator_value
    if len(node_path) == 1 and component and _is_blank(instance):
        yield doc.problem(node_path, EMPTY_COMPONENT,
                          f"{component} is empty: {describe(node_path)} has no content")
        return
    missing = [key for key in required if key not in instance]
    key = next((key for key in missing if repr(key) in error.message), missing[0])
    component = component_of((*node_path, key))
    if not node_path and component:
        yield doc.problem(node_path, MISSING_COMPONENT,
                          f"missing {component}: required key {key!r} is absent")
        return
    prefix = f"{component}: " if component else ""
    yield doc.problem(node_path, MISSING_KEY,
                      f"{prefix}{describe(node_path)} lacks required key {key!r}")


def _is_key_of(value: Any, container: Any) -> bool:
    """Whether an error is about a mapping's key (from ``propertyNames``), not a value."""
    return isinstance(value, str) and isinstance(container, dict) and value in container


def _is_blank(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def _kind(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return "text"


def _quote(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "...'"


def load_checked(path: Path, display: str, name: str,
                 root: Path | None = None) -> tuple[Document, list[Problem]]:
    """Load the YAML file ``path`` and check it against the schema ``name`` (a file leading
    out of ``root`` through a symbolic link is not read: see :func:`load_document`)."""
    doc = load_document(path, display, root)
    problems = list(doc.problems)
    if doc.data is not None:
        problems.extend(schema_problems(doc, name))
    return doc, problems
