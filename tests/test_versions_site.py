"""Document control on the site, built from a repository with a scripted history
(tests/history_repo.py: commits on chosen days, a merge per version, a move, a retired SOP,
a removed one, history older than the repository, an effective day in the past and one in
the future). The site is built as on 2026-06-01."""

from __future__ import annotations

import datetime
import json
import os
import re
import subprocess
from pathlib import Path

import history_repo
import pytest
from conftest import BIN, line_of, serve, sopkb
from test_accessibility import serious, violations

from build_tools.cli.approval import write_record
from build_tools.model.approvals import ApprovalRecord, Reviewer

#: Every test here builds a site with mkdocs (the module's fixture, or its own).
pytestmark = pytest.mark.slow

#: 2026-06-01 at noon in Jakarta.
EPOCH = str(int(datetime.datetime(2026, 6, 1, 5, 0, tzinfo=datetime.UTC).timestamp()))
CONFIG = """\
site_name: Riwayat SOP
docs_dir: docs
theme:
  name: material
  language: id
  font: false
plugins:
  - sop-kb:
      search: false
"""


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, history_repo.Repo]:
    repo = history_repo.build(tmp_path_factory.mktemp("versions") / "kb")
    (repo.path / "mkdocs.yml").write_text(CONFIG, "utf-8")
    # 1.1 came by PR #12 and was corrected by PR #13 without a new number: its pages show
    # the corrected text, and so the approval of #13.
    for number, name, merged in ((12, "merge comp-11", "2026-03-02T02:00:00Z"),
                                 (13, "comp 1.1 typo", "2026-03-10T02:00:00Z")):
        write_record(repo.path / "approvals", ApprovalRecord(
            "CS-COMP-002", "1.1", number, f"https://github.com/contoh/sop/pull/{number}",
            merged, repo.commits[name], (Reviewer("dewi", "2026-02-12T06:30:00Z"),)))
    repo.commit("approvals", "2026-03-03")
    result = subprocess.run([str(BIN / "mkdocs"), "build", "--strict"], cwd=repo.path,
                            capture_output=True, text=True, timeout=300,
                            env={**os.environ, "NO_MKDOCS_2_WARNING": "1",
                                 "SOURCE_DATE_EPOCH": EPOCH})
    assert result.returncode == 0, result.stderr
    return repo.path / "site", repo


def _article(site: Path, path: str) -> str:
    page = (site / path / "index.html").read_text("utf-8")
    return page.split("<article", 1)[1].split("</article>", 1)[0]


def test_the_sops_page_shows_the_version_in_force_and_announces_the_next(built) -> None:
    site, _ = built
    page = _article(site, "sop/cs-comp-002")
    assert re.search(r'data-label="Versi">1\.2<', page)  # 1.3 takes effect on 2026-07-01
    assert "Versi 1.3 berlaku mulai 2026-07-01." in page
    assert 'href="v/1.3/"' in page
    rows = re.findall(r"<tr><td>([0-9.]+)</td><td>([^<]*)</td>", page.split("sop-versions")[1])
    assert rows == [("1.3", "sejak 2026-07-01"), ("1.2", "2026-04-15 s.d. 2026-07-01"),
                    ("1.1", "2026-03-02 s.d. 2026-04-15"), ("1.0", "2026-01-05 s.d. 2026-03-02"),
                    ("0.9", "2025-06-01 s.d. 2026-01-05")]
    assert "halaman ini" in page and "tercatat di riwayat saja" in page
    assert "tidak dapat ditampilkan dengan aturan sekarang" in page  # 1.0: a key since refused
    assert "PR #13 disetujui oleh dewi (2026-03-10)" in page and "PR #12" not in page
    control = re.search(r'<p class="sop-print-control">(.*?)</p>', page).group(1)
    assert "CS-COMP-002 versi 1.2" in control and "2026-04-15 s.d. 2026-07-01" in control
    assert "Dokumen tidak terkendali bila dicetak" in control and "data-print-date" in control


