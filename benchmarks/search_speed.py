"""The search box's speed at N synthetic SOPs, in headless Debian Chromium (``run.py``
runs it; ``offline.py`` times a query the same way): from typing a query to the first
result, the first query and the next ones, and the bytes of index loaded."""

from __future__ import annotations

import shutil
import statistics
from pathlib import Path

#: Milliseconds from typing ``query`` (all at once, with the focus that comes with it) to the
#: first result shown.
TIME_QUERY = """async (query) => {
    const input = document.querySelector('.sop-search__input');
    const panel = document.querySelector('.sop-search__results');
    // Empty the list and its message, not the panel: the box keeps writing into them.
    panel.hidden = true;
    panel.querySelectorAll('.sop-search__list, .sop-search__message')
        .forEach(part => { part.textContent = ''; });
    const start = performance.now();
    input.focus();  // a person clicks or presses / before typing
    input.value = query;
    input.dispatchEvent(new Event('input'));
    while (!panel.querySelector('.sop-search__result, .sop-search__none')) {
        await new Promise(r => setTimeout(r, 2));
    }
    return performance.now() - start;
}"""


def bench_search(count: int, work: Path, repeat: int = 5) -> dict:
    """Time from typing a query to the first result, in headless Debian chromium: medians of
    ``repeat`` fresh browser contexts (nothing cached), with every run of the first queries
    kept, since a reader meets the slow ones too."""
    import functools
    import http.server
    import threading

    from playwright.sync_api import sync_playwright

    site = work / f"build-{count}" / "site"
    if not site.is_dir():
        return {}
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

    handler = functools.partial(Quiet, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/"
    runs: dict[str, list[float]] = {}
    transferred = 0
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=shutil.which("chromium"), args=["--no-sandbox", "--disable-gpu"])
        for _ in range(repeat):
            # A person opens a page and searches a second later: the box has loaded
            # Pagefind once the page was idle.
            context = browser.new_context()
            page = context.new_page()
            page.goto(url, wait_until="networkidle")
            page.wait_for_timeout(1000)
            for label, query in (("first_query_ms", "pengiriman"),
                                 ("next_query_ms", "keluhan"), ("third_query_ms", "refund"),
                                 ("question_ms", "pelanggan minta uang kembali dong")):
                runs.setdefault(label, []).append(page.evaluate(TIME_QUERY, query))
            transferred = page.evaluate("""performance.getEntriesByType('resource')
                .filter(e => e.name.includes('/pagefind/') || e.name.includes('lexicon'))
                .reduce((s, e) => s + (e.transferSize || e.encodedBodySize || 0), 0)""")
            context.close()
            # The worst case: the query typed as soon as the box exists, before the page
            # has finished loading, so Pagefind loads on the focus that comes with it.
            context = browser.new_context()
            cold = context.new_page()
            cold.goto(url, wait_until="commit")
            cold.wait_for_selector(".sop-search__results", state="attached")
            runs.setdefault("first_query_before_load_ms", []).append(
                cold.evaluate(TIME_QUERY, "pengiriman"))
            context.close()
        browser.close()
    server.shutdown()
    timings: dict = {label: round(statistics.median(times)) for label, times in runs.items()}
    for label in ("first_query_ms", "first_query_before_load_ms"):
        timings[label.removesuffix("_ms") + "_runs_ms"] = [round(time) for time in runs[label]]
    timings["search_bytes_loaded_kb"] = round(transferred / 1024)
    return timings
