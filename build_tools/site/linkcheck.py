"""A link checker over a built site: every internal href/src resolves to a file, and every
fragment to an element id in it (``sopkb check-site``). It reads HTML only, no MkDocs, so
it checks what a reader gets, listing blocks and redirect pages included."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name == "id" and value:
                self.ids.add(value)
            if value and ((name == "href" and tag in ("a", "link"))
                          or (name == "src" and tag in ("script", "img"))):
                self.links.append(value)


def _parse(path: Path) -> _Page:
    page = _Page()
    page.feed(path.read_text("utf-8"))
    return page


def _target(site: Path, url_path: str) -> Path:
    path = site / unquote(url_path).lstrip("/")
    return path / "index.html" if url_path.endswith("/") or path.is_dir() else path


def broken_links(site: Path) -> list[str]:
    """``page -> link (reason)`` for every internal link that does not resolve."""
    pages = {path: _parse(path) for path in site.rglob("*.html")}
    broken = []
    for path, page in pages.items():
        base = "/" + path.relative_to(site).as_posix()
        for link in page.links:
            parts = urlsplit(link)
            if parts.scheme or parts.netloc or link.startswith(("mailto:", "javascript:")):
                continue
            resolved = urlsplit(urljoin(base, link))
            target = path if not parts.path else _target(site, resolved.path)
            if not target.is_file():
                broken.append(f"{base} -> {link} (no file {target.relative_to(site)})")
                continue
            fragment = unquote(resolved.fragment)
            if fragment and target.suffix == ".html":
                ids = pages[target].ids if target in pages else _parse(target).ids
                if fragment not in ids:
                    broken.append(f"{base} -> {link} (no id {fragment!r})")
    return broken
