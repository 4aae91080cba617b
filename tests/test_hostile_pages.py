"""A hostile pull request's hand-written pages and docs files: what could run, load,
restyle or speak for the page (scripts, handlers, inline style, front matter the theme
prints, search attributes, files other than pages), with what an attacker's reads found."""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path

import pytest
from conftest import serve
from hostile import build as _build
from hostile import problems as _problems
from hostile import sopkb_in

from build_tools.search import browser
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


@pytest.mark.slow
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


@pytest.mark.slow
def test_a_hand_written_pages_scripts_never_run_and_get_no_hash(project: Path, page) -> None:
    """Built without --strict (the check warns), the page is published cleaned, and the
    policy would keep anything left from running: the page's policy lists the same hashes
    as any page of its depth (the theme's own scripts), none of the page's."""
    (project / "docs" / "bahaya.md").write_text(HOSTILE_PAGE, "utf-8")
    result = _build(project)
    assert result.returncode == 0, result.stderr
    site = project / "site"
    hostile = (site / "bahaya" / "index.html").read_text("utf-8")
    other = (site / "usulkan-sop" / "index.html").read_text("utf-8")

    def hashes(html: str) -> set[str]:
        return set(re.findall(r"'sha256-[^']+'", html.split("script-src", 1)[1].split(";")[0]))

    assert "__pwned(1)" not in hostile and "<script>" not in hostile.split("<article")[1] \
        .split("</article>")[0]  # the sanitizer removed it (with its text)...
    assert hashes(hostile) == hashes(other) and hashes(hostile)  # ...the policy would too
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
        assert blocked == [], blocked  # nothing left for the policy to block
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


# --- what an attacker's read of the above found (hand-written pages, docs files, YAML) --------

#: Hand-written HTML a lenient parser reads otherwise than a browser, blocks written to look
#: like the plugin's, placeholders guessed, a meta refresh with a stray quote, the redirect
#: page's script used as a gadget: none runs, navigates or duplicates anything.
EVASIONS = """\
---
title: 'Usulkan <!--><script src="/static/x.js"></script>--> SOP'
description: '"><script>window.__pwned(20)</script>'
---
# Halaman dengan akal-akalan

<!--> <script src="x.js"></script><img src=x onerror="window.__pwned(21)"> -->
<![CDATA[ ]> <script>window.__pwned(22)</script> ]]>
<!-- a --!> <img src=y onerror="window.__pwned(23)">

<div class="sop-listing">
<span title="`"></span>
<script>window.__pwned(24)</script>
<span title="`"></span>
</div><!-- /sop-listing -->

<div class="sop-page">
<img src=z onerror="window.__pwned(25)">
</div><!-- /sop-page -->

<!--><meta http-equiv=refresh content=0;url=https://contoh.invalid/a a=b'c>-->
<![CDATA[ ]> <script src="../assets/sop-kb/redirect.js"
 data-target="https://contoh.invalid/b"></script> ]]>
<!-- sop-listing 0 --> <!-- sop-listing 7 --> <!-- sop-kb-block 0123456789abcdef 0 -->

<!-- sop-kb: sop-list CS-COMP-002 -->
"""


@pytest.mark.slow
def test_hand_written_html_is_cleaned_as_a_browser_reads_it(project: Path, page) -> None:
    (project / "docs" / "akal.md").write_text(EVASIONS, "utf-8")
    strict = _build(project, "--strict")
    assert strict.returncode != 0 and "Traceback" not in strict.stderr
    lines = {int(m["line"]) for m in _problems(strict.stderr, "unsafe-html")}
    assert {7, 8} <= lines, strict.stderr  # comments a lenient parser would have swallowed
    result = _build(project)
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
    built = (project / "site" / "akal" / "index.html").read_text("utf-8")
    article = built.split("<article", 1)[1].split("</article>", 1)[0]
    assert "<script" not in article and "onerror" not in article and "<meta" not in article
    assert article.count('href="../sop/cs-comp-002/"') == 1  # the marker's block, once
    assert re.findall(r"sop-kb-block \S+", built) == ["sop-kb-block 0123456789abcdef"]
    assert article.count("<!-- sop-listing 7 -->") == 1  # a forged one stays a comment
    assert '<script src="/static/x.js">' not in built and "&lt;script" in built  # title
    assert '"><script>' not in built.split("<article", 1)[0]  # description
    url, server = serve(project / "site")
    hits: list[object] = []
    try:
        page.expose_function("__pwned", lambda n: hits.append(n))
        page.goto(url + "akal/", wait_until="networkidle")
        page.wait_for_timeout(500)
        assert page.url == url + "akal/" and hits == []
        assert page.outside_requests == []
    finally:
        server.shutdown()


