"""The writer's workflow: schema for editors, GitHub annotations, sopkb new / report /
check-links / diff, review cycles and history, the schema checks and validation's progress
and cache. The repository's hook and CI files: test_ci_files.py."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest
import yaml
from conftest import KB, ROOT, SOPS, mkdocs, problem_lines, sopkb
from jsonschema import Draft202012Validator
from markdown_it import MarkdownIt
from referencing import Registry, Resource

from build_tools.rules.schema import load_schema, schema_names
from build_tools.source.document import load_document

FIXTURES = sorted((ROOT / "tests" / "fixtures" / "invalid").glob("*.yaml"))


def editor_validator() -> Draft202012Validator:
    """The schema as an editor uses it: the file itself, references resolved by file name."""
    registry = Registry().with_resources(
        (name, Resource.from_contents(load_schema(name))) for name in schema_names())
    return Draft202012Validator(load_schema("sop.schema.json"), registry=registry)


def test_schema_accepts_every_shipped_sop() -> None:
    validator = editor_validator()
    for path in sorted(SOPS.glob("*.yaml")):
        errors = list(validator.iter_errors(load_document(path).data))
        assert errors == [], (path.name, [e.message for e in errors])


@pytest.mark.parametrize("path", FIXTURES, ids=[p.stem for p in FIXTURES])
def test_schema_and_validator_agree_on_invalid_fixtures(tmp_path: Path, path: Path) -> None:
    assert list(editor_validator().iter_errors(load_document(path).data)), "schema accepted it"
    result = sopkb("validate", "--reference", "none", str(path), cwd=ROOT)
    assert result.returncode == 1 and "Traceback" not in result.stderr


def test_every_sop_file_names_its_schema_for_editors() -> None:
    for path in [*SOPS.glob("*.yaml"), *(KB / "training").glob("*.yaml")]:
        first = path.read_text("utf-8").splitlines()[0]
        assert re.match(r"# yaml-language-server: \$schema=(\.\./)+build_tools/schema/\S+\.json$",
                        first), path
        assert (path.parent / first.split("=", 1)[1]).resolve().is_file()
    settings = (ROOT / ".vscode" / "settings.json").read_text("utf-8")
    assert '"./build_tools/schema/sop.schema.json": ["sops/*.yaml"' in settings


def test_github_format_points_at_the_same_lines(tmp_path: Path) -> None:
    text = sopkb("validate", "--reference", "none", *map(str, FIXTURES), cwd=ROOT)
    github = sopkb("validate", "--reference", "none", "--format", "github",
                   *map(str, FIXTURES), cwd=ROOT)
    assert github.returncode == 1
    parsed = [m.groups() for m in re.finditer(
        r"^::error file=([^,]+),line=(\d+),col=(\d+),title=([a-z-]+)::(.+)$",
        github.stdout, re.M)]
    expected = [(p["path"], p["line"], p["col"], p["rule"]) for p in problem_lines(text.stdout)]
    assert [g[:4] for g in parsed] == expected
    assert len(parsed) == len(github.stdout.splitlines()) >= len(FIXTURES)


# --- sopkb new -----------------------------------------------------------------------------

@pytest.mark.slow
def test_new_sop_is_refused_until_its_placeholders_are_filled(project: Path) -> None:
    made = sopkb("new", "--series", "CS-COMP", "--title", "Keluhan harga", "--owner",
                 "Kepala Layanan Pelanggan", "--channel", "email", "--channel", "live-chat",
                 "--today", "2026-11-01", cwd=project)
    assert made.returncode == 0, made.stderr
    path = project / "sops" / "CS-COMP-008.yaml"  # the next free id of the series
    assert path.is_file()
    refused = sopkb("validate", cwd=project)
    assert refused.returncode == 1
    problems = problem_lines(refused.stdout)
    assert problems and all(p["path"] == "sops/CS-COMP-008.yaml" for p in problems)
    assert {p["rule"] for p in problems} == {"placeholder"}
    lines = path.read_text("utf-8").splitlines()
    todo_lines = [n for n, line in enumerate(lines, 1)
                  if "TODO" in line and not line.lstrip().startswith("#")]
    assert len(problems) == len(todo_lines)
    for problem in problems:  # at the TODO, or at the `key: >` line of its folded block
        line = int(problem["line"])
        assert line in todo_lines or (line + 1 in todo_lines and lines[line - 1].endswith(">"))
    filled = re.sub(r"TODO[:]?[^\n]*", "Agen memastikan pelanggan mendapat jawaban yang jelas.",
                    path.read_text("utf-8"))
    path.write_text(filled, "utf-8")
    accepted = sopkb("validate", cwd=project)
    assert accepted.returncode == 0, accepted.stdout


def test_new_refuses_a_used_id_and_asks_nothing_without_a_terminal(project: Path) -> None:
    used = sopkb("new", "--id", "CS-COMP-002", "--title", "x", "--owner", "y",
                 "--channel", "email", cwd=project)
    assert used.returncode == 1 and "already used" in used.stderr
    missing = sopkb("new", "--id", "CS-COMP-099", "--channel", "email", cwd=project)
    assert missing.returncode == 2 and "missing --title" in missing.stderr
    assert not (project / "sops" / "CS-COMP-099.yaml").exists()


# --- review cycles and history -------------------------------------------------------------

def test_overdue_sop_warns_and_fails_only_with_strict_review(project: Path) -> None:
    plain = sopkb("validate", "--today", "2027-06-01", cwd=project)
    assert plain.returncode == 0
    warnings = problem_lines(plain.stdout)
    assert warnings and all(p["level"] == "warning" for p in warnings)
    assert any(p["path"] == "sops/CS-SOP-001.yaml" and p["rule"] == "overdue-review"
               for p in warnings)
    strict = sopkb("validate", "--strict-review", "--today", "2027-06-01", cwd=project)
    assert strict.returncode == 2


def test_report_lists_overdue_and_due_sops_by_owner(project: Path) -> None:
    result = sopkb("report", "--today", "2027-01-20", cwd=project)
    assert result.returncode == 0
    out = result.stdout
    assert "## Manajer Mutu Layanan" in out
    assert re.search(r"CS-SOP-001 .*: overdue since 2027-01-15 \(5 days\)", out)
    assert re.search(r"CS-ORDER-002 .*: due 2027-01-25 \(in 5 days\)", out)
    assert "CS-GREET-001" not in out  # next review 2027-07-01: not due yet


def test_history_must_start_with_the_current_version(project: Path) -> None:
    path = project / "sops" / "CS-COMP-002.yaml"
    path.write_text(path.read_text("utf-8").replace('version: "1.1"', 'version: "1.2"', 1),
                    "utf-8")
    result = sopkb("validate", cwd=project)
    [problem] = problem_lines(result.stdout)
    assert problem["rule"] == "history-version"
    path.write_text(path.read_text("utf-8").replace('version: "1.2"', 'version: "1.1"', 1)
                    .replace('  - version: "1.0"', '  - version: "1.5"', 1), "utf-8")
    [problem] = problem_lines(sopkb("validate", cwd=project).stdout)
    assert problem["rule"] == "history-order"


@pytest.mark.slow
def test_overdue_banner_review_page_and_recent_changes(project: Path) -> None:
    path = project / "sops" / "CS-CHAT-001.yaml"
    path.write_text(path.read_text("utf-8").replace("last_reviewed: 2026-09-15",
                                                    "last_reviewed: 2024-01-10", 1), "utf-8")
    result = mkdocs("build", "--strict", cwd=project)
    assert result.returncode == 0, result.stderr
    site = project / "site"
    chat = (site / "sop" / "cs-chat-001" / "index.html").read_text("utf-8")
    banner = re.search(r'<div class="sop-overdue[^"]*" data-next-review="([^"]+)"([^>]*)>', chat)
    assert banner and banner.group(1) == "2024-07-10" and "hidden" not in banner.group(2)
    assert "tanyakan kepada Koordinator Kanal Digital" in chat
    email = (site / "sop" / "cs-email-001" / "index.html").read_text("utf-8")
    assert re.search(r'class="sop-overdue[^"]*" data-next-review="2027-03-01" '
                     r'data-time-zone="Asia/Jakarta" hidden', email)
    review = (site / "review-status" / "index.html").read_text("utf-8")
    assert review.index('id="overdue"') < review.index("cs-chat-001")
    changes = (site / "changes" / "index.html").read_text("utf-8")
    rows = re.findall(r"<td>(\d{4}-\d{2}-\d{2})</td>", changes)
    assert rows == sorted(rows, reverse=True) and len(rows) >= 18
    assert "Target balasan pertama diperketat" in changes


# --- link stability and change summary against a git ref ----------------------------------

def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True)


@pytest.fixture
def repo(project: Path) -> Path:
    git(project, "init", "-q", "-b", "main")
    git(project, "-c", "user.name=t", "-c", "user.email=t@example.invalid", "add", "sops")
    git(project, "-c", "user.name=t", "-c", "user.email=t@example.invalid",
        "commit", "-q", "-m", "base")
    return project


def edit(repo: Path, name: str, old: str, new: str) -> None:
    path = repo / "sops" / name
    text = path.read_text("utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), "utf-8")


@pytest.mark.slow
def test_check_links_fails_on_a_renamed_step_until_it_is_aliased(repo: Path) -> None:
    assert sopkb("check-links", "--base", "main", cwd=repo).returncode == 0
    edit(repo, "CS-COMP-002.yaml", "  - id: minta-bukti\n", "  - id: minta-foto-video\n")
    lost = sopkb("check-links", "--base", "main", cwd=repo)
    assert lost.returncode == 1
    assert lost.stdout.startswith("sop/cs-comp-002/#minta-bukti is lost")
    assert "'aliases'" in lost.stdout
    edit(repo, "CS-COMP-002.yaml", "  - id: minta-foto-video\n",
         "  - id: minta-foto-video\n    aliases: [minta-bukti]\n")
    assert sopkb("check-links", "--base", "main", cwd=repo).returncode == 0
    assert mkdocs("build", "--strict", cwd=repo).returncode == 0


def test_check_links_fails_on_a_changed_sop_id_until_it_is_aliased(repo: Path) -> None:
    edit(repo, "CS-COMP-007.yaml", "id: CS-COMP-007", "id: CS-COMP-017")
    for other in ("CS-COMP-001.yaml", "CS-ORDER-001.yaml"):
        edit(repo, other, "CS-COMP-007", "CS-COMP-017")
    lost = sopkb("check-links", "--base", "main", cwd=repo)
    assert lost.returncode == 1 and "sop/cs-comp-007/ is lost" in lost.stdout
    edit(repo, "CS-COMP-007.yaml", "id: CS-COMP-017", "id: CS-COMP-017\naliases: [CS-COMP-007]")
    assert sopkb("check-links", "--base", "main", cwd=repo).returncode == 0
    # Merged, the former id is published (its redirect): dropping it later loses that URL
    # (an attacker's read found check-links passing, and the redirect gone).
    git(repo, "add", "-A")
    git(repo, "-c", "user.name=t", "-c", "user.email=t@example.invalid",
        "commit", "-q", "-m", "renamed")
    edit(repo, "CS-COMP-007.yaml", "\naliases: [CS-COMP-007]", "")
    dropped = sopkb("check-links", "--base", "main", cwd=repo)
    assert dropped.returncode == 1
    assert dropped.stdout == ("sop/cs-comp-007/ is lost: CS-COMP-017's former id 'CS-COMP-007' "
                              "is under no SOP's 'aliases' any more, and its redirect is "
                              "gone; keep it there\n")
    # Nor may it move to another SOP, or be taken as another SOP's id: the old links
    # would open a procedure they never named.
    edit(repo, "CS-COMP-001.yaml", "id: CS-COMP-001", "id: CS-COMP-001\naliases: [CS-COMP-007]")
    moved = sopkb("check-links", "--base", "main", cwd=repo)
    assert moved.returncode == 1
    assert moved.stdout.startswith("sop/cs-comp-007/ is lost: it led to CS-COMP-017, and "
                                   "would now open CS-COMP-001 "), moved.stdout


def test_check_links_with_an_unknown_ref_is_a_clear_error(repo: Path) -> None:
    result = sopkb("check-links", "--base", "no-such-branch", cwd=repo)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("Error: cannot read sops at no-such-branch")


def test_diff_names_target_time_and_step_changes(repo: Path) -> None:
    edit(repo, "CS-COMP-002.yaml", "    within: 1h\n    details: >\n      Balasan pertama",
         "    within: 2h\n    details: >\n      Balasan pertama")
    path = repo / "sops" / "CS-COMP-002.yaml"
    text = path.read_text("utf-8")
    start = text.index("  - id: atur-perbaikan")
    end = text.index("  - id: tindak-lanjut")
    path.write_text(text[:start] + text[end:], "utf-8")
    edit(repo, "CS-SOCMED-001.yaml", "review_cycle: 3 months", "review_cycle: 6 months")
    result = sopkb("diff", "main", cwd=repo)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert out.startswith("## Ringkasan perubahan SOP sejak main")
    assert "### CS-COMP-002 — Menangani keluhan produk rusak" in out
    assert "- Target waktu `balas-laporan`: 1 jam → 2 jam" in out
    assert "- Langkah dihapus: `atur-perbaikan` — Atur pengiriman ke pusat perbaikan" in out
    assert "- Siklus tinjauan: 3 months → 6 months" in out
    assert "CS-CHAT-001" not in out
    english = sopkb("diff", "main", "--language", "en", cwd=repo).stdout
    assert "- Target time `balas-laporan`: 1 hr → 2 hr" in english


def test_diff_names_edits_of_the_record(repo: Path) -> None:
    """An attacker's read found ``sopkb diff`` silent on a history entry edited (which
    version applied on a past day hangs on it): each edit is a line of the summary."""
    edit(repo, "CS-COMP-007.yaml", '  - version: "1.0"\n    date: 2026-06-01\n',
         '  - version: "1.0"\n    date: 2026-06-01\n    effective: 2026-07-01\n')
    edit(repo, "CS-COMP-007.yaml", "summary: Versi pertama SOP ini diterbitkan di basis "
         "pengetahuan.", "summary: Versi pertama SOP ini diterbitkan di basis pengetahuan.\n"
         '  - version: "0.9"\n    date: 2025-01-01\n    author: Direktur Utama\n'
         "    summary: Disetujui direksi.")
    out = sopkb("diff", "main", cwd=repo).stdout
    assert "### CS-COMP-007" in out, out
    assert "- Riwayat versi 1.0 diubah: effective — → effective 2026-07-01" in out, out
    assert "- Riwayat versi 0.9 ditambahkan, padahal versi itu lebih lama dari yang sudah ada: " \
        "Disetujui direksi." in out, out


def test_no_value_opens_markdown_that_hides_the_rest_of_the_summary(repo: Path) -> None:
    """A second attacker's read: a history entry's summary ending in a line '<!--' (a
    multi-line text) opened an HTML comment in the job summary, hiding a target time
    changed in another SOP after it. Every line of the summary is one line, '<' an
    entity."""
    edit(repo, "CS-COMP-007.yaml", "summary: Versi pertama SOP ini diterbitkan di basis "
         "pengetahuan.", 'summary: "Versi pertama.\\n<!--"')
    edit(repo, "CS-COMP-002.yaml", "    within: 1d\n", "    within: 5d\n")
    out = sopkb("diff", "main", cwd=repo).stdout
    assert "<!--" not in out and "&lt;!--" in out, out
    rendered = MarkdownIt().render(out)
    assert "5 hari" in rendered and "<!--" not in rendered, rendered


# --- the schema checks and validation's progress and cache ---------------------------------

@pytest.mark.slow
def test_fast_and_full_schema_checks_agree() -> None:
    """The compiled check decides validity; jsonschema explains errors. They must agree."""
    from corpus import corpus

    from build_tools.rules.schema import fast_check, is_valid

    assert fast_check("sop.schema.json") is not None
    validator = editor_validator()
    samples = [load_document(path).data for path in [*SOPS.glob("*.yaml"), *FIXTURES]]
    samples += [yaml.safe_load(text) for _, _, text in corpus(SOPS)[::7]
                if isinstance(_safe(text), dict)]
    assert len(samples) > 100
    for data in samples:
        data = json.loads(json.dumps(data, default=str))
        assert is_valid(data) == validator.is_valid(data)


def _safe(text: str) -> object:
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError:
        return None


def test_validation_reports_progress_file_by_file() -> None:
    from build_tools.rules.catalog import load_catalog

    calls: list[tuple[int, int]] = []
    catalog = load_catalog([SOPS], progress=lambda done, total: calls.append((done, total)))
    total = len(catalog.documents)
    assert calls == [(done, total) for done in range(1, total + 1)]


def test_unchanged_files_are_not_checked_again(tmp_path: Path) -> None:
    from build_tools.rules.catalog import FileCache, load_catalog

    for path in SOPS.glob("*.yaml"):
        (tmp_path / path.name).write_bytes(path.read_bytes())
    cache = FileCache()
    first = load_catalog([tmp_path], cache=cache)
    assert not first.errors
    edited = tmp_path / "CS-COMP-001.yaml"
    edited.write_text(edited.read_text("utf-8").replace("purpose: ", "purpose: [\n", 1), "utf-8")
    second = load_catalog([tmp_path], cache=cache)
    kept = second.by_id()
    assert len(kept) >= 5  # the SOPs that do not name CS-COMP-001: loaded once, reused
    assert all(sop is first.by_id()[sop_id] for sop_id, sop in kept.items())
    assert "CS-COMP-001" not in second.by_id()  # the edit broke it, and that is seen
    assert any(p.path.endswith("CS-COMP-001.yaml") for p in second.errors)


#: Keywords whose meaning is the same in draft-07 (what fastjsonschema compiles) and in
#: 2020-12 (the schemas' own draft, what jsonschema and editors run), for the way the
#: schemas use them; references are inlined before compiling (rules/schema.py).
SAME_IN_BOTH_DRAFTS = {
    "$schema", "$id", "$defs", "$ref", "$comment", "title", "description",
    "markdownDescription", "examples", "default", "x-message", "type", "properties",
    "required", "additionalProperties", "items", "minItems", "maxItems", "uniqueItems",
    "minLength", "maxLength", "pattern", "enum", "const", "propertyNames", "allOf", "anyOf",
    "oneOf", "not", "minimum", "maximum", "patternProperties",
}
_SUBSCHEMA_MAPS = ("properties", "$defs", "patternProperties")
_SUBSCHEMAS = ("items", "additionalProperties", "propertyNames", "not", "if", "then", "else",
               "contains")
_SUBSCHEMA_LISTS = ("allOf", "anyOf", "oneOf", "prefixItems")


def schema_keywords(schema: object) -> set[str]:
    """Every keyword used anywhere in ``schema`` (walking subschemas, not data)."""
    if not isinstance(schema, dict):
        return set()
    found = set(schema)
    for key in _SUBSCHEMA_MAPS:
        for sub in (schema.get(key) or {}).values():
            found |= schema_keywords(sub)
    for key in _SUBSCHEMAS:
        found |= schema_keywords(schema.get(key))
    for key in _SUBSCHEMA_LISTS:
        for sub in schema.get(key) or []:
            found |= schema_keywords(sub)
    return found


def test_the_fast_check_is_trusted_only_for_keywords_both_drafts_read_alike() -> None:
    """A keyword added to a schema later (one the two drafts read differently, or one
    fastjsonschema would silently ignore) fails this test until it is checked and listed."""

    for name in schema_names():
        schema = load_schema(name)
        unknown = schema_keywords(schema) - SAME_IN_BOTH_DRAFTS
        assert unknown == set(), (name, unknown)
        arrays = [node for node in _walk(schema) if isinstance(node.get("items"), list)]
        assert arrays == [], "tuple 'items' means different things in the two drafts"
    mutated = json.loads(json.dumps(load_schema("sop.schema.json")))
    mutated["$defs"]["duration"]["dependentRequired"] = {}
    assert schema_keywords(mutated) - SAME_IN_BOTH_DRAFTS == {"dependentRequired"}


def _walk(schema: object) -> list[dict]:
    if not isinstance(schema, dict):
        return []
    nodes = [schema]
    for value in schema.values():
        if isinstance(value, dict):
            nodes += _walk(value)
        elif isinstance(value, list):
            for item in value:
                nodes += _walk(item)
    return nodes
