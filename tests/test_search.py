"""Search as agents type it, in Chromium on the fixture knowledge base: no word is
required, ranking follows where the words stand, typing slips are forgiven, an empty
result says what to do next, and the browser's word rules agree with the index's."""

from __future__ import annotations

import json

import pytest
from conftest import SOPS, mkdocs, serve

from build_tools.model.words import root, words
from build_tools.rules.catalog import load_catalog

RANK = "([query, limit]) => window.sopKbSearch.rank(query, limit)"


def rank(page, site_url: str, query: str) -> dict:
    if not page.url.startswith(site_url):
        page.goto(site_url + "sop/", wait_until="networkidle")
        page.wait_for_function("() => window.sopKbSearch")
    return page.evaluate(RANK, [query, 8])


def sops(found: dict) -> list[str]:
    return [r["url"].split("/sop/")[1].split("/")[0] for r in found["results"]
            if "/sop/" in r["url"] and r["url"].split("/sop/")[1].split("/")[0]]


def test_a_word_on_no_page_does_not_empty_the_list(page, site_url: str) -> None:
    """Every word required used to end a long question in an empty list."""
    found = rank(page, site_url, "pelanggan komplain barang rusak zzqxv")
    assert found["results"]
    assert sops(found)[0] == "cs-comp-002"


def test_filler_words_are_never_required(page, site_url: str) -> None:
    found = rank(page, site_url, "gimana dong cara refund nih")
    assert found["terms"] == ["refund"]
    assert sops(found)[0] == "cs-comp-002"


def test_pages_matching_more_of_the_words_rank_first(page, site_url: str) -> None:
    """Merging: 'paket' alone finds several SOPs; with 'telat' and 'kurir' the delivery
    SOP, which holds all three, comes first, and SOPs holding one word still follow."""
    alone = sops(rank(page, site_url, "paket"))
    merged = sops(rank(page, site_url, "paket telat kurir"))
    assert merged[0] == "cs-comp-003"
    assert len(merged) > 1 and set(merged[1:]) & set(alone)


def test_a_title_outweighs_a_word_deep_in_a_paragraph(page, site_url: str) -> None:
    """'perilaku' is in the staff-behaviour SOP's title; elsewhere only in running text."""
    assert sops(rank(page, site_url, "perilaku"))[0] == "cs-comp-005"


def test_a_step_holding_every_word_outranks_words_spread_over_common_sections(
        page, site_url: str) -> None:
    """The complaint SOP's feedback section mentions sending a satisfaction survey too;
    the feedback SOP has the step that does it."""
    found = rank(page, site_url, "kirim survei kepuasan")
    assert sops(found)[0] == "cs-fdbk-001"
    assert found["results"][0]["url"].endswith("#kirim-survei")


@pytest.mark.parametrize("query, step", [
    ("pembeli nanya stok", "/sop/cs-order-001/#cek-stok"),
    ("refund berapa lama diproses", "/sop/cs-comp-002/#proses-refund"),
])
def test_the_step_opened_is_the_one_holding_the_rarer_words(page, site_url: str, query: str,
                                                             step: str) -> None:
    """Of two steps holding as many of the query's words, the one holding the rarer word
    opens: 'stok' is on fewer pages than 'pembeli', whose greeting step came first."""
    assert rank(page, site_url, query)["results"][0]["url"].endswith(step)


@pytest.mark.parametrize("typed, expected, sop", [
    ("kompalin", ("komplain",), "cs-comp-001"),
    ("pengembalin dana", ("kembali", "pengembalian"), "cs-comp-002"),
    ("pengirman terlambat", ("kirim", "pengiriman"), "cs-comp-003"),
])
def test_one_typing_slip_is_forgiven_in_longer_words(page, site_url: str, typed: str,
                                                     expected: tuple[str, ...], sop: str) -> None:
    found = rank(page, site_url, typed)
    assert found["terms"][0] in expected
    assert sop in sops(found)[:3]


def test_a_real_word_is_not_taken_for_another_unless_a_vowel_apart(
        page, site_url: str) -> None:
    """``pelan`` (slow) is a word of its own, not a slip of the site's ``peran`` (role), so
    it is kept as typed (words.json lists it); a word a vowel from a site's word is taken
    for another spelling of it (``sember`` for ``sumber``), as a word that is none is
    taken for a slip."""
    assert rank(page, site_url, "pelan")["terms"] == ["pelan"]
    assert rank(page, site_url, "sember")["terms"] == ["sumber"]
    assert rank(page, site_url, "pengirman")["terms"][0] in ("kirim", "pengiriman")


