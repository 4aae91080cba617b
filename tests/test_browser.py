"""What a person sees, in headless Debian chromium: search, deep links, copy buttons,
flowcharts, and a site that works with every request outside 127.0.0.1 blocked."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from conftest import ROOT, SOPS, mkdocs, serve

from build_tools.rules.catalog import load_catalog

QUERIES = yaml.safe_load((ROOT / "tests" / "search_queries.yaml").read_text("utf-8"))
RESULTS = ".sop-search__results:not([hidden]) .sop-search__result"


def search(page, site_url: str, query: str) -> list[str]:
    """Type ``query`` in the header search box; the hrefs of the results, best first."""
    if not page.url.startswith(site_url):
        page.goto(site_url)
    box = page.locator(".sop-search__input")
    box.fill("")
    box.fill(query)
    page.wait_for_selector(RESULTS, timeout=10_000)
    page.wait_for_function(
        "q => document.querySelector('.sop-search__input').value === q", arg=query)
    page.wait_for_timeout(200)  # the last keystroke's search replaces earlier ones
    return settled_results(page)


def shown_results(page) -> list[str]:
    return page.eval_on_selector_all(RESULTS, "els => els.map(e => e.href)")


def settled_results(page) -> list[str]:
    """The results once all have loaded: they show one by one, the list busy until then.
    Every list is waited for: the home page has two boxes, and the idle one's list must not
    stand for the busy one's (a race that failed a clean run once)."""
    page.wait_for_function("() => !document.querySelector('.sop-search__results[aria-busy]')")
    return shown_results(page)


def test_at_least_fifteen_query_pairs() -> None:
    assert len(QUERIES) >= 15
    catalog = load_catalog([SOPS])
    ids = {sop.id: sop for sop in catalog.sops}
    for case in QUERIES:
        sop = ids[case["sop"]]
        if "step" in case:
            assert any(step.id == case["step"] for step in sop.steps)


@pytest.mark.parametrize("case", QUERIES, ids=[case["query"] for case in QUERIES])
def test_word_forms_find_the_sop(page, site_url: str, case: dict) -> None:
    hrefs = search(page, site_url, case["query"])
    slug = case["sop"].lower()
    top = hrefs[:3]
    assert any(f"/sop/{slug}/" in href for href in top), top
    if "step" in case:
        assert any(href.endswith(f"/sop/{slug}/#{case['step']}") for href in top), top


def test_synonym_finds_the_sop_that_only_says_pengembalian_dana(page, site_url: str) -> None:
    page.goto(site_url + "sop/cs-comp-002/")
    text = page.locator("article").inner_text().lower()
    assert "pengembalian dana" in text and "refund" not in text
    hrefs = search(page, site_url, "refund")
    assert any("/sop/cs-comp-002/" in href for href in hrefs[:3]), hrefs


def test_clicking_a_result_opens_the_step(page, site_url: str) -> None:
    search(page, site_url, "memeriksa bukti kerusakan")
    first = page.locator(RESULTS).first
    assert "Menangani keluhan produk rusak" in first.inner_text()
    first.click()
    page.wait_for_url("**/sop/cs-comp-002/#verifikasi-kerusakan")
    assert page.locator("#verifikasi-kerusakan").is_visible()
    assert _in_viewport(page, "#verifikasi-kerusakan")


def test_results_show_in_rank_order_as_they_load(page, site_url: str) -> None:
    """A result is shown once it and those ranked above it have loaded: the list grows at
    its end and never reorders."""
    expected = search(page, site_url, "refund")
    assert len(expected) >= 3
    held: list = []

    def hold_one(route) -> None:
        if not held:
            held.append(route)
        else:
            route.continue_()

    page.route("**/pagefind/fragment/*", hold_one)
    page.goto(site_url)
    page.locator(".sop-search__input").fill("refund")
    page.wait_for_function("() => document.querySelector('.sop-search__results[aria-busy]')")
    page.wait_for_timeout(500)
    partial = shown_results(page)
    assert held and len(partial) < len(expected) and partial == expected[:len(partial)]
    held[0].continue_()
    assert settled_results(page) == expected


