"""A hostile pull request: what a PR author controls besides the text fields of SOPs (the
sanitizer's own tests are in test_markup.py and test_hardening.py) and where it goes.

Each class of issue 33 has its own payloads and fixtures here: hand-written pages and the
Content-Security-Policy, the CODEOWNERS file, generated URLs that collide, paths and links
on disk, and the processes of a build."""

from __future__ import annotations

import os
import re
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest
from conftest import BIN, PROBLEM_LINE, require_slow, serve

from build_tools.site import csp

# --- hand-written pages and the policy --------------------------------------------------------

#: A hand-written page a PR adds: (line, what the check must say) for every construct that
#: could run, load or restyle; code that only shows such HTML is not reported.
HOSTILE_PAGE = """\
# Halaman biasa

Teks biasa dengan `<script>window.__pwned(0)</script>` sebagai contoh kode.

<SCRIPT>window.__pwned(1)</SCRIPT>
<img src="x" oNeRrOr="window.__pwned(2)">
<svg><animate onbegin="window.__pwned(3)" attributeName="x" dur="1s"/></svg>
<a href=" JaVaScRiPt:window.__pwned(4)">tautan</a>
[tautan markdown](javascript:window.__pwned(5))
<a href="jav&#x61;script:window.__pwned(6)">entitas</a>
<iframe srcdoc="<script>parent.__pwned(7)</script>"></iframe>
<meta http-equiv="refresh" content="0; url=https://contoh.invalid/">
<p style="position:fixed;inset:0;background:#fff">menutupi halaman</p>
<details open ontoggle="window.__pwned(8)"><summary>x</summary></details>

    <script>window.__pwned(9)</script> (blok kode berindentasi: teks)
"""
EXPECTED_LINES = {5: "element <script>", 6: "onerror", 7: "onbegin", 8: "javascript:",
                  9: "javascript:", 10: "javascript:", 11: "element <iframe>",
                  12: "element <meta>", 13: "inline style", 14: "ontoggle"}


def _build(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    require_slow("`mkdocs build`")
    return subprocess.run([str(BIN / "mkdocs"), "build", *args], cwd=project,
                          capture_output=True, text=True, timeout=300,
                          env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})


def _problems(output: str, rule: str) -> list[re.Match[str]]:
    found = []
    for line in output.splitlines():
        text = re.sub(r"^(WARNING|ERROR)\s+-\s+(\w+: )?", "", line)
        match = PROBLEM_LINE.match(text)
        if match and match["rule"] == rule:
            found.append(match)
    return found


@pytest.mark.slow
def test_unsafe_html_in_a_hand_written_page_fails_a_strict_build_at_its_lines(
        project: Path) -> None:
    (project / "docs" / "bahaya.md").write_text(HOSTILE_PAGE, "utf-8")
    result = _build(project, "--strict")
    assert result.returncode != 0 and "Traceback" not in result.stderr
    found = _problems(result.stderr, "unsafe-html")
    assert {m["path"] for m in found} == {"docs/bahaya.md"}
    lines = {int(m["line"]): m["message"] for m in found}
    assert set(lines) == set(EXPECTED_LINES), lines  # nothing on lines 3, 16 (code)
    for line, words in EXPECTED_LINES.items():
        assert words in lines[line], (line, lines[line])