@pytest.mark.parametrize("typed, expected", [("sampe", "sampai"), ("dipake", "pakai")])
def test_chat_spellings_of_a_final_diphthong_are_read_as_the_word(
        page, site_url: str, typed: str, expected: str) -> None:
    """Chat writes ``-ai`` as ``-e`` and ``-au`` as ``-o`` (``sampe``, ``pake``, ``kalo``);
    ``sampe`` was corrected to the nearest root a letter away instead."""
    assert rank(page, site_url, typed)["terms"] == [expected]


@pytest.mark.parametrize("typed, expected", [("rusak2", ["rusak"]),
                                             ("marah2 paket2", ["marah", "paket"]),
                                             ("paket2an rusak2nya", ["paket", "rusak"])])
def test_a_word_doubled_with_a_2_is_read_as_the_word(
        page, site_url: str, typed: str, expected: list[str]) -> None:
    """Chat writes a doubled word with a 2 (``ciri2`` for ``ciri-ciri``); it was searched
    as one unknown word."""
    assert rank(page, site_url, typed)["terms"] == expected


def test_a_root_is_not_read_through_a_prefix_and_suffix_that_never_pair() -> None:
    """Sastrawi stems ``kerusakan`` (damage) to ``rusa`` (deer), through ke-…-kan, which its
    own rules disallow; the index takes ke-``rusak``-an. Other -kan words are left alone."""
    assert root("kerusakan") == "rusak"
    assert [root(w) for w in ("kebanyakan", "katakan", "kesalahan", "kemasan")] == \
        ["banyak", "kata", "salah", "kemas"]


def test_a_word_sastrawi_does_not_know_loses_its_particle_and_possessive() -> None:
    """Sastrawi leaves a word it does not know whole (``chatnya``), so the site had
    ``chatnya`` as a root and the box stopped there instead of at ``chat``."""
    assert [root(w) for w in ("chatnya", "emailnya", "livechatnya")] == \
        ["chat", "email", "livechat"]
    assert root("pesanannya") == "pesan" and root("chat") == "chat"


def test_the_box_reduces_a_damage_word_to_its_root(page, site_url: str) -> None:
    assert rank(page, site_url, "kerusakan")["terms"] == ["rusak"]


def test_the_real_words_listed_are_those_a_slip_of_more_than_a_vowel_would_take() -> None:
    """words.json: dictionary words the box would correct into a site's root by changing a
    consonant (``pelan`` → ``peran``; ``kemarin`` through its form ``kemar`` → ``kemas``),
    not those a vowel apart (``sember``, another spelling of ``sumber``), the site's own
    roots, nor words no root is near."""
    from build_tools.search.language import real_words_near

    roots = {"peran", "sumber", "kemas", "kirim"}
    dictionary = {"pelan", "kemarin", "sember", "sumber", "zebra", "kirim", "karim"}
    assert real_words_near(roots, dictionary) == ["kemarin", "pelan"]


def test_short_dictionary_words_are_real_words_a_longer_word_may_hold() -> None:
    """A longer word may hold a short dictionary word under its affixes (``ngegas``:
    ``gas``; ``cairnya``: ``cair``): listed, the word is not read as a slip of a site's
    root (``kegas`` as ``kemas``, ``cair`` as ``cari``); a short word the site has as a
    root is not listed."""
    from build_tools.search.language import real_words_near
    from build_tools.search.reading import Reading

    roots = {"kemas", "cari", "kirim", "refund"}
    real = real_words_near(roots, {"gas", "cair", "cari", "ke", "zebra"})
    assert real == ["cair", "gas"]
    assert Reading(sorted(roots), real).terms("ngegas cairnya refund") == \
        ["ngegas", "cairnya", "refund"]
    assert Reading(sorted(roots)).terms("ngegas cairnya") == ["kemas", "cari"]


def test_real_words_kept_up_to_date_as_roots_are_added_match_a_fresh_count() -> None:
    """While serving, each edit adds roots; the real words are then updated from the added
    roots alone. At each step they are those counted afresh: a root added near a word lists
    it (``pelan`` and ``pesanan`` by ``peran``), a root that is one of a listed word's forms
    takes it off (``kemar``, a form of ``kemarin``), a vowel apart stays corrected
    (``karim``, ``sember``), and roots taken away (a new session) count everything again."""
    from build_tools.search.language import RealWords, real_words_near

    dictionary = ["pelan", "kemarin", "sember", "sumber", "zebra", "kirim", "karim",
                  "tabel", "tabung", "bantal", "kantor", "kontan", "pesanan", "pesawat"]
    real = RealWords(dictionary)
    steps = [{"sumber", "kirim"}, {"sumber", "kirim", "peran"},
             {"sumber", "kirim", "peran", "kemas", "label"},
             {"sumber", "kirim", "peran", "kemas", "label", "kemar", "bantu"},
             {"kemas", "kantar"}]
    seen = []
    for roots in steps:
        seen.append(real.near(roots))
        assert seen[-1] == real_words_near(roots, dictionary), roots
    assert seen == [[], ["pelan", "pesanan"], ["kemarin", "pelan", "pesanan"],
                    ["pelan", "pesanan"], ["kemarin"]]


