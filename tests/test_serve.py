"""`mkdocs serve --livereload --dirty` (the README's serve command) rebuilds what an SOP edit
changes: the SOP's page, the pages listing it, and, a moment later, the search index."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import BIN


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fetch(url: str) -> str:
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.read().decode("utf-8")


def wait_for(url: str, text: str, timeout: float = 60) -> str:
    deadline = time.monotonic() + timeout
    last = ""
    while time.monotonic() < deadline:
        try:
            last = fetch(url)
            if text in last:
                return last
        except OSError:
            pass
        time.sleep(0.3)
    raise AssertionError(f"{text!r} did not appear at {url} within {timeout}s")


def page_text(url: str) -> str:
    """The page without the reload script's epoch numbers, which change at every rebuild."""
    return re.sub(r"data-epoch=\"\d+\" data-request=\"\d+\"", "", fetch(url))


@pytest.fixture
def server(project: Path) -> Iterator[str]:
    yield from serve(project)


def serve(project: Path, *options: str, generator: str = "mkdocs") -> Iterator[str]:
    port = free_port()
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    process = subprocess.Popen(
        [str(BIN / generator), "serve", "--livereload", "--dirty", *options, "--dev-addr",
         f"127.0.0.1:{port}"],
        cwd=project, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        yield f"http://127.0.0.1:{port}/"
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


def test_editing_an_sop_rebuilds_the_served_page(project: Path, server: str) -> None:
    url = server + "sop/cs-comp-002/"
    html = wait_for(url, "Menangani keluhan produk rusak")
    assert "livereload" in html  # the browser script that reloads after a rebuild
    path = project / "sops" / "CS-COMP-002.yaml"
    path.write_text(path.read_text("utf-8").replace(
        "title: Menangani keluhan produk rusak", "title: Keluhan barang rusak (diubah)"), "utf-8")
    wait_for(url, "Keluhan barang rusak (diubah)")


def test_an_invalid_edit_keeps_the_preview_running(project: Path, server: str) -> None:
    wait_for(server + "sop/cs-chat-001/", "Melayani percakapan live chat")
    (project / "sops" / "broken.yaml").write_text("id: [\n", "utf-8")
    chat = project / "sops" / "CS-CHAT-001.yaml"
    chat.write_text(chat.read_text("utf-8").replace(
        "title: Melayani percakapan live chat", "title: Live chat (diubah)"), "utf-8")
    wait_for(server + "sop/cs-chat-001/", "Live chat (diubah)")


def test_a_dirty_rebuild_updates_the_pages_listing_the_sop(project: Path, server: str) -> None:
    wait_for(server + "sop/cs-comp-002/", "Menangani keluhan produk rusak")
    untouched = page_text(server + "sop/cs-comp-003/")  # does not name CS-COMP-002
    navigation = fetch(server + "sop/cs-chat-001/").split('class="md-nav__list"', 1)[1]
    path = project / "sops" / "CS-COMP-002.yaml"
    path.write_text(path.read_text("utf-8").replace(
        "title: Menangani keluhan produk rusak", "title: Produk rusak (judul baru)"), "utf-8")
    wait_for(server + "sop/cs-comp-002/", "Produk rusak (judul baru)")
    wait_for(server + "sop/", "Produk rusak (judul baru)")  # the SOP index, generated
    wait_for(server, "Produk rusak (judul baru)")  # the home page's sop-kb marker list
    assert page_text(server + "sop/cs-comp-003/") == untouched  # not rebuilt
    # CS-CHAT-001 links to CS-COMP-002, so it is rebuilt, with the same navigation (whose
    # pages were not rebuilt) as before.
    wait_for(server + "sop/cs-chat-001/", "Produk rusak (judul baru)")
    assert fetch(server + "sop/cs-chat-001/").split('class="md-nav__list"', 1)[1].startswith(
        navigation.split("</nav>", 1)[0])


@pytest.mark.slow
def test_properdocs_serves_the_preview_as_mkdocs_does(project: Path) -> None:
    """`properdocs serve --livereload --dirty`, the second build path's preview: the same
    live-reload script as a file, and an edit rebuilds the SOP's page and the pages listing
    it, not the others."""
    server = serve(project, generator="properdocs")
    url = next(server)
    try:
        html = wait_for(url + "sop/cs-comp-002/", "Menangani keluhan produk rusak")
        assert re.search(r'<script src="/assets/sop-kb/livereload\.js" data-epoch="\d+"', html)
        assert "livereload(" not in html
        assert '<meta name="generator" content="mkdocs-ProperDocs' in html
        untouched = page_text(url + "sop/cs-comp-003/")
        path = project / "sops" / "CS-COMP-002.yaml"
        path.write_text(path.read_text("utf-8").replace(
            "title: Menangani keluhan produk rusak", "title: Produk rusak (judul baru)"),
            "utf-8")
        wait_for(url + "sop/cs-comp-002/", "Produk rusak (judul baru)")
        wait_for(url + "sop/", "Produk rusak (judul baru)")
        assert page_text(url + "sop/cs-comp-003/") == untouched
    finally:
        server.close()


@pytest.mark.slow
def test_an_edited_theme_override_is_served(project: Path) -> None:
    """The theme's compiled templates are kept between rebuilds; one edited is compiled
    again."""
    overrides = project / "overrides"
    overrides.mkdir()
    override = overrides / "main.html"
    override.write_text('{% extends "base.html" %}\n'
                        '{% block announce %}Pengumuman pertama{% endblock %}\n', "utf-8")
    config = project / "mkdocs.yml"
    config.write_text(config.read_text("utf-8").replace(
        "  name: material\n", "  name: material\n  custom_dir: overrides\n", 1), "utf-8")
    server = serve(project, "--watch-theme")
    url = next(server) + "sop/cs-comp-002/"
    try:
        wait_for(url, "Pengumuman pertama")
        path = project / "sops" / "CS-COMP-002.yaml"  # a rebuild with the theme unchanged
        path.write_text(path.read_text("utf-8").replace(
            "title: Menangani keluhan produk rusak", "title: Produk rusak (diubah)"), "utf-8")
        wait_for(url, "Produk rusak (diubah)")
        override.write_text(override.read_text("utf-8").replace("pertama", "kedua"), "utf-8")
        # --dirty builds again only the pages whose source changed, and the 404 page.
        path.write_text(path.read_text("utf-8").replace("(diubah)", "(lagi)"), "utf-8")
        assert "Pengumuman kedua" in wait_for(url, "Produk rusak (lagi)")
    finally:
        server.close()


def test_search_follows_an_edit_while_serving(project: Path, server: str, page) -> None:
    wait_for(server + "pagefind/pagefind.js", "")
    path = project / "sops" / "CS-COMP-002.yaml"
    path.write_text(path.read_text("utf-8").replace(
        "title: Menangani keluhan produk rusak", "title: Menangani keluhan zirkonia retak"),
        "utf-8")
    wait_for(server + "sop/cs-comp-002/", "zirkonia")
    deadline = time.monotonic() + 60
    while True:
        page.goto(server)
        page.fill(".sop-search__input", "zirkonia")
        results = page.locator(".sop-search__result, .sop-search__none").first
        results.wait_for()
        if "zirkonia" in page.locator(".sop-search .sop-search__results").inner_text().lower():
            break
        assert time.monotonic() < deadline, "the search index did not follow the edit"
        time.sleep(1)


def test_search_copies_of_removed_pages_are_removed(tmp_path: Path) -> None:
    """While serving, search indexes a folder of page copies that follows the site: a page
    gone from the site (an SOP deleted or renamed) leaves it at the next rebuild."""
    from build_tools.search.index import SearchCopies

    copies = SearchCopies(tmp_path, "id")
    for uri in ("sop/a/index.html", "sop/b/index.html", "index.html"):
        copies.write(uri, "Judul", "<p>isi</p>")
    copies.prune({"sop/a/index.html", "index.html"})
    assert sorted(path.relative_to(tmp_path).as_posix() for path in tmp_path.rglob("*.html")) \
        == ["index.html", "sop/a/index.html"]
    copies.write("sop/b/index.html", "Judul", "<p>isi</p>")
    copies.prune({"sop/b/index.html"})
    assert [path.relative_to(tmp_path).as_posix() for path in tmp_path.rglob("*.html")] \
        == ["sop/b/index.html"]


def test_staged_search_copies_are_written_with_their_own_lexicon_and_kept_on_failure(
        tmp_path: Path) -> None:
    """A rebuild stages its pages; the search thread writes them later, each with the root
    words of the build that staged it, and prunes to the latest pages. A flush that fails
    half-way leaves the rest staged, under what was staged since, for the next flush."""
    from build_tools.search.index import SearchCopies
    from build_tools.search.terms import Lexicon

    def copy(uri: str) -> str:
        return (tmp_path / uri).read_text("utf-8")

    copies = SearchCopies(tmp_path, "id")
    copies.write("sop/old/index.html", "Lama", "<p>lama</p>")
    lexicon = Lexicon()
    copies.stage("sop/a/index.html", "A", "<h2>Pengiriman</h2><p>kiriman</p>", 1.0, lexicon)
    copies.stage("sop/b/index.html", "B", "<p>pengiriman tanpa akar</p>", 1.0, None)
    copies.stage("sop/gone/index.html", "Pergi", "<p>hilang</p>")
    assert not (tmp_path / "sop/a/index.html").exists()  # nothing written while staging
    copies.keep({"sop/a/index.html", "sop/b/index.html"})
    copies.flush()
    assert sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*.html")) == [
        "sop/a/index.html", "sop/b/index.html"]
    assert "kirim" in copy("sop/a/index.html") and "kirim" in lexicon.roots
    assert "kirim" not in copy("sop/b/index.html").replace("pengiriman", "")

    class Failing(Lexicon):
        def annotate(self, page_html: str) -> str:
            raise OSError("disk gone")

    copies.stage("sop/a/index.html", "A", "<p>satu</p>", 1.0, None)
    copies.stage("sop/b/index.html", "B", "<p>dua</p>", 1.0, Failing())
    with pytest.raises(OSError):
        copies.flush()
    assert "satu" in copy("sop/a/index.html") and "dua" not in copy("sop/b/index.html")
    copies.stage("sop/b/index.html", "B", "<p>tiga</p>", 1.0, None)  # staged since
    copies.flush()
    assert "tiga" in copy("sop/b/index.html")
    copies.flush()  # nothing left staged: the failed "dua" does not come back over "tiga"
    assert "tiga" in copy("sop/b/index.html")

    # A page of the build under way (a new SOP) is staged while the previous build's flush
    # runs with the previous keep: it is not dropped, and its own build's flush writes it.
    copies.stage("sop/new/index.html", "Baru", "<p>baru</p>")
    copies.flush()
    assert not (tmp_path / "sop/new/index.html").exists()
    copies.keep({"sop/a/index.html", "sop/b/index.html", "sop/new/index.html"})
    copies.flush()
    assert "baru" in copy("sop/new/index.html")