def test_a_hand_written_pages_scripts_never_run_and_get_no_hash(project: Path, page) -> None:
    """Built without --strict (the check warns), the page is published cleaned, and the
    policy would keep anything left from running: the page's policy lists the same hashes
    as any page of its depth (the theme's own scripts), none of the page's."""
    (project / "docs" / "bahaya.md").write_text(HOSTILE_PAGE, "utf-8")
    result = _build(project)
    assert result.returncode == 0, result.stderr
    site = project / "site"
    hostile = (site / "bahaya" / "index.html").read_text("utf-8")
    other = (site / "usulkan-sop" / "index.html").read_text("utf-8")

    def hashes(html: str) -> set[str]:
        return set(re.findall(r"'sha256-[^']+'", html.split("script-src", 1)[1].split(";")[0]))

    assert "__pwned(1)" not in hostile and "<script>" not in hostile.split("<article")[1] \
        .split("</article>")[0]  # the sanitizer removed it (with its text)...
    assert hashes(hostile) == hashes(other) and hashes(hostile)  # ...the policy would too
    url, server = serve(site)
    hits: list[object] = []
    try:
        page.expose_function("__pwned", lambda n: hits.append(n))
        page.add_init_script("window.__violations = []; document.addEventListener("
                             "'securitypolicyviolation', e => window.__violations.push("
                             "e.violatedDirective))")
        page.goto(url + "bahaya/", wait_until="networkidle")
        for link in page.locator("article a").all():
            if "tautan" in link.inner_text() or "entitas" in link.inner_text():
                link.click()
        page.locator("details summary").click()
        page.wait_for_timeout(800)
        assert page.url.startswith(url + "bahaya/")  # no refresh to another host
        blocked = page.evaluate("window.__violations")
        assert hits == []
        assert blocked == [], blocked  # nothing left for the policy to block
        box = page.locator("p", has_text="menutupi halaman").bounding_box()
        assert box is not None and box["width"] < 1000  # the style= did not apply
    finally:
        server.shutdown()


def test_the_allowed_scripts_come_from_template_sources_never_from_the_page() -> None:
    allowed = csp.Allowed()
    allowed.add_template('<script>var a = "{{ base_url }}"</script>'
                         '<script src="x.js"></script><script type="application/json">{}'
                         "</script><script>plain()</script>",
                         lambda body: [body.replace("{{ base_url }}", url)
                                       for url in (".", "..")])
    assert len(allowed.hashes) == 3  # two renderings of the first, the plain one
    page = ('<html><head><script>var a = ".."</script><script>plain()</script>'
            "<script>injected()</script></head></html>")
    hashes = allowed.of(page)
    assert hashes == [csp.script_hash('var a = ".."'), csp.script_hash("plain()")]
    assert csp.script_hash("injected()") not in csp.with_policy(page, allowed)
    policy = csp.policy(hashes)
    assert "'unsafe-inline'" not in policy and "style-src 'self';" in policy


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


def _is_text(node: dict) -> bool:
    return node.get("type") == "string" and "enum" not in node and \
        node.get("pattern", r"^[^\n]*$") == r"^[^\n]*$"


def text_fields(data: object, node: dict, schema: dict, path: tuple = ()) -> list[tuple]:
    """The paths of every free-text string of ``data`` per its schema (ids, dates, slugs,
    durations, versions and enumerations are not text)."""
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
    return [path] if isinstance(data, str) and _is_text(node) else []


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

    def value(self, index: int, raw: bool = False) -> str:
        text, visible = SEAM_PAYLOADS[index % len(SEAM_PAYLOADS)]
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
        fields = [path for path in text_fields(data, schema, schema) if path[:1] not in skip]
        for index, path in enumerate(fields):
            _set(data, path, self.value(index + shift, raw=path[-1] == "template"))
        return fields


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


# --- CODEOWNERS: from validated paths, with the maintainers' part ---------------------------

def sopkb_in(cwd: Path, *args: str, env: dict[str, str] | None = None,
             ) -> subprocess.CompletedProcess[str]:
    require_slow(f"`sopkb {args[0]}`")
    return subprocess.run([str(BIN / "sopkb"), *args], cwd=cwd, capture_output=True,
                          text=True, timeout=120, env={**os.environ, **(env or {})})


#: Folder names a PR can create, each of which a raw CODEOWNERS line would misread.
HOSTILE_FOLDERS = ["x\n* @penyerang\n#", "dengan spasi", "pagar#komentar", "kutip'\"",
                   "tab\tdi sini", "garis\\miring", "éàü", "..\u202eexe", "\x1b[31mmerah"]


@pytest.mark.slow
@pytest.mark.parametrize("folder", HOSTILE_FOLDERS, ids=range(len(HOSTILE_FOLDERS)))
def test_an_sop_under_a_hostile_folder_name_never_reaches_codeowners(project: Path,
                                                                     folder: str) -> None:
    assert sopkb_in(project, "codeowners").returncode == 0
    before = (project / ".github" / "CODEOWNERS").read_text("utf-8")
    target = project / "sops" / folder
    target.mkdir(parents=True)
    (project / "sops" / "CS-COMP-002.yaml").rename(target / "CS-COMP-002.yaml")
    result = sopkb_in(project, "validate")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    found = [line for line in result.stdout.splitlines() if line.endswith("(unsafe-path)")]
    assert len(found) == 1 and PROBLEM_LINE.match(found[0]), result.stdout
    assert all(PROBLEM_LINE.match(line) for line in result.stdout.splitlines())
    written = sopkb_in(project, "codeowners")
    assert written.returncode == 1 and "Traceback" not in written.stderr
    assert len(written.stderr.strip().splitlines()) == 1, written.stderr
    assert (project / ".github" / "CODEOWNERS").read_text("utf-8") == before  # unchanged
    assert "@penyerang" not in before


