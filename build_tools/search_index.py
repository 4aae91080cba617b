"""Write the search index of a built site: the lexicon for the search box, then Pagefind.

Pagefind does not read the published pages. It reads a search copy of each page (see
:class:`SearchCopies`): the page's content alone, with the hidden root words and synonyms
that let Indonesian word forms meet (:mod:`build_tools.search_terms`). The published pages
stay free of those word lists and of Pagefind's attributes, and Pagefind parses a fraction
of the HTML it would otherwise.

A build hands each page to :class:`BackgroundIndexer` as soon as MkDocs has rendered it: a
second process adds the root words and feeds Pagefind's indexing service, on the other
processor core, while MkDocs goes on with the next pages. ``mkdocs serve`` keeps the copies
in a folder instead (:class:`SearchCopies`), since a dirty rebuild renders only the pages
that changed.
"""

from __future__ import annotations

import base64
import html
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable, Iterable
from pathlib import Path

from build_tools.output import exchange
from build_tools.search_terms import Lexicon

LEXICON_URI = "assets/sop-kb/lexicon.json"
#: Seconds to wait for any one answer of Pagefind before giving up on it (the plugin's
#: ``search_timeout``).
TIMEOUT = 300.0
PAGEFIND_DIR = "pagefind"


class SearchIndexError(Exception):
    pass


#: The flowchart repeats the steps as SVG text and is never indexed: not worth parsing.
_FLOWCHART = re.compile(r'<div class="sop-flow" data-pagefind-ignore>.*?</div>', re.DOTALL)


def search_copy(language: str, title: str, content: str, weight: float = 1.0) -> str:
    """A page as search should index it: ``content`` (with its hidden word lists) alone."""
    content = _FLOWCHART.sub("", content)
    body = content if weight == 1.0 else f'<div data-pagefind-weight="{weight}">{content}</div>'
    return (f'<!doctype html><html lang="{html.escape(language)}"><head>'
            f'<meta charset="utf-8"><title>{html.escape(title)}</title></head>'
            f'<body><div data-pagefind-body>{body}</div></body></html>')


class SearchCopies:
    """A folder mirroring the site's HTML paths with what search should index of each page.

    Only the copies of pages that changed are written again, and copies of pages that no
    longer exist are removed (:meth:`prune`), so the folder can live as long as a
    ``mkdocs serve`` session and follow its dirty rebuilds.
    """

    def __init__(self, folder: Path, language: str) -> None:
        self.folder = folder
        self.language = language
        #: The ``dest_uri`` of every copy in the folder (it holds nothing else).
        self.written: set[str] = set()

    def write(self, dest_uri: str, title: str, content: str, weight: float = 1.0) -> None:
        """The search copy of the page published at ``dest_uri`` (``sop/x/index.html``)."""
        path = self.folder / dest_uri
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(search_copy(self.language, title, content, weight), "utf-8")
        self.written.add(dest_uri)

    def prune(self, keep: set[str]) -> None:
        """Remove the copies of pages whose ``dest_uri`` is not in ``keep`` (without going
        over the folder: thousands of files, after every rebuild)."""
        for dest_uri in self.written - keep:
            (self.folder / dest_uri).unlink(missing_ok=True)
        self.written &= keep


def write_search_index(site_dir: Path, copies: SearchCopies, lexicon: Lexicon,
                       timeout: float | None = None) -> None:
    """Write ``lexicon.json`` into ``site_dir`` and Pagefind's index of ``copies`` into its
    ``pagefind/`` folder, each replacing the previous one at once (a page being read while
    this runs sees the old index or the new one; see :func:`build_tools.output.exchange`)."""
    write_lexicon(site_dir, lexicon)
    target, following = site_dir / PAGEFIND_DIR, site_dir / f".{PAGEFIND_DIR}-next"
    shutil.rmtree(following, ignore_errors=True)
    run_pagefind(copies.folder, following, timeout)
    if target.exists() and exchange(following, target):
        shutil.rmtree(following, ignore_errors=True)
        return
    previous = site_dir / f".{PAGEFIND_DIR}-previous"
    shutil.rmtree(previous, ignore_errors=True)
    if target.exists():
        os.replace(target, previous)
    os.replace(following, target)
    shutil.rmtree(previous, ignore_errors=True)


def write_lexicon(site_dir: Path, lexicon: Lexicon) -> None:
    """The roots the search box reduces typed words to, replacing the previous file at once."""
    path = site_dir / LEXICON_URI
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".json.part")
    partial.write_text(json.dumps(lexicon.browser_data(), ensure_ascii=False,
                                  separators=(",", ":")), "utf-8")
    os.replace(partial, path)


