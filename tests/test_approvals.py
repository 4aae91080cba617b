"""Who approved each version: records made from GitHub's API responses (recorded by hand in
tests/data/github/, or served by a local stand-in for the API), their file, and the
validator's warnings on the repository of tests/history_repo.py."""

from __future__ import annotations

import datetime
import http.server
import json
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import history_repo
import pytest
from conftest import BIN, ROOT, line_of, run, sopkb
from history_repo import MOVED, TODAY, Repo

from build_tools.cli.approval import approvers, requested_teams, write_record
from build_tools.model.approvals import ApprovalRecord, Reviewer, approved_by_owner
from build_tools.rules.approvals import load_approvals
from build_tools.source.github import PullRequestResponses

RECORDED = ROOT / "tests" / "data" / "github"
MERGED_AT = "2026-03-02T02:00:00Z"  # 09:00 +07:00, when the repository's merge was made


def recorded(name: str) -> Any:
    return json.loads((RECORDED / f"{name}-12.json").read_text("utf-8"))


def responses(merge_commit: str) -> PullRequestResponses:
    """The recorded responses of pull request 12, its merge being the repository's."""
    pull = recorded("pull") | {"merge_commit_sha": merge_commit, "merged_at": MERGED_AT}
    return PullRequestResponses(pull, recorded("reviews"), recorded("files"), recorded("events"))


@pytest.fixture(scope="module")
def origin(tmp_path_factory: pytest.TempPathFactory) -> Repo:
    return history_repo.build(tmp_path_factory.mktemp("approvals") / "origin")


@pytest.fixture
def clone(origin: Repo, tmp_path: Path) -> Path:
    subprocess.run(["git", "clone", "-q", str(origin.path), str(tmp_path / "kb")], check=True)
    return tmp_path / "kb"


def test_approvers_are_the_last_decisions_before_the_merge() -> None:
    reviews = recorded("reviews")
    found = approvers(reviews, recorded("pull")["merged_at"])
    # alice only commented; Rina asked for changes, then approved; budi's approval was
    # dismissed; dewi's later comment does not withdraw her approval; eko approved after the
    # merge; a deleted account's review has no login.
    assert [(r.login, r.submitted_at) for r in found] == [("dewi", "2026-02-12T06:30:00Z"),
                                                        ("Rina", "2026-02-13T02:15:00Z")]
    assert found[0].commit == "0a1b2c3d4e5f60718293a4b5c6d7e8f901234567"
    # Asked of CODEOWNERS' team (the request, satisfied, is in the events only).
    asked = responses("0" * 40)
    assert requested_teams(asked) == ("example/cs-leads",)
    # A request taken off again was never answered by that team (an attacker's read found
    # such a team counted as the owner's approval); asked again, it counts again.
    removed = dict(asked.events[0], event="review_request_removed")
    taken_off = PullRequestResponses(asked.pull, asked.reviews, asked.files,
                                     [*asked.events, removed])
    assert requested_teams(taken_off) == ()
    again = PullRequestResponses(asked.pull, asked.reviews, asked.files,
                                 [*asked.events, removed, asked.events[0]])
    assert requested_teams(again) == ("example/cs-leads",)


def test_the_owner_rule_for_users_and_teams() -> None:
    record = ApprovalRecord("CS-COMP-002", "1.1", 12, "https://x", MERGED_AT, "0" * 40,
                            (Reviewer("Dewi", MERGED_AT),), ("example/cs-leads",))
    assert approved_by_owner(record, ["@dewi"])  # logins ignore case
    assert not approved_by_owner(record, ["@rina"])
    assert approved_by_owner(record, ["@example/cs-leads"])  # its review was requested
    assert not approved_by_owner(record, ["@example/quality"])
    assert not approved_by_owner(record, ["dewi@example.com"])
    unapproved = ApprovalRecord("CS-COMP-002", "1.1", 12, "https://x", MERGED_AT, "0" * 40, (),
                                ("example/cs-leads",))
    assert not approved_by_owner(unapproved, ["@example/cs-leads"])


