"""The knowledge base grows by pull request without breaking: on a copy of this repository
a writer adds, retires, renames and deletes SOPs and the content check stays green; links
from pages back to their files and to the issue tracker; who approves a change."""

from __future__ import annotations

import re
import shlex
import shutil
import time
from pathlib import Path

import pytest
import yaml
from conftest import BIN, ROOT, SOPS, mkdocs, problem_lines, run, sopkb

#: What `make check-content` runs, in order, at one SOURCE_DATE_EPOCH (the Makefile is the
#: source; a test below checks that these are its commands): the ProperDocs build must give
#: MkDocs' site but for the generator's name.
CONTENT_CHECK = (["sopkb", "validate"], ["sopkb", "codeowners", "--check"],
                 ["mkdocs", "build", "--strict", "--site-dir", "site"],
                 ["sopkb", "check-site", "site"],
                 ["properdocs", "build", "--strict", "-f", "mkdocs.yml", "--site-dir",
                  "site-properdocs"],
                 ["diff", "-r", "-q", "-I", '^ *<meta name="generator" content="mkdocs-',
                  "-x", "offline.json", "-x", "service-worker.js", "site", "site-properdocs"])


@pytest.fixture
def repository(tmp_path: Path) -> Path:
    """A copy of this repository's content and configuration, as a writer's clone has it."""
    copy = tmp_path / "repo"
    copy.mkdir()
    for name in ("docs", "sops", "reference", "search", "training", ".github"):
        shutil.copytree(ROOT / name, copy / name)
    shutil.copy(ROOT / "mkdocs.yml", copy / "mkdocs.yml")
    return copy


def content_check(folder: Path) -> list[str]:
    """Run the content check; the output of the first command that fails, or []."""
    epoch = {"SOURCE_DATE_EPOCH": str(int(time.time()))}
    for command in CONTENT_CHECK:
        program = BIN / command[0]  # the project's commands; diff is the system's
        result = run([str(program) if program.exists() else command[0], *command[1:]],
                     cwd=folder, timeout=300, env_extra=epoch)
        if result.returncode != 0:
            return [" ".join(command), result.stdout, result.stderr]
    return []


def test_the_content_check_is_what_the_makefile_runs() -> None:
    makefile = (ROOT / "Makefile").read_text("utf-8")
    recipe = makefile.split("\ncheck-content:", 1)[1].split("\n\n", 1)[0]
    commands = [shlex.split(line.strip().replace("$(BIN)/", "").replace("$(CONTENT_SITE)", "site"))
                for line in recipe.splitlines()[1:] if line.startswith("\t")]
    assert commands == [list(command) for command in CONTENT_CHECK]


def fill_todos(path: Path) -> None:
    text = re.sub(r"TODO[:]?[^\n]*", "Agen memastikan pelanggan mendapat jawaban yang jelas.",
                  path.read_text("utf-8"))
    path.write_text(text.replace("status: draft", "status: active"), "utf-8")


def links_to(folder: Path, sop_id: str) -> bool:
    """Whether anything in the content names ``sop_id`` (related, [[links]], reference,
    training, markers)."""
    for path in [*folder.glob("sops/*.yaml"), *folder.glob("reference/*.yaml"),
                 *folder.glob("training/*.yaml"), *folder.glob("docs/**/*.md")]:
        if path.stem != sop_id and re.search(rf"\b{sop_id}\b", path.read_text("utf-8")):
            return True
    return False


