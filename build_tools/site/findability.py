"""What search gets beside the pages: how much each page weighs in the index, and the
suggestions the search box offers when nothing matches."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from build_tools.model.words import normalise
from build_tools.render import listing
from build_tools.render.markup import plain
from build_tools.render.renderer import INDEX_URI, sop_uri
from build_tools.site import layout

if TYPE_CHECKING:
    from build_tools.site.pages import SitePages

#: The weight in search of a reference or hand-written page (an SOP page weighs 1).
OTHER_PAGES = 0.6
#: Every weight between 0 and 1 a page may have (the search box is told them).
LIGHTER = (OTHER_PAGES,)
#: Pages that only list what SOP pages say.
_LISTINGS = frozenset({INDEX_URI, layout.TEMPLATES_URI, layout.ROLES_URI, layout.CHANGES_URI,
                       layout.REVIEW_URI})


def search_weight(site: SitePages, src_uri: str) -> float:
    """Relative weight of a page in search: SOP pages first, since agents look for a
    procedure; reference and hand-written pages less. Pages that only list what SOP pages
    say (SOP index, categories, templates, roles, changes, review dates, practice,
    handbooks) are not indexed (0): a hit there would only stand between the agent and the
    SOP's step, and with thousands of SOPs they are the largest pages to index."""
    if src_uri in site.retired_uris or layout.is_version_uri(src_uri) or \
            src_uri == layout.IN_FORCE_URI:  # not in force: never a search result
        return 0.0
    if src_uri in site.sop_uris:
        return 1.0
    if src_uri in _LISTINGS or src_uri == site.request_uri \
            or src_uri.startswith((f"{layout.CATEGORY_DIR}/", f"{layout.PRACTICE_DIR}/",
                                   f"{layout.HANDBOOK_DIR}/")) \
            or src_uri.endswith(layout.HANDBOOK_URI):
        return 0.0
    return OTHER_PAGES


def suggestions(site: SitePages) -> str:
    """``assets/sop-kb/suggestions.json``: what the search box offers when nothing matches a
    query: each SOP's title, URL and the roots of its title and situation (to find the
    closest by situation), and where to ask for a missing procedure."""
    directory_urls = site.renderer.directory_urls
    sops = [{"t": plain(sop.title), "u": listing.page_url(sop_uri(sop), directory_urls),
             "w": normalise(f"{sop.title} {sop.situation or ''}")} for sop in site.listed]
    request = (listing.page_url(site.request_uri, directory_urls)
               if site.request_uri else None)
    return json.dumps({"request": request, "sops": sops}, ensure_ascii=False,
                      separators=(",", ":"))
