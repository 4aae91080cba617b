"""The text path from SOP text to HTML, without a browser: a table of input → expected HTML
(``tests/data/text_cases.yaml``), and properties every output must have whatever the input."""

from __future__ import annotations

import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from build_tools.render.markup import (
    ALLOWED_TAGS,
    _render,
    is_plain,
    plain,
    template_html,
    to_html,
)

CASES_FILE = Path(__file__).parent / "data" / "text_cases.yaml"
TITLES = {"CS-COMP-002": ("cs-comp-002", "Keluhan <img src=x onerror=alert(document.domain)> umum"),
          "CS-COMP-003": ("cs-comp-003", "Paket *terlambat* & [hilang](javascript:alert(1))"),
          "CS-HTML-001": ("cs-html-001", '"><script>alert(1)</script>')}
STEPS = {"CS-COMP-002": {"minta-bukti"}}


def resolve(sop_id: str, step: str | None) -> tuple[str, str] | None:
    if sop_id not in TITLES or (step and step not in STEPS.get(sop_id, set())):
        return None
    slug, title = TITLES[sop_id]
    return f"../{slug}/" + (f"#{step}" if step else ""), title


def load_cases() -> list[dict[str, str]]:
    return yaml.safe_load(CASES_FILE.read_text("utf-8"))


CASES = load_cases()


def test_the_table_is_large_and_names_are_unique() -> None:
    assert len(CASES) >= 80
    assert len({case["name"] for case in CASES}) == len(CASES)


def test_every_case_of_the_table_is_checked_below() -> None:
    """For ``make hardening``: the number of cases in the text-path table."""
    import json

    from conftest import OUTPUT

    OUTPUT.mkdir(parents=True, exist_ok=True)
    path = OUTPUT / "hardening.json"
    figures = json.loads(path.read_text("utf-8")) if path.exists() else {}
    figures["text_path_cases"] = len(CASES)
    path.write_text(json.dumps(figures, indent=2, sort_keys=True) + "\n", "utf-8")


@pytest.mark.parametrize("case", CASES, ids=[case["name"] for case in CASES])
def test_text_renders_as_the_table_says(case: dict[str, str]) -> None:
    html = to_html(case["text"], resolve, inline=case["mode"] == "inline")
    assert str(html) == case["html"]
    assert_safe(str(html))


class _Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.comments: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))

    def handle_comment(self, data: str) -> None:
        self.comments.append(data)


def assert_safe(html: str) -> None:
    """Only allowed elements and attributes; links to the web or to other SOPs only."""
    parser = _Elements()
    parser.feed(html)
    assert not parser.comments
    for tag, attrs in parser.tags:
        assert tag in ALLOWED_TAGS, (tag, html)
        for name, value in attrs:
            assert not name.startswith("on") and name != "style", (name, html)
            if name == "href":
                assert value is not None
                assert value.lower().startswith(("https://", "http://", "../")), html
            if name == "class":
                assert value in ("sop-link", "sop-placeholder", "sop-template"), html


def test_plain_text_takes_the_short_path_with_the_same_result() -> None:
    for text in ("Agen layanan pelanggan", "95% dalam 1 jam", "Senin-Jumat 08.00"):
        assert is_plain(text)
        assert str(to_html(text)) == text
        assert str(to_html(text, inline=False)) == f"<p>{text}</p>"
    for text in ("*a*", "a < b", "a\nb", "a\u200bb", "[[CS-COMP-002]]"):
        assert not is_plain(text) and not is_plain(text, inline=False)
    for text in ("- a", "1. Sapa pelanggan", "12) b", "+ c"):  # a list only as a block
        assert is_plain(text) and not is_plain(text, inline=False)
        assert str(to_html(text)) == _render(text, True, None) == text
        assert str(to_html(text, inline=False)).startswith(("<ul>", "<ol"))


def test_plain_gives_the_words_without_markup() -> None:
    assert plain("Keluhan *penting* <b> & `kode`") == "Keluhan penting <b> & kode"
    assert plain("Lihat [[CS-COMP-002]]", resolve) == \
        "Lihat Keluhan <img src=x onerror=alert(document.domain)> umum"
    assert plain("baris\nbaru") == "baris baru"


def test_a_template_is_shown_as_written_with_its_blanks_marked() -> None:
    html = str(template_html("Halo [nama], <b>*ini*</b> & `kode`\r\nbaris\u202e dua\n"))
    assert html == ('<pre class="sop-template"><code>Halo <span class="sop-placeholder">'
                    "[nama]</span>, &lt;b&gt;*ini*&lt;/b&gt; &amp; `kode`"
                    "\nbaris dua</code></pre>")
    assert_safe(html)


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(list("ab *_`[]()<>&#!|{}\\-\n:/.1") +
                                ["[[CS-COMP-002]]", "javascript:", "https://",
                                 "<img src=x onerror=alert(1)>", "\u202e", "![x]("]),
                max_size=30).map("".join))
def test_any_text_gives_only_allowed_html(text: str) -> None:
    for inline in (True, False):
        assert_safe(str(to_html(text, resolve, inline=inline)))


def regenerate() -> None:
    """Write the table's ``html`` column from today's code (review the diff!)."""
    lines = CASES_FILE.read_text("utf-8").splitlines(keepends=True)
    header = "".join(line for line in lines if line.startswith("#"))
    cases = load_cases()
    for case in cases:
        case["html"] = str(to_html(case["text"], resolve, inline=case["mode"] == "inline"))
    # ASCII only: zero-width and bidirectional characters stay visible as escapes.
    CASES_FILE.write_text(header + yaml.safe_dump(cases, allow_unicode=False, sort_keys=False,
                                                  width=1000), "utf-8")


if __name__ == "__main__" and "--regenerate" in sys.argv:
    regenerate()