def test_search_from_the_home_page_form(page, site_url: str) -> None:
    """The home page's box shows its results as they are typed, and Enter (or the form's
    button) opens the first."""
    page.goto(site_url)
    page.fill("#sop-home-q", "paket telat")
    page.wait_for_selector(".sop-search--home .sop-search__results:not([hidden]):not([aria-busy])"
                           " .sop-search__result", timeout=10_000)
    hrefs = shown_results(page)
    assert any("/sop/cs-comp-003/" in href for href in hrefs[:3])
    page.press("#sop-home-q", "Enter")
    page.wait_for_url(hrefs[0])


def _in_viewport(page, selector: str) -> bool:
    return page.eval_on_selector(
        selector, "el => { const r = el.getBoundingClientRect();"
                  " return r.top >= 0 && r.top < window.innerHeight; }")


def test_a_step_deep_link_scrolls_to_the_step(page, site_url: str) -> None:
    page.goto(site_url + "sop/cs-comp-002/#tindak-lanjut")
    page.wait_for_timeout(300)
    assert _in_viewport(page, "#tindak-lanjut")
    assert page.evaluate("window.scrollY") > 500


def test_copy_button_puts_the_template_on_the_clipboard(page, site_url: str) -> None:
    page.goto(site_url + "sop/cs-comp-002/")
    block = page.locator("pre.sop-template").first
    expected = block.locator("code").inner_text()
    assert block.locator(".sop-placeholder").first.inner_text() == "[nama pelanggan]"
    block.hover()
    block.locator("[data-md-type=copy]").click()
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied.strip() == expected.strip()
    assert copied.startswith("Halo [nama pelanggan], terima kasih sudah memberi tahu kami")


def test_flowchart_has_one_node_per_step(page, site_url: str) -> None:
    for sop in load_catalog([SOPS]).sops[:5]:
        page.goto(site_url + f"sop/{sop.slug}/")
        svg = page.locator(".sop-flow svg")
        assert svg.is_visible()
        nodes = page.eval_on_selector_all(".sop-flow .sop-flow__step",
                                          "els => els.map(e => e.dataset.step)")
        assert nodes == [step.id for step in sop.steps]
        assert page.locator(".sop-flow .sop-flow__escalation").count() == 1
    page.set_viewport_size({"width": 375, "height": 700})
    width = page.eval_on_selector(".sop-flow svg", "el => el.getBoundingClientRect().width")
    assert 200 < width <= 375  # scales to a phone screen


def test_no_request_leaves_the_machine(page, site_url: str) -> None:
    failed: list[str] = []
    page.on("requestfailed", lambda request: failed.append(request.url))
    for url in ("", "sop/cs-comp-002/", "channels/", "metrics/"):
        page.goto(site_url + url, wait_until="networkidle")
        assert page.locator(".md-header__button.md-logo svg, .md-logo svg").first.is_visible()
        font = page.evaluate("getComputedStyle(document.body).fontFamily")
        assert font  # the system font stack; no web font to wait for
        assert page.evaluate("document.fonts.status") == "loaded"
    hrefs = search(page, site_url, "refund")
    assert hrefs
    assert page.outside_requests == []
    assert [url for url in failed if not url.startswith(site_url)] == []


def test_search_loads_once_the_page_is_idle_unless_data_is_saved(page, site_url: str) -> None:
    """The first query does not wait for Pagefind: it loads with no click once the page is
    idle; for a reader saving data, only when the search box gets focus."""
    search_files = """performance.getEntriesByType('resource').map(e => e.name)
        .filter(n => n.includes('/pagefind/') || n.includes('/lexicon.json'))"""
    page.goto(site_url + "sop/cs-comp-002/", wait_until="networkidle")
    page.wait_for_function(f"() => {search_files}.some(n => n.includes('pagefind-worker'))")
    assert any(name.endswith("/lexicon.json") for name in page.evaluate(search_files))

    page.add_init_script("Object.defineProperty(navigator, 'connection', "
                         "{value: {saveData: true}})")
    page.goto(site_url + "sop/cs-comp-003/", wait_until="networkidle")
    page.wait_for_timeout(500)
    assert page.evaluate(search_files) == []
    page.locator(".sop-search__input").focus()
    page.wait_for_function(f"() => {search_files}.some(n => n.includes('pagefind-worker'))")


