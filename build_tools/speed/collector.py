"""Python's cycle collector, kept away from data that only grows.

Loading a knowledge base only adds objects that stay (parsed files, SOPs, versions read
from git): the collector's full passes over them find nothing to free, and they come more
often the more there is, so loading grew faster than the number of files
(``benchmarks/shapes.py``, validation at 10,000 SOPs: +40 % per SOP with the collector on).
:func:`no_cycle_collection` turns it off around such loading; :func:`set_aside` moves what a
long-lived process keeps (``mkdocs serve``'s first build) out of its reach for good;
:func:`hold` and :func:`release` keep what a build has loaded out of its reach while MkDocs
renders the pages, and past the end of a build that ends the process.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
T = TypeVar("T")


@contextmanager
def no_cycle_collection() -> Iterator[None]:
    """The cycle collector off for the block (as it was after it); reference counting
    still frees whatever is let go."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


def without_cycle_collection(function: Callable[P, T]) -> Callable[P, T]:
    """``function`` run under :func:`no_cycle_collection`."""
    @wraps(function)
    def run(*args: P.args, **kwargs: P.kwargs) -> T:
        with no_cycle_collection():
            return function(*args, **kwargs)
    return run


def set_aside() -> None:
    """What the process holds now (about 250,000 objects after a first build of 1,000
    SOPs) moved out of the collector's reach: its full passes over them took 0.2 s of every
    second rebuild under ``mkdocs serve`` (``benchmarks/run.py``'s rebuild). Garbage is
    collected first; what of it becomes garbage in cycles later is not freed, at most once
    that build's size."""
    gc.collect()
    gc.freeze()


_held = False


def hold(building: bool = True) -> None:
    """What a build holds once its pages are made (the catalog; with git's history, 5,000
    texts at 1,000 SOPs of five versions) out of the collector's reach until
    :func:`release`: MkDocs' rendering of 3,000 pages allocates enough to start a full pass
    every few pages, and each went over all of it (in a build of ``benchmarks/history.py``'s
    repository, those pages took 10.7 s instead of 5.2 s without the history). Nothing unless
    ``building`` (``mkdocs serve`` sets its first build aside for good instead).

    A build that ends well does not release it: the process usually ends with the build,
    and the interpreter's last collection then leaves it alone (the same build's exit took
    0.7–0.9 s instead of 3 s). What a build held is released, its garbage freed, when the
    next build in the same process holds, or when a build fails."""
    global _held
    release()
    if building:
        gc.freeze()
        _held = True


def release() -> None:
    """Back within the collector's reach, what :func:`hold` set aside, and what of it is
    garbage freed (nothing otherwise: what :func:`set_aside` moved stays where it is)."""
    global _held
    if _held:
        gc.unfreeze()
        _held = False
        gc.collect()