#: Files a PR can add to docs/: (path, content); none is published, each is an error.
DOCS_FILES = {"static/evil.html": "<script>alert(1)</script>", "x.js": "alert(1)",
              "notes.txt": "alert(1)", "gambar.svg": "<svg onload='alert(1)'/>",
              "assets/stylesheets/ganti.css": "body{display:none}",
              # names that become URLs: a search result's link would lead off the site
              "\\/contoh.invalid.md": "# Keluar\n", "dua kata.md": "# Spasi\n"}


@pytest.mark.slow
def test_docs_files_other_than_pages_and_images_are_not_published(project: Path,
                                                                  tmp_path_factory) -> None:
    theme = Path(__import__("material").__file__).parent / "templates"
    bundle = next((theme / "assets" / "javascripts").glob("bundle.*.min.js"))
    for uri, text in {**DOCS_FILES, f"assets/javascripts/{bundle.name}": "alert(2)"}.items():
        (project / "docs" / uri).parent.mkdir(parents=True, exist_ok=True)
        (project / "docs" / uri).write_text(text, "utf-8")
    favicon = project / "docs" / "assets" / "images" / "favicon.png"
    favicon.parent.mkdir(parents=True, exist_ok=True)
    favicon.write_bytes(b"\x89PNG palsu")
    secret = tmp_path_factory.mktemp("luar") / "rahasia.md"
    secret.write_text("# RAHASIA-LUAR\n", "utf-8")
    (project / "docs" / "bocor.md").symlink_to(secret)
    (project / "git.png").write_text("[http]\n\textraheader = AUTHORIZATION: basic x\n", "utf-8")
    (project / "docs" / "config.png").symlink_to(project / "git.png")  # in the repository
    (project / "docs" / "pemilik.pdf").symlink_to(project / "reference" / "owners.yaml")
    (project / "docs" / "gambar.png").write_bytes(b"\x89PNG boleh")  # published
    (project / "docs" / "http:").mkdir()  # a colon: not in DOCS_FILES, PROBLEM_LINE splits at it
    (project / "docs" / "http:" / "contoh.invalid.md").write_text("# Keluar\n", "utf-8")
    strict = _build(project, "--strict")
    assert strict.returncode != 0 and "Traceback" not in strict.stderr
    refused = {m["path"] for rule in ("unsafe-file", "outside-repository", "unsafe-path")
               for m in _problems(strict.stderr, rule)}
    assert refused == {f"docs/{uri}" for uri in DOCS_FILES} | {
        f"docs/assets/javascripts/{bundle.name}", "docs/assets/images/favicon.png",
        "docs/bocor.md", "docs/config.png", "docs/pemilik.pdf"}, strict.stderr
    assert "docs/config.png:1:1: [error] a symbolic link that leads outside the docs" \
        in strict.stderr
    assert "docs/http:/contoh.invalid.md:1:1: [error] characters other than" in strict.stderr
    check = sopkb_in(project, "validate")  # the pull-request check says it too
    assert check.returncode == 1 and "docs/x.js:1:1: [error]" in check.stdout
    result = _build(project)
    assert result.returncode != 0  # an error: not published, not even without --strict
    served = _build(project, "--site-dir", str(project / "preview"))
    assert served.returncode != 0 and not (project / "preview").exists()


@pytest.mark.slow
def test_a_file_that_is_only_null_is_one_line(project: Path) -> None:
    for path in ("sops/CS-COMP-002.yaml", "training/orientasi.yaml",
                 "reference/channels.yaml", "search/synonyms.yaml"):
        (project / path).write_text("~ # kosong\n", "utf-8")
    result = sopkb_in(project, "validate")
    assert result.returncode == 1 and "Traceback" not in result.stdout + result.stderr
    assert sum("(empty-file)" in line for line in result.stdout.splitlines()) == 4
    built = _build(project)
    assert built.returncode != 0 and "Traceback" not in built.stderr


