"""What ``mkdocs serve --dirty`` keeps between rebuilds, so an edit rebuilds what it changed.

``--dirty`` rebuilds a page only when its source file is newer than the built page, and
takes generated pages given as text for changed every time. :class:`GeneratedFiles` writes
each generated page to a file of its own instead, only when its text changed, so editing
one SOP rebuilds that SOP's page and the few pages listing it. :class:`CompiledTemplates`
keeps the theme's compiled templates, which each rebuild's new environment would compile
again (0.2 s of every rebuild); Jinja still recompiles an edited one. :class:`FileEvents`
starts a rebuild as soon as an SOP is saved, where MkDocs would notice it at its next poll.
:func:`ready_to_serve` spares the cycle collector's full passes what the first build
left for the session. :func:`livereload_from_file` keeps the preview under the site's
Content-Security-Policy, which allows no inline script.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jinja2.bccache import Bucket, BytecodeCache
from mkdocs.structure.files import File, Files, InclusionLevel

from build_tools.render import listing
from build_tools.speed.collector import set_aside

if TYPE_CHECKING:
    from mkdocs.config.defaults import MkDocsConfig
    from mkdocs.livereload import LiveReloadServer
    from mkdocs.structure.nav import Navigation
    from watchdog.events import FileSystemEvent


class GeneratedFiles:
    """Generated pages as MkDocs files: in memory for a build, in a folder while serving."""

    def __init__(self) -> None:
        self.folder: Path | None = None
        #: uri → the text written to the folder for it.
        self.written: dict[str, str] = {}
        #: Hand-written pages with sop-kb markers (they show SOP data).
        self.marker_pages: set[str] = set()
        #: What was written to the folder and not yet built into the site since.
        self.unbuilt: set[str] = set()

    def serve_dirty(self) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="sopkb-pages-"))

    def file(self, config: MkDocsConfig, uri: str, content: str,
             inclusion: InclusionLevel = InclusionLevel.UNDEFINED) -> File:
        if self.folder is None:
            kind = _ReadOnce if uri.endswith(".md") else File
            return kind.generated(config, uri, content=content, inclusion=inclusion)
        path = self.folder / uri
        if self.written.get(uri) != content:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(content, "utf-8")
            self.written[uri] = content
            self.unbuilt.add(uri)
        file = File.generated(config, uri, abs_src_path=str(path), inclusion=inclusion)
        # Modified: written since the last build that finished, as MkDocs would find from
        # the files' times, without three file times per page twice a rebuild (3,000
        # pages: 70 ms).
        file.is_modified = lambda: uri in self.unbuilt  # type: ignore[method-assign]
        return file

    def built(self) -> None:
        """A build finished: what was written is in the site."""
        self.unbuilt.clear()

    def mark_modified(self, files: Files, everything: bool) -> None:
        """Pages with markers (or all, after a change of search words) are rebuilt."""
        if self.folder is None:
            return
        for file in files.documentation_pages():
            if everything or file.src_uri in self.marker_pages:
                file.is_modified = lambda: True  # type: ignore[method-assign]

    def give_titles(self, navigation: Navigation) -> None:
        """A dirty rebuild reads only changed pages, and MkDocs takes a page's title from its
        text: the generated pages get theirs, or the navigation shows "None"."""
        if self.folder is None:
            return
        for page in navigation.pages:
            if page.file.src_uri in self.written:
                page.title = listing.title(self.written[page.file.src_uri]) or page.title

    def close(self) -> None:
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)


def ready_to_serve(server: LiveReloadServer) -> None:
    """The first build is done and ``server`` about to serve it: what it left (the caches
    above, the catalog's files, the compiled templates) set aside from the cycle collector
    (:func:`build_tools.speed.collector.set_aside`)."""
    livereload_from_file(server)
    set_aside()


class _ReadOnce(File):
    """A generated page in memory whose text is let go once MkDocs has read it. MkDocs keeps
    its own copy (the Markdown without its front matter, then the HTML) to the end of the
    build, and with this one too a build held every generated page twice (a tenth of its
    memory). Each build makes its files anew; a second read would fail on MkDocs' assertion
    that a file without content has a path."""

    @property
    def content_string(self) -> str:
        content = File.content_string.fget(self)  # type: ignore[attr-defined]
        self._content = None
        return content  # type: ignore[no-any-return]

    @content_string.setter
    def content_string(self, value: str) -> None:
        File.content_string.fset(self, value)  # type: ignore[attr-defined]


class CompiledTemplates(BytecodeCache):
    """Compiled templates, in memory for one ``mkdocs serve`` (each keyed by Jinja on its
    name and checked against its source's checksum)."""

    def __init__(self) -> None:
        self._code: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        if bucket.key in self._code:
            bucket.bytecode_from_string(self._code[bucket.key])

    def dump_bytecode(self, bucket: Bucket) -> None:
        self._code[bucket.key] = bucket.bytecode_to_string()


#: Where the preview's live-reload script is served from (a file of the site while serving).
LIVERELOAD_SCRIPT = "assets/sop-kb/livereload.js"


def livereload_script() -> str:
    """MkDocs' live-reload script, as a file: it reads the two numbers MkDocs would write into
    it from its own ``<script>`` element (made from MkDocs' own text, so it stays in step)."""
    from mkdocs.livereload import _SCRIPT_TEMPLATE

    return _SCRIPT_TEMPLATE.substitute(
        epoch="Number(document.currentScript.dataset.epoch)",
        request_id="Number(document.currentScript.dataset.request)")


def livereload_from_file(server: LiveReloadServer) -> None:
    """Make ``server`` load the live-reload script from :data:`LIVERELOAD_SCRIPT` instead of
    writing it inline into every page it serves (MkDocs' ``_inject_js_into_html``, MkDocs
    1.x being no longer developed): the preview then runs under the same policy as the
    published site, where an inline script in a page (one a pull request put into a
    hand-written page, say) does not run."""
    source = f"{server.mount_path.rstrip('/')}/{LIVERELOAD_SCRIPT}"

    def inject(content: bytes, epoch: int) -> bytes:
        end = content.rfind(b"</body>")
        end = len(content) if end < 0 else end
        tag = (f'<script src="{source}" data-epoch="{epoch}" '
               f'data-request="{time.monotonic_ns() // 1_000_000}"></script>').encode()
        return content[:end] + tag + content[end:]

    server._inject_js_into_html = inject  # type: ignore[method-assign]


#: The file events that are changes (watchdog's names), not reads.
CHANGES = frozenset({"created", "modified", "moved", "deleted", "closed"})


class FileEvents:
    """The plugin's folders (SOPs, reference, training, search words) watched through the
    system's file events (inotify on Linux), not MkDocs' polling of every file twice a
    second: a saved SOP starts its rebuild at once instead of up to half a second later.

    MkDocs has no public call to ask for a rebuild; this sets the two attributes its own
    watch callback sets (``mkdocs.livereload.LiveReloadServer.watch``; MkDocs 1.x is no
    longer developed). A folder that cannot be watched so (no inotify, its limit reached)
    is left to MkDocs' polling."""

    def __init__(self) -> None:
        self.observer: Any = None

    def watch(self, server: LiveReloadServer, paths: list[Path]) -> list[Path]:
        """Watch ``paths`` for ``server``; those left to MkDocs' own watch."""
        from watchdog.events import FileSystemEventHandler
        from watchdog.observers import Observer

        def changed(event: FileSystemEvent) -> None:
            # Not reads: inotify also reports files opened and closed unwritten, and every
            # build reads the SOPs.
            if event.is_directory or event.event_type not in CHANGES:
                return
            with server._rebuild_cond:
                server._want_rebuild = True
                server._rebuild_cond.notify_all()

        handler = FileSystemEventHandler()
        handler.on_any_event = changed  # type: ignore[method-assign]
        polled = []
        # Started first, so that each folder's watch starts as it is added and a refusal
        # (the inotify watch limit) is raised here, not later in the observer's thread.
        self.observer = Observer()
        self.observer.start()
        for path in paths:
            try:
                self.observer.schedule(handler, str(path), recursive=path.is_dir())
            except OSError:
                polled.append(path)
        for path in polled:
            server.watch(str(path))
        return polled

    def close(self) -> None:
        if self.observer is not None:
            self.observer.stop()
            self.observer = None
