"""Golden tests of the validator: every invalid file has, beside it, the exact lines
`sopkb validate` prints for it (``<name>.expected``). Regenerate them after a deliberate
change with ``pytest tests/test_golden.py --update-golden`` and read the diff."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import PROBLEM_LINE, ROOT

from build_tools.cli.main import main as cli
from build_tools.problem import Level, Problem
from build_tools.rules.registry import RULES

FOLDERS = [ROOT / "tests" / "fixtures" / "invalid", ROOT / "tests" / "corpus" / "handwritten"]
CASES = sorted(path for folder in FOLDERS for path in folder.glob("*.yaml"))


def validate(path: Path) -> str:
    """What `sopkb validate` prints for one file, run from the file's folder."""
    import os

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


#: How the code names the rule of a problem it reports, with the rule as a literal.
_EMITTED = [
    re.compile(r"\.problem\(\s*(?:\((?:[^()]|\([^()]*\))*\)|[a-z_]+),\s*"
               r"f?\"([a-z-]+(?:\{[a-z]+\})?)\""),
    re.compile(r"Level\.[A-Z]+,\s*\"([a-z-]+)\""),
    re.compile(r"_Refused\([^,]+,\s*\"([a-z-]+)\""),
    re.compile(r"_whole_file\(doc,\s*\"([a-z-]+)\""),
    re.compile(r"warn\(match,\s*\"([a-z-]+)\""),
    re.compile(r"rule = \"([a-z-]+)\" if [^\n]* else \"([a-z-]+)\""),
]


def test_every_rule_the_code_names_is_declared() -> None:
    """A scan of the source for the rule ids passed to problems: each is in the registry
    (the registry also refuses any other at run time)."""
    found: set[str] = set()
    for path in (ROOT / "build_tools").rglob("*.py"):
        text = path.read_text("utf-8")
        for pattern in _EMITTED:
            for match in pattern.finditer(text):
                for rule in filter(None, match.groups()):
                    if "{what}" in rule:
                        found |= {rule.replace("{what}", what) for what in ("channel", "metric")}
                    else:
                        found.add(rule)
    assert len(found) >= 40  # the scan sees the checks, not nothing
    assert found - set(RULES) == set()
    assert set(RULES) - found == set(), "declared but never reported"


def test_sopkb_rules_lists_every_rule() -> None:
    result = CliRunner().invoke(cli, ["rules"])
    assert result.exit_code == 0
    listed = [line.split()[0] for line in result.output.splitlines()]
    assert listed == list(RULES)
