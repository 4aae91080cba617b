"""A client of Pagefind's indexing service (``pagefind --service``), with no wait unbounded."""

from __future__ import annotations

import base64
import ctypes
import io
import json
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

#: Seconds to wait for any one answer of Pagefind before giving up on it (the plugin's
#: ``search_timeout``).
TIMEOUT = 300.0


class SearchIndexError(Exception):
    pass


_PR_SET_PDEATHSIG = 1


def die_with_parent() -> None:
    """In a child process, before it runs its program (``preexec_fn``): be killed when the
    parent dies (Linux's ``PR_SET_PDEATHSIG``), so that a build killed outright leaves no
    indexer or Pagefind behind, writing into the folder of a build that no longer exists.
    Elsewhere, nothing (the indexer also stops at the end of its input without the end
    mark, :mod:`build_tools.search.indexer`)."""
    if not sys.platform.startswith("linux"):
        return
    try:
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    except (AttributeError, OSError):
        pass


def one_line(error: BaseException) -> str:
    """An error as one line of text, for a log or an exit message."""
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
                                         stderr=subprocess.STDOUT, preexec_fn=die_with_parent)
        self._last_id = 0
        self._replies: dict[int, dict[str, Any]] = {}
        self.errors: list[str] = []
        self._closed = False
        self._failure: str | None = None
        self._condition = threading.Condition()
        threading.Thread(target=self._read_or_fail, daemon=True).start()

    def _read_or_fail(self) -> None:
        """The reader thread: any error in it ends the service, and whoever waits learns why."""
        failure: str | None = None
        try:
            self._read()
        except Exception as error:  # noqa: BLE001 - reported to the waiting request
            failure = f"Pagefind's output could not be read ({one_line(error)})"
            self._process.kill()
        with self._condition:
            self._closed = True
            self._failure = failure
            self._condition.notify_all()

    def _read(self) -> None:
        output = self._process.stdout
        assert isinstance(output, io.BufferedReader)
        pending = bytearray()
        while chunk := output.read1(1 << 16):
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

    def send(self, payload: dict[str, Any]) -> int:
        assert self._process.stdin is not None
        self._last_id += 1
        message = {"message_id": self._last_id, "payload": payload}
        try:
            self._process.stdin.write(base64.b64encode(json.dumps(message).encode()) + b",")
            self._process.stdin.flush()
        except (BrokenPipeError, ValueError):
            pass  # Pagefind has ended; reply() says why
        return self._last_id

    def reply(self, message_id: int) -> dict[str, Any]:
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
            self.kill()

    def kill(self) -> None:
        """Stop Pagefind at once (a build that failed does not wait for its index)."""
        self._process.kill()
        self._process.wait()
