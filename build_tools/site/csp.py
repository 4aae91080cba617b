"""A Content-Security-Policy for every page, written into the page at build time.

The site must never contact another host and must never run a script an SOP file put
there, even if the sanitizer (:mod:`build_tools.render.markup`) missed something. Every page
therefore carries, as the first element of its ``<head>``, a ``<meta http-equiv>`` policy:

* ``default-src 'self'``: nothing from another host, of any kind;
* scripts from the site's own files, plus each inline script the page carries by the
  SHA-256 of its text; no ``'unsafe-inline'``, so no inline event handler (``onerror=…``)
  and no injected ``<script>`` can run. ``'wasm-unsafe-eval'`` lets Pagefind compile its
  WebAssembly search engine (it evaluates no JavaScript);
* images from the site and ``data:`` URLs only; fetches and workers from the site only;
* no plugins (``object-src 'none'``), no ``<base>`` and no form sending elsewhere.

Styles may be inline (the theme sets some); a style cannot fetch from another host either,
since images and fonts are limited to the site. A meta policy cannot set ``frame-ancestors``
or report violations; a server that can send headers should send the same policy.

Under ``mkdocs serve`` the live-reload script MkDocs injects into each response is inline and
different every time, so the preview's policy allows inline scripts (``serving=True``).
"""

from __future__ import annotations

import base64
import hashlib
import re

#: Script types a browser runs (an empty type is JavaScript); others, such as the theme's
#: ``application/json`` configuration, are data and need no hash.
_RUN_TYPES = frozenset({"", "text/javascript", "application/javascript", "module"})
_SCRIPT = re.compile(r"<script(?P<attributes>(?:\s[^>]*)?)>(?P<body>.*?)</script>",
                     re.DOTALL | re.IGNORECASE)
_TYPE = re.compile(r"""\stype\s*=\s*["']?([^"'\s>]*)""", re.IGNORECASE)
_SRC = re.compile(r"\ssrc\s*=", re.IGNORECASE)
_HEAD = re.compile(r"<head(?:\s[^>]*)?>", re.IGNORECASE)
_CHARSET = re.compile(r"""\s*<meta\s+charset\s*=\s*["']?[-\w]+["']?\s*/?>""", re.IGNORECASE)


def script_hash(body: str) -> str:
    """The CSP source that allows one inline script: ``'sha256-…'`` of its exact text."""
    digest = hashlib.sha256(body.encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode('ascii')}'"


def inline_scripts(page: str) -> list[str]:
    """The text of every inline script in ``page`` that a browser would run."""
    found = []
    for match in _SCRIPT.finditer(page):
        attributes = match["attributes"]
        kind = _TYPE.search(attributes)
        if _SRC.search(attributes) or (kind and kind.group(1).lower() not in _RUN_TYPES):
            continue
        found.append(match["body"])
    return found


def policy(hashes: list[str], *, serving: bool = False) -> str:
    """The policy text for a page whose inline scripts have these ``hashes``."""
    inline = "'unsafe-inline'" if serving else " ".join(dict.fromkeys(hashes))
    scripts = " ".join(part for part in ("'self'", inline, "'wasm-unsafe-eval'") if part)
    return "; ".join((
        "default-src 'self'",
        f"script-src {scripts}",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "worker-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
    ))


def meta(page: str, *, serving: bool = False) -> str:
    """The ``<meta http-equiv>`` element carrying the policy for ``page``."""
    hashes = [script_hash(body) for body in inline_scripts(page)]
    return (f'<meta http-equiv="Content-Security-Policy" '
            f'content="{policy(hashes, serving=serving)}">')


def with_policy(page: str, *, serving: bool = False) -> str:
    """``page`` with its policy first in ``<head>`` (after ``<meta charset>``, which must
    stay within the first bytes), so that it covers every script after it. A page without
    a ``<head>`` is returned as it is."""
    head = _HEAD.search(page)
    if head is None:
        return page
    at = head.end()
    charset = _CHARSET.match(page, at)
    if charset is not None:
        at = charset.end()
    return f"{page[:at]}{meta(page, serving=serving)}{page[at:]}"
