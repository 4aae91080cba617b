"""The realistic fixture knowledge base (``tests/fixtures/kb``, a frozen copy of an early
shipped one): its SOPs are valid, the reference pages are generated from the data, and
every internal link of the built site resolves. The shipped content itself is checked by
``make check-content`` (see the Makefile), which asserts nothing about which SOPs exist."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from conftest import KB, SOPS, mkdocs, problem_lines, sopkb

from build_tools.rules.catalog import load_catalog
from build_tools.site.linkcheck import broken_links

SHIPPED_IDS = {
    "CS-GREET-001", "CS-CHAT-001", "CS-PHONE-001", "CS-EMAIL-001", "CS-SOCMED-001",
    "CS-COMP-001", "CS-COMP-002", "CS-COMP-003", "CS-COMP-004", "CS-COMP-005",
    "CS-COMP-006", "CS-COMP-007", "CS-ORDER-001", "CS-ORDER-002", "CS-TMPL-001",
    "CS-FDBK-001", "CS-QA-001", "CS-SOP-001",
}


def test_every_listed_sop_is_shipped_and_valid() -> None:
    catalog = load_catalog([SOPS], reference_dir=KB / "reference")
    assert catalog.problems == []
    assert {sop.id for sop in catalog.sops} == SHIPPED_IDS
    for sop in catalog.sops:
        assert sop.maintenance.owner and sop.maintenance.review_cycle
        assert sop.situation, f"{sop.id} needs a situation for the home page"


def test_validator_cli_accepts_the_shipped_knowledge_base() -> None:
    result = sopkb("validate", cwd=KB)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "18 SOP(s) valid" in result.stderr


def test_every_internal_link_in_the_built_site_resolves(site: Path) -> None:
    assert broken_links(site) == []


def test_the_link_checker_finds_a_broken_link(site: Path, tmp_path: Path) -> None:
    copy = tmp_path / "site"
    shutil.copytree(site, copy)
    page = copy / "channels" / "index.html"
    page.write_text(page.read_text("utf-8").replace(
        'href="../sop/cs-phone-001/"', 'href="../sop/cs-phone-999/"', 1).replace(
        'href="#email"', 'href="#no-such-channel"', 1), "utf-8")
    broken = broken_links(copy)
    assert any("cs-phone-999" in line for line in broken), broken
    assert any("no-such-channel" in line for line in broken), broken


def html(site: Path, url: str) -> str:
    return (site / url / "index.html").read_text("utf-8")


def test_complaint_types_page_lists_ten_types_and_three_complainers(site: Path) -> None:
    page = html(site, "complaint-types")
    assert len(re.findall(r'<h3 id="keluhan-[a-z-]+">', page)) == 10
    assert len(re.findall(r'<h3 id="pengeluh-[a-z-]+">', page)) == 3
    assert 'href="../sop/cs-comp-003/"' in page  # delivery complaints link their SOP


def test_metrics_glossary_is_linked_from_every_sop_feedback_section(site: Path) -> None:
    glossary = html(site, "metrics")
    for metric in ("csat", "nps", "fcr", "aht", "ces"):
        assert f'id="{metric}"' in glossary
    for sop in load_catalog([SOPS]).sops:
        page = html(site, f"sop/{sop.slug}")
        for metric in sop.feedback.metrics:
            assert f'href="../../metrics/#{metric.lower()}"' in page, (sop.id, metric)


def test_home_page_has_search_most_used_and_situation_table(site: Path) -> None:
    home = html(site, "")
    assert 'name="q"' in home  # Material opens its search with ?q=
    assert home.index('name="q"') < home.index('<h2 id="prosedur-yang-paling-sering-dipakai"')
    for sop in load_catalog([SOPS]).sops:
        assert f'href="sop/{sop.slug}/"' in home


@pytest.mark.slow
def test_generated_pages_follow_the_sop_data(project: Path) -> None:
    path = project / "sops" / "CS-SOP-001.yaml"
    text = path.read_text("utf-8")
    text = text.replace("channels: [internal]", "channels: [internal, phone]", 1)
    text = text.replace(
        "  - id: tinjau-berkala\n",
        "  - id: sapa-tim\n    action: Sapa tim baru\n    role: pelatih\n"
        "    template: Selamat bergabung, [nama agen], templat uji-unik-123.\n"
        "  - id: tinjau-berkala\n", 1)
    path.write_text(text, "utf-8")
    result = mkdocs("build", "--strict", cwd=project)
    assert result.returncode == 0, result.stderr
    site = project / "site"
    templates = html(site, "templates")
    assert "templat uji-unik-123" in templates
    assert 'href="../sop/cs-sop-001/#sapa-tim"' in templates
    channels = html(site, "channels")
    phone = channels[channels.index('id="phone"'):channels.index('id="email"')]
    assert 'href="../sop/cs-sop-001/"' in phone
    assert broken_links(site) == []


def test_reference_data_naming_a_missing_sop_is_an_error(project: Path) -> None:
    path = project / "reference" / "complaint-types.yaml"
    text = path.read_text("utf-8").replace("sops: [CS-COMP-006]", "sops: [CS-COMP-099]", 1)
    path.write_text(text, "utf-8")
    result = sopkb("validate", cwd=project)
    assert result.returncode == 1
    [problem] = problem_lines(result.stdout)
    assert problem["path"] == "reference/complaint-types.yaml"
    assert problem["rule"] == "unknown-sop"
    line = next(n for n, row in enumerate(text.splitlines(), 1) if "CS-COMP-099" in row)
    assert int(problem["line"]) == line


def test_a_metric_without_a_glossary_entry_is_an_error(project: Path) -> None:
    path = project / "reference" / "metrics.yaml"
    text = path.read_text("utf-8")
    start = text.index("  CRR:")
    path.write_text(text[:start], "utf-8")
    result = sopkb("validate", cwd=project)
    assert result.returncode == 1
    [problem] = problem_lines(result.stdout)
    assert problem["rule"] == "undescribed-metric" and "'CRR'" in problem["message"]


@pytest.mark.slow
def test_an_unknown_marker_fails_the_strict_build(project: Path) -> None:
    with (project / "docs" / "index.md").open("a", encoding="utf-8") as handle:
        handle.write("\n<!-- sop-kb: sop-list CS-NOPE-001 -->\n")
    result = mkdocs("build", "--strict", cwd=project)
    assert result.returncode != 0
    assert "unknown SOP id(s): CS-NOPE-001" in result.stderr


def test_training_path_naming_a_missing_step_is_an_error(project: Path) -> None:
    path = project / "training" / "onboarding.yaml"
    text = path.read_text("utf-8").replace("step: minta-maaf", "step: minta-ampun", 1)
    path.write_text(text, "utf-8")
    result = sopkb("validate", cwd=project)
    assert result.returncode == 1
    [problem] = problem_lines(result.stdout)
    assert problem["path"] == "training/onboarding.yaml"
    assert problem["rule"] == "unknown-step"
    assert "'minta-ampun' is not a step of CS-COMP-001" in problem["message"]
    assert int(problem["line"]) == next(
        n for n, line in enumerate(text.splitlines(), 1) if "minta-ampun" in line)


def test_synonym_in_two_groups_is_an_error(project: Path) -> None:
    (project / "search" / "synonyms.yaml").write_text(
        "groups:\n  - [keluhan, komplain]\n  - [aduan, keluhan]\n", "utf-8")
    result = sopkb("validate", cwd=project)
    assert result.returncode == 1
    [problem] = problem_lines(result.stdout)
    assert problem["rule"] == "duplicate-synonym"
    assert (problem["line"], problem["col"]) == ("3", "13")


def test_alias_taken_by_another_sop_is_an_error(project: Path) -> None:
    path = project / "sops" / "CS-COMP-002.yaml"
    path.write_text(path.read_text("utf-8").replace(
        "status: active", "status: active\naliases: [CS-COMP-001]", 1), "utf-8")
    result = sopkb("validate", cwd=project)
    assert result.returncode == 1
    [problem] = problem_lines(result.stdout)
    assert problem["rule"] == "duplicate-id" and "alias 'CS-COMP-001'" in problem["message"]
