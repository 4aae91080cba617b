"""One seam from SOP text to the page: every text field of the schemas × Markdown and HTML
payloads × every page type, read back from the built site (issue 33, part 1)."""

from __future__ import annotations

import os
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hostile import build as _build

# --- one seam from SOP text to the page: every text field × payloads × every page type ------

#: Markdown and HTML written into text fields, each with the text a reader must see: what
#: SOP text may use (emphasis, code, http links) is rendered, everything else stays as typed.
SEAM_PAYLOADS = [
    ("Ulangi ![ autofocus onfocus=__pwned(1) style=position:fixed;inset:0 x](y) lagi",
     "Ulangi ![ autofocus onfocus=__pwned(1) style=position:fixed;inset:0 x](y) lagi"),
    ('gambar ![alt" onload="__pwned(2)](https://contoh.invalid/a.png "judul") di sini',
     'gambar !alt" onload="__pwned(2) di sini'),  # no image: a link after a "!"
    ('lihat [tautan](https://contoh.invalid/ "judul\\" onmouseover=\\"__pwned(3)") ya',
     "lihat tautan ya"),
    ('acuan [teks][r] lalu [r]: https://contoh.invalid/ "t" dan [x][] akhir',
     'acuan [teks][r] lalu [r]: https://contoh.invalid/ "t" dan [x][] akhir'),
    ("alamat <https://contoh.invalid/?a=1&b=2> dan <javascript:__pwned(5)> juga",
     "alamat <https://contoh.invalid/?a=1&b=2> dan <javascript:__pwned(5)> juga"),
    ('teks atribut {: onclick="__pwned(6)" #palsu .kelas } dan {#x}',
     'teks atribut {: onclick="__pwned(6)" #palsu .kelas } dan {#x}'),
    ("mentah <b onmouseover=__pwned(7)>tebal</b><img src=x onerror=__pwned(7)> selesai",
     "mentah <b onmouseover=__pwned(7)>tebal</b><img src=x onerror=__pwned(7)> selesai"),
    ("entitas &lt;script&gt;__pwned(8)&lt;/script&gt; &amp; &#x3C;img&#62; &quot;q",
     "entitas &lt;script&gt;__pwned(8)&lt;/script&gt; &amp; &#x3C;img&#62; &quot;q"),
    ('miring *kata" onfocus="__pwned(9)* dan _a" b="c_ habis',
     'miring kata" onfocus="__pwned(9) dan a" b="c habis'),
    ('kode `x" autofocus onfocus="__pwned(10)` dan `` a`b `` selesai',
     'kode x" autofocus onfocus="__pwned(10) dan a`b selesai'),
    ("jinja {{ 7*7 }} {% if true %}YA{% endif %} <!-- komentar --> akhir",
     "jinja {{ 7*7 }} {% if true %}YA{% endif %} <!-- komentar --> akhir"),
    ("judul # bukan | sel | tabel | dan \\*escape\\* serta a\u202eb\u200bc",
     "judul # bukan | sel | tabel | dan *escape* serta abc"),
]
SCHEMAS = Path(__file__).resolve().parent.parent / "build_tools" / "schema"


def _resolve(node: dict, schema: dict) -> dict:
    """A schema node with its ``$ref`` followed (local, or into sop.schema.json)."""
    import json

    while "$ref" in node:
        where, _, pointer = node["$ref"].partition("#")
        document = schema if not where else json.loads((SCHEMAS / where).read_text("utf-8"))
        node = document
        for part in pointer.strip("/").split("/"):
            node = node[part]
        schema = document
    return node


#: The pattern of a single line of text: no control or text-direction characters.
LINE = ("^[^\\u0000-\\u001f\\u007f-\\u009f\\u061c\\u200e\\u200f\\u2028-\\u202e"
        "\\u2066-\\u2069\\ufeff]*$")


def _is_text(node: dict) -> bool:
    return node.get("type") == "string" and "enum" not in node and \
        node.get("pattern", LINE) == LINE