def test_an_earlier_version_has_its_page_out_of_search_and_robots(built) -> None:
    site, _ = built
    whole = (site / "sop" / "cs-comp-002" / "v" / "1.1" / "index.html").read_text("utf-8")
    assert '<meta name="robots" content="noindex">' in whole
    assert "md-sidebar--primary" not in whole  # no site-wide navigation
    # A page outside the theme, with the theme's look: every stylesheet it links is the
    # site's; its title names the version; the sitemap leaves it out, as robots do.
    folder = site / "sop" / "cs-comp-002" / "v" / "1.1"
    sheets = re.findall(r'<link rel="stylesheet" href="([^"]+)">', whole)
    assert any("/assets/stylesheets/main." in sheet for sheet in sheets)
    assert all((folder / sheet).resolve().is_file() for sheet in sheets)
    assert "<title>Menangani keluhan produk rusak (versi 1.1) - " in whole
    assert "/v/" not in (site / "sitemap.xml").read_text("utf-8")
    page = _article(site, "sop/cs-comp-002/v/1.1")
    assert "Ini versi 1.1, bukan versi yang berlaku." in page
    assert "2026-03-02 s.d. 2026-04-15" in page and "PR #13 disetujui oleh dewi" in page
    assert 'href="../../"' in page  # the version in force
    assert re.search(r'href="../../">Versi berikutnya \(1\.2\)', page)  # in force: its page
    assert "Versi sebelumnya" not in page  # 1.0 has no page (and 0.9 no text)
    assert "rusak, cacat" in page  # its text as it stood, corrected on 2026-03-10
    size = len(whole.encode())
    full = len((site / "sop" / "cs-comp-002" / "index.html").read_bytes())
    assert size < full  # no navigation, no versions table


def test_what_changed_is_said_on_the_version_page(built) -> None:
    site, _ = built
    page = _article(site, "sop/cs-comp-002/v/1.3")  # the version taking effect later
    changes = page.split('id="changes"')[1].split("</ul>")[0]
    assert "Versi: 1.2 → 1.3" in changes
    assert re.search(r'href="../../">Versi sebelumnya \(1\.2\)', page)


def test_a_retired_sop_keeps_its_earlier_versions(built) -> None:
    site, _ = built
    assert "sop-retired" in _article(site, "sop/cs-chat-001")
    assert "Ini versi 1.0" in _article(site, "sop/cs-chat-001/v/1.0")


def test_the_in_force_page_answers_for_any_date(built, page) -> None:
    site, _ = built
    data = json.loads((site / "assets" / "sop-kb" / "in-force.json").read_text("utf-8"))
    assert {entry["id"] for entry in data} == {"CS-COMP-002", "CS-CHAT-001", "CS-ORDER-001"}
    # Every link of the date field leads to a page the build made; 0.9 (in the history
    # only) and 1.0 (unreadable under today's rules) have none, and no link.
    links = {(entry["id"], period["v"]): period["u"] for entry in data for period in entry["p"]}
    assert links[("CS-COMP-002", "0.9")] is None and links[("CS-COMP-002", "1.0")] is None
    assert links[("CS-COMP-002", "1.1")] == "sop/cs-comp-002/v/1.1/"
    for link in filter(None, links.values()):
        assert (site / link / "index.html").is_file(), link
    today = _article(site, "in-force")
    assert re.findall(r"<code>([A-Z0-9-]+)</code></td><td>.*?</td><td>([0-9.]+)</td>",
                      today) == [("CS-COMP-002", "1.2")]  # chat retired, order removed
    url, server = serve(site)
    try:
        page.add_init_script("window.__violations = []; document.addEventListener("
                             "'securitypolicyviolation', e => window.__violations.push("
                             "e.violatedDirective))")
        page.goto(url + "sop/cs-comp-002/v/1.1/", wait_until="networkidle")
        assert page.locator("[data-print-date]").inner_text() != ""  # its one script ran
        assert page.evaluate("window.__violations") == []
        found = violations(page)  # a page outside the theme, checked as the theme's are
        assert serious(found) == [] and len(found) <= 1, found
        page.screenshot(path="/tmp/version-page.png", full_page=False)
        page.goto(url + "in-force/")
        for day, expected in (("2026-03-05", {("CS-CHAT-001", "1.0"), ("CS-COMP-002", "1.1"),
                                              ("CS-ORDER-001", "1.0")}),
                              ("2026-07-02", {("CS-COMP-002", "1.3")}),
                              ("2025-12-01", {("CS-COMP-002", "0.9")}),  # before git
                              ("2025-05-01", set())):
            page.fill("#sop-in-force-date", day)
            page.click(".sop-in-force button")
            page.wait_for_timeout(300)
            rows = page.locator(".sop-in-force__table tbody tr").all()
            found = {(row.locator("td").nth(0).inner_text(), row.locator("td").nth(2)
                      .inner_text()) for row in rows if row.locator("td").count() == 4}
            assert found == expected, day
            if not expected:
                assert "Tidak ada SOP" in page.locator(".sop-in-force__table").inner_text()
        page.fill("#sop-in-force-date", "2026-03-05")
        page.click(".sop-in-force button")
        page.locator(".sop-in-force__table a", has_text="Menangani keluhan").click()
        page.wait_for_url("**/sop/cs-comp-002/v/1.1/")
        assert page.locator("h1").inner_text().startswith("Menangani keluhan")
        assert page.evaluate("window.__violations") == []
    finally:
        server.shutdown()


