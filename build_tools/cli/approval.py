"""``sopkb record-approval``: a merged pull request's approval, recorded for every SOP it
changed, in ``approvals/<SOP-ID>.yaml`` (format: :mod:`build_tools.model.approvals`).

Input: GitHub's REST API responses for the pull request, its reviews, its files and its
issue events, read from files (``--pr-json`` …) or from the API (``--repo``, ``--pr``). The
approvers are the reviewers whose last review submitted before the merge, among
APPROVED, CHANGES_REQUESTED and DISMISSED, is APPROVED (a comment does not withdraw an
approval, as on GitHub). Each SOP's id and version are read from its file at the merge
commit, from git (so the repository must hold that commit).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
import yaml

from build_tools.cli.versions import OneLineErrors
from build_tools.model.approvals import ApprovalRecord, Reviewer
from build_tools.model.grammar import SOP_ID
from build_tools.source.document import YAML_SUFFIXES, Document, load_document, load_text
from build_tools.source.github import GitHubError, PullRequestResponses, fetch_pull_request
from build_tools.source.history import GitUnavailable, folder_prefix, read_objects

HEADER = """\
# yaml-language-server: $schema=../build_tools/schema/approvals.schema.json
# Ditulis oleh `sopkb record-approval` saat pull request digabung ke main; jangan diubah
# dengan tangan. / Written by `sopkb record-approval` when a pull request is merged.
"""
_DECISIONS = ("APPROVED", "CHANGES_REQUESTED", "DISMISSED")


class RecordError(Exception):
    pass


class _Dumper(yaml.SafeDumper):
    """Lists indented under their key, as the repository's yamllint style wants."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


def approvers(reviews: list[dict[str, Any]], merged_at: str) -> tuple[Reviewer, ...]:
    """The reviewers whose last deciding review before ``merged_at`` approved, in the order
    they approved."""
    last: dict[str, dict[str, Any]] = {}
    for review in sorted(reviews, key=lambda r: str(r.get("submitted_at") or "")):
        user, submitted = review.get("user"), review.get("submitted_at")
        login = user.get("login") if isinstance(user, dict) else None
        if (isinstance(login, str) and isinstance(submitted, str) and submitted <= merged_at
                and review.get("state") in _DECISIONS):
            last[login] = review
    return tuple(Reviewer(login, review["submitted_at"], review.get("commit_id"))
                 for login, review in sorted(last.items(), key=lambda i: i[1]["submitted_at"])
                 if review["state"] == "APPROVED")


def requested_teams(responses: PullRequestResponses) -> tuple[str, ...]:
    """The teams asked to review (``org/team``): still pending, or asked and not taken off
    again (a review by a member ends the request without taking it off; a request removed
    by hand was never answered by the team)."""
    org = (((responses.pull.get("base") or {}).get("repo") or {}).get("owner") or {}) \
        .get("login", "")
    asked: dict[str, None] = {}
    for event in responses.events:  # in the order they happened
        team = event.get("requested_team")
        if not isinstance(team, dict) or not isinstance(team.get("slug"), str):
            continue
        if event.get("event") == "review_requested":
            asked[team["slug"]] = None
        elif event.get("event") == "review_request_removed":
            asked.pop(team["slug"], None)
    pending = [team["slug"] for team in responses.pull.get("requested_teams") or []
               if isinstance(team, dict) and isinstance(team.get("slug"), str)]
    return tuple(f"{org}/{slug}" for slug in dict.fromkeys([*pending, *asked]))


def records_for(responses: PullRequestResponses, sops_prefix: str,
                read: Callable[[str, str], Document | None]
                ) -> tuple[list[ApprovalRecord], list[str]]:
    """One record per SOP the merged pull request changed (YAML files under
    ``sops_prefix``), its id and version read by ``read(commit, path)``; and a note for each
    file left out (removed, or with no id and version at the merge)."""
    pull = responses.pull
    merged_at, merge_commit = pull.get("merged_at"), pull.get("merge_commit_sha")
    if not isinstance(merged_at, str) or not isinstance(merge_commit, str):
        raise RecordError(f"pull request #{pull.get('number')} is not merged: nothing "
                          f"to record")
    reviewers = approvers(responses.reviews, merged_at)
    teams = requested_teams(responses)
    records: dict[str, ApprovalRecord] = {}
    notes = []
    for changed in responses.files:
        path = changed.get("filename")
        if not isinstance(path, str) or not path.startswith(sops_prefix) or \
                not path.endswith(YAML_SUFFIXES):
            continue
        if changed.get("status") == "removed":
            notes.append(f"{path}: removed by the pull request, no version to record")
            continue
        doc = read(merge_commit, path)
        data = doc.data if doc is not None else None
        if not isinstance(data, dict) or not isinstance(data.get("id"), str) or \
                not isinstance(data.get("version"), str):
            notes.append(f"{path}: no id and version at {merge_commit[:12]}, not recorded")
            continue
        records.setdefault(data["id"], ApprovalRecord(
            data["id"], data["version"], int(pull["number"]), str(pull["html_url"]),
            merged_at, merge_commit, reviewers, teams, path))
    return list(records.values()), notes


