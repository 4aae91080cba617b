"""The build's search indexer: a second process that takes each page as MkDocs renders it,
adds its root words and feeds Pagefind, on the other processor core, then writes the
bundles and the lexicon into the build's staging folder (see :mod:`build_tools.search.index`
for the search copies and the lexicon).

The build ends the input with :data:`END`; an input that ends without it is a build that
died (killed outright), and nothing is written. The process and its Pagefinds are started
to die with their parent (:func:`build_tools.search.pagefind.die_with_parent`).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import ExitStack
from pathlib import Path
from typing import IO, Any

from build_tools.search.index import (
    PAGES_PER_INDEX,
    index_folder,
    search_copy,
    write_lexicon,
)
from build_tools.search.pagefind import (
    TIMEOUT,
    PagefindService,
    SearchIndexError,
    die_with_parent,
    one_line,
)
from build_tools.search.terms import Lexicon

#: The last line a build sends its indexer: every page is in (see :class:`BuildGone`).
END: dict[str, Any] = {"end": True}


class BackgroundIndexer:
    """Index pages in a second process while the build goes on (see the module docstring).

    :meth:`add` each page's content as it is rendered, then :meth:`finish` to write
    Pagefind's bundle and ``lexicon.json`` into ``site_dir``; :meth:`abort` on failure.
    """

    def __init__(self, site_dir: Path, language: str, synonyms: list[list[str]],
                 root_words: bool = True, timeout: float = TIMEOUT,
                 pages_per_index: int = PAGES_PER_INDEX, pages: int = 0) -> None:
        self._timeout = timeout
        self._errors = tempfile.TemporaryFile()
        self._process = subprocess.Popen(
            [sys.executable, "-m", "build_tools.search.indexer"], stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL, stderr=self._errors, preexec_fn=die_with_parent)
        self._send({"site_dir": os.fspath(site_dir.resolve()), "language": language,
                    "synonyms": synonyms, "root_words": root_words, "timeout": timeout,
                    "pages_per_index": pages_per_index, "pages": pages})

    def _send(self, message: dict[str, Any]) -> None:
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
            self._send(END)  # an end of input without it is a build that died
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


def _index_stream(lines: Iterable[bytes]) -> None:
    """The second process of :class:`BackgroundIndexer`: a settings line, then one line per
    page; at the end of input, write the bundles and the lexicon.

    Up to ``pages_per_index`` pages, Pagefind takes each page as it comes, beside the build.
    A larger site gets several indexes, each page going to the next in turn, so that each
    index is a sample of the whole site and Pagefind scores a word about alike in all of
    them (the box merges their results by score). Their pages wait in a spool file each
    (Pagefind taking them during the build slowed it: at 10,000 large SOPs, feeding the
    first index as pages came made MkDocs wait on the pipe, 529 -> 688 s to its last page).
    At the end the indexes are made one after another, each in a Pagefind that ends with
    its bundle, the next one taking its pages while the previous one writes: one index's
    worth of Pagefind memory at a time beside MkDocs, and the next index's first pages."""
    iterator = iter(lines)
    settings = json.loads(next(iterator))
    site_dir = Path(settings["site_dir"])
    timeout = settings["timeout"]
    lexicon = Lexicon(settings["synonyms"])

    def copies() -> Iterator[tuple[str, str]]:
        for line in iterator:
            page = json.loads(line)
            if page == END:
                return
            content = page["content"]
            if settings["root_words"]:
                content = lexicon.annotate(content)
            yield page["path"], search_copy(settings["language"], page["title"], content,
                                            page["weight"])
        raise BuildGone("the build stopped before its last page; nothing written")

    def spooled(spool: IO[str]) -> Iterator[tuple[str, str]]:
        spool.seek(0)
        for line in spool:
            path, contents = json.loads(line)
            yield path, contents

    count = max(1, -(-int(settings["pages"]) // max(1, int(settings["pages_per_index"]))))
    with tempfile.TemporaryDirectory(prefix="sopkb-index-") as folder, ExitStack() as files, \
            ThreadPoolExecutor(max_workers=1) as writer:
        if count == 1:
            parts = [copies()]
        else:
            spools = [files.enter_context(open(Path(folder) / f"{number}.jsonl", "w+",
                                               encoding="utf-8")) for number in range(count)]
            for number, copy in enumerate(copies()):
                spools[number % count].write(json.dumps(copy) + "\n")
            parts = [spooled(spool) for spool in spools]
        writing: Future[None] | None = None
        for number, pages in enumerate(parts):
            part = _Part(timeout)
            try:
                try:
                    for path, contents in pages:
                        part.add(path, contents)
                finally:
                    if writing is not None:
                        writing.result()  # the previous index; its failure goes first
            except BaseException:
                part.stop()  # also when only the previous index failed
                raise
            writing = writer.submit(part.write, site_dir / index_folder(number))
        if writing is not None:
            writing.result()
    write_lexicon(site_dir, lexicon, count)


class BuildGone(Exception):
    """The indexer's input ended without :data:`END`: the build died (killed outright); its
    staging folder is not to be written into."""


class _Part:
    """One Pagefind index of a build: pages added one at a time as ``(path, search copy)``,
    then its bundle written to a folder by a Pagefind that ends with it (its memory with it)."""

    def __init__(self, timeout: float) -> None:
        self._service = PagefindService(timeout)
        try:
            self._index = self._service.reply(
                self._service.send({"type": "NewIndex", "config": None}))["index_id"]
        except BaseException:
            self.stop()
            raise

    def add(self, path: str, contents: str) -> None:
        # One page at a time: pages Pagefind takes in at once can land in its index in any
        # order, and the bundle's bytes would differ from one build to the next.
        self._service.reply(self._service.send({
            "type": "AddFile", "index_id": self._index, "file_path": path, "url": None,
            "file_contents": contents}))

    def write(self, folder: Path) -> None:
        try:
            self._service.write_bundle(self._index, folder)
        finally:
            self._service.close()
        if self._service.errors:
            raise SearchIndexError(f"Pagefind: {self._service.errors[0]}")

    def stop(self) -> None:
        """Give up on this index: Pagefind is stopped, nothing written."""
        self._service.kill()


if __name__ == "__main__":
    try:
        _index_stream(sys.stdin.buffer)
    except Exception as error:  # noqa: BLE001 - one line for the build to report
        sys.exit(one_line(error))
