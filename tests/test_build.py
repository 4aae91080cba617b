"""A real `mkdocs build --strict`: the shipped SOPs build, invalid ones and broken links fail."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest
from conftest import KB, ROOT, SOPS, mkdocs, replace_key
from hypothesis import given
from hypothesis import strategies as st

from build_tools.render.flowchart import _wrap
from build_tools.rules.catalog import load_catalog
from build_tools.rules.components import COMPONENTS

SECTION_ANCHORS = ("purpose-scope", "duties", "procedure", "quality-standards", "escalation",
                   "feedback", "maintenance")


def page(site: Path, url: str) -> str:
    return (site / url / "index.html").read_text("utf-8")


def nav_links(html: str) -> list[str]:
    """The targets of every navigation link on a page (site nav and table of contents)."""
    return re.findall(r'<a href="([^"]*)" class="md-nav__link', html)


def test_a_build_keeps_the_sops_but_not_their_parsed_files() -> None:
    kept = load_catalog([SOPS], reference_dir=KB / "reference")
    light = load_catalog([SOPS], reference_dir=KB / "reference", documents=False)
    assert len(kept.documents) == len(kept.sops) > 0 and light.documents == []
    assert light.sops == kept.sops and light.problems == kept.problems


def test_every_shipped_sop_page_has_title_steps_and_components(site: Path) -> None:
    catalog = load_catalog([SOPS], reference_dir=KB / "reference")
    assert catalog.sops and not catalog.problems
    assert len(COMPONENTS) == 6
    for sop in catalog.sops:
        html = page(site, f"sop/{sop.id.lower()}")
        assert re.search(rf'<h1 id="[^"]*">{re.escape(_escape(sop.title))}<', html), sop.id
        for anchor in SECTION_ANCHORS:
            assert f'id="{anchor}"' in html, (sop.id, anchor)
        for step in sop.steps:
            heading = rf'<h3 class="sop-step" id="{step.id}">{step.number}\. '
            assert re.search(heading, html), (sop.id, step.id)
            assert f'href="#{step.id}"' in html  # the at-a-glance table links every step


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


@pytest.mark.slow
def test_url_comes_from_the_id_not_the_title_or_step_order(project: Path) -> None:
    path = project / "sops" / "CS-CHAT-001.yaml"
    text = path.read_text("utf-8").replace("title: Melayani percakapan live chat",
                                           "title: Judul yang benar-benar baru", 1)
    start, end = text.index("  - id: terima-chat"), text.index("  - id: identifikasi-masalah")
    text = text[:start] + text[end:text.index("  - id: selesaikan")] + text[start:end] + \
        text[text.index("  - id: selesaikan"):]
    path.write_text(text, "utf-8")
    result = mkdocs("build", "--strict", cwd=project)
    assert result.returncode == 0, result.stderr
    html = (project / "site" / "sop" / "cs-chat-001" / "index.html").read_text("utf-8")
    assert "Judul yang benar-benar baru" in html
    assert re.search(r'<h3 class="sop-step" id="terima-chat">2\. ', html)


def test_index_lists_every_sop_with_channels_and_owner(site: Path) -> None:
    html = page(site, "sop")
    for sop in load_catalog([SOPS]).sops:
        assert f"<code>{sop.id}</code>" in html
        assert f'href="../sop/{sop.slug}/"' in html or f'href="{sop.slug}/"' in html
        assert _escape(sop.owner) in html


def test_navigation_lists_categories_not_every_sop(site: Path) -> None:
    links = nav_links(page(site, "channels"))
    categories = {sop.category for sop in load_catalog([SOPS]).sops}
    assert len(categories) > 1
    for sop in load_catalog([SOPS]).sops:
        assert f"../sop/{sop.slug}/" not in links
    assert len([link for link in links if link.startswith("../category/")]) == len(categories)


@pytest.mark.slow
def test_invalid_sop_fails_the_build_with_the_validator_message(project: Path) -> None:
    path = project / "sops" / "CS-CHAT-001.yaml"
    text = path.read_text("utf-8")
    path.write_text(replace_key(text, "escalation", None), "utf-8")
    for args in (["build", "--strict"], ["build"]):
        result = mkdocs(*args, cwd=project)
        assert result.returncode != 0
        assert re.search(r"sops/CS-CHAT-001\.yaml:\d+:\d+: \[error\] missing component 4 "
                         r"\(difficult situations and escalation\)", result.stderr), result.stderr
        assert "Traceback" not in result.stderr
        assert not (project / "site").exists(), "nothing half-written"


@pytest.mark.slow
@pytest.mark.parametrize(("link", "complaint"), [
    ("sop/cs-nope-001.md", "not found among documentation files"),
    ("sop/cs-comp-002.md#no-such-step", "does not contain an anchor '#no-such-step'"),
])
def test_broken_links_fail_the_strict_build(project: Path, link: str, complaint: str) -> None:
    with (project / "docs" / "index.md").open("a", encoding="utf-8") as handle:
        handle.write(f"\n[tautan rusak]({link})\n")
    result = mkdocs("build", "--strict", cwd=project)
    assert result.returncode != 0
    assert complaint in result.stderr


@pytest.mark.slow
def test_step_links_from_hand_written_pages_resolve(project: Path) -> None:
    with (project / "docs" / "index.md").open("a", encoding="utf-8") as handle:
        handle.write("\n[minta bukti](sop/cs-comp-002.md#minta-bukti)\n")
    result = mkdocs("build", "--strict", cwd=project)
    assert result.returncode == 0, result.stderr


@pytest.mark.slow
def test_headings_follow_the_site_language(project: Path) -> None:
    config = project / "mkdocs.yml"
    config.write_text(config.read_text("utf-8").replace("language: id", "language: en"), "utf-8")
    result = mkdocs("build", "--strict", cwd=project)
    assert result.returncode == 0, result.stderr
    html = (project / "site" / "sop" / "cs-comp-002" / "index.html").read_text("utf-8")
    assert "Handling procedure" in html and "Prosedur penanganan" not in html
    assert "Difficult situations and escalation" in html


def test_every_language_has_every_label() -> None:
    from build_tools.render.labels import available_languages, load_labels

    def keys(labels: dict, prefix: str = "") -> set[str]:
        found = set()
        for key, value in labels.items():
            found.add(prefix + key)
            if isinstance(value, dict):
                found |= keys(value, f"{prefix}{key}.")
        return found

    languages = available_languages()
    assert {"id", "en"} <= set(languages)
    reference = keys(load_labels("en"))
    for language in languages:
        assert keys(load_labels(language)) == reference, language


# --- Listing blocks: the HTML end of pages that list every SOP (build_tools/listing.py) ---

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


def test_a_single_build_keeps_nothing_for_a_next_one() -> None:
    """Outside ``mkdocs serve`` no next build reuses the pages' cache keys or listing parts;
    a build of 10,000 SOPs held them to its end. With a cache (serve) they are kept; the
    pages are the plain pipeline's either way, redirects included."""
    from build_tools.site.pages import SitePages
    from build_tools.speed import rendering
    from build_tools.speed.reuse import PageCache

    catalog = load_catalog([SOPS], reference_dir=KB / "reference")
    plain = SitePages(catalog, "id")
    build, serve = PageCache(keep=False), PageCache()
    single, kept = SitePages(catalog, "id", cache=build), SitePages(catalog, "id", cache=serve)
    assert list(rendering.pages(single, build)) == list(plain.pages()) == \
        list(rendering.pages(kept, serve))
    assert list(rendering.redirects(kept, serve)) == list(plain.redirects())
    assert not build.pages and not single.renderer._parts
    assert serve.pages and kept.renderer._parts


