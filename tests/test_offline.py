"""Agents on weak Wi-Fi (issue 36, item 3): the site installs as an app, and its service
worker keeps the shell, search and the pages opened on the device. With the network cut
after one visit, search answers and the pages kept open, saying when they were fetched; a
new build's worker replaces the copy whole; ``offline_precache`` keeps every page at once;
the pages stay under the site's Content-Security-Policy; ``mkdocs serve`` leaves no worker.
The page fixture runs no service worker (see conftest): these tests make their own
contexts, in which it runs."""

from __future__ import annotations

import datetime
import functools
import hashlib
import http.server
import json
import os
import shutil
import subprocess
import threading
import time
import urllib.request
from pathlib import Path

import pytest
from conftest import BIN, keep_inside, mkdocs
from test_accessibility import serious, violations
from test_serve import free_port, wait_for

from build_tools.render.labels import load_labels
from build_tools.search import browser

TEXT = load_labels("id")["offline"]
RESULTS = ".sop-search__results:not([hidden]):not([aria-busy]) [role=option]"
#: Every policy violation of a page, from its first script on.
WATCH_POLICY = """window.__violations = [];
document.addEventListener('securitypolicyviolation', (e) =>
  window.__violations.push(e.violatedDirective + ' ' + e.blockedURI));"""


class _Switchable(http.server.SimpleHTTPRequestHandler):
    """Serves the folder its server names at the time of each request (a deploy)."""

    def __init__(self, request, client, server) -> None:  # noqa: ANN001
        super().__init__(request, client, server, directory=str(server.folder))

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


class _Watched(http.server.SimpleHTTPRequestHandler):
    """Serves a site noting when each request came and whether the service worker made it
    (its fetches name the worker as their referrer); the worker's are slowed, as copying a
    big site over Wi-Fi is, and so are the page's search fragments while its server's
    ``answer_delay`` is above 0 (a search kept under way; ``answered``: when the last was
    sent)."""

    def do_GET(self) -> None:
        by_worker = self.headers.get("Referer", "").endswith(browser.SERVICE_WORKER_URI)
        self.server.log.append((time.monotonic(), self.path, by_worker))
        if by_worker:
            time.sleep(0.2)
        elif "/pagefind/fragment/" in self.path:
            time.sleep(self.server.answer_delay)
        super().do_GET()
        if not by_worker and "/pagefind/fragment/" in self.path:
            self.server.answered = time.monotonic()

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


def serve_switchable(folder: Path, port: int = 0) -> tuple[str, http.server.HTTPServer]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), _Switchable)
    server.folder = folder
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_address[1]}/", server


@pytest.fixture
def device(browser):
    """A browser context as an agent's device: the service worker runs, nothing outside
    127.0.0.1 is reached, every page watched for policy violations."""
    context = browser.new_context(viewport={"width": 1280, "height": 900},
                                  service_workers="allow")
    context.outside = keep_inside(context)
    context.add_init_script(WATCH_POLICY)
    yield context
    context.close()


def until(page, predicate: str, arg: object = None, timeout: float = 60) -> None:
    """Poll ``predicate`` (an async function) in the page until it gives true (Playwright's
    wait_for_function takes the promise it returns for true at once)."""
    from playwright.sync_api import Error

    deadline = time.monotonic() + timeout
    while True:
        try:
            if page.evaluate(predicate, arg):
                return
        except Error as error:  # the worker reloaded the page meanwhile: ask the new one
            if "destroyed" not in str(error) and "navigat" not in str(error):
                raise
        assert time.monotonic() < deadline, f"not within {timeout} s: {predicate}"
        page.wait_for_timeout(200)


def installed(page) -> list[str]:
    """Once the page's worker has installed and controls it: the names of the copies."""
    page.wait_for_function("() => navigator.serviceWorker.controller !== null",
                           timeout=60_000)
    return page.evaluate("caches.keys()")


