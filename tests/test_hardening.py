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
from conftest import BIN, KB, OUTPUT, PROBLEM_LINE, ROOT, SOPS, serve
from corpus import corpus, standalone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from build_tools.cli.main import main as cli
from build_tools.rules.catalog import load_catalog

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


#: A title that closes <title>, opens a script and an image with a handler: the SOP that has
#: it is linked from other SOPs ([[ID]], [[ID#step]], related), listed on every listing
#: page, named in reference and training files, and shown in search.
HOSTILE_TITLE = "</title><script>__pwned(20)</script><img src=x onerror=__pwned(21)> Keluhan"
HOSTILE_CATEGORY = "<svg onload=__pwned(22)> Kategori"


def _hostile_reference(project: Path) -> None:
    """Payloads in the reference, training and synonym files, which pages print too."""
    reference = project / "reference"
    complaints = yaml.safe_load((reference / "complaint-types.yaml").read_text("utf-8"))
    for index, group in enumerate(("complaint_types", "complainer_types")):
        entry = complaints[group][0]
        entry["name"] = PAYLOADS[(index + 1) % len(PAYLOADS)].replace("\n", " ")
        entry["description"], entry["handling"] = PAYLOADS[3], PAYLOADS[index + 6]
        entry["sops"] = [*entry["sops"], "CS-XSS-001"]
    channels = yaml.safe_load((reference / "channels.yaml").read_text("utf-8"))
    for index, channel in enumerate(channels["channels"].values()):
        channel["description"] = PAYLOADS[index % len(PAYLOADS)]
        channel["strengths"] = [PAYLOADS[(index + 1) % len(PAYLOADS)]]
    metrics = yaml.safe_load((reference / "metrics.yaml").read_text("utf-8"))
    for index, metric in enumerate(metrics["metrics"].values()):
        metric["meaning"], metric["formula"] = PAYLOADS[index % 14], PAYLOADS[(index + 5) % 14]
    training = {"id": "xss", "title": HOSTILE_TITLE, "goal": PAYLOADS[1],
                "audience": PAYLOADS[2],
                "items": [{"sop": "CS-XSS-001", "goal": PAYLOADS[4]},
                          {"sop": "CS-XSS-001", "step": "minta-bukti", "goal": PAYLOADS[5]}]}
    synonyms = yaml.safe_load((project / "search" / "synonyms.yaml").read_text("utf-8"))
    synonyms["groups"].append(["<img src=x onerror=__pwned(30)>", "keamanan uji"])
    for path, data in ((reference / "complaint-types.yaml", complaints),
                       (reference / "channels.yaml", channels),
                       (reference / "metrics.yaml", metrics),
                       (project / "training" / "xss.yaml", training),
                       (project / "search" / "synonyms.yaml", synonyms)):
        path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "utf-8")


def hostile_project(project: Path) -> Path:
    """The fixture knowledge base with payloads wherever a pull request can put text."""
    data = yaml.safe_load(standalone((SOPS / "CS-COMP-002.yaml").read_text("utf-8")))
    data = _inject(data, [0])
    data.update(id="CS-XSS-001", title=HOSTILE_TITLE, category=HOSTILE_CATEGORY)
    data["history"] = [{"version": data["version"], "date": "2026-10-01",
                        "author": PAYLOADS[0], "summary": PAYLOADS[1]}]
    (project / "sops" / "CS-XSS-001.yaml").write_text(
        yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "utf-8")
    owners_file = project / "reference" / "owners.yaml"
    owners = yaml.safe_load(owners_file.read_text("utf-8"))
    for owner in (data["owner"], data["maintenance"]["owner"]):  # hostile owners, approved too
        owners["owners"][owner] = ["@example/security"]
    owners_file.write_text(yaml.safe_dump(owners, allow_unicode=True, sort_keys=False), "utf-8")
    linking = project / "sops" / "CS-COMP-001.yaml"
    linking_data = yaml.safe_load(linking.read_text("utf-8"))
    linking_data["related"] = [*linking_data.get("related", []), "CS-XSS-001"]
    linking_data["procedure"][0]["details"] = (
        "Lihat [[CS-XSS-001]] dan langkah [[CS-XSS-001#minta-bukti]] sebelum membalas.")
    linking.write_text(yaml.safe_dump(linking_data, allow_unicode=True, sort_keys=False),
                       "utf-8")
    _hostile_reference(project)
    return project