def test_a_generated_page_in_memory_is_let_go_once_read() -> None:
    """MkDocs keeps its own copy of a page's text (then its HTML): the generated file lets
    its own go once read, and a second read fails rather than give an empty page."""
    from mkdocs.config import load_config

    from build_tools.mkdocs.serving import GeneratedFiles

    config = load_config(str(KB / "mkdocs.yml"))
    config.plugins._current_plugin = "sop-kb"  # as while MkDocs runs the plugin's on_files
    page = GeneratedFiles().file(config, "sop/x.md", "# Judul\n")
    asset = GeneratedFiles().file(config, "assets/x.css", "a {}")
    assert page.content_string == "# Judul\n"
    with pytest.raises(AssertionError):
        page.content_string  # noqa: B018 - the read is the test
    assert asset.content_string == asset.content_string == "a {}"


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text("utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), "utf-8")


WORDS = st.lists(st.text("aiknrsu.,éĀ", min_size=1, max_size=12), min_size=1, max_size=30)


@given(WORDS, st.lists(st.text("aiknrsu-", max_size=45), max_size=2), st.integers(1, 40))
def test_flowchart_lines_break_where_textwrap_breaks_them(
        words: list[str], rare: list[str], width: int) -> None:
    """The flowchart's own line breaking (faster) gives textwrap's lines, for words with
    hyphens and words longer than a line too."""
    text = " ".join(" ".join(words + rare).split())  # as _lines gives it
    assert _wrap(text, width) == textwrap.wrap(text, width)


def _in_a_fresh_process(code: str) -> None:
    """Run ``code`` where no other thread runs (this test process may have some, which
    rules out forking, see :mod:`build_tools.speed.second_core`); it fails by raising."""
    import subprocess
    import sys

    result = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], cwd=ROOT,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr


def test_sop_pages_rendered_on_the_other_core_are_those_rendered_here() -> None:
    """A build renders the SOP pages in a forked process while it renders the listing
    pages: the same pages in the same order; when the child fails, the build renders them
    itself."""
    _in_a_fresh_process("""
        from pathlib import Path
        from build_tools.speed import second_core as elsewhere
        from build_tools.speed import rendering
        from build_tools.speed.reuse import PageCache
        from build_tools.site.pages import SitePages
        from build_tools.rules.catalog import load_catalog

        catalog = load_catalog([Path("sops")], reference_dir=Path("reference"))
        here = list(SitePages(catalog, "id").pages())  # the plain pipeline
        assert len(here) > len(catalog.sops) > 10

        def fast():
            cache = PageCache(keep=False)
            return list(rendering.pages(SitePages(catalog, "id", cache=cache), cache))

        rendering.PARALLEL_SOPS = 10
        answers = []
        results = elsewhere.Elsewhere.results
        elsewhere.Elsewhere.results = lambda self: answers.append(results(self)) or answers[-1]
        assert fast() == here
        [forked, again] = answers  # the second call, at the end, finds the child collected
        assert forked is not None and len(forked) == len(catalog.sops) and again is None

        start = elsewhere.start
        rendering.second_core.start = lambda work: start(lambda: [1 / 0])
        answers.clear()
        assert fast() == here
        assert answers[0] is None
    """)


def test_work_elsewhere_returns_its_results_or_none() -> None:
    _in_a_fresh_process("""
        import threading
        from build_tools.speed import second_core as elsewhere

        child = elsewhere.start(lambda: (n * n for n in range(5)))
        assert child is not None and child.results() == [0, 1, 4, 9, 16]
        assert child.results() is None  # collected once
        for fails in (lambda: [1 / 0], lambda: [lambda: "cannot be pickled"]):
            child = elsewhere.start(fails)
            assert child is not None and child.results() is None
        threading.Thread(target=threading.Event().wait, args=(5,), daemon=True).start()
        assert elsewhere.start(lambda: [1]) is None  # never forks beside another thread
    """)


def test_the_navigation_lists_categories_only_while_they_are_few(tmp_path: Path) -> None:
    """The navigation is in every page: with more categories than ``nav_categories`` it
    holds the SOP index alone (which lists them), so it does not grow with them."""
    from build_tools.render.renderer import INDEX_URI
    from build_tools.site.pages import SitePages

    catalog = load_catalog([SOPS], reference_dir=KB / "reference")
    categories = len({sop.category for sop in catalog.sops})
    few = SitePages(catalog, "id", nav_categories=categories)
    assert few.nav_uris()[0] == INDEX_URI and len(few.nav_uris()) == categories + 1
    many = SitePages(catalog, "id", nav_categories=categories - 1)
    assert many.nav_uris() == [INDEX_URI]
    assert all(uri in dict(many.pages()) for uri in few.nav_uris())  # still built


def test_a_long_build_shows_progress_in_a_terminal_only() -> None:
    import io

    from build_tools.mkdocs.progress import Progress

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    shown = Terminal()
    progress = Progress(shown, enabled=True)
    for done in range(1, 301):
        progress.files(done, 300)
    progress.total_pages = 250
    for _ in range(250):
        progress.page()
    progress.indexed(250)
    lines = shown.getvalue().split("\n")
    assert lines[0].endswith("SOP files read: 300/300")
    assert lines[1].endswith("pages written: 250/250")
    assert lines[2].endswith("search indexed: 250 pages")
    quiet = io.StringIO()
    progress = Progress(quiet)  # not a terminal
    progress.files(300, 300)
    progress.total_pages = 250
    progress.page()
    assert quiet.getvalue() == ""
    small = Terminal()
    Progress(small, enabled=True).files(10, 10)  # a small knowledge base: nothing
    assert small.getvalue() == ""