class _Server:
    """What FileEvents touches of MkDocs' LiveReloadServer."""

    def __init__(self) -> None:
        self._rebuild_cond = threading.Condition()
        self._want_rebuild = False
        self.polled: list[str] = []

    def watch(self, path: str) -> None:
        self.polled.append(path)


def test_a_saved_sop_asks_for_a_rebuild_through_file_events(tmp_path: Path) -> None:
    """No wait for MkDocs' next poll: the file event itself asks for the rebuild; reading a
    file (every build reads the SOPs) does not."""
    from build_tools.mkdocs.serving import FileEvents

    (tmp_path / "sops").mkdir()
    (tmp_path / "sops" / "CS-OLD-001.yaml").write_text("id: CS-OLD-001\n", "utf-8")
    server, events = _Server(), FileEvents()
    try:
        assert events.watch(server, [tmp_path / "sops"]) == []  # type: ignore[arg-type]
        with server._rebuild_cond:
            assert not server._want_rebuild
        (tmp_path / "sops" / "CS-OLD-001.yaml").read_text("utf-8")  # a build reads it
        with server._rebuild_cond:
            assert not server._rebuild_cond.wait_for(lambda: server._want_rebuild, timeout=1)
        (tmp_path / "sops" / "CS-NEW-001.yaml").write_text("id: CS-NEW-001\n", "utf-8")
        with server._rebuild_cond:
            assert server._rebuild_cond.wait_for(lambda: server._want_rebuild, timeout=10)
    finally:
        events.close()
    assert server.polled == []