@pytest.mark.slow
def test_an_alias_url_redirects_to_the_new_page_and_step(page, project: Path) -> None:
    path = project / "sops" / "CS-COMP-002.yaml"
    path.write_text(path.read_text("utf-8").replace(
        "status: active", "status: active\naliases: [CS-DMG-001]", 1), "utf-8")
    result = mkdocs("build", "--strict", cwd=project)
    assert result.returncode == 0, result.stderr
    url, server = serve(project / "site")
    try:
        page.goto(url + "sop/cs-dmg-001/#minta-bukti")
        page.wait_for_url("**/sop/cs-comp-002/#minta-bukti")
        assert page.locator("h1").inner_text().startswith("Menangani keluhan produk rusak")
        assert _in_viewport(page, "#minta-bukti")
    finally:
        server.shutdown()


def test_copy_link_to_a_step(page, site_url: str) -> None:
    page.goto(site_url + "sop/cs-comp-002/")
    buttons = page.locator("h3.sop-step + .sop-step-link")
    assert buttons.count() == len(load_catalog([SOPS]).by_id()["CS-COMP-002"].steps)
    page.locator("#minta-bukti + .sop-step-link").click()
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied == site_url + "sop/cs-comp-002/#minta-bukti"


def _pdf_pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page[^s]", pdf))


def test_every_quick_card_prints_on_one_a4_page(page, site_url: str) -> None:
    # The former card URLs forward to the quick-card view of the SOP page.
    for sop in load_catalog([SOPS]).sops:
        page.goto(site_url + f"sop/{sop.slug}/card/")
        page.wait_for_url(f"**/sop/{sop.slug}/#quick-card")
        assert page.locator(".sop-glance table").first.is_visible()
        assert page.locator(".sop-card-meta").is_visible()
        assert not page.locator("#procedure").is_visible()
        assert not page.locator(".md-sidebar--primary").is_visible()
        pdf = page.pdf(format="A4", print_background=True)
        assert _pdf_pages(pdf) == 1, sop.id


def test_quick_card_view_opens_from_the_page_and_goes_back(page, site_url: str) -> None:
    page.goto(site_url + "sop/cs-comp-002/")
    assert page.locator("#procedure").is_visible()
    assert not page.locator(".sop-card-meta").is_visible()
    page.locator("a.sop-card-open").click()
    page.wait_for_url("**/sop/cs-comp-002/#quick-card")
    assert not page.locator("#procedure").is_visible()
    levels = page.locator(".sop-glance table").nth(1)
    assert levels.is_visible() and levels.locator("tbody tr").count() >= 1
    page.locator(".sop-card-meta a").click()
    assert page.locator("#procedure").is_visible()


def test_an_sop_prints_without_navigation(page, site_url: str) -> None:
    page.goto(site_url + "sop/cs-comp-002/")
    page.emulate_media(media="print")
    for selector in (".md-header", ".md-sidebar--primary", ".sop-search", ".sop-step-link"):
        assert not page.locator(selector).first.is_visible(), selector
    assert page.locator("#procedure").is_visible()
    breaks = page.eval_on_selector("pre.sop-template", "el => getComputedStyle(el).breakInside")
    assert breaks == "avoid"
    assert 1 < _pdf_pages(page.pdf(format="A4")) < 12


