"""Feeding the search index from MkDocs' pages (see :mod:`build_tools.search.index`).

A build hands each rendered page to a second process that indexes it while MkDocs goes on,
and waits for the index at the end. ``mkdocs serve`` keeps search copies of the pages in a
folder for the whole session (a dirty rebuild renders only the pages that changed), written
and re-indexed on a thread after each rebuild, so the browser reloads without waiting.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from mkdocs.exceptions import PluginError

from build_tools.render.labels import DEFAULT_LANGUAGE
from build_tools.search.browser import with_templates
from build_tools.search.index import PAGES_PER_INDEX, IndexInBackground, SearchCopies
from build_tools.search.indexer import BackgroundIndexer
from build_tools.search.pagefind import SearchIndexError
from build_tools.search.terms import Lexicon


class SiteSearch:
    def __init__(self, on_error: Callable[[str], None]) -> None:
        self.enabled = True
        self.root_words = True
        self.timeout = 300.0
        self.pages_per_index = PAGES_PER_INDEX
        self.language = DEFAULT_LANGUAGE
        self.lexicon = Lexicon()
        self.copies: SearchCopies | None = None
        self.indexer: BackgroundIndexer | None = None
        self.background = IndexInBackground(on_error=on_error)

    def configure(self, *, enabled: bool, root_words: bool, timeout: float, language: str,
                  serving: bool, pages_per_index: int = PAGES_PER_INDEX) -> None:
        self.enabled, self.root_words, self.timeout = enabled, root_words, timeout
        self.pages_per_index = pages_per_index
        self.language = language
        self.background.timeout = timeout
        if enabled and serving and self.copies is None:
            folder = Path(tempfile.mkdtemp(prefix="sopkb-search-"))
            self.copies = SearchCopies(folder, language)

    def start(self, site_dir: Path, synonyms: list[list[str]], serving: bool,
              pages: int) -> bool:
        """Ready for this build's ``pages`` to index; whether every page must be indexed
        again (the synonyms changed). While serving, the lexicon keeps the roots of pages
        not rebuilt."""
        changed = not serving or self.lexicon.groups != synonyms
        if changed:
            self.lexicon = Lexicon(synonyms)
        if self.enabled and not serving:
            self.indexer = BackgroundIndexer(site_dir, self.language, synonyms, self.root_words,
                                             self.timeout, self.pages_per_index, pages)
        return changed

    def add(self, dest_uri: str, title: str, html: str, weight: float) -> None:
        if weight == 0.0 or (self.indexer is None and self.copies is None):
            return
        # Permalink signs are not part of a heading's text in search results; a result
        # shows its step's reply template (in the page's metadata), if an SOP page's (1): a
        # reply an agent copies from a result comes from an SOP, never a hand-written page.
        content = html.replace('class="headerlink"', 'class="headerlink" data-pagefind-ignore')
        content = with_templates(content) if weight >= 1.0 else content
        if self.indexer is not None:
            self.indexer.add(dest_uri, title, content, weight)
        elif self.copies is not None:
            # Root words added and written on the search thread (SearchCopies.flush).
            self.copies.stage(dest_uri, title, content, weight,
                              self.lexicon if self.root_words else None)

    def pages_done(self) -> None:
        """Every page is in: the second process writes the index while MkDocs goes on."""
        if self.indexer is not None:
            self.indexer.close_input()

    def finish(self, site_dir: Path, indexed: list[str]) -> int:
        """Wait for a build's index; while serving, re-index in the background. The number
        of pages indexed."""
        try:
            if self.indexer is not None:
                indexer, self.indexer = self.indexer, None
                indexer.finish()
        except SearchIndexError as error:
            raise PluginError(str(error)) from error
        if self.copies is not None:
            self.copies.keep(set(indexed))
            self.background.request(site_dir, self.copies, self.lexicon)
        return len(indexed)

    def abort(self) -> None:
        if self.indexer is not None:
            self.indexer.abort()
            self.indexer = None

    def close(self) -> None:
        if self.copies is not None:
            shutil.rmtree(self.copies.folder, ignore_errors=True)
            self.copies = None
