"""All SOPs of a knowledge base: found, loaded, validated, and checked against each other."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from build_tools.model.reference import Reference
from build_tools.model.sop import Sop
from build_tools.model.training import TrainingPath
from build_tools.problem import Level, Problem, Rule
from build_tools.rules.crossfile import cross_problems, sop_ids
from build_tools.rules.reference import load_reference, owner_problems, reference_problems
from build_tools.rules.schema import schema_problems
from build_tools.rules.sop import rule_problems
from build_tools.rules.synonyms import load_synonyms
from build_tools.rules.training import load_training
from build_tools.source.document import YAML_SUFFIXES, Document, load_document
from build_tools.source.paths import shown, unsafe_characters

NOT_FOUND = Rule("not-found", "a path given on the command line does not exist")
NO_SOPS = Rule("no-sops", "a folder given to validate holds no SOP files")
UNSAFE_PATH = Rule("unsafe-path",
                   "a file's path holds characters other than letters, digits, '.', '_', '-', '/'")


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


def find_sop_files(paths: Iterable[Path],
                   base: Path | None = None) -> tuple[list[Path], list[Problem]]:
    """The YAML files named by ``paths`` (directories are searched recursively), and a
    problem for each whose path (from ``base``) could not stand in CODEOWNERS."""
    files: list[Path] = []
    problems: list[Problem] = []
    for path in paths:
        if path.is_dir():
            found = sorted(p for p in path.rglob("*") if p.suffix in YAML_SUFFIXES and p.is_file())
            if not found:
                problems.append(Problem(str(path), 1, 1, Level.ERROR, NO_SOPS.id,
                                        "no SOP files (*.yaml) in this directory"))
            files.extend(found)
        elif path.is_file():
            files.append(path)
        else:
            problems.append(Problem(shown(str(path)), 1, 1, Level.ERROR, NOT_FOUND.id,
                                    "no such file or directory"))
    for file in files if base is not None else ():
        display = os.path.relpath(file, base).replace(os.sep, "/")
        inside = not os.path.isabs(display) and not display.startswith("../")
        reason = unsafe_characters(display) if inside else None
        if reason is not None:
            problems.append(Problem(shown(display), 1, 1, Level.ERROR, UNSAFE_PATH.id,
                                    f"the file's path holds {reason}; rename it (the path "
                                    f"goes into CODEOWNERS and links)"))
    return files, problems


def _display(path: Path, base: Path | None) -> str:
    """``path`` from ``base``, as problems name it (on one line)."""
    if base is not None:
        try:
            return shown(os.path.relpath(path, base))
        except ValueError:  # pragma: no cover - other drive on Windows
            pass
    return shown(str(path))


class FileCache:
    """What loading and checking one SOP file found, kept while the file is unchanged.

    ``mkdocs serve`` keeps one for its whole session, so a rebuild after editing one SOP
    reads and checks that file alone; the checks across files run again in full (they are
    linear in the number of SOPs).
    """

    def __init__(self) -> None:
        self._entries: dict[tuple[Path, str], _Entry] = {}

    def check(self, path: Path, display: str, root: Path | None = None) -> _Entry:
        try:
            stat = path.stat()
            key: tuple[int, int] | None = (stat.st_size, stat.st_mtime_ns)
        except OSError:
            key = None
        entry = self._entries.get((path, display))
        if entry is None or key is None or entry.key != key:
            entry = _Entry(key, *check_file(path, display, root))
            self._entries[(path, display)] = entry
        return entry


@dataclass
class _Entry:
    key: tuple[int, int] | None
    document: Document
    problems: list[Problem]
    sop: Sop | None = None


def check_file(path: Path, display: str,
               root: Path | None = None) -> tuple[Document, list[Problem]]:
    """Load one SOP file and check it on its own: YAML, schema and rules (a file leading out
    of ``root``, the repository, through a symbolic link is not read)."""
    doc = load_document(path, display, root)
    problems = list(doc.problems)
    if doc.data is not None:
        problems.extend(schema_problems(doc))
        problems.extend(rule_problems(doc))
    return doc, problems


def load_catalog(paths: Iterable[Path], base: Path | None = None,
                 reference_dir: Path | None = None, synonyms_file: Path | None = None,
                 training_dir: Path | None = None,
                 progress: Callable[[int, int], None] | None = None,
                 cache: FileCache | None = None, documents: bool = True) -> Catalog:
    """Load and validate every SOP under ``paths``, the reference files in ``reference_dir``,
    the search synonyms in ``synonyms_file`` and the training paths in ``training_dir`` (the
    last three only where they exist).

    File names in problems are shown relative to ``base``. ``progress(done, total)`` is
    called after each SOP file; ``cache`` reuses the results of files unchanged since.
    Without ``documents`` (a build), the parsed files are not kept in the catalog: a file's
    nodes with their positions weigh about four times its SOP (50 KB a typical SOP).
    """
    catalog = _load_catalog(paths, base, reference_dir, synonyms_file, training_dir,
                            progress, cache or FileCache())
    if not documents:
        catalog.documents = []
    return catalog


def _load_catalog(paths: Iterable[Path], base: Path | None, reference_dir: Path | None,
                  synonyms_file: Path | None, training_dir: Path | None,
                  progress: Callable[[int, int], None] | None, cache: FileCache) -> Catalog:
    files, problems = find_sop_files(paths, base)
    entries = []
    for done, path in enumerate(files, 1):
        entries.append(cache.check(path, _display(path, base), base))
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
        reference, found = load_reference(reference_dir, _display(reference_dir, base), base)
        problems.extend(found)
        problems.extend(reference_problems(
            reference, sop_ids(documents),
            {channel for sop in sops for channel in sop.channels},
            {metric for sop in sops for metric in sop.feedback.metrics}))
        problems.extend(owner_problems(reference, documents))
    synonyms: list[list[str]] = []
    if synonyms_file is not None and synonyms_file.is_file():
        synonyms, found = load_synonyms(synonyms_file, _display(synonyms_file, base), base)
        problems.extend(found)
    training: list[TrainingPath] = []
    if training_dir is not None and training_dir.is_dir():
        training, found = load_training(training_dir, _display(training_dir, base),
                                        {sop.id: sop for sop in sops},
                                        sop_ids(documents), base)
        problems.extend(found)
    return Catalog(sorted(sops, key=lambda sop: sop.id), sorted(problems), reference, synonyms,
                   training, documents)
