"""Benchmark: what the service worker adds to an agent's first visit and gives a repeat
visit, at N synthetic SOPs (issue 36), in headless Debian chromium.

    .venv/bin/python benchmarks/offline.py                  # N = 1,000, 3 rounds
    .venv/bin/python benchmarks/offline.py --count 100 --rounds 1   # a smoke test

One site is built (the plugin's defaults: ``offline`` on, ``offline_precache`` off) and
served by a server that compresses text as GitHub Pages does (gzip), sends
``Cache-Control: max-age=600`` as it does, counts the bytes it sends and can play a weak
link (a bandwidth shared by every request, worker's included, and a latency per request).
Each round opens the home page in a fresh browser context with the worker blocked (the
site as it was) and one with it allowed, and measures, as ``run.py`` times a query (typed a
second after the page loaded):

* first visit: the time to the first result of a first query, the bytes sent by then
  (the worker's precache competes with the query's own requests), the bytes of the whole
  visit (with the worker: until its copy is whole) and how long the worker took to have it;
* repeat visit (a new tab of the same browser, the first's caches kept): the time to the
  first result and the bytes sent; within the browser cache's 10 minutes, and after;
* with the worker, the network cut after the first visit: the time to the first result.

Prints the medians and writes them as JSON (``--json``, default
benchmarks/offline.json). The precache's size with and without ``offline_precache`` comes
from the build's list (``offline.json``) and :func:`build_tools.search.browser.offline_copy`.
"""

from __future__ import annotations

import argparse
import email.utils
import functools
import gzip
import http.server
import json
import mimetypes
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import BIN, ENV, ROOT, TIME_QUERY, machine, make_project  # noqa: E402

from build_tools.search import browser as site_files  # noqa: E402

#: Types the server compresses, as GitHub Pages does.
COMPRESSED = ("text/", "application/javascript", "application/json", "image/svg+xml",
              "application/manifest+json")
#: A weak link: an agent's phone on a busy shop's Wi-Fi (2 Mbit/s down, 100 ms a request).
WEAK = {"bandwidth": 250_000, "latency": 0.1}
#: The links measured: the loopback; the weak link with a repeat visit within the browser
#: cache's 10 minutes; the weak link once those have passed (every file asked again: the
#: host answers 304 Not Modified, at a latency each).
LINKS = {"local": {}, "weak": WEAK, "weak_cache_expired": {**WEAK, "cache_control": "no-cache"}}


class Link:
    """A bandwidth every response shares (bytes/s; 0: none), a latency per request, and
    how long a browser may keep a response without asking again (GitHub Pages: 600 s)."""

    def __init__(self, bandwidth: float = 0, latency: float = 0,
                 cache_control: str = "max-age=600") -> None:
        self.bandwidth, self.latency, self.cache_control = bandwidth, latency, cache_control
        self.lock = threading.Lock()
        self.free_at = 0.0
        self.sent = 0

    def send(self, size: int) -> None:
        with self.lock:
            self.sent += size
            if not self.bandwidth:
                return
            start = max(time.monotonic(), self.free_at)
            self.free_at = start + size / self.bandwidth
            wait = self.free_at - time.monotonic()
        if wait > 0:
            time.sleep(wait)


class Pages(http.server.SimpleHTTPRequestHandler):
    """The built site as a static host serves it, through the server's :class:`Link`."""

    protocol_version = "HTTP/1.1"
    packed: dict[str, bytes] = {}

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:  # noqa: N802 - the name http.server calls
        link: Link = self.server.link  # type: ignore[attr-defined]
        time.sleep(link.latency)
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            path = path / "index.html"
        if not path.is_file():
            self.send_error(404)
            return
        modified = int(path.stat().st_mtime)
        since = self.headers.get("If-Modified-Since")
        if since and email.utils.parsedate_to_datetime(since).timestamp() >= modified:
            self.send_response(304)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        body = path.read_bytes()
        packed = kind.startswith(COMPRESSED) and "gzip" in self.headers.get("Accept-Encoding", "")
        if packed:
            body = self.packed.setdefault(str(path), gzip.compress(body, 6, mtime=0))
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Last-Modified", email.utils.formatdate(modified, usegmt=True))
        self.send_header("Cache-Control", link.cache_control)
        if packed:
            self.send_header("Content-Encoding", "gzip")
        self.end_headers()
        for at in range(0, len(body), 16_384):
            chunk = body[at:at + 16_384]
            link.send(len(chunk))
            self.wfile.write(chunk)


def serve(site: Path, link: Link) -> tuple[str, http.server.ThreadingHTTPServer]:
    mimetypes.add_type("application/manifest+json", ".webmanifest")
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0),
                                             functools.partial(Pages, directory=str(site)))
    server.link = link  # type: ignore[attr-defined]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_address[1]}/", server


#: Whether the worker's copy is whole (its list is put last) and controls the page.
COPY_WHOLE = """async (list) => navigator.serviceWorker.controller !== null &&
  (await caches.keys()).length === 1 && Boolean(await caches.match(list))"""


