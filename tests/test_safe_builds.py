"""Safe builds: a failed, strict-failed or killed build leaves the previous site whole, two
builds of the same input are byte-identical, and faults (the indexer dies, talks nonsense
or hangs; the disk fills) end in one clear line. Figures go to tests/output/hardening.json
(tests/hardening.py)."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest
from conftest import BIN, ROOT, serve
from hardening import FIGURES, write_figures


@pytest.fixture(scope="module", autouse=True)
def figures():
    yield FIGURES
    write_figures()


# --- safe builds -----------------------------------------------------------------------------

def _digest(site: Path) -> str:
    sha = hashlib.sha256()
    for path in sorted(site.rglob("*")):
        if path.is_file():
            sha.update(path.relative_to(site).as_posix().encode())
            sha.update(path.read_bytes())
    return sha.hexdigest()


def _build(project: Path, *args: str, env: dict | None = None,
           generator: str = "mkdocs") -> subprocess.CompletedProcess:
    return subprocess.run([str(BIN / generator), "build", "--strict", *args], cwd=project,
                          capture_output=True, text=True, timeout=300,
                          env={**os.environ, "NO_MKDOCS_2_WARNING": "1", **(env or {})})


def _leftovers(project: Path) -> list[str]:
    return [p.name for p in project.iterdir() if p.name.startswith(".site.")]


#: The site's two build paths (tests/test_properdocs.py): MkDocs and ProperDocs.
GENERATORS = ["mkdocs", "properdocs"]


@pytest.mark.slow
@pytest.mark.parametrize("generator", GENERATORS)
def test_a_failed_build_leaves_the_previous_site_untouched(project: Path,
                                                           generator: str) -> None:
    assert _build(project, generator=generator).returncode == 0
    before = _digest(project / "site")
    (project / "sops" / "CS-COMP-002.yaml").write_text("id: [\n", "utf-8")
    result = _build(project, generator=generator)
    assert result.returncode != 0 and "Traceback" not in result.stderr
    assert _digest(project / "site") == before
    assert _leftovers(project) == []


@pytest.mark.slow
@pytest.mark.parametrize("generator", GENERATORS)
def test_a_strict_build_failing_on_a_warning_leaves_the_previous_site(project: Path,
                                                                      generator: str) -> None:
    """The warning is the generator's own (a broken link), which ProperDocs logs under its
    name, not MkDocs'."""
    assert _build(project, generator=generator).returncode == 0
    before = _digest(project / "site")
    home = project / "docs" / "index.md"
    home.write_text(home.read_text("utf-8") + "\n[Broken](no-such-page.md)\n", "utf-8")
    result = _build(project, generator=generator)
    assert result.returncode != 0 and "no-such-page.md" in result.stderr
    assert "Traceback" not in result.stderr
    assert _digest(project / "site") == before
    assert _leftovers(project) == []
    result = _build(project, "--site-dir", "other", generator=generator)
    assert result.returncode != 0  # not strict-only: same
    assert not (project / "other").exists()


def _in_parts(project: Path, pages: int = 6, timeout: float | None = None) -> None:
    """Index the project's site in Pagefind indexes of ``pages`` pages (several parts)."""
    extra = f"      search_pages_per_index: {pages}\n"
    if timeout is not None:
        extra += f"      search_timeout: {timeout:g}\n"
    config = project / "mkdocs.yml"
    config.write_text(config.read_text("utf-8").replace(
        "      sops_dir: sops\n", "      sops_dir: sops\n" + extra, 1), "utf-8")


@pytest.mark.slow
@pytest.mark.parametrize("parts", [False, True], ids=["one-index", "index-in-parts"])
def test_two_builds_of_the_same_input_are_byte_identical(project: Path, tmp_path: Path,
                                                         parts: bool) -> None:
    """Also when the search index is made in parts, the next part taking its pages while
    the previous one writes its bundle."""
    if parts:
        _in_parts(project)
    env = {"SOURCE_DATE_EPOCH": "1790000000"}
    assert _build(project, "--site-dir", str(tmp_path / "one"), env=env).returncode == 0
    assert _build(project, "--site-dir", str(tmp_path / "two"), env=env).returncode == 0
    assert _digest(tmp_path / "one") == _digest(tmp_path / "two")


def test_an_unwritable_output_directory_is_a_clear_error(project: Path) -> None:
    result = _build(project, "--site-dir", "/proc/sopkb-site")
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert "cannot write the site next to /proc/sopkb-site" in result.stderr


# --- faults: the indexer dies, talks nonsense or hangs; the disk fills; the build is killed --

FAKE_PAGEFIND = ROOT / "tests" / "tools" / "fake_pagefind.py"


