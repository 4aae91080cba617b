"""Golden tests of the validator, and of its rule registry.

Every rule has a case of its own, ``tests/fixtures/rules/<rule-id>/``: a small knowledge base
(``sops/``, and ``reference/``, ``training/``, ``search/`` or ``docs/`` as the rule needs)
whose only problems are that rule's, and ``expected``, exactly what reports them:

- the lines ``sopkb validate --today 2026-12-01`` prints, run in the folder (its default
  paths: ``sops``, ``reference``, ``training``, ``search/synonyms.yaml``);
- for a folder with a ``mkdocs.yml`` (rules checked while MkDocs renders the hand-written
  pages), the warning and error lines of ``mkdocs build --strict`` run there.

Besides, every invalid file of ``tests/fixtures/invalid/`` and ``tests/corpus/handwritten/``
has, beside it, the exact lines `sopkb validate` prints for it (``<name>.expected``).

Regenerate the expected outputs after a deliberate change with
``pytest tests/test_golden.py --update-golden`` and read the diff.
"""

from __future__ import annotations

import importlib
import os
import pkgutil
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import PROBLEM_LINE, ROOT, mkdocs
from jsonschema import Draft202012Validator

import build_tools
from build_tools.cli.main import main as cli
from build_tools.problem import Level, Problem, Rule
from build_tools.rules import registry
from build_tools.rules.registry import RULE_BY_ID, RULES
from build_tools.rules.schema import SCHEMA, _problems_for, load_schema, schema_names
from build_tools.source.document import Document

RULE_CASES = ROOT / "tests" / "fixtures" / "rules"
#: The date the cases are validated on (``overdue-review`` counts days from it).
TODAY = "2026-12-01"
#: Rules no input can raise today, with the reason; each is tested on its own below.
WITHOUT_A_CASE = {
    SCHEMA.id: "the fallback for a JSON Schema keyword that build_tools/rules/schema.py has no "
               "message of its own for; the shipped schemas use no such keyword (checked "
               "below), so no file can raise it",
    "no-approval": "read from a git history of merges (a folder of files has none): "
                   "tests/test_approvals.py raises it in a scripted repository",
    "approver-not-owner": "read from a git history of merges and owners.yaml as it stood "
                          "then: tests/test_approvals.py raises it in a scripted repository",
    "history-rewritten": "read from a git history (an entry as merged against as edited "
                         "later): tests/test_in_force.py raises it in a scripted repository",
    "shallow-history": "read from a clone of a git history cut short: "
                       "tests/test_versions_site.py raises it in a shallow clone",
}
#: The schema keywords that report under a rule of their own (build_tools/rules/schema.py),
#: and those that only describe or hold other schemas and so fail under no name of theirs.
REPORTED_KEYWORDS = {"required", "additionalProperties", "type", "minLength", "minItems",
                     "maxLength", "maxItems", "pattern", "enum", "uniqueItems"}
SILENT_KEYWORDS = {"$schema", "$id", "$ref", "$defs", "title", "description", "x-message",
                   "properties", "items", "propertyNames"}


def rule_cases() -> list[Path]:
    return sorted(path for path in RULE_CASES.iterdir() if path.is_dir())


def _case_param(folder: Path) -> object:
    slow = (folder / "mkdocs.yml").exists()  # a real build, a few seconds
    return pytest.param(folder, id=folder.name, marks=[pytest.mark.slow] if slow else [])


def run_case(folder: Path, tmp_path: Path) -> tuple[str, list[str]]:
    """What reports the problems of a rule's case: its output, and the problem lines in it."""
    if (folder / "mkdocs.yml").exists():
        result = mkdocs("build", "--strict", "--site-dir", str(tmp_path / "site"), cwd=folder)
        assert "Traceback" not in result.stderr, result.stderr
        logged = [line for line in result.stderr.splitlines()
                  if line.startswith(("WARNING ", "ERROR "))]
        assert result.returncode == (1 if logged else 0), result.stderr
        problems = [re.sub(r"^[A-Z]+ +-  (?:[\w.]+: )?", "", line) for line in logged]
        return "".join(f"{line}\n" for line in logged), problems
    cwd = os.getcwd()
    os.chdir(folder)
    try:
        result = CliRunner().invoke(cli, ["validate", "--today", TODAY])
    finally:
        os.chdir(cwd)
    problems = result.stdout.splitlines()
    assert result.exit_code == (1 if any("[error]" in line for line in problems) else 0), \
        result.output
    return result.stdout, problems


@pytest.mark.parametrize("folder", [_case_param(folder) for folder in rule_cases()])
def test_each_rule_has_a_case_that_raises_it_alone(folder: Path, tmp_path: Path,
                                                   request: pytest.FixtureRequest) -> None:
    output, problems = run_case(folder, tmp_path)
    expected = folder / "expected"
    if request.config.getoption("--update-golden"):
        expected.write_text(output, "utf-8")
    assert output == expected.read_text("utf-8")
    assert problems, "the case raises nothing"
    for line in problems:
        match = PROBLEM_LINE.match(line)
        assert match, line
        assert match["rule"] == folder.name, line