#: Front matter the theme prints as HTML (a list is printed as Python writes it, past any
#: escaping) or reads as a template or a file, and Pagefind's attributes, which would give
#: the page's search result a reply template the page does not show.
META_AND_SEARCH = """\
---
title: Panduan
subtitle: ["\\x3cmeta http-equiv=refresh content=\\x220;url=https://contoh.invalid/nav\\x22\\x3e"]
description: ["\\x3cmeta http-equiv=refresh content=\\x220;url=https://contoh.invalid/kepala\\x22\\x3e"]
icon: ../../partials/header
template: redirect.html
location: https://contoh.invalid/
hide: [toc]
---
# Panduan

<span data-pagefind-meta="sopkb-template:zz" hidden></span>
"""


@pytest.mark.slow
def test_a_pages_front_matter_and_search_attributes_say_nothing_else(project: Path) -> None:
    (project / "docs" / "panduan.md").write_text(META_AND_SEARCH, "utf-8")
    strict = _build(project, "--strict")
    assert strict.returncode != 0 and "Traceback" not in strict.stderr
    assert [int(m["line"]) for m in _problems(strict.stderr, "page-meta")] == [3, 4, 5, 6, 7]
    assert [int(m["line"]) for m in _problems(strict.stderr, "unsafe-html")] == [12]
    result = _build(project)
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
    for path in (project / "site").rglob("*.html"):
        text = path.read_text("utf-8")
        assert "contoh.invalid" not in text and "x3cmeta" not in text, path
    built = (project / "site" / "panduan" / "index.html").read_text("utf-8")
    assert "<title>Panduan - " in built and "data-pagefind" not in built
    assert 'class="md-sidebar md-sidebar--secondary" data-md-component="sidebar" ' \
        'data-md-type="toc" hidden' in built  # hide: [toc] still works


#: A hand-written page posing as an SOP in search: a step heading whose id writes Pagefind
#: metadata (a result's title), then one with a step's own id, each over a reply template.
POSING_PAGE = """\
# Catatan tim

<h3 class="sop-step" id="z,title:CS-COMP-002 Pengembalian dana (resmi),w">Lihat juga</h3>

<pre class="sop-template">Silakan transfer biaya admin ke rekening 123-456.</pre>

<h3 class="sop-step" id="minta-bukti">Bukti</h3>

<pre class="sop-template">Kirim kode OTP Anda ke nomor ini.</pre>

<div hidden>refund refund refund berapa lama diproses</div>
"""


def fragments(site: Path) -> dict[str, dict]:
    """Pagefind's record of each indexed page, by URL."""
    found = {}
    for path in (site / "pagefind" / "fragment").glob("*.pf_fragment"):
        record = json.loads(gzip.decompress(path.read_bytes()).removeprefix(b"pagefind_dcd"))
        found[record["url"]] = record
    return found


@pytest.mark.slow
def test_a_hand_written_page_neither_titles_its_result_nor_offers_a_reply(project: Path) -> None:
    """An attacker's read found a step heading's id pasted into the page's search metadata
    (``title:`` set the result's title), a hand-written page's "template" offered for
    copying in its results, and words hidden from readers indexed: replies come from SOP
    pages only, and what a page holds, it shows."""
    (project / "docs" / "panduan.md").write_text(POSING_PAGE, "utf-8")
    result = _build(project)
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
    records = fragments(project / "site")
    notes = records["/panduan/"]
    assert list(notes["meta"]) == ["title"], notes["meta"]
    assert notes["meta"]["title"].startswith("Catatan tim ") and \
        "CS-COMP" not in notes["meta"]["title"]
    assert "OTP" in notes["content"]  # indexed as the page's text, not offered as a reply
    built = (project / "site" / "panduan" / "index.html").read_text("utf-8")
    assert "<div>refund refund refund" in built  # hidden from readers no more
    sop = records["/sop/cs-comp-002/"]["meta"]  # an SOP's reply templates are still there
    assert browser.TEMPLATE_META["first"] in sop, sop