def test_short_words_are_not_corrected(page, site_url: str) -> None:
    assert rank(page, site_url, "rsak")["terms"] == ["rsak"]  # four letters: never


def test_a_result_opens_the_step_and_shows_the_sentence(page, site_url: str) -> None:
    found = rank(page, site_url, "pelanggan minta uang kembali")
    first = found["results"][0]
    assert first["url"].endswith("/sop/cs-comp-002/#proses-refund") or \
        first["url"].endswith("/sop/cs-comp-002/#tawarkan-solusi")
    assert first["section"].startswith(("5. ", "4. "))
    assert any(marked for _, marked in first["excerpt"])


@pytest.mark.parametrize("query", ["paket belum tiba", "penanggung jawab", "target waktu"])
def test_no_excerpt_ends_in_an_empty_label(page, site_url: str, query: str) -> None:
    excerpts = ["".join(piece for piece, _ in result["excerpt"]).rstrip(" …")
                for result in rank(page, site_url, query)["results"]]
    assert excerpts and all(excerpts)
    assert [text for text in excerpts if text.endswith(":")] == []


def test_the_box_shows_the_step_number_and_marks_the_words(page, site_url: str) -> None:
    page.goto(site_url + "sop/cs-chat-001/", wait_until="networkidle")
    page.fill(".sop-search__input", "minta bukti foto rusak")
    page.wait_for_selector(".sop-search__results:not([aria-busy]) .sop-search__result")
    first = page.locator(".sop-search__result").first
    assert first.locator(".sop-search__title").inner_text() == "Menangani keluhan produk rusak"
    assert first.locator(".sop-search__step").inner_text().startswith("2. Minta foto")
    assert first.locator(".sop-search__excerpt mark").count() >= 1
    first.click()
    page.wait_for_url("**/sop/cs-comp-002/#minta-bukti")


def test_nothing_found_suggests_close_situations_and_how_to_ask(page, site_url: str) -> None:
    page.goto(site_url + "sop/cs-chat-001/", wait_until="networkidle")
    page.fill(".sop-search__input", "zzqxv wwqk")
    page.wait_for_selector(".sop-search__request")
    assert page.locator(".sop-search__none").inner_text() == "Tidak ada hasil untuk “zzqxv wwqk”"
    assert page.locator(".sop-search__request").get_attribute("href").endswith("/usulkan-sop/")
    # A word that is in situations but spelt so that the index has nothing: suggestions.
    found = page.evaluate("q => window.sopKbSearch.closest(q)", "barang rusak")
    assert found["sops"] and found["sops"][0]["u"] == "sop/cs-comp-002/"


def test_the_browsers_word_rules_agree_with_the_indexs_stemmer(page, site_url: str) -> None:
    """The affix rules the box uses (written into lexicon.json from
    build_tools/search/language.py) reduce the site's word forms to the roots Sastrawi
    gives at build time, for nearly all of them."""
    catalog = load_catalog([SOPS])
    forms = sorted({w for sop in catalog.sops for w in words(" ".join(
        [sop.title, sop.purpose, *(step.action for step in sop.steps)]))
        if w.isalpha() and len(w) > 5 and root(w) != w})
    rank(page, site_url, "x")
    roots = page.evaluate("""async forms => {
        const out = [];
        for (const form of forms) out.push(await window.sopKbSearch.rootOf(form));
        return out; }""", forms)
    agree = sum(roots[i] == root(form) for i, form in enumerate(forms))
    assert len(forms) > 150
    assert agree / len(forms) >= 0.9, [(f, r, root(f)) for f, r in zip(forms, roots, strict=True)
                                       if r != root(f)][:20]