def kept(page, url: str) -> str | None:
    """The text the device's copy holds for ``url``, if any."""
    return page.evaluate("""async (url) => {
        for (const name of await caches.keys()) {
          const found = await (await caches.open(name)).match(url);
          if (found) { return found.text(); }
        }
        return null; }""", url)


def listed(url: str) -> dict:
    """The build's list of what a device keeps, as the site serves it."""
    with urllib.request.urlopen(url + browser.OFFLINE_URI, timeout=10) as response:
        return json.loads(response.read().decode("utf-8"))


def search_and_open(page, query: str, ending: str) -> None:
    page.fill(".sop-search__input", query)
    page.wait_for_selector(RESULTS, timeout=20_000)
    link = page.locator(f"{RESULTS}[href$='{ending}']").first
    link.click()
    page.wait_for_url(f"**/{ending}")


def notice(page) -> tuple[str | None, str]:
    page.wait_for_selector("#sop-offline")
    box = page.locator("#sop-offline")
    return box.get_attribute("data-kind"), " ".join(box.inner_text().split())


def test_after_one_visit_search_answers_offline_and_the_pages_opened_open(
        device, site_url: str) -> None:
    page = device.new_page()
    page.goto(site_url, wait_until="networkidle")
    (copy,) = installed(page)
    assert copy == f"{browser.CACHE_PREFIX} / {listed(site_url)['version']}"
    search_and_open(page, "paket belum tiba", "sop/cs-comp-003/#kabari-pelacakan")
    until(page, "url => caches.match(url).then(Boolean)", site_url + "sop/cs-comp-003/")
    before = datetime.datetime.now(datetime.UTC)

    device.set_offline(True)
    page.goto(site_url + "sop/cs-chat-001/")  # never opened: not on the device
    assert notice(page) == ("copy", " ".join(TEXT["unsaved"].split()))
    search_and_open(page, "paket belum tiba", "sop/cs-comp-003/#kabari-pelacakan")
    assert page.locator("h1").inner_text().startswith("Menangani keluhan pengiriman")
    kind, text = notice(page)
    assert kind == "copy" and text.startswith(TEXT["saved"].split("{date}")[0].strip())
    stamp = page.locator("#sop-offline time").get_attribute("datetime")
    taken = datetime.datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    assert before - datetime.timedelta(minutes=5) < taken <= before
    assert serious(violations(page, "#sop-offline")) == []
    assert page.locator(".sop-search__input").is_visible()  # and search still answers
    page.fill(".sop-search__input", "minta bukti foto rusak")
    page.wait_for_selector(RESULTS, timeout=20_000)
    assert page.evaluate("window.__violations") == []
    assert device.outside == []


def test_copying_the_site_waits_while_the_agent_searches(device, site: Path) -> None:
    """The worker is registered once a first search has answered, and its copying holds
    while the page searches: on a two-core PC or a phone, fetching and checking the files
    of a big site took the time a first answer needs (issue 36's benchmark)."""
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(_Watched, directory=str(site)))
    server.log, server.answer_delay = [], 2.0
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/"
    try:
        page = device.new_page()
        page.goto(url + "sop/cs-chat-001/?q=paket+belum+tiba")  # searched as it loads
        page.wait_for_selector(RESULTS, timeout=20_000)
        page.wait_for_function("navigator.serviceWorker.getRegistration().then(Boolean)")
        worker_script = [when for when, path, _ in server.log
                         if path.startswith("/" + browser.SERVICE_WORKER_URI)]
        assert worker_script and min(worker_script) > server.answered

        deadline = time.monotonic() + 20
        while not any(by_worker for *_, by_worker in server.log):  # the copying started
            assert time.monotonic() < deadline, "the worker fetched nothing"
            page.wait_for_timeout(50)
        page.fill(".sop-search__input", "")  # the earlier results gone
        page.wait_for_selector(RESULTS, state="detached")
        start = time.monotonic()
        page.fill(".sop-search__input", "minta bukti foto rusak")
        page.wait_for_selector(RESULTS, timeout=20_000)
        end = server.answered  # the answer's last fragment sent
        # The search under way: from its first request (the box has told the worker by then,
        # and a fetch the worker began just before may still arrive) to its answer.
        asked = min(when for when, path, by_worker in server.log
                    if when > start and not by_worker and path.startswith("/pagefind/"))
        assert end - asked > 1.5  # held back: a search long under way
        during = [path for when, path, by_worker in server.log
                  if by_worker and asked + 0.3 < when < end]
        assert during == []
        server.answer_delay = 0
        installed(page)  # and the copying went on, whole, once the answer was shown
        assert any(by_worker and when > end for when, _, by_worker in server.log)
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize("path", ["", "sop/cs-comp-002/", "templates/", "channels/",
                                  "training/orientasi-agen-baru/", "404.html"])
