"""Listing blocks, the HTML end of pages that list every SOP (build_tools/render/listing.py):
their links and heading ids as MkDocs and Markdown make them, their place in the table of
contents, and the parts a rebuild renders again."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import KB, SOPS, mkdocs
from test_build import _edit, nav_links, page

from build_tools.rules.catalog import load_catalog

PAGES = ("index.md", "roles.md", "sop/index.md", "sop/cs-comp-002.md", "category/garansi.md",
         "guide/README.md", "guide/deep/page.md")


@pytest.mark.parametrize("directory_urls", [True, False])
def test_listing_links_are_the_links_mkdocs_makes(directory_urls: bool) -> None:
    from mkdocs.structure.files import File
    from mkdocs.utils import get_relative_url

    from build_tools.render.listing import relative_url

    def url(uri: str) -> str:
        return File(uri, "docs", "site", directory_urls).url

    for source in PAGES:
        for target in PAGES:
            expected = get_relative_url(url(target), url(source))
            assert relative_url(source, target, directory_urls) == expected, (source, target)
    assert relative_url("roles.md", "sop/cs-comp-002.md", True, "minta-bukti") == \
        "../sop/cs-comp-002/#minta-bukti"


def test_listing_heading_ids_are_those_markdown_gives() -> None:
    import markdown

    from build_tools.render.listing import heading_id

    texts = ["Penanganan keluhan", "Garansi & retur (ekspres)", "Pengiriman—kurir", "Ulasan",
             "Ulasan", "Éskalasi  darurat", "café_bar 24/7", "Ulasan_1"]
    html = markdown.markdown("\n\n".join(f"## {text}" for text in texts), extensions=["toc"])
    used: set[str] = set()
    assert [heading_id(text, used) for text in texts] == re.findall(r'<h2 id="([^"]*)"', html)


def test_a_generated_page_is_one_html_block_markdown_leaves_as_it_is() -> None:
    """A generated page's Markdown is its page block alone: were another renderer (the
    benchmark's floor) to read it, Markdown would pass it through unchanged; the plugin
    does not even give it to Markdown."""
    import markdown

    from build_tools.render import listing
    from build_tools.site.pages import SitePages

    pages = dict(SitePages(load_catalog([SOPS], reference_dir=KB / "reference"), "id").pages())
    for uri in ("roles.md", "templates.md", "channels.md", "sop/index.md", "sop/cs-comp-002.md"):
        assert pages[uri].startswith(listing.PAGE_START), uri
        assert pages[uri].rstrip().endswith(listing.PAGE_END), uri
        whole = markdown.markdown(pages[uri], extensions=["md_in_html"])
        assert _between_tags(whole) == _between_tags(pages[uri]).rstrip(), uri


def test_a_block_comes_back_only_where_its_own_placeholder_stands() -> None:
    """Placeholders carry a number chosen for the process: a comment written to look like
    one (an old-style placeholder, a guessed one, one past the last block) stays a comment."""
    from build_tools.render import listing

    blocks = ["<p>a</p>", "<p>b</p>"]
    html = (f"x {listing.placeholder(1)} y {listing.placeholder(0)} "
            f"<!-- sop-listing 0 --> <!-- sop-kb-block 0000000000000000 0 --> "
            f"{listing.placeholder(7)}")
    assert listing.restore(html, blocks) == (
        "x <p>b</p> y <p>a</p> <!-- sop-listing 0 --> "
        "<!-- sop-kb-block 0000000000000000 0 --> ")
    assert len(listing.NONCE) == 16


def _between_tags(html: str) -> str:
    """``html`` without the whitespace between tags (Markdown puts a newline between a
    raw block and the comment that ends it)."""
    return re.sub(r">\s+<", "><", html)


@pytest.mark.slow
def test_listing_and_redirect_links_resolve_without_directory_urls(project: Path) -> None:
    from build_tools.site.linkcheck import broken_links

    config = project / "mkdocs.yml"
    config.write_text(config.read_text("utf-8") + "\nuse_directory_urls: false\n", "utf-8")
    sop = project / "sops" / "CS-COMP-002.yaml"
    sop.write_text(sop.read_text("utf-8").replace(
        "status: active", "status: active\naliases: [CS-DMG-001]", 1), "utf-8")
    result = mkdocs("build", "--strict", cwd=project)
    assert result.returncode == 0, result.stderr
    site = project / "site"
    assert 'href="sop/cs-comp-002.html#minta-bukti"' in (site / "roles.html").read_text("utf-8")
    # The former id's URL and the former quick-card URL, in this URL style, forward.
    assert 'href="cs-comp-002.html"' in (site / "sop" / "cs-dmg-001.html").read_text("utf-8")
    assert 'href="../cs-comp-002.html#quick-card"' in (
        site / "sop" / "cs-comp-002" / "card.html").read_text("utf-8")
    assert broken_links(site) == []


@pytest.mark.slow
def test_listing_headings_are_in_the_table_of_contents_and_can_be_linked(
        project: Path) -> None:
    roles = {duty.role for sop in load_catalog([SOPS]).sops for duty in sop.duties}
    with (project / "docs" / "index.md").open("a", encoding="utf-8") as handle:
        handle.write("\n[peran](roles.md#supervisor) [templat](templates.md#cs-comp-002-"
                     "minta-bukti) [telepon](channels.md#phone)\n")
    result = mkdocs("build", "--strict", cwd=project)
    assert result.returncode == 0, result.stderr
    html = page(project / "site", "roles")
    toc = html[html.index('data-md-component="toc"'):]
    assert {f"#{role}" for role in roles} <= set(nav_links(toc))
    # The templates page's sidebar lists its SOPs, not each template (4,600 entries at
    # 1,000 SOPs); a template's heading is still an anchor links resolve to.
    html = page(project / "site", "templates")
    toc = set(nav_links(html[html.index('data-md-component="toc"'):]))
    assert "#cs-comp-002" in toc and "#cs-comp-002-minta-bukti" not in toc
    assert 'id="cs-comp-002-minta-bukti"' in html
    with (project / "docs" / "index.md").open("a", encoding="utf-8") as handle:
        handle.write("\n[peran](roles.md#tidak-ada)\n")
    result = mkdocs("build", "--strict", cwd=project)
    assert result.returncode != 0
    assert "does not contain an anchor '#tidak-ada'" in result.stderr


@pytest.mark.slow
def test_listing_headings_in_the_table_of_contents_follow_its_depth(project: Path) -> None:
    """With ``toc_depth: 2`` the templates page lists its categories, not its SOPs; links
    to an SOP's heading there still resolve."""
    config = project / "mkdocs.yml"
    config.write_text(config.read_text("utf-8").replace(
        "      permalink: true\n", "      permalink: true\n      toc_depth: 2\n", 1), "utf-8")
    with (project / "docs" / "index.md").open("a", encoding="utf-8") as handle:
        handle.write("\n[templat](templates.md#cs-comp-002)\n")
    result = mkdocs("build", "--strict", cwd=project)
    assert result.returncode == 0, result.stderr
    html = page(project / "site", "templates")
    toc = set(nav_links(html[html.index('data-md-component="toc"'):]))
    categories = {f"#{anchor}" for anchor in re.findall(r'<h2 id="([^"]+)"', html)}
    assert categories and categories <= toc
    assert "#cs-comp-002" not in toc
    assert 'id="cs-comp-002"' in html


