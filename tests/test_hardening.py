"""Hardening: any input a writer or an attacker can put in a pull request gets a clear error
or safe output. Malformed corpora, random mutations, XSS payloads in a real browser, and
builds that fail, get killed or cannot write. Figures go to tests/output/hardening.json."""

from __future__ import annotations

import hashlib
import json
import os
import re
import signal
import subprocess
import time
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from build_tools.catalog import load_catalog
from build_tools.cli import main as cli
from conftest import BIN, OUTPUT, PROBLEM_LINE, ROOT, SOPS, serve
from corpus import corpus, standalone

HANDWRITTEN = ROOT / "tests" / "corpus" / "handwritten"
FIGURES: dict[str, int] = {}


@pytest.fixture(scope="module", autouse=True)
def figures():
    yield FIGURES
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


# --- malformed input -------------------------------------------------------------------------

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
        "not-utf8": sample.encode().replace("produk".encode(), b"pr\xffduk", 1),
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
    from build_tools.yamlsource import load_text

    doc = load_text("a: null\nb: ~\nc:\nd: true\ne: False\nf: yes\ng: 'null'\nh: on\n", "x")
    assert doc.data == {"a": None, "b": None, "c": None, "d": True, "e": False, "f": "yes",
                        "g": "null", "h": "on"}


def _read(builder: type, text: str) -> tuple:
    from build_tools import yamlsource

    doc = yamlsource.Document("x.yaml")
    try:
        builder(doc).run(text)
    except yamlsource._Refused as refused:
        return "refused", refused.rule, refused.mark.line, refused.mark.column
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        return "yaml", mark.line, mark.column
    return doc.data, doc.positions, doc.key_positions, doc.strings


def test_both_readers_give_the_same_data_and_positions() -> None:
    """Files without anchors, tags or document markers go through libyaml's composer (the
    quick path); every other file is built from parser events. On every SOP and every
    malformed file of the corpus both give the same data, positions and refusals."""
    from build_tools import yamlsource

    texts = [text for _, _, text in corpus(SOPS)]
    texts += [path.read_text("utf-8") for path in sorted(SOPS.glob("*.yaml"))]
    texts += [path.read_bytes().decode("utf-8", "replace")
              for path in sorted(HANDWRITTEN.glob("*.yaml"))]
    quick = [text for text in texts if yamlsource._composable(text)]
    assert len(quick) > 0.9 * len(texts)
    for text in quick:
        assert _read(yamlsource._NodeBuilder, text) == _read(yamlsource._EventBuilder, text)


def test_the_quick_reader_is_not_used_where_it_could_overflow_or_miss_a_refusal() -> None:
    from build_tools import yamlsource

    assert not yamlsource._composable("a: " + "[" * 3000 + "]" * 3000)
    assert not yamlsource._composable("a: &x 1\nb: *x\n")
    assert not yamlsource._composable("a: !!python/object:os.system 1\n")
    assert not yamlsource._composable("a: 1\n---\nb: 2\n")
    assert yamlsource._composable("a: Sapa pelanggan [nama]! Terima kasih.\n")
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


# --- safe output: XSS payloads in every text field, in a real browser -----------------------

PAYLOADS = [
    "<script>__pwned(1)</script> teks uji keamanan",
    "<img src=x onerror=__pwned(2)> teks uji keamanan",
    "[klik di sini](javascript:__pwned(3)) teks uji keamanan",
    "<svg onload=__pwned(4)></svg> teks uji keamanan",
    "![gambar](javascript:__pwned(5)) teks uji keamanan",
    "{{ 7*7 }} dan {% if true %}JINJA{% endif %} teks uji keamanan",
    '<a href="javascript:__pwned(7)">tautan</a> teks uji keamanan',
    "teks uji keamanan {: onclick=__pwned(8) }",
    '"><script>__pwned(9)</script> teks uji keamanan',
    "<iframe src=javascript:__pwned(10)></iframe> teks uji keamanan",
    "[tautan][r] teks uji keamanan [r]: javascript:__pwned(11)",
    "&lt;script&gt;__pwned(12)&lt;/script&gt; teks uji keamanan",
    "<details open ontoggle=__pwned(13)> teks uji keamanan",
    "[x](data:text/html,<script>__pwned(14)</script>) teks uji keamanan",
]
STRUCTURAL = {"id", "role", "status", "version", "channels", "within", "review_cycle",
              "last_reviewed", "metrics", "related", "tags", "date", "aliases", "channel"}


