"""Write the search index of a built site: the lexicon for the search box, then Pagefind.

Pagefind does not read the published pages. It reads a search copy of each page (see
:class:`SearchCopies`): the page's content alone, with the hidden root words and synonyms
that let Indonesian word forms meet (:mod:`build_tools.search_terms`). The published pages
stay free of those word lists and of Pagefind's attributes, and Pagefind parses a fraction
of the HTML it would otherwise.
"""

from __future__ import annotations

import html
import json
import os
import subprocess
import sys
from pathlib import Path

from build_tools.search_terms import Lexicon

LEXICON_URI = "assets/sop-kb/lexicon.json"
PAGEFIND_DIR = "pagefind"


class SearchIndexError(Exception):
    pass


class SearchCopies:
    """A folder mirroring the site's HTML paths with what search should index of each page.

    Only the copies of pages that changed are written again, and copies of pages that no
    longer exist are removed (:meth:`prune`), so the folder can live as long as a
    ``mkdocs serve`` session and follow its dirty rebuilds.
    """

    def __init__(self, folder: Path, language: str) -> None:
        self.folder = folder
        self.language = language

    def write(self, dest_uri: str, title: str, content: str, weight: float = 1.0) -> None:
        """The search copy of the page published at ``dest_uri`` (``sop/x/index.html``)."""
        body = content if weight == 1.0 else f'<div data-pagefind-weight="{weight}">{content}</div>'
        text = (f'<!doctype html><html lang="{html.escape(self.language)}"><head>'
                f'<meta charset="utf-8"><title>{html.escape(title)}</title></head>'
                f'<body><div data-pagefind-body>{body}</div></body></html>')
        path = self.folder / dest_uri
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, "utf-8")

    def prune(self, keep: set[str]) -> None:
        """Remove the copies of pages whose ``dest_uri`` is not in ``keep``."""
        for path in list(self.folder.rglob("*.html")):
            if path.relative_to(self.folder).as_posix() not in keep:
                path.unlink()


def write_search_index(site_dir: Path, copies: SearchCopies, lexicon: Lexicon) -> None:
    """Write ``lexicon.json`` into ``site_dir`` and Pagefind's index of ``copies`` into its
    ``pagefind/`` folder."""
    lexicon_path = site_dir / LEXICON_URI
    lexicon_path.parent.mkdir(parents=True, exist_ok=True)
    lexicon_path.write_text(json.dumps(lexicon.browser_data(), ensure_ascii=False,
                                       separators=(",", ":")), "utf-8")
    run_pagefind(copies.folder, site_dir / PAGEFIND_DIR)


def run_pagefind(source: Path, output: Path) -> None:
    """Index the HTML files under ``source`` into ``output``."""
    result = subprocess.run(
        [sys.executable, "-m", "pagefind", "--site", str(source),
         "--output-path", os.fspath(output.resolve()), "--silent"],
        capture_output=True, text=True, check=False)
    if result.returncode != 0:
        detail = (result.stderr or result.stdout).strip().splitlines()
        raise SearchIndexError(f"Pagefind failed: {detail[-1] if detail else result.returncode}")