@pytest.fixture(scope="module")
def xss_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = tmp_path_factory.mktemp("xss")
    for name in ("docs", "sops", "reference", "search", "training"):
        subprocess.run(["cp", "-r", str(KB / name), str(project / name)], check=True)
    (project / "mkdocs.yml").write_text((KB / "mkdocs.yml").read_text("utf-8"), "utf-8")
    hostile_project(project)
    result = subprocess.run([str(BIN / "mkdocs"), "build", "--strict"], cwd=project,
                            capture_output=True, text=True, env={**os.environ,
                                                                 "NO_MKDOCS_2_WARNING": "1"})
    assert result.returncode == 0, result.stderr
    return project / "site"


def _visible(text: str) -> str:
    return " ".join(text.split())


def site_pages(site: Path) -> list[str]:
    """The URL path of every HTML page of a built site (redirect pages and 404 included)."""
    pages = []
    for path in sorted(site.rglob("*.html")):
        relative = path.relative_to(site).as_posix()
        if relative.startswith(("pagefind/", "assets/")):
            continue
        pages.append(relative.removesuffix("index.html"))
    return pages


WATCH = """
window.__violations = [];
document.addEventListener('securitypolicyviolation', event => {
  window.__violations.push(event.violatedDirective + ' ' + event.blockedURI);
});
"""
ACTIVE = ("script:not([src]):not([type='application/json']), iframe, object, embed, "
          "[onerror], [onload], [onclick], [ontoggle], [onmouseover], "
          "a[href^='javascript:' i], a[href^='data:' i], img:not([src^='data:'])")


def test_no_payload_runs_on_any_page_and_each_is_shown_as_text(page, xss_site: Path) -> None:
    """Payloads in every text field, in a title other SOPs link to, in reference, training
    and synonym files: every page of the built site is opened; nothing runs, nothing of
    theirs becomes an element, no Content-Security-Policy violation occurs."""
    url, server = serve(xss_site)
    hits: list = []
    page.expose_function("__pwned", lambda n: hits.append(n))
    page.on("dialog", lambda dialog: (hits.append(dialog.message), dialog.dismiss()))
    page.add_init_script(WATCH)
    violations: dict[str, list[str]] = {}
    pages = site_pages(xss_site)
    try:
        shown = ""
        for path in pages:
            page.goto(url + path, wait_until="networkidle")
            if page.locator("article").count():
                shown += " " + _visible(page.locator("article").inner_text())
                found = page.locator(f":is({ACTIVE})").evaluate_all(
                    "els => els.filter(e => e.closest('article')).map(e => e.outerHTML)")
                assert found == [], (path, found)
            if page.evaluate("window.__violations.length"):
                violations[path] = page.evaluate("window.__violations")
        page.goto(url + "sop/cs-xss-001/")
        page.fill(".sop-search__input", "keamanan")
        page.wait_for_selector(".sop-search__results:not([hidden]) .sop-search__result",
                               timeout=10_000)
        page.locator(".sop-search__result").first.hover()
        page.wait_for_timeout(500)
        assert page.locator(".sop-search__results :is(script, img, svg, iframe)").count() == 0
        missing = [p for p in PAYLOADS if _visible(p) not in shown]
        assert missing == []
        linking = (xss_site / "sop" / "cs-comp-001" / "index.html").read_text("utf-8")
        assert linking.count('class="sop-link"') == 2
        assert _visible(HOSTILE_TITLE) in shown
        assert "{{ 7*7 }}" in shown and "49" not in shown.split("{{ 7*7 }}")[0][-5:]
        assert hits == []
        assert violations == {}
    finally:
        server.shutdown()
    FIGURES["xss_payloads"] = len(PAYLOADS) + 2
    FIGURES["xss_pages_opened"] = len(pages)
    FIGURES["xss_payloads_executed"] = len(hits)
    FIGURES["csp_violations"] = sum(map(len, violations.values()))