def _codeowners(project: Path) -> str:
    return (project / ".github" / "CODEOWNERS").read_text("utf-8")


@pytest.mark.slow
def test_codeowners_has_the_maintainers_default_first_and_their_paths_last(project: Path,
                                                                          ) -> None:
    assert sopkb_in(project, "codeowners").returncode == 0
    lines = _codeowners(project).splitlines()
    rules = [line for line in lines if not line.startswith("#")]
    assert rules[0].startswith("* @")
    sops = [index for index, line in enumerate(rules) if line.startswith("/sops/")]
    protected = [index for index, line in enumerate(rules)
                 if line.split()[0] in ("/.github/", "/reference/owners.yaml", "/build_tools/",
                                        "/.github/workflows/", "/approvals/")]
    assert len(protected) == 5 and sops and max(sops) < min(protected)
    assert sopkb_in(project, "codeowners", "--check").returncode == 0


@pytest.mark.slow
def test_a_new_sop_from_the_web_editor_is_a_notice_not_a_failure(project: Path) -> None:
    """A writer adds an SOP without running anything: the check says the default owner
    reviews it until the file is regenerated on the main branch, and passes."""
    assert sopkb_in(project, "codeowners").returncode == 0
    text = (project / "sops" / "CS-COMP-002.yaml").read_text("utf-8")
    (project / "sops" / "CS-COMP-902.yaml").write_text(
        text.replace("id: CS-COMP-002", "id: CS-COMP-902"), "utf-8")
    result = sopkb_in(project, "codeowners", "--check", env={"GITHUB_ACTIONS": "true"})
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("::notice file=.github/CODEOWNERS::")
    assert "@example/kb-maintainers" in result.stdout and "1 SOP line" in result.stdout


@pytest.mark.parametrize("change", ["appended", "protection removed", "sop moved last",
                                    "default changed", "account with a newline"])
@pytest.mark.slow
def test_codeowners_lines_other_than_sop_lines_must_be_as_generated(project: Path,
                                                                   change: str) -> None:
    assert sopkb_in(project, "codeowners").returncode == 0
    path = project / ".github" / "CODEOWNERS"
    text = path.read_text("utf-8")
    lines = text.splitlines(keepends=True)
    if change == "appended":
        text += "* @penyerang\n"
    elif change == "protection removed":
        text = text.replace("/.github/ @example/kb-maintainers\n", "")
    elif change == "sop moved last":
        sop = next(line for line in lines if line.startswith("/sops/"))
        text = text.replace(sop, "") + sop
    elif change == "default changed":
        text = text.replace("* @example/kb-maintainers", "* @penyerang")
    if change == "account with a newline":
        owners = project / "reference" / "owners.yaml"
        owners.write_text(owners.read_text("utf-8").replace(
            '"*": ["@example/kb-maintainers"]', '"*": ["@example/kb-maintainers\\n* @x"]'),
            "utf-8")
        result = sopkb_in(project, "validate")
        assert result.returncode == 1 and "owners.yaml" in result.stdout, result.stdout
    else:
        path.write_text(text, "utf-8")
    result = sopkb_in(project, "codeowners", "--check")
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_no_workflow_runs_a_pull_requests_code_with_write_rights() -> None:
    """The CODEOWNERS and approval-record workflows write to the repository: they run on
    the main branch (push, or a merged PR's closing), never on pull_request_target, check
    out nothing of the PR's head, and push with the records environment's deploy key. No
    workflow writes an expression (a branch name, a title) into a script."""
    import yaml
    from conftest import ROOT

    workflows = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
    writers = pushers = 0
    for path in workflows:
        data = yaml.safe_load(path.read_text("utf-8"))
        triggers = data.get(True, data.get("on"))  # YAML 1.1 reads `on:` as true
        text = "\n".join(line for line in path.read_text("utf-8").splitlines()
                         if not line.lstrip().startswith("#"))
        assert "pull_request_target" not in text, path.name
        permissions = str(data.get("permissions", {})) + str(
            [job.get("permissions", {}) for job in data["jobs"].values()])
        if "write" in permissions and "contents" in permissions:
            writers += 1
            assert "pull_request" not in str(triggers) or "closed" in str(triggers), path.name
            assert "head.sha" not in text and "head_ref" not in text and \
                "pull_request.head" not in text, path.name
        for job in data["jobs"].values():
            for step in job.get("steps", []):  # expressions reach a script through env only
                assert "${{" not in step.get("run", ""), (path.name, step.get("name"))
            if any("git push" in step.get("run", "") for step in job.get("steps", [])):
                # the one identity main's rule exempts, in an environment only main may use
                assert job.get("environment") == "records", path.name
                assert job["steps"][0]["with"]["ssh-key"] == \
                    "${{ secrets.RECORDS_DEPLOY_KEY }}", path.name
                pushers += 1
    regenerate = yaml.safe_load((ROOT / ".github" / "workflows" / "codeowners.yml")
                                .read_text("utf-8"))
    assert regenerate[True] == {"push": {"branches": ["main"],
                                         "paths": ["sops/**", "reference/owners.yaml"]}}
    assert writers >= 1 and pushers == 2