def test_version_pages_weigh_nothing_in_search(built) -> None:
    from build_tools.rules.catalog import load_catalog
    from build_tools.site.pages import SitePages
    from build_tools.site.versions import Control

    site, repo = built
    catalog = load_catalog([repo.path / "sops"], base=repo.path)
    pages = SitePages(catalog, "id", today=datetime.date(2026, 6, 1), control=Control())
    assert pages.search_weight("sop/cs-comp-002/v/1.1.md") == 0.0
    assert pages.search_weight("in-force.md") == 0.0
    assert pages.search_weight("sop/cs-comp-002.md") == 1.0


def test_every_version_page_is_claimed_and_made(built) -> None:
    """The URL claims (build_tools.site.urls) know the version pages and the in-force page
    as the site makes them."""
    from build_tools.model.timelines import timelines
    from build_tools.render.listing import page_url
    from build_tools.rules.catalog import load_catalog
    from build_tools.site.pages import SitePages
    from build_tools.site.urls import claims
    from build_tools.site.versions import Control
    from build_tools.source.history import read_history

    _, repo = built
    catalog = load_catalog([repo.path / "sops"], base=repo.path)
    control = Control(timelines(read_history(repo.path / "sops")))
    pages = SitePages(catalog, "id", today=datetime.date(2026, 6, 1), control=control)
    made = {page_url(uri, True) for uri, _ in pages.pages()}
    made |= {path.removesuffix("index.html") for path, _ in pages.redirects()}
    assert {"sop/cs-comp-002/v/1.1/", "sop/cs-comp-002/v/1.3/", "in-force/"} <= made
    assert {claim.url for claim in claims(pages)} == made


def test_a_version_number_that_comes_back_gets_a_page_of_its_own(tmp_path: Path) -> None:
    """1.0, 2.0, then 1.0 again (a revert) and 3.0: each run of 1.0 has its own page, the
    first at the address it always had, and the strict build passes."""
    repo = _repository(tmp_path)
    first = [("1.0", "2026-01-05")]
    for version, day, entries in (("1.0", "2026-01-05", first),
                                  ("2.0", "2026-02-02", [("2.0", "2026-02-02"), *first]),
                                  ("1.0", "2026-03-02", first),  # git revert: 1.0's file again
                                  ("3.0", "2026-04-01", [("3.0", "2026-04-01"), *first])):
        text = history_repo.sop("CS-ORDER-001", version, entries)
        repo.write("sops/CS-ORDER-001.yaml", text.replace(
            "purpose: >\n", f"purpose: >\n  Versi {version} dari {day}.\n", 1))
        repo.commit(f"{version} of {day}", day)
    result = _build(repo)
    assert result.returncode == 0, result.stderr
    site = repo.path / "site" / "sop" / "cs-order-001"
    assert sorted(path.name for path in (site / "v").iterdir()) == ["1.0", "1.0-2", "2.0"]
    assert "Versi 1.0 dari 2026-01-05" in _article(site / "v", "1.0")
    assert "Versi 1.0 dari 2026-03-02" in _article(site / "v", "1.0-2")
    assert "Versi 3.0 dari 2026-04-01" in _article(site, ".")


