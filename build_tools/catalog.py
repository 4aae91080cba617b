"""All SOPs of a knowledge base: found, loaded, validated, and checked against each other."""

from __future__ import annotations

import gc
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from build_tools.grammar import ANY_SOP_LINK, SOP_LINK
from build_tools.model import Sop
from build_tools.paths import step_anchors
from build_tools.problem import Level, Problem
from build_tools.reference import Reference, load_reference, reference_problems
from build_tools.rules import rule_problems
from build_tools.schema import schema_problems
from build_tools.synonyms import load_synonyms
from build_tools.training import TrainingPath, load_training
from build_tools.yamlsource import Document, load_document

SOP_SUFFIXES = (".yaml", ".yml")


@dataclass
class Catalog:
    """The valid SOPs, in id order, and every problem found on the way."""

    sops: list[Sop] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    reference: Reference = field(default_factory=Reference)
    synonyms: list[list[str]] = field(default_factory=list)
    training: list[TrainingPath] = field(default_factory=list)
    documents: list[Document] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        return [problem for problem in self.problems if problem.is_error]

    def by_id(self) -> dict[str, Sop]:
        return {sop.id: sop for sop in self.sops}


def find_sop_files(paths: Iterable[Path]) -> tuple[list[Path], list[Problem]]:
    """The YAML files named by ``paths`` (directories are searched recursively)."""
    files: list[Path] = []
    problems: list[Problem] = []
    for path in paths:
        if path.is_dir():
            found = sorted(p for p in path.rglob("*") if p.suffix in SOP_SUFFIXES and p.is_file())
            if not found:
                problems.append(Problem(str(path), 1, 1, Level.ERROR, "no-sops",
                                        "no SOP files (*.yaml) in this directory"))
            files.extend(found)
        elif path.is_file():
            files.append(path)
        else:
            problems.append(Problem(str(path), 1, 1, Level.ERROR, "not-found",
                                    "no such file or directory"))
    return files, problems


def _display(path: Path, base: Path | None) -> str:
    if base is not None:
        try:
            return os.path.relpath(path, base)
        except ValueError:  # pragma: no cover - other drive on Windows
            pass
    return str(path)


class FileCache:
    """What loading and checking one SOP file found, kept while the file is unchanged.

    ``mkdocs serve`` keeps one for its whole session, so a rebuild after editing one SOP
    reads and checks that file alone; the checks across files run again in full (they are
    linear in the number of SOPs).
    """

    def __init__(self) -> None:
        self._entries: dict[tuple[Path, str], _Entry] = {}

    def check(self, path: Path, display: str) -> _Entry:
        try:
            stat = path.stat()
            key: tuple[int, int] | None = (stat.st_size, stat.st_mtime_ns)
        except OSError:
            key = None
        entry = self._entries.get((path, display))
        if entry is None or key is None or entry.key != key:
            entry = _Entry(key, *check_file(path, display))
            self._entries[(path, display)] = entry
        return entry


@dataclass
class _Entry:
    key: tuple[int, int] | None
    document: Document
    problems: list[Problem]
    sop: Sop | None = None


def check_file(path: Path, display: str) -> tuple[Document, list[Problem]]:
    """Load one SOP file and check it on its own: YAML, schema and rules."""
    doc = load_document(path, display)
    problems = list(doc.problems)
    if doc.data is not None:
        problems.extend(schema_problems(doc))
        problems.extend(rule_problems(doc))
    return doc, problems


def load_catalog(paths: Iterable[Path], base: Path | None = None,
                 reference_dir: Path | None = None, synonyms_file: Path | None = None,
                 training_dir: Path | None = None,
                 progress: Callable[[int, int], None] | None = None,
                 cache: FileCache | None = None) -> Catalog:
    """Load and validate every SOP under ``paths``, the reference files in ``reference_dir``,
    the search synonyms in ``synonyms_file`` and the training paths in ``training_dir`` (the
    last three only where they exist).

    File names in problems are shown relative to ``base``. ``progress(done, total)`` is
    called after each SOP file; ``cache`` reuses the results of files unchanged since.
    """
    # Loading only adds objects that stay; the cycle collector's full passes over them would
    # make validation grow faster than the number of files (seen: +40 % per SOP at 10,000).
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _load_catalog(paths, base, reference_dir, synonyms_file, training_dir, progress,
                             cache or FileCache())
    finally:
        if collecting:
            gc.enable()


