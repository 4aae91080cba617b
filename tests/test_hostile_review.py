"""Who reviews a pull request: CODEOWNERS from validated paths with the maintainers' part,
and workflows that never run a pull request's code with write rights."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import PROBLEM_LINE
from hostile import sopkb_in

HOSTILE_FOLDERS = ["x\n* @penyerang\n#", "dengan spasi", "pagar#komentar", "kutip'\"",
                   "tab\tdi sini", "garis\\miring", "éàü", "..\u202eexe", "\x1b[31mmerah"]


@pytest.mark.slow
@pytest.mark.parametrize("folder", HOSTILE_FOLDERS, ids=range(len(HOSTILE_FOLDERS)))
def test_an_sop_under_a_hostile_folder_name_never_reaches_codeowners(project: Path,
                                                                     folder: str) -> None:
    assert sopkb_in(project, "codeowners").returncode == 0
    before = (project / ".github" / "CODEOWNERS").read_text("utf-8")
    target = project / "sops" / folder
    target.mkdir(parents=True)
    (project / "sops" / "CS-COMP-002.yaml").rename(target / "CS-COMP-002.yaml")
    result = sopkb_in(project, "validate")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    found = [line for line in result.stdout.splitlines() if line.endswith("(unsafe-path)")]
    assert len(found) == 1 and PROBLEM_LINE.match(found[0]), result.stdout
    assert all(PROBLEM_LINE.match(line) for line in result.stdout.splitlines())
    written = sopkb_in(project, "codeowners")
    assert written.returncode == 1 and "Traceback" not in written.stderr
    assert len(written.stderr.strip().splitlines()) == 1, written.stderr
    assert (project / ".github" / "CODEOWNERS").read_text("utf-8") == before  # unchanged
    assert "@penyerang" not in before


def _codeowners(project: Path) -> str:
    return (project / ".github" / "CODEOWNERS").read_text("utf-8")


@pytest.mark.slow
def test_codeowners_has_the_maintainers_default_first_and_their_paths_last(project: Path,
                                                                          ) -> None:
    assert sopkb_in(project, "codeowners").returncode == 0
    lines = _codeowners(project).splitlines()
    rules = [line for line in lines if not line.startswith("#")]
    assert rules[0].startswith("* @")
    sops = [index for index, line in enumerate(rules) if line.startswith("/sops/")]
    protected = [index for index, line in enumerate(rules)
                 if line.split()[0] in ("/.github/", "/reference/owners.yaml", "/build_tools/",
                                        "/.github/workflows/", "/approvals/")]
    assert len(protected) == 5 and sops and max(sops) < min(protected)
    assert sopkb_in(project, "codeowners", "--check").returncode == 0


@pytest.mark.slow
def test_a_new_sop_from_the_web_editor_is_a_notice_not_a_failure(project: Path) -> None:
    """A writer adds an SOP without running anything: the check says the default owner
    reviews it until the file is regenerated on the main branch, and passes."""
    assert sopkb_in(project, "codeowners").returncode == 0
    text = (project / "sops" / "CS-COMP-002.yaml").read_text("utf-8")
    (project / "sops" / "CS-COMP-902.yaml").write_text(
        text.replace("id: CS-COMP-002", "id: CS-COMP-902"), "utf-8")
    result = sopkb_in(project, "codeowners", "--check", env={"GITHUB_ACTIONS": "true"})
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("::notice file=.github/CODEOWNERS::")
    assert "@example/kb-maintainers" in result.stdout and "1 SOP line" in result.stdout


@pytest.mark.parametrize("change", ["appended", "protection removed", "sop moved last",
                                    "default changed", "account with a newline",
                                    "sops folder taken", "sops pattern taken"])
@pytest.mark.slow
def test_codeowners_lines_other_than_sop_lines_must_be_as_generated(project: Path,
                                                                   change: str) -> None:
    assert sopkb_in(project, "codeowners").returncode == 0
    path = project / ".github" / "CODEOWNERS"
    text = path.read_text("utf-8")
    lines = text.splitlines(keepends=True)
    if change == "appended":
        text += "* @penyerang\n"
    elif change == "protection removed":
        text = text.replace("/.github/ @example/kb-maintainers\n", "")
    elif change == "sop moved last":
        sop = next(line for line in lines if line.startswith("/sops/"))
        text = text.replace(sop, "") + sop
    elif change == "default changed":
        text = text.replace("* @example/kb-maintainers", "* @penyerang")
    elif change.startswith("sops"):  # after the SOP lines: it wins over every one of them
        last = [line for line in lines if line.startswith("/sops/")][-1]
        taken = "/sops/" if change == "sops folder taken" else "/sops/**/*.yaml"
        text = text.replace(last, f"{last}{taken} @penyerang\n")
    if change == "account with a newline":
        owners = project / "reference" / "owners.yaml"
        owners.write_text(owners.read_text("utf-8").replace(
            '"*": ["@example/kb-maintainers"]', '"*": ["@example/kb-maintainers\\n* @x"]'),
            "utf-8")
        result = sopkb_in(project, "validate")
        assert result.returncode == 1 and "owners.yaml" in result.stdout, result.stdout
    else:
        path.write_text(text, "utf-8")
    result = sopkb_in(project, "codeowners", "--check")
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


@pytest.mark.slow
def test_an_sop_line_edited_by_hand_fails_against_the_base(project: Path) -> None:
    """An attacker's read found an SOP's line handed to another team by hand passing
    ``--check`` as merely out of date. Against the base branch's file (as the pull-request
    workflow runs it) a line neither generated nor the base's fails; a new owner written in
    the SOP itself is still only said, the file being written again on main."""
    import subprocess

    assert sopkb_in(project, "codeowners").returncode == 0
    git = ["git", "-C", str(project), "-c", "user.name=t", "-c", "user.email=t@example.invalid"]
    subprocess.run([*git, "init", "-q", "-b", "main"], check=True)
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-q", "-m", "base"], check=True)
    path = project / ".github" / "CODEOWNERS"
    generated = path.read_text("utf-8")
    line = "/sops/CS-PHONE-001.yaml @example/call-centre\n"
    assert line in generated
    path.write_text(generated.replace(line, "/sops/CS-PHONE-001.yaml @penyerang\n"), "utf-8")
    assert sopkb_in(project, "codeowners", "--check").returncode == 0  # no base: said only
    edited = sopkb_in(project, "codeowners", "--check", "--base", "main")
    assert edited.returncode == 1 and "Traceback" not in edited.stderr
    assert edited.stderr == ("Error: .github/CODEOWNERS is out of date ('/sops/CS-PHONE-001.yaml "
                             "@penyerang'); run: sopkb codeowners\n")
    path.write_text(generated, "utf-8")
    sop = project / "sops" / "CS-PHONE-001.yaml"
    sop.write_text(sop.read_text("utf-8").replace(
        "owner: Supervisor Pusat Panggilan", "owner: Kepala Layanan Pelanggan", 1), "utf-8")
    moved = sopkb_in(project, "codeowners", "--check", "--base", "main")
    assert moved.returncode == 0 and "does not list 2 SOP line(s)" in moved.stderr
    unknown = sopkb_in(project, "codeowners", "--check", "--base", "tidak-ada")
    assert unknown.returncode == 1
    assert unknown.stderr == "Error: --base: no commit 'tidak-ada' in the repository\n"


def test_no_workflow_runs_a_pull_requests_code_with_write_rights() -> None:
    """The CODEOWNERS and approval-record workflows write to the repository: they run on
    the main branch (push, or a merged PR's closing), never on pull_request_target, check
    out nothing of the PR's head, and push with the records environment's deploy key. No
    workflow writes an expression (a branch name, a title) into a script."""
    import yaml
    from conftest import ROOT

    workflows = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
    writers = pushers = 0
    for path in workflows:
        data = yaml.safe_load(path.read_text("utf-8"))
        triggers = data.get(True, data.get("on"))  # YAML 1.1 reads `on:` as true
        text = "\n".join(line for line in path.read_text("utf-8").splitlines()
                         if not line.lstrip().startswith("#"))
        assert "pull_request_target" not in text, path.name
        permissions = str(data.get("permissions", {})) + str(
            [job.get("permissions", {}) for job in data["jobs"].values()])
        if "write" in permissions and "contents" in permissions:
            writers += 1
            assert "pull_request" not in str(triggers) or "closed" in str(triggers), path.name
            assert "head.sha" not in text and "head_ref" not in text and \
                "pull_request.head" not in text, path.name
        for job in data["jobs"].values():
            for step in job.get("steps", []):  # expressions reach a script through env only
                assert "${{" not in step.get("run", ""), (path.name, step.get("name"))
            if any("git push" in step.get("run", "") for step in job.get("steps", [])):
                # the one identity main's rule exempts, in an environment only main may use
                assert job.get("environment") == "records", path.name
                assert job["steps"][0]["with"]["ssh-key"] == \
                    "${{ secrets.RECORDS_DEPLOY_KEY }}", path.name
                pushers += 1
    regenerate = yaml.safe_load((ROOT / ".github" / "workflows" / "codeowners.yml")
                                .read_text("utf-8"))
    assert regenerate[True] == {"push": {"branches": ["main"],
                                         "paths": ["sops/**", "reference/owners.yaml"]}}
    assert writers >= 1 and pushers == 2