def test_training_path_links_and_keeps_ticks(page, site_url: str) -> None:
    page.goto(site_url + "training/orientasi-agen-baru/")
    boxes = page.locator("input.sop-training__check")
    assert boxes.count() == 10
    boxes.nth(1).check()
    page.reload()
    assert page.locator("input.sop-training__check").nth(1).is_checked()
    page.locator(".sop-training a").nth(1).click()
    page.wait_for_url("**/sop/cs-greet-001/#konfirmasi-pertanyaan")


def test_browse_by_role_channel_and_complaint_type(page, site_url: str) -> None:
    page.goto(site_url + "roles/")
    assert page.locator("#agen").inner_text().startswith("Agen layanan pelanggan")
    page.locator('a[href$="sop/cs-comp-002/#balas-laporan"]').first.click()
    page.wait_for_url("**/sop/cs-comp-002/#balas-laporan")
    related = page.locator("#related ~ ul a")
    assert related.count() >= 2


def test_review_banner_shows_only_when_the_review_date_has_passed(page, site_url: str) -> None:
    page.goto(site_url + "sop/cs-comp-002/")
    banner = page.locator(".sop-overdue")
    next_review = banner.get_attribute("data-next-review")
    today = page.evaluate("window.sopKbPageTools.today('Asia/Jakarta')")
    assert banner.is_visible() == (next_review < today)
    # Years later, a site that was never rebuilt still warns agents.
    page.add_init_script("""(() => { const D = Date; window.Date = class extends D {
        constructor(...a) { super(...(a.length ? a : ['2099-01-01T00:00:00Z'])); } }; })()""")
    page.reload()
    assert page.locator(".sop-overdue").is_visible()
    assert "Kepala Layanan Pelanggan" in page.locator(".sop-overdue").inner_text()


def test_a_failed_search_load_says_so_and_the_next_keystroke_retries(page, site_url: str) -> None:
    """One failed fetch (a 404 while `mkdocs serve` re-indexes) leaves a visible message,
    not a dead box; the next keystroke loads again and finds results."""
    page.route("**/pagefind/pagefind.js", lambda route: route.fulfill(status=404, body="nope"))
    page.route("**/lexicon.json", lambda route: route.fulfill(status=404, body="nope"))
    page.goto(site_url + "sop/cs-comp-002/", wait_until="networkidle")
    box = page.locator(".sop-search__input")
    box.fill("refun")
    page.wait_for_selector(".sop-search__unavailable")
    assert page.locator(".sop-search__results").inner_text() == "Pencarian belum siap, coba lagi"
    page.unroute("**/pagefind/pagefind.js")
    page.unroute("**/lexicon.json")
    box.press("d")
    page.wait_for_selector(RESULTS, timeout=10_000)
    assert "/sop/cs-comp-002/" in settled_results(page)[0]


@pytest.mark.slow
def test_an_excerpt_shows_the_text_as_written(page, project: Path) -> None:
    """Pagefind's excerpts are HTML; they are shown once, not escaped again: `< 1 jam`."""
    path = project / "sops" / "CS-COMP-002.yaml"
    path.write_text(path.read_text("utf-8").replace(
        "      Minta foto kemasan luar,",
        "      Kirim dalam waktu < 1 jam & <b>cepat</b> kilatkuning. Minta foto kemasan luar,",
        1).replace("title: Menangani keluhan produk rusak",
                   "title: Menangani keluhan <produk> rusak & cacat", 1), "utf-8")
    assert mkdocs("build", "--strict", cwd=project).returncode == 0
    url, server = serve(project / "site")
    try:
        search(page, url, "kilatkuning")
        excerpt = page.locator(".sop-search__result .sop-search__excerpt").first
        assert "< 1 jam & <b>cepat</b> kilatkuning" in excerpt.inner_text()
        assert excerpt.locator("mark").first.inner_text().lower().startswith("kilatkuning")
        assert excerpt.locator("b").count() == 0
        title = page.locator(".sop-search__result .sop-search__title").first.inner_text()
        assert title == "Menangani keluhan <produk> rusak & cacat"
    finally:
        server.shutdown()
