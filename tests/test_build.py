"""A real `mkdocs build --strict`: the shipped SOPs build, invalid ones and broken links fail."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import KB, SOPS, mkdocs, replace_key

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


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text("utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), "utf-8")


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
