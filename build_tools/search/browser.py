"""What the build gives the scripts in the browser, and where their files are.

The scripts (``build_tools/assets/``: the search box's modules under ``search/`` and
``page-tools.js``) hold no fact that Python holds too. What both sides use reaches the
browser in two files the build writes:

* ``assets/sop-kb/settings.js`` (:func:`settings_module`), a module every page loads with
  the scripts: the texts of each language (``search_box`` and ``step_link`` in
  ``build_tools/render/languages/*.yaml``), the default language
  (:data:`build_tools.render.labels.DEFAULT_LANGUAGE`), the site's root and the addresses
  of the search files below, the words that mark a hidden term list
  (:mod:`build_tools.render.terms`) and the site's time zone;
* ``assets/sop-kb/lexicon.json`` (:func:`build_tools.search.index.write_lexicon`), loaded
  once the page is idle: the roots of the site and the language rules of
  :mod:`.language` (see :mod:`.reading` for how both sides apply them alike).

Each result's data comes from Pagefind; the build adds to a page's metadata the reply
template of each of its steps (:func:`with_templates`), which a result shows and copies.

What is left in the scripts is theirs alone: the ranking's weights, the box's markup and
the keys it answers to.
"""

from __future__ import annotations

import html
import json
import re
from importlib import resources
from urllib.parse import quote

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


def search_modules() -> list[str]:
    """The site address of every module of the search box."""
    folder = resources.files("build_tools").joinpath("assets", "search")
    return sorted(f"{SEARCH_FOLDER}/{entry.name}" for entry in folder.iterdir()
                  if entry.name.endswith(".js"))


def settings(time_zone: str, issue_url: str | None = None) -> dict[str, object]:
    """What :func:`settings_module` gives the scripts (as they name it): ``issue_url`` is
    the new-issue URL (with ``{title}`` and ``{body}``) a question nothing answered is
    offered to, if the site has one."""
    texts = {}
    for language in available_languages():
        labels = load_labels(language)
        texts[language] = {"search": labels["search_box"], "stepLink": labels["step_link"]}
    return {"language": DEFAULT_LANGUAGE, "texts": texts, "timeZone": time_zone,
            "uris": {"pagefind": PAGEFIND_SCRIPT, "lexicon": LEXICON_URI,
                     "words": REAL_WORDS_URI, "suggestions": SUGGESTIONS_URI},
            "terms": [TERMS_START, TERMS_END], "placeholder": BLANK_PATTERN,
            "templateMeta": TEMPLATE_META, "issue": issue_url or None}


def settings_module(time_zone: str, issue_url: str | None = None) -> str:
    """``assets/sop-kb/settings.js``: :func:`settings` as the module's default export, and
    ``root``, the site's root URL, worked out from where the module is."""
    up = "../" * SETTINGS_URI.count("/")
    data = json.dumps(settings(time_zone, issue_url), ensure_ascii=False, indent=1,
                      sort_keys=True)
    return (f"/* Written by the build (build_tools/search/browser.py); edit that, not this. */\n"
            f"export const root = new URL({json.dumps(up)}, import.meta.url);\n"
            f"export default {data};\n")


#: A heading (its attributes) or a reply template (its HTML), in the order of the page.
_MARKS = re.compile(r'<h[1-6](?P<attributes>[^>]*)>|<pre class="sop-template">(?P<template>.*?)'
                    r'</pre>', re.DOTALL)
_STEP = re.compile(r' class="sop-step" id="([^"]+)"')
_TAG = re.compile(r"<[^>]+>")


def with_templates(content: str) -> str:
    """A page's HTML as search indexes it, with the reply template of each step that has
    one in the page's metadata (:data:`TEMPLATE_META`): the template as written, its text
    percent-encoded (Pagefind folds the whitespace of metadata; a template keeps its
    lines), and the id of the step of the page's first template. A template under no
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
        text = quote(html.unescape(_TAG.sub("", match["template"])), safe="")
        pieces += [content[at:match.end()],
                   f'<span data-pagefind-meta="{TEMPLATE_META["prefix"]}{step}[data-text]" '
                   f'data-text="{text}" hidden></span>']
        if not given:
            pieces.append(f'<span data-pagefind-meta="{TEMPLATE_META["first"]}:{step}" '
                          f'hidden></span>')
        given.add(step)
        at = match.end()
    return "".join(pieces) + content[at:]