def _served(site: Path, path: str = "sop/cs-comp-002/") -> str:
    """A page of ``site`` as a browser would get it from a web server."""
    import urllib.request

    url, server = serve(site)
    try:
        with urllib.request.urlopen(url + path, timeout=10) as response:
            assert response.status == 200
            return response.read().decode("utf-8")
    finally:
        server.shutdown()


def _one_clear_error(result: subprocess.CompletedProcess, *words: str) -> None:
    assert result.returncode != 0
    assert "Traceback" not in result.stderr, result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("ERROR")]
    assert errors, result.stderr
    assert all(word in result.stderr for word in words), result.stderr


@pytest.mark.slow
@pytest.mark.parametrize("fault, words", [
    ("die", ("Pagefind stopped",)),
    ("garbage", ("Pagefind's output could not be read",)),
    ("hang", ("Pagefind did not answer within 3 s",)),
])
def test_an_indexer_fault_fails_the_build_with_one_line(project: Path, fault: str,
                                                        words: tuple[str, ...]) -> None:
    """Pagefind killed mid-build, printing what is not its protocol, or never answering:
    the build ends (within the configured timeout) with a one-line error, and the site
    published before is intact and served."""
    assert _build(project).returncode == 0
    before = _digest(project / "site")
    config = project / "mkdocs.yml"
    config.write_text(config.read_text("utf-8").replace(
        "      sops_dir: sops\n", "      sops_dir: sops\n      search_timeout: 3\n", 1), "utf-8")
    started = time.monotonic()
    result = _build(project, env={"PAGEFIND_BINARY_PATH": str(FAKE_PAGEFIND),
                                  "FAKE_PAGEFIND": fault})
    assert time.monotonic() - started < 60
    _one_clear_error(result, *words)
    assert _digest(project / "site") == before
    assert _leftovers(project) == []
    assert "<article" in _served(project / "site")
    FIGURES[f"fault_indexer_{fault}"] = 1


@pytest.mark.slow
@pytest.mark.parametrize("fault, words", [
    ("die", ("Pagefind stopped",)),
    ("hang", ("Pagefind did not answer within 3 s",)),
])
def test_a_fault_in_a_later_part_of_the_index_fails_the_build_with_one_line(
        project: Path, tmp_path: Path, fault: str, words: tuple[str, ...]) -> None:
    """An index made in parts: the first two Pagefinds work, the third (taking its pages
    while the second writes) fails. One line, the published site intact, nothing left."""
    from pagefind.service import get_executable

    assert _build(project).returncode == 0
    before = _digest(project / "site")
    _in_parts(project, timeout=3)
    counter = tmp_path / "runs"
    started = time.monotonic()
    result = _build(project, env={
        "PAGEFIND_BINARY_PATH": str(FAKE_PAGEFIND), "FAKE_PAGEFIND": fault,
        "FAKE_PAGEFIND_REAL": str(get_executable()), "FAKE_PAGEFIND_COUNT": str(counter),
        "FAKE_PAGEFIND_GOOD": "2"})
    assert time.monotonic() - started < 60
    _one_clear_error(result, *words)
    assert counter.read_text() == "xxx"  # two good runs, then the faulty one; no more
    assert _digest(project / "site") == before
    assert _leftovers(project) == []
    assert "<article" in _served(project / "site")


@pytest.fixture
def small_disk(tmp_path: Path):
    """A 12 MB file system of its own (tmpfs, mounted as root, as in CI)."""
    mount = tmp_path / "disk"
    mount.mkdir()
    result = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=12m", "tmpfs", str(mount)],
                            capture_output=True, text=True)
    if result.returncode != 0:
        message = f"cannot mount a tmpfs: {result.stderr.strip()}"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    yield mount
    subprocess.run(["umount", "-l", str(mount)], check=False)


@pytest.mark.slow
def test_a_full_disk_fails_the_build_cleanly_and_keeps_the_site(project: Path,
                                                                small_disk: Path) -> None:
    """With the site on a small disk: a disk too full for a second copy is refused before
    building; one that fills up during the build fails it; either way with a clear error,
    the previous site intact and served, no staging folder left."""
    site = small_disk / "site"
    config = project / "mkdocs.yml"
    config.write_text(config.read_text("utf-8").replace(
        "      sops_dir: sops\n", "      sops_dir: sops\n      min_free_mb: 1\n", 1), "utf-8")
    assert _build(project, "--site-dir", str(site)).returncode == 0
    before = _digest(site)
    free = os.statvfs(small_disk).f_bavail * os.statvfs(small_disk).f_frsize
    filler = small_disk / "filler"
    # Room for less than a second copy of the site: refused before anything is built.
    filler.write_bytes(b"\0" * (free - 2 * 1024 * 1024))
    result = _build(project, "--site-dir", str(site))
    _one_clear_error(result, "not enough free disk space")
    assert _digest(site) == before and "<article" in _served(site)
    # Room for the check, not for the site: the disk fills during the build.
    filler.unlink()
    size = sum(p.stat().st_size for p in site.rglob("*") if p.is_file())
    free = os.statvfs(small_disk).f_bavail * os.statvfs(small_disk).f_frsize
    filler.write_bytes(b"\0" * (free - size - 64 * 1024))
    result = _build(project, "--site-dir", str(site))
    _one_clear_error(result, "cannot write the site: No space left on device")
    assert _digest(site) == before and "<article" in _served(site)
    assert sorted(p.name for p in small_disk.iterdir()) == ["filler", "site"]
    FIGURES["fault_disk_full"] = 2


