"""The search box's modules one function at a time, in Chromium as the fixture site serves
them (``build_tools/assets/search/*.js``), and what they are given by the build: the
settings module, texts in the page's language, and no fact of the build written into a
script."""

from __future__ import annotations

import re

import pytest
import yaml
from conftest import KB, ROOT

from build_tools.model.words import words
from build_tools.render.labels import DEFAULT_LANGUAGE, available_languages, load_labels
from build_tools.search import browser, language
from build_tools.search.language import edit_letters
from build_tools.site import findability
from build_tools.site.pages import TIME_ZONE

ASSETS = ROOT / "build_tools" / "assets"
#: The new-issue URL the fixture knowledge base gives the plugin (its ``issue_url``).
ISSUE_URL = next(plugin["sop-kb"]["issue_url"] for plugin in yaml.safe_load(
    (KB / "mkdocs.yml").read_text("utf-8"))["plugins"] if "sop-kb" in plugin)
#: The site's scripts, all ES modules but the service worker. Not redirect.js: a redirect
#: page's only script, a classic one, since it reads its own element
#: (``document.currentScript``, which a module does not have).
SCRIPTS = sorted(path for path in [*ASSETS.glob("*.js"), *(ASSETS / "search").glob("*.js")]
                 if path.name != "redirect.js")

#: Imports every module of the box into ``m`` and runs the body with ``arg`` and ``lexicon``
#: (a lexicon of ``arg.roots`` compiled with the build's language rules).
CALL = """async ([folder, rules, arg]) => {
  const names = ["words", "forms", "correct", "lexicon", "query", "answer", "results",
                 "suggest", "items"];
  const m = Object.assign({}, ...await Promise.all(names.map((n) => import(folder + n + ".js"))));
  const lexicon = m.compile({roots: arg.roots || [], sections: arg.sections || [],
                             language: rules});
  if (arg.real) { lexicon.realSet = new Set(arg.real); }
  %s
}"""


def call(page, site_url: str, body: str, **arg: object):
    if not page.url.startswith(site_url):
        page.goto(site_url, wait_until="networkidle")
    return page.evaluate(CALL % body, [f"{site_url}{browser.SEARCH_FOLDER}/", language.rules(),
                                       arg])


def test_the_settings_module_is_what_python_defines(page, site_url: str) -> None:
    page.goto(site_url, wait_until="networkidle")
    found = page.evaluate("""async (url) => {
        const m = await import(url);
        return {settings: m.default, root: m.root.href}; }""", site_url + browser.SETTINGS_URI)
    assert found["root"] == site_url
    assert found["settings"] == browser.settings(TIME_ZONE, ISSUE_URL, offline=True,
                                                 weights=findability.LIGHTER)
    assert found["settings"]["weights"] == {"sopkbweight60": 0.6}
    assert found["settings"]["language"] == DEFAULT_LANGUAGE
    assert found["settings"]["texts"]["id"]["search"] == load_labels("id")["search_box"]


@pytest.mark.parametrize("lang, expected", [("en", "en"), ("id", "id"), ("en-GB", "en"),
                                            ("fr", DEFAULT_LANGUAGE), ("", DEFAULT_LANGUAGE)])
def test_texts_are_those_of_the_pages_language_else_the_default(
        page, site_url: str, lang: str, expected: str) -> None:
    page.goto(site_url, wait_until="networkidle")
    texts = page.evaluate("""async ([url, lang]) => {
        document.documentElement.lang = lang;
        const m = await import(url);
        return [m.texts("search"), m.texts("stepLink")]; }""",
                          [site_url + browser.SITE_MODULE, lang])
    labels = load_labels(expected)
    assert texts == [labels["search_box"], labels["step_link"]]
    assert len(available_languages()) >= 2


def test_the_box_shows_its_texts_from_the_build(page, site_url: str) -> None:
    page.goto(site_url + "sop/", wait_until="networkidle")
    box = page.locator(".sop-search__input")
    assert box.get_attribute("placeholder") == load_labels("id")["search_box"]["placeholder"]
    assert box.get_attribute("aria-label") == load_labels("id")["search_box"]["label"]


@pytest.mark.parametrize("text", ["Marah2 di E-mail, café! rata-rata 24jam",
                                  "Pengembalian dana (refund) — SOP-nya: x2 ab2 ﬁle"])