def _load_catalog(paths: Iterable[Path], base: Path | None, reference_dir: Path | None,
                  synonyms_file: Path | None, training_dir: Path | None,
                  progress: Callable[[int, int], None] | None, cache: FileCache) -> Catalog:
    files, problems = find_sop_files(paths)
    entries = []
    for done, path in enumerate(files, 1):
        entries.append(cache.check(path, _display(path, base)))
        if progress is not None:
            progress(done, len(files))
    documents = [entry.document for entry in entries]
    for entry in entries:
        problems.extend(entry.problems)
    problems.extend(cross_problems(documents))
    failed = {problem.path for problem in problems if problem.is_error}
    sops = []
    for entry in entries:
        if entry.document.path not in failed:
            if entry.sop is None:
                entry.sop = Sop.from_data(entry.document.data, entry.document.path)
            sops.append(entry.sop)
    reference = Reference()
    if reference_dir is not None and reference_dir.is_dir():
        reference, found = load_reference(reference_dir, _display(reference_dir, base))
        problems.extend(found)
        problems.extend(reference_problems(
            reference, {sop_id for _, sop_id in _ids(documents)},
            {channel for sop in sops for channel in sop.channels},
            {metric for sop in sops for metric in sop.feedback.metrics}))
    synonyms: list[list[str]] = []
    if synonyms_file is not None and synonyms_file.is_file():
        synonyms, found = load_synonyms(synonyms_file, _display(synonyms_file, base))
        problems.extend(found)
    training: list[TrainingPath] = []
    if training_dir is not None and training_dir.is_dir():
        training, found = load_training(training_dir, _display(training_dir, base),
                                        {sop.id: sop for sop in sops},
                                        {sop_id for _, sop_id in _ids(documents)})
        problems.extend(found)
    return Catalog(sorted(sops, key=lambda sop: sop.id), sorted(problems), reference, synonyms,
                   training, documents)


def _ids(documents: list[Document]) -> Iterator[tuple[Document, str]]:
    for doc in documents:
        if isinstance(doc.data, dict) and isinstance(doc.data.get("id"), str):
            yield doc, doc.data["id"]


def cross_problems(documents: list[Document]) -> Iterator[Problem]:
    """duplicate-id / unknown-related: ids are unique across files; ``related`` names existing SOPs.

    Runs in linear time: one pass collects the ids, one pass checks the references.
    """
    first: dict[str, Document] = {}
    for doc, sop_id in _ids(documents):
        if sop_id in first:
            other = first[sop_id]
            yield doc.problem(("id",), "duplicate-id",
                              f"id {sop_id!r} is already used by "
                              f"{other.path}:{other.position(('id',))[0]}")
        else:
            first[sop_id] = doc
    yield from _alias_problems(documents, first)
    yield from _sop_link_problems(documents, first)
    for doc, sop_id in _ids(documents):
        related = doc.data.get("related")
        if not isinstance(related, list):
            continue
        for index, other_id in enumerate(related):
            if not isinstance(other_id, str):
                continue
            if other_id == sop_id:
                yield doc.problem(("related", index), "unknown-related",
                                  f"related[{index + 1}] names the SOP itself")
            elif other_id not in first:
                yield doc.problem(("related", index), "unknown-related",
                                  f"related[{index + 1}] {other_id!r} is not the id of any SOP")


def _alias_problems(documents: list[Document], ids: dict[str, Document]) -> Iterator[Problem]:
    """duplicate-id: an alias (a former id) is never the id or alias of another SOP, since its
    URL redirects to exactly one page."""
    owners: dict[str, Document] = {}
    for doc, _ in _ids(documents):
        aliases = doc.data.get("aliases")
        if not isinstance(aliases, list):
            continue
        for index, alias in enumerate(aliases):
            if not isinstance(alias, str):
                continue
            if alias in ids or alias in owners:
                other = ids.get(alias) or owners[alias]
                yield doc.problem(("aliases", index), "duplicate-id",
                                  f"alias {alias!r} is already used by {other.path}")
            else:
                owners[alias] = doc


def _sop_link_problems(documents: list[Document], ids: dict[str, Document]) -> Iterator[Problem]:
    """sop-link: every ``[[CS-COMP-002]]`` or ``[[CS-COMP-002#step]]`` in SOP text names an
    existing SOP (and step), so it renders as a link that works."""
    for doc in documents:
        for node_path, text in doc.strings:
            if "[[" not in text:
                continue
            for match in ANY_SOP_LINK.finditer(text):
                link = SOP_LINK.fullmatch(match.group(0))
                if link is None:
                    yield doc.problem(node_path, "sop-link",
                                      f"{match.group(0)!r} is not an SOP link; write "
                                      f"[[CS-COMP-002]] or [[CS-COMP-002#step-id]]")
                elif link["id"] not in ids:
                    yield doc.problem(node_path, "sop-link",
                                      f"{match.group(0)} names no SOP: {link['id']!r} is "
                                      f"not an id")
                elif link["step"] and link["step"] not in {
                        anchor for _, anchor in step_anchors(ids[link["id"]].data)}:
                    yield doc.problem(node_path, "sop-link",
                                      f"{match.group(0)}: {link['id']} has no step "
                                      f"{link['step']!r}")