def expected_file(merge_commit: str) -> dict[str, Any]:
    return {"id": "CS-COMP-002", "approvals": [{
        "version": "1.1", "pull_request": "12",
        "url": "https://github.com/example/sop-knowledge-base/pull/12",
        "merged_at": MERGED_AT, "merge_commit": merge_commit, "path": "sops/CS-COMP-002.yaml",
        "reviewers": [
            {"login": "dewi", "submitted_at": "2026-02-12T06:30:00Z",
             "commit": "0a1b2c3d4e5f60718293a4b5c6d7e8f901234567"},
            {"login": "Rina", "submitted_at": "2026-02-13T02:15:00Z",
             "commit": "0a1b2c3d4e5f60718293a4b5c6d7e8f901234567"}],
        "requested_teams": ["example/cs-leads"]}]}


def test_record_approval_from_recorded_responses(clone: Path, origin: Repo) -> None:
    merge = origin.commits["merge comp-11"]
    given = responses(merge)
    for name, value in (("pull", given.pull), ("reviews", given.reviews),
                        ("files", given.files), ("events", given.events)):
        (clone / f"{name}.json").write_text(json.dumps(value), "utf-8")
    args = ("record-approval", "--pr-json", "pull.json", "--reviews-json", "reviews.json",
            "--files-json", "files.json", "--events-json", "events.json")
    result = sopkb(*args, cwd=clone)
    assert result.returncode == 0, result.stderr
    assert result.stdout == ("CS-COMP-002 1.1: pull request #12, approved by @dewi, @Rina -> "
                             "approvals/CS-COMP-002.yaml\n")
    assert result.stderr == ("sops/CS-OLD-001.yaml: removed by the pull request, no version "
                             "to record\n")  # and docs/index.md is no SOP
    text = (clone / "approvals" / "CS-COMP-002.yaml").read_text("utf-8")
    assert text.startswith("# yaml-language-server: $schema=../build_tools/schema/"
                           "approvals.schema.json\n")
    records, problems = load_approvals(clone / "approvals", "approvals")
    assert problems == []
    from build_tools.source.document import load_document

    assert load_document(clone / "approvals" / "CS-COMP-002.yaml").data == expected_file(merge)
    assert records["CS-COMP-002"][0].reviewers[1].login == "Rina"
    lint = run([str(BIN / "yamllint"), "--strict", "-c", str(ROOT / ".yamllint.yaml"),
                "approvals"], cwd=clone)
    assert lint.returncode == 0, lint.stdout  # the repository's YAML style
    # Run again (a re-run of the workflow): the record is replaced, not repeated.
    assert sopkb(*args, cwd=clone).returncode == 0
    assert (clone / "approvals" / "CS-COMP-002.yaml").read_text("utf-8") == text


class _FakeApi(http.server.BaseHTTPRequestHandler):
    """GitHub's REST API for pull request 12, the reviews in two pages."""

    pages: dict[str, tuple[Any, str | None]] = {}
    seen: list[tuple[str, str | None]] = []

    def do_GET(self) -> None:  # noqa: N802
        type(self).seen.append((self.path, self.headers.get("Authorization")))
        found = self.pages.get(self.path)
        self.send_response(200 if found else 404)
        self.send_header("Content-Type", "application/json")
        if found and found[1]:
            self.send_header("Link", f'<{found[1]}>; rel="next", <{found[1]}>; rel="last"')
        self.end_headers()
        self.wfile.write(json.dumps(found[0] if found else {"message": "Not Found"}).encode())

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


@pytest.fixture
def fake_api(origin: Repo) -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _FakeApi)
    url = f"http://127.0.0.1:{server.server_address[1]}"
    base = "/repos/example/sop-knowledge-base"
    given = responses(origin.commits["merge comp-11"])
    _FakeApi.pages = {
        f"{base}/pulls/12": (given.pull, None),
        f"{base}/pulls/12/reviews?per_page=100": (given.reviews[:5],
                                                  f"{url}{base}/pulls/12/reviews?page=2"),
        f"{base}/pulls/12/reviews?page=2": (given.reviews[5:], None),
        f"{base}/pulls/12/files?per_page=100": (given.files, None),
        f"{base}/issues/12/events?per_page=100": (given.events, None),
    }
    _FakeApi.seen = []
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield url
    server.shutdown()


