"""Every committed version of the YAML files under a folder, read from git in one pass.

One ``git log`` lists every commit reachable from the commit read (HEAD by default) with
the files under the folder that each changed (``-z``, so a path may hold any byte; no
rename detection: a moved file is one path removed and one added, and the SOP is followed
by the ``id`` inside it, in :mod:`build_tools.model.versions`). One ``git cat-file --batch``
then reads every blob those changes left, each loaded with the project's own loader
(:func:`~build_tools.source.document.load_text`, which never raises). No checkout, and no
process per commit or per file.

**The main line** is the first-parent history of the commit read: on ``main``, the commits
made on it and the merge commits of the pull requests merged into it, never the commits
inside those pull requests. A file's content **reached main** with the main-line commit
whose change against its first parent brought that content: for a merged pull request its
merge commit, for a squashed or rebased one the commit GitHub wrote on ``main``, whose
committer date is the moment of the merge. That committer date (with the committer's UTC
offset) is :attr:`MainLineCommit.date`. :attr:`FileChange.commit` is the commit that wrote
the content: the last commit of the merged pull request that did, or the main-line commit
itself when nothing else did.

Reading never raises: a folder outside a git repository, git missing, a repository with no
commit yet or a failing git leave a :class:`History` with no head and one notice; a shallow
clone is read as far as it goes, with a notice. Nothing here knows what an SOP is.
"""

from __future__ import annotations

import datetime
import os
import subprocess
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from build_tools.problem import Level, Problem
from build_tools.source.document import MAX_BYTES, YAML_SUFFIXES, Document, load_text

#: Regular files only (not symbolic links, not submodules).
_FILE_MODES = (b"100644", b"100755")
_SUFFIXES = tuple(suffix.encode() for suffix in YAML_SUFFIXES)


class GitUnavailable(Exception):
    """Git cannot answer: not installed, not a repository, or the command failed."""


@dataclass(frozen=True)
class MainLineCommit:
    """A commit of the main line, and the moment it was made (its committer date)."""

    sha: str
    date: datetime.datetime


@dataclass(frozen=True, eq=False)
class SourceText:
    """A file's text: its data, read once with the project's loader, and the problems that
    stopped reading (with their positions). :meth:`document` gives the whole
    :class:`~build_tools.source.document.Document`, every node's position included, read
    again from ``raw`` when needed (positions weigh twice the data, 67 KB against 24 KB for
    a typical SOP, and only what reports problems needs them), or ``loaded`` when the file
    was read whole already (a working tree's file)."""

    name: str
    data: Any
    problems: tuple[Problem, ...] = ()
    raw: bytes | None = field(default=None, repr=False)
    loaded: Document | None = field(default=None, repr=False)

    @classmethod
    def of(cls, document: Document) -> SourceText:
        """A file already read whole."""
        return cls(document.path, document.data, tuple(document.problems), loaded=document)

    def document(self) -> Document:
        if self.loaded is not None:
            return self.loaded
        return _document(self.raw, self.name)

    def unplaced(self) -> Document:
        """Its data and problems as a document without node positions, without reading
        the text again (see :meth:`Document.unplaced`)."""
        if self.loaded is not None:
            return self.loaded
        return Document.unplaced(self.name, self.data, self.problems)


@dataclass(frozen=True)
class FileChange:
    """A file under the folder as a main-line commit left it: added or changed (with its
    ``text``), or removed (``blob`` and ``text`` None). ``path`` is relative to the
    repository's top, ``/``-separated; bytes that are not UTF-8 are kept as
    :func:`os.fsdecode` keeps them. ``text.name`` is ``<commit>:<path>``, as ``git show``
    reads it (the commit that wrote it, shortened)."""

    path: str
    main: MainLineCommit
    commit: str
    blob: str | None
    text: SourceText | None


@dataclass(frozen=True)
class History:
    """What git holds about a folder: its files' changes on the main line, oldest first.
    Without ``head`` (no repository, no commit, no git), there are no changes and the one
    notice says why: callers then have the current files only."""

    folder: Path
    head: str | None = None
    changes: tuple[FileChange, ...] = ()
    notices: tuple[str, ...] = ()
    shallow: bool = False

    @property
    def available(self) -> bool:
        return self.head is not None


def git_command(cwd: Path, *args: str) -> list[str]:
    """The command line of git run with ``args`` in ``cwd``."""
    return ["git", "-C", str(cwd), *args]


def _git(cwd: Path, *args: str, stdin: bytes | None = None) -> bytes:
    try:
        result = subprocess.run(git_command(cwd, *args), input=stdin,
                                capture_output=True, check=False)
    except FileNotFoundError as error:
        raise GitUnavailable("git is not installed") from error
    except OSError as error:
        raise GitUnavailable(f"git cannot run: {error.strerror}") from error
    if result.returncode != 0:
        lines = result.stderr.decode("utf-8", "replace").strip().splitlines()
        raise GitUnavailable((lines[0] if lines else "git failed").removeprefix("fatal: "))
    return result.stdout


