"""The six required components: each one missing, or present but empty, is refused."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import assert_clean_failure, line_of, problem_lines, replace_key, sopkb

COMPONENTS = [
    (1, "purpose and scope", "purpose"),
    (1, "purpose and scope", "scope"),
    (2, "request-handling procedure", "duties"),
    (2, "request-handling procedure", "procedure"),
    (3, "service-quality standards", "quality_standards"),
    (4, "difficult situations and escalation", "escalation"),
    (5, "customer feedback collection and analysis", "feedback"),
    (6, "review and maintenance of the SOP", "maintenance"),
]

EMPTY_FORMS = {
    "purpose": ['""', "", "TODO"],
    "scope": ["{}", ""],
    "duties": ["[]", ""],
    "procedure": ["[]", ""],
    "quality_standards": ["[]", ""],
    "escalation": ["{}", ""],
    "feedback": ["{}", ""],
    "maintenance": ["{}", ""],
}


@pytest.fixture
def standalone(sample_text: str) -> str:
    """The sample SOP without links to other SOPs, so it validates on its own."""
    return replace_key(sample_text, "related", None)


def write(tmp_path: Path, text: str) -> Path:
    folder = tmp_path / "sops"
    folder.mkdir()
    (folder / "CS-COMP-002.yaml").write_text(text, "utf-8")
    return folder


def test_complete_sop_passes(tmp_path: Path, standalone: str) -> None:
    write(tmp_path, standalone)
    result = sopkb("validate", "sops", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout == ""


@pytest.mark.parametrize(("number", "name", "key"), COMPONENTS)
def test_missing_component_is_named_at_the_mapping(tmp_path: Path, standalone: str,
                                                   number: int, name: str, key: str) -> None:
    text = replace_key(standalone, key, None)
    write(tmp_path, text)
    result = sopkb("validate", "sops", cwd=tmp_path)
    assert_clean_failure(result)
    problems = problem_lines(result.stdout)
    assert len(problems) == 1, result.stdout
    problem = problems[0]
    assert problem["path"] == "sops/CS-COMP-002.yaml"
    assert int(problem["line"]) == line_of(text, "id:")  # the mapping that lacks the key
    assert problem["rule"] == "missing-component"
    assert f"component {number} ({name})" in problem["message"]
    assert repr(key) in problem["message"]


@pytest.mark.parametrize(("number", "name", "key", "value"), [
    (number, name, key, value) for number, name, key in COMPONENTS for value in EMPTY_FORMS[key]
])
def test_empty_component_is_named_at_its_line(tmp_path: Path, standalone: str, number: int,
                                              name: str, key: str, value: str) -> None:
    text = replace_key(standalone, key, f"{key}: {value}".rstrip())
    write(tmp_path, text)
    result = sopkb("validate", "sops", cwd=tmp_path)
    assert_clean_failure(result)
    problems = problem_lines(result.stdout)
    assert len(problems) == 1, result.stdout
    problem = problems[0]
    assert int(problem["line"]) == line_of(text, f"{key}:")
    assert f"component {number} ({name})" in problem["message"]
    assert problem["rule"] in ("empty-component", "placeholder")


@pytest.mark.parametrize("field", ["    action: TODO", "    action: ...", "    action: N/A",
                                   "    action: '-'", "    action: '???'",
                                   "    action: '[isi langkah]'", "    action: <langkah>",
                                   "    action: Tbd nanti", "    action: Lorem ipsum dolor"])
def test_placeholder_inside_a_component_is_refused(tmp_path: Path, standalone: str,
                                                   field: str) -> None:
    text = standalone.replace(
        "    action: Periksa bukti dan pastikan kerusakan terbukti", field, 1)
    write(tmp_path, text)
    result = sopkb("validate", "sops", cwd=tmp_path)
    assert_clean_failure(result)
    [problem] = problem_lines(result.stdout)
    assert problem["rule"] == "placeholder"
    assert "component 2 (request-handling procedure)" in problem["message"]
    assert int(problem["line"]) == line_of(text, field)


def test_all_missing_components_reported_in_one_run(tmp_path: Path, standalone: str) -> None:
    text = standalone
    for key in ("purpose", "escalation", "maintenance"):
        text = replace_key(text, key, None)
    write(tmp_path, text)
    result = sopkb("validate", "sops", cwd=tmp_path)
    assert_clean_failure(result)
    messages = " ".join(p["message"] for p in problem_lines(result.stdout))
    for number in (1, 4, 6):
        assert f"missing component {number} " in messages
