"""A hostile pull request's files on disk and the build's processes: symbolic links out of
the repository, generated URLs claimed twice, paths git would quote, a symlinked site
folder, and a build killed outright."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest
from conftest import BIN, PROBLEM_LINE
from hostile import build as _build
from hostile import sopkb_in
from test_text_seam import seam_project

# --- files on disk: symbolic links out of the repository --------------------------------------

@pytest.mark.slow
@pytest.mark.parametrize("where", ["sops", "sops/sub", "reference", "training"])
def test_a_symlink_out_of_the_repository_is_refused_unread(
        project: Path, tmp_path_factory: pytest.TempPathFactory, where: str) -> None:
    secret = tmp_path_factory.mktemp("elsewhere") / "rahasia" / "kunci.yaml"
    secret.parent.mkdir()
    secret.write_text("id: KATA-SANDI-RAHASIA\ntitle: sandi-bocor-123\n", "utf-8")
    name = {"sops": "CS-LINK-001.yaml", "sops/sub": "CS-LINK-002.yaml",
            "reference": "channels.yaml", "training": "bocor.yaml"}[where]
    folder = project / where
    folder.mkdir(exist_ok=True)
    (folder / name).unlink(missing_ok=True)
    (folder / name).symlink_to(secret)
    (project / "sops" / "inside.yaml").symlink_to(project / "sops" / "CS-COMP-002.yaml")
    result = sopkb_in(project, "validate")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "sandi-bocor" not in result.stdout + result.stderr
    assert "rahasia" not in result.stdout + result.stderr
    refused = [line for line in result.stdout.splitlines()
               if line.endswith("(outside-repository)")]
    assert refused == [f"{where}/{name}:1:1: [error] a symbolic link that leads outside the "
                       f"repository; not read (outside-repository)"]
    built = _build(project, "--strict")
    assert built.returncode != 0 and "sandi-bocor" not in built.stdout + built.stderr
    assert not (project / "site").exists()


# --- every generated URL is claimed once -----------------------------------------------------

def _set_category(project: Path, sop_id: str, category: str) -> None:
    path = project / "sops" / f"{sop_id}.yaml"
    text = re.sub(r"^category: .*$", f"category: {category}", path.read_text("utf-8"),
                  count=1, flags=re.MULTILINE)
    path.write_text(text, "utf-8")


def _training(project: Path, path_id: str) -> Path:
    path = project / "training" / f"{path_id}.yaml"
    path.write_text(f"id: {path_id}\ntitle: Jalur uji\ngoal: Tujuan jalur uji ini.\n"
                    "items:\n  - sop: CS-COMP-002\n    goal: Memahami langkahnya.\n", "utf-8")
    return path


#: (how to make a collision, the file the problem is reported at and its line, words the
#: message must hold: what it is and the other claim).
COLLISIONS = {
    "categories that slug alike": (
        lambda p: (_set_category(p, "CS-COMP-002", "Penanganan keluhan"),
                   _set_category(p, "CS-COMP-003", "Penanganan keluhan!")),
        ("sops/CS-COMP-003.yaml", 4), ("Penanganan keluhan!", "sops/CS-COMP-001.yaml:4")),
    "a category named index": (
        lambda p: _set_category(p, "CS-COMP-002", "Index"),
        ("sops/CS-COMP-002.yaml", 4), ("category handbook", "the handbooks page")),
    "a training path named index": (
        lambda p: _training(p, "index"),
        ("training/index.yaml", 1), ("training path 'index'", "the training index")),
    "a training path named as an SOP": (
        lambda p: _training(p, "cs-comp-002"),
        ("sops/CS-COMP-002.yaml", 2),
        ("practice of CS-COMP-002", "training path 'cs-comp-002' (training/cs-comp-002.yaml:1)")),
    "a hand-written page where the channels page is": (
        lambda p: ((p / "docs" / "channels").mkdir(),
                   (p / "docs" / "channels" / "index.md").write_text("# Kanal\n", "utf-8")),
        ("docs/channels/index.md", 1), ("hand-written page", "the channels page")),
    "a hand-written page where an SOP is": (
        lambda p: ((p / "docs" / "sop").mkdir(),
                   (p / "docs" / "sop" / "CS-COMP-002.md").write_text("# Palsu\n", "utf-8")),
        ("docs/sop/CS-COMP-002.md", 1), ("hand-written page", "the page of CS-COMP-002")),
    "a file in the plugin's assets": (
        lambda p: ((p / "docs" / "assets" / "sop-kb").mkdir(parents=True),
                   (p / "docs" / "assets" / "sop-kb" / "search.js").write_text("x", "utf-8")),
        ("docs/assets/sop-kb/search.js", 1), ("a file", "assets/sop-kb/")),
}


@pytest.mark.slow
@pytest.mark.parametrize("case", COLLISIONS)
def test_a_url_claimed_twice_is_an_error_naming_both_sources(project: Path, case: str) -> None:
    make, (path, line), words = COLLISIONS[case]
    make(project)
    result = sopkb_in(project, "validate")
    found = [m for m in map(PROBLEM_LINE.match, result.stdout.splitlines())
             if m and m["rule"] == "url-collision"]
    assert result.returncode == 1 and found, result.stdout
    assert (found[0]["path"], int(found[0]["line"])) == (path, line), found[0].group(0)
    for word in words:
        assert word in found[0]["message"], found[0].group(0)
    built = _build(project, "--strict")
    assert built.returncode != 0 and "(url-collision)" in built.stderr
    assert "Traceback" not in built.stderr


@pytest.mark.slow
def test_the_claims_are_exactly_the_pages_the_site_makes(tmp_path: Path) -> None:
    """claims() is written beside SitePages.pages() and redirects(): on a knowledge base
    with training paths, retired and aliased SOPs, both give the same URLs."""
    import yaml

    from build_tools.render.listing import page_url
    from build_tools.rules.catalog import load_catalog
    from build_tools.site.pages import SitePages
    from build_tools.site.urls import claims

    seam_project(tmp_path / "kb")
    root = tmp_path / "kb"
    retired = root / "sops" / "CS-COMP-006.yaml"
    retired.write_text(retired.read_text("utf-8").replace("status: active", "status: retired"),
                       "utf-8")
    aliased = root / "sops" / "CS-COMP-005.yaml"
    data = yaml.safe_load(aliased.read_text("utf-8"))
    data["aliases"] = ["CS-OLD-001"]
    aliased.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "utf-8")
    catalog = load_catalog([root / "sops"], base=root, reference_dir=root / "reference",
                           training_dir=root / "training")
    assert not catalog.errors, catalog.errors[:3]
    pages = SitePages(catalog, "id")
    made = {page_url(uri, True) for uri, _ in pages.pages()}
    made |= {path.removesuffix("index.html") for path, _ in pages.redirects()}
    assert {claim.url for claim in claims(pages)} == made


# --- files and processes ----------------------------------------------------------------------

def _git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.email=uji@contoh.invalid", "-c", "user.name=Uji", *args],
                   cwd=cwd, check=True, capture_output=True)


@pytest.mark.parametrize("folder", ["éàü", 'kutip"ganda', "garis\\miring", "baris\nbaru",
                                    "tab\tdi"])
@pytest.mark.slow
def test_git_reads_paths_it_would_quote(tmp_path: Path, folder: str) -> None:
    """A path git quotes in its listings (non-ASCII, quotes, backslashes, line breaks) is
    read at a ref like any other: diff and check-links see the SOP, not an SOP 'added'."""
    from conftest import KB

    repo = tmp_path / "repo"
    (repo / "sops" / folder).mkdir(parents=True)
    (repo / "sops" / folder / "CS-COMP-002.yaml").write_bytes(
        (KB / "sops" / "CS-COMP-002.yaml").read_bytes())
    _git(repo, "init", "-q")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-qm", "pertama")
    result = sopkb_in(repo, "diff", "HEAD", "sops")
    assert result.returncode == 0 and "Tidak ada perubahan SOP" in result.stdout, result.stdout
    links = sopkb_in(repo, "check-links", "--base", "HEAD")
    assert links.returncode == 0 and "still resolve" in links.stderr, links.stderr
    assert "all 9 URL(s)" in links.stderr  # the SOP and its eight steps


@pytest.mark.parametrize("args", [("diff", "HEAD", "/tmp"), ("diff", "tidak-ada", "sops"),
                                  ("check-links", "--base", "tidak-ada"),
                                  ("diff", "--output=/tmp/x", "sops"),
                                  ("diff", "--", "--output=/tmp/x", "sops"), ("no-such",)])
@pytest.mark.slow
def test_a_git_error_is_one_line(tmp_path: Path, args: tuple[str, ...]) -> None:
    repo = tmp_path / "repo"
    (repo / "sops").mkdir(parents=True)
    _git(repo, "init", "-q")
    _git(repo, "commit", "-q", "--allow-empty", "-m", "kosong")
    result = sopkb_in(repo, *args)
    assert result.returncode != 0 and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert not Path("/tmp/x").exists()


@pytest.mark.slow
def test_a_symlinked_site_folder_is_published_into(project: Path, tmp_path: Path) -> None:
    served = tmp_path / "www" / "sop"
    served.mkdir(parents=True)
    (served / "lama.html").write_text("situs lama", "utf-8")
    link = project / "site"
    link.symlink_to(served, target_is_directory=True)
    result = _build(project)
    assert result.returncode == 0, result.stderr
    assert link.is_symlink() and link.resolve() == served.resolve()
    assert (served / "sop" / "cs-comp-002" / "index.html").is_file()
    assert not (served / "lama.html").exists()
    leftovers = [p.name for folder in (project, served.parent) for p in folder.iterdir()
                 if p.name.startswith(".")]
    assert leftovers == []
    (tmp_path / "hilang").mkdir()
    (tmp_path / "hilang").rmdir()
    link.unlink()
    link.symlink_to(tmp_path / "hilang", target_is_directory=True)
    result = _build(project)
    assert result.returncode != 0 and "Traceback" not in result.stderr
    assert "is a symbolic link to nothing" in result.stderr
    assert [p.name for p in project.iterdir() if p.name.startswith(".site")] == []


def _children(parent: int) -> list[tuple[int, str]]:
    """(pid, command line) of the processes whose parent is ``parent``."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == parent:
            found.append((int(entry.name), command))
    return found


