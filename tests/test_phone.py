"""Agents on a phone (issue 36, item 4): every page type at 360 and 390 px wide reads without
sideways scrolling (a table may scroll inside itself, as a keyboard stop), axe-core finds
no serious or critical violation there, controls are 24 px targets at least (WCAG 2.2,
2.5.8), links in a row stand apart and the SOP header's links wrap between words."""

from __future__ import annotations

import pytest
from test_accessibility import AXE, PAGE_TYPES, serious

WIDTHS = [360, 390]
#: The axe-core rules a narrow screen can break (the whole set runs on every page type at
#: desktop width in test_accessibility.py): a table scrolling inside itself must be a
#: keyboard stop; a small target needs room around it.
NARROW_RULES = ["target-size", "scrollable-region-focusable", "meta-viewport"]

#: Controls of ours (and the theme's) that stand on their own, not inside a sentence: each a
#: 24 × 24 px target at least.
CONTROLS = (".sop-step-link, .sop-card-links > a, .sop-search__input, .md-code__button, "
            ".md-header__button, .sop-home-search input, .sop-home-search button, "
            ".sop-search__copy, .sop-offline__reload")

SMALL_CONTROLS = """selector => Array.from(document.querySelectorAll(selector))
    .filter(e => e.offsetParent !== null)
    .map(e => [e, e.getBoundingClientRect()])
    .filter(([e, r]) => r.width < 24 || r.height < 24)
    .map(([e, r]) => e.className + ' ' + Math.round(r.width) + 'x' + Math.round(r.height))"""

#: Elements reaching past the screen's right edge, but for what an ancestor clips or scrolls
#: (a table scrolling inside itself, the title the theme slides in) and the closed drawer.
WIDE = """width => {
  const clipped = (e) => {
    for (let up = e.parentElement; up; up = up.parentElement) {
      if (getComputedStyle(up).overflowX !== 'visible' &&
          up.getBoundingClientRect().right <= width + 1) { return true; }
    }
    return false;
  };
  return Array.from(document.querySelectorAll('body *'))
    .filter(e => e.getBoundingClientRect().right > width + 1)
    .filter(e => e.offsetParent !== null && !e.closest('.md-sidebar') && !clipped(e))
    .map(e => e.tagName + '.' + e.className).slice(0, 5); }"""


@pytest.fixture(params=WIDTHS, ids=[f"{width}px" for width in WIDTHS])
def small_phone(browser, request):
    width = request.param
    context = browser.new_context(viewport={"width": width, "height": 780}, is_mobile=True,
                                  has_touch=True, device_scale_factor=2,
                                  service_workers="block")
    page = context.new_page()
    yield page
    context.close()


@pytest.mark.parametrize("kind", list(PAGE_TYPES))
def test_every_page_type_reads_on_a_phone_without_sideways_scroll(small_phone, site_url: str,
                                                                  kind: str) -> None:
    page = small_phone
    page.goto(site_url + PAGE_TYPES[kind], wait_until="load")
    page.wait_for_timeout(300)  # the page's tools look at its tables once it has loaded
    width = page.evaluate("window.innerWidth")
    assert width in WIDTHS
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert page.evaluate(WIDE, width) == []
    assert page.evaluate(SMALL_CONTROLS, CONTROLS) == []
    found = AXE.run(page, options={"runOnly": {"type": "rule", "values": NARROW_RULES}})
    assert serious(found.response["violations"]) == []


def test_the_sop_header_links_wrap_between_words_and_links_in_a_row_stand_apart(
        small_phone, site_url: str) -> None:
    page = small_phone
    page.goto(site_url + "sop/cs-socmed-001/", wait_until="networkidle")
    split = page.evaluate("""() => {
        const split = [];
        document.querySelectorAll('table.sop-meta td a').forEach((link) => {
          const text = link.firstChild;
          let at = 0;
          for (const word of text.textContent.split(' ')) {
            const range = document.createRange();
            range.setStart(text, at);
            range.setEnd(text, at + word.length);
            if (range.getClientRects().length > 1) { split.push(word); }
            at += word.length + 1;
          }
        });
        return split; }""")
    assert split == []
    assert page.locator("table.sop-meta td a").count() >= 2
    # Running text: the comma after a channel stands right after it, on its line (as cells
    # of a flex row, each link was a column of its own, "media / sosial", the comma apart).
    gaps = page.evaluate("""() => Array.from(document.querySelectorAll('table.sop-meta td a'))
        .filter(link => link.nextSibling && link.nextSibling.nodeType === Node.TEXT_NODE)
        .map((link) => {
          const rects = link.getClientRects();
          const last = rects[rects.length - 1];
          const range = document.createRange();
          range.selectNodeContents(link.nextSibling);
          const comma = range.getClientRects()[0];
          return [Math.round(comma.left - last.right), Math.round(comma.top - last.top)]; })""")
    assert gaps and all(abs(dx) <= 2 and abs(dy) <= 2 for dx, dy in gaps), gaps
    links = page.locator(".sop-card-links > a:visible")
    assert links.count() >= 3
    text = page.locator(".sop-card-links").inner_text()
    assert "A4)Latihan" not in text and "Latihan" in text
    boxes = [links.nth(i).bounding_box() for i in range(links.count())]
    for left, right in zip(boxes, boxes[1:], strict=False):
        same_line = abs(left["y"] - right["y"]) < 4
        assert not same_line or right["x"] - (left["x"] + left["width"]) >= 8, (left, right)
