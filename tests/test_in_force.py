"""Which version of each SOP was in force on a day, with from/until and its page
(build_tools.model.versions), and `sopkb in-force` in text and JSON, on the repository of
tests/history_repo.py: expectations written from its story, day by day around each change."""

from __future__ import annotations

import datetime
import json
import shutil
import zoneinfo
from pathlib import Path

import history_repo
import pytest
from conftest import sopkb
from history_repo import TODAY, Repo

from build_tools.model.changes import Change, sop_changes
from build_tools.model.timelines import timelines
from build_tools.model.versions import SopTimeline, in_force_on, sop_url, version_url
from build_tools.rules.effective import rewrite_problems
from build_tools.source.document import load_document
from build_tools.source.history import read_history

#: day -> {SOP id: version in force}, around every change of the story.
IN_FORCE = {
    "2025-05-31": {},
    "2025-06-01": {"CS-COMP-002": "0.9"},  # history older than the repository
    "2026-01-04": {"CS-COMP-002": "0.9"},
    "2026-01-05": {"CS-COMP-002": "1.0", "CS-ORDER-001": "1.0"},
    "2026-01-31": {"CS-COMP-002": "1.0", "CS-ORDER-001": "1.0"},  # chat not merged yet
    "2026-02-01": {"CS-COMP-002": "1.0", "CS-ORDER-001": "1.0", "CS-CHAT-001": "1.0"},
    "2026-02-12": {"CS-COMP-002": "1.0", "CS-ORDER-001": "1.0", "CS-CHAT-001": "1.0"},
    "2026-03-01": {"CS-COMP-002": "1.0", "CS-ORDER-001": "1.0", "CS-CHAT-001": "1.0"},
    "2026-03-02": {"CS-COMP-002": "1.1", "CS-ORDER-001": "1.0", "CS-CHAT-001": "1.0"},
    "2026-03-20": {"CS-COMP-002": "1.1", "CS-ORDER-001": "1.0", "CS-CHAT-001": "1.0"},
    "2026-04-01": {"CS-COMP-002": "1.1", "CS-ORDER-001": "1.0", "CS-CHAT-001": "1.0"},
    "2026-04-14": {"CS-COMP-002": "1.1", "CS-ORDER-001": "1.0", "CS-CHAT-001": "1.0"},
    "2026-04-15": {"CS-COMP-002": "1.2", "CS-ORDER-001": "1.0", "CS-CHAT-001": "1.0"},
    "2026-04-19": {"CS-COMP-002": "1.2", "CS-ORDER-001": "1.0", "CS-CHAT-001": "1.0"},
    "2026-04-20": {"CS-COMP-002": "1.2", "CS-ORDER-001": "1.0"},  # chat retired
    "2026-04-27": {"CS-COMP-002": "1.2", "CS-ORDER-001": "1.0"},  # its text broken, still 1.0
    "2026-05-01": {"CS-COMP-002": "1.2"},  # order removed
    "2026-05-10": {"CS-COMP-002": "1.2"},  # 1.3 merged, effective 2026-07-01
    "2026-06-30": {"CS-COMP-002": "1.2"},
    "2026-07-01": {"CS-COMP-002": "1.3"},
    "2030-01-01": {"CS-COMP-002": "1.3"},
}


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Repo:
    return history_repo.build(tmp_path_factory.mktemp("in-force") / "kb")


@pytest.fixture(scope="module")
def found(repo: Repo) -> dict[str, SopTimeline]:
    return timelines(read_history(repo.path / "sops"))


def day(text: str) -> datetime.date:
    return datetime.date.fromisoformat(text)


@pytest.mark.parametrize("asked", sorted(IN_FORCE))
def test_the_version_in_force_on_each_day(found: dict[str, SopTimeline], asked: str) -> None:
    answer = in_force_on(found, day(asked), day(TODAY))
    assert {entry.sop_id: entry.version.version for entry in answer} == IN_FORCE[asked]


