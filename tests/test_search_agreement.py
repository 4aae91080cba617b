"""The search box and the build read words alike, on every word there is to read.

The box's modules (``build_tools/assets/search/``, run here in Chromium as the site serves
them) and the Python reading (``build_tools/model/words.py``, ``build_tools/search/
language.py`` and ``reading.py``) apply the same rules, given to the browser in
``lexicon.json``. With the fixture site's own lexicon, both must give the same words for
the text of every page, and for every word of the site and of every benchmark question the
same forms, the same root and the same correction (with the real words loaded, as the box
has them before it corrects, and without, as when they fail to load); and for every
question the same search terms. Not most of them: all.
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import yaml
from conftest import ROOT

from build_tools.model.words import words
from build_tools.search.browser import LEXICON_URI, REAL_WORDS_URI, SEARCH_FOLDER
from build_tools.search.language import candidates
from build_tools.search.reading import Reading

QUESTION_SETS = sorted((ROOT / "benchmarks" / "search").glob("questions*.yaml"))
_HIDDEN = re.compile(r"<(script|style)\b.*?</\1>", re.DOTALL | re.IGNORECASE)
_TAG = re.compile(r"<[^>]+>")

#: Every reading of the box's modules, for the words given, in one call.
BOX = """async ([folder, lexiconUrl, wordsUrl, texts, typed, questions]) => {
  const {compile} = await import(folder + "lexicon.js");
  const {words} = await import(folder + "words.js");
  const {candidates, rootOf} = await import(folder + "forms.js");
  const {correct} = await import(folder + "correct.js");
  const {needsRealWords, queryTerms} = await import(folder + "query.js");
  const data = await (await fetch(lexiconUrl)).json();
  const real = new Set(await (await fetch(wordsUrl)).json());
  const withReal = compile(data);
  withReal.realSet = real;
  const without = compile(data);
  return {
    words: texts.map((text) => words(text, withReal.tokens)),
    forms: typed.map((word) => candidates(word, withReal.affixes)),
    roots: typed.map((word) => rootOf(word, withReal)),
    corrected: typed.map((word) => correct(word, withReal)),
    correctedWithout: typed.map((word) => correct(word, without)),
    terms: questions.map((question) => queryTerms(question, withReal)),
    termsWithout: questions.map((question) => queryTerms(question, without)),
    needsRealWords: questions.map((question) => needsRealWords(question, without))
  };
}"""


def page_texts(site: Path) -> list[str]:
    """The text of every page of a built site (scripts and styles left out)."""
    texts = []
    for path in sorted(site.rglob("*.html")):
        if not path.relative_to(site).as_posix().startswith(("pagefind", "assets/")):
            page = _HIDDEN.sub(" ", path.read_text("utf-8"))
            texts.append(html.unescape(_TAG.sub(" ", page)))
    return texts


def questions() -> list[str]:
    return [item["q"] for path in QUESTION_SETS
            for item in yaml.safe_load(path.read_text("utf-8"))]


def test_the_box_and_python_read_every_word_alike(page, site: Path, site_url: str) -> None:
    texts, asked = page_texts(site), questions()
    typed = sorted({word for text in [*texts, *asked] for word in words(text)})
    lexicon = json.loads((site / LEXICON_URI).read_text("utf-8"))
    real = json.loads((site / REAL_WORDS_URI).read_text("utf-8"))
    page.goto(site_url, wait_until="networkidle")
    box = page.evaluate(BOX, [f"{site_url}{SEARCH_FOLDER}/", site_url + LEXICON_URI,
                              site_url + REAL_WORDS_URI, texts, typed, asked])
    with_real, without = Reading(lexicon["roots"], real), Reading(lexicon["roots"])
    python = {
        "words": (texts, [words(text) for text in texts]),
        "forms": (typed, [candidates(word) for word in typed]),
        "roots": (typed, [with_real.root_of(word) for word in typed]),
        "corrected": (typed, [with_real.correct(word) for word in typed]),
        "correctedWithout": (typed, [without.correct(word) for word in typed]),
        "terms": (asked, [with_real.terms(question) for question in asked]),
        "termsWithout": (asked, [without.terms(question) for question in asked]),
        "needsRealWords": (asked, [without.needs_real_words(question) for question in asked]),
    }
    # What is compared: six question sets, every page, every word, each in full.
    assert len(QUESTION_SETS) >= 6 and len(asked) > 650 and len(texts) > 50
    assert len(typed) > 1500
    for reading, (inputs, found) in python.items():
        differ = [(given, mine, theirs) for given, mine, theirs
                  in zip(inputs, found, box[reading], strict=True) if mine != theirs]
        assert differ == [], (reading, len(differ), differ[:5])
    # The readings are not trivially equal: slips are corrected, real words kept, roots found.
    roots, corrected = python["roots"][1], python["corrected"][1]
    changed = sum(word != root for word, root in zip(typed, roots, strict=True))
    slips = sum(a != b for a, b in zip(roots, corrected, strict=True))
    kept = sum(a != b for a, b in zip(corrected, python["correctedWithout"][1], strict=True))
    assert changed > 500 and slips > 20 and kept > 0, (changed, slips, kept)
