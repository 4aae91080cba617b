#!/usr/bin/env python3
"""A stand-in for ``pagefind --service`` that misbehaves, for the build's fault tests.

Set ``PAGEFIND_BINARY_PATH`` to this file and ``FAKE_PAGEFIND`` to what it should do:

* ``die``: answer the first request, then kill itself (as if killed mid-build);
* ``garbage``: answer the first request, then print bytes that are not the protocol;
* ``hang``: answer the first request, then read on and never answer again.

With ``FAKE_PAGEFIND_REAL`` (the real program) and ``FAKE_PAGEFIND_COUNT`` (a file), the
first ``FAKE_PAGEFIND_GOOD`` runs are the real Pagefind and the next ones misbehave: a
fault in a later index of a build made in parts.
"""

import base64
import json
import os
import signal
import sys
import time


def answer(message_id: int, payload: dict) -> None:
    reply = {"message_id": message_id, "payload": payload}
    sys.stdout.buffer.write(base64.b64encode(json.dumps(reply).encode()) + b",")
    sys.stdout.flush()


def requests():
    pending = b""
    while chunk := sys.stdin.buffer.read1(65536):
        pending += chunk
        *messages, pending = pending.split(b",")
        for message in messages:
            if message.strip():
                yield json.loads(base64.b64decode(message))


def main() -> None:
    real = os.environ.get("FAKE_PAGEFIND_REAL")
    if real:
        counter = os.environ["FAKE_PAGEFIND_COUNT"]
        with open(counter, "a+", encoding="utf-8") as runs:
            runs.write("x")
            runs.seek(0)
            run = len(runs.read())
        if run <= int(os.environ.get("FAKE_PAGEFIND_GOOD", "0")):
            os.execv(real, [real, *sys.argv[1:]])
    mode = os.environ.get("FAKE_PAGEFIND", "die")
    for count, request in enumerate(requests()):
        if count == 0:
            answer(request["message_id"], {"type": "NewIndex", "index_id": 1})
        elif mode == "die":
            os.kill(os.getpid(), signal.SIGKILL)
        elif mode == "garbage":
            sys.stdout.buffer.write(b"%%% this is not Pagefind's protocol %%%,")
            sys.stdout.flush()
        elif mode == "hang":
            time.sleep(3600)


if __name__ == "__main__":
    main()