@pytest.mark.slow
def test_builds_killed_at_random_points_leave_a_whole_site(project: Path) -> None:
    """SIGKILL at random moments of a build: the site is always the old one or the new
    one, whole, and served; the next build removes the staging folders left behind."""
    import random

    started = time.monotonic()
    assert _build(project).returncode == 0
    duration = time.monotonic() - started
    old = _digest(project / "site")
    path = project / "sops" / "CS-CHAT-001.yaml"
    path.write_text(path.read_text("utf-8").replace("title: Melayani percakapan live chat",
                                                    "title: Versi baru", 1), "utf-8")
    # Moments spread over a whole build (as long as the first one took), and one after it.
    moments = random.Random(15)
    delays = [*sorted(moments.uniform(0.05, 0.95) * duration for _ in range(6)),
              duration * 1.5]
    left_behind = 0
    for delay in delays:
        process = subprocess.Popen([str(BIN / "mkdocs"), "build", "--strict"], cwd=project,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                   env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})
        time.sleep(delay)
        process.send_signal(signal.SIGKILL)
        process.wait()
        left_behind += len(_leftovers(project))
        now = _digest(project / "site")
        html = _served(project / "site", "sop/cs-chat-001/")
        assert now == old or ("Versi baru" in html and
                              (project / "site" / "pagefind" / "pagefind.js").is_file())
        old = now
    result = _build(project)
    assert result.returncode == 0, result.stderr
    assert _leftovers(project) == []
    assert "Versi baru" in _served(project / "site", "sop/cs-chat-001/")
    assert left_behind > 0  # some kills did fall mid-build
    FIGURES["fault_build_killed"] = len(delays)
    FIGURES["fault_staging_left_then_removed"] = left_behind


def test_a_failed_reindex_under_serve_is_one_line_and_the_next_rebuild_indexes(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from build_tools.search import index as search_index

    calls: list[int] = []

    def flaky(*args: object, timeout: float | None = None) -> None:
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("something\nunexpected")

    monkeypatch.setattr(search_index, "write_search_index", flaky)
    errors: list[str] = []
    background = search_index.IndexInBackground(errors.append)
    for _ in range(2):
        background.request(Path("site"), None, None)  # type: ignore[arg-type]
        deadline = time.monotonic() + 10
        while background._running and time.monotonic() < deadline:
            time.sleep(0.01)
    assert errors == ["search index not updated: something unexpected"]
    assert len(calls) == 2


def test_publish_swaps_in_one_step_and_falls_back_to_two(tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    from build_tools.site import publish as output

    site = tmp_path / "site"
    for version in ("one", "two", "three"):
        stage = output.prepare(site, min_free=0)
        (stage / "index.html").write_text(version, "utf-8")
        if version == "three":  # a system without renameat2(RENAME_EXCHANGE)
            monkeypatch.setattr(output, "exchange", lambda first, second: False)
        output.publish(stage, site)
        assert (site / "index.html").read_text("utf-8") == version
        assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]
    first, second = tmp_path / "a", tmp_path / "b"
    first.mkdir(), second.mkdir()
    (first / "x").touch()
    monkeypatch.undo()
    assert output.exchange(first, second) and (second / "x").exists()


def test_staging_folders_of_dead_builds_are_removed(tmp_path: Path) -> None:
    from build_tools.site import publish as output

    site = tmp_path / "site"
    dead = subprocess.Popen(["true"])
    dead.wait()
    alive = subprocess.Popen(["sleep", "30"])
    try:
        for name in (f".site.building-{dead.pid}", f".site.old-{dead.pid}",
                     f".site.building-{alive.pid}", f".other.building-{dead.pid}"):
            (tmp_path / name).mkdir()
        removed = output.remove_stale(site)
        assert sorted(p.name for p in removed) == [f".site.building-{dead.pid}",
                                                   f".site.old-{dead.pid}"]
        assert (tmp_path / f".site.building-{alive.pid}").is_dir()
    finally:
        alive.kill()
    ignored = subprocess.run(["git", "check-ignore", "-q", f".site.building-{dead.pid}"],
                             cwd=ROOT)
    assert ignored.returncode == 0
