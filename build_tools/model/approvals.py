"""Who approved each version of an SOP: the records kept in ``approvals/<SOP-ID>.yaml``.

One record per SOP a merged pull request changed (written by ``sopkb record-approval``,
format in ``build_tools/schema/approvals.schema.json``): the SOP's version at the merge, the
pull request's number and address, when and by which commit it was merged, the reviewers
whose last review before the merge approved it, and the teams whose review was requested.

**Whether an approver was an owner** (:func:`approved_by_owner`). ``reference/owners.yaml``
maps an owner to accounts: a user (``@rina``) matches a reviewer of that login (GitHub logins
ignore case). A team (``@org/team``) cannot be resolved offline (its members are not in the
repository, and the workflow's token may not read them), so it matches when the record
says that team's review was requested (``requested_teams``, which is how CODEOWNERS asks an
owner's team) and someone approved; with the branch rule "require review from code owners",
GitHub itself made sure that approver was in the team. An email address never matches.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from build_tools.model.versions import SopVersion


@dataclass(frozen=True)
class Reviewer:
    """A reviewer who approved: login, when (as GitHub writes it), and the commit reviewed."""

    login: str
    submitted_at: str
    commit: str | None = None


@dataclass(frozen=True)
class ApprovalRecord:
    sop_id: str
    version: str
    pull_request: int
    url: str
    merged_at: str
    merge_commit: str
    reviewers: tuple[Reviewer, ...]
    requested_teams: tuple[str, ...] = ()
    path: str | None = None

    @property
    def merged_on(self) -> str:
        """The day of the merge, as GitHub wrote it (UTC): ``YYYY-MM-DD``."""
        return self.merged_at[:10]

    def as_data(self) -> dict[str, Any]:
        """The record as written in its file (keys in the file's order)."""
        data: dict[str, Any] = {
            "version": self.version, "pull_request": self.pull_request, "url": self.url,
            "merged_at": self.merged_at, "merge_commit": self.merge_commit}
        if self.path:
            data["path"] = self.path
        data["reviewers"] = [
            {"login": r.login, "submitted_at": r.submitted_at, **({"commit": r.commit}
                                                                 if r.commit else {})}
            for r in self.reviewers]
        if self.requested_teams:
            data["requested_teams"] = list(self.requested_teams)
        return data

    @classmethod
    def from_data(cls, sop_id: str, data: dict[str, Any]) -> ApprovalRecord:
        """A record from its file's data (valid under the approvals schema)."""
        return cls(sop_id, data["version"], int(data["pull_request"]), data["url"],
                   data["merged_at"], data["merge_commit"],
                   tuple(Reviewer(r["login"], r["submitted_at"], r.get("commit"))
                         for r in data["reviewers"]),
                   tuple(data.get("requested_teams", ())), data.get("path"))


def approved_by_owner(record: ApprovalRecord, accounts: Iterable[str]) -> bool:
    """Whether an approver of ``record`` stands for one of ``accounts`` (see the module)."""
    logins = {reviewer.login.casefold() for reviewer in record.reviewers}
    teams = {team.casefold() for team in record.requested_teams}
    for account in accounts:
        if not account.startswith("@"):
            continue  # an email address: GitHub maps it to a user, offline we cannot
        name = account[1:].casefold()
        if "/" in name:
            if name in teams and logins:
                return True
        elif name in logins:
            return True
    return False


def records_of(version: SopVersion, records: Iterable[ApprovalRecord],
               main_commit: str | None = None) -> list[ApprovalRecord]:
    """The records of one text of ``version``: naming its number and merged by the commit
    that brought that text to main, ``main_commit`` (default: its last change, the text its
    pages show). A version corrected later without a new number needs the correction's
    record too; a record naming the number but another merge (a version that came back by
    a revert, a record copied from another version) approves none of its texts."""
    if main_commit is None:
        changes = version.changes()
        main_commit = changes[-1].main_commit if changes else None
    return [record for record in records
            if record.version == version.version and record.merge_commit == main_commit]