def _inject(data: object, counter: list[int], key: str = "") -> object:
    if isinstance(data, dict):
        return {k: (v if k in STRUCTURAL else _inject(v, counter, k)) for k, v in data.items()}
    if isinstance(data, list):
        return [_inject(item, counter, key) for item in data]
    if isinstance(data, str):
        counter[0] += 1
        return PAYLOADS[counter[0] % len(PAYLOADS)]
    return data


@pytest.fixture(scope="module")
def xss_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = tmp_path_factory.mktemp("xss")
    for name in ("docs", "sops", "reference", "search", "training"):
        subprocess.run(["cp", "-r", str(ROOT / name), str(project / name)], check=True)
    (project / "mkdocs.yml").write_text((ROOT / "mkdocs.yml").read_text("utf-8"), "utf-8")
    data = yaml.safe_load(standalone((SOPS / "CS-COMP-002.yaml").read_text("utf-8")))
    data = _inject(data, [0])
    data["id"] = "CS-XSS-001"
    data["history"] = [{"version": data["version"], "date": "2026-10-01",
                        "author": PAYLOADS[0], "summary": PAYLOADS[1]}]
    (project / "sops" / "CS-XSS-001.yaml").write_text(
        yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "utf-8")
    result = subprocess.run([str(BIN / "mkdocs"), "build", "--strict"], cwd=project,
                            capture_output=True, text=True, env={**os.environ,
                                                                 "NO_MKDOCS_2_WARNING": "1"})
    assert result.returncode == 0, result.stderr
    return project / "site"


def _visible(text: str) -> str:
    return " ".join(text.split())


def test_no_payload_executes_and_each_is_shown_as_text(page, xss_site: Path) -> None:
    url, server = serve(xss_site)
    hits: list = []
    page.expose_function("__pwned", lambda n: hits.append(n))
    page.on("dialog", lambda dialog: (hits.append(dialog.message), dialog.dismiss()))
    try:
        shown = ""
        for path in ("sop/cs-xss-001/", "sop/cs-xss-001/card/", "templates/", "roles/",
                     "changes/", "review-status/", "sop/"):
            page.goto(url + path, wait_until="networkidle")
            shown += " " + _visible(page.locator("article").inner_text())
            unsafe_links = 'article a[href^="javascript:"], article a[href^="data:"]'
            assert page.locator(unsafe_links).count() == 0
            active = ("article script, article iframe, article svg[onload], article [onerror], "
                      "article [onclick], article [ontoggle]")
            assert page.locator(active).count() == 0
            for link in page.locator("article a").all()[:200]:
                href = link.get_attribute("href") or ""
                assert not href.lower().startswith(("javascript", "data", "vbscript")), href
        page.goto(url + "sop/cs-xss-001/")
        page.fill(".sop-search__input", "keamanan")
        page.wait_for_selector(".sop-search__results:not([hidden]) .sop-search__result",
                               timeout=10_000)
        page.locator(".sop-search__result").first.hover()
        page.wait_for_timeout(300)
        visible_payloads = sum(_visible(p) in shown for p in PAYLOADS)
        assert "{{ 7*7 }}" in shown and "49" not in shown.split("{{ 7*7 }}")[0][-5:]
        assert visible_payloads == len(PAYLOADS), [p for p in PAYLOADS if _visible(p) not in shown]
        page.wait_for_timeout(500)
        assert hits == []
    finally:
        server.shutdown()
    FIGURES["xss_payloads"] = len(PAYLOADS)
    FIGURES["xss_payloads_executed"] = len(hits)


