"""The writers' workflow around the code: pre-commit hooks, lint settings, the CI and
pull-request workflows, and what they run."""

from __future__ import annotations

import re

import yaml
from conftest import BIN, ROOT, run, sopkb

from build_tools.cli.main import main as cli


def test_pre_commit_hooks_run_the_validator() -> None:
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text("utf-8"))
    validate = next(hook for hook in hooks if hook["id"] == "sopkb-validate")
    assert validate["pass_filenames"] is False
    assert re.match(validate["files"], "sops/CS-COMP-002.yaml")
    command = validate["entry"].split()
    assert command[0] == "sopkb"
    result = sopkb(*command[1:], cwd=ROOT)
    assert result.returncode == 0, result.stdout
    config = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text("utf-8"))
    hook_ids = {hook["id"] for repo in config["repos"] for hook in repo["hooks"]}
    assert {"sopkb-validate", "yamllint", "end-of-file-fixer"} <= hook_ids


def test_yaml_files_pass_yamllint() -> None:
    result = run([str(BIN / "yamllint"),
                  "--strict", "sops", "reference", "training", "search", ".github",
                  ".pre-commit-hooks.yaml", ".pre-commit-config.yaml", "mkdocs.yml"], cwd=ROOT)
    assert result.returncode == 0, result.stdout


def test_workflows_call_commands_that_exist() -> None:
    commands = set(cli.commands)
    workflows = list((ROOT / ".github" / "workflows").glob("*.yml"))
    assert {path.name for path in workflows} == {"pr.yml", "deploy.yml", "codeowners.yml",
                                                 "record-approval.yml"}
    for path in workflows:  # every command a workflow calls exists
        assert set(re.findall(r"sopkb ([a-z-]+)", path.read_text("utf-8"))) <= commands, path
    pr = yaml.safe_load((ROOT / ".github" / "workflows" / "pr.yml").read_text("utf-8"))
    runs = " ".join(step.get("run", "") for step in pr["jobs"]["check"]["steps"])
    used = set(re.findall(r"sopkb ([a-z-]+)", runs))
    assert used == {"validate", "codeowners", "check-links", "diff"} and used <= commands
    assert "--format github" in runs and "mkdocs build --strict" in runs
    assert "$GITHUB_STEP_SUMMARY" in runs and "python -m pytest" in runs
    # Every check after the install runs even when an earlier one failed: a writer sees
    # every problem of a pull request in one round.
    steps = pr["jobs"]["check"]["steps"]
    install = next(index for index, step in enumerate(steps) if step.get("id") == "install")
    for step in steps[install + 2:]:
        if "run" in step:
            assert step.get("if") == "${{ !cancelled() && steps.install.outcome == 'success' }}", \
                step["name"]
    uses = [step.get("uses", "") for step in pr["jobs"]["check"]["steps"]]
    assert any(u.startswith("actions/upload-artifact") for u in uses)
    deploy = (ROOT / ".github" / "workflows" / "deploy.yml").read_text("utf-8")
    assert "actions/deploy-pages" in deploy and "branches: [main]" in deploy
    assert (ROOT / ".github" / "pull_request_template.md").is_file()
    # The site's version pages read the whole history: no shallow clone.
    build = yaml.safe_load(deploy)["jobs"]["build"]["steps"]
    checkout = next(step for step in build if step.get("uses", "").startswith("actions/checkout"))
    assert checkout["with"]["fetch-depth"] == 0
    # Neither build keeps the job's token in .git/config, where a file could publish it.
    pr_checkout = next(step for step in pr["jobs"]["check"]["steps"]
                       if step.get("uses", "").startswith("actions/checkout"))
    assert checkout["with"]["persist-credentials"] is False
    assert pr_checkout["with"]["persist-credentials"] is False
    record = yaml.safe_load((ROOT / ".github" / "workflows" / "record-approval.yml")
                            .read_text("utf-8"))["jobs"]["record"]["steps"]
    used = set(re.findall(r"sopkb ([a-z-]+)", " ".join(step.get("run", "") for step in record)))
    assert used == {"record-approval"} and used <= commands


def test_the_approval_workflow_never_runs_the_pull_requests_code() -> None:
    """It runs with write rights after a merge: it checks out main (the merged, reviewed
    result) and passes the command only the pull request's number, never its text."""
    text = (ROOT / ".github" / "workflows" / "record-approval.yml").read_text("utf-8")
    workflow = yaml.safe_load(text)
    trigger = workflow[True]  # YAML 1.1 reads the key 'on' as true
    assert trigger == {"pull_request": {"types": ["closed"], "branches": ["main"]}}
    assert workflow["permissions"] == {"contents": "write", "pull-requests": "read"}
    job = workflow["jobs"]["record"]
    assert job["if"] == "github.event.pull_request.merged == true"
    checkouts = [step for step in job["steps"] if "actions/checkout" in step.get("uses", "")]
    assert [step["with"]["ref"] for step in checkouts] == ["main"]
    assert "head" not in text.replace("the pull request's head", "")
    expressions = set(re.findall(r"\$\{\{\s*([^}]*?)\s*\}\}", text))
    assert expressions == {"github.token", "github.repository",
                           "github.event.pull_request.number", "secrets.RECORDS_DEPLOY_KEY"}
    runs = " ".join(step.get("run", "") for step in job["steps"])
    assert "${{" not in runs  # values reach the shell as environment variables only
