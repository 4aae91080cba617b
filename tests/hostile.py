"""What the hostile pull request's tests share (tests/test_hostile_*.py, test_text_seam.py):
a real build of a project, the problems it reports by rule, and ``sopkb`` run in a folder."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

from conftest import BIN, PROBLEM_LINE, require_slow


def build(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    require_slow("`mkdocs build`")
    return subprocess.run([str(BIN / "mkdocs"), "build", *args], cwd=project,
                          capture_output=True, text=True, timeout=300,
                          env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})


def problems(output: str, rule: str) -> list[re.Match[str]]:
    """The problem lines of ``rule`` in a build's or a command's output."""
    found = []
    for line in output.splitlines():
        text = re.sub(r"^(WARNING|ERROR)\s+-\s+(\w+: )?", "", line)
        match = PROBLEM_LINE.match(text)
        if match and match["rule"] == rule:
            found.append(match)
    return found


def sopkb_in(cwd: Path, *args: str, env: dict[str, str] | None = None,
             ) -> subprocess.CompletedProcess[str]:
    require_slow(f"`sopkb {args[0]}`")
    return subprocess.run([str(BIN / "sopkb"), *args], cwd=cwd, capture_output=True,
                          text=True, timeout=120, env={**os.environ, **(env or {})})
