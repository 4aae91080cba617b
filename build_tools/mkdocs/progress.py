"""A progress line for long builds, in a terminal only: SOP files read, pages written,
search indexed. Quiet when standard error is not a terminal (CI, logs, pipes) or under
``mkdocs serve``, whose rebuilds are short and whose output is a log."""

from __future__ import annotations

import os
import sys
import time
from typing import TextIO

#: From this many files or pages on, a build shows its progress.
FROM = 200
#: At most this often (seconds), to keep the terminal cheap to write to.
EVERY = 0.2


class Progress:
    def __init__(self, stream: TextIO | None = None, enabled: bool | None = None) -> None:
        self.stream = stream or sys.stderr
        self.enabled = (self.stream.isatty() and not os.environ.get("CI")) \
            if enabled is None else enabled
        self.total_pages = 0
        self.pages = 0
        self._last = 0.0

    def _show(self, text: str, final: bool = False) -> None:
        now = time.monotonic()
        if not self.enabled or (not final and now - self._last < EVERY):
            return
        self._last = now
        self.stream.write(f"\r\x1b[K{text}" + ("\n" if final else ""))
        self.stream.flush()

    def files(self, done: int, total: int) -> None:
        """A callback for :func:`build_tools.rules.catalog.load_catalog`."""
        if total >= FROM:
            self._show(f"SOP files read: {done}/{total}", final=done == total)

    def page(self) -> None:
        self.pages += 1
        if self.total_pages >= FROM:
            self._show(f"pages written: {self.pages}/{self.total_pages}",
                       final=self.pages == self.total_pages)

    def indexed(self, pages: int) -> None:
        if pages >= FROM:
            self._show(f"search indexed: {pages} pages", final=True)
