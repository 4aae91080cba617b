"""What the hardening tests share (test_hardening.py, test_safe_output.py,
test_safe_builds.py): the figures ``make hardening`` prints, and ``sopkb validate`` run in
process with what a refusal must look like."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner
from conftest import OUTPUT, PROBLEM_LINE, ROOT

from build_tools.cli.main import main as cli

HANDWRITTEN = ROOT / "tests" / "corpus" / "handwritten"
#: The counts each module adds to tests/output/hardening.json (see :func:`write_figures`).
FIGURES: dict[str, int] = {}


def write_figures() -> None:
    """Add :data:`FIGURES` to tests/output/hardening.json (a module's fixture calls it once
    its tests have run; the other modules' counts stay)."""
    OUTPUT.mkdir(parents=True, exist_ok=True)
    previous = {}
    path = OUTPUT / "hardening.json"
    if path.exists():
        previous = json.loads(path.read_text("utf-8"))
    path.write_text(json.dumps({**previous, **FIGURES}, indent=2, sort_keys=True) + "\n", "utf-8")


def validate_cli(*paths: Path) -> tuple[int, str, BaseException | None]:
    """`sopkb validate` in process: exit code, output, and any exception other than exit."""
    result = CliRunner().invoke(cli, ["validate", "--reference", "none", "--training", "none",
                                      "--synonyms", "none", *map(str, paths)])
    crash = result.exception if not isinstance(result.exception, SystemExit) else None
    return result.exit_code, result.output, crash


def assert_refused(code: int, output: str, crash: BaseException | None, name: str) -> None:
    assert crash is None, f"{name}: {crash!r}"
    assert code == 1, f"{name}: exit {code}\n{output}"
    assert "Traceback" not in output
    lines = [line for line in output.splitlines() if not line.endswith("in SOP files")]
    assert lines, name
    for line in lines:
        assert PROBLEM_LINE.match(line), f"{name}: {line!r}"