def test_from_and_until(found: dict[str, SopTimeline]) -> None:
    spans = {(e.sop_id, e.version.version): (str(e.start), str(e.until))
             for asked in IN_FORCE for e in in_force_on(found, day(asked), day(TODAY))}
    assert spans == {
        ("CS-COMP-002", "0.9"): ("2025-06-01", "2026-01-05"),
        ("CS-COMP-002", "1.0"): ("2026-01-05", "2026-03-02"),
        ("CS-COMP-002", "1.1"): ("2026-03-02", "2026-04-15"),
        ("CS-COMP-002", "1.2"): ("2026-04-15", "2026-07-01"),  # until a known future day
        ("CS-COMP-002", "1.3"): ("2026-07-01", "None"),
        ("CS-ORDER-001", "1.0"): ("2026-01-05", "2026-05-01"),
        ("CS-CHAT-001", "1.0"): ("2026-02-01", "2026-04-20"),
    }


def test_page_addresses_as_of_today(found: dict[str, SopTimeline]) -> None:
    assert sop_url("CS-COMP-002") == "sop/cs-comp-002/"
    assert version_url("CS-COMP-002", "1.1", current=False) == "sop/cs-comp-002/v/1.1/"
    assert version_url("CS-COMP-002", "1.2", current=True) == "sop/cs-comp-002/"
    comp, chat = found["CS-COMP-002"], found["CS-CHAT-001"]
    today = day(TODAY)
    assert {v.version: comp.url(v, today) for v in comp.versions} == {
        "0.9": "sop/cs-comp-002/v/0.9/", "1.0": "sop/cs-comp-002/v/1.0/",
        "1.1": "sop/cs-comp-002/v/1.1/", "1.2": "sop/cs-comp-002/",
        "1.3": "sop/cs-comp-002/v/1.3/"}  # not yet in force: not the SOP's page yet
    # A retired SOP keeps its page (with a banner) for its last version.
    assert [chat.url(v, today) for v in chat.versions] == ["sop/cs-chat-001/v/1.0/",
                                                          "sop/cs-chat-001/"]
    later = day("2026-07-02")
    assert comp.url(comp.versions[-1], later) == "sop/cs-comp-002/"
    assert comp.url(comp.versions[-2], later) == "sop/cs-comp-002/v/1.2/"


def test_what_a_version_page_shows(found: dict[str, SopTimeline]) -> None:
    comp = found["CS-COMP-002"]
    twelve, thirteen = comp.version("1.2"), comp.version("1.3")
    assert twelve is not None and thirteen is not None
    period = comp.period_of(twelve)
    assert period is not None and (period.start, period.until) == (day("2026-04-15"),
                                                                   day("2026-07-01"))
    assert comp.previous(thirteen) is twelve and comp.previous(comp.versions[0]) is None
    changes = sop_changes(twelve.data, thirteen.data)
    assert Change("field", "version", "1.2", "1.3") in changes


def test_the_day_a_merge_counts_on_follows_the_time_zone(repo: Repo) -> None:
    # Every commit was made at 09:00 +07:00, which is the evening before in Los Angeles.
    history = read_history(repo.path / "sops")
    western = timelines(history, zone=zoneinfo.ZoneInfo("America/Los_Angeles"))
    eleven = western["CS-COMP-002"].version("1.1")
    assert eleven is not None and eleven.reached_main == day("2026-03-01")
    jakarta = timelines(history, zone=zoneinfo.ZoneInfo("Asia/Jakarta"))
    assert jakarta["CS-COMP-002"].version("1.1").reached_main == day("2026-03-02")


def test_the_cli_counts_days_where_the_site_does(tmp_path: Path) -> None:
    """An auditor found ``sopkb in-force`` counting a merge at 20:00 UTC on the committer's
    day while the site counted it on the next day in Jakarta: the command takes the site's
    time zone by default."""
    repo = Repo(tmp_path / "kb")
    repo.path.mkdir()
    repo.git("init", "-q", "-b", "main")
    path = "sops/CS-ORDER-001.yaml"
    repo.write(path, history_repo.sop("CS-ORDER-001", "1.0", [("1.0", "2026-01-02")]))
    repo.commit("1.0", "2026-01-05")
    repo.write(path, history_repo.sop("CS-ORDER-001", "1.1", [("1.1", "2026-03-02"),
                                                                 ("1.0", "2026-01-02")]))
    repo.commit("1.1", "2026-03-02T20:00:00+00:00")  # 03:00 on 3 March in Jakarta

    def version_on(date: str, *zone: str) -> str:
        result = sopkb("in-force", "--date", date, "--today", "2026-04-01", "--format", "json",
                       *zone, cwd=repo.path)
        assert result.returncode == 0, result.stderr
        (entry,) = json.loads(result.stdout)
        return f"{entry['version']} from {entry['from']}"

    assert version_on("2026-03-02") == "1.0 from 2026-01-05"
    assert version_on("2026-03-03") == "1.1 from 2026-03-03"
    assert version_on("2026-03-02", "--time-zone", "UTC") == "1.1 from 2026-03-02"