def text_fields(data: object, node: dict, schema: dict, path: tuple = ()) -> list[tuple]:
    """The paths of every free-text string of ``data`` per its schema (ids, dates, slugs,
    durations, versions and enumerations are not text), each with whether it is a single
    line (whose schema refuses a text-direction override: the payloads leave it out)."""
    node = _resolve(node, schema)
    if isinstance(data, dict):
        found = []
        for key, value in data.items():
            child = node.get("properties", {}).get(key) or node.get("additionalProperties")
            if isinstance(child, dict):
                found += text_fields(value, child, schema, (*path, key))
        return found
    if isinstance(data, list):
        return [found for index, item in enumerate(data)
                for found in text_fields(item, node.get("items", {}), schema, (*path, index))]
    return [(*path, "pattern" in node)] if isinstance(data, str) and _is_text(node) else []


def _set(data: object, path: tuple, value: str) -> None:
    for part in path[:-1]:
        data = data[part]  # type: ignore[index]
    data[path[-1]] = value  # type: ignore[index]


class Seeds:
    """Payloads given to fields in rotation, each value marked ``S<n>S`` so the page that
    shows it can be checked against the payload it was given."""

    def __init__(self, clean: bool = False) -> None:
        self.expected: dict[str, str] = {}  # marker → visible text expected after it
        self.clean = clean
        self.count = 0

    def value(self, index: int, raw: bool = False, line: bool = False) -> str:
        text, visible = SEAM_PAYLOADS[index % len(SEAM_PAYLOADS)]
        if line:
            text = text.replace("\u202e", "")
        if self.clean:  # the same knowledge base with plain text: what templates make
            text = visible = "teks biasa yang aman"
        marker = f"S{self.count}S"
        self.count += 1
        # A reply template is shown as written (only invisible characters removed).
        self.expected[marker] = (text.replace("\u202e", "").replace("\u200b", "")
                                 if raw else visible)
        return f"{marker} {text}"

    def fill(self, data: object, schema_name: str, shift: int, skip=()) -> list[tuple]:
        import json

        schema = json.loads((SCHEMAS / schema_name).read_text("utf-8"))
        found = [field for field in text_fields(data, schema, schema) if field[:1] not in skip]
        for index, (*path, line) in enumerate(found):
            _set(data, path, self.value(index + shift, raw=path[-1] == "template", line=line))
        return [tuple(path) for *path, _ in found]