def test_a_folder_file_events_cannot_watch_is_left_to_mkdocs(tmp_path: Path,
                                                             monkeypatch) -> None:
    from watchdog.observers.inotify import InotifyEmitter

    from build_tools.mkdocs.serving import FileEvents

    def refuse(*args: object, **kwargs: object) -> None:
        raise OSError(28, "inotify watch limit reached")

    # Where the system refuses: when a folder's watch starts (inotify_add_watch).
    monkeypatch.setattr(InotifyEmitter, "on_thread_start", refuse)
    server, events = _Server(), FileEvents()
    try:
        assert events.watch(server, [tmp_path]) == [tmp_path]  # type: ignore[arg-type]
    finally:
        events.close()
    assert server.polled == [str(tmp_path)]


def test_what_the_first_build_left_is_set_aside_after_its_garbage_is_collected() -> None:
    """Full collections skip what stays for the session, but the first build's garbage in
    cycles (MkDocs' pages and files point at each other) is freed first, not frozen."""
    import gc
    import weakref

    from build_tools.speed.collector import set_aside as set_aside_what_stays

    class Node:
        other: Node

    kept, garbage = Node(), Node()
    garbage.other = Node()
    garbage.other.other = garbage
    gone = weakref.ref(garbage)
    del garbage
    gc.disable()  # only the call under test may collect
    try:
        set_aside_what_stays()
        assert gone() is None
        assert gc.get_freeze_count() > 0
        assert all(kept is not item for item in gc.get_objects())  # frozen, out of reach
    finally:
        gc.unfreeze()
        gc.enable()