def test_record_approval_reading_the_api(clone: Path, origin: Repo, fake_api: str,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GITHUB_TOKEN", "ghs_token-for-the-test")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")  # a proxy set for the machine is not asked
    result = sopkb("record-approval", "--repo", "example/sop-knowledge-base", "--pr", "12",
                   "--api-url", fake_api, cwd=clone)
    assert result.returncode == 0, result.stderr
    from build_tools.source.document import load_document

    written = load_document(clone / "approvals" / "CS-COMP-002.yaml").data
    assert written == expected_file(origin.commits["merge comp-11"])  # page 2's approval too
    assert {path for path, _ in _FakeApi.seen} == set(_FakeApi.pages)
    assert {auth for _, auth in _FakeApi.seen} == {"Bearer ghs_token-for-the-test"}
    missing = sopkb("record-approval", "--repo", "example/sop-knowledge-base", "--pr", "13",
                    "--api-url", fake_api, cwd=clone)
    assert missing.returncode == 1 and "Traceback" not in missing.stderr
    assert missing.stderr.splitlines() == [
        f"Error: {fake_api}/repos/example/sop-knowledge-base/pulls/13: HTTP 404 Not Found"]


def test_record_approval_refuses_what_it_cannot_record(clone: Path) -> None:
    open_pr = recorded("pull") | {"merged_at": None, "merge_commit_sha": None}
    (clone / "pull.json").write_text(json.dumps(open_pr), "utf-8")
    (clone / "list.json").write_text("[]", "utf-8")
    base = ("record-approval", "--reviews-json", "list.json", "--files-json")
    result = sopkb(*base, "list.json", "--pr-json", "pull.json", cwd=clone)
    assert (result.returncode, result.stderr) == (
        1, "Error: pull request #12 is not merged: nothing to record\n")
    # Merged by a commit this clone does not have.
    (clone / "pull.json").write_text(json.dumps(recorded("pull")), "utf-8")
    (clone / "files.json").write_text(json.dumps(recorded("files")), "utf-8")
    result = sopkb(*base, "files.json", "--pr-json", "pull.json", cwd=clone)
    assert result.returncode == 1 and result.stderr.startswith("Error: sops/CS-COMP-002.yaml at "
                                                               "6f1c0e9b2d7a is not in this")
    assert not (clone / "approvals").exists()
    result = sopkb("record-approval", "--pr-json", "pull.json", cwd=clone)
    assert result.returncode == 2 and result.stderr.splitlines() == [
        "Error: give --reviews-json, or --repo and --pr to read the API"]


def record(origin: Repo, name: str, number: int, version: str, logins: tuple[str, ...],
           teams: tuple[str, ...] = (), sop_id: str = "CS-COMP-002") -> ApprovalRecord:
    moment = datetime.datetime.fromisoformat(origin.git("show", "-s", "--format=%cI",
                                                       origin.commits[name]))
    merged_at = moment.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return ApprovalRecord(sop_id, version, number, f"https://github.com/example/kb/pull/{number}",
                          merged_at, origin.commits[name],
                          tuple(Reviewer(login, merged_at) for login in logins), teams)


def test_a_record_is_of_the_text_its_merge_brought(origin: Repo) -> None:
    """1.1 came by the merge of PR #12, then was corrected on main without a new number:
    its pages show the corrected text, which #12's record does not approve (an attacker's
    read found the new text shown as approved by #12)."""
    from build_tools.model.approvals import records_of
    from build_tools.model.timelines import timelines
    from build_tools.source.history import read_history

    version = timelines(read_history(origin.path / "sops"))["CS-COMP-002"].version("1.1")
    assert version is not None
    assert [s.main_commit for s in version.changes()] == [
        origin.commits["merge comp-11"], origin.commits["comp 1.1 typo"]]  # not the move
    first = record(origin, "merge comp-11", 12, "1.1", ("dewi",))
    assert records_of(version, [first]) == []
    assert records_of(version, [first], origin.commits["merge comp-11"]) == [first]
    correction = record(origin, "comp 1.1 typo", 13, "1.1", ("dewi",))
    assert records_of(version, [first, correction]) == [correction]
    copied = record(origin, "comp 1.1 typo", 14, "1.2", ("dewi",))  # another number
    assert records_of(version, [copied]) == []


