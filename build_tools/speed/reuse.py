"""What ``mkdocs serve`` keeps from one rebuild to the next, so that an edit renders again
only what it changed: the renderer with its compiled templates, every page with what it
was rendered from, the redirect pages, the practice sets and what each draws on.

A rebuild after a title edit at 1,000 SOPs renders the SOP's page and the pages listing it
instead of every page (``benchmarks/run.py``, ``bench_rebuild``: 20-40 s for a full build,
under 1.3 s for the rebuild). SOPs loaded from unchanged files are the same objects from
one rebuild to the next (:class:`build_tools.rules.catalog.FileCache`), so most comparisons
are identity checks.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from build_tools.model.draws import Draw, Draws
from build_tools.model.practice import PracticeSet, make
from build_tools.model.sop import Sop
from build_tools.render.renderer import Renderer
from build_tools.site.pages import Memo
from build_tools.source.history import History, head_commit


class PageCache(Memo):
    """The :class:`~build_tools.site.pages.Memo` that keeps (with ``keep`` false, a single
    build, nothing but the renderer: no next build would reuse the rest, and a build of
    10,000 SOPs would hold it to the end)."""

    def __init__(self, keep: bool = True) -> None:
        self.keep = keep
        #: uri → (template and data, {linked SOP id: its (slug, title)}, Markdown)
        self.pages: dict[str, tuple[object, dict[str, object], str]] = {}
        #: what a redirect page is rendered from → its HTML
        self.redirects: dict[object, str] = {}
        #: SOP id → (the renderer that wrote its target times, the set)
        self.practice: dict[str, tuple[Renderer, PracticeSet]] = {}
        self._draws = Draws()
        self._renderers: dict[str, Renderer] = {}
        #: (folder, the commit it was read at) → what git holds of it (the last one only)
        self._history: tuple[tuple[Path, str | None], History] | None = None

    def renderer(self, language: str) -> Renderer:
        if language not in self._renderers:
            self._renderers[language] = Renderer(language)
            self._renderers[language].keep_parts = self.keep
        return self._renderers[language]

    def draws(self) -> Draws:
        return self._draws

    def history(self, folder: Path, read: Callable[[Path, str | None], History]) -> History:
        """The history of ``folder`` at its HEAD, read again only when HEAD moved (a commit,
        a checkout): an edit while serving does not read git's history again (at 1,000
        SOPs of five versions: 4.5 s, ``benchmarks/history.py``)."""
        key = (folder, head_commit(folder))
        if self._history is None or self._history[0] != key:
            self._history = key, read(folder, key[1])
        return self._history[1]

    def practice_set(self, renderer: Renderer, sop: Sop, drawn: Draw) -> PracticeSet:
        """The SOP compared by identity (the catalog keeps the Sop of an unchanged file from
        one rebuild to the next), what it draws on from others by value: an edit makes
        again only the sets it can change."""
        cached = self.practice.get(sop.id)
        if cached is None or cached[0] is not renderer or cached[1].sop is not sop or \
                cached[1].draw != drawn:
            cached = renderer, make(sop, drawn, renderer.duration)
            if self.keep:
                self.practice[sop.id] = cached
        return cached[1]
