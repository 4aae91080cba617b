"""What the build gives the scripts in the browser, and where their files are.

The scripts (``build_tools/assets/``: the search box's modules under ``search/`` and
``page-tools.js``) hold no fact that Python holds too. What both sides use reaches the
browser in two files the build writes:

* ``assets/sop-kb/settings.js`` (:func:`settings_module`), a module every page loads with
  the scripts: the texts of each language (``search_box`` and ``step_link`` in
  ``build_tools/render/languages/*.yaml``), the default language
  (:data:`build_tools.render.labels.DEFAULT_LANGUAGE`), the site's root and the addresses
  of the search files below, the words that mark a hidden term list
  (:mod:`build_tools.render.terms`) and a page's weight (:func:`weight_word`), and the
  site's time zone;
* ``assets/sop-kb/lexicon.json`` (:func:`build_tools.search.index.write_lexicon`), loaded
  once the page is idle: the roots of the site and the language rules of
  :mod:`.language` (see :mod:`.reading` for how both sides apply them alike).

Each result's data comes from Pagefind; the build adds to a page's metadata the reply
template of each of its steps (:func:`with_templates`), which a result shows and copies.

**What a device keeps** (the plugin's ``offline``, on by default). ``service-worker.js`` at
the site's root (``assets/service-worker-copy.js`` and ``assets/service-worker.js`` after
``const BUILD = {…}``, see
:func:`service_worker`; at the root so that its scope is the whole site) and
``assets/sop-kb/offline.json`` (:func:`write_offline`, written once the search index is):

* each file a device may keep, with a hash of its bytes: the *precache*, fetched when the
  worker installs (the files every page loads, the search box's scripts, Pagefind's
  script, worker, metadata, index chunks and fragments, the lexicons, the home and "not
  found" pages; with ``offline_precache`` every page), and the other pages, kept as an
  agent opens them; practice, handbooks and earlier versions of SOPs are not kept;
* the build's hash (:attr:`OfflineCopy.version`, of all of these and of the worker's
  code), which names the cache: ``sop-kb <site path> <hash>``. A new build is a new worker
  (its bytes differ), which fills a new cache, each file checked against its hash (a
  deploy half done fails the install, tried again later), taking unchanged files and the
  pages opened before from the earlier copy; once whole it takes over the open pages and
  deletes the earlier copy: a device never mixes two builds. A page is fetched from the
  network first, the copy shown when there is none (or none within
  :data:`PAGE_TIMEOUT_MS`); a page of a newer build than the worker's turns its files to
  the network until the new worker takes over. The copying never stands between an
  agent and an answer: the page registers the worker once idle and no search is under
  way, and tells it when a search starts and when its results are shown; meanwhile no
  file is fetched for the copy.

``mkdocs serve`` (and ``offline: false``) writes a worker with no build (version null),
which removes the copies and itself, and the pages do not register one: no kept copy
stands for pages being edited. ``manifest.webmanifest`` (:func:`web_manifest`) makes the
site installable.

What is left in the scripts is theirs alone: the ranking's weights, the box's markup and
the keys it answers to.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from urllib.parse import quote, urljoin

from build_tools.render.labels import DEFAULT_LANGUAGE, available_languages, load_labels
from build_tools.render.markup import BLANK_PATTERN
from build_tools.render.terms import TERMS_END, TERMS_START

#: The folder of the plugin's own files in a site.
ASSETS = "assets/sop-kb"
SETTINGS_URI = f"{ASSETS}/settings.js"
#: The module through which the scripts read the settings (texts in the page's language).
SITE_MODULE = f"{ASSETS}/site.js"
#: The search box's modules, their first one the entry (``search/*.js`` beside it).
SEARCH_FOLDER = f"{ASSETS}/search"
SEARCH_ENTRY = f"{SEARCH_FOLDER}/main.js"
LEXICON_URI = f"{ASSETS}/lexicon.json"
#: Real words near the site's roots, which the box loads before its first typo correction.
REAL_WORDS_URI = f"{ASSETS}/words.json"
#: What the search box offers when nothing matches (built from the SOPs).
SUGGESTIONS_URI = f"{ASSETS}/suggestions.json"
PAGEFIND_DIR = "pagefind"
PAGEFIND_SCRIPT = f"{PAGEFIND_DIR}/pagefind.js"
#: The keys of a page's metadata in the search index: the id of the step holding the
#: page's first reply template, and (before a step's id) that step's template.
TEMPLATE_META = {"first": "sopkb-template", "prefix": "sopkb-template-"}
#: A page weighing less than an SOP page in search carries, in its hidden word list, this
#: word followed by its weight in hundredths (:func:`weight_word`); the box searches it
#: beside a query's words (a filter would be Pagefind's way, but a search by filter alone
#: held a first query typed while the page loads about 0.6 s longer) and its ranking weighs
#: the page by it, since Pagefind's own score cannot carry a page's weight to a word only
#: that page holds.
WEIGHT_WORD = "sopkbweight"


def weight_word(weight: float) -> str:
    """The word marking a page of ``weight`` (between 0 and 1) in the search index."""
    return f"{WEIGHT_WORD}{round(weight * 100)}"


#: The module every page loads to register the service worker (or remove one).
OFFLINE_MODULE = f"{ASSETS}/offline.js"
#: The service worker, at the site's root: its scope is the whole site.
SERVICE_WORKER_URI = "service-worker.js"
#: The files of ``assets/`` it is written from, in order (classic scripts, not modules).
SERVICE_WORKER_PARTS = ("service-worker-copy.js", SERVICE_WORKER_URI)
OFFLINE_URI = f"{ASSETS}/offline.json"
WEB_MANIFEST_URI = "manifest.webmanifest"
ICON_URI = f"{ASSETS}/icon.svg"
#: The names of a device's copies of a site start with this.
CACHE_PREFIX = "sop-kb"
#: How long a page waits for the network before the device's copy is shown (ms).
PAGE_TIMEOUT_MS = 4000
#: Shown for a page the device has not kept when there is no network (it says so).
FALLBACK_PAGE = "404.html"


def search_modules() -> list[str]:
    """The site address of every module of the search box."""
    folder = resources.files("build_tools").joinpath("assets", "search")
    return sorted(f"{SEARCH_FOLDER}/{entry.name}" for entry in folder.iterdir()
                  if entry.name.endswith(".js"))


def settings(time_zone: str, issue_url: str | None = None, offline: bool = False,
             weights: Iterable[float] = ()) -> dict[str, object]:
    """What :func:`settings_module` gives the scripts (as they name it): ``issue_url`` is
    the new-issue URL (with ``{title}`` and ``{body}``) a question nothing answered is
    offered to, if the site has one; with ``offline`` the pages register the service
    worker, else they remove one an earlier visit left; ``weights``, those a page may have
    between 0 and 1 (:func:`weight_word`)."""
    texts = {}
    for language in available_languages():
        labels = load_labels(language)
        texts[language] = {"search": labels["search_box"], "stepLink": labels["step_link"],
                           "offline": labels["offline"]}
    return {"language": DEFAULT_LANGUAGE, "texts": texts, "timeZone": time_zone,
            "uris": {"pagefind": PAGEFIND_SCRIPT, "lexicon": LEXICON_URI,
                     "words": REAL_WORDS_URI, "suggestions": SUGGESTIONS_URI},
            "terms": [TERMS_START, TERMS_END], "placeholder": BLANK_PATTERN,
            "templateMeta": {**TEMPLATE_META, "symbols": SYMBOLS}, "issue": issue_url or None,
            "weights": {weight_word(weight): weight for weight in weights},
            "offline": {"worker": SERVICE_WORKER_URI if offline else None,
                        "caches": CACHE_PREFIX}}


def settings_module(time_zone: str, issue_url: str | None = None, offline: bool = False,
                    weights: Iterable[float] = ()) -> str:
    """``assets/sop-kb/settings.js``: :func:`settings` as the module's default export, and
    ``root``, the site's root URL, worked out from where the module is."""
    up = "../" * SETTINGS_URI.count("/")
    data = json.dumps(settings(time_zone, issue_url, offline, weights), ensure_ascii=False,
                      indent=1, sort_keys=True)
    return (f"/* Written by the build (build_tools/search/browser.py); edit that, not this. */\n"
            f"export const root = new URL({json.dumps(up)}, import.meta.url);\n"
            f"export default {data};\n")