def seam_project(project: Path, clean: bool = False) -> tuple[Seeds, dict[str, list[str]]]:
    """The fixture knowledge base with as many hostile SOPs, training paths and reference
    entries as there are payloads, field i of copy k given payload i + k: every text field
    meets every payload (``clean``: plain text instead). Returns the seeds and, per page,
    the markers it must show."""
    import shutil

    import yaml
    from conftest import KB

    for name in ("docs", "sops", "reference", "search", "training"):
        shutil.copytree(KB / name, project / name)
    shutil.copy(KB / "mkdocs.yml", project / "mkdocs.yml")
    seeds = Seeds(clean)
    must: dict[str, list[str]] = {}
    base = yaml.safe_load((project / "sops" / "CS-COMP-002.yaml").read_text("utf-8"))
    base.update(keywords=["kata kunci"], related=["CS-COMP-001"])
    base["procedure"][0]["channel"] = "email"
    base["practice"] = {"questions": [{"question": "Apa pertanyaannya di sini?",
                                       "options": ["Pilihan satu ini", "Pilihan dua itu"],
                                       "answer": "Pilihan satu ini", "step": "minta-bukti",
                                       "explanation": "Penjelasan singkat jawabannya."}]}
    owners_file = project / "reference" / "owners.yaml"
    owners = yaml.safe_load(owners_file.read_text("utf-8"))
    for copy in range(len(SEAM_PAYLOADS)):
        data = yaml.safe_load(yaml.safe_dump(base))
        sop_id = f"CS-SEAM-{copy + 1:03d}"
        data["id"] = sop_id
        before = seeds.count
        seeds.fill(data, "sop.schema.json", copy)
        question = data["practice"]["questions"][0]
        del seeds.expected[question["answer"].split()[0]]  # the answer is one of the options
        question["answer"] = question["options"][0]
        owners["owners"][data["owner"]] = ["@example/seam"]
        owners["owners"][data["maintenance"]["owner"]] = ["@example/seam"]
        markers = [f"S{n}S" for n in range(before, seeds.count)]
        practice = {f"S{n}S" for n in range(before, seeds.count)
                    if f"S{n}S" in question["question"] + " ".join(question["options"])
                    + question["explanation"]}
        shown_elsewhere = practice | {data["category"].split()[0]}  # on listing pages
        must[f"sop/{sop_id.lower()}/"] = [m for m in markers if m not in shown_elsewhere
                                          and m in seeds.expected]
        must[f"latihan/{sop_id.lower()}/"] = sorted(practice)
        (project / "sops" / f"{sop_id}.yaml").write_text(
            yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "utf-8")
        path = {"id": f"seam-{copy + 1}", "title": "t", "goal": "g", "audience": "a",
                "items": [{"sop": sop_id, "goal": "g"},
                          {"sop": sop_id, "step": "minta-bukti", "goal": "g"}]}
        before = seeds.count
        seeds.fill(path, "training.schema.json", copy)
        must[f"training/seam-{copy + 1}/"] = [f"S{n}S" for n in range(before, seeds.count)]
        (project / "training" / f"seam-{copy + 1}.yaml").write_text(
            yaml.safe_dump(path, allow_unicode=True, sort_keys=False), "utf-8")
    owners_file.write_text(yaml.safe_dump(owners, allow_unicode=True, sort_keys=False), "utf-8")
    for name, page in (("complaint-types", "complaint-types/"), ("channels", "channels/"),
                       ("metrics", "metrics/")):
        path = project / "reference" / f"{name}.yaml"
        data = yaml.safe_load(path.read_text("utf-8"))
        before = seeds.count
        seeds.fill(data, f"{name}.schema.json", 0)
        must[page] = [f"S{n}S" for n in range(before, seeds.count)]
        path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "utf-8")
    return seeds, must


