"""Work done on the other processor core while this one goes on: a forked child process.

Rendering a thousand SOP pages takes about a second of pure Python, and the listing pages
about as long again; in a build, the second core is idle meanwhile (the search indexer
starts on it only once MkDocs renders pages). :func:`start` forks a child that runs the
work on a copy of this process (nothing to load or send: the catalog and the compiled
templates are already there) and writes each result, pickled, to a temporary file;
:meth:`Elsewhere.results` waits for them.

It is an optimisation only, so it declines (``start`` returns None) wherever it could go
wrong or would not pay: without ``os.fork`` (Windows), outside Linux (macOS forbids
forking a process that may use system frameworks), when another thread runs (a fork
copies locks held by other threads: ``mkdocs serve``), and for little work. When the child
fails for any reason, :meth:`Elsewhere.results` returns None and the caller does the work
itself, so an error shows where it would have without this. A child never outlives the
process that started it, nor a build that failed (:meth:`Elsewhere.cancel`).
"""

from __future__ import annotations

import ctypes
import os
import pickle
import signal
import sys
import tempfile
import threading
from collections.abc import Callable, Iterable
from typing import IO, Generic, TypeVar

T = TypeVar("T")


class Elsewhere(Generic[T]):
    """Results being computed in a child process."""

    def __init__(self, pid: int, output: IO[bytes]) -> None:
        self._pid = pid
        self._output = output
        self._done = False

    def results(self) -> list[T] | None:
        """The child's results once it has finished; None if it failed (or when asked
        again: the results are handed over once)."""
        if self._done:
            return None
        self._done = True
        try:
            _, status = os.waitpid(self._pid, 0)
            if os.waitstatus_to_exitcode(status) != 0:
                return None
            self._output.seek(0)
            results: list[T] = []
            while True:
                try:
                    results.append(pickle.load(self._output))
                except EOFError:
                    return results
        except (OSError, pickle.UnpicklingError):
            return None
        finally:
            self._output.close()

    def cancel(self) -> None:
        """The child stopped and its results dropped (unless already handed over)."""
        if not self._done:
            try:
                os.kill(self._pid, signal.SIGKILL)
            except OSError:
                pass
            self.results()


def start(work: Callable[[], Iterable[T]], nice: int = 0) -> Elsewhere[T] | None:
    """Run ``work`` in a forked child, ``nice`` steps below this process's priority (work
    that may yield to this process and to others); None where that is not possible (see
    above)."""
    if sys.platform != "linux" or not hasattr(os, "fork") or threading.active_count() > 1:
        return None
    output = tempfile.TemporaryFile()
    parent = os.getpid()
    try:
        pid = os.fork()
    except OSError:
        output.close()
        return None
    if pid == 0:  # the child: never returns into the caller's code
        code = 1
        try:
            _end_with(parent)
            if nice:
                os.nice(nice)
            for result in work():  # one at a time: the child holds no more than that
                pickle.dump(result, output, protocol=pickle.HIGHEST_PROTOCOL)
            output.flush()
            code = 0
        finally:
            os._exit(code)
    return Elsewhere(pid, output)


_PR_SET_PDEATHSIG = 1


def _end_with(parent: int) -> None:
    """This child killed when ``parent`` ends, however it ends (a child writing into a
    build's staging folder must not go on once the build is killed: the next build removes
    that folder). Linux's ``prctl(PR_SET_PDEATHSIG)``; a parent already gone, an exit."""
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) != 0 or os.getppid() != parent:
        os._exit(1)