def test_the_policy_blocks_an_injected_inline_handler(page, site_url: str) -> None:
    """Were the sanitizer to miss something, the page's policy still stops it: an inline
    handler or script put into the page does not run, and the browser reports the block."""
    page.add_init_script(WATCH)
    page.goto(site_url + "sop/cs-comp-002/", wait_until="networkidle")
    assert page.evaluate("window.__violations") == []
    page.evaluate("""() => {
        document.body.insertAdjacentHTML('beforeend',
          '<img src="x" onerror="window.__ran = 1">' +
          '<a id="j" href="javascript:window.__ran=2">j</a>');
        const script = document.createElement('script');
        script.textContent = 'window.__ran = 3';
        document.body.appendChild(script);
        document.getElementById('j').click();
    }""")
    page.wait_for_timeout(500)
    assert page.evaluate("window.__ran") is None
    blocked = page.evaluate("window.__violations")
    assert any(line.startswith("script-src-attr") for line in blocked), blocked
    assert any(line.startswith("script-src-elem") for line in blocked), blocked
    policy = page.locator('meta[http-equiv="Content-Security-Policy"]').get_attribute("content")
    assert "'unsafe-inline'" not in policy.split("script-src")[1].split(";")[0]


# --- safe builds -----------------------------------------------------------------------------

def _digest(site: Path) -> str:
    sha = hashlib.sha256()
    for path in sorted(site.rglob("*")):
        if path.is_file():
            sha.update(path.relative_to(site).as_posix().encode())
            sha.update(path.read_bytes())
    return sha.hexdigest()


def _build(project: Path, *args: str, env: dict | None = None,
           generator: str = "mkdocs") -> subprocess.CompletedProcess:
    return subprocess.run([str(BIN / generator), "build", "--strict", *args], cwd=project,
                          capture_output=True, text=True, timeout=300,
                          env={**os.environ, "NO_MKDOCS_2_WARNING": "1", **(env or {})})


def _leftovers(project: Path) -> list[str]:
    return [p.name for p in project.iterdir() if p.name.startswith(".site.")]


#: The site's two build paths (tests/test_properdocs.py): MkDocs and ProperDocs.
GENERATORS = ["mkdocs", "properdocs"]


@pytest.mark.slow
@pytest.mark.parametrize("generator", GENERATORS)
def test_a_failed_build_leaves_the_previous_site_untouched(project: Path,
                                                           generator: str) -> None:
    assert _build(project, generator=generator).returncode == 0
    before = _digest(project / "site")
    (project / "sops" / "CS-COMP-002.yaml").write_text("id: [\n", "utf-8")
    result = _build(project, generator=generator)
    assert result.returncode != 0 and "Traceback" not in result.stderr
    assert _digest(project / "site") == before
    assert _leftovers(project) == []


@pytest.mark.slow
@pytest.mark.parametrize("generator", GENERATORS)
def test_a_strict_build_failing_on_a_warning_leaves_the_previous_site(project: Path,
                                                                      generator: str) -> None:
    """The warning is the generator's own (a broken link), which ProperDocs logs under its
    name, not MkDocs'."""
    assert _build(project, generator=generator).returncode == 0
    before = _digest(project / "site")
    home = project / "docs" / "index.md"
    home.write_text(home.read_text("utf-8") + "\n[Broken](no-such-page.md)\n", "utf-8")
    result = _build(project, generator=generator)
    assert result.returncode != 0 and "no-such-page.md" in result.stderr
    assert "Traceback" not in result.stderr
    assert _digest(project / "site") == before
    assert _leftovers(project) == []
    result = _build(project, "--site-dir", "other", generator=generator)
    assert result.returncode != 0  # not strict-only: same
    assert not (project / "other").exists()