def write_record(folder: Path, record: ApprovalRecord) -> Path:
    """Add ``record`` to its SOP's file (replacing an earlier record of the same pull
    request and version), records in the order they were merged."""
    if not SOP_ID.match(record.sop_id):  # the id names the file: never a path of its own
        raise RecordError(f"{record.sop_id!r} is not an SOP id; no record written")
    path = folder / f"{record.sop_id}.yaml"
    entries: list[dict[str, Any]] = []
    if path.is_file():
        data = load_document(path).data
        found = data.get("approvals") if isinstance(data, dict) else None
        if not isinstance(found, list):
            raise RecordError(f"{path} is not an approvals file; fix or remove it first")
        entries = [entry for entry in found if isinstance(entry, dict) and not (
            str(entry.get("pull_request")) == str(record.pull_request)
            and entry.get("version") == record.version)]
        for entry in entries:  # read back as text: written again as the number it is
            if str(entry.get("pull_request")).isdigit():
                entry["pull_request"] = int(entry["pull_request"])
    entries.append(record.as_data())
    entries.sort(key=lambda entry: (str(entry.get("merged_at")), str(entry.get("pull_request"))
                                    .zfill(12)))
    body = yaml.dump({"id": record.sop_id, "approvals": entries}, Dumper=_Dumper,
                     sort_keys=False, allow_unicode=True, default_flow_style=False, width=100)
    folder.mkdir(parents=True, exist_ok=True)
    path.write_text(HEADER + body, "utf-8")
    return path


def _json(path: Path | None, what: str) -> Any:
    if path is None:
        raise click.UsageError(f"give {what}, or --repo and --pr to read the API")
    try:
        return json.loads(path.read_text("utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise click.ClickException(f"{path}: not a JSON file ({error})") from None


def _responses(pr_json: Path | None, reviews_json: Path | None, files_json: Path | None,
               events_json: Path | None) -> PullRequestResponses:
    pull, reviews = _json(pr_json, "--pr-json"), _json(reviews_json, "--reviews-json")
    files = _json(files_json, "--files-json")
    events = _json(events_json, "--events-json") if events_json else []
    for value, option, kind in ((pull, "--pr-json", dict), (reviews, "--reviews-json", list),
                                (files, "--files-json", list), (events, "--events-json", list)):
        if not isinstance(value, kind):
            raise click.ClickException(f"{option}: expected a JSON "
                                       f"{'object' if kind is dict else 'list'}")
    return PullRequestResponses(pull, reviews, files, events)


def _reader(root: Path) -> Callable[[str, str], Document | None]:
    def read(commit: str, path: str) -> Document | None:
        try:
            raw = read_objects(root, [f"{commit}:{path}"])[f"{commit}:{path}"]
        except GitUnavailable as error:
            raise RecordError(f"cannot read {path} at {commit[:12]}: {error}") from error
        if raw is None:
            raise RecordError(f"{path} at {commit[:12]} is not in this repository: fetch "
                              f"main with its history (fetch-depth: 0)")
        return load_text(raw.decode("utf-8", "replace"), f"{commit[:12]}:{path}")
    return read


@click.command("record-approval", cls=OneLineErrors)
@click.option("--pr-json", type=click.Path(path_type=Path, dir_okay=False),
              help="GET /repos/{owner}/{repo}/pulls/{n}, saved as a file.")
@click.option("--reviews-json", type=click.Path(path_type=Path, dir_okay=False),
              help="GET …/pulls/{n}/reviews (every page, as one list).")
@click.option("--files-json", type=click.Path(path_type=Path, dir_okay=False),
              help="GET …/pulls/{n}/files (every page, as one list).")
@click.option("--events-json", type=click.Path(path_type=Path, dir_okay=False),
              help="GET /repos/{owner}/{repo}/issues/{n}/events (optional): teams asked.")
@click.option("--repo", help="owner/name: read the API instead of files.")
@click.option("--pr", "number", type=int, help="The pull request's number (with --repo).")
@click.option("--token", envvar="GITHUB_TOKEN", help="API token (default: $GITHUB_TOKEN).")
@click.option("--api-url", default="https://api.github.com", show_default=True,
              help="The REST API's address (GitHub Enterprise Server).")
@click.option("--approvals", "folder", type=click.Path(path_type=Path), default=Path("approvals"),
              show_default=True, help="Folder of the approval records.")
@click.option("--sops", "sops", type=click.Path(path_type=Path, file_okay=False),
              default=Path("sops"), show_default=True, help="Folder of the SOP files.")
def record_approval(pr_json: Path | None, reviews_json: Path | None, files_json: Path | None,
                    events_json: Path | None, repo: str | None, number: int | None,
                    token: str | None, api_url: str, folder: Path, sops: Path) -> None:
    """Record who approved a merged pull request, for every SOP it changed.

    Run in the repository, with the merge commit present (the record-approval workflow
    runs it on main after each merge). Writes approvals/<SOP-ID>.yaml; prints one line per
    record.
    """
    try:
        if repo is not None or number is not None:
            if repo is None or number is None:
                raise click.UsageError("--repo and --pr go together")
            responses = fetch_pull_request(repo, number, token, api_url)
        else:
            responses = _responses(pr_json, reviews_json, files_json, events_json)
        prefix = folder_prefix(sops)
        if prefix is None:
            raise RecordError(f"{sops} is not a folder inside a git repository")
        records, notes = records_for(responses, prefix, _reader(sops))
        for note in notes:
            click.echo(note, err=True)
        for record in records:
            path = write_record(folder, record)
            who = ", ".join(f"@{r.login}" for r in record.reviewers) or "no approving review"
            click.echo(f"{record.sop_id} {record.version}: pull request "
                       f"#{record.pull_request}, approved by {who} -> {path}")
    except (RecordError, GitHubError) as error:
        raise click.ClickException(str(error)) from None
    if not records:
        click.echo(f"pull request #{responses.pull.get('number')} changed no SOP under "
                   f"{sops}: nothing recorded", err=True)
