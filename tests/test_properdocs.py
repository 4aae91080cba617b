"""The site's second build path: ProperDocs, the continuation of MkDocs 1.x, runs the same
plugin, theme and ``mkdocs.yml`` (its command answers ``import mkdocs…`` with its own
modules), builds the same site, and has the live-reload server internals the plugin uses
while serving (:mod:`build_tools.mkdocs.serving`)."""

from __future__ import annotations

import importlib
import re
import wsgiref.util
from pathlib import Path

import pytest
from conftest import BIN, KB, run

#: The one line of a page that names the generator (Material's ``<meta name="generator">``).
GENERATOR = re.compile(rb'\s*<meta name="generator" content="([^"]*)">')
#: What it says under each: Material writes ``mkdocs-`` before the generator's version,
#: which ProperDocs gives as ``ProperDocs 1.6.7``.
GENERATED_BY = {"mkdocs": b"mkdocs-1.6.1, mkdocs-material-9.8.1",
                "properdocs": b"mkdocs-ProperDocs 1.6.7, mkdocs-material-9.8.1"}


def built(site: Path) -> dict[str, bytes]:
    return {path.relative_to(site).as_posix(): path.read_bytes()
            for path in sorted(site.rglob("*")) if path.is_file()}


@pytest.mark.slow
def test_properdocs_builds_the_same_site_as_mkdocs(tmp_path: Path) -> None:
    """Every file of the fixture knowledge base's site is the same, byte for byte, but the
    generator's name in each page's head."""
    sites = {}
    for generator in GENERATED_BY:
        out = tmp_path / generator
        result = run([str(BIN / generator), "build", "--strict", "--site-dir", str(out)],
                     cwd=KB, timeout=300, env_extra={"SOURCE_DATE_EPOCH": "1790000000"})
        assert result.returncode == 0, result.stderr
        sites[generator] = built(out)
    mkdocs, properdocs = sites["mkdocs"], sites["properdocs"]
    assert sorted(mkdocs) == sorted(properdocs)
    pages = [uri for uri in mkdocs if uri.endswith(".html")]
    assert len(pages) > 90 and "sop/cs-comp-002/index.html" in pages
    for generator, site in sites.items():  # the theme's pages; not the redirect pages
        named = [match.group(1) for uri in pages if (match := GENERATOR.search(site[uri]))]
        assert len(named) > 80 and set(named) == {GENERATED_BY[generator]}, generator
    differing = [uri for uri in mkdocs
                 if same(mkdocs[uri]) != same(properdocs[uri])]
    assert differing == []


#: The files that hold hashes of the site's files (the offline copy's list, and the service
#: worker, which names the build by a hash of that list): those of the pages differ with
#: the generator's name in them.
HASHED = re.compile(rb'"[0-9a-f]{16}"')


def same(text: bytes) -> bytes:
    """A file of the site without what differs by the generator that built it."""
    return HASHED.sub(b'""', GENERATOR.sub(b"", text))


@pytest.mark.parametrize("generator", GENERATED_BY)
def test_the_live_reload_server_takes_the_plugins_script_and_rebuild_requests(
        tmp_path: Path, generator: str) -> None:
    """The plugin replaces the server's ``_inject_js_into_html`` (the live-reload script
    as a file, under the site's policy) and asks for rebuilds through its ``_rebuild_cond``
    and ``_want_rebuild`` (see :mod:`build_tools.mkdocs.serving`): both servers, MkDocs' and
    ProperDocs', serve a page with the plugin's script and see a saved SOP."""
    from build_tools.mkdocs.serving import FileEvents, livereload_from_file

    livereload = importlib.import_module(f"{generator}.livereload")
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "index.html").write_text("<html><body><p>Beranda</p></body></html>")
    (tmp_path / "sops").mkdir()
    server = livereload.LiveReloadServer(lambda: None, "127.0.0.1", 0, str(tmp_path / "site"))
    server.watch(str(tmp_path / "site"))  # as MkDocs watches docs/: pages get the script
    livereload_from_file(server)
    environ = {"PATH_INFO": "/"}
    wsgiref.util.setup_testing_defaults(environ)
    page = b"".join(server.serve_request(environ, lambda status, headers: None))
    assert re.search(rb'<p>Beranda</p><script src="/assets/sop-kb/livereload\.js" '
                     rb'data-epoch="\d+" data-request="\d+"></script></body>', page), page
    assert b"livereload(" not in page  # the server's own inline script is not injected
    events = FileEvents()
    try:
        assert events.watch(server, [tmp_path / "sops"]) == []
        (tmp_path / "sops" / "CS-NEW-001.yaml").write_text("id: CS-NEW-001\n", "utf-8")
        with server._rebuild_cond:
            assert server._rebuild_cond.wait_for(lambda: server._want_rebuild, timeout=10)
    finally:
        events.close()
        server.server_close()