@pytest.mark.slow
def test_a_writer_adds_retires_renames_and_deletes_and_the_check_stays_green(
        repository: Path) -> None:
    assert content_check(repository) == []
    # Add: a new series, its TODOs filled in.
    made = sopkb("new", "--series", "CS-BILL", "--title", "Menangani pertanyaan tagihan",
                 "--owner", "Kepala Layanan Pelanggan", "--channel", "email", cwd=repository)
    assert made.returncode == 0, made.stderr
    new = repository / "sops" / "CS-BILL-001.yaml"
    assert "/sops/CS-BILL-001.yaml @" in (repository / ".github" / "CODEOWNERS").read_text()
    assert content_check(repository)[0] == "sopkb validate"  # TODOs refused until filled
    fill_todos(new)
    assert content_check(repository) == []
    # Retire one: still served, with a banner; listed nowhere, not searched.
    retired = next(p for p in sorted((repository / "sops").glob("*.yaml"))
                   if p.stem != "CS-BILL-001")
    retired.write_text(retired.read_text("utf-8").replace("status: active", "status: retired",
                                                          1), "utf-8")
    assert content_check(repository) == []
    site = repository / "site"
    slug = retired.stem.lower()
    assert "sop-retired" in (site / "sop" / slug / "index.html").read_text("utf-8")
    assert f"{slug}/" not in (site / "sop" / "index.html").read_text("utf-8")
    # Rename one, keeping its old id as an alias (and the links to it updated).
    old_id, new_id = "CS-BILL-001", "CS-BILL-100"
    text = new.read_text("utf-8").replace(f"id: {old_id}", f"id: {new_id}\naliases: [{old_id}]")
    new.unlink()
    (repository / "sops" / f"{new_id}.yaml").write_text(text, "utf-8")
    assert run([str(BIN / "sopkb"), "codeowners"], cwd=repository).returncode == 0
    assert content_check(repository) == []
    assert (site / "sop" / "cs-bill-001" / "index.html").is_file()  # the old URL forwards
    # Delete one that nothing links to (the new one: every other is named somewhere).
    unreferenced = repository / "sops" / f"{new_id}.yaml"
    assert not links_to(repository, new_id)
    unreferenced.unlink()
    assert run([str(BIN / "sopkb"), "codeowners"], cwd=repository).returncode == 0
    assert content_check(repository) == []


@pytest.mark.slow
def test_deleting_an_sop_that_others_link_to_fails_with_file_and_line(repository: Path) -> None:
    linked = next(p for p in sorted((repository / "sops").glob("*.yaml"))
                  if links_to(repository / "sops" / "..", p.stem)
                  and any(re.search(rf"\b{p.stem}\b", q.read_text("utf-8"))
                          for q in (repository / "sops").glob("*.yaml") if q != p))
    linked.unlink()
    result = mkdocs("build", "--strict", cwd=repository)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert re.search(rf"sops/CS-[A-Z]+-\d+\.yaml:\d+:\d+: \[error\] .*{linked.stem}",
                     result.stderr), result.stderr


@pytest.mark.slow
def test_the_published_site_knows_where_it_lives(repository: Path) -> None:
    """The deploy workflow sets these; nothing in the built site points at 127.0.0.1."""
    env = {"SITE_URL": "https://acme.github.io/sop-kb/",
           "REPO_URL": "https://github.com/acme/sop-kb",
           "ISSUE_URL": "https://github.com/acme/sop-kb/issues/new?title={title}&body={body}"}
    result = run([str(BIN / "mkdocs"), "build", "--strict"], cwd=repository,
                 timeout=300, env_extra=env)
    assert result.returncode == 0, result.stderr
    pages = list((repository / "site").rglob("*.html"))
    for path in [*pages, repository / "site" / "sitemap.xml"]:
        assert "127.0.0.1" not in path.read_text("utf-8"), path
    sop = (repository / "site" / "sop" / "cs-comp-002" / "index.html").read_text("utf-8")
    assert 'href="https://github.com/acme/sop-kb/edit/main/sops/CS-COMP-002.yaml"' in sop
    assert "https%3A%2F%2Facme.github.io%2Fsop-kb%2Fsop%2Fcs-comp-002%2F%23" in sop  # issue body
    workflow = (ROOT / ".github" / "workflows" / "deploy.yml").read_text("utf-8")
    assert all(name in workflow for name in env)


# --- edit and report links ----------------------------------------------------------------

def test_every_sop_page_and_step_links_to_its_file_and_to_a_new_issue(site: Path) -> None:
    for path in sorted(SOPS.glob("*.yaml")):
        data = yaml.safe_load(path.read_text("utf-8"))
        html = (site / "sop" / data["id"].lower() / "index.html").read_text("utf-8")
        edit = f"https://github.com/example/sop-knowledge-base/edit/main/sops/{path.name}"
        assert f'<a class="sop-edit" href="{edit}">Ubah SOP ini</a>' in html
        assert f'href="{edit}" title="Ubah halaman ini" class="md-content__button' in html
        reports = re.findall(r'<a class="sop-report" href="([^"]+)">Laporkan masalah</a>', html)
        assert len(reports) == len(data["procedure"])
        for step, report in zip(data["procedure"], reports, strict=True):
            assert report.startswith("https://github.com/example/sop-knowledge-base/issues/new?")
            assert f"{data['id']}%2C%20langkah" in report and f"%28{step['id']}%29" in report
            assert f"Versi%3A%20{data['version']}" in report
    for page in ("complaint-types", "channels", "metrics", "training/orientasi-agen-baru"):
        assert 'class="sop-edit" href="https://github.com/example/' in \
            (site / page / "index.html").read_text("utf-8")


