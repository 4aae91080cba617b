"""Practice generated from the SOPs and handbooks to print: the generator on fixtures (every
kind, wrong options never the answer, ambiguity skipped, a stable seed, opt-out and
hand-written questions), answering in Chromium, and the handbook in print emulation."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest
import yaml
from conftest import SOPS, problem_lines, sopkb

from build_tools.model.draws import OPTIONS, TemplateWords
from build_tools.model.practice import KINDS, PracticeSet, generate
from build_tools.render.renderer import Renderer
from build_tools.rules.catalog import FileCache, load_catalog
from build_tools.site.pages import SitePages
from build_tools.speed.reuse import PageCache

CATALOG = load_catalog([SOPS])
DURATION = Renderer("id").duration


def practice_of(sop_id: str, sop=None):
    sop = sop or CATALOG.by_id()[sop_id]
    category = [other for other in CATALOG.sops if other.category == sop.category]
    return generate(sop, category, CATALOG.sops, DURATION)


def test_every_kind_of_question_is_made_from_a_realistic_sop() -> None:
    kinds = {question.kind for question in practice_of("CS-COMP-002").questions}
    assert kinds == set(KINDS)


def test_wrong_options_are_never_the_answer_nor_the_same_time_written_otherwise() -> None:
    equal_times = {"1 hari", "24 jam"}
    for sop in CATALOG.sops:
        for question in practice_of(sop.id).questions:
            assert len(set(question.options)) == len(question.options) >= 2, question
            assert question.options.count(question.correct) == 1
            shown_times = {re.sub(r"^.*\((.*)\)$", r"\1", o) for o in question.options}
            assert not (question.kind in ("time", "escalation") and
                        len(equal_times & shown_times) == 2), question
            steps = {step.id for step in sop.steps}
            assert question.anchor in steps | {"escalation", "purpose-scope"}


def test_a_question_with_two_right_answers_is_skipped_and_listed() -> None:
    sop = CATALOG.by_id()["CS-COMP-002"]
    twin = dataclasses.replace(sop.steps[3], id="tawarkan-lagi", action=sop.steps[1].action)
    doubled = dataclasses.replace(sop, steps=(*sop.steps, twin))
    found = practice_of(sop.id, doubled)
    for question in found.questions:
        if question.kind in ("role", "time", "order"):
            assert question.subject != sop.steps[1].action
            assert question.correct != sop.steps[1].action
    assert any("same action" in reason or "share an action" in reason
               for reason in found.skipped)
    one_role = dataclasses.replace(sop, duties=sop.duties[:1], steps=tuple(
        dataclasses.replace(step, role=sop.duties[0].role) for step in sop.steps))
    assert not [q for q in practice_of(sop.id, one_role).questions if q.kind == "role"]


def test_the_same_version_gives_the_same_questions_and_a_new_one_others() -> None:
    sop = CATALOG.by_id()["CS-COMP-003"]
    assert practice_of(sop.id) == practice_of(sop.id)
    newer = dataclasses.replace(sop, version="9.9")
    assert [q.options for q in practice_of(sop.id, newer).questions] != \
        [q.options for q in practice_of(sop.id).questions]


def test_sets_made_together_share_template_words_and_see_an_edited_sop() -> None:
    """A blank question's wrong options are words of its category's templates, each
    SOP's read once for all the sets made together; an edited SOP (a new object) is read
    again."""
    sop = CATALOG.by_id()["CS-COMP-002"]
    category = [other for other in CATALOG.sops if other.category == sop.category]
    words = TemplateWords()

    def blank(sops):
        made = generate(sop, sops, CATALOG.sops, DURATION, words)
        return next(question for question in made.questions if question.kind == "blank")

    alone = next(q for q in practice_of(sop.id).questions if q.kind == "blank")
    assert blank(category) == alone
    other = next(o for o in category if o is not sop)
    edited = dataclasses.replace(other, steps=[
        dataclasses.replace(step, template="Lampirkan fotokopi kwitansi pembelian barangnya")
        for step in other.steps])
    assert words(edited) == {"Lampirkan", "fotokopi", "kwitansi", "pembelian", "barangnya"}
    # One templated step of its own: every word of its own is in the blanked template.
    step = next(step for step in sop.steps if step.template)
    sop = dataclasses.replace(sop, steps=[step])
    question = blank([sop, edited])
    wrong = set(question.options) - {question.options[question.answer]}
    assert len(wrong) == OPTIONS - 1 and wrong <= words(edited)


def test_a_rebuild_makes_again_only_the_practice_an_edit_can_change(project: Path) -> None:
    """``mkdocs serve`` keeps the caches: a title edit makes again the edited SOP's set and
    those offering its title (a few of a large category, and those whose category is too
    small, drawing on every SOP); every set equals one made from scratch."""
    source = (project / "sops" / "CS-COMP-002.yaml").read_text("utf-8")
    for number in range(100, 130):  # a category of thirty-odd SOPs, as real sites have
        text = source.replace("id: CS-COMP-002", f"id: CS-COMP-{number}").replace(
            "title: Menangani keluhan produk rusak",
            f"title: Menangani keluhan produk rusak jenis {number}")
        (project / "sops" / f"CS-COMP-{number}.yaml").write_text(text, "utf-8")
    files, pages = FileCache(), PageCache()

    def practice() -> dict[str, PracticeSet]:
        catalog = load_catalog([project / "sops"], cache=files)
        assert not catalog.errors, catalog.errors
        return SitePages(catalog, "id", cache=pages).practice()

    before = practice()
    again = practice()
    assert all(again[sop_id] is found for sop_id, found in before.items())
    path = project / "sops" / "CS-COMP-002.yaml"
    path.write_text(source.replace("title: Menangani keluhan produk rusak",
                                   "title: Menangani keluhan barang rusak"), "utf-8")
    after = practice()
    old = "Menangani keluhan produk rusak"
    offering = {sop_id for sop_id, found in before.items()
                if found.draw is not None and old in found.draw.titles}
    made_again = {sop_id for sop_id in after if after[sop_id] is not before[sop_id]}
    assert made_again == offering | {"CS-COMP-002"}
    category = {sop_id for sop_id, found in before.items()
                if found.sop.category == "Penanganan keluhan"}
    assert 0 < len(offering & category) < len(category) - 10
    # The sets offering it now offer the new title instead.
    assert all("Menangani keluhan barang rusak" in after[sop_id].draw.titles
               for sop_id in offering)
    scratch = SitePages(load_catalog([project / "sops"]), "id").practice()
    assert {sop_id: found.questions for sop_id, found in after.items()} == \
        {sop_id: found.questions for sop_id, found in scratch.items()}


def test_an_edited_template_makes_again_its_category_s_sets_alone(project: Path) -> None:
    """Wrong options of blank questions are words of the whole category's templates: a new
    word in one template makes its category's sets again, and no other."""
    files, pages = FileCache(), PageCache()

    def practice() -> dict[str, PracticeSet]:
        return SitePages(load_catalog([project / "sops"], cache=files), "id",
                         cache=pages).practice()

    before = practice()
    path = project / "sops" / "CS-COMP-002.yaml"
    path.write_text(path.read_text("utf-8").replace(
        "Kami akan\n      segera membantu", "Kami akan\n      secepatnya membantu"), "utf-8")
    after = practice()
    assert "secepatnya" in after["CS-COMP-001"].draw.words
    made_again = {sop_id for sop_id in after if after[sop_id] is not before[sop_id]}
    assert made_again == {sop_id for sop_id, found in before.items()
                          if found.sop.category == "Penanganan keluhan"}
    assert made_again < set(before)
    scratch = SitePages(load_catalog([project / "sops"]), "id").practice()
    assert {sop_id: found.questions for sop_id, found in after.items()} == \
        {sop_id: found.questions for sop_id, found in scratch.items()}


