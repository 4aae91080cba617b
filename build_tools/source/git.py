"""SOP files as they were at a git ref (a branch, tag or commit), read without a checkout."""

from __future__ import annotations

import subprocess
from pathlib import Path

from build_tools.source.document import YAML_SUFFIXES, Document, load_text


class GitError(Exception):
    pass


def _git(repo: Path, *args: str) -> str:
    try:
        result = subprocess.run(["git", "-C", str(repo), *args], capture_output=True,
                                text=True, check=False)
    except FileNotFoundError as error:
        raise GitError("git is not installed") from error
    if result.returncode != 0:
        message = (result.stderr.strip().splitlines() or ["git failed"])[-1]
        raise GitError(message.removeprefix("fatal: "))
    return result.stdout


def documents_at(ref: str, folder: Path, repo: Path | None = None) -> list[Document]:
    """The SOP documents under ``folder`` at ``ref``; an unknown ref raises ``GitError``."""
    repo = repo or Path.cwd()
    top = Path(_git(repo, "rev-parse", "--show-toplevel").strip())
    relative = folder.resolve().relative_to(top.resolve()).as_posix()
    _git(repo, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")
    names = _git(repo, "ls-tree", "-r", "--name-only", ref, "--", relative).splitlines()
    docs = []
    for name in sorted(names):
        if name.endswith(YAML_SUFFIXES):
            text = _git(top, "show", f"{ref}:{name}")
            docs.append(load_text(text, f"{ref}:{name}"))
    return docs