class IndexInBackground:
    """Runs :func:`write_search_index` on a thread, so that ``mkdocs serve`` reloads the
    browser without waiting for search. A request made while a run is going on is done
    after it (only the latest one). A run that fails, for any reason, is reported with one
    line; the next request (the next rebuild) indexes again."""

    def __init__(self, on_error: Callable[[str], None], timeout: float | None = None) -> None:
        self._on_error = on_error
        self.timeout = timeout
        self._lock = threading.Lock()
        self._job: tuple[Path, SearchCopies, Lexicon] | None = None
        self._running = False

    def request(self, site_dir: Path, copies: SearchCopies, lexicon: Lexicon) -> None:
        with self._lock:
            self._job = (site_dir, copies, lexicon)
            if not self._running:
                self._running = True
                threading.Thread(target=self._run, daemon=True).start()

    def _run(self) -> None:
        while True:
            with self._lock:
                job, self._job = self._job, None
                if job is None:
                    self._running = False
                    return
            try:
                write_search_index(*job, timeout=self.timeout)
            except Exception as error:  # noqa: BLE001 - a serve session outlives any of them
                self._on_error(f"search index not updated: {_one_line(error)}")


def _one_line(error: BaseException) -> str:
    text = " ".join(str(error).split())
    return text or type(error).__name__


def run_pagefind(source: Path, output: Path, timeout: float | None = None) -> None:
    """Index the HTML files under ``source`` into ``output``."""
    service = PagefindService(timeout)
    try:
        index = service.reply(service.send({"type": "NewIndex", "config": None}))["index_id"]
        service.reply(service.send({"type": "AddDir", "index_id": index,
                                    "path": os.fspath(source.resolve())}))
        service.write_bundle(index, output)
    finally:
        service.close()


class BackgroundIndexer:
    """Index pages in a second process while the build goes on (see the module docstring).

    :meth:`add` each page's content as it is rendered, then :meth:`finish` to write
    Pagefind's bundle and ``lexicon.json`` into ``site_dir``; :meth:`abort` on failure.
    """

    def __init__(self, site_dir: Path, language: str, synonyms: list[list[str]],
                 root_words: bool = True, timeout: float = TIMEOUT) -> None:
        self._timeout = timeout
        self._errors = tempfile.TemporaryFile()
        self._process = subprocess.Popen(
            [sys.executable, "-m", "build_tools.search_index"], stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL, stderr=self._errors)
        self._send({"site_dir": os.fspath(site_dir.resolve()), "language": language,
                    "synonyms": synonyms, "root_words": root_words, "timeout": timeout})

    def _send(self, message: dict) -> None:
        assert self._process.stdin is not None
        try:
            self._process.stdin.write(json.dumps(message).encode() + b"\n")
        except BrokenPipeError:
            pass  # the indexer has stopped; finish() reports why

    def add(self, dest_uri: str, title: str, content: str, weight: float = 1.0) -> None:
        self._send({"path": dest_uri, "title": title, "content": content, "weight": weight})

    def close_input(self) -> None:
        """No more pages: the second process writes the index while the caller goes on."""
        assert self._process.stdin is not None
        if not self._process.stdin.closed:
            try:
                self._process.stdin.close()
            except BrokenPipeError:
                pass

    def finish(self) -> None:
        """Wait for the index to be written; :class:`SearchIndexError` if it failed or did
        not finish in time. The second process waits for each of Pagefind's answers at most
        ``timeout`` seconds; writing the bundle and the lexicon is given as long again."""
        self.close_input()
        try:
            code = self._process.wait(timeout=2 * self._timeout)
        except subprocess.TimeoutExpired:
            self.abort()
            raise SearchIndexError(f"search index not written within {2 * self._timeout:g} s; "
                                   f"the indexer was stopped") from None
        self._errors.seek(0)
        detail = self._errors.read().decode("utf-8", "replace").strip().splitlines()
        self._errors.close()
        if code != 0:
            raise SearchIndexError(f"search index failed: {detail[-1] if detail else code}")

    def abort(self) -> None:
        self._process.kill()
        self._process.wait()
        if not self._errors.closed:
            self._errors.close()