def test_text_splits_into_the_words_python_splits_it_into(page, site_url: str,
                                                          text: str) -> None:
    found = call(page, site_url, "return [m.words(arg.text, lexicon.tokens), "
                 "m.queryWords(arg.text, lexicon.tokens)];", text=text)
    assert found == [words(text), [w for w in words(text) if len(w) > 1]]
    assert "-" not in "".join(found[0]) and found[0] != text.lower().split()


def test_a_word_doubled_with_a_2_and_a_hyphenated_word_are_split_as_written(
        page, site_url: str) -> None:
    found = call(page, site_url, "return m.queryWords(arg.text, lexicon.tokens);",
                 text="Ciri2 e-mail Café")
    assert found == ["ciri", "mail", "cafe"]


PAIRS = [("kompalin", "komplain"), ("pelan", "peran"), ("antrian", "antrean"),
         ("kirim", "kirim"), ("kirim", "kirimkan"), ("pesan", "pesanan"), ("abc", "abd"),
         ("abc", "xyz"), ("sumber", "sember"), ("rusak", "rusk")]


def test_edit_letters_are_those_python_finds(page, site_url: str) -> None:
    found = call(page, site_url, "return arg.pairs.map(([a, b]) => m.editLetters(a, b));",
                 pairs=PAIRS)
    assert found == [edit_letters(a, b) for a, b in PAIRS]
    assert found[0] == "al" and found[1] == "lr" and found[3] == "" and found[4] is None


def test_a_slip_is_corrected_a_real_word_kept_unless_a_vowel_apart(page, site_url: str) -> None:
    roots = ["komplain", "peran", "sumber", "kirim", "rusak"]
    found = call(page, site_url, """return arg.typed.map((word) => m.correct(word, lexicon));""",
                 roots=roots, real=["pelan", "sember"],
                 typed=["kompalin", "pelan", "sember", "dikirimkan", "rsak", "24jamm", "zzzzzz"])
    assert found == ["komplain", "pelan", "sumber", "kirim", "rsak", "24jamm", "zzzzzz"]


def test_the_forms_tried_reach_the_root_through_informal_affixes(page, site_url: str) -> None:
    found = call(page, site_url, """return arg.typed.map((word) =>
        [m.rootOf(word, lexicon), m.candidates(word, lexicon.affixes).length]);""",
                 roots=["jelas", "balik", "sampai", "tanya"],
                 typed=["dijelasinnya", "balikin", "sampe", "nanyain", "meja"])
    assert [root for root, _ in found] == ["jelas", "balik", "sampai", "tanya", "meja"]
    assert all(count > 1 for _, count in found[:4])


def test_filler_is_dropped_unless_nothing_else_is_left(page, site_url: str) -> None:
    found = call(page, site_url, """return [m.queryTerms("gimana dong cara refund nih", lexicon),
        m.queryTerms("gimana dong", lexicon), m.queryTerms("refund refunds", lexicon),
        m.needsRealWords("tolong pengirman", lexicon), m.needsRealWords("kirim dong", lexicon)];""",
                 roots=["refund", "kirim"])
    assert found == [["refund"], ["gimana", "dong"], ["refund"], True, False]
    assert {"gimana", "dong", "nih", "cara"} <= language.STOPWORDS


def test_filler_with_an_ending_is_filler_and_abbreviations_are_read(page, site_url: str) -> None:
    found = call(page, site_url, """return [m.queryTerms("maunya refund dtg tgl brp", lexicon),
        m.queryTerms("bisakah kenya apapun", lexicon), m.needsRealWords("tgl", lexicon)];""",
                 roots=["refund", "datang", "tanggal", "apa"])
    assert found == [["refund", "datang", "tanggal"], ["kenya", "apa"], False]
    assert language.ABBREVIATIONS["tgl"] == "tanggal"


def test_hidden_word_lists_are_cut_from_what_is_shown(page, site_url: str) -> None:
    found = call(page, site_url, """return [
        m.visible("Kirim  paket sopkbtermsstart kirim paket sopkbtermsend ke kurir"),
        m.visible("Judul sopkbtermsstart judul akar")];""")
    assert found == ["Kirim paket ke kurir", "Judul"]