# --- files on disk: symbolic links out of the repository --------------------------------------

@pytest.mark.slow
@pytest.mark.parametrize("where", ["sops", "sops/sub", "reference", "training"])
def test_a_symlink_out_of_the_repository_is_refused_unread(
        project: Path, tmp_path_factory: pytest.TempPathFactory, where: str) -> None:
    secret = tmp_path_factory.mktemp("elsewhere") / "rahasia" / "kunci.yaml"
    secret.parent.mkdir()
    secret.write_text("id: KATA-SANDI-RAHASIA\ntitle: sandi-bocor-123\n", "utf-8")
    name = {"sops": "CS-LINK-001.yaml", "sops/sub": "CS-LINK-002.yaml",
            "reference": "channels.yaml", "training": "bocor.yaml"}[where]
    folder = project / where
    folder.mkdir(exist_ok=True)
    (folder / name).unlink(missing_ok=True)
    (folder / name).symlink_to(secret)
    (project / "sops" / "inside.yaml").symlink_to(project / "sops" / "CS-COMP-002.yaml")
    result = sopkb_in(project, "validate")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "sandi-bocor" not in result.stdout + result.stderr
    assert "rahasia" not in result.stdout + result.stderr
    refused = [line for line in result.stdout.splitlines()
               if line.endswith("(outside-repository)")]
    assert refused == [f"{where}/{name}:1:1: [error] a symbolic link that leads outside the "
                       f"repository; not read (outside-repository)"]
    built = _build(project, "--strict")
    assert built.returncode != 0 and "sandi-bocor" not in built.stdout + built.stderr
    assert not (project / "site").exists()


# --- every generated URL is claimed once -----------------------------------------------------

def _set_category(project: Path, sop_id: str, category: str) -> None:
    path = project / "sops" / f"{sop_id}.yaml"
    text = re.sub(r"^category: .*$", f"category: {category}", path.read_text("utf-8"),
                  count=1, flags=re.MULTILINE)
    path.write_text(text, "utf-8")


def _training(project: Path, path_id: str) -> Path:
    path = project / "training" / f"{path_id}.yaml"
    path.write_text(f"id: {path_id}\ntitle: Jalur uji\ngoal: Tujuan jalur uji ini.\n"
                    "items:\n  - sop: CS-COMP-002\n    goal: Memahami langkahnya.\n", "utf-8")
    return path