#: A heading (its attributes) or a reply template (its HTML), in the order of the page.
_MARKS = re.compile(r'<h[1-6](?P<attributes>[^>]*)>|<pre class="sop-template">(?P<template>.*?)'
                    r'</pre>', re.DOTALL)
#: A step's heading: its id is a step id (a slug, the schema's pattern), which the
#: metadata below carries as is; a heading of another id is no step's.
_STEP = re.compile(r' class="sop-step" id="([a-z0-9]+(?:-[a-z0-9]+)*)"')
_TAG = re.compile(r"<[^>]+>")


#: The first of the 256 Braille patterns a template's bytes are written as.
SYMBOLS = 0x2800


def as_symbols(text: str) -> str:
    """``text``'s UTF-8 bytes, each as the Braille pattern ``SYMBOLS + byte``: text that
    no search matches (results.js reads it back)."""
    return "".join(chr(SYMBOLS + byte) for byte in text.encode("utf-8"))


def with_templates(content: str) -> str:
    """A page's HTML as search indexes it, with the reply template of each step that has
    one in the page's metadata (:data:`TEMPLATE_META`): the template as written, each byte
    of its UTF-8 text written as a Braille pattern (U+2800 + the byte), and the id of the
    step of the page's first template. Pagefind folds the whitespace of metadata (a
    template keeps its lines) and searches metadata too: readable text would count each
    template's words twice, and letters and digits (base64) make words a question's last
    word can prefix-match; Braille patterns are no word to Pagefind. A template under no
    step's heading is left out, and so is a step's second."""
    pieces: list[str] = []
    given: set[str] = set()
    step: str | None = None
    at = 0
    for match in _MARKS.finditer(content):
        if match["template"] is None:
            heading = _STEP.match(match["attributes"])
            step = heading[1] if heading else None
            continue
        if step is None or step in given:
            continue
        text = as_symbols(html.unescape(_TAG.sub("", match["template"])))
        pieces += [content[at:match.end()],
                   f'<span data-pagefind-meta="{TEMPLATE_META["prefix"]}{step}[data-text]" '
                   f'data-text="{text}" hidden></span>']
        if not given:
            pieces.append(f'<span data-pagefind-meta="{TEMPLATE_META["first"]}:{step}" '
                          f'hidden></span>')
        given.add(step)
        at = match.end()
    return "".join(pieces) + content[at:]