def _in_parts(project: Path, pages: int = 6, timeout: float | None = None) -> None:
    """Index the project's site in Pagefind indexes of ``pages`` pages (several parts)."""
    extra = f"      search_pages_per_index: {pages}\n"
    if timeout is not None:
        extra += f"      search_timeout: {timeout:g}\n"
    config = project / "mkdocs.yml"
    config.write_text(config.read_text("utf-8").replace(
        "      sops_dir: sops\n", "      sops_dir: sops\n" + extra, 1), "utf-8")


@pytest.mark.slow
@pytest.mark.parametrize("parts", [False, True], ids=["one-index", "index-in-parts"])
def test_two_builds_of_the_same_input_are_byte_identical(project: Path, tmp_path: Path,
                                                         parts: bool) -> None:
    """Also when the search index is made in parts, the next part taking its pages while
    the previous one writes its bundle."""
    if parts:
        _in_parts(project)
    env = {"SOURCE_DATE_EPOCH": "1790000000"}
    assert _build(project, "--site-dir", str(tmp_path / "one"), env=env).returncode == 0
    assert _build(project, "--site-dir", str(tmp_path / "two"), env=env).returncode == 0
    assert _digest(tmp_path / "one") == _digest(tmp_path / "two")


def test_an_unwritable_output_directory_is_a_clear_error(project: Path) -> None:
    result = _build(project, "--site-dir", "/proc/sopkb-site")
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert "cannot write the site next to /proc/sopkb-site" in result.stderr


# --- faults: the indexer dies, talks nonsense or hangs; the disk fills; the build is killed --

FAKE_PAGEFIND = ROOT / "tests" / "tools" / "fake_pagefind.py"


def _served(site: Path, path: str = "sop/cs-comp-002/") -> str:
    """A page of ``site`` as a browser would get it from a web server."""
    import urllib.request

    url, server = serve(site)
    try:
        with urllib.request.urlopen(url + path, timeout=10) as response:
            assert response.status == 200
            return response.read().decode("utf-8")
    finally:
        server.shutdown()


def _one_clear_error(result: subprocess.CompletedProcess, *words: str) -> None:
    assert result.returncode != 0
    assert "Traceback" not in result.stderr, result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("ERROR")]
    assert errors, result.stderr
    assert all(word in result.stderr for word in words), result.stderr


@pytest.mark.slow
@pytest.mark.parametrize("fault, words", [
    ("die", ("Pagefind stopped",)),
    ("garbage", ("Pagefind's output could not be read",)),
    ("hang", ("Pagefind did not answer within 3 s",)),
])
def test_an_indexer_fault_fails_the_build_with_one_line(project: Path, fault: str,
                                                        words: tuple[str, ...]) -> None:
    """Pagefind killed mid-build, printing what is not its protocol, or never answering:
    the build ends (within the configured timeout) with a one-line error, and the site
    published before is intact and served."""
    assert _build(project).returncode == 0
    before = _digest(project / "site")
    config = project / "mkdocs.yml"
    config.write_text(config.read_text("utf-8").replace(
        "      sops_dir: sops\n", "      sops_dir: sops\n      search_timeout: 3\n", 1), "utf-8")
    started = time.monotonic()
    result = _build(project, env={"PAGEFIND_BINARY_PATH": str(FAKE_PAGEFIND),
                                  "FAKE_PAGEFIND": fault})
    assert time.monotonic() - started < 60
    _one_clear_error(result, *words)
    assert _digest(project / "site") == before
    assert _leftovers(project) == []
    assert "<article" in _served(project / "site")
    FIGURES[f"fault_indexer_{fault}"] = 1