#: (how to make a collision, the file the problem is reported at and its line, words the
#: message must hold: what it is and the other claim).
COLLISIONS = {
    "categories that slug alike": (
        lambda p: (_set_category(p, "CS-COMP-002", "Penanganan keluhan"),
                   _set_category(p, "CS-COMP-003", "Penanganan keluhan!")),
        ("sops/CS-COMP-003.yaml", 4), ("Penanganan keluhan!", "sops/CS-COMP-001.yaml:4")),
    "a category named index": (
        lambda p: _set_category(p, "CS-COMP-002", "Index"),
        ("sops/CS-COMP-002.yaml", 4), ("category handbook", "the handbooks page")),
    "a training path named index": (
        lambda p: _training(p, "index"),
        ("training/index.yaml", 1), ("training path 'index'", "the training index")),
    "a training path named as an SOP": (
        lambda p: _training(p, "cs-comp-002"),
        ("sops/CS-COMP-002.yaml", 2),
        ("practice of CS-COMP-002", "training path 'cs-comp-002' (training/cs-comp-002.yaml:1)")),
    "a hand-written page where the channels page is": (
        lambda p: ((p / "docs" / "channels").mkdir(),
                   (p / "docs" / "channels" / "index.md").write_text("# Kanal\n", "utf-8")),
        ("docs/channels/index.md", 1), ("hand-written page", "the channels page")),
    "a hand-written page where an SOP is": (
        lambda p: ((p / "docs" / "sop").mkdir(),
                   (p / "docs" / "sop" / "CS-COMP-002.md").write_text("# Palsu\n", "utf-8")),
        ("docs/sop/CS-COMP-002.md", 1), ("hand-written page", "the page of CS-COMP-002")),
    "a file in the plugin's assets": (
        lambda p: ((p / "docs" / "assets" / "sop-kb").mkdir(parents=True),
                   (p / "docs" / "assets" / "sop-kb" / "search.js").write_text("x", "utf-8")),
        ("docs/assets/sop-kb/search.js", 1), ("a file", "assets/sop-kb/")),
}


@pytest.mark.slow
@pytest.mark.parametrize("case", COLLISIONS)
def test_a_url_claimed_twice_is_an_error_naming_both_sources(project: Path, case: str) -> None:
    make, (path, line), words = COLLISIONS[case]
    make(project)
    result = sopkb_in(project, "validate")
    found = [m for m in map(PROBLEM_LINE.match, result.stdout.splitlines())
             if m and m["rule"] == "url-collision"]
    assert result.returncode == 1 and found, result.stdout
    assert (found[0]["path"], int(found[0]["line"])) == (path, line), found[0].group(0)
    for word in words:
        assert word in found[0]["message"], found[0].group(0)
    built = _build(project, "--strict")
    assert built.returncode != 0 and "(url-collision)" in built.stderr
    assert "Traceback" not in built.stderr


@pytest.mark.slow
def test_the_claims_are_exactly_the_pages_the_site_makes(tmp_path: Path) -> None:
    """claims() is written beside SitePages.pages() and redirects(): on a knowledge base
    with training paths, retired and aliased SOPs, both give the same URLs."""
    import yaml

    from build_tools.render.listing import page_url
    from build_tools.rules.catalog import load_catalog
    from build_tools.site.pages import SitePages
    from build_tools.site.urls import claims

    seam_project(tmp_path / "kb")
    root = tmp_path / "kb"
    retired = root / "sops" / "CS-COMP-006.yaml"
    retired.write_text(retired.read_text("utf-8").replace("status: active", "status: retired"),
                       "utf-8")
    aliased = root / "sops" / "CS-COMP-005.yaml"
    data = yaml.safe_load(aliased.read_text("utf-8"))
    data["aliases"] = ["CS-OLD-001"]
    aliased.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "utf-8")
    catalog = load_catalog([root / "sops"], base=root, reference_dir=root / "reference",
                           training_dir=root / "training")
    assert not catalog.errors, catalog.errors[:3]
    pages = SitePages(catalog, "id")
    made = {page_url(uri, True) for uri, _ in pages.pages()}
    made |= {path.removesuffix("index.html") for path, _ in pages.redirects()}
    assert {claim.url for claim in claims(pages)} == made


# --- files and processes ----------------------------------------------------------------------

def _git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.email=uji@contoh.invalid", "-c", "user.name=Uji", *args],
                   cwd=cwd, check=True, capture_output=True)


@pytest.mark.parametrize("folder", ["éàü", 'kutip"ganda', "garis\\miring", "baris\nbaru",
                                    "tab\tdi"])