def test_the_policy_holds_on_pages_the_worker_serves(device, site_url: str, path: str) -> None:
    page = device.new_page()
    page.goto(site_url + path, wait_until="networkidle")
    installed(page)
    page.reload(wait_until="networkidle")  # now served by the worker
    assert page.evaluate("navigator.serviceWorker.controller.scriptURL") == \
        site_url + browser.SERVICE_WORKER_URI
    device.set_offline(True)
    page.goto(site_url + path, wait_until="load")
    page.wait_for_timeout(300)
    assert page.evaluate("window.__violations") == []
    assert device.outside == []


def test_a_copy_changed_by_another_script_of_the_origin_is_never_given(
        device, site_url: str) -> None:
    """The Cache API is the origin's: on a shared origin (``org.github.io/<repo>/``) a
    sibling site's script can write into this site's copy. What does not match the build's
    list is dropped, online and offline, never given to a page."""
    page = device.new_page()
    page.goto(site_url, wait_until="networkidle")
    (copy,) = installed(page)
    until(page, "url => caches.match(url).then(Boolean)", site_url + browser.OFFLINE_URI)
    page.reload(wait_until="networkidle")  # served once by the worker, then changed under it
    script = site_url + browser.OFFLINE_MODULE
    page.evaluate("""async ([name, script, home]) => {
        const cache = await caches.open(name);
        const js = {headers: {"content-type": "text/javascript"}};
        const html = {headers: {"content-type": "text/html"}};
        await cache.put(script, new Response("window.__tampered = 1;", js));
        await cache.put(home, new Response("<h1>DIUBAH</h1><script src=x.js></script>", html));
    }""", [copy, script, site_url])
    device.set_offline(True)
    page.reload(wait_until="load")
    page.wait_for_timeout(300)
    assert "DIUBAH" not in page.content() and page.evaluate("window.__tampered") is None
    assert kept(page, script) is None and kept(page, site_url) is None
    device.set_offline(False)
    page.goto(site_url, wait_until="networkidle")
    assert page.evaluate("window.__tampered") is None
    until(page, "url => caches.match(url).then(r => r && r.text())"
                ".then(t => Boolean(t) && !t.includes('__tampered'))", script)


def test_the_site_installs_as_an_app(device, site_url: str) -> None:
    page = device.new_page()
    page.goto(site_url, wait_until="networkidle")
    installed(page)
    session = device.new_cdp_session(page)
    manifest = session.send("Page.getAppManifest")
    assert manifest["errors"] == []
    data = json.loads(manifest["data"])
    assert data["name"] == "Basis Pengetahuan SOP Layanan Pelanggan"
    assert data["start_url"] == "./" and data["display"] == "standalone"
    errors = {error["errorId"] for error in
              session.send("Page.getInstallabilityErrors")["installabilityErrors"]}
    assert errors <= {"in-incognito"}  # a test's browser context is a private window