def test_a_rewritten_record_fails_the_strict_build_and_the_validator(tmp_path: Path) -> None:
    """An auditor found that moving the effective day of a version already in force passed
    the strict build (it keeps no parsed files to point at) and ``sopkb validate`` (which
    read git only for approval records, with no approvals folder yet): both refuse it now,
    at the entry."""
    repo = _repository(tmp_path)
    path = "sops/CS-ORDER-001.yaml"
    first = ("1.0", "2026-01-02")
    for version, day, entries in (
            ("1.0", "2026-01-05", [first]),
            ("1.1", "2026-03-02", [("1.1", "2026-03-01"), first]),
            ("1.1", "2026-04-01", [("1.1", "2026-03-01", "2026-05-01"), first])):
        repo.write(path, history_repo.sop("CS-ORDER-001", version, entries))
        repo.commit(f"{version} of {day}", day)
    line = line_of((repo.path / path).read_text("utf-8"), "    effective: 2026-05-01")
    result = _build(repo)
    assert result.returncode == 1
    assert f"{path}:{line}:" in result.stderr and "(history-rewritten)" in result.stderr
    assert not (repo.path / "approvals").exists()
    checked = sopkb("validate", "--today", "2026-06-01", cwd=repo.path)
    assert checked.returncode == 1, checked.stdout + checked.stderr
    assert checked.stdout.startswith(f"{path}:{line}:")
    assert "(history-rewritten)" in checked.stdout and "Traceback" not in checked.stderr


def test_a_version_replaced_the_day_it_came_is_never_in_force(tmp_path: Path) -> None:
    """1.1 merged at 09:00 and 1.2 at 15:00 the same day: 1.1 never applied, and its row
    says so (an auditor found it listed as in force since that day, with no end)."""
    repo = _repository(tmp_path)
    entries = [("1.0", "2026-01-02")]
    for version, moment in (("1.0", "2026-01-05"), ("1.1", "2026-03-02T09:00:00+07:00"),
                            ("1.2", "2026-03-02T15:00:00+07:00")):
        if version != "1.0":
            entries.insert(0, (version, "2026-03-02"))
        repo.write("sops/CS-ORDER-001.yaml",
                   history_repo.sop("CS-ORDER-001", version, entries))
        repo.commit(version, moment)
    result = _build(repo)
    assert result.returncode == 0, result.stderr
    page = _article(repo.path / "site", "sop/cs-order-001")
    rows = re.findall(r"<tr><td>([0-9.]+)</td><td>([^<]*)</td>", page.split("sop-versions")[1])
    assert rows == [("1.2", "sejak 2026-03-02"), ("1.1", "tidak pernah berlaku"),
                    ("1.0", "2026-01-05 s.d. 2026-03-02")]
    assert "tidak pernah berlaku" in _article(repo.path / "site", "sop/cs-order-001/v/1.1")


def test_a_shallow_clone_fails_the_strict_build_and_gives_no_answer(built, tmp_path: Path,
                                                                    ) -> None:
    """Cut short, git's history starts every version it holds on its oldest commit's day:
    an auditor found such a clone publishing wrong periods with a mere notice. The strict
    build fails (a warning), ``sopkb validate`` warns, ``sopkb in-force`` refuses."""
    _, repo = built
    clone = history_repo.Repo(tmp_path / "clone")
    subprocess.run(["git", "clone", "-q", "--depth", "1", f"file://{repo.path}",
                    str(clone.path)], check=True, capture_output=True)
    result = _build(clone)
    assert result.returncode == 1
    assert "sops:1:1: [warning] a shallow clone" in result.stderr, result.stderr
    assert "(shallow-history)" in result.stderr
    checked = sopkb("validate", "--today", "2026-06-01", "--format", "json", cwd=clone.path)
    assert [p["rule"] for p in json.loads(checked.stdout)] == ["shallow-history"]
    answer = sopkb("in-force", "--date", "2026-03-05", cwd=clone.path)
    assert answer.returncode == 1 and answer.stdout == ""
    assert answer.stderr == ("Error: sops: a shallow clone cannot say which version was in "
                             "force: fetch the whole history (git fetch --unshallow)\n")


def _repository(tmp_path: Path) -> history_repo.Repo:
    """An empty git repository with the site's configuration and a home page."""
    repo = history_repo.Repo(tmp_path / "kb")
    repo.path.mkdir()
    repo.git("init", "-q", "-b", "main")
    (repo.path / "mkdocs.yml").write_text(CONFIG, "utf-8")
    (repo.path / "docs").mkdir()
    (repo.path / "docs" / "index.md").write_text("# Beranda\n", "utf-8")
    return repo


def _build(repo: history_repo.Repo) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(BIN / "mkdocs"), "build", "--strict"], cwd=repo.path,
                          capture_output=True, text=True, timeout=300,
                          env={**os.environ, "NO_MKDOCS_2_WARNING": "1",
                               "SOURCE_DATE_EPOCH": EPOCH})
