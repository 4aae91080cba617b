"""Git's history read sooner: its log started before the catalog loads, half of the
committed texts parsed on the second core.

:class:`LogAhead` starts the ``git log`` that :func:`~build_tools.source.history.read_history`
reads (about 0.9 s of git's own time at 1,000 SOPs of five versions, 10,000 commits) as a
build starts, so that git runs on the second core while this one loads the catalog; the
output goes to a temporary file (a pipe would stop git once full). Where it cannot start,
fails, or was started at another commit, the history reads the log itself.

Reading the history of 1,000 SOPs of five versions parses 5,000 texts (about 3 s of the
4.5 s ``read_history`` takes, ``benchmarks/history.py``); a build does it before it renders
anything, while the second core is idle. :func:`load_texts` gives the texts
:func:`build_tools.source.history.load_texts` gives, in the same order: a forked child
(:mod:`.second_core`) parses the later half and hands back each text's data and problems,
which this core unpickles (about a second saved of the 4.5 s); where the child cannot run
or fails, this core parses them.
"""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path
from typing import Any

from build_tools.problem import Problem
from build_tools.source import history
from build_tools.source.history import SourceText
from build_tools.speed import second_core

#: From this many texts on, half go to the second core; below, forking costs more.
PARALLEL_TEXTS = 400


def load_texts(contents: list[tuple[bytes | None, str]]) -> list[SourceText]:
    """Each ``(content, display name)`` read into a text (see the module's docstring)."""
    if len(contents) < PARALLEL_TEXTS:
        return history.load_texts(contents)
    half = len(contents) // 2
    later = contents[half:]
    elsewhere = second_core.start(lambda: ((text.data, text.problems)
                                           for text in history.load_texts(later)))
    if elsewhere is None:
        return history.load_texts(contents)
    texts = history.load_texts(contents[:half])
    results: list[tuple[Any, tuple[Problem, ...]]] | None = elsewhere.results()
    if results is None:
        return texts + history.load_texts(later)
    return texts + [SourceText(display, data, problems, raw)
                    for (raw, display), (data, problems) in zip(later, results, strict=True)]


class LogAhead:
    """``git log`` of ``folder`` at its HEAD, started now; called as
    :data:`~build_tools.source.history.LogReader`, its output (see the module's docstring)."""

    def __init__(self, folder: Path) -> None:
        self._folder, self._head = folder, history.head_commit(folder)
        self._output = tempfile.TemporaryFile()
        self._process: subprocess.Popen[bytes] | None = None
        if self._head is not None:
            try:
                self._process = subprocess.Popen(
                    history.git_command(folder, *history.log_arguments(self._head)),
                    stdin=subprocess.DEVNULL, stdout=self._output, stderr=subprocess.DEVNULL)
            except OSError:
                pass

    def __call__(self, folder: Path, head: str) -> bytes:
        process, self._process = self._process, None
        with self._output:
            if process is not None and process.wait() == 0 and \
                    (folder, head) == (self._folder, self._head):
                self._output.seek(0)
                return self._output.read()
        return history.git_log(folder, head)
