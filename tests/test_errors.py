"""Bad input: one clear FILE:LINE:COL line per problem, exit status 1, never a traceback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import assert_clean_failure, line_of, problem_lines, replace_key, sopkb


@pytest.fixture
def standalone(sample_text: str) -> str:
    return replace_key(sample_text, "related", None)


def validate(tmp_path: Path, files: dict[str, str], *args: str):
    folder = tmp_path / "sops"
    for name, text in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text, "utf-8")
    result = sopkb("validate", *args, "sops", cwd=tmp_path)
    return result


def only_problem(result):
    assert_clean_failure(result)
    problems = problem_lines(result.stdout)
    assert len(problems) == 1, result.stdout
    return problems[0]


def test_yaml_syntax_error(tmp_path: Path, standalone: str) -> None:
    text = standalone.replace("channels: [email, live-chat, messaging, phone]",
                              "channels: [email, live-chat", 1)
    problem = only_problem(validate(tmp_path, {"CS-COMP-002.yaml": text}))
    assert problem["rule"] == "yaml-syntax"
    assert "YAML syntax error" in problem["message"]
    assert int(problem["line"]) > line_of(text, "channels:") - 1


def test_list_instead_of_mapping(tmp_path: Path) -> None:
    problem = only_problem(validate(tmp_path, {"a.yaml": "- id: CS-X-001\n- title: x\n"}))
    assert (problem["line"], problem["col"]) == ("1", "1")
    assert "must be a mapping of keys" in problem["message"]
    assert "found a list" in problem["message"]


def test_scalar_document(tmp_path: Path) -> None:
    problem = only_problem(validate(tmp_path, {"a.yaml": "just some words\n"}))
    assert problem["rule"] == "not-a-mapping"


def test_empty_file(tmp_path: Path) -> None:
    problem = only_problem(validate(tmp_path, {"a.yaml": "# only a comment\n"}))
    assert problem["rule"] == "empty-file"


def test_unknown_role_in_a_step(tmp_path: Path, standalone: str) -> None:
    text = standalone.replace("    role: verifikator\n", "    role: manajer\n", 1)
    problem = only_problem(validate(tmp_path, {"CS-COMP-002.yaml": text}))
    assert problem["rule"] == "unknown-role"
    assert "'manajer' is not a role declared in duties" in problem["message"]
    assert "component 2 (request-handling procedure)" in problem["message"]
    assert int(problem["line"]) == line_of(text, "    role: manajer")
    assert problem["col"] == "11"


def test_duplicate_ids_across_two_files(tmp_path: Path, standalone: str) -> None:
    problem = only_problem(validate(tmp_path, {"CS-COMP-002.yaml": standalone,
                                             "old/CS-COMP-002.yaml": standalone}))
    assert problem["path"] == "sops/old/CS-COMP-002.yaml"
    assert problem["rule"] == "duplicate-id"
    assert "already used by sops/CS-COMP-002.yaml:" in problem["message"]
    assert int(problem["line"]) == line_of(standalone, "id:")


def test_unknown_related_id(tmp_path: Path, standalone: str) -> None:
    text = standalone.replace("tags:", "related: [CS-NOPE-404]\ntags:", 1)
    problem = only_problem(validate(tmp_path, {"CS-COMP-002.yaml": text}))
    assert problem["rule"] == "unknown-related"
    assert "'CS-NOPE-404' is not the id of any SOP" in problem["message"]
    assert int(problem["line"]) == line_of(text, "related:")


@pytest.mark.parametrize("duration", ["1 jam", "90", "1.5h", "0h", "2 days"])
def test_bad_duration(tmp_path: Path, standalone: str, duration: str) -> None:
    text = standalone.replace("    within: 4h\n", f"    within: {duration}\n", 1)
    problem = only_problem(validate(tmp_path, {"CS-COMP-002.yaml": text}))
    assert problem["rule"] == "bad-format"
    assert "must be a duration such as 15m, 1h" in problem["message"]
    assert "procedure[3].within" in problem["message"]
    assert int(problem["line"]) == line_of(text, f"    within: {duration}")


def test_duplicate_step_id(tmp_path: Path, standalone: str) -> None:
    text = standalone.replace("  - id: minta-bukti\n", "  - id: balas-laporan\n", 1)
    problem = only_problem(validate(tmp_path, {"CS-COMP-002.yaml": text}))
    assert problem["rule"] == "duplicate-step-id"
    first, second = [n for n, line in enumerate(text.splitlines(), 1)
                      if line == "  - id: balas-laporan"]
    assert int(problem["line"]) == second
    assert f"first at line {first}" in problem["message"]


def test_step_without_any_target_time(tmp_path: Path, standalone: str) -> None:
    text = "\n".join(line for line in standalone.splitlines()
                     if not line.startswith("    within:")) + "\n"
    problem = only_problem(validate(tmp_path, {"CS-COMP-002.yaml": text}))
    assert problem["rule"] == "no-target-time"


def test_impossible_review_date(tmp_path: Path, standalone: str) -> None:
    text = standalone.replace("last_reviewed: 2026-10-01", "last_reviewed: 2026-02-30", 1)
    problem = only_problem(validate(tmp_path, {"CS-COMP-002.yaml": text}))
    assert problem["rule"] == "bad-date"
    assert int(problem["line"]) == line_of(text, "  last_reviewed:")


def test_unknown_key_suggests_the_right_one(tmp_path: Path, standalone: str) -> None:
    text = standalone.replace("quality_standards:", "quality_standard:", 1)
    result = validate(tmp_path, {"CS-COMP-002.yaml": text})
    assert_clean_failure(result)
    rules = {p["rule"]: p for p in problem_lines(result.stdout)}
    assert "did you mean 'quality_standards'?" in result.stdout
    assert rules["unknown-key"]["line"] == str(line_of(text, "quality_standard:"))
    assert "missing-component" in rules


def test_problems_of_all_files_in_one_run(tmp_path: Path, standalone: str) -> None:
    broken_role = standalone.replace("    role: verifikator\n", "    role: manajer\n", 1)
    other = broken_role.replace("id: CS-COMP-002", "id: CS-COMP-003", 1)
    result = validate(tmp_path, {"CS-COMP-002.yaml": broken_role, "CS-COMP-003.yaml": other,
                                 "c.yaml": "x: [\n"})
    assert_clean_failure(result)
    paths = {p["path"] for p in problem_lines(result.stdout)}
    assert paths == {"sops/CS-COMP-002.yaml", "sops/CS-COMP-003.yaml", "sops/c.yaml"}


def test_unsafe_tag_is_refused_not_executed(tmp_path: Path, standalone: str) -> None:
    marker = tmp_path / "pwned"
    text = standalone.replace(
        "title: Menangani keluhan produk rusak",
        f"title: !!python/object/apply:os.system ['touch {marker}']", 1)
    problem = only_problem(validate(tmp_path, {"CS-COMP-002.yaml": text}))
    assert problem["rule"] == "unsafe-tag"
    assert not marker.exists()


def test_json_and_github_formats(tmp_path: Path, standalone: str) -> None:
    text = standalone.replace("    role: verifikator\n", "    role: manajer\n", 1)
    as_json = validate(tmp_path, {"CS-COMP-002.yaml": text}, "--format", "json")
    assert as_json.returncode == 1
    [entry] = json.loads(as_json.stdout)
    assert entry["rule"] == "unknown-role" and entry["path"] == "sops/CS-COMP-002.yaml"
    github = sopkb("validate", "--format", "github", "sops", cwd=tmp_path)
    assert github.returncode == 1
    assert github.stdout.startswith(
        f"::error file=sops/CS-COMP-002.yaml,line={entry['line']},col=11,")


def test_missing_path(tmp_path: Path) -> None:
    result = sopkb("validate", "nowhere", cwd=tmp_path)
    assert_clean_failure(result)
    [problem] = problem_lines(result.stdout)
    assert problem["rule"] == "not-found"


def test_file_named_unlike_its_id(tmp_path: Path, standalone: str) -> None:
    problem = only_problem(validate(tmp_path, {"kerusakan.yaml": standalone}))
    assert problem["rule"] == "file-name"
    assert "rename the file to CS-COMP-002.yaml" in problem.group(0)


@pytest.mark.parametrize(("key", "value"), [
    ("title", "Judul\u2028baris kedua"), ("title", "Judul \u200fterbalik"),
    ("title", "\ufeffJudul"), ("version", "9" * 5000)])
def test_a_line_or_a_version_out_of_its_form(tmp_path: Path, standalone: str, key: str,
                                             value: str) -> None:
    """A second attacker's read: a line separator or a direction mark passed the single-line
    pattern, and a 5,000-digit version ended validate in a traceback (Python's limit on
    reading long integers)."""
    text = standalone.replace(f"\n{key}: ", f"\n{key}: {json.dumps(value)}\nold_{key}: ", 1)
    text = text.replace(f"\nold_{key}: ", "\n# ", 1)
    if key == "version":
        text = text.replace('  - version: "1.1"', f'  - version: "{value}"', 1)
    result = validate(tmp_path, {"CS-COMP-002.yaml": text})
    assert_clean_failure(result)
    problems = problem_lines(result.stdout)
    assert problems and {p["rule"] for p in problems} == {"bad-format"}, result.stdout
    assert problems[0]["line"] == str(line_of(text, f"{key}: "))