def test_the_forms_the_box_tries_are_those_the_build_lists_real_words_by(
        page, site_url: str) -> None:
    """words.json is computed at build time from the forms the box tries for a typed word
    (build_tools/search/language.py applies the rules as assets/search/forms.js does): the
    two give the same forms, in the same order, for every word of the fixture's SOPs and for
    informal forms."""
    from build_tools.search.language import candidates

    catalog = load_catalog([SOPS])
    typed = sorted({w for sop in catalog.sops for w in words(" ".join(
        [sop.title, sop.purpose, *(step.action for step in sop.steps)])) if w.isalpha()})
    typed += ["kemarin", "nyasar", "balikin", "ngecek", "nanyain", "dijelasinnya", "sampe",
              "dipake", "kalo", "pakein"]
    rank(page, site_url, "x")
    forms = page.evaluate("""async typed => {
        const out = [];
        for (const word of typed) out.push(await window.sopKbSearch.candidates(word));
        return out; }""", typed)
    assert len(typed) > 200
    assert forms == [candidates(word) for word in typed]


@pytest.mark.slow
def test_an_index_in_parts_finds_every_page(page, project, tmp_path) -> None:
    """A site with more pages than ``search_pages_per_index`` gets several Pagefind
    indexes, written one after another (the indexer's memory stays that of one index); the
    box merges them: every SOP's title finds that SOP, whichever part holds it."""
    config = project / "mkdocs.yml"
    config.write_text(config.read_text("utf-8").replace(
        "      sops_dir: sops\n", "      sops_dir: sops\n      search_pages_per_index: 6\n", 1),
        "utf-8")
    out = tmp_path / "parts"
    result = mkdocs("build", "--strict", "--site-dir", str(out), cwd=project)
    assert result.returncode == 0, result.stderr
    indexes = json.loads((out / "assets" / "sop-kb" / "lexicon.json").read_text("utf-8"))
    assert len(indexes["indexes"]) >= 3
    assert indexes["indexes"] == [f"pagefind-{n}/" for n in range(2, len(indexes["indexes"]) + 2)]
    for folder in ("pagefind/", *indexes["indexes"]):
        assert (out / folder / "pagefind-entry.json").is_file()
    catalog = load_catalog([project / "sops"], reference_dir=project / "reference")
    titles = {sop.id.lower(): sop.title for sop in catalog.sops if sop.status != "retired"}
    url, server = serve(out)
    try:
        found = {sop: sop in sops(rank(page, url, title))[:3] for sop, title in titles.items()}
    finally:
        server.shutdown()
    assert found == {sop: True for sop in titles}


@pytest.mark.slow
def test_a_word_only_a_hand_written_page_holds_counts_there_at_the_pages_weight(
        page, project, tmp_path) -> None:
    """A hand-written page weighs less than an SOP page (``search_weight``), also for a word
    no SOP holds: the page was the best page for that word, and a rare word counted whole
    put a team's notes above the SOP holding the rest of the question. The page is still
    found, first for its own word."""
    (project / "docs" / "catatan-tim.md").write_text(
        "# Catatan tim\n\nCatatan rapat mingguan tim layanan.\n\n## Lembur\n\nJadwal lembur "
        "tim: lembur hari Sabtu dibagi bergilir. Catat jam lembur di lembar tim setiap "
        "minggu.\n", "utf-8")
    config = project / "mkdocs.yml"
    config.write_text(config.read_text("utf-8").replace(
        "  - usulkan-sop.md\n", "  - usulkan-sop.md\n  - catatan-tim.md\n", 1), "utf-8")
    out = tmp_path / "notes"
    result = mkdocs("build", "--strict", "--site-dir", str(out), cwd=project)
    assert result.returncode == 0, result.stderr
    url, server = serve(out)
    try:
        both = [r["url"] for r in rank(page, url, "lembur refund")["results"]]
        alone = [r["url"] for r in rank(page, url, "lembur")["results"]]
    finally:
        server.shutdown()
    assert "/sop/cs-comp-002/" in both[0]
    assert any("/catatan-tim/" in found for found in both[1:])
    assert "/catatan-tim/" in alone[0]


def test_a_steps_id_is_indexed_with_its_heading() -> None:
    """A step's id is a name its writer gave it (``tindak-lanjut``), often words its action
    does not hold: their roots are indexed in the heading's hidden list, with their
    synonyms; a section's fixed id is not."""
    from build_tools.search.terms import Lexicon

    lexicon = Lexicon([["tindak lanjut", "follow up"]])
    annotated = lexicon.annotate(
        '<h3 class="sop-step" id="tindak-lanjut">8. Hubungi pelanggan</h3><p>Teks.</p>'
        '<h2 id="purpose-scope">Tujuan</h2><p>Isi.</p>')
    heading, rest = annotated.split("</h3>")
    hidden = heading.split("sopkbtermsstart")[1].split("sopkbtermsend")[0]
    assert hidden.split() == ["hubung", "langgan", "tindak", "lanjut", "follow", "up"]
    assert rest.split("sopkbtermsstart")[1].split("sopkbtermsend")[0].split() == ["tuju"]
