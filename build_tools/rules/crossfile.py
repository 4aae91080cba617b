"""Checks across SOP files: ids are unique (former ids too), ``related`` and ``[[ID]]``
links name SOPs (and steps) that exist. Each runs in linear time: one pass collects the
ids, one checks the references."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from build_tools.model.grammar import ANY_SOP_LINK, SOP_LINK
from build_tools.problem import Problem, Rule
from build_tools.source.document import Document
from build_tools.source.nodes import step_anchors

DUPLICATE_ID = Rule("duplicate-id", "an id or former id used by two SOPs (or two training paths)")
UNKNOWN_RELATED = Rule("unknown-related", "related names no SOP, or the SOP itself")
BAD_SOP_LINK = Rule("sop-link", "a [[ID]] or [[ID#step]] link names no SOP or step")


def sop_ids(documents: Iterable[Document]) -> set[str]:
    """The id of every document that has one, valid or not."""
    return {sop_id for _, sop_id in identified(documents)}


def identified(documents: Iterable[Document]) -> Iterator[tuple[Document, str]]:
    """Every document whose data has an SOP id (valid or not), with that id."""
    for doc in documents:
        if isinstance(doc.data, dict) and isinstance(doc.data.get("id"), str):
            yield doc, doc.data["id"]


def cross_problems(documents: list[Document]) -> Iterator[Problem]:
    """duplicate-id / unknown-related: ids are unique across files; ``related`` names existing SOPs.

    Runs in linear time: one pass collects the ids, one pass checks the references.
    """
    first: dict[str, Document] = {}
    for doc, sop_id in identified(documents):
        if sop_id in first:
            other = first[sop_id]
            yield doc.problem(("id",), DUPLICATE_ID,
                              f"id {sop_id!r} is already used by "
                              f"{other.path}:{other.position(('id',))[0]}")
        else:
            first[sop_id] = doc
    yield from _alias_problems(documents, first)
    yield from _sop_link_problems(documents, first)
    for doc, sop_id in identified(documents):
        related = doc.data.get("related")
        if not isinstance(related, list):
            continue
        for index, other_id in enumerate(related):
            if not isinstance(other_id, str):
                continue
            if other_id == sop_id:
                yield doc.problem(("related", index), UNKNOWN_RELATED,
                                  f"related[{index + 1}] names the SOP itself")
            elif other_id not in first:
                yield doc.problem(("related", index), UNKNOWN_RELATED,
                                  f"related[{index + 1}] {other_id!r} is not the id of any SOP")


def _alias_problems(documents: list[Document], ids: dict[str, Document]) -> Iterator[Problem]:
    """duplicate-id: an alias (a former id) is never the id or alias of another SOP, since its
    URL redirects to exactly one page."""
    owners: dict[str, Document] = {}
    for doc, _ in identified(documents):
        aliases = doc.data.get("aliases")
        if not isinstance(aliases, list):
            continue
        for index, alias in enumerate(aliases):
            if not isinstance(alias, str):
                continue
            if alias in ids or alias in owners:
                other = ids.get(alias) or owners[alias]
                yield doc.problem(("aliases", index), DUPLICATE_ID,
                                  f"alias {alias!r} is already used by {other.path}")
            else:
                owners[alias] = doc


def _sop_link_problems(documents: list[Document], ids: dict[str, Document]) -> Iterator[Problem]:
    """sop-link: every ``[[CS-COMP-002]]`` or ``[[CS-COMP-002#step]]`` in SOP text names an
    existing SOP (and step), so it renders as a link that works."""
    for doc in documents:
        for node_path, text in doc.link_strings:
            for match in ANY_SOP_LINK.finditer(text):
                link = SOP_LINK.fullmatch(match.group(0))
                if link is None:
                    yield doc.problem(node_path, BAD_SOP_LINK,
                                      f"{match.group(0)!r} is not an SOP link; write "
                                      f"[[CS-COMP-002]] or [[CS-COMP-002#step-id]]")
                elif link["id"] not in ids:
                    yield doc.problem(node_path, BAD_SOP_LINK,
                                      f"{match.group(0)} names no SOP: {link['id']!r} is "
                                      f"not an id")
                elif link["step"] and link["step"] not in {
                        anchor for _, anchor in step_anchors(ids[link["id"]].data)}:
                    yield doc.problem(node_path, BAD_SOP_LINK,
                                      f"{match.group(0)}: {link['id']} has no step "
                                      f"{link['step']!r}")