def test_the_sentence_shown_holds_most_terms_with_them_marked(page, site_url: str) -> None:
    long = " ".join(f"kata{n}" for n in range(40))
    text = f"Sapa pelanggan. Cek stok barang di gudang! Lalu {long} kirim paket-nya sekarang."
    found = call(page, site_url, """return [m.sentence(arg.text, ["stok", "gudang"], lexicon),
        m.sentence(arg.text, ["kirim", "paket"], lexicon)];""",
                 text=text, roots=["stok", "gudang", "kirim", "paket"])
    short, cut = found
    assert "".join(piece for piece, _ in short) == "Cek stok barang di gudang!"
    assert [piece for piece, marked in short if marked] == ["stok", "gudang!"]
    assert cut[0] == ["… ", False] and cut[-1] != [" …", False]
    assert [piece for piece, marked in cut if marked] == ["kirim", "paket-nya"]
    assert len([piece for piece, _ in cut if piece.strip() not in ("", "…")]) == 30


def test_an_excerpt_never_ends_in_a_label_with_nothing_after(page, site_url: str) -> None:
    """A step's line of labels (``Penanggung jawab: … · Target waktu: …``) is one sentence,
    not a label alone; a cut that would end on a label ends before it."""
    labels = "Penanggung jawab: Staf gudang · Target waktu: 1 hari · Kanal: email"
    filler = " ".join(f"kata{n}" for n in range(1, 27))
    found = call(page, site_url, """return [m.sentence(arg.labels, ["zzz"], lexicon),
        m.sentence(arg.cut, ["paket"], lexicon)];""",
                 labels=labels + ". Lain kali.", cut=f"paket {filler} · Target waktu: 2 hari",
                 roots=["paket"])
    alone, cut = ("".join(piece for piece, _ in pieces) for pieces in found)
    assert alone == labels + "."
    assert cut == f"paket {filler} …"


def test_a_result_leads_to_this_site_and_a_broken_template_is_none(page, site_url: str) -> None:
    """A page's address from the index never leads to another host (a docs file name such
    as ``\\/host.md``); a template reads back as the build wrote it, and one that does
    not read is no template (not an error that stops every query)."""
    text = "Halo {nama},\nterima kasih! Paket Anda sudah kami kirim."
    found = call(page, site_url, """const t = {prefix: "sopkb-template-", first: "sopkb-template"};
        const meta = (text) => ({meta: {"sopkb-template": "s1", "sopkb-template-s1": text}});
        return [m.onSite("/sop/x/"), m.onSite("\\\\/contoh.invalid/"),
                m.onSite("//contoh.invalid/"), m.onSite("https://contoh.invalid/a"),
                m.template(meta("%E0%A4%A"), "/sop/x/"), m.template(meta(arg.invalid), "/sop/x/"),
                m.template(meta(arg.good), "/sop/x/").text];""",
                 good=browser.as_symbols(text), invalid=chr(browser.SYMBOLS + 0xFF))
    assert found == [f"{site_url}sop/x/", site_url, f"{site_url}contoh.invalid/", site_url,
                     None, None, text]  # the leading "/" is the site's own root


def test_the_section_answering_is_the_step_holding_the_rarer_words(page, site_url: str) -> None:
    content = ("Menjawab pesanan pembeli . Tujuan pembeli bertanya stok . "
               "1. Sapa pembeli Sapa pembeli dengan ramah . "
               "2. Cek stok Cek stok di gudang untuk pembeli .")
    anchors = [{"element": "h1", "id": "", "text": "Menjawab pesanan pembeli", "location": 0},
               {"element": "h2", "id": "purpose-scope", "text": "Tujuan", "location": 4},
               {"element": "h3", "id": "sapa-pembeli", "text": "1. Sapa pembeli",
                "location": 9},
               {"element": "h3", "id": "cek-stok", "text": "2. Cek stok", "location": 17}]
    found = call(page, site_url, """
        const data = {url: "/sop/x/", content: arg.content, anchors: arg.anchors};
        return [m.answer(data, ["pembeli", "stok"], lexicon, {pembeli: 0.2, stok: 1.5}),
                m.answer(data, ["pembeli", "stok"], lexicon, {pembeli: 1.5, stok: 0.2})];""",
                 content=content, anchors=anchors, sections=["purpose-scope"])
    rare_stock, rare_buyer = found
    assert rare_stock["url"] == "/sop/x/#cek-stok" and rare_stock["section"] == "2. Cek stok"
    assert rare_buyer["url"] == "/sop/x/#sapa-pembeli"
    assert rare_stock["strength"] == pytest.approx((2 * 10 + 1 * 6) / (2 * 16))
    assert [piece for piece, marked in rare_stock["excerpt"] if marked] == ["stok", "pembeli"]