@pytest.mark.slow
def test_validator_warns_of_versions_without_an_owners_approval(clone: Path,
                                                                origin: Repo) -> None:
    folder = clone / "approvals"
    # 1.1: approved by dewi on behalf of the team asked, which owned it then (@rina since).
    write_record(folder, record(origin, "merge comp-11", 12, "1.1", ("dewi",),
                                ("example/cs-leads",)))
    # 1.2: approved by dewi alone, when @rina owned it.
    write_record(folder, record(origin, "comp 1.2", 15, "1.2", ("dewi",)))
    # CS-CHAT-001 1.1 (retired): approved by @budi, one of its owner's accounts.
    write_record(folder, record(origin, "chat retired", 16, "1.1", ("budi",),
                                sop_id="CS-CHAT-001"))
    # 1.3 (2026-05-10) has no record of its own: one naming 1.3 but 1.2's merge (copied, or
    # a number that came back) is not its approval. Versions merged before 2026-03-02, when
    # records began, are not asked for.
    write_record(folder, record(origin, "comp 1.2", 17, "1.3", ("rina",)))
    text = (clone / MOVED).read_text("utf-8")
    # 1.1 was corrected on main on 2026-03-10 without a new number: that text, the one its
    # page shows, needs a record of its own (an attacker's read found a new text shown as
    # approved by the pull request of an earlier one).
    result = sopkb("validate", "--today", TODAY, "--format", "json", cwd=clone)
    corrected = [p for p in json.loads(result.stdout) if "without a new number" in p["message"]]
    assert [(p["line"], p["message"]) for p in corrected] == [
        (line_of(text, '  - version: "1.1"'), f"version 1.1 of CS-COMP-002 was changed on "
         f"2026-03-10 without a new number (commit {origin.commits['comp 1.1 typo'][:12]}) "
         f"with no approval record in approvals/CS-COMP-002.yaml")]
    write_record(folder, record(origin, "comp 1.1 typo", 13, "1.1", ("dewi",),
                                ("example/cs-leads",)))
    result = sopkb("validate", "--today", TODAY, "--format", "json", cwd=clone)
    assert result.returncode == 0, result.stdout + result.stderr
    problems = json.loads(result.stdout)
    assert [(p["path"], p["line"], p["level"], p["rule"]) for p in problems] == [
        (MOVED, line_of(text, '  - version: "1.3"'), "warning", "no-approval"),
        (MOVED, line_of(text, '  - version: "1.2"'), "warning", "approver-not-owner")]
    by_rule = {p["rule"]: p for p in problems}
    assert by_rule["no-approval"]["message"] == (
        f"version 1.3 of CS-COMP-002 reached main on 2026-05-10 (commit "
        f"{origin.commits['comp 1.3'][:12]}) with no approval record in "
        f"approvals/CS-COMP-002.yaml; the record of 1.3 names pull request #17 (merge "
        f"{origin.commits['comp 1.2'][:12]}), which did not bring this text")
    assert "approved by @dewi" in by_rule["approver-not-owner"]["message"]
    assert "@rina in owners.yaml at" in by_rule["approver-not-owner"]["message"]
    lines = sopkb("validate", "--today", TODAY, cwd=clone)
    assert f"{MOVED}:{by_rule['no-approval']['line']}:" in lines.stdout
    assert lines.stderr.endswith("0 error(s), 2 warning(s) in SOP files\n")
    strict = sopkb("validate", "--today", TODAY, "--strict-review", cwd=clone)
    assert strict.returncode == 2
