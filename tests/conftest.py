"""Shared helpers: real files in tmp_path, the real CLI and the real `mkdocs` in subprocesses."""

from __future__ import annotations

import functools
import http.server
import os
import re
import shutil
import subprocess
import sys
import threading
from pathlib import Path
from urllib.parse import urlsplit

import pytest

ROOT = Path(__file__).resolve().parent.parent
#: The realistic knowledge base the tool is tested on (a frozen copy of an early shipped
#: one): tests never depend on the shipped content, which writers change freely.
KB = ROOT / "tests" / "fixtures" / "kb"
SOPS = KB / "sops"
BIN = Path(sys.executable).parent


def run(args: list[str], cwd: Path, timeout: float = 120,
        env_extra: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    if Path(args[0]).name in ("mkdocs", "properdocs"):
        require_slow(f"`{Path(args[0]).name} {args[1] if len(args) > 1 else ''}`")
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", **(env_extra or {})}
    return subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=timeout, env=env)


def sopkb(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return run([sys.executable, "-m", "build_tools", *args], cwd=cwd)


def mkdocs(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return run([str(BIN / "mkdocs"), *args], cwd=cwd, timeout=300)


def assert_clean_failure(result: subprocess.CompletedProcess[str]) -> None:
    """Exit status 1, problems on stdout, and no Python traceback anywhere."""
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert result.stdout.strip(), "expected problem lines on stdout"


PROBLEM_LINE = re.compile(r"^(?P<path>[^:\n]+):(?P<line>\d+):(?P<col>\d+): \[(?P<level>\w+)\] "
                          r"(?P<message>.*) \((?P<rule>[a-z-]+)\)(?: — .*)?$")


def problem_lines(output: str) -> list[re.Match[str]]:
    """Every line of validator output, each parsed; fails on a line of any other shape."""
    matches = []
    for line in output.splitlines():
        match = PROBLEM_LINE.match(line)
        assert match, f"not a FILE:LINE:COL problem line: {line!r}"
        matches.append(match)
    return matches


def top_level_blocks(text: str) -> dict[str, tuple[int, int]]:
    """Top-level key -> (first line index, end line index) of its block in ``text``."""
    lines = text.splitlines()
    starts = [(i, m.group(1)) for i, line in enumerate(lines)
              if (m := re.match(r"^([a-z_]+):", line))]
    blocks = {}
    for n, (start, key) in enumerate(starts):
        end = starts[n + 1][0] if n + 1 < len(starts) else len(lines)
        while end > start + 1 and not lines[end - 1].strip():
            end -= 1
        blocks[key] = (start, end)
    return blocks


def replace_key(text: str, key: str, replacement: str | None) -> str:
    """``text`` with the top-level ``key`` block removed, or replaced by ``replacement``."""
    lines = text.splitlines()
    start, end = top_level_blocks(text)[key]
    new = [] if replacement is None else replacement.splitlines()
    return "\n".join(lines[:start] + new + lines[end:]) + "\n"


def line_of(text: str, prefix: str) -> int:
    """1-based number of the first line starting with ``prefix``."""
    return next(i for i, line in enumerate(text.splitlines(), 1) if line.startswith(prefix))


@pytest.fixture
def sample_text() -> str:
    """A complete, valid SOP of the realistic fixture knowledge base."""
    return (SOPS / "CS-COMP-002.yaml").read_text("utf-8")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of the realistic fixture knowledge base (mkdocs.yml, docs/, sops/, …) to break
    freely."""
    for name in ("docs", "sops", "reference", "search", "training"):
        shutil.copytree(KB / name, tmp_path / name)
    shutil.copy(KB / "mkdocs.yml", tmp_path / "mkdocs.yml")
    return tmp_path


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The site built once from the fixture knowledge base with `mkdocs build --strict`."""
    out = tmp_path_factory.mktemp("site")
    result = mkdocs("build", "--strict", "--site-dir", str(out), cwd=KB)
    assert result.returncode == 0, result.stderr
    return out


# --- A real browser: Debian's chromium driven by Playwright, offline but for 127.0.0.1 ---

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--disable-quic"]
OUTPUT = ROOT / "tests" / "output"


def chromium_path() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="session")
def browser():
    """Headless Debian chromium. Missing browser: a failure under CI=true, a skip elsewhere."""
    executable = chromium_path()
    if executable is None:
        message = "Debian's chromium is not installed (apt-get install chromium)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


def serve(directory: Path) -> tuple[str, http.server.ThreadingHTTPServer]:
    handler = functools.partial(_Quiet, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_address[1]}/", server


@pytest.fixture(scope="session")
def site_url(site: Path):
    """The fixture knowledge base's site, built once, served on 127.0.0.1."""
    url, server = serve(site)
    yield url
    server.shutdown()


# --- Markers: `make check` runs every test marked neither `browser` nor `slow` ---------------

#: A test using one of these fixtures (directly or through another, as ``page`` and the
#: accessibility tests' ``phone`` use ``browser``) drives Chromium: marked ``browser``.
BROWSER_FIXTURES = frozenset({"browser"})
#: Fixtures that run a real `mkdocs build` or `mkdocs serve` (seconds each, the session's
#: ``site`` included, as a test run alone pays for it): a test using one is marked ``slow``.
SLOW_FIXTURES = frozenset({"site", "xss_site", "server"})
# Besides, a test is marked ``slow`` by hand when it takes 1.5 s or more (setup, call and
# teardown, ``pytest --durations=0``; measured twice on a shared 2-core machine, the mark kept
# where both runs agreed), and a test that runs `mkdocs` or `properdocs` through :func:`run`
# must be one.

_running: dict[str, pytest.Item] = {}


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark by the fixtures a test uses, before ``-m`` selects (a new test cannot forget)."""
    for item in items:
        used = set(getattr(item, "fixturenames", ()))
        if used & BROWSER_FIXTURES:
            item.add_marker(pytest.mark.browser)
        if used & SLOW_FIXTURES:
            item.add_marker(pytest.mark.slow)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> object:
    _running["item"] = item
    try:
        return (yield)
    finally:
        _running.pop("item", None)


def require_slow(what: str) -> None:
    """Fail the running test unless it is marked ``slow``: it runs ``what``, which takes
    seconds, and `make check` must leave it out."""
    item = _running.get("item")
    if item is not None and item.get_closest_marker("slow") is None:
        pytest.fail(f"{item.nodeid} runs {what}: mark it @pytest.mark.slow", pytrace=False)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.failed_call = report.failed
    return report


def keep_inside(context) -> list[str]:
    """Every request of ``context`` outside 127.0.0.1 blocked; the list of those tried."""
    outside: list[str] = []

    def route(route):
        host = urlsplit(route.request.url).hostname
        if route.request.url.startswith(("data:", "blob:")) or host in ("127.0.0.1",):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    context.route("**/*", route)
    return outside


@pytest.fixture
def page(browser, request):
    """A fresh page that may reach 127.0.0.1 only; every other request is blocked and kept in
    ``page.outside_requests``. On failure a screenshot lands in tests/output/. The site's
    service worker is not run: tests that hold or fail a request with ``page.route`` would
    not see the requests it answers (Playwright's advice); tests/test_offline.py runs it."""
    context = browser.new_context(viewport={"width": 1280, "height": 900},
                                  service_workers="block")
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    outside = keep_inside(context)
    page = context.new_page()
    page.outside_requests = outside
    yield page
    if getattr(request.node, "failed_call", False):
        OUTPUT.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(OUTPUT / f"{request.node.name}.png"), full_page=True)
    context.close()


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true",
                     help="Write the expected outputs of golden tests from today's code.")
