"""Reading every committed version of every SOP from git (build_tools.source.history) and
following each SOP by its id (build_tools.model.timelines), on a real repository whose
commits were made on chosen days (tests/history_repo.py tells its story)."""

from __future__ import annotations

import datetime
import os
import subprocess
from pathlib import Path

import history_repo
import pytest
from history_repo import MOVED, Repo, sop

from build_tools.model.timelines import timelines
from build_tools.model.versions import SopTimeline
from build_tools.rules.versions import check_version
from build_tools.source import history as history_module
from build_tools.source.history import head_commit, read_history


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Repo:
    return history_repo.build(tmp_path_factory.mktemp("history") / "kb")


@pytest.fixture(scope="module")
def found(repo: Repo) -> dict[str, SopTimeline]:
    return timelines(read_history(repo.path / "sops"))


def day(text: str) -> datetime.date:
    return datetime.date.fromisoformat(text)


def test_every_version_of_every_sop_is_found_by_its_id(found: dict[str, SopTimeline],
                                                       repo: Repo) -> None:
    assert sorted(found) == ["CS-CHAT-001", "CS-COMP-002", "CS-ORDER-001"]
    comp = found["CS-COMP-002"]
    assert [(v.version, v.committed, v.reached_main) for v in comp.versions] == [
        ("0.9", False, None), ("1.0", True, day("2026-01-05")), ("1.1", True, day("2026-03-02")),
        ("1.2", True, day("2026-04-01")), ("1.3", True, day("2026-05-10"))]
    # The move to another folder (2026-03-20) is no new version and no new text.
    eleven = comp.version("1.1")
    assert eleven is not None
    assert [s.reached_main for s in eleven.snapshots] == [day("2026-03-02"), day("2026-03-10")]
    assert [s.main_commit for s in eleven.snapshots] == [repo.commits["merge comp-11"],
                                                         repo.commits["comp 1.1 typo"]]
    assert "rusak, cacat" in eleven.data["situation"]  # its last text: the correction
    twelve = comp.version("1.2")
    assert twelve is not None and twelve.snapshots[0].path == MOVED
    assert twelve.data["version"] == "1.2" and twelve.title == "Menangani keluhan produk rusak"
    assert [(v.version, v.reached_main) for v in found["CS-CHAT-001"].versions] == [
        ("1.0", day("2026-02-01")), ("1.1", day("2026-04-20"))]
    assert found["CS-CHAT-001"].versions[1].status == "retired"


def test_a_merged_version_names_the_commit_that_wrote_it_and_the_merge(
        found: dict[str, SopTimeline], repo: Repo) -> None:
    eleven = found["CS-COMP-002"].version("1.1")
    chat = found["CS-CHAT-001"].version("1.0")
    assert eleven is not None and chat is not None
    # Written on the branch (its last commit to touch the file), reached main by the merge.
    assert eleven.commit == repo.commits["comp 1.1 wording"]
    assert eleven.main_commit == repo.commits["merge comp-11"]
    assert chat.commit == repo.commits["chat 1.0"] and chat.written == day("2026-01-20")
    assert chat.main_commit == repo.commits["merge chat"]
    assert chat.reached_main == day("2026-02-01")  # the merge's day, not the commit's
    direct = found["CS-COMP-002"].version("1.2")
    assert direct is not None and direct.commit == direct.main_commit == repo.commits["comp 1.2"]


def test_history_entries_each_version_brought(found: dict[str, SopTimeline]) -> None:
    comp = found["CS-COMP-002"]
    brought = {v.version: [r.version for r in v.revisions] for v in comp.versions}
    assert brought == {"0.9": ["0.9"], "1.0": ["1.0"], "1.1": ["1.1"], "1.2": ["1.2"],
                       "1.3": ["1.3", "1.2.1"]}  # 1.2.1 was never committed on its own
    older = comp.versions[0]
    assert older.text is None and older.document() is None
    assert older.written == day("2025-06-01")
    assert [(v.version, v.effective) for v in comp.versions if v.effective] == [
        ("1.2", day("2026-04-15")), ("1.3", day("2026-07-01"))]


def test_removed_sop_and_a_text_that_does_not_parse(found: dict[str, SopTimeline]) -> None:
    order = found["CS-ORDER-001"]
    [version] = order.versions  # the broken text does not say its version: it continues 1.0
    assert len(version.snapshots) == 2
    broken = version.snapshots[1].text
    assert broken.data is None and broken.problems[0].rule == "yaml-syntax"
    assert broken.problems == tuple(broken.document().problems)  # read again: the same
    assert version.text is version.snapshots[0].text  # the last text that parsed
    assert [(p.version is None, p.start, p.until) for p in order.periods] == [
        (False, day("2026-01-05"), day("2026-05-01")), (True, day("2026-05-01"), None)]