def test_a_renamed_sop_takes_over_from_its_former_id(tmp_path: Path) -> None:
    """CS-COMP-002 renamed CS-COMP-009 (the old id kept under ``aliases``, as check-links
    asks): before the rename the former id was in force, after it the new one. An auditor
    found the new id listed in force before it existed, beside the old one, its history
    entries taken for versions older than the repository."""
    repo = Repo(tmp_path / "kb")
    repo.path.mkdir()
    repo.git("init", "-q", "-b", "main")
    path = "sops/CS-COMP-002.yaml"
    first = [("1.0", "2026-01-02")]
    repo.write(path, history_repo.sop("CS-COMP-002", "1.0", first))
    repo.commit("1.0", "2026-01-05")
    renamed = history_repo.sop("CS-COMP-002", "1.1", [("1.1", "2026-03-01"), *first])
    repo.write(path, renamed.replace("id: CS-COMP-002\n",
                                     "id: CS-COMP-009\naliases: [CS-COMP-002]\n", 1))
    repo.commit("renamed", "2026-03-02")
    found = timelines(read_history(repo.path / "sops"), today=day("2026-04-01"))
    for asked, expected in (("2026-02-01", [("CS-COMP-002", "1.0", "2026-01-05")]),
                            ("2026-03-05", [("CS-COMP-009", "1.1", "2026-03-02")])):
        assert [(e.sop_id, e.version.version, e.start.isoformat())
                for e in in_force_on(found, day(asked), day("2026-04-01"))] == expected, asked
    assert [v.version for v in found["CS-COMP-009"].versions] == ["1.1"]


def test_an_alias_of_an_unrelated_sop_takes_nothing_over(tmp_path: Path) -> None:
    """A second attacker's read: listing CS-ORDER-001 (removed on 1 May) under CS-COMP-002's
    aliases erased CS-COMP-002's 0.9, in force before the repository, and with it any
    rewrite of 0.9's entry. Only an id that left main the day the SOP came is its own."""
    repo = history_repo.build(tmp_path / "kb")
    text = (repo.path / history_repo.MOVED).read_text("utf-8")
    repo.write(history_repo.MOVED, text.replace("id: CS-COMP-002\n",
                                                "id: CS-COMP-002\naliases: [CS-ORDER-001]\n", 1))
    repo.commit("alias", "2026-05-20")
    found = timelines(read_history(repo.path / "sops"), today=day("2026-06-01"))
    assert [v.version for v in found["CS-COMP-002"].versions][:1] == ["0.9"]
    (standing,) = [e for e in in_force_on(found, day("2025-07-01"), day("2026-06-01"))]
    assert (standing.sop_id, standing.version.version) == ("CS-COMP-002", "0.9")


def test_cli_text(repo: Repo) -> None:
    result = sopkb("in-force", "--date", "2026-04-16", "--today", TODAY, cwd=repo.path)
    assert result.returncode == 0, result.stderr
    rows = [line.split() for line in result.stdout.splitlines()]
    assert rows == [
        ["CS-CHAT-001", "1.0", "from", "2026-02-01", "until", "2026-04-20",
         "sop/cs-chat-001/v/1.0/"],
        ["CS-COMP-002", "1.2", "from", "2026-04-15", "until", "2026-07-01", "sop/cs-comp-002/"],
        ["CS-ORDER-001", "1.0", "from", "2026-01-05", "until", "2026-05-01", "-"]]  # removed
    assert result.stderr == "3 SOP(s) in force on 2026-04-16\n"


