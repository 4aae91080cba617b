"""A hostile pull request: what a PR author controls besides the text fields of SOPs (the
sanitizer's own tests are in test_markup.py and test_hardening.py) and where it goes.

Each class of issue 33 has its own payloads and fixtures here: hand-written pages and the
Content-Security-Policy, the CODEOWNERS file, generated URLs that collide, paths and links
on disk, and the processes of a build."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

from conftest import BIN, PROBLEM_LINE, serve

from build_tools.site import csp

# --- hand-written pages and the policy --------------------------------------------------------

#: A hand-written page a PR adds: (line, what the check must say) for every construct that
#: could run, load or restyle; code that only shows such HTML is not reported.
HOSTILE_PAGE = """\
# Halaman biasa

Teks biasa dengan `<script>window.__pwned(0)</script>` sebagai contoh kode.

<SCRIPT>window.__pwned(1)</SCRIPT>
<img src="x" oNeRrOr="window.__pwned(2)">
<svg><animate onbegin="window.__pwned(3)" attributeName="x" dur="1s"/></svg>
<a href=" JaVaScRiPt:window.__pwned(4)">tautan</a>
[tautan markdown](javascript:window.__pwned(5))
<a href="jav&#x61;script:window.__pwned(6)">entitas</a>
<iframe srcdoc="<script>parent.__pwned(7)</script>"></iframe>
<meta http-equiv="refresh" content="0; url=https://contoh.invalid/">
<p style="position:fixed;inset:0;background:#fff">menutupi halaman</p>
<details open ontoggle="window.__pwned(8)"><summary>x</summary></details>

    <script>window.__pwned(9)</script> (blok kode berindentasi: teks)
"""
EXPECTED_LINES = {5: "element <script>", 6: "onerror", 7: "onbegin", 8: "javascript:",
                  9: "javascript:", 10: "javascript:", 11: "element <iframe>",
                  12: "element <meta>", 13: "inline style", 14: "ontoggle"}


def _build(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(BIN / "mkdocs"), "build", *args], cwd=project,
                          capture_output=True, text=True, timeout=300,
                          env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})


def _problems(output: str, rule: str) -> list[re.Match[str]]:
    found = []
    for line in output.splitlines():
        text = re.sub(r"^(WARNING|ERROR)\s+-\s+(\w+: )?", "", line)
        match = PROBLEM_LINE.match(text)
        if match and match["rule"] == rule:
            found.append(match)
    return found


def test_unsafe_html_in_a_hand_written_page_fails_a_strict_build_at_its_lines(
        project: Path) -> None:
    (project / "docs" / "bahaya.md").write_text(HOSTILE_PAGE, "utf-8")
    result = _build(project, "--strict")
    assert result.returncode != 0 and "Traceback" not in result.stderr
    found = _problems(result.stderr, "unsafe-html")
    assert {m["path"] for m in found} == {"docs/bahaya.md"}
    lines = {int(m["line"]): m["message"] for m in found}
    assert set(lines) == set(EXPECTED_LINES), lines  # nothing on lines 3, 16 (code)
    for line, words in EXPECTED_LINES.items():
        assert words in lines[line], (line, lines[line])


def test_a_hand_written_pages_scripts_never_run_and_get_no_hash(project: Path, page) -> None:
    """Built without --strict (the check warns), the page is published, and the policy
    keeps every construct above from running: the page's policy lists the same hashes as
    any page of its depth (the theme's own scripts), none of the page's."""
    (project / "docs" / "bahaya.md").write_text(HOSTILE_PAGE, "utf-8")
    result = _build(project)
    assert result.returncode == 0, result.stderr
    site = project / "site"
    hostile = (site / "bahaya" / "index.html").read_text("utf-8")
    other = (site / "usulkan-sop" / "index.html").read_text("utf-8")

    def hashes(html: str) -> set[str]:
        return set(re.findall(r"'sha256-[^']+'", html.split("script-src", 1)[1].split(";")[0]))

    assert "<SCRIPT>window.__pwned(1)</SCRIPT>" in hostile  # Markdown kept it...
    assert hashes(hostile) == hashes(other) and hashes(hostile)  # ...the policy did not
    url, server = serve(site)
    hits: list[object] = []
    try:
        page.expose_function("__pwned", lambda n: hits.append(n))
        page.add_init_script("window.__violations = []; document.addEventListener("
                             "'securitypolicyviolation', e => window.__violations.push("
                             "e.violatedDirective))")
        page.goto(url + "bahaya/", wait_until="networkidle")
        for link in page.locator("article a").all():
            if "tautan" in link.inner_text() or "entitas" in link.inner_text():
                link.click()
        page.locator("details summary").click()
        page.wait_for_timeout(800)
        assert page.url.startswith(url + "bahaya/")  # no refresh to another host
        blocked = page.evaluate("window.__violations")
        assert hits == []
        assert {"script-src-elem", "script-src-attr", "style-src-attr"} <= set(blocked), blocked
        box = page.locator("p", has_text="menutupi halaman").bounding_box()
        assert box is not None and box["width"] < 1000  # the style= did not apply
    finally:
        server.shutdown()


def test_the_allowed_scripts_come_from_template_sources_never_from_the_page() -> None:
    allowed = csp.Allowed()
    allowed.add_template('<script>var a = "{{ base_url }}"</script>'
                         '<script src="x.js"></script><script type="application/json">{}'
                         "</script><script>plain()</script>",
                         lambda body: [body.replace("{{ base_url }}", url)
                                       for url in (".", "..")])
    assert len(allowed.hashes) == 3  # two renderings of the first, the plain one
    page = ('<html><head><script>var a = ".."</script><script>plain()</script>'
            "<script>injected()</script></head></html>")
    hashes = allowed.of(page)
    assert hashes == [csp.script_hash('var a = ".."'), csp.script_hash("plain()")]
    assert csp.script_hash("injected()") not in csp.with_policy(page, allowed)
    policy = csp.policy(hashes)
    assert "'unsafe-inline'" not in policy and "style-src 'self';" in policy