def test_a_version_that_no_longer_validates_still_is_a_version(
        found: dict[str, SopTimeline]) -> None:
    comp = found["CS-COMP-002"]
    document = comp.versions[-1].document()
    assert document is not None and document.key_positions[("id",)] == (2, 1)  # read whole
    old = check_version(comp.versions[1])
    assert old.version.version == "1.0" and old.sop is None and not old.renderable
    assert "catatan_lama" in (old.reason or "") and "unknown-key" in (old.reason or "")
    assert old.problems[0].path.endswith(":sops/CS-COMP-002.yaml")
    text = comp.versions[1].text
    assert text is not None and text.raw is not None
    line = text.raw.decode().splitlines().index("catatan_lama: Kolom yang kini tidak dikenal.")
    assert (old.problems[0].line, old.problems[0].col) == (line + 1, 1)  # read to place it
    current = check_version(comp.versions[-1])
    assert current.renderable and current.sop is not None and current.sop.version == "1.3"
    assert [r.effective for r in current.sop.history[:1]] == ["2026-07-01"]
    history_only = check_version(comp.versions[0])
    assert history_only.sop is None and "older than the repository" in (history_only.reason
                                                                        or "")
    broken = check_version(found["CS-ORDER-001"].versions[0])
    assert broken.renderable  # its last readable text


def test_a_version_that_validates_is_not_read_again(found: dict[str, SopTimeline],
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """Only a version that fails a check is read again, for its problems' positions."""
    from build_tools.source import history

    reads: list[str] = []
    real = history.load_text
    monkeypatch.setattr(history, "load_text", lambda text, name: reads.append(name) or
                        real(text, name))
    assert check_version(found["CS-COMP-002"].versions[-1]).renderable and reads == []
    assert not check_version(found["CS-COMP-002"].versions[1]).renderable and len(reads) == 1


def test_one_git_log_and_one_cat_file_for_the_whole_history(
        repo: Repo, monkeypatch: pytest.MonkeyPatch) -> None:
    commands: list[list[str]] = []
    real = subprocess.run

    def counting(args, *rest, **options):  # type: ignore[no-untyped-def]
        words = list(args[3:])  # after git -C FOLDER
        while words[0] == "-c":
            words = words[2:]
        commands.append(words[:1])
        return real(args, *rest, **options)

    monkeypatch.setattr(history_module.subprocess, "run", counting)
    history = read_history(repo.path / "sops")
    assert len(history.changes) == 12
    names = [command[0] for command in commands]
    assert names.count("log") == 1 and names.count("cat-file") == 1
    assert set(names) == {"rev-parse", "log", "cat-file"} and len(names) <= 4


def test_history_at_a_commit_is_keyed_by_it(repo: Repo) -> None:
    folder = repo.path / "sops"
    assert head_commit(folder) == repo.commits["comp 1.3"] == read_history(folder).head
    earlier = timelines(read_history(folder, repo.commits["merge comp-11"]))
    assert [v.version for v in earlier["CS-COMP-002"].versions] == ["0.9", "1.0", "1.1"]
    assert "CS-CHAT-001" in earlier
    assert read_history(folder, "no-such-ref").notices == (
        f"{folder}: no commit 'no-such-ref': current versions only",)
    assert read_history(folder, "--output=x").notices == (
        f"{folder}: no commit '--output=x': current versions only",)
    assert not (folder / "x").exists()


def test_paths_with_any_bytes(tmp_path: Path) -> None:
    repo = Repo(tmp_path)
    repo.git("init", "-q", "-b", "main")
    name = os.fsdecode(b"sops/baris\nbaru \xff.yaml")
    (tmp_path / "sops").mkdir()
    with open(os.fsencode(tmp_path / name), "w", encoding="utf-8") as file:
        file.write(sop("CS-COMP-002", "1.0", [("1.0", "2026-01-02")]))
    repo.commit("odd name", "2026-01-05")
    history = read_history(tmp_path / "sops")
    [change] = history.changes
    assert change.path == name and change.text is not None
    assert change.text.data["id"] == "CS-COMP-002"
    assert change.text.name == f"{change.commit[:12]}:{name}"


def test_outside_git_only_the_current_versions(tmp_path: Path) -> None:
    folder = tmp_path / "sops"
    folder.mkdir()
    history = read_history(folder)
    assert not history.available and history.changes == ()
    assert history.notices == (f"{folder}: not in a git repository: current versions only",)
    from build_tools.source.document import load_text

    text = sop("CS-COMP-002", "1.1", [("1.1", "2026-02-10", "2026-03-01"),
                                      ("1.0", "2026-01-02")])
    found = timelines(history, [load_text(text, "sops/CS-COMP-002.yaml")])
    comp = found["CS-COMP-002"]
    assert [(v.version, v.committed, v.start) for v in comp.versions] == [
        ("1.0", False, day("2026-01-02")), ("1.1", False, day("2026-03-01"))]
    assert comp.versions[1].document() is not None
    assert comp.in_force(day("2026-02-15")).version.version == "1.0"


def test_git_missing_is_a_notice_not_a_traceback(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "nothing"))
    history = read_history(tmp_path)
    assert history.notices == (f"{tmp_path}: git is not installed: current versions only",)
    assert head_commit(tmp_path) is None


def test_a_shallow_clone_is_named(repo: Repo, tmp_path: Path) -> None:
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", "--depth", "2", f"file://{repo.path}", str(clone)],
                   check=True, capture_output=True)
    history = read_history(clone / "sops")
    assert history.shallow and history.available
    [notice] = history.notices
    assert "shallow clone" in notice and "fetch-depth: 0" in notice
    assert len(notice.splitlines()) == 1
    # What the clone holds is read as far as it goes.
    assert {change.path for change in history.changes} >= {MOVED}


def test_an_empty_repository(tmp_path: Path) -> None:
    (tmp_path / "sops").mkdir()
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    assert read_history(tmp_path / "sops").notices == (
        f"{tmp_path / 'sops'}: no commit yet: current versions only",)
