"""A Content-Security-Policy for every page, written into the page at build time.

The site must never contact another host and must never run a script that a pull request
put there: not from SOP text (the sanitizer, :mod:`build_tools.render.markup`, is the first
wall), not from a hand-written page, not from anything else in the output. Every page
therefore carries, as the first element of its ``<head>``, a ``<meta http-equiv>`` policy:

* ``default-src 'self'``: nothing from another host, of any kind;
* scripts from the site's own files, plus the inline scripts *the project ships*: those
  written in the theme's templates and the plugin's template overrides, hashed from their
  sources when the build starts (:func:`template_scripts`, :class:`Allowed`). An inline
  script found in the output is allowed only if it is one of those; a ``<script>`` in a
  hand-written page, an ``onerror=…`` attribute or a ``javascript:`` URL never runs (no
  ``'unsafe-inline'``). ``'wasm-unsafe-eval'`` lets Pagefind compile its WebAssembly search
  engine (it evaluates no JavaScript);
* styles from the site's files only: no ``style`` attribute or ``<style>`` element of a
  page applies. Material sets the few styles it computes through the CSS object model
  (``element.style``), which a policy does not restrict, and ships no inline style with
  ``font: false`` (its ``<style>`` with the web font's name is written only with a font);
* images from the site and ``data:`` URLs only; fetches and workers from the site only;
* no plugins (``object-src 'none'``), no ``<base>``, no frame, no form sending elsewhere.

``mkdocs serve`` uses the same policy: its live-reload script, which MkDocs would inject
inline into each response, is loaded as a file instead (:mod:`build_tools.mkdocs.serving`).
A meta policy cannot set ``frame-ancestors`` or report violations; a server that can send
headers should send the same policy.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Callable, Iterable

#: Script types a browser runs (an empty type is JavaScript); others, such as the theme's
#: ``application/json`` configuration, are data and need no hash.
_RUN_TYPES = frozenset({"", "text/javascript", "application/javascript", "module"})
_SCRIPT = re.compile(r"<script(?P<attributes>(?:\s[^>]*)?)>(?P<body>.*?)</script>",
                     re.DOTALL | re.IGNORECASE)
_TYPE = re.compile(r"""\stype\s*=\s*["']?([^"'\s>]*)""", re.IGNORECASE)
_SRC = re.compile(r"\ssrc\s*=", re.IGNORECASE)
_HEAD = re.compile(r"<head(?:\s[^>]*)?>", re.IGNORECASE)
_CHARSET = re.compile(r"""\s*<meta\s+charset\s*=\s*["']?[-\w]+["']?\s*/?>""", re.IGNORECASE)
_JINJA = re.compile(r"\{\{|\{%")


def script_hash(body: str) -> str:
    """The CSP source that allows one inline script: ``'sha256-…'`` of its exact text."""
    digest = hashlib.sha256(body.encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode('ascii')}'"


def inline_scripts(page: str) -> list[str]:
    """The text of every inline script in ``page`` (HTML, or a template's source) that a
    browser would run."""
    found = []
    for match in _SCRIPT.finditer(page):
        attributes = match["attributes"]
        kind = _TYPE.search(attributes)
        if _SRC.search(attributes) or (kind and kind.group(1).lower() not in _RUN_TYPES):
            continue
        found.append(match["body"])
    return found


class Allowed:
    """The hashes of the inline scripts a site may run: those its templates ship.

    ``add_template(source, render)``: every inline script written in a template's source;
    one holding Jinja expressions (Material's ``__md_scope``, which names the page's
    ``base_url``) is hashed as ``render`` gives it in each of the variants it returns (one
    per depth of the site's pages), never as found in a built page."""

    def __init__(self) -> None:
        self.hashes: set[str] = set()

    def add_template(self, source: str, render: Callable[[str], Iterable[str]]) -> None:
        for body in inline_scripts(source):
            variants = render(body) if _JINJA.search(body) else (body,)
            self.hashes.update(script_hash(variant) for variant in variants)

    def of(self, page: str) -> list[str]:
        """The hashes to list in ``page``'s policy: those of its inline scripts that are
        allowed (a script that is not stays without one, and is blocked)."""
        found = (script_hash(body) for body in inline_scripts(page))
        return list(dict.fromkeys(digest for digest in found if digest in self.hashes))


def policy(hashes: list[str]) -> str:
    """The policy text for a page whose allowed inline scripts have these ``hashes``."""
    scripts = " ".join(("'self'", *dict.fromkeys(hashes), "'wasm-unsafe-eval'"))
    return "; ".join((
        "default-src 'self'",
        f"script-src {scripts}",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "worker-src 'self'",
        "frame-src 'none'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
    ))


def meta(hashes: list[str]) -> str:
    """The ``<meta http-equiv>`` element carrying the policy."""
    return f'<meta http-equiv="Content-Security-Policy" content="{policy(hashes)}">'


def with_policy(page: str, allowed: Allowed | None = None) -> str:
    """``page`` with its policy first in ``<head>`` (after ``<meta charset>``, which must
    stay within the first bytes), so that it covers every script after it; the page's
    inline scripts that ``allowed`` lists get their hashes. A page without a ``<head>`` is
    returned as it is."""
    head = _HEAD.search(page)
    if head is None:
        return page
    at = head.end()
    charset = _CHARSET.match(page, at)
    if charset is not None:
        at = charset.end()
    hashes = allowed.of(page) if allowed is not None else []
    return f"{page[:at]}{meta(hashes)}{page[at:]}"