def head_commit(folder: Path) -> str | None:
    """The commit id of HEAD in the repository holding ``folder``, or None (no repository,
    no commit, no git). The key to cache :func:`read_history` by: history read at one
    commit never changes, so an edit under ``mkdocs serve`` does not re-read it."""
    try:
        return _git(folder, "rev-parse", "--verify", "--quiet", "HEAD^{commit}").decode().strip()
    except GitUnavailable:
        return None


def folder_prefix(folder: Path) -> str | None:
    """``folder``'s path inside its repository, ``/``-separated with a final ``/`` (empty
    for the top), as git names the files in it; None outside a repository."""
    try:
        return os.fsdecode(_git(folder, "rev-parse", "--show-prefix").rstrip(b"\n"))
    except GitUnavailable:
        return None


#: Reads committed files' contents, each ``(content, display name)``, into texts in the
#: same order (:func:`load_texts`; the speed layer's reads half on a second core).
TextLoader = Callable[[list[tuple[bytes | None, str]]], list["SourceText"]]


def load_texts(contents: list[tuple[bytes | None, str]]) -> list[SourceText]:
    """Each committed file's content read as :func:`~build_tools.source.document.
    load_document` reads a file from disk (None: git does not have it)."""
    return [_text(raw, display) for raw, display in contents]


#: Gives what ``git log`` prints of the SOP folder at a commit (:func:`git_log`; the speed
#: layer's starts it before the catalog loads).
LogReader = Callable[[Path, str], bytes]


def log_arguments(head: str) -> list[str]:
    """The arguments of the ``git log`` :func:`read_history` reads: every commit reachable
    from ``head`` (history not simplified, real parents), each with its changes under the
    folder it runs in against its first parent."""
    return ["-c", "log.showSignature=false", "log", "-z", "--format=%H %P %cI", "--raw",
            "--no-abbrev", "--no-renames", "--diff-merges=first-parent", "--full-history",
            "--sparse", "--root", "--no-color", "--no-ext-diff", "--no-relative", head,
            "--", "."]


def git_log(folder: Path, head: str) -> bytes:
    """What ``git log`` (:func:`log_arguments`) prints in ``folder``; raises
    :class:`GitUnavailable`."""
    return _git(folder, *log_arguments(head))


def read_history(folder: Path, commit: str | None = None, *,
                 load: TextLoader = load_texts, log: LogReader = git_log) -> History:
    """The history of the YAML files under ``folder`` along the main line of ``commit``
    (default HEAD); never raises. The same ``commit`` always gives the same result."""
    if not folder.is_dir():
        return History(folder, notices=(f"{folder}: no such folder: current versions only",))
    try:
        shallow = _git(folder, "rev-parse", "--is-shallow-repository").strip() == b"true"
    except GitUnavailable as error:
        return History(folder, notices=(f"{folder}: {_why(error)}: current versions only",))
    try:
        if commit is not None and commit.startswith("-"):
            raise GitUnavailable("not a commit")  # never an option of git's
        head = _git(folder, "rev-parse", "--verify", "--quiet",
                    f"{commit or 'HEAD'}^{{commit}}").decode().strip()
    except GitUnavailable:
        what = f"no commit {commit!r}" if commit else "no commit yet"
        return History(folder, notices=(f"{folder}: {what}: current versions only",))
    try:
        changes = _read(folder, head, load, log)
    except GitUnavailable as error:
        return History(folder, notices=(f"{folder}: git failed ({error}): current versions "
                                        f"only",))
    notices: tuple[str, ...] = ()
    if shallow:
        oldest = changes[0].main.date.date().isoformat() if changes else "the clone"
        notices = (f"{folder}: a shallow clone: history before {oldest} is missing; fetch the "
                   f"whole history (actions/checkout with fetch-depth: 0)",)
    return History(folder, head, tuple(changes), notices, shallow)


def _why(error: GitUnavailable) -> str:
    text = str(error)
    return "not in a git repository" if "not a git repository" in text else text


@dataclass
class _Commit:
    parents: list[str]
    date: str
    #: (path, blob or None when removed) of each file changed against the first parent.
    files: list[tuple[bytes, str | None]]


def _log(out: bytes) -> dict[str, _Commit]:
    """The commits ``git log`` (:func:`log_arguments`) printed, each with its changes."""
    commits: dict[str, _Commit] = {}
    tokens = out.split(b"\0")
    current: _Commit | None = None
    index = 0
    while index < len(tokens):
        token = tokens[index].lstrip(b"\n")
        index += 1
        if token.startswith(b":") and current is not None:
            # :old-mode new-mode old-blob new-blob status, then the path in the next token.
            meta, path = token[1:].split(b" "), tokens[index]
            index += 1
            if not path.endswith(_SUFFIXES):
                continue
            if meta[1] in _FILE_MODES:
                current.files.append((path, meta[3].decode()))
            elif meta[0] in _FILE_MODES:  # removed, or no longer a regular file
                current.files.append((path, None))
        elif token:
            sha, *parents, date = token.decode().split(" ")
            current = commits[sha] = _Commit([p for p in parents if p], date, [])
    return commits