@pytest.mark.slow
@pytest.mark.parametrize("fault, words", [
    ("die", ("Pagefind stopped",)),
    ("hang", ("Pagefind did not answer within 3 s",)),
])
def test_a_fault_in_a_later_part_of_the_index_fails_the_build_with_one_line(
        project: Path, tmp_path: Path, fault: str, words: tuple[str, ...]) -> None:
    """An index made in parts: the first two Pagefinds work, the third (taking its pages
    while the second writes) fails. One line, the published site intact, nothing left."""
    from pagefind.service import get_executable

    assert _build(project).returncode == 0
    before = _digest(project / "site")
    _in_parts(project, timeout=3)
    counter = tmp_path / "runs"
    started = time.monotonic()
    result = _build(project, env={
        "PAGEFIND_BINARY_PATH": str(FAKE_PAGEFIND), "FAKE_PAGEFIND": fault,
        "FAKE_PAGEFIND_REAL": str(get_executable()), "FAKE_PAGEFIND_COUNT": str(counter),
        "FAKE_PAGEFIND_GOOD": "2"})
    assert time.monotonic() - started < 60
    _one_clear_error(result, *words)
    assert counter.read_text() == "xxx"  # two good runs, then the faulty one; no more
    assert _digest(project / "site") == before
    assert _leftovers(project) == []
    assert "<article" in _served(project / "site")


@pytest.fixture
def small_disk(tmp_path: Path):
    """A 12 MB file system of its own (tmpfs, mounted as root, as in CI)."""
    mount = tmp_path / "disk"
    mount.mkdir()
    result = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=12m", "tmpfs", str(mount)],
                            capture_output=True, text=True)
    if result.returncode != 0:
        message = f"cannot mount a tmpfs: {result.stderr.strip()}"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    yield mount
    subprocess.run(["umount", "-l", str(mount)], check=False)


@pytest.mark.slow
def test_a_full_disk_fails_the_build_cleanly_and_keeps_the_site(project: Path,
                                                                small_disk: Path) -> None:
    """With the site on a small disk: a disk too full for a second copy is refused before
    building; one that fills up during the build fails it; either way with a clear error,
    the previous site intact and served, no staging folder left."""
    site = small_disk / "site"
    config = project / "mkdocs.yml"
    config.write_text(config.read_text("utf-8").replace(
        "      sops_dir: sops\n", "      sops_dir: sops\n      min_free_mb: 1\n", 1), "utf-8")
    assert _build(project, "--site-dir", str(site)).returncode == 0
    before = _digest(site)
    free = os.statvfs(small_disk).f_bavail * os.statvfs(small_disk).f_frsize
    filler = small_disk / "filler"
    # Room for less than a second copy of the site: refused before anything is built.
    filler.write_bytes(b"\0" * (free - 2 * 1024 * 1024))
    result = _build(project, "--site-dir", str(site))
    _one_clear_error(result, "not enough free disk space")
    assert _digest(site) == before and "<article" in _served(site)
    # Room for the check, not for the site: the disk fills during the build.
    filler.unlink()
    size = sum(p.stat().st_size for p in site.rglob("*") if p.is_file())
    free = os.statvfs(small_disk).f_bavail * os.statvfs(small_disk).f_frsize
    filler.write_bytes(b"\0" * (free - size - 64 * 1024))
    result = _build(project, "--site-dir", str(site))
    _one_clear_error(result, "cannot write the site: No space left on device")
    assert _digest(site) == before and "<article" in _served(site)
    assert sorted(p.name for p in small_disk.iterdir()) == ["filler", "site"]
    FIGURES["fault_disk_full"] = 2