def test_every_rule_has_its_case_and_every_case_its_rule() -> None:
    cases = {folder.name for folder in rule_cases()}
    assert cases - set(RULES) == set(), "a case for no declared rule"
    assert set(RULES) - cases - set(WITHOUT_A_CASE) == set(), "a rule without a golden case"
    assert set(WITHOUT_A_CASE) <= set(RULES) - cases
    for folder in rule_cases():
        assert (folder / "expected").is_file(), folder.name


def schema_keywords(node: object) -> set[str]:
    """The keywords used anywhere in a JSON Schema (not the property names it defines)."""
    if isinstance(node, list):
        return set().union(*map(schema_keywords, node))
    if not isinstance(node, dict):
        return set()
    found = set(node)
    for key, value in node.items():
        children = value.values() if key in ("properties", "$defs") else [value]
        for child in children:
            found |= schema_keywords(child)
    return found


def test_no_shipped_schema_uses_a_keyword_without_a_rule_of_its_own() -> None:
    """Why ``schema`` has no case; a schema given such a keyword makes it reachable, and
    then it needs one (or a rule of its own)."""
    used = set().union(*(schema_keywords(load_schema(name)) for name in schema_names()))
    assert used - SILENT_KEYWORDS <= REPORTED_KEYWORDS


def test_the_schema_rule_reports_a_keyword_the_messages_do_not_handle() -> None:
    """``schema``, the one rule without a case (see WITHOUT_A_CASE), on a keyword of JSON
    Schema that the shipped schemas do not use."""
    doc = Document("sops/CS-TEST-001.yaml", {"version": "0"}, positions={("version",): (4, 10)})
    (error,) = Draft202012Validator(
        {"properties": {"version": {"not": {"const": "0"}}}}).iter_errors(doc.data)
    (problem,) = _problems_for(doc, error)
    assert str(problem) == ("sops/CS-TEST-001.yaml:4:10: [error] version: "
                            "'0' should not be valid under {'const': '0'} (schema)")


# --- every invalid file and its expected output ------------------------------------------------

FOLDERS = [ROOT / "tests" / "fixtures" / "invalid", ROOT / "tests" / "corpus" / "handwritten"]
CASES = sorted(path for folder in FOLDERS for path in folder.glob("*.yaml"))


def validate(path: Path) -> str:
    """What `sopkb validate` prints for one file, run from the file's folder."""
    cwd = os.getcwd()
    os.chdir(path.parent)
    try:
        result = CliRunner().invoke(cli, ["validate", "--reference", "none", "--training",
                                          "none", "--synonyms", "none", path.name])
    finally:
        os.chdir(cwd)
    assert result.exit_code == 1, result.output
    return result.stdout


@pytest.mark.parametrize("path", CASES, ids=[f"{p.parent.name}/{p.stem}" for p in CASES])
def test_validator_output_is_exactly_as_expected(path: Path, request: pytest.FixtureRequest,
                                                 ) -> None:
    out = validate(path)
    expected = path.with_suffix(".expected")
    if request.config.getoption("--update-golden"):
        expected.write_text(out, "utf-8")
    assert out == expected.read_text("utf-8")
    for line in out.splitlines():
        assert PROBLEM_LINE.match(line), line


def test_every_golden_file_has_its_case() -> None:
    expected = {p.with_suffix(".yaml") for folder in FOLDERS for p in folder.glob("*.expected")}
    assert expected == set(CASES)


# --- the rule registry -------------------------------------------------------------------------

def test_rule_ids_are_kebab_case_and_described() -> None:
    assert len(RULES) >= 40
    for rule, description in RULES.items():
        assert re.fullmatch(r"[a-z]+(-[a-z]+)*", rule), rule
        assert description and "\n" not in description


def test_a_problem_with_an_undeclared_rule_is_refused() -> None:
    with pytest.raises(ValueError, match="not declared"):
        Problem("x.yaml", 1, 1, Level.ERROR, "made-up-rule", "message")
    assert Problem("x.yaml", 1, 1, Level.ERROR, "unknown-role", "message").rule == "unknown-role"


def test_every_module_declaring_a_rule_is_collected() -> None:
    """A module that declares a rule but is missing from ``registry.DECLARING`` would leave
    the rule out of ``sopkb rules`` and make every problem naming it refused."""
    declared: dict[str, Rule] = {}
    for module in pkgutil.walk_packages(build_tools.__path__, "build_tools."):
        if module.name != "build_tools.__main__":
            for rule in registry.declared_in(importlib.import_module(module.name)):
                declared[rule.id] = rule
    assert len(declared) >= 40  # the walk sees the declarations, not nothing
    assert {rule_id: rule for rule_id, rule in declared.items()
            if RULE_BY_ID.get(rule_id) != rule} == {}


def test_a_rule_declared_twice_differently_is_refused() -> None:
    once = Rule("made-up-rule", "what it checks")
    assert registry.collect((), (once, Rule("made-up-rule", "what it checks"))) == {
        "made-up-rule": once}
    with pytest.raises(ValueError, match="declared twice"):
        registry.collect((), (once, Rule("made-up-rule", "something else")))


def test_sopkb_rules_lists_every_rule() -> None:
    result = CliRunner().invoke(cli, ["rules"])
    assert result.exit_code == 0
    listed = [line.split()[0] for line in result.output.splitlines()]
    assert listed == list(RULES)
    assert RULES["unknown-role"] in result.output
