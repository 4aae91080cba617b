"""The search box as agents on the floor use it (issue 36): the home page's big box shows
the same results as the header's while a question is typed, ``/`` goes to the box without
typing itself, a result shows its step's reply template with the blanks marked and copies
it by keyboard alone, and a question nothing answered goes to the SOP writers only when the
agent opens the prefilled issue."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from conftest import SOPS
from test_accessibility import serious, violations

from build_tools.render.labels import load_labels
from build_tools.rules.catalog import load_catalog

TEXT = load_labels("id")["search_box"]
HOME_RESULTS = ".sop-search--home .sop-search__results:not([hidden]):not([aria-busy])"
HEADER_RESULTS = ".sop-search:not(.sop-search--home) .sop-search__results:not([hidden])" \
    ":not([aria-busy])"


def template_of(sop_id: str, step_id: str) -> str:
    sop = next(sop for sop in load_catalog([SOPS]).sops if sop.id == sop_id)
    return next(step.template for step in sop.steps if step.id == step_id).rstrip()


def hrefs(page, panel: str) -> list[str]:
    return page.eval_on_selector_all(f"{panel} [role=option]", "els => els.map(e => e.href)")


def test_a_question_typed_in_the_home_box_shows_results_and_enter_opens_its_step(
        page, site_url: str) -> None:
    page.goto(site_url, wait_until="networkidle")
    page.locator("#sop-home-q").press_sequentially("paket telat", delay=30)
    page.wait_for_selector(f"{HOME_RESULTS} [role=option]")
    home = hrefs(page, HOME_RESULTS)
    assert any("/sop/cs-comp-003/" in href for href in home[:3]), home
    # The same results as the header's box gives the same question.
    assert page.locator(".sop-search__input").get_attribute("aria-expanded") == "false"
    page.fill(".sop-search__input", "paket telat")
    page.wait_for_selector(f"{HEADER_RESULTS} [role=option]")
    assert hrefs(page, HEADER_RESULTS) == home
    box = page.locator("#sop-home-q")
    assert box.get_attribute("role") == "combobox"
    assert box.get_attribute("aria-controls") != page.locator(
        ".sop-search__input").get_attribute("aria-controls")
    box.focus()
    box.press("ArrowDown")
    box.press("ArrowDown")
    second = page.locator(f"{HOME_RESULTS} [role=option]").nth(1)
    assert box.get_attribute("aria-activedescendant") == second.get_attribute("id")
    target = second.get_attribute("href")
    assert "#" in target  # a result opens its step
    box.press("Enter")
    page.wait_for_url(target)


def test_slash_goes_to_search_without_typing_itself(page, site_url: str) -> None:
    page.goto(site_url + "sop/cs-comp-002/", wait_until="networkidle")
    page.locator("h1").click()
    page.keyboard.press("/")
    header = page.locator(".sop-search__input")
    assert page.evaluate("document.activeElement.classList.contains('sop-search__input')")
    assert header.input_value() == ""
    page.keyboard.type("a/b")  # in a question, a slash is a character like any other
    assert header.input_value() == "a/b"
    page.goto(site_url, wait_until="networkidle")
    page.keyboard.press("/")  # the home box has the focus already, empty
    assert page.evaluate("document.activeElement.id") == "sop-home-q"
    assert page.locator("#sop-home-q").input_value() == ""
    page.locator("h1").click()
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.id") == "sop-home-q"
    assert page.locator("#sop-home-q").input_value() == ""


def test_a_template_from_a_result_is_copied_by_keyboard_alone(page, site_url: str) -> None:
    expected = template_of("CS-COMP-003", "kabari-pelacakan")
    page.goto(site_url + "sop/cs-chat-001/", wait_until="networkidle")
    page.locator("h1").click()
    page.keyboard.press("/")
    page.keyboard.type("mohon maaf paket belum tiba")
    page.wait_for_selector(f"{HEADER_RESULTS} [role=option]")
    first = page.locator(f"{HEADER_RESULTS} [role=option]").first
    assert first.get_attribute("href").endswith("/sop/cs-comp-003/#kabari-pelacakan")
    preview = first.locator(".sop-search__template")
    assert " ".join(preview.inner_text().split()) == " ".join(expected.split())
    assert preview.locator(".sop-placeholder").all_inner_texts()[:2] == [
        "[nama pelanggan]", "[nomor resi]"]
    page.keyboard.press("Tab")
    button = page.locator(":focus")
    assert button.evaluate("e => e.tagName") == "BUTTON"
    assert button.inner_text() == TEXT["copy"]
    name = button.get_attribute("aria-label")
    assert name.startswith(TEXT["copy"]) and "Sampaikan posisi paket" in name
    assert button.get_attribute("aria-describedby") == preview.get_attribute("id")
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.querySelector('.sop-search__copied').textContent")
    assert page.evaluate("navigator.clipboard.readText()") == expected
    told = TEXT["copied"].format(placeholders="[nama pelanggan], [nomor resi], "
                                 "[lokasi terakhir], [perkiraan tanggal], [tautan pelacakan]")
    assert page.locator(".sop-search__copied").first.inner_text() == told
    status = page.locator(".sop-search:not(.sop-search--home) .sop-search__status")
    assert status.get_attribute("role") == "status" and status.inner_text() == told
    page.keyboard.press("Escape")  # back to the question, the list closed
    assert page.evaluate("document.activeElement.classList.contains('sop-search__input')")
    assert page.locator(".sop-search__results").first.is_hidden()


def test_a_template_keeps_its_lines_and_a_step_without_one_shows_its_sops_first(
        page, site_url: str) -> None:
    page.goto(site_url + "sop/", wait_until="networkidle")
    rank = "q => window.sopKbSearch.rank(q, 8)"
    found = page.evaluate(rank, "berikut ringkasan pesanan nama produk alamat kirim")["results"]
    listed = next(r for r in found if r["url"].endswith("/sop/cs-order-001/#catat-pesanan"))
    assert listed["template"]["text"] == template_of("CS-ORDER-001", "catat-pesanan")
    assert listed["template"]["text"].count("\n") >= 3
    found = page.evaluate(rank, "hubungi kurir paket tertahan")["results"]
    courier = next(r for r in found if r["url"].endswith("/sop/cs-comp-003/#hubungi-kurir"))
    assert courier["template"]["step"].startswith("2. Sampaikan posisi paket")
    assert courier["template"]["text"] == template_of("CS-COMP-003", "kabari-pelacakan")


@pytest.mark.parametrize("query", ["zzqxv wwqk", "refund"])
def test_a_question_goes_to_the_writers_only_by_the_agents_click(page, site_url: str,
                                                                 query: str) -> None:
    page.goto(site_url + "sop/cs-chat-001/", wait_until="networkidle")
    page.fill(".sop-search__input", query)
    page.wait_for_selector(".sop-search__ask")
    link = page.locator(".sop-search__ask")
    assert link.inner_text() == (TEXT["ask"] if query.startswith("zz") else TEXT["missed"])
    assert link.get_attribute("target") == "_blank"
    assert "noopener" in link.get_attribute("rel")
    href = urlsplit(link.get_attribute("href"))
    assert href.netloc == "github.com" and href.path == "/example/sop-knowledge-base/issues/new"
    asked = parse_qs(href.query)
    assert asked["title"] == [TEXT["ask_title"].format(question=query)]
    assert asked["body"] == [TEXT["ask_body"].format(question=query,
                                                     page=site_url + "sop/cs-chat-001/")]
    assert page.outside_requests == []  # nothing was sent


def test_the_open_home_box_has_no_serious_violation(page, site_url: str) -> None:
    page.goto(site_url, wait_until="networkidle")
    page.fill("#sop-home-q", "mohon maaf paket belum tiba")
    page.wait_for_selector(f"{HOME_RESULTS} .sop-search__copy")
    page.wait_for_timeout(300)
    assert serious(violations(page, ".sop-home-search")) == []


def test_results_added_together_are_placed_once_a_frame(page, site_url: str) -> None:
    """Each result's action ("Salin") stands over the room kept at the bottom of its result.
    The sizes that takes are read once a frame for every result added in it, not again at
    each result added: a size read after a change lays the whole page out, and on a home
    page listing a thousand SOPs that was most of a query's time."""
    page.goto(site_url, wait_until="networkidle")
    found = page.evaluate("""async (url) => {
      const {listbox} = await import(url);
      const box = document.createElement("div");
      const input = document.createElement("input");
      box.appendChild(input);
      document.querySelector(".md-content").appendChild(box);
      const ui = listbox(box, input, "Hasil");
      ui.open(true);
      const size = Object.getOwnPropertyDescriptor(HTMLElement.prototype, "offsetHeight");
      let reads = 0;
      Object.defineProperty(HTMLElement.prototype, "offsetHeight", {configurable: true,
        get() {
          if (box.contains(this)) { reads += 1; }
          return size.get.call(this);
        }});
      for (let n = 0; n < 5; n++) {
        const result = document.createElement("a");
        result.textContent = "Hasil " + n;
        const action = document.createElement("button");
        action.textContent = "Salin";
        ui.add(result, action);
      }
      await new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)));
      Object.defineProperty(HTMLElement.prototype, "offsetHeight", size);
      const placed = Array.from(box.querySelectorAll(".sop-search__action")).map((action) => {
        const own = action.getBoundingClientRect();
        const result = action.result.getBoundingClientRect();
        return own.top >= result.top && own.bottom <= result.bottom && own.height > 0;
      });
      return {reads: reads, placed: placed};
    }""", site_url + "assets/sop-kb/search/listbox.js")
    assert found["placed"] == [True] * 5
    # Each action's height and its result's, in one frame (two if the list's width changed
    # meanwhile); read again at each result added, they were 60.
    assert found["reads"] <= 2 * 2 * 5