@pytest.mark.slow
def test_git_reads_paths_it_would_quote(tmp_path: Path, folder: str) -> None:
    """A path git quotes in its listings (non-ASCII, quotes, backslashes, line breaks) is
    read at a ref like any other: diff and check-links see the SOP, not an SOP 'added'."""
    from conftest import KB

    repo = tmp_path / "repo"
    (repo / "sops" / folder).mkdir(parents=True)
    (repo / "sops" / folder / "CS-COMP-002.yaml").write_bytes(
        (KB / "sops" / "CS-COMP-002.yaml").read_bytes())
    _git(repo, "init", "-q")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-qm", "pertama")
    result = sopkb_in(repo, "diff", "HEAD", "sops")
    assert result.returncode == 0 and "Tidak ada perubahan SOP" in result.stdout, result.stdout
    links = sopkb_in(repo, "check-links", "--base", "HEAD")
    assert links.returncode == 0 and "still resolve" in links.stderr, links.stderr
    assert "all 9 URL(s)" in links.stderr  # the SOP and its eight steps


@pytest.mark.parametrize("args", [("diff", "HEAD", "/tmp"), ("diff", "tidak-ada", "sops"),
                                  ("check-links", "--base", "tidak-ada"),
                                  ("diff", "--output=/tmp/x", "sops"),
                                  ("diff", "--", "--output=/tmp/x", "sops"), ("no-such",)])
@pytest.mark.slow
def test_a_git_error_is_one_line(tmp_path: Path, args: tuple[str, ...]) -> None:
    repo = tmp_path / "repo"
    (repo / "sops").mkdir(parents=True)
    _git(repo, "init", "-q")
    _git(repo, "commit", "-q", "--allow-empty", "-m", "kosong")
    result = sopkb_in(repo, *args)
    assert result.returncode != 0 and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert not Path("/tmp/x").exists()


@pytest.mark.slow
def test_a_symlinked_site_folder_is_published_into(project: Path, tmp_path: Path) -> None:
    served = tmp_path / "www" / "sop"
    served.mkdir(parents=True)
    (served / "lama.html").write_text("situs lama", "utf-8")
    link = project / "site"
    link.symlink_to(served, target_is_directory=True)
    result = _build(project)
    assert result.returncode == 0, result.stderr
    assert link.is_symlink() and link.resolve() == served.resolve()
    assert (served / "sop" / "cs-comp-002" / "index.html").is_file()
    assert not (served / "lama.html").exists()
    leftovers = [p.name for folder in (project, served.parent) for p in folder.iterdir()
                 if p.name.startswith(".")]
    assert leftovers == []
    (tmp_path / "hilang").mkdir()
    (tmp_path / "hilang").rmdir()
    link.unlink()
    link.symlink_to(tmp_path / "hilang", target_is_directory=True)
    result = _build(project)
    assert result.returncode != 0 and "Traceback" not in result.stderr
    assert "is a symbolic link to nothing" in result.stderr
    assert [p.name for p in project.iterdir() if p.name.startswith(".site")] == []


def _children(parent: int) -> list[tuple[int, str]]:
    """(pid, command line) of the processes whose parent is ``parent``."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == parent:
            found.append((int(entry.name), command))
    return found


def _alive(pid: int) -> bool:
    try:
        state = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.slow
def test_a_build_killed_outright_leaves_no_indexer_writing(project: Path) -> None:
    """SIGKILL while the indexer takes pages: it does not take the end of its input for the
    end of the build; it and its Pagefind end, and nothing is written into the dead build's
    staging folder afterwards."""
    import signal
    import time

    build = subprocess.Popen([str(BIN / "mkdocs"), "build"], cwd=project,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                             env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})
    deadline = time.monotonic() + 60
    indexer = None
    while indexer is None and time.monotonic() < deadline:
        indexer = next((pid for pid, command in _children(build.pid)
                        if "build_tools.search.indexer" in command), None)
        time.sleep(0.02)
    assert indexer is not None, "no indexer started"
    pagefinds = [pid for pid, _ in _children(indexer)]
    time.sleep(0.3)  # some pages sent
    build.send_signal(signal.SIGKILL)
    build.wait()
    stage = project / f".site.building-{build.pid}"
    time.sleep(5)
    assert not _alive(indexer)
    assert not any(_alive(pid) for pid in pagefinds + [p for p, _ in _children(indexer)])
    assert not (stage / "pagefind").exists() and not (stage / "assets" / "sop-kb" /
                                                      "lexicon.json").exists()


# --- what an attacker's read of the above found (hand-written pages, docs files, YAML) --------

#: Hand-written HTML a lenient parser reads otherwise than a browser, blocks written to look
#: like the plugin's, placeholders guessed, a meta refresh with a stray quote, the redirect
#: page's script used as a gadget: none runs, navigates or duplicates anything.
EVASIONS = """\
---
title: 'Usulkan <!--><script src="/static/x.js"></script>--> SOP'
description: '"><script>window.__pwned(20)</script>'
---
# Halaman dengan akal-akalan

