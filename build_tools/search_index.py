"""Write the search index of a built site: the lexicon for the search box, then Pagefind."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from build_tools.search_terms import Lexicon

LEXICON_URI = "assets/sop-kb/lexicon.json"


class SearchIndexError(Exception):
    pass


def write_search_index(site_dir: Path, lexicon: Lexicon) -> None:
    """Write ``lexicon.json`` and run Pagefind over ``site_dir`` (its ``pagefind/`` folder)."""
    lexicon_path = site_dir / LEXICON_URI
    lexicon_path.parent.mkdir(parents=True, exist_ok=True)
    lexicon_path.write_text(json.dumps(lexicon.browser_data(), ensure_ascii=False,
                                       separators=(",", ":")), "utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "pagefind", "--site", str(site_dir), "--silent"],
        capture_output=True, text=True, check=False)
    if result.returncode != 0:
        detail = (result.stderr or result.stdout).strip().splitlines()
        raise SearchIndexError(f"Pagefind failed: {detail[-1] if detail else result.returncode}")