@pytest.mark.slow
def test_no_edit_or_report_link_without_a_repository(project: Path) -> None:
    config = project / "mkdocs.yml"
    text = config.read_text("utf-8")
    text = re.sub(r"^(repo_url|edit_uri):.*\n", "", text, flags=re.MULTILINE)
    config.write_text(re.sub(r"^\s+issue_url:.*\n", "", text, flags=re.MULTILINE), "utf-8")
    assert mkdocs("build", "--strict", cwd=project).returncode == 0
    html = (project / "site" / "sop" / "cs-comp-002" / "index.html").read_text("utf-8")
    assert "sop-edit" not in html and "sop-report" not in html
    assert "md-content__button" not in html


# --- owner sign-off -----------------------------------------------------------------------

def test_every_owner_must_have_approvers(project: Path) -> None:
    owners = project / "reference" / "owners.yaml"
    owners.write_text(owners.read_text("utf-8").replace(
        '  Supervisor Pusat Panggilan: ["@example/call-centre"]\n', ""), "utf-8")
    result = sopkb("validate", cwd=project)
    assert result.returncode == 1
    found = problem_lines(result.stdout)
    assert {p["rule"] for p in found} == {"unmapped-owner"}
    assert {p["path"] for p in found} == {"sops/CS-PHONE-001.yaml", "sops/CS-COMP-004.yaml"}


@pytest.mark.slow
def test_codeowners_is_written_and_checked(project: Path) -> None:
    assert sopkb("codeowners", "--check", cwd=project).returncode == 1  # none yet
    assert sopkb("codeowners", cwd=project).returncode == 0
    text = (project / ".github" / "CODEOWNERS").read_text("utf-8")
    assert "/sops/CS-PHONE-001.yaml @example/call-centre\n" in text
    assert sopkb("codeowners", "--check", cwd=project).returncode == 0
    path = project / "sops" / "CS-PHONE-001.yaml"
    path.write_text(path.read_text("utf-8").replace(
        "owner: Supervisor Pusat Panggilan", "owner: Kepala Layanan Pelanggan", 1), "utf-8")
    # An SOP line out of date (a new owner) is said, not failed: the file is written again
    # on the main branch after the merge (.github/workflows/codeowners.yml).
    stale = sopkb("codeowners", "--check", cwd=project)
    assert stale.returncode == 0 and "does not list 2 SOP line(s)" in stale.stderr
    assert sopkb("codeowners", cwd=project).returncode == 0
    assert "is up to date" in sopkb("codeowners", "--check", cwd=project).stderr


def test_a_retired_sop_is_served_but_not_searched_or_listed(tmp_path: Path) -> None:
    from build_tools.render.renderer import INDEX_URI, sop_uri
    from build_tools.rules.catalog import load_catalog
    from build_tools.site.pages import SitePages

    for path in SOPS.glob("*.yaml"):
        text = path.read_text("utf-8")
        if path.stem == "CS-COMP-006":
            text = text.replace("status: active", "status: retired", 1)
        (tmp_path / path.name).write_text(text, "utf-8")
    catalog = load_catalog([tmp_path])
    retired = catalog.by_id()["CS-COMP-006"]
    site = SitePages(catalog, "id")
    pages = dict(site.pages())
    assert "sop-retired" in pages[sop_uri(retired)]
    assert site.search_weight(sop_uri(retired)) == 0.0
    assert site.search_weight(sop_uri(catalog.by_id()["CS-COMP-005"])) == 1.0
    listing = [uri for uri in pages if uri != sop_uri(retired) and not uri.startswith("sop/cs-")]
    assert INDEX_URI in listing
    for uri in listing:
        assert "cs-comp-006" not in pages[uri], uri