<!--> <script src="x.js"></script><img src=x onerror="window.__pwned(21)"> -->
<![CDATA[ ]> <script>window.__pwned(22)</script> ]]>
<!-- a --!> <img src=y onerror="window.__pwned(23)">

<div class="sop-listing">
<span title="`"></span>
<script>window.__pwned(24)</script>
<span title="`"></span>
</div><!-- /sop-listing -->

<div class="sop-page">
<img src=z onerror="window.__pwned(25)">
</div><!-- /sop-page -->

<!--><meta http-equiv=refresh content=0;url=https://contoh.invalid/a a=b'c>-->
<![CDATA[ ]> <script src="../assets/sop-kb/redirect.js"
 data-target="https://contoh.invalid/b"></script> ]]>
<!-- sop-listing 0 --> <!-- sop-listing 7 --> <!-- sop-kb-block 0123456789abcdef 0 -->

<!-- sop-kb: sop-list CS-COMP-002 -->
"""


def test_hand_written_html_is_cleaned_as_a_browser_reads_it(project: Path, page) -> None:
    (project / "docs" / "akal.md").write_text(EVASIONS, "utf-8")
    strict = _build(project, "--strict")
    assert strict.returncode != 0 and "Traceback" not in strict.stderr
    lines = {int(m["line"]) for m in _problems(strict.stderr, "unsafe-html")}
    assert {7, 8} <= lines, strict.stderr  # comments a lenient parser would have swallowed
    result = _build(project)
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
    built = (project / "site" / "akal" / "index.html").read_text("utf-8")
    article = built.split("<article", 1)[1].split("</article>", 1)[0]
    assert "<script" not in article and "onerror" not in article and "<meta" not in article
    assert article.count('href="../sop/cs-comp-002/"') == 1  # the marker's block, once
    assert re.findall(r"sop-kb-block \S+", built) == ["sop-kb-block 0123456789abcdef"]
    assert article.count("<!-- sop-listing 7 -->") == 1  # a forged one stays a comment
    assert '<script src="/static/x.js">' not in built and "&lt;script" in built  # title
    assert '"><script>' not in built.split("<article", 1)[0]  # description
    url, server = serve(project / "site")
    hits: list[object] = []
    try:
        page.expose_function("__pwned", lambda n: hits.append(n))
        page.goto(url + "akal/", wait_until="networkidle")
        page.wait_for_timeout(500)
        assert page.url == url + "akal/" and hits == []
        assert page.outside_requests == []
    finally:
        server.shutdown()


#: Files a PR can add to docs/: (path, content); none is published, each is an error.
DOCS_FILES = {"static/evil.html": "<script>alert(1)</script>", "x.js": "alert(1)",
              "notes.txt": "alert(1)", "gambar.svg": "<svg onload='alert(1)'/>",
              "assets/stylesheets/ganti.css": "body{display:none}",
              # names that become URLs: a search result's link would lead off the site
              "\\/contoh.invalid.md": "# Keluar\n", "dua kata.md": "# Spasi\n"}


@pytest.mark.slow
def test_docs_files_other_than_pages_and_images_are_not_published(project: Path,
                                                                  tmp_path_factory) -> None:
    theme = Path(__import__("material").__file__).parent / "templates"
    bundle = next((theme / "assets" / "javascripts").glob("bundle.*.min.js"))
    for uri, text in {**DOCS_FILES, f"assets/javascripts/{bundle.name}": "alert(2)"}.items():
        (project / "docs" / uri).parent.mkdir(parents=True, exist_ok=True)
        (project / "docs" / uri).write_text(text, "utf-8")
    favicon = project / "docs" / "assets" / "images" / "favicon.png"
    favicon.parent.mkdir(parents=True, exist_ok=True)
    favicon.write_bytes(b"\x89PNG palsu")
    secret = tmp_path_factory.mktemp("luar") / "rahasia.md"
    secret.write_text("# RAHASIA-LUAR\n", "utf-8")
    (project / "docs" / "bocor.md").symlink_to(secret)
    (project / "docs" / "gambar.png").write_bytes(b"\x89PNG boleh")  # published
    (project / "docs" / "http:").mkdir()  # a colon: not in DOCS_FILES, PROBLEM_LINE splits at it
    (project / "docs" / "http:" / "contoh.invalid.md").write_text("# Keluar\n", "utf-8")
    strict = _build(project, "--strict")
    assert strict.returncode != 0 and "Traceback" not in strict.stderr
    refused = {m["path"] for rule in ("unsafe-file", "outside-repository", "unsafe-path")
               for m in _problems(strict.stderr, rule)}
    assert refused == {f"docs/{uri}" for uri in DOCS_FILES} | {
        f"docs/assets/javascripts/{bundle.name}", "docs/assets/images/favicon.png",
        "docs/bocor.md"}, strict.stderr
    assert "docs/http:/contoh.invalid.md:1:1: [error] characters other than" in strict.stderr
    check = sopkb_in(project, "validate")  # the pull-request check says it too
    assert check.returncode == 1 and "docs/x.js:1:1: [error]" in check.stdout
    result = _build(project)
    assert result.returncode != 0  # an error: not published, not even without --strict
    served = _build(project, "--site-dir", str(project / "preview"))
    assert served.returncode != 0 and not (project / "preview").exists()


@pytest.mark.slow
def test_a_file_that_is_only_null_is_one_line(project: Path) -> None:
    for path in ("sops/CS-COMP-002.yaml", "training/orientasi.yaml",
                 "reference/channels.yaml", "search/synonyms.yaml"):
        (project / path).write_text("~ # kosong\n", "utf-8")
    result = sopkb_in(project, "validate")
    assert result.returncode == 1 and "Traceback" not in result.stdout + result.stderr
    assert sum("(empty-file)" in line for line in result.stdout.splitlines()) == 4
    built = _build(project)
    assert built.returncode != 0 and "Traceback" not in built.stderr


#: Front matter the theme prints as HTML (a list is printed as Python writes it, past any
#: escaping) or reads as a template or a file, and Pagefind's attributes, which would give
#: the page's search result a reply template the page does not show.
META_AND_SEARCH = """\
---
title: Panduan
subtitle: ["\\x3cmeta http-equiv=refresh content=\\x220;url=https://contoh.invalid/nav\\x22\\x3e"]
description: ["\\x3cmeta http-equiv=refresh content=\\x220;url=https://contoh.invalid/kepala\\x22\\x3e"]
icon: ../../partials/header
template: redirect.html
location: https://contoh.invalid/
hide: [toc]
---
# Panduan

<span data-pagefind-meta="sopkb-template:zz" hidden></span>
"""


@pytest.mark.slow
def test_a_pages_front_matter_and_search_attributes_say_nothing_else(project: Path) -> None:
    (project / "docs" / "panduan.md").write_text(META_AND_SEARCH, "utf-8")
    strict = _build(project, "--strict")
    assert strict.returncode != 0 and "Traceback" not in strict.stderr
    assert [int(m["line"]) for m in _problems(strict.stderr, "page-meta")] == [3, 4, 5, 6, 7]
    assert [int(m["line"]) for m in _problems(strict.stderr, "unsafe-html")] == [12]
    result = _build(project)
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
    for path in (project / "site").rglob("*.html"):
        text = path.read_text("utf-8")
        assert "contoh.invalid" not in text and "x3cmeta" not in text, path
    built = (project / "site" / "panduan" / "index.html").read_text("utf-8")
    assert "<title>Panduan - " in built and "data-pagefind" not in built
    assert 'class="md-sidebar md-sidebar--secondary" data-md-component="sidebar" ' \
        'data-md-type="toc" hidden' in built  # hide: [toc] still works
