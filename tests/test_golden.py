"""Golden tests of the validator: every invalid file has, beside it, the exact lines
`sopkb validate` prints for it (``<name>.expected``). Regenerate them after a deliberate
change with ``pytest tests/test_golden.py --update-golden`` and read the diff. Then the
rule registry: every rule declared where it is checked, and collected.
"""

from __future__ import annotations

import importlib
import os
import pkgutil
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import PROBLEM_LINE, ROOT

import build_tools
from build_tools.cli.main import main as cli
from build_tools.problem import Level, Problem, Rule
from build_tools.rules import registry
from build_tools.rules.registry import RULE_BY_ID, RULES

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
