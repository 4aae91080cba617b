"""Hardening: any input a writer or an attacker can put in a pull request gets a clear error.
Malformed corpora and random mutations; XSS payloads in a real browser are in
test_safe_output.py, builds that fail, get killed or cannot write in test_safe_builds.py.
Figures go to tests/output/hardening.json (tests/hardening.py)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import time
from pathlib import Path

import pytest
import yaml
from conftest import BIN, PROBLEM_LINE, SOPS
from corpus import corpus, standalone
from hardening import FIGURES, HANDWRITTEN, assert_refused, validate_cli, write_figures
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from build_tools.rules.catalog import load_catalog


@pytest.fixture(scope="module", autouse=True)
def figures():
    yield FIGURES
    write_figures()


# --- malformed input -------------------------------------------------------------------------

@pytest.mark.slow
def test_generated_corpus_of_malformed_sops_is_refused(tmp_path: Path) -> None:
    cases = corpus(SOPS)
    assert len(cases) >= 300
    crashes = 0
    for sop_id in {sop_id for _, sop_id, _ in cases}:
        base = tmp_path / "base" / f"{sop_id}.yaml"
        base.parent.mkdir(exist_ok=True)
        base.write_text(standalone((SOPS / f"{sop_id}.yaml").read_text("utf-8")), "utf-8")
        code, output, crash = validate_cli(base)
        assert code == 0 and crash is None, output  # the mutations start from valid files
    for name, sop_id, text in cases:
        path = tmp_path / name / f"{sop_id}.yaml"
        path.parent.mkdir()
        path.write_text(text, "utf-8")
        code, output, crash = validate_cli(path)
        crashes += crash is not None
        assert_refused(code, output, crash, name)
        reported = {Path(os.path.realpath(m["path"])) for line in output.splitlines()
                    if (m := PROBLEM_LINE.match(line))}
        assert reported == {path.resolve()}, name
    FIGURES["malformed_generated"] = len(cases)
    FIGURES["crashes"] = FIGURES.get("crashes", 0) + crashes


def special_cases(tmp_path: Path) -> dict[str, Path]:
    sample = standalone((SOPS / "CS-COMP-002.yaml").read_text("utf-8"))
    made = {
        "bom": b"\xef\xbb\xbf" + sample.encode(),
        "not-utf8": sample.encode().replace(b"produk", b"pr\xffduk", 1),
        "long-line": sample.replace("title: Menangani keluhan produk rusak",
                                    "title: " + "sangat panjang " * 8000, 1).encode(),
        "deep-nesting": b"a: " + b"[" * 100_000 + b"]" * 100_000 + b"\n",
        "deep-mapping": b"".join(b"  " * i + b"k:\n" for i in range(5000)) + b"  " * 5000 + b"x\n",
        "huge-50mb": b"id: CS-COMP-002\ntitle: " + b"x" * (50 * 1024 * 1024) + b"\n",
        "yes-no-booleans": sample.replace("status: active", "status: yes", 1).encode(),
    }
    paths = {}
    for name, content in made.items():
        path = tmp_path / name / "CS-COMP-002.yaml"
        path.parent.mkdir()
        path.write_bytes(content)
        paths[name] = path
    return paths


def test_handwritten_and_special_cases_are_refused(tmp_path: Path) -> None:
    marker = Path("/tmp/sopkb-pwned")
    marker.unlink(missing_ok=True)
    cases = {path.stem: path for path in sorted(HANDWRITTEN.glob("*.yaml"))}
    cases.update(special_cases(tmp_path))
    for name, path in cases.items():
        code, output, crash = validate_cli(path)
        assert_refused(code, output, crash, name)
    assert not marker.exists()
    FIGURES["malformed_handwritten"] = len(cases)


@pytest.mark.parametrize("name", ["billion-laughs", "huge-50mb", "deep-nesting"])
def test_bombs_are_refused_quickly_in_bounded_memory(tmp_path: Path, name: str) -> None:
    path = (HANDWRITTEN / f"{name}.yaml") if name == "billion-laughs" \
        else special_cases(tmp_path)[name]
    started = time.monotonic()
    result = subprocess.run(
        ["bash", "-c", 'ulimit -v 1000000; exec "$@"', "_", str(BIN / "sopkb"), "validate",
         "--reference", "none", "--training", "none", str(path)],
        capture_output=True, text=True, timeout=60)
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert re.search(r"(alias|file-too-large|too-deep)\)$", result.stdout.strip())
    assert time.monotonic() - started < 60


def test_documented_decisions_for_ambiguous_yaml(tmp_path: Path) -> None:
    """YAML 1.1 booleans and numbers stay text; a number is accepted where text is expected."""
    text = standalone((SOPS / "CS-COMP-002.yaml").read_text("utf-8"))
    text = text.replace('version: "1.1"', "version: 1.1", 1).replace(
        "title: Menangani keluhan produk rusak", "title: NO", 1)
    path = tmp_path / "CS-COMP-002.yaml"
    path.write_text(text, "utf-8")
    catalog = load_catalog([path])
    assert catalog.problems == []
    assert catalog.sops[0].title == "NO" and catalog.sops[0].version == "1.1"


def test_null_and_booleans_are_read_as_documented(tmp_path: Path) -> None:
    from build_tools.source.document import load_text

    doc = load_text("a: null\nb: ~\nc:\nd: true\ne: False\nf: yes\ng: 'null'\nh: on\n", "x")
    assert doc.data == {"a": None, "b": None, "c": None, "d": True, "e": False, "f": "yes",
                        "g": "null", "h": "on"}


def _read(builder: type, text: str) -> tuple:
    from build_tools.source import builders
    from build_tools.source import document as yamlsource

    doc = yamlsource.Document("x.yaml")
    try:
        builder(doc).run(text)
    except builders.Refused as refused:
        return "refused", refused.rule, refused.mark.line, refused.mark.column
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        return "yaml", mark.line, mark.column
    return doc.data, doc.positions, doc.key_positions, doc.strings


def test_both_readers_give_the_same_data_and_positions() -> None:
    """Files without anchors, tags or document markers go through libyaml's composer (the
    quick path); every other file is built from parser events. On every SOP and every
    malformed file of the corpus both give the same data, positions and refusals."""
    from build_tools.source import builders

    texts = [text for _, _, text in corpus(SOPS)]
    texts += [path.read_text("utf-8") for path in sorted(SOPS.glob("*.yaml"))]
    texts += [path.read_bytes().decode("utf-8", "replace")
              for path in sorted(HANDWRITTEN.glob("*.yaml"))]
    quick = [text for text in texts if builders.composable(text)]
    assert len(quick) > 0.9 * len(texts)
    for text in quick:
        assert _read(builders.NodeBuilder, text) == _read(builders.EventBuilder, text)


def test_a_document_without_positions_holds_the_strings_reading_notes() -> None:
    """The checks of a past version run first on its data alone (no node positions): they
    see the same strings, in the same order, as on the file read whole."""
    from build_tools.source import document as yamlsource

    texts = [text for _, _, text in corpus(SOPS)]
    texts += [path.read_text("utf-8") for path in sorted(SOPS.glob("*.yaml"))]
    compared = 0
    for text in texts:
        whole = yamlsource.load_text(text, "x.yaml")
        if whole.data is None:
            continue
        unplaced = yamlsource.Document.unplaced("x.yaml", whole.data)
        assert unplaced.strings == whole.strings and not unplaced.positions
        compared += 1
    assert compared > 0.9 * len(texts)


def test_the_quick_reader_is_not_used_where_it_could_overflow_or_miss_a_refusal() -> None:
    from build_tools.source import builders
    from build_tools.source import document as yamlsource

    assert not builders.composable("a: " + "[" * 3000 + "]" * 3000)
    assert not builders.composable("a: &x 1\nb: *x\n")
    assert not builders.composable("a: !!python/object:os.system 1\n")
    assert not builders.composable("a: 1\n---\nb: 2\n")
    assert builders.composable("a: Sapa pelanggan [nama]! Terima kasih.\n")
    doc = yamlsource.load_text("a: *x\n", "x.yaml")  # alias with no anchor: quick path
    assert [problem.rule for problem in doc.problems] == ["alias"]


# --- random mutations never make the validator raise -------------------------------------------

SAMPLE = standalone((SOPS / "CS-COMP-002.yaml").read_text("utf-8"))
SAMPLE_DATA = yaml.safe_load(SAMPLE)
values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=30) | st.just("[[CS-COMP-001]]"),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8),
                                                                      children, max_size=3),
    max_leaves=8)


def _paths(data: object, prefix: tuple = ()) -> list[tuple]:
    found = [prefix]
    if isinstance(data, dict):
        for key, child in data.items():
            found.extend(_paths(child, (*prefix, key)))
    elif isinstance(data, list):
        for index, child in enumerate(data):
            found.extend(_paths(child, (*prefix, index)))
    return found


PATHS = _paths(SAMPLE_DATA)[1:]


@pytest.mark.slow
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.sampled_from(PATHS), st.booleans(), values), min_size=1,
                max_size=4))
def test_random_mutations_never_make_the_validator_raise(mutations: list) -> None:
    data = json.loads(json.dumps(SAMPLE_DATA, default=str))
    for path, delete, value in mutations:
        parent = data
        try:
            for part in path[:-1]:
                parent = parent[part]
            if delete:
                del parent[path[-1]]
            else:
                parent[path[-1]] = value
        except (KeyError, IndexError, TypeError):
            continue
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    folder = Path(os.environ.get("TMPDIR", "/tmp")) / f"sopkb-hypothesis-{os.getpid()}"
    folder.mkdir(exist_ok=True)
    path = folder / "CS-COMP-002.yaml"
    path.write_text(text, "utf-8")
    code, output, crash = validate_cli(path)
    assert crash is None, repr(crash)
    assert code in (0, 1)
    assert "Traceback" not in output
    FIGURES["random_mutations"] = FIGURES.get("random_mutations", 0) + 1
