"""Write the search index of a built site: the lexicon for the search box, then Pagefind.

Pagefind does not read the published pages. It reads a search copy of each page (see
:class:`SearchCopies`): the page's content alone, with the hidden root words and synonyms
that let Indonesian word forms meet (:mod:`build_tools.search.terms`). The published pages
stay free of those word lists and of Pagefind's attributes, and Pagefind parses a fraction
of the HTML it would otherwise.

A build hands each page to :class:`build_tools.search.indexer.BackgroundIndexer` as soon as
MkDocs has rendered it: a second process adds the root words and feeds Pagefind's indexing
service, on the other processor core, while MkDocs goes on with the next pages.
``mkdocs serve`` keeps the copies in a folder instead (:class:`SearchCopies`), since a dirty
rebuild renders only the pages that changed.
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import threading
from collections.abc import Callable
from pathlib import Path

from build_tools.render.terms import TERMS_END, TERMS_START
from build_tools.search.browser import LEXICON_URI, PAGEFIND_DIR, REAL_WORDS_URI, weight_word
from build_tools.search.pagefind import (
    one_line,
    run_pagefind,
)
from build_tools.search.terms import Lexicon
from build_tools.site.publish import exchange

#: Pages in one Pagefind index of a build, at most (the plugin's ``search_pages_per_index``).
#: Pagefind holds every page of an index in memory and, while writing it, about four times
#: as much (about 440 KB a typical SOP page at its peak), so a build of more pages writes
#: several indexes, the first in ``pagefind/``, the next in ``pagefind-2/``..., named in
#: ``lexicon.json``; the search box merges them (Pagefind's ``mergeIndex``). One index up
#: to this size: a search loads the fewest files.
PAGES_PER_INDEX = 1200


def index_folder(number: int) -> str:
    """The folder of a build's ``number``-th Pagefind index (from 0), under the site."""
    return PAGEFIND_DIR if number == 0 else f"{PAGEFIND_DIR}-{number + 1}"


#: What says in a line what an SOP is for (its situation, its keywords) weighs as a step's
#: action does (Pagefind weighs an h3 5, text 1): more than a word deep in a paragraph.
WEIGHT_OF_SUMMARY = 5
_WEIGHTED = ('class="sop-situation"', 'class="sop-kb-terms sop-kb-keywords"')
#: The flowchart repeats the steps as SVG text and is never indexed: not worth parsing.
_FLOWCHART = re.compile(r'<div class="sop-flow" data-pagefind-ignore>.*?</div>', re.DOTALL)


def search_copy(language: str, title: str, content: str, weight: float = 1.0) -> str:
    """A page as search should index it: ``content`` (with its hidden word lists) alone."""
    content = _FLOWCHART.sub("", content)
    for mark in _WEIGHTED:
        content = content.replace(mark, f'{mark} data-pagefind-weight="{WEIGHT_OF_SUMMARY}"')
    # Listing blocks in hand-written pages (the situations table) repeat what SOP pages
    # say: a hit there would only stand between the agent and the SOP.
    content = content.replace('<div class="sop-listing">', '<div class="sop-listing" '
                              'data-pagefind-ignore>')
    if weight != 1.0:
        # The page's weight as a word too, hidden as the word lists are: the box's
        # ranking searches it (build_tools/assets/search/engine.js).
        content = (f'<div data-pagefind-weight="{weight:g}"><p>{TERMS_START} '
                   f'{weight_word(weight)} {TERMS_END}</p>{content}</div>')
    return (f'<!doctype html><html lang="{html.escape(language)}"><head>'
            f'<meta charset="utf-8"><title>{html.escape(title)}</title></head>'
            f'<body><div data-pagefind-body>{content}</div></body></html>')