# --- What a device keeps ---------------------------------------------------------------

#: Pages an agent on the floor does not need without a network: practice (and its print
#: version) and handbooks, the largest pages of a site, and the SOPs' earlier versions
#: (read at a desk, for an audit; four for each SOP at five versions, which would make
#: every device's list of the copy several times longer). Not listed: not kept, even opened.
_NOT_KEPT = re.compile(r"^(latihan|handbook)/|/handbook/$|^sop/[^/]+/v/")
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
#: A file the home page loads (its style sheets, scripts, icons).
_LOADED = re.compile(r"<(?:link|script)\b[^>]*?\s(?:href|src)=\"([^\"#?]+)[^\"]*\"", re.IGNORECASE)
#: Pagefind's own search interfaces, which the box does not use.
_PAGEFIND_UI = re.compile(r"^pagefind-(?:ui|modular-ui|component-ui|highlight)\.")
#: What a browser leaves as it is in a URL's path (the WHATWG path percent-encode set aside).
_URL_SAFE = "/!$&'()*+,-.:;=@[]^_|~"


@dataclass
class OfflineCopy:
    """What a device keeps of a built site: ``precache`` (key → hash) fetched when the
    worker installs, ``pages`` (key → hash) kept as they are opened; a key is a file's
    address under the site's root (``sop/cs-comp-002/``), a hash the first 16 hex digits
    of its bytes' SHA-256."""

    version: str = ""
    precache: dict[str, str] = field(default_factory=dict)
    pages: dict[str, str] = field(default_factory=dict)
    #: Bytes of the precache, and of every page besides it (with ``offline_precache``).
    precache_bytes: int = 0
    page_bytes: int = 0


def file_key(path: str) -> str:
    """The address a browser asks a file of the site by (``index.html`` dropped)."""
    if path == "index.html" or path.endswith("/index.html"):
        path = path[:-len("index.html")]
    return quote(path, safe=_URL_SAFE)


def _pagefind_files(site_dir: Path) -> list[Path]:
    """Every file of every Pagefind index of the site the box may load (its script, worker,
    metadata, the WebAssembly of the languages indexed, index chunks and fragments)."""
    found: list[Path] = []
    for entry in sorted(site_dir.glob(f"{PAGEFIND_DIR}*/pagefind-entry.json")):
        languages = json.loads(entry.read_text("utf-8")).get("languages", {})
        wasm = {f"wasm.{details.get('wasm')}.pagefind" for details in languages.values()}
        for path in sorted(entry.parent.rglob("*")):
            name = path.name
            if path.is_file() and not _PAGEFIND_UI.match(name) and \
                    (not name.startswith("wasm.") or name in wasm):
                found.append(path)
    return found