@pytest.mark.slow
def test_a_new_build_replaces_the_copy_whole_and_precaches_every_page(
        device, site: Path, project: Path, tmp_path: Path) -> None:
    """Build B (an SOP retitled, ``offline_precache: true``) deployed over build A: B's
    worker takes over, the device holds B's copy alone, the page opened under A comes
    along as B has it, and every page of B opens with no network."""
    sop = project / "sops" / "CS-COMP-003.yaml"
    sop.write_text(sop.read_text("utf-8").replace(
        "title: Menangani keluhan pengiriman terlambat atau salah barang",
        "title: Menangani paket terlambat (versi B)"), "utf-8")
    config = project / "mkdocs.yml"
    config.write_text(config.read_text("utf-8").replace(
        "      training_dir: training\n",
        "      training_dir: training\n      offline_precache: true\n"), "utf-8")
    build_b = tmp_path / "site-b"
    result = mkdocs("build", "--strict", "--site-dir", str(build_b), cwd=project)
    assert result.returncode == 0, result.stderr
    assert "offline: a device keeps every page" in result.stderr
    version_a = json.loads((site / browser.OFFLINE_URI).read_text("utf-8"))["version"]
    version_b = json.loads((build_b / browser.OFFLINE_URI).read_text("utf-8"))["version"]
    assert version_a != version_b

    url, server = serve_switchable(site)
    try:
        page = device.new_page()
        page.goto(url, wait_until="networkidle")
        assert installed(page) == [f"{browser.CACHE_PREFIX} / {version_a}"]
        page.goto(url + "sop/cs-comp-003/", wait_until="networkidle")
        until(page, "u => caches.match(u).then(Boolean)", url + "sop/cs-comp-003/")

        server.folder = build_b  # the deploy
        page.goto(url, wait_until="networkidle")
        until(page, "v => caches.keys().then(k => k.length === 1 && k[0].endsWith(' ' + v))",
              version_b)
        assert notice(page) == ("updated", f"{TEXT['updated']} {TEXT['reload']}")
        assert serious(violations(page, "#sop-offline")) == []
        held = kept(page, url + "sop/cs-comp-003/")
        assert "(versi B)" in held, held[held.find("<title>"):held.find("</title>")]

        device.set_offline(True)
        for path in ("sop/cs-comp-002/", "sop/cs-comp-003/", "channels/"):
            page.goto(url + path)
            assert notice(page)[0] == "copy" and "belum tersimpan" not in notice(page)[1]
        assert "(versi B)" in page.goto(url + "sop/cs-comp-003/").text()
        assert page.evaluate("window.__violations") == []
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.slow
def test_mkdocs_serve_leaves_no_worker_and_no_copy(device, site: Path, project: Path) -> None:
    """A worker a built site left on this origin is gone once the writer serves the project
    there: the served pages register none and the worker served removes itself."""
    port = free_port()
    _, built = serve_switchable(site, port)
    page = device.new_page()
    try:
        page.goto(f"http://127.0.0.1:{port}/", wait_until="networkidle")
        assert installed(page)
    finally:
        built.shutdown()
        built.server_close()
    url = f"http://127.0.0.1:{port}/"
    served = subprocess.Popen(
        [str(BIN / "mkdocs"), "serve", "--livereload", "--dirty", "--dev-addr",
         f"127.0.0.1:{port}"], cwd=project, env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for(url, "livereload", timeout=120)
        page.goto(url + "sop/cs-comp-002/", wait_until="load")
        # Once the worker is gone, a page it still controlled loads itself again (offline.js):
        # wait for that too, or it races the next navigation.
        until(page, """async () => (await navigator.serviceWorker.getRegistrations())
            .length === 0 && (await caches.keys()).length === 0
            && navigator.serviceWorker.controller === null""")
        page.goto(url + "channels/", wait_until="load")
        page.wait_for_timeout(1500)  # idle: a page that registered would have by now
        assert page.evaluate("navigator.serviceWorker.controller") is None
        assert page.evaluate("navigator.serviceWorker.getRegistrations()"
                             ".then(found => found.length)") == 0
        assert "livereload" in page.content()
    finally:
        served.terminate()
        served.wait(timeout=30)


def test_what_a_device_keeps_of_a_build(site: Path, tmp_path: Path) -> None:
    copy = browser.offline_copy(site, every_page=False)
    pagefind = [key for key in copy.precache if key.startswith("pagefind/")]
    assert any(key.startswith("pagefind/index/") for key in pagefind)
    assert any(key.startswith("pagefind/fragment/") for key in pagefind)
    assert not any("-ui." in key for key in pagefind)
    assert {"", "404.html", browser.SETTINGS_URI, browser.LEXICON_URI, browser.WEB_MANIFEST_URI,
            browser.SEARCH_ENTRY} <= set(copy.precache)
    assert "sop/cs-comp-002/" in copy.pages and "sop/cs-comp-002/" not in copy.precache
    every = browser.offline_copy(site, every_page=True)
    assert "sop/cs-comp-002/" in every.precache and "channels/" in every.precache
    assert not [key for key in {**every.precache, **every.pages}
                if key.startswith(("latihan/", "handbook/"))]
    assert every.precache_bytes > copy.precache_bytes and copy.page_bytes > 0
    # One byte of one page changes the build's hash, and that page's alone.
    changed = tmp_path / "site"
    shutil.copytree(site, changed)
    page = changed / "sop" / "cs-comp-002" / "index.html"
    page.write_text(page.read_text("utf-8").replace("</body>", " </body>"), "utf-8")
    earlier = changed / "sop" / "cs-comp-002" / "v" / "1.0" / "index.html"  # a version page
    earlier.parent.mkdir(parents=True)
    earlier.write_text(page.read_text("utf-8"), "utf-8")
    assert not [key for key in browser.offline_copy(changed, every_page=True).precache
                if "/v/" in key]  # an earlier version is read at a desk, not kept
    earlier.unlink()
    # What a comment on the home page names is not loaded: a hand-written page's comment
    # must not put pages on every device (an attacker's read found it did).
    home = changed / "index.html"
    home.write_text(home.read_text("utf-8").replace("</body>", (
        '<!-- <link href="sop/cs-comp-003/index.html"> <link href="channels/">'
        '<script src="latihan/cs-comp-001/index.html"></script> --></body>')), "utf-8")
    commented = browser.offline_copy(changed, every_page=False)
    assert not {"sop/cs-comp-003/", "channels/", "latihan/cs-comp-001/"} & set(
        commented.precache)
    home.write_text(home.read_text("utf-8").replace(" </body>", "</body>").replace(
        "<!--", "").replace("--></body>", "</body>"), "utf-8")  # and a page is never a load
    assert not {"sop/cs-comp-003/", "channels/", "latihan/cs-comp-001/"} & set(
        browser.offline_copy(changed, every_page=False).precache)
    home.write_text((site / "index.html").read_text("utf-8"), "utf-8")
    after = browser.offline_copy(changed, every_page=False)
    assert after.version != copy.version
    assert {key for key in copy.pages if copy.pages[key] != after.pages[key]} == {
        "sop/cs-comp-002/"}
    assert browser.offline_copy(site, every_page=False) == copy  # reproducible
    # The worker names the list it trusts by the hash of the list's bytes.
    listed = (site / browser.OFFLINE_URI).read_bytes()
    told = (site / browser.SERVICE_WORKER_URI).read_text("utf-8").split("\n")[1]
    assert f'"list": "{hashlib.sha256(listed).hexdigest()[:16]}"' in told


def test_where_the_build_gives_no_worker_the_pages_remove_one() -> None:
    assert browser.settings("Asia/Jakarta", offline=False)["offline"]["worker"] is None
    assert browser.settings("Asia/Jakarta", offline=True)["offline"]["worker"] == \
        browser.SERVICE_WORKER_URI
    assert '"version": null' in browser.service_worker(None)