def _with_practice(project: Path, practice: dict) -> Path:
    path = project / "sops" / "CS-COMP-002.yaml"
    data = yaml.safe_load(path.read_text("utf-8"))
    data["practice"] = practice
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "utf-8")
    return path


@pytest.mark.slow
def test_an_sop_opts_out_or_adds_questions_checked_with_file_and_line(project: Path) -> None:
    _with_practice(project, {"questions": [
        {"question": "Berapa kali bukti boleh diminta?", "options": ["Sekali", "Dua kali"],
         "answer": "Tiga kali", "step": "tidak-ada"}]})
    result = sopkb("validate", cwd=project)
    assert result.returncode == 1
    found = problem_lines(result.stdout)
    assert {p["rule"] for p in found} == {"practice-answer", "practice-step"}
    assert all(p["path"] == "sops/CS-COMP-002.yaml" and int(p["line"]) > 1 for p in found)
    _with_practice(project, {"questions": [
        {"question": "Berapa kali bukti boleh diminta?", "options": ["Sekali", "Dua kali"],
         "answer": "Dua kali", "step": "minta-bukti", "explanation": "Lalu eskalasi."}]})
    assert sopkb("validate", cwd=project).returncode == 0
    sop = load_catalog([project / "sops"]).by_id()["CS-COMP-002"]
    written = [q for q in practice_of(sop.id, sop).questions if q.kind == "written"]
    assert written and written[0].correct == "Dua kali" and written[0].anchor == "minta-bukti"
    _with_practice(project, {"skip": True})
    listed = sopkb("validate", "--practice", cwd=project)
    assert "CS-COMP-002.yaml: practice question skipped: CS-COMP-002: practice: skip is set" \
        in listed.stderr


# --- in the browser ------------------------------------------------------------------------

