"""Approval records (``approvals/<SOP-ID>.yaml``) checked against the versions git holds:
``no-approval`` and ``approver-not-owner``, both warnings.

Checked: every version that reached main once records began (the day of the earliest
merge recorded in the folder; earlier versions can be recorded afterwards with ``sopkb
record-approval``, but are not asked for). Each text of a version (its first, and each
correction without a new number: :meth:`~build_tools.model.versions.SopVersion.changes`)
needs a record naming its version and merged by the commit that brought that text to main
(:func:`build_tools.model.approvals.records_of`); an
approver of each such record must stand for one of the SOP's owners (``owner`` and
``maintenance.owner`` of that version's text) in ``reference/owners.yaml`` as it stood at
the record's merge commit (the rule for user and team accounts is
:func:`build_tools.model.approvals.approved_by_owner`).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path

from build_tools.model.approvals import ApprovalRecord, approved_by_owner, records_of
from build_tools.model.reference import OWNERS
from build_tools.model.timelines import timelines as sop_timelines
from build_tools.model.versions import Snapshot, SopTimeline, SopVersion
from build_tools.problem import Level, Problem, Rule
from build_tools.rules.effective import rewrite_problems, shallow_problems
from build_tools.rules.schema import load_checked
from build_tools.rules.sop import FILE_NAME
from build_tools.source.document import YAML_SUFFIXES, Document
from build_tools.source.history import files_at, read_history

NO_APPROVAL = Rule("no-approval", "a version merged into main has no approval record (a warning)")
APPROVER_NOT_OWNER = Rule("approver-not-owner",
                          "no approver of a version is an account of its owners (a warning)")

SCHEMA = "approvals.schema.json"
#: owner name -> accounts, as ``owners.yaml`` stood at a commit (None: it could not be read).
Owners = Mapping[str, tuple[str, ...]] | None


def load_approvals(folder: Path, display: str) -> tuple[dict[str, list[ApprovalRecord]],
                                                         list[Problem]]:
    """The records of every file in ``folder``, by SOP id, and the problems of the files
    (a file with errors gives no record)."""
    records: dict[str, list[ApprovalRecord]] = {}
    problems: list[Problem] = []
    for path in sorted(p for p in folder.iterdir() if p.suffix in YAML_SUFFIXES):
        doc, found = load_checked(path, f"{display}/{path.name}", SCHEMA)
        problems += found
        if any(problem.is_error for problem in found):
            continue
        sop_id = doc.data["id"]
        if path.stem != sop_id:
            problems.append(doc.problem(("id",), FILE_NAME, f"file name {path.stem!r} does "
                                        f"not match id {sop_id!r}",
                                        hint=f"rename the file to {sop_id}.yaml"))
        records.setdefault(sop_id, []).extend(
            ApprovalRecord.from_data(sop_id, entry) for entry in doc.data["approvals"])
    return records, problems


def owners_at(reference_dir: Path, commits: Iterable[str]) -> dict[str, Owners]:
    """``owners.yaml`` in ``reference_dir`` as each commit had it (read from git at once)."""
    found: dict[str, Owners] = {}
    for commit, doc in files_at(reference_dir, OWNERS, sorted(set(commits))).items():
        owners = doc.data.get("owners") if doc is not None and isinstance(doc.data, dict) \
            else None
        found[commit] = None if not isinstance(owners, dict) else {
            name: tuple(a for a in accounts if isinstance(a, str))
            for name, accounts in owners.items() if isinstance(accounts, list)}
    return found


def approval_problems(timelines: Mapping[str, SopTimeline],
                      records: Mapping[str, list[ApprovalRecord]],
                      owners: Mapping[str, Owners], documents: Iterable[Document],
                      approvals_display: str) -> Iterator[Problem]:
    """no-approval / approver-not-owner (warnings): see the module. ``owners``: by merge
    commit (:func:`owners_at`); ``documents``: the current SOP files, where the warnings
    point (at the version's history entry); ``approvals_display``: the folder's name."""
    merged = [record.merged_on for found in records.values() for record in found]
    if not merged:
        return
    began = min(merged)
    current = {doc.data["id"]: doc for doc in documents
               if isinstance(doc.data, dict) and isinstance(doc.data.get("id"), str)}
    for sop_id, timeline in sorted(timelines.items()):
        file = f"{approvals_display}/{sop_id}.yaml"
        for version in timeline.versions:
            if not version.committed:
                continue
            where = _Pointer(current.get(sop_id), version, file)
            for number, snapshot in enumerate(version.changes()):
                day = snapshot.reached_main
                if day.isoformat() < began:
                    continue
                found = records_of(version, records.get(sop_id, []), snapshot.main_commit)
                if not found:
                    yield where(Level.WARNING, NO_APPROVAL, _unrecorded(
                        version, snapshot, number > 0, records.get(sop_id, []), file),
                        "record it: sopkb record-approval --repo OWNER/NAME --pr NUMBER")
                for record in found:
                    problem = _owner_problem(version, record, owners.get(record.merge_commit))
                    if problem is not None:
                        yield where(Level.WARNING, APPROVER_NOT_OWNER, problem,
                                    "a user account matches its login; a team account "
                                    "matches when its review was requested and someone "
                                    "approved")


def _unrecorded(version: SopVersion, snapshot: Snapshot, correction: bool,
                records: list[ApprovalRecord], file: str) -> str:
    what = (f"version {version.version} of {version.sop_id} was changed on "
            f"{snapshot.reached_main} without a new number" if correction else
            f"version {version.version} of {version.sop_id} reached main on "
            f"{snapshot.reached_main}")
    others = [f"#{r.pull_request} (merge {r.merge_commit[:12]})" for r in records
              if r.version == version.version and
              r.merge_commit not in {s.main_commit for s in version.snapshots}]
    besides = f"; the record of {version.version} names pull request " \
        f"{', '.join(others)}, which did not bring this text" if others else ""
    return (f"{what} (commit {snapshot.main_commit[:12]}) with no approval record in "
            f"{file}{besides}")


def _owner_problem(version: SopVersion, record: ApprovalRecord, owners: Owners) -> str | None:
    data = version.data if isinstance(version.data, dict) else {}
    maintenance = data.get("maintenance")
    names = [name for name in (data.get("owner"), maintenance.get("owner")
                               if isinstance(maintenance, dict) else None)
             if isinstance(name, str)]
    names = list(dict.fromkeys(names))
    head = (f"version {version.version} (pull request #{record.pull_request}, merged "
            f"{record.merged_on})")
    if owners is None:
        return (f"{head}: {OWNERS} could not be read at its merge commit "
                f"{record.merge_commit[:12]}, so its approvers cannot be checked")
    accounts = [account for name in names for account in owners.get(name, ())]
    if approved_by_owner(record, accounts):
        return None
    approvers = ", ".join(f"@{r.login}" for r in record.reviewers) or "no one"
    return (f"{head} was approved by {approvers}, none of whom stands for its owners "
            f"{', '.join(names) or '(none named)'} ({', '.join(accounts) or 'no accounts'} in "
            f"{OWNERS} at {record.merge_commit[:12]})")


class _Pointer:
    """Where a warning about a version points: its history entry in the current SOP file,
    else the file's ``version`` or ``id``; for an SOP no longer in the files, its record
    file."""

    def __init__(self, document: Document | None, version: SopVersion, file: str) -> None:
        self.document, self.version, self.file = document, version, file

    def __call__(self, level: Level, rule: Rule, message: str, hint: str) -> Problem:
        doc = self.document
        if doc is None:
            return Problem(self.file, 1, 1, level, rule.id, message, hint)
        history = doc.data.get("history")
        index = next((i for i, entry in enumerate(history if isinstance(history, list) else [])
                      if isinstance(entry, dict) and entry.get("version") ==
                      self.version.version), None)
        node_path: tuple[str | int, ...] = ("history", index, "version") \
            if index is not None else ("version",) \
            if doc.data.get("version") == self.version.version else ("id",)
        return doc.problem(node_path, rule, message, level=level, hint=hint)



def check_from_git(sop_folders: Iterable[Path], approvals_dir: Path | None, display: str,
                   reference_dir: Path, documents: list[Document],
                   zone: datetime.tzinfo | None = None, today: datetime.date | None = None,
                   ) -> tuple[list[Problem], list[str]]:
    """Everything ``sopkb validate`` checks from the git history of each folder of
    ``sop_folders``: the record of the versions (``history-rewritten``) and, with an
    ``approvals_dir``, the approval records (``display``: its name) against the versions.
    ``zone``: the time zone of the day a merge counts on; ``today``: the working tree's
    day (its edits of the record are judged as of then). The notices say what could not be
    checked (no git history); a shallow clone is a ``shallow-history`` warning, and nothing
    more is read from it."""
    records, problems = load_approvals(approvals_dir, display) \
        if approvals_dir is not None else ({}, [])
    notices: list[str] = []
    commits = [record.merge_commit for found in records.values() for record in found]
    owners = owners_at(reference_dir, commits) if commits else {}
    for folder in sop_folders:
        history = read_history(folder)
        if not history.available:
            if approvals_dir is not None:
                notices += history.notices
                notices.append(f"{folder}: approval records not checked without git history")
            continue
        if history.shallow:  # every version would seem merged on the clone's first day
            problems += shallow_problems(history, str(folder))
            continue
        notices += history.notices
        lines = sop_timelines(history, documents, zone, today)
        problems += approval_problems(lines, records, owners, documents, display)
        problems += rewrite_problems(lines, documents)
    return problems, notices