def test_the_first_results_are_reordered_by_their_sections_the_rest_kept(
        page, site_url: str) -> None:
    """Of two pages scoring alike, the one with a step holding every word comes first; the
    results after the first three keep the ranking's order."""
    found = call(page, site_url, """
        const page = (url, content, anchors) => ({url, content, anchors, meta: {title: url}});
        const spread = page("/a/", "A kirim . B survei .", [
            {element: "h1", id: "", text: "A", location: 0},
            {element: "h2", id: "b", text: "B", location: 3}]);
        const step = page("/b/", "X . Y kirim survei .", [
            {element: "h1", id: "", text: "X", location: 0},
            {element: "h3", id: "y", text: "Y", location: 2}]);
        const other = (url) => page(url, "Z kirim .", [
            {element: "h1", id: "", text: "Z", location: 0}]);
        const pages = [spread, step, other("/c/"), other("/d/"), other("/e/")];
        const ranked = {terms: ["kirim", "survei"], weights: {kirim: 1, survei: 1},
          lexicon: lexicon, results: pages.map((data, i) =>
            ({score: 10 - i * 0.1, result: {data: () => Promise.resolve(data)}}))};
        const shown = await m.allAnswered(ranked, 4);
        return shown.map((entry) => new URL(entry.shown.url).pathname);""",
                 roots=["kirim", "survei"])
    assert found == ["/b/", "/a/", "/c/", "/d/"]


def test_the_closest_sops_share_most_terms_a_slip_allowed_in_long_words(
        page, site_url: str) -> None:
    sops = [{"t": "A", "u": "sop/a/", "w": "keluh barang rusak"},
            {"t": "B", "u": "sop/b/", "w": "kirim paket telat"},
            {"t": "C", "u": "sop/c/", "w": "sapa pelanggan"},
            {"t": "D", "u": "sop/d/", "w": "barang rusk"}]
    found = call(page, site_url, """return m.closestSops(arg.sops, ["barang", "rusak", "paket"],
        lexicon).map((sop) => sop.t);""", sops=sops, roots=["barang"])
    assert found == ["A", "D", "B"]


# --- What is written in the scripts ---------------------------------------------------------

def facts_of_the_build() -> list[str]:
    """Strings the build defines for the browser: none may stand in a script."""
    given = browser.settings(TIME_ZONE, weights=findability.LIGHTER)
    facts = [*given["uris"].values(), *given["terms"], *given["weights"], browser.WEIGHT_WORD,
             TIME_ZONE, "lexicon.json",
             "words.json", "suggestions.json", given["placeholder"],
             *browser.TEMPLATE_META.values(), browser.SERVICE_WORKER_URI, "offline.json",
             browser.FALLBACK_PAGE, browser.WEB_MANIFEST_URI]
    for language_texts in given["texts"].values():
        for texts in language_texts.values():
            facts.extend(texts.values())
    rules = language.rules()
    facts += [rules["word"], rules["accent"], rules["doubled"], rules["neverCorrected"],
              *rules["suffixes"], *(pattern for pattern, _ in rules["prefixes"])]
    facts += [word for word in rules["stopwords"] if len(word) >= 5]
    return facts


#: A string written in a script (its comments taken out first).
_STRING = re.compile(r""""(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|`[^`]*`""")
_COMMENT = re.compile(r"/\*.*?\*/|^\s*//[^\n]*", re.DOTALL | re.MULTILINE)


def test_no_fact_of_the_build_is_written_in_a_script() -> None:
    facts = facts_of_the_build()
    assert len(facts) > 60
    for script in SCRIPTS:
        strings = _STRING.findall(_COMMENT.sub("", script.read_text("utf-8")))
        assert strings, script.name
        written = [fact for fact in facts if any(fact in string for string in strings)]
        assert written == [], script.name
        assert not {'"en"', '"id"', "'en'", "'id'"} & set(strings), script.name


def test_the_scripts_are_small_modules() -> None:
    assert len(SCRIPTS) >= 10
    for script in SCRIPTS:
        text = script.read_text("utf-8")
        assert len(text.splitlines()) <= 200, script.name
        # The service worker is a classic script: not every browser runs a module worker.
        if script.name not in browser.SERVICE_WORKER_PARTS:
            assert re.search(r"^(import|export) ", text, re.MULTILINE), script.name
    assert browser.search_modules() == sorted(
        f"{browser.SEARCH_FOLDER}/{path.name}" for path in (ASSETS / "search").glob("*.js"))