def test_answering_right_and_wrong_gives_the_score(page, site_url: str) -> None:
    page.goto(site_url + "latihan/cs-comp-002/", wait_until="networkidle")
    questions = page.locator("fieldset.sop-practice__q")
    total = questions.count()
    assert total == len(practice_of("CS-COMP-002").questions)
    right = 0
    for index in range(total):
        question = questions.nth(index)
        answer = int(question.get_attribute("data-answer"))
        choice = answer if index % 2 == 0 else (answer + 1) % question.locator("input").count()
        question.locator("input").nth(choice).check()
        right += choice == answer
        assert question.locator(".sop-practice__explain").is_visible()
        assert question.get_attribute("data-result") == ("right" if choice == answer else "wrong")
        assert question.locator("input").nth(0).is_disabled()
    assert page.locator(".sop-practice__score").inner_text() == \
        f"Skor akhir: {right} dari {total}"
    link = questions.nth(0).locator(".sop-practice__explain a")
    assert re.search(r"/sop/cs-comp-002/#[a-z-]+$", link.get_attribute("href") or "")


def test_a_training_path_links_its_practice_and_handbook(page, site_url: str) -> None:
    page.goto(site_url + "training/orientasi-agen-baru/", wait_until="networkidle")
    counts = page.locator(".sop-training-practice li")
    assert counts.count() >= 2
    assert re.search(r": \d+ soal latihan$", counts.first.inner_text())
    links = page.eval_on_selector_all(".sop-training-links a", "els => els.map(e => e.href)")
    assert links == [site_url + "latihan/orientasi-agen-baru/",
                     site_url + "latihan/orientasi-agen-baru/cetak/",
                     site_url + "training/orientasi-agen-baru/handbook/"]


def test_the_printable_practice_puts_the_key_on_a_page_of_its_own(page, site_url: str) -> None:
    page.goto(site_url + "latihan/orientasi-agen-baru/cetak/", wait_until="networkidle")
    page.emulate_media(media="print")
    key = page.locator(".sop-practice-print__key")
    assert key.evaluate("e => getComputedStyle(e).breakBefore") == "page"
    assert page.locator(".sop-practice-print__q").count() == \
        page.locator(".sop-practice-print__key li").count()


def test_the_handbook_prints_each_sop_on_new_pages_and_keeps_steps_whole(page,
                                                                       site_url: str) -> None:
    page.goto(site_url + "training/orientasi-agen-baru/handbook/", wait_until="networkidle")
    page.emulate_media(media="print")
    sops = page.locator(".sop-handbook__sop")
    assert sops.count() >= 2
    assert page.locator(".sop-handbook__contents li").count() == sops.count()
    assert sops.nth(1).evaluate("e => getComputedStyle(e).breakBefore") == "page"
    step = page.locator(".sop-handbook__step").first
    assert step.evaluate("e => getComputedStyle(e).breakInside") == "avoid"
    assert page.locator(".md-sidebar").first.is_hidden()
    pdf = page.pdf(format="A4")
    pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf))
    assert pages >= sops.count()
    link = page.locator(".sop-handbook__source a").first
    shown = link.evaluate("e => getComputedStyle(e, '::after').content")
    assert link.get_attribute("href") in shown


def test_each_category_has_its_handbook_linked_from_its_page_and_the_index(site: Path) -> None:
    categories = {sop.category for sop in CATALOG.sops if sop.status != "retired"}
    index = (site / "handbook" / "index.html").read_text()
    slugs = re.findall(r'<li><a href="([a-z0-9-]+)/">', index)
    assert len(slugs) == len(categories) > 1
    for slug in slugs:
        assert f'href="../../handbook/{slug}/"' in \
            (site / "category" / slug / "index.html").read_text()
        html = (site / "handbook" / slug / "index.html").read_text()
        listed = re.findall(r'<li><a href="#([^"]+)">', html)
        assert listed and all(f'id="{anchor}"' in html for anchor in listed)


def test_a_handbook_sidebar_lists_its_sops_and_every_step_keeps_its_anchor(site: Path) -> None:
    html = (site / "handbook" / "penanganan-keluhan" / "index.html").read_text()
    sidebar = html[html.index("md-sidebar--secondary"):html.index('<div class="md-content"')]
    start = html.index("sop-handbook__contents")
    contents = html[start:html.index("</nav>", start)]
    listed = re.findall(r'<a href="#([^"]+)" class="md-nav__link">', sidebar)
    assert listed == re.findall(r'<a href="#([^"]+)">', contents)
    sops = [sop for sop in CATALOG.sops
            if sop.status != "retired" and sop.category == "Penanganan keluhan"]
    assert len(sops) > 1 and sorted(listed) == sorted(sop.slug for sop in sops)
    for sop in sops:
        assert f'id="{sop.slug}-{sop.steps[0].id}"' in html


@pytest.mark.parametrize("sop", [sop.slug for sop in CATALOG.sops])
def test_every_sop_has_its_practice_page(site: Path, sop: str) -> None:
    assert (site / "latihan" / sop / "index.html").is_file()
    assert (site / "latihan" / sop / "cetak" / "index.html").is_file()
    assert 'class="sop-practice-link"' in (site / "sop" / sop / "index.html").read_text()