class SearchCopies:
    """A folder mirroring the site's HTML paths with what search should index of each page.

    Only the copies of pages that changed are written again, and copies of pages that no
    longer exist are removed (:meth:`prune`), so the folder can live as long as a
    ``mkdocs serve`` session and follow its dirty rebuilds.

    A rebuild only stages its pages (:meth:`stage`) and says which pages the site has
    (:meth:`keep`); :meth:`flush`, on the search thread after the browser has reloaded,
    adds their root words and writes them (a title edit's seven large pages: 85 ms that no
    longer stand between saving and seeing the page).
    """

    def __init__(self, folder: Path, language: str) -> None:
        self.folder = folder
        self.language = language
        #: The ``dest_uri`` of every copy in the folder (it holds nothing else).
        self.written: set[str] = set()
        self._lock = threading.Lock()
        #: dest_uri → (title, content, weight, the lexicon whose root words to add, the
        #: round that staged it), not yet written.
        self._staged: dict[str, tuple[str, str, float, Lexicon | None, int]] = {}
        self._keep: set[str] | None = None
        #: A round is one build's stages and then its :meth:`keep`.
        self._round = 0

    def write(self, dest_uri: str, title: str, content: str, weight: float = 1.0) -> None:
        """The search copy of the page published at ``dest_uri`` (``sop/x/index.html``)."""
        path = self.folder / dest_uri
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(search_copy(self.language, title, content, weight), "utf-8")
        self.written.add(dest_uri)

    def prune(self, keep: set[str]) -> None:
        """Remove the copies of pages whose ``dest_uri`` is not in ``keep`` (without going
        over the folder: thousands of files, after every rebuild)."""
        for dest_uri in self.written - keep:
            (self.folder / dest_uri).unlink(missing_ok=True)
        self.written &= keep

    def stage(self, dest_uri: str, title: str, content: str, weight: float = 1.0,
              lexicon: Lexicon | None = None) -> None:
        """The page to :meth:`write` at the next :meth:`flush`, with ``lexicon``'s root
        words (the lexicon of the build that staged it: a flush still at work for the
        previous build may write it), the latest text of a page staged twice."""
        with self._lock:
            self._staged[dest_uri] = (title, content, weight, lexicon, self._round)

    def keep(self, dest_uris: set[str]) -> None:
        """The pages the site has now: the next :meth:`flush` removes the others' copies."""
        with self._lock:
            self._keep = dest_uris
            self._round += 1

    def flush(self) -> None:
        """Write what was staged, then prune to the latest :meth:`keep`. A page staged by
        a build that has not said what it keeps yet (it runs beside this flush) and not in
        the latest keep is left staged for that build's flush. What a failure leaves
        unwritten stays staged (under what was staged since), so the next flush writes it."""
        with self._lock:
            staged, self._staged = self._staged, {}
            keep, kept_round = self._keep, self._round
        done: set[str] = set()
        try:
            for dest_uri, (title, content, weight, lexicon, staged_in) in staged.items():
                if keep is None or dest_uri in keep:
                    self.write(dest_uri, title, content if lexicon is None
                               else lexicon.annotate(content), weight)
                elif staged_in >= kept_round:
                    continue  # a page the build now under way may keep
                done.add(dest_uri)
        finally:
            with self._lock:
                self._staged = {**{uri: page for uri, page in staged.items()
                                   if uri not in done}, **self._staged}
        if keep is not None:
            self.prune(keep)


def write_search_index(site_dir: Path, copies: SearchCopies, lexicon: Lexicon,
                       timeout: float | None = None) -> None:
    """Write the pages ``copies`` has staged, then ``lexicon.json`` into ``site_dir`` and
    Pagefind's index of ``copies`` into its ``pagefind/`` folder, each replacing the previous
    one at once (a page being read while this runs sees the old index or the new one; see
    :func:`build_tools.site.publish.exchange`)."""
    copies.flush()
    write_lexicon(site_dir, lexicon)
    target, following = site_dir / PAGEFIND_DIR, site_dir / f".{PAGEFIND_DIR}-next"
    shutil.rmtree(following, ignore_errors=True)
    run_pagefind(copies.folder, following, timeout)
    if target.exists() and exchange(following, target):
        shutil.rmtree(following, ignore_errors=True)
        return
    previous = site_dir / f".{PAGEFIND_DIR}-previous"
    shutil.rmtree(previous, ignore_errors=True)
    if target.exists():
        os.replace(target, previous)
    os.replace(following, target)
    shutil.rmtree(previous, ignore_errors=True)


def write_lexicon(site_dir: Path, lexicon: Lexicon, indexes: int = 1) -> None:
    """The roots the search box reduces typed words to, and the folders of the Pagefind
    indexes after the first (``indexes`` in all); the real words it must not correct
    beside them. Each file replaces the previous one at once."""
    data = {**lexicon.browser_data(),
            "indexes": [f"{index_folder(number)}/" for number in range(1, indexes)]}
    for uri, value in ((REAL_WORDS_URI, lexicon.real_words()), (LEXICON_URI, data)):
        path = site_dir / uri
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".json.part")
        partial.write_text(json.dumps(value, ensure_ascii=False, separators=(",", ":")),
                           "utf-8")
        os.replace(partial, path)


class IndexInBackground:
    """Runs :func:`write_search_index` on a thread, so that ``mkdocs serve`` reloads the
    browser without waiting for search. A request made while a run is going on is done
    after it (only the latest one). A run that fails, for any reason, is reported with one
    line; the next request (the next rebuild) indexes again."""

    def __init__(self, on_error: Callable[[str], None], timeout: float | None = None) -> None:
        self._on_error = on_error
        self.timeout = timeout
        self._lock = threading.Lock()
        self._job: tuple[Path, SearchCopies, Lexicon] | None = None
        self._running = False

    def request(self, site_dir: Path, copies: SearchCopies, lexicon: Lexicon) -> None:
        with self._lock:
            self._job = (site_dir, copies, lexicon)
            if not self._running:
                self._running = True
                threading.Thread(target=self._run, daemon=True).start()

    def _run(self) -> None:
        while True:
            with self._lock:
                job, self._job = self._job, None
                if job is None:
                    self._running = False
                    return
            try:
                write_search_index(*job, timeout=self.timeout)
            except Exception as error:  # noqa: BLE001 - a serve session outlives any of them
                self._on_error(f"search index not updated: {one_line(error)}")
