"""SOP files as they were at a git ref (a branch, tag or commit), read without a checkout.

Paths are read as git lists them with ``-z`` (NUL-separated, never quoted): a path holding
quotes, backslashes, non-ASCII letters or line breaks is listed as it is, not skipped."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from build_tools.source.document import YAML_SUFFIXES, Document, load_text
from build_tools.source.paths import shown


class GitError(Exception):
    pass


def _git(repo: Path, *args: str) -> bytes:
    try:
        result = subprocess.run(["git", "-C", os.fspath(repo), *args], capture_output=True,
                                check=False)
    except FileNotFoundError as error:
        raise GitError("git is not installed") from error
    if result.returncode != 0:
        message = result.stderr.decode("utf-8", "replace").strip().splitlines() or \
            ["git failed"]
        raise GitError(shown(message[-1].removeprefix("fatal: ")))
    return result.stdout


def _at(ref: str, path: Path, repo: Path) -> tuple[Path, str]:
    """The repository's top folder and ``path`` in it, once ``ref`` is known to be a
    commit; ``GitError`` otherwise, or for a path outside the repository."""
    top = Path(os.fsdecode(_git(repo, "rev-parse", "--show-toplevel").strip()))
    try:
        relative = path.resolve().relative_to(top.resolve()).as_posix()
    except ValueError:
        raise GitError(f"{shown(str(path))} is not in the repository at {shown(str(top))}"
                       ) from None
    try:
        _git(repo, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}")
    except GitError:
        raise GitError(f"no commit {shown(ref)!r} in the repository") from None
    return top, relative


def documents_at(ref: str, folder: Path, repo: Path | None = None) -> list[Document]:
    """The SOP documents under ``folder`` at ``ref``; an unknown ref, or a folder outside
    the repository, raises ``GitError``."""
    top, relative = _at(ref, folder, repo or Path.cwd())
    listed = _git(top, "ls-tree", "-r", "-z", "--name-only", "--end-of-options", ref, "--",
                  relative)
    names = sorted(os.fsdecode(name) for name in listed.split(b"\0") if name)
    docs = []
    for name in names:
        if name.endswith(YAML_SUFFIXES):
            raw = _git(top, "cat-file", "blob", f"{ref}:{name}")
            text = raw.decode("utf-8", "replace")
            docs.append(load_text(text, shown(f"{ref}:{name}")))
    return docs


def text_at(ref: str, path: Path, repo: Path | None = None) -> str | None:
    """The text of the file at ``path`` as ``ref`` had it (None: it had no such file); an
    unknown ref, or a path outside the repository, raises ``GitError``."""
    top, relative = _at(ref, path, repo or Path.cwd())
    listed = _git(top, "ls-tree", "-z", "--name-only", "--end-of-options", ref, "--", relative)
    if not listed.strip(b"\0"):
        return None
    return _git(top, "cat-file", "blob", f"{ref}:{relative}").decode("utf-8", "replace")
