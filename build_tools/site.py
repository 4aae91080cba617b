"""Which pages the SOPs produce, with their source paths and Markdown, in memory."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from typing import Any

from build_tools.model import Sop
from build_tools.render import INDEX_URI, Renderer, sop_uri

CATEGORY_DIR = "category"


def slugify(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-") or "category"


def related_sops(sops: list[Sop]) -> dict[str, list[Sop]]:
    """Related SOPs of each SOP in both directions: those it names, then those naming it."""
    by_id = {sop.id: sop for sop in sops}
    related: dict[str, list[Sop]] = {sop.id: [by_id[i] for i in sop.related if i in by_id]
                                     for sop in sops}
    for sop in sops:
        for other_id in sop.related:
            if other_id in related and sop not in related[other_id]:
                related[other_id].append(sop)
    return related


class SitePages:
    """The generated pages of one site: every SOP, the SOP index, one page per category."""

    def __init__(self, sops: list[Sop], language: str) -> None:
        self.sops = sops
        self.renderer = Renderer(language)
        self.by_id = {sop.id: sop for sop in sops}
        self.groups = self.renderer.categories(sops)
        self.related = related_sops(sops)

    @property
    def labels(self) -> dict[str, Any]:
        return self.renderer.labels

    def category_uri(self, name: str) -> str:
        return f"{CATEGORY_DIR}/{slugify(name)}.md"

    def nav_uris(self) -> list[str]:
        """Pages for the navigation: the index, then one per category. Never one per SOP."""
        return [INDEX_URI, *(self.category_uri(name) for name, _ in self.groups)]

    def pages(self) -> Iterator[tuple[str, str]]:
        """``(source uri, markdown)`` for every generated page."""
        yield INDEX_URI, self.renderer.sop_index(self.groups)
        for name, sops in self.groups:
            yield self.category_uri(name), self.renderer.category(name, sops)
        for sop in self.sops:
            yield sop_uri(sop), self.renderer.sop_page(sop, self.related[sop.id])