def _main_line(commits: dict[str, _Commit], head: str) -> list[str]:
    """The first-parent chain from ``head``, oldest first (it stops where a shallow clone
    cut the history)."""
    chain = [head]
    while commits[chain[-1]].parents and commits[chain[-1]].parents[0] in commits:
        chain.append(commits[chain[-1]].parents[0])
    return chain[::-1]


def _authors(commits: dict[str, _Commit], chain: list[str]) -> dict[str, dict[bytes, str]]:
    """For each main-line merge, which of the commits it merged last wrote each
    ``path`` + blob (keyed ``blob + NUL + path``): each merged commit belongs to the first
    merge that brought it, found by walking back from the merge's other parents to the
    main line (every commit is visited once)."""
    on_main = set(chain)
    claimed: set[str] = set()
    found: dict[str, dict[bytes, str]] = {}
    for sha in chain:
        queue = deque(p for p in commits[sha].parents[1:] if p in commits)
        written: dict[bytes, str] = {}
        while queue:
            side = queue.popleft()
            if side in on_main or side in claimed:
                continue
            claimed.add(side)
            for path, blob in commits[side].files:
                if blob is not None:
                    written.setdefault(blob.encode() + b"\0" + path, side)
            queue.extend(p for p in commits[side].parents if p in commits)
        found[sha] = written
    return found


def _read(folder: Path, head: str, load: TextLoader, log: LogReader) -> list[FileChange]:
    out = log(folder, head)
    try:
        commits = _log(out)
    except (ValueError, IndexError, UnicodeDecodeError) as error:
        raise GitUnavailable(f"git log printed what it was not asked for ({error})") from error
    chain = _main_line(commits, head)
    authors = _authors(commits, chain)
    mains = {sha: MainLineCommit(sha, datetime.datetime.fromisoformat(commits[sha].date))
             for sha in chain}
    written = [(mains[sha], os.fsdecode(raw_path), blob,
                authors[sha].get((blob or "").encode() + b"\0" + raw_path, sha))
               for sha in chain for raw_path, blob in commits[sha].files]
    contents = read_objects(folder, sorted({blob for _, _, blob, _ in written if blob}))
    names: dict[tuple[str, str], str] = {}  # each content once per path, named by its writer
    for _, path, blob, author in written:
        if blob is not None:
            names.setdefault((blob, path), f"{author[:12]}:{path}")
    texts = dict(zip(names, load([(contents.get(blob), name)
                                  for (blob, _), name in names.items()]), strict=True))
    return [FileChange(path, main, author, blob,
                       texts[blob, path] if blob is not None else None)
            for main, path, blob, author in written]


def read_objects(folder: Path, names: list[str]) -> dict[str, bytes | None]:
    """The content of each git object ``names`` (blob ids, or ``commit:path``), read with
    one ``git cat-file --batch``; None for a name git does not have. Names hold no line
    break. Raises :class:`GitUnavailable`."""
    if not names:
        return {}
    out = _git(folder, "cat-file", "--batch", stdin="".join(f"{n}\n" for n in names).encode())
    found: dict[str, bytes | None] = {}
    offset = 0
    for name in names:
        end = out.index(b"\n", offset)
        header = out[offset:end]
        offset = end + 1
        if header.endswith((b" missing", b" ambiguous")):
            found[name] = None
            continue
        size = int(header.rsplit(b" ", 1)[1])
        found[name] = out[offset:offset + size]
        offset += size + 1
    return found


def _document(raw: bytes | None, display: str) -> Document:
    """A file's content loaded as :func:`~build_tools.source.document.load_document` would
    load it from disk: refused when missing, too large or not UTF-8."""
    if raw is None:
        return _unreadable(display, "git does not have this file's content", "unreadable")
    if len(raw) > MAX_BYTES:
        return _unreadable(display, f"file is {len(raw):,} bytes; an SOP file may have at "
                           f"most {MAX_BYTES:,}", "file-too-large")
    if raw.startswith(b"\xef\xbb\xbf"):
        return _unreadable(display, "file starts with a byte-order mark (BOM)", "encoding")
    try:
        return load_text(raw.decode("utf-8"), display)
    except UnicodeDecodeError:
        return _unreadable(display, "file is not valid UTF-8", "encoding")


def _text(raw: bytes | None, display: str) -> SourceText:
    document = _document(raw, display)
    return SourceText(display, document.data, tuple(document.problems), raw)


def _unreadable(display: str, message: str, rule: str) -> Document:
    document = Document(display)
    document.problems.append(Problem(display, 1, 1, Level.ERROR, rule, message))
    return document


def files_at(folder: Path, name: str, commits: list[str]) -> dict[str, Document | None]:
    """The file ``name`` (relative to ``folder``) as each of ``commits`` held it, loaded,
    read with one ``git cat-file --batch``; None where a commit had no such file, or for
    every commit when git cannot answer. Never raises."""
    try:
        contents = read_objects(folder, [f"{commit}:./{name}" for commit in commits])
    except GitUnavailable:
        return dict.fromkeys(commits)
    return {commit: None if (raw := contents[f"{commit}:./{name}"]) is None
            else _document(raw, f"{commit[:12]}:{name}") for commit in commits}
