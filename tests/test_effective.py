"""The day a version takes effect (`effective` in a history entry): accepted by the schema
and the model, checked against the entry's date and the other versions' (FILE:LINE:COL)."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import SOPS, assert_clean_failure, line_of, problem_lines, sopkb

from build_tools.model.sop import Sop
from build_tools.rules.catalog import check_file

ENTRY_11 = '  - version: "1.1"\n    date: 2026-10-01\n'
ENTRY_10 = '  - version: "1.0"\n    date: 2026-04-01\n'


def write(project: Path, text: str) -> Path:
    path = project / "sops" / "CS-COMP-002.yaml"
    path.write_text(text, "utf-8")
    return path


def with_effective(eleven: str | None, ten: str | None) -> str:
    text = (SOPS / "CS-COMP-002.yaml").read_text("utf-8")
    assert ENTRY_11 in text and ENTRY_10 in text
    if eleven:
        text = text.replace(ENTRY_11, f"{ENTRY_11}    effective: {eleven}\n")
    if ten:
        text = text.replace(ENTRY_10, f"{ENTRY_10}    effective: {ten}\n")
    return text


def test_an_effective_date_in_the_future_is_valid_and_reaches_the_model(tmp_path: Path) -> None:
    path = tmp_path / "CS-COMP-002.yaml"
    path.write_text(with_effective("2099-01-01", "2026-04-15"), "utf-8")
    doc, problems = check_file(path, "CS-COMP-002.yaml")
    assert problems == []
    sop = Sop.from_data(doc.data, doc.path)
    assert [(r.version, r.effective) for r in sop.history] == [("1.1", "2099-01-01"),
                                                              ("1.0", "2026-04-15")]


def test_effective_before_the_entrys_date(project: Path) -> None:
    text = with_effective("2026-09-30", None)
    write(project, text)
    result = sopkb("validate", cwd=project)
    assert_clean_failure(result)
    [problem] = problem_lines(result.stdout)
    assert problem["rule"] == "effective-before-date"
    assert problem["path"] == "sops/CS-COMP-002.yaml"
    assert int(problem["line"]) == line_of(text, "    effective: 2026-09-30")
    assert int(problem["col"]) == len("    effective: ") + 1
    assert "2026-09-30 is before the entry's date 2026-10-01" in problem["message"]


@pytest.mark.slow
def test_a_newer_version_taking_effect_before_an_older_one(project: Path) -> None:
    text = with_effective("2026-11-01", "2026-12-01")
    write(project, text)
    result = sopkb("validate", cwd=project)
    [problem] = problem_lines(result.stdout)
    assert result.returncode == 1
    assert problem["rule"] == "effective-order"
    assert int(problem["line"]) == line_of(text, "    effective: 2026-12-01")
    assert "version 1.0" in problem["message"] and "1.1" in problem["message"]
    # In order (the same day allowed), or only one side dated: clean.
    for eleven, ten in (("2026-12-01", "2026-12-01"), ("2026-10-02", None),
                        (None, "2026-12-01")):
        write(project, with_effective(eleven, ten))
        assert sopkb("validate", cwd=project).returncode == 0, (eleven, ten)


def test_an_effective_date_that_does_not_exist_or_is_misspelt(project: Path) -> None:
    write(project, with_effective("2026-02-30", None))
    [problem] = problem_lines(sopkb("validate", cwd=project).stdout)
    assert problem["rule"] == "bad-date" and "2026-02-30" in problem["message"]
    write(project, with_effective("1 Maret 2026", None))
    [problem] = problem_lines(sopkb("validate", cwd=project).stdout)
    assert problem["rule"] == "bad-format" and "effective" in problem["message"]