class PagefindService:
    """A small client of Pagefind's indexing service (``pagefind --service``), speaking the
    protocol of Pagefind's own Python and Node wrappers: base64-encoded JSON messages, each
    ended by a comma; a thread collects the replies. (The wrapper in the ``pagefind``
    package reads one reply per 0.1 s, which would take minutes for a thousand pages.)

    Nothing here waits forever: each reply is awaited at most ``timeout`` seconds, after
    which Pagefind is stopped; output that is not the protocol, or Pagefind ending, fails
    the waiting request at once with :class:`SearchIndexError`."""

    def __init__(self, timeout: float | None = None) -> None:
        self.timeout = TIMEOUT if timeout is None else timeout
        from pagefind.service import get_executable

        executable = get_executable()
        if executable is None:
            raise SearchIndexError("Pagefind's program is not installed (pagefind_bin)")
        # One indexing thread: the other core is MkDocs' (more threads only contend with it).
        self._process = subprocess.Popen([os.fspath(executable), "--service"],
                                         env={**os.environ, "RAYON_NUM_THREADS": "1"},
                                         stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                         stderr=subprocess.STDOUT)
        self._last_id = 0
        self._replies: dict[int, dict] = {}
        self.errors: list[str] = []
        self._closed = False
        self._failure: str | None = None
        self._condition = threading.Condition()
        threading.Thread(target=self._read_or_fail, daemon=True).start()

    def _read_or_fail(self) -> None:
        """The reader thread: any error in it ends the service, and whoever waits learns why."""
        try:
            self._read()
        except Exception as error:  # noqa: BLE001 - reported to the waiting request
            failure = f"Pagefind's output could not be read ({_one_line(error)})"
            self._process.kill()
        else:
            failure = None
        with self._condition:
            self._closed = True
            self._failure = failure
            self._condition.notify_all()

    def _read(self) -> None:
        assert self._process.stdout is not None
        pending = bytearray()
        while chunk := self._process.stdout.read1(1 << 16):
            pending += chunk
            if b"," not in chunk:
                continue  # a long reply (the bundle) is still coming
            *messages, rest = bytes(pending).split(b",")
            pending = bytearray(rest)
            for message in messages:
                if not message.strip():
                    continue
                reply = json.loads(base64.b64decode(message, validate=True))
                if not isinstance(reply, dict):
                    raise ValueError("a message that is not a JSON object")
                payload = reply.get("payload") or {}
                with self._condition:
                    if payload.get("type") == "Error":
                        self.errors.append(str(payload.get("message", payload)))
                    if reply.get("message_id") is not None:
                        self._replies[reply["message_id"]] = payload
                    self._condition.notify_all()

    def send(self, payload: dict) -> int:
        assert self._process.stdin is not None
        self._last_id += 1
        message = {"message_id": self._last_id, "payload": payload}
        try:
            self._process.stdin.write(base64.b64encode(json.dumps(message).encode()) + b",")
            self._process.stdin.flush()
        except (BrokenPipeError, ValueError):
            pass  # Pagefind has ended; reply() says why
        return self._last_id

    def reply(self, message_id: int) -> dict:
        """Wait for the reply to one request, at most ``timeout`` seconds."""
        with self._condition:
            answered = self._condition.wait_for(
                lambda: message_id in self._replies or self._closed, timeout=self.timeout)
            if not answered:
                self._process.kill()
                raise SearchIndexError(f"Pagefind did not answer within {self.timeout:g} s; "
                                       f"it was stopped")
            if message_id not in self._replies:
                why = self._failure or "; ".join(self.errors[-1:]) or \
                    f"exit status {self._process.poll()}"
                raise SearchIndexError(f"Pagefind stopped: {why}")
            payload = self._replies.pop(message_id)
        if payload.get("type") == "Error":
            raise SearchIndexError(f"Pagefind: {payload.get('message', payload)}")
        return payload

    def write_bundle(self, index: int, output: Path) -> None:
        """Write the index's bundle into ``output``. The files are asked for and written
        here: with WriteFiles, Pagefind replies before its writes are done, and stopping
        it then leaves files cut short."""
        reply = self.reply(self.send({"type": "GetFiles", "index_id": index}))
        for file in reply["files"]:
            path = output / file["path"]
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(base64.b64decode(file["content"]))

    def close(self) -> None:
        """End Pagefind: it exits at the end of its input, or is stopped after ``timeout``."""
        assert self._process.stdin is not None
        try:
            self._process.stdin.close()
        except BrokenPipeError:
            pass
        try:
            self._process.wait(timeout=self.timeout)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()


def _index_stream(lines: Iterable[bytes]) -> None:
    """The second process of :class:`BackgroundIndexer`: a settings line, then one line per
    page; at the end of input, write the bundle and the lexicon."""
    iterator = iter(lines)
    settings = json.loads(next(iterator))
    site_dir = Path(settings["site_dir"])
    lexicon = Lexicon(settings["synonyms"])
    service = PagefindService(settings["timeout"])
    index = service.reply(service.send({"type": "NewIndex", "config": None}))["index_id"]
    for line in iterator:
        page = json.loads(line)
        content = page["content"]
        if settings["root_words"]:
            content = lexicon.annotate(content)
        # One page at a time: pages Pagefind takes in at once can land in its index in any
        # order, and the bundle's bytes would differ from one build to the next.
        service.reply(service.send({
            "type": "AddFile", "index_id": index, "file_path": page["path"], "url": None,
            "file_contents": search_copy(settings["language"], page["title"], content,
                                         page["weight"])}))
    try:
        service.write_bundle(index, site_dir / PAGEFIND_DIR)
    finally:
        service.close()
    if service.errors:
        raise SearchIndexError(f"Pagefind: {service.errors[0]}")
    write_lexicon(site_dir, lexicon)


if __name__ == "__main__":
    try:
        _index_stream(sys.stdin.buffer)
    except Exception as error:  # noqa: BLE001 - one line for the build to report
        sys.exit(_one_line(error))
