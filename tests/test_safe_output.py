"""Safe output: XSS payloads in every text field of a built site, opened in a real browser,
run nowhere and shown as text; the policy blocks an injected handler. Figures go to
tests/output/hardening.json (tests/hardening.py)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
import yaml
from conftest import BIN, KB, SOPS, serve
from corpus import standalone
from hardening import FIGURES, write_figures


@pytest.fixture(scope="module", autouse=True)
def figures():
    yield FIGURES
    write_figures()


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
