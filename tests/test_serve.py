"""`mkdocs serve --livereload` (the README's serve command) rebuilds when an SOP file changes."""

from __future__ import annotations

import os
import socket
import subprocess
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


@pytest.fixture
def server(project: Path) -> Iterator[str]:
    port = free_port()
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    process = subprocess.Popen(
        [str(BIN / "mkdocs"), "serve", "--livereload", "--dev-addr", f"127.0.0.1:{port}"],
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