# --- safe builds -----------------------------------------------------------------------------

def _digest(site: Path) -> str:
    sha = hashlib.sha256()
    for path in sorted(site.rglob("*")):
        if path.is_file():
            sha.update(path.relative_to(site).as_posix().encode())
            sha.update(path.read_bytes())
    return sha.hexdigest()


def _build(project: Path, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([str(BIN / "mkdocs"), "build", "--strict", *args], cwd=project,
                          capture_output=True, text=True, timeout=300,
                          env={**os.environ, "NO_MKDOCS_2_WARNING": "1", **(env or {})})


def _leftovers(project: Path) -> list[str]:
    return [p.name for p in project.iterdir() if p.name.startswith(".site.")]


def test_a_failed_build_leaves_the_previous_site_untouched(project: Path) -> None:
    assert _build(project).returncode == 0
    before = _digest(project / "site")
    (project / "sops" / "CS-COMP-002.yaml").write_text("id: [\n", "utf-8")
    result = _build(project)
    assert result.returncode != 0 and "Traceback" not in result.stderr
    assert _digest(project / "site") == before
    assert _leftovers(project) == []


def test_a_strict_build_failing_on_a_warning_leaves_the_previous_site(project: Path) -> None:
    assert _build(project).returncode == 0
    before = _digest(project / "site")
    home = project / "docs" / "index.md"
    home.write_text(home.read_text("utf-8") + "\n[Broken](no-such-page.md)\n", "utf-8")
    result = _build(project)
    assert result.returncode != 0 and "no-such-page.md" in result.stderr
    assert "Traceback" not in result.stderr
    assert _digest(project / "site") == before
    assert _leftovers(project) == []
    assert _build(project, "--site-dir", "other").returncode != 0  # not strict-only: same
    assert not (project / "other").exists()


def test_two_builds_of_the_same_input_are_byte_identical(project: Path, tmp_path: Path) -> None:
    env = {"SOURCE_DATE_EPOCH": "1790000000"}
    assert _build(project, "--site-dir", str(tmp_path / "one"), env=env).returncode == 0
    assert _build(project, "--site-dir", str(tmp_path / "two"), env=env).returncode == 0
    assert _digest(tmp_path / "one") == _digest(tmp_path / "two")


def test_a_killed_build_leaves_the_old_site_or_the_new_one(project: Path) -> None:
    assert _build(project).returncode == 0
    old = _digest(project / "site")
    path = project / "sops" / "CS-CHAT-001.yaml"
    path.write_text(path.read_text("utf-8").replace("title: Melayani percakapan live chat",
                                                    "title: Versi baru", 1), "utf-8")
    expected = "Melayani percakapan live chat"  # the title in the site published last
    for delay in (0.5, 1.5, 3.0):
        process = subprocess.Popen([str(BIN / "mkdocs"), "build", "--strict"], cwd=project,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                   env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})
        time.sleep(delay)
        process.send_signal(signal.SIGKILL)
        process.wait()
        html = (project / "site" / "sop" / "cs-chat-001" / "index.html").read_text("utf-8")
        if _digest(project / "site") != old:  # then it must be the complete new site
            assert "Versi baru" in html
            assert (project / "site" / "pagefind" / "pagefind.js").is_file()
            old, expected = _digest(project / "site"), "Versi baru"
        else:
            assert expected in html
    assert _build(project).returncode == 0  # a later build cleans up and succeeds
    assert "Versi baru" in (project / "site" / "sop" / "cs-chat-001" / "index.html").read_text()


def test_an_unwritable_output_directory_is_a_clear_error(project: Path) -> None:
    result = _build(project, "--site-dir", "/proc/sopkb-site")
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert "cannot write the site next to /proc/sopkb-site" in result.stderr