def test_a_generated_page_counts_as_modified_until_a_build_finishes(project: Path) -> None:
    """While serving, a generated page is rebuilt when its text was written since the last
    build that finished: unchanged text is not, and a build that failed leaves its pages
    modified for the next one."""
    from mkdocs.config import load_config

    from build_tools.mkdocs.serving import GeneratedFiles

    config = load_config(str(project / "mkdocs.yml"))
    config.plugins._current_plugin = "sop-kb"  # as in on_files, where MkDocs sets it
    generated = GeneratedFiles()
    generated.serve_dirty()
    try:
        assert generated.file(config, "sop/a.md", "# A\n").is_modified()
        assert generated.file(config, "sop/a.md", "# A\n").is_modified()  # that build failed
        generated.built()
        assert not generated.file(config, "sop/a.md", "# A\n").is_modified()
        assert generated.file(config, "sop/a.md", "# A, edited\n").is_modified()
        assert generated.file(config, "sop/b.md", "# B\n").is_modified()
        generated.built()
        assert not generated.file(config, "sop/a.md", "# A, edited\n").is_modified()
    finally:
        generated.close()


def test_the_preview_runs_under_the_sites_policy_and_still_reloads(project: Path,
                                                                    page) -> None:
    """`mkdocs serve` (how a reviewer previews a pull request) serves the published site's
    policy, without 'unsafe-inline': MkDocs' live-reload script comes as a file, so an edit
    still reloads the open page by itself, while a script a hand-written page holds runs
    neither inline nor as a handler (the build cleans it out of the page, and one put into
    the page in the browser is blocked by the policy)."""
    home = project / "docs" / "index.md"
    home.write_text(home.read_text("utf-8") + "\n<script>window.__ran = 1</script>\n"
                    '<img src="x" onerror="window.__ran = 2">\n', "utf-8")
    server = serve(project)
    url = next(server)
    try:
        html = wait_for(url + "sop/cs-comp-002/", "Menangani keluhan produk rusak")
        policy = re.search(r'Content-Security-Policy" content="([^"]*)"', html).group(1)
        assert "'unsafe-inline'" not in policy
        assert re.search(r'<script src="/assets/sop-kb/livereload\.js" data-epoch="\d+"', html)
        assert "livereload(" not in html  # MkDocs' own inline script is not injected
        page.add_init_script("window.__violations = []; document.addEventListener("
                             "'securitypolicyviolation', e => window.__violations.push("
                             "e.violatedDirective))")
        page.goto(url, wait_until="load")  # not networkidle: live reload keeps a request open
        page.wait_for_timeout(500)
        assert page.evaluate("window.__ran") is None
        assert page.evaluate("window.__violations") == []  # cleaned out, nothing to block
        page.evaluate("""() => {
            document.body.insertAdjacentHTML('beforeend',
                                             '<img src="x" onerror="window.__ran = 3">');
            const script = document.createElement('script');
            script.textContent = 'window.__ran = 4';
            document.body.appendChild(script);
        }""")
        page.wait_for_function("() => ['script-src-elem', 'script-src-attr']"
                               ".every(name => window.__violations.includes(name))",
                               timeout=10_000)
        assert page.evaluate("window.__ran") is None
        page.goto(url + "sop/cs-comp-002/", wait_until="load")
        page.wait_for_timeout(500)
        assert page.evaluate("window.__violations") == []
        path = project / "sops" / "CS-COMP-002.yaml"
        path.write_text(path.read_text("utf-8").replace(
            "title: Menangani keluhan produk rusak", "title: Dimuat ulang sendiri"), "utf-8")
        page.wait_for_function("() => document.querySelector('h1').textContent"
                               ".includes('Dimuat ulang sendiri')", timeout=60_000)
    finally:
        server.close()
