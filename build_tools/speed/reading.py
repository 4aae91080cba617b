"""Git's history read sooner: half of the committed texts parsed on the second core.

Reading the history of 1,000 SOPs of five versions parses 5,000 texts (about 3 s of the
4.5 s ``read_history`` takes, ``benchmarks/history.py``); a build does it before it renders
anything, while the second core is idle. :func:`load_texts` gives the texts
:func:`build_tools.source.history.load_texts` gives, in the same order: a forked child
(:mod:`.second_core`) parses the later half and hands back each text's data and problems,
which this core unpickles (about a second saved of the 4.5 s); where the child cannot run
or fails, this core parses them.
"""

from __future__ import annotations

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