@pytest.mark.slow
def test_builds_killed_at_random_points_leave_a_whole_site(project: Path) -> None:
    """SIGKILL at random moments of a build: the site is always the old one or the new
    one, whole, and served; the next build removes the staging folders left behind."""
    import random

    started = time.monotonic()
    assert _build(project).returncode == 0
    duration = time.monotonic() - started
    old = _digest(project / "site")
    path = project / "sops" / "CS-CHAT-001.yaml"
    path.write_text(path.read_text("utf-8").replace("title: Melayani percakapan live chat",
                                                    "title: Versi baru", 1), "utf-8")
    # Moments spread over a whole build (as long as the first one took), and one after it.
    moments = random.Random(15)
    delays = [*sorted(moments.uniform(0.05, 0.95) * duration for _ in range(6)),
              duration * 1.5]
    left_behind = 0
    for delay in delays:
        process = subprocess.Popen([str(BIN / "mkdocs"), "build", "--strict"], cwd=project,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                   env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})
        time.sleep(delay)
        process.send_signal(signal.SIGKILL)
        process.wait()
        left_behind += len(_leftovers(project))
        now = _digest(project / "site")
        html = _served(project / "site", "sop/cs-chat-001/")
        assert now == old or ("Versi baru" in html and
                              (project / "site" / "pagefind" / "pagefind.js").is_file())
        old = now
    result = _build(project)
    assert result.returncode == 0, result.stderr
    assert _leftovers(project) == []
    assert "Versi baru" in _served(project / "site", "sop/cs-chat-001/")
    assert left_behind > 0  # some kills did fall mid-build
    FIGURES["fault_build_killed"] = len(delays)
    FIGURES["fault_staging_left_then_removed"] = left_behind


def test_a_failed_reindex_under_serve_is_one_line_and_the_next_rebuild_indexes(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from build_tools.search import index as search_index

    calls: list[int] = []

    def flaky(*args: object, timeout: float | None = None) -> None:
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("something\nunexpected")

    monkeypatch.setattr(search_index, "write_search_index", flaky)
    errors: list[str] = []
    background = search_index.IndexInBackground(errors.append)
    for _ in range(2):
        background.request(Path("site"), None, None)  # type: ignore[arg-type]
        deadline = time.monotonic() + 10
        while background._running and time.monotonic() < deadline:
            time.sleep(0.01)
    assert errors == ["search index not updated: something unexpected"]
    assert len(calls) == 2


def test_publish_swaps_in_one_step_and_falls_back_to_two(tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    from build_tools.site import publish as output

    site = tmp_path / "site"
    for version in ("one", "two", "three"):
        stage = output.prepare(site, min_free=0)
        (stage / "index.html").write_text(version, "utf-8")
        if version == "three":  # a system without renameat2(RENAME_EXCHANGE)
            monkeypatch.setattr(output, "exchange", lambda first, second: False)
        output.publish(stage, site)
        assert (site / "index.html").read_text("utf-8") == version
        assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]
    first, second = tmp_path / "a", tmp_path / "b"
    first.mkdir(), second.mkdir()
    (first / "x").touch()
    monkeypatch.undo()
    assert output.exchange(first, second) and (second / "x").exists()


def test_staging_folders_of_dead_builds_are_removed(tmp_path: Path) -> None:
    from build_tools.site import publish as output

    site = tmp_path / "site"
    dead = subprocess.Popen(["true"])
    dead.wait()
    alive = subprocess.Popen(["sleep", "30"])
    try:
        for name in (f".site.building-{dead.pid}", f".site.old-{dead.pid}",
                     f".site.building-{alive.pid}", f".other.building-{dead.pid}"):
            (tmp_path / name).mkdir()
        removed = output.remove_stale(site)
        assert sorted(p.name for p in removed) == [f".site.building-{dead.pid}",
                                                   f".site.old-{dead.pid}"]
        assert (tmp_path / f".site.building-{alive.pid}").is_dir()
    finally:
        alive.kill()
    ignored = subprocess.run(["git", "check-ignore", "-q", f".site.building-{dead.pid}"],
                             cwd=ROOT)
    assert ignored.returncode == 0