def visit(browser, url: str, link: Link, worker: bool) -> dict[str, float]:
    """One round's visits with the worker allowed or blocked (see the module docstring)."""
    context = browser.new_context(service_workers="allow" if worker else "block")
    found: dict[str, float] = {}
    try:
        link.sent = 0
        started = time.perf_counter()
        page = context.new_page()
        page.goto(url, wait_until="load")
        page.wait_for_timeout(1000)
        found["first_query_ms"] = page.evaluate(TIME_QUERY, "pengiriman")
        found["first_result_kb"] = link.sent / 1024
        if worker:
            while not page.evaluate(COPY_WHOLE, url + site_files.OFFLINE_URI):
                page.wait_for_timeout(200)
            found["copy_whole_s"] = time.perf_counter() - started
        else:
            page.wait_for_load_state("networkidle")
        found["first_visit_kb"] = link.sent / 1024
        link.sent = 0
        again = context.new_page()
        again.goto(url, wait_until="load")
        again.wait_for_timeout(1000)
        found["repeat_query_ms"] = again.evaluate(TIME_QUERY, "pengiriman")
        again.wait_for_load_state("networkidle")
        found["repeat_visit_kb"] = link.sent / 1024
        if worker:
            context.set_offline(True)
            cut = context.new_page()
            cut.goto(url, wait_until="load")
            cut.wait_for_timeout(1000)
            found["offline_query_ms"] = cut.evaluate(TIME_QUERY, "pengiriman")
    finally:
        context.close()
    return found


def bench_update(project: Path) -> dict:
    """What a deploy that changes one SOP's text costs a device that holds the previous copy:
    the files of the new precache whose bytes changed (the worker takes the others from its
    earlier copy), against the whole precache."""
    site = project / "site"
    before = site_files.offline_copy(site, every_page=False)
    sop = next(iter(sorted((project / "sops").glob("*.yaml"))))
    sop.write_text(sop.read_text("utf-8").replace("purpose: ", "purpose: Diperbarui. ", 1),
                   "utf-8")
    subprocess.run([str(BIN / "mkdocs"), "build", "--quiet"], cwd=project, env=ENV, check=True,
                   capture_output=True)
    after = site_files.offline_copy(site, every_page=False)
    changed = [key for key, digest in after.precache.items() if before.precache.get(key) != digest]
    size = sum((site / key.rstrip("/")).stat().st_size if not key.endswith("/") and key
               else (site / key / "index.html").stat().st_size for key in changed)
    return {"update_changed_files": len(changed), "update_changed_mb": round(size / 1e6, 2),
            "update_changed_index_chunks": sum(key.startswith("pagefind/index/")
                                               for key in changed)}


def bench_offline(count: int, work: Path, rounds: int = 3) -> dict:
    """The figures of the module docstring at ``count`` SOPs, on the loopback and on a weak
    link, medians of ``rounds``."""
    from playwright.sync_api import sync_playwright

    project = make_project(work / f"offline-{count}", count)
    subprocess.run([str(BIN / "mkdocs"), "build", "--quiet"], cwd=project, env=ENV, check=True,
                   capture_output=True)
    site = project / "site"
    listed = json.loads((site / site_files.OFFLINE_URI).read_text("utf-8"))
    every = site_files.offline_copy(site, every_page=True)
    result: dict = {"n": count, "precache_files": len(listed["precache"]),
                    "precache_mb": round(site_files.offline_copy(site, False).precache_bytes
                                         / 1e6, 2),
                    "offline_precache_mb": round(every.precache_bytes / 1e6, 1),
                    "offline_json_kb": round((site / site_files.OFFLINE_URI).stat().st_size
                                             / 1024)}
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=shutil.which("chromium"),
                                              args=["--no-sandbox", "--disable-gpu"])
        for name, conditions in LINKS.items():
            link = Link(**conditions)
            url, server = serve(site, link)
            runs: dict[str, list[float]] = {}
            for _ in range(rounds):
                for worker in (False, True):
                    for key, value in visit(chromium, url, link, worker).items():
                        runs.setdefault(f"{'worker' if worker else 'none'}_{key}",
                                        []).append(value)
            server.shutdown()
            server.server_close()
            result[name] = {key: round(statistics.median(values), 1)
                            for key, values in sorted(runs.items())}
            print(name, result[name], flush=True)
        chromium.close()
    result.update(bench_update(project))
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=1000, help="N synthetic SOPs")
    parser.add_argument("--rounds", type=int, default=3, help="rounds per median")
    parser.add_argument("--json", type=Path, default=ROOT / "benchmarks" / "offline.json")
    parser.add_argument("--update-only", action="store_true",
                        help="only what a deploy changing one SOP costs a device (no browser)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="sopkb-offline-") as temp:
        if args.update_only:
            project = make_project(Path(temp) / "update", args.count)
            subprocess.run([str(BIN / "mkdocs"), "build", "--quiet"], cwd=project, env=ENV,
                           check=True, capture_output=True)
            measured = {"n": args.count, **bench_update(project)}
        else:
            measured = bench_offline(args.count, Path(temp), args.rounds)
        figures = {"machine": machine(), "load": os.getloadavg(), **measured}
    args.json.write_text(json.dumps(figures, indent=2) + "\n", "utf-8")
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