def _shell(site_dir: Path) -> list[Path]:
    """The files every page loads: those the home page names, the plugin's own files, the
    web manifest and its icon."""
    home = site_dir / "index.html"
    # A comment is no load, and a page none (a hand-written home page may hold comments:
    # what they name must not reach every device's copy).
    text = _COMMENT.sub("", home.read_text("utf-8")) if home.is_file() else ""
    paths = [site_dir / urljoin("/", uri).lstrip("/") for uri in _LOADED.findall(text)
             if "://" not in uri and not uri.endswith((".html", "/"))]
    paths += sorted((site_dir / ASSETS).rglob("*"))
    paths += [site_dir / WEB_MANIFEST_URI, home, site_dir / FALLBACK_PAGE]
    return [path for path in paths if path.is_file() and path.name != Path(OFFLINE_URI).name]


def offline_copy(site_dir: Path, every_page: bool, worker_code: str = "") -> OfflineCopy:
    """What a device keeps of the site built in ``site_dir`` (see the module's docstring)."""
    copy = OfflineCopy()
    shell = {path.relative_to(site_dir).as_posix() for path in
             [*_shell(site_dir), *_pagefind_files(site_dir)]}
    for path in sorted(site_dir.rglob("*")):
        name = path.relative_to(site_dir).as_posix()
        page = name.endswith(".html")
        if not path.is_file() or not (page or name in shell):
            continue
        key = file_key(name)
        if name not in shell and _NOT_KEPT.search(key):
            continue
        body = path.read_bytes()
        digest = hashlib.sha256(body).hexdigest()[:16]
        if name in shell or every_page:
            copy.precache[key] = digest
            copy.precache_bytes += len(body)
        else:
            copy.pages[key] = digest
            copy.page_bytes += len(body)
    listed = json.dumps([copy.precache, copy.pages], sort_keys=True)
    copy.version = hashlib.sha256((listed + worker_code).encode("utf-8")).hexdigest()[:16]
    return copy


def service_worker(version: str | None, list_digest: str | None = None) -> str:
    """``service-worker.js``: the worker's code after what the build tells it, the hash of
    its ``offline.json`` included (a copy's list is checked against it before it is
    trusted)."""
    assets = resources.files("build_tools").joinpath("assets")
    code = "".join(assets.joinpath(name).read_text("utf-8") for name in SERVICE_WORKER_PARTS)
    told = json.dumps({"version": version, "list": list_digest, "manifest": OFFLINE_URI,
                       "caches": CACHE_PREFIX,
                       "timeout": PAGE_TIMEOUT_MS, "fallback": FALLBACK_PAGE}, sort_keys=True)
    return (f"/* Written by the build (build_tools/search/browser.py): the worker of this "
            f"build. */\nconst BUILD = {told};\n{code}")


def write_offline(site_dir: Path, every_page: bool) -> OfflineCopy:
    """Write the service worker of the site built in ``site_dir`` and the list of what a
    device keeps of it (``offline.json``)."""
    code = service_worker(None)
    copy = offline_copy(site_dir, every_page, code)
    listed = {"version": copy.version, "precache": copy.precache, "pages": copy.pages}
    text = json.dumps(listed, sort_keys=True, separators=(",", ":")).encode("utf-8")
    (site_dir / OFFLINE_URI).parent.mkdir(parents=True, exist_ok=True)
    (site_dir / OFFLINE_URI).write_bytes(text)
    (site_dir / SERVICE_WORKER_URI).write_text(
        service_worker(copy.version, hashlib.sha256(text).hexdigest()[:16]), "utf-8")
    return copy


def web_manifest(name: str, description: str | None, language: str,
                 short_name: str) -> str:
    """``manifest.webmanifest``: the site installed as an app, opening at its home page."""
    data = {"name": name, "short_name": short_name, "description": description or name,
            "lang": language, "id": "./", "start_url": "./", "scope": "./",
            "display": "standalone", "background_color": "#ffffff", "theme_color": "#4051b5",
            "icons": [{"src": ICON_URI, "sizes": "any", "type": "image/svg+xml",
                       "purpose": "any"}]}
    return json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n"