def test_cli_json(repo: Repo) -> None:
    result = sopkb("in-force", "--date", "2026-03-05", "--format", "json", "--today", TODAY,
                   cwd=repo.path)
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    assert [(e["id"], e["version"], e["from"], e["until"], e["url"]) for e in answer] == [
        ("CS-CHAT-001", "1.0", "2026-02-01", "2026-04-20", "sop/cs-chat-001/v/1.0/"),
        ("CS-COMP-002", "1.1", "2026-03-02", "2026-04-15", "sop/cs-comp-002/v/1.1/"),
        ("CS-ORDER-001", "1.0", "2026-01-05", "2026-05-01", None)]  # removed: no page
    comp = answer[1]
    assert comp["main_commit"] == repo.commits["merge comp-11"]
    assert comp["commit"] == repo.commits["comp 1.1 wording"]
    assert comp["title"] == "Menangani keluhan produk rusak" and comp["committed"] is True
    # 0.9, listed in the history only, and 1.0, which today's rules cannot read, have no
    # page: no address is given for them.
    first = json.loads(sopkb("in-force", "--date", "2026-02-01", "--format", "json",
                             "--today", TODAY, cwd=repo.path).stdout)
    assert [(e["version"], e["url"]) for e in first if e["id"] == "CS-COMP-002"] == \
        [("1.0", None)]
    before = sopkb("in-force", "--date", "2025-12-01", "--today", TODAY, cwd=repo.path)
    assert before.stdout.split()[-1] == "-" and "CS-COMP-002  0.9" in before.stdout
    later = json.loads(sopkb("in-force", "--date", "2026-08-01", "--format", "json",
                             "--today", TODAY, cwd=repo.path).stdout)
    assert later == [{**later[0], "id": "CS-COMP-002", "version": "1.3", "from": "2026-07-01",
                      "until": None, "effective": "2026-07-01",
                      "url": "sop/cs-comp-002/v/1.3/"}]


@pytest.mark.parametrize(("args", "message"), [
    (("--date", "2026-02-30"), "Error: --date must be a date written YYYY-MM-DD, not "
                               "'2026-02-30'"),
    (("--date", "kemarin"), "Error: --date must be a date written YYYY-MM-DD, not 'kemarin'"),
    (("--format", "xml"), "Error: Invalid value for '--format': 'xml' is not one of 'text', "
                          "'json'."),
    (("--time-zone", "Mars/Olympus"), "Error: Invalid value for '--time-zone': 'Mars/Olympus' "
                                      "is not a time zone such as Asia/Jakarta"),
    (("--time-zone", "Asia"), "Error: Invalid value for '--time-zone': 'Asia' is not a time "
                              "zone such as Asia/Jakarta"),  # a folder of the zone files
    (("tidak-ada",), "Error: tidak-ada is not a folder of SOP files"),
    (("--bogus",), "Error: No such option '--bogus'."),
])
def test_cli_bad_input_is_one_line(repo: Repo, args: tuple[str, ...], message: str) -> None:
    result = sopkb("in-force", *args, cwd=repo.path)
    assert result.returncode != 0
    assert result.stdout == "" and "Traceback" not in result.stderr
    assert result.stderr.splitlines() == [message]


def test_cli_outside_git_uses_the_current_files(repo: Repo, tmp_path: Path) -> None:
    shutil.copytree(repo.path / "sops", tmp_path / "sops")
    result = sopkb("in-force", "--date", "2026-05-20", "--format", "json", "--today", TODAY,
                   cwd=tmp_path)
    assert result.returncode == 0
    assert result.stderr.splitlines()[0] == "sops: not in a git repository: current versions only"
    answer = {e["id"]: (e["version"], e["from"], e["until"], e["committed"])
              for e in json.loads(result.stdout)}
    # Only the current files' history entries say when: each from its effective day, else
    # from its date (1.2.1, never committed, is listed; 1.3 takes effect on 2026-07-01).
    assert answer == {"CS-COMP-002": ("1.2.1", "2026-05-05", "2026-07-01", False)}
    earlier = json.loads(sopkb("in-force", "--date", "2026-04-20", "--format", "json",
                               cwd=tmp_path).stdout)
    # CS-CHAT-001 is retired from its 1.1 of 2026-04-20; CS-ORDER-001 is no file any more.
    assert [(e["id"], e["version"], e["from"]) for e in earlier] == [
        ("CS-COMP-002", "1.2", "2026-04-15")]