class _Page(HTMLParser):
    """The article of a page: its (element, attribute) pairs and its visible text (SVG,
    which wraps text into lines, left out)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.pairs: set[tuple[str, str]] = set()
        self.text: list[str] = []
        self._depth = 0
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self._depth == 0 and tag != "article":
            return
        if tag in _BLOCKS:
            self.text.append(" ")
        self._depth += tag not in _VOID
        self.pairs.add((tag, ""))
        self.pairs.update((tag, name) for name, _ in attrs)
        self._skip += tag == "svg"

    def handle_endtag(self, tag: str) -> None:
        if self._depth:
            self._depth -= 1
            self._skip -= tag == "svg"
            if tag in _BLOCKS:
                self.text.append(" ")

    def handle_data(self, data: str) -> None:
        if self._depth and not self._skip:
            self.text.append(data)


_VOID = frozenset({"br", "img", "input", "meta", "link", "hr", "wbr", "source", "col"})
_BLOCKS = frozenset({"p", "div", "li", "td", "th", "tr", "h1", "h2", "h3", "h4", "h5", "h6",
                     "br", "pre", "legend", "label", "section", "nav", "table", "ul", "ol"})


def _read(path: Path) -> _Page:
    parser = _Page()
    parser.feed(path.read_text("utf-8"))
    return parser


def _reads_as(shown: str, expected: str, cloze: bool) -> bool:
    """Whether ``shown`` starts with ``expected``, or, in a practice question that blanks a
    word of a text to fill in (``cloze``), with ``expected`` less one word."""
    if shown.startswith(expected):
        return True
    words, seen = expected.split(" "), shown.split(" ")[:len(expected.split(" "))]
    differ = [i for i, (a, b) in enumerate(zip(words, seen, strict=False)) if a != b]
    if not cloze or len(seen) != len(words) or len(differ) != 1:
        return False
    before, blank, after = seen[differ[0]].partition("_____")
    word = words[differ[0]]
    return bool(blank) and word.startswith(before) and word.endswith(after) and \
        len(before) + len(after) < len(word)


def _page_type(url: str) -> str:
    kinds = (("sop/cs-seam", "sop"), ("training/seam", "training"),
             ("training/", "training index or handbook"), ("latihan/", "practice"),
             ("handbook", "handbook"), ("category/", "category"), ("sop/", "sop index"))
    if url.startswith("latihan/") and url.endswith("/cetak/"):
        return "practice to print"
    if url.startswith("training/") and url.endswith("/handbook/"):
        return "handbook"
    return next((kind for prefix, kind in kinds if url.startswith(prefix)), url or "home")


@pytest.mark.slow
def test_no_payload_in_any_text_field_escapes_its_text_on_any_page(tmp_path: Path) -> None:
    """Every text field of the SOP, training and reference schemas × payloads written for
    Markdown and HTML (images, links with titles, reference links, autolinks, attribute
    lists, raw HTML, entities, emphasis across quotes, code, Jinja) × every page type: the
    parsed page holds no element or attribute its templates do not make, and each value
    reads exactly as its payload's text."""
    from conftest import KB

    from build_tools.render.markup import ALLOWED_ATTRIBUTES, ALLOWED_TAGS

    seeds, must = seam_project(tmp_path / "seam")
    seam_project(tmp_path / "clean", clean=True)
    for project in (tmp_path / "seam", tmp_path / "clean"):
        result = _build(project, "--strict")
        assert result.returncode == 0, result.stderr[-3000:]
    built, site = tmp_path / "seam" / "site", tmp_path / "clean" / "site"
    # What the templates make, on the same knowledge base with plain text (hand-written
    # pages are not theirs), and what the sanitizer lets SOP text make.
    handwritten = {site / Path(page).with_suffix("") / "index.html"
                   for page in os.listdir(KB / "docs")} | {site / "index.html"}
    allowed: set[tuple[str, str]] = set()
    for path in site.rglob("*.html"):
        if path not in handwritten:
            allowed |= _read(path).pairs
    allowed |= {(tag, "") for tag in ALLOWED_TAGS}
    allowed |= {(tag, name) for tag, names in ALLOWED_ATTRIBUTES.items() for name in names}
    allowed |= {("a", "rel"), ("a", "class"), ("span", "class"), ("pre", "class")}
    assert not {pair for pair in allowed if pair[1].startswith("on")
                or pair[1] in ("style", "autofocus", "srcdoc")}
    kinds: set[str] = set()
    checked = 0
    seen: set[str] = set()
    for path in sorted(built.rglob("*.html")):
        url = path.relative_to(built).as_posix().removesuffix("index.html")
        if url.startswith(("assets/", "pagefind")):
            continue
        parsed = _read(path)
        clean = site / path.relative_to(built)  # a hand-written page's own markup
        own = _read(clean).pairs if clean in handwritten else set()
        assert parsed.pairs - allowed - own == set(), (url, parsed.pairs - allowed - own)
        text = " ".join("".join(parsed.text).split())
        for marker in set(re.findall(r"\bS\d+S\b", text)):
            seen.add(marker)
            expected = " ".join(seeds.expected[marker].split())
            for found in re.finditer(rf"\b{marker} ", text):
                shown = text[found.end():]
                assert _reads_as(shown, expected, url.startswith("latihan/")), \
                    (url, marker, expected, shown[:120])
                checked += 1
        missing = [m for m in must.get(url, []) if not re.search(rf"\b{m}\b", text)]
        assert missing == [], (url, missing)
        if "S" in text and re.search(r"\bS\d+S\b", text):
            kinds.add(_page_type(url))
    assert {"sop", "training", "practice", "practice to print", "handbook", "sop index",
            "category", "templates/", "roles/", "review-status/", "changes/", "channels/",
            "metrics/", "complaint-types/"} <= kinds, kinds
    assert set(seeds.expected) - seen == set()  # every value is shown somewhere
    assert len(must) >= 3 * len(SEAM_PAYLOADS) and checked > 2000, checked