def test_listing_parts_render_again_only_where_what_they_show_changed(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`mkdocs serve`: after one SOP is edited, the pages listing every SOP render that SOP's
    rows and sections again (and those whose text links to it), reuse the rest, and come out
    exactly as a build from scratch makes them."""
    import datetime
    import shutil

    from build_tools.render import listing
    from build_tools.rules.catalog import FileCache
    from build_tools.site.pages import SitePages
    from build_tools.speed import rendering
    from build_tools.speed.reuse import PageCache

    sops = tmp_path / "sops"
    shutil.copytree(SOPS, sops)
    _edit(sops / "CS-SOCMED-001.yaml", "action: Selesaikan masalah sesuai SOP keluhan",
          "action: Selesaikan masalah sesuai [[CS-COMP-002]] atau SOP keluhan")
    files, pages, today = FileCache(), PageCache(), datetime.date(2026, 11, 24)

    def render(cache: bool) -> dict[str, str]:
        catalog = load_catalog([sops], reference_dir=KB / "reference",
                               cache=files if cache else None)
        if not cache:  # the plain pipeline
            return dict(SitePages(catalog, "id", today=today).pages())
        return dict(rendering.pages(SitePages(catalog, "id", today=today, cache=pages), pages))

    rendered: list[object] = []
    add = listing.Parts.add
    monkeypatch.setattr(listing.Parts, "add",
                        lambda self, key, part: (rendered.append(key), add(self, key, part)))
    render(cache=True)
    assert len(rendered) > 100
    for edited, old, new, linking in (
            ("CS-COMP-002", "title: ", "title: Diedit ", {("steps", "pemantau", "CS-SOCMED-001"),
                                                           ("handbook", "CS-SOCMED-001")}),
            ("CS-COMP-001", "action: ", "action: Diedit ", set())):
        _edit(sops / f"{edited}.yaml", old, new)
        rendered.clear()
        warm = render(cache=True)
        assert rendered and {key for key in rendered if edited not in key} == linking
        cold = render(cache=False)
        assert "Diedit" in cold["roles.md"] and "Diedit" in cold["templates.md"]
        assert warm == cold