def _alive(pid: int) -> bool:
    try:
        state = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.slow
def test_a_build_killed_outright_leaves_no_indexer_writing(project: Path) -> None:
    """SIGKILL while the indexer takes pages: it does not take the end of its input for the
    end of the build; it and its Pagefind end, and nothing is written into the dead build's
    staging folder afterwards."""
    import signal
    import time

    build = subprocess.Popen([str(BIN / "mkdocs"), "build"], cwd=project,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                             env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})
    deadline = time.monotonic() + 60
    indexer = None
    while indexer is None and time.monotonic() < deadline:
        indexer = next((pid for pid, command in _children(build.pid)
                        if "build_tools.search.indexer" in command), None)
        time.sleep(0.02)
    assert indexer is not None, "no indexer started"
    pagefinds = [pid for pid, _ in _children(indexer)]
    time.sleep(0.3)  # some pages sent
    build.send_signal(signal.SIGKILL)
    build.wait()
    stage = project / f".site.building-{build.pid}"
    time.sleep(5)
    assert not _alive(indexer)
    assert not any(_alive(pid) for pid in pagefinds + [p for p, _ in _children(indexer)])
    assert not (stage / "pagefind").exists() and not (stage / "assets" / "sop-kb" /
                                                      "lexicon.json").exists()