def test_an_effective_day_in_a_pull_request_postpones_but_never_backdates(
        tmp_path: Path) -> None:
    """``effective`` and ``date`` are both written in the pull request: a version merged on
    2026-03-02 that says it took effect on 2026-02-01 is in force from its merge, and the
    version main held in February stays the answer for February."""
    repo = Repo(tmp_path / "kb")
    repo.path.mkdir()
    repo.git("init", "-q", "-b", "main")
    first = [("1.0", "2026-01-02")]
    repo.write("sops/CS-ORDER-001.yaml", history_repo.sop("CS-ORDER-001", "1.0", first))
    repo.commit("first", "2026-01-05")
    backdated = [("2.0", "2026-02-01", "2026-02-01"), *first]
    repo.write("sops/CS-ORDER-001.yaml", history_repo.sop("CS-ORDER-001", "2.0", backdated))
    repo.commit("2.0, said to be in force since February", "2026-03-02")
    found = timelines(read_history(repo.path / "sops"))
    assert {day_: [(e.version.version, e.start) for e in in_force_on(found, day(day_),
                                                                     day("2026-06-01"))]
            for day_ in ("2026-02-15", "2026-03-02")} == {
        "2026-02-15": [("1.0", day("2026-01-05"))],
        "2026-03-02": [("2.0", day("2026-03-02"))]}


def test_the_record_of_a_version_in_force_is_not_rewritten(tmp_path: Path) -> None:
    """An attacker's read found a pull request could move the effective day of a version
    already in force (which version applied on past days changed, and ``sopkb diff`` saw
    nothing), or add a version older than the repository. The record keeps the days as
    merged; an effective day not yet come may still move later; what the file still says
    against the record is ``history-rewritten``, at its entry, until put back."""
    repo = Repo(tmp_path / "kb")
    repo.path.mkdir()
    repo.git("init", "-q", "-b", "main")
    path = "sops/CS-ORDER-001.yaml"

    def commit(version: str, entries: list[tuple[str, ...]], day_: str) -> None:
        repo.write(path, history_repo.sop("CS-ORDER-001", version, entries))
        repo.commit(f"{version} on {day_}", day_)

    commit("1.0", [("1.0", "2026-01-02")], "2026-01-05")
    commit("2.0", [("2.0", "2026-03-01"), ("1.0", "2026-01-02")], "2026-03-02")
    rewritten = [("2.0", "2026-03-01", "2026-03-20"), ("1.0", "2025-12-01"),
                 ("0.9", "2025-06-01")]
    commit("2.0", rewritten, "2026-04-01")
    planned = [("3.0", "2026-04-05", "2026-06-01"), *rewritten]
    commit("3.0", planned, "2026-04-05")
    commit("3.0", [("3.0", "2026-04-05", "2026-07-01"), *rewritten], "2026-05-01")

    found = timelines(read_history(repo.path / "sops"), today=day("2026-05-02"))
    line = found["CS-ORDER-001"]
    assert [(v.version, v.start) for v in line.versions] == [
        ("1.0", day("2026-01-05")), ("2.0", day("2026-03-02")), ("3.0", day("2026-07-01"))]
    assert [v.written for v in line.versions[:2]] == [day("2026-01-02"), day("2026-03-01")]
    for asked, version in (("2026-03-10", "2.0"), ("2026-06-15", "2.0"), ("2026-07-01", "3.0")):
        (standing,) = in_force_on(found, day(asked), day("2026-05-02"))
        assert standing.version.version == version, asked
    assert {(r.version, r.field, r.kept, r.given) for r in line.rewrites} == {
        ("2.0", "effective", "2026-03-02", "2026-03-20"),
        ("1.0", "date", "2026-01-02", "2025-12-01"), ("0.9", "entry", "", "0.9")}

    current = load_document(repo.path / path, path, repo.path)
    problems = [str(p) for p in rewrite_problems(found, [current])]
    text = (repo.path / path).read_text("utf-8").splitlines()
    assert [p.split(":")[1] for p in problems] == [
        str(number) for number, line_ in enumerate(text, 1)
        if line_.strip() in ("effective: 2026-03-20", "date: 2025-12-01", '- version: "0.9"')]
    assert all("(history-rewritten)" in p and "[error]" in p for p in problems), problems
    assert "version 2.0 took effect on 2026-03-02" in problems[0], problems

    # Put back, the record is whole again: nothing to report, the same days.
    commit("3.0", [("3.0", "2026-04-05", "2026-07-01"), ("2.0", "2026-03-01"),
                   ("1.0", "2026-01-02")], "2026-05-03")
    again = timelines(read_history(repo.path / "sops"), today=day("2026-05-04"))
    assert [(v.version, v.start) for v in again["CS-ORDER-001"].versions] == [
        (v.version, v.start) for v in line.versions]
    current = load_document(repo.path / path, path, repo.path)
    assert list(rewrite_problems(again, [current])) == []
