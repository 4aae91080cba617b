"""``<!-- sop-kb: NAME ARGS -->`` markers in hand-written pages, replaced by listing blocks:
``situations`` (which SOP for which situation) and ``sop-list ID…`` (links to SOPs)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from build_tools.problem import Level, Problem, Rule
from build_tools.render import listing
from build_tools.rules.reference import UNKNOWN_SOP

UNKNOWN_MARKER = Rule("unknown-marker", "a <!-- sop-kb: … --> marker the plugin does not know")

if TYPE_CHECKING:
    from build_tools.site.pages import SitePages

MARKER = re.compile(r"<!--\s*sop-kb:\s*([a-z-]+)((?:\s+[^\s>]+)*)\s*-->")


def expand(site: SitePages, markdown: str, src_uri: str, display: str | None = None,
           ) -> tuple[str, list[str], list[Problem]]:
    """``markdown`` with each marker replaced by the placeholder of its listing block
    (:func:`build_tools.render.listing.placeholder`), the blocks, and a problem (warning), at
    the marker's line in ``display`` (the page's path), for every marker that could not be
    expanded."""
    problems: list[Problem] = []
    blocks: list[str] = []

    def block(html: str) -> str:
        blocks.append(html)
        return listing.placeholder(len(blocks) - 1)

    def warn(match: re.Match[str], rule: str, message: str) -> None:
        line = markdown.count("\n", 0, match.start()) + 1
        col = match.start() - markdown.rfind("\n", 0, match.start())
        problems.append(Problem(display or src_uri, line, col, Level.WARNING, rule, message))

    def replace(match: re.Match[str]) -> str:
        name, args = match.group(1), match.group(2).split()
        if name == "situations" and not args:
            return block(site.renderer.listing_fragment(src_uri, "situations", site.listed))
        if name == "sop-list" and args:
            unknown = [sop_id for sop_id in args if sop_id not in site.by_id]
            if unknown:
                warn(match, UNKNOWN_SOP.id,
                     f"sop-kb marker names unknown SOP id(s): {', '.join(unknown)}")
            known = [site.by_id[sop_id] for sop_id in args if sop_id in site.by_id]
            return block(site.renderer.listing_fragment(src_uri, "sop_list", known))
        warn(match, UNKNOWN_MARKER.id, f"unknown sop-kb marker {match.group(0)!r}")
        return match.group(0)

    return MARKER.sub(replace, markdown), blocks, problems
