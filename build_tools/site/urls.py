"""Every URL the site will have, with what claims it: each is claimed once (``url-collision``).

Generated pages take their URLs from data a pull request writes: an SOP's id and former ids,
a category's name (slugged), a training path's id, the files under ``docs/``. Two of them
landing on one URL would make one page silently replace the other (an SOP gone from its
category page and handbook) while ``mkdocs build --strict`` passes: ``Penanganan keluhan``
and ``Penanganan keluhan!`` slug alike, a training path may be called ``index``, a
hand-written ``docs/channels/index.md`` lands where the channels page is made.

:func:`claims` lists what :meth:`SitePages.pages` and :meth:`SitePages.redirects` make (a test
checks the two agree), :func:`handwritten` what the files of ``docs/`` make, and
:func:`collisions` reports every URL claimed twice, at the later claim's ``FILE:LINE``,
naming the other one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from build_tools.problem import Level, Problem, Rule
from build_tools.render import listing
from build_tools.render.renderer import INDEX_URI, SOP_DIR, sop_uri
from build_tools.rules.catalog import Catalog
from build_tools.rules.pages import docs_file_problems
from build_tools.site import layout
from build_tools.site import pages as site
from build_tools.source.document import load_document
from build_tools.source.paths import shown

URL_COLLISION = Rule("url-collision",
                     "two pages (generated or hand-written) would be at one address")


@dataclass(frozen=True)
class Claim:
    """One page (or file) of the site: its URL, what it is, and the file and YAML node that
    decide its URL (``source`` empty for a page every site has)."""

    url: str
    what: str
    source: str = ""
    node: tuple[str | int, ...] = ()


#: The pages every site has (when their data exists), named by what they are.
FIXED = {INDEX_URI: "the SOP index", layout.COMPLAINT_TYPES_URI: "the complaint types page",
         layout.CHANNELS_URI: "the channels page", layout.METRICS_URI: "the metrics page",
         layout.TEMPLATES_URI: "the templates page", layout.ROLES_URI: "the roles page",
         layout.REVIEW_URI: "the review dates page", layout.CHANGES_URI: "the changes page",
         f"{layout.TRAINING_DIR}/index.md": "the training index",
         layout.HANDBOOK_URI: "the handbooks page"}


def _url(uri: str) -> str:
    return listing.page_url(uri, True).casefold()


def claims(pages: site.SitePages) -> Iterator[Claim]:
    """What the generated pages and redirects of ``pages`` claim (see the module docstring)."""
    made = {INDEX_URI, *pages.reference_uris(), layout.HANDBOOK_URI}
    for uri, what in FIXED.items():
        if uri in made:
            yield Claim(_url(uri), what)
    for name, sops in pages.groups:
        first = sops[0]
        node = ("category",) if first.category else ()
        for uri, kind in ((pages.category_uri(name), "category page"),
                          (pages.handbook_uri(name), "category handbook")):
            yield Claim(_url(uri), f"the {kind} of {name!r}", first.source, node)
    for sop in pages.sops:
        yield Claim(_url(sop_uri(sop)), f"the page of {sop.id}", sop.source, ("id",))
        yield Claim(_url(layout.card_uri(sop)), f"the quick card address of {sop.id}",
                    sop.source, ("id",))
        for index, alias in enumerate(sop.aliases):
            yield Claim(_url(f"{SOP_DIR}/{alias.lower()}.md"),
                        f"the former address {alias} of {sop.id}", sop.source,
                        ("aliases", index))
    for path in pages.training:
        for uri, kind in ((f"{layout.TRAINING_DIR}/{path.id}.md", "page"),
                          (f"{layout.TRAINING_DIR}/{path.id}/{layout.HANDBOOK_URI}", "handbook"),
                          (pages.practice_uri(path.id), "practice"),
                          (f"{layout.PRACTICE_DIR}/{path.id}/cetak.md", "practice to print")):
            yield Claim(_url(uri), f"the {kind} of training path {path.id!r}", path.source,
                        ("id",))
    if pages.control.timelines:
        yield Claim(_url(layout.IN_FORCE_URI), "the in-force page")
    for sop in pages.sops:
        for row in pages.version_rows(sop):
            if row.uri is not None:
                yield Claim(_url(row.uri), f"the page of version {row.version} of {sop.id}",
                            sop.source, ("version",))
    for sop in pages.listed:
        for uri, kind in ((pages.practice_uri(sop.slug), "practice"),
                          (f"{layout.PRACTICE_DIR}/{sop.slug}/cetak.md", "practice to print")):
            yield Claim(_url(uri), f"the {kind} of {sop.id}", sop.source, ("id",))


#: Folders the plugin writes whole (its assets, the search indexes): no file of docs/ there.
RESERVED = ("assets/sop-kb/", "pagefind")


def handwritten(uris: Iterable[str], docs: str) -> Iterator[Claim]:
    """What the files of the docs folder (``docs``, as problems name it) claim: a page's URL
    for a Markdown file, its own path for any other file (a folder the plugin writes, for a
    file in one)."""
    for prefix in RESERVED:
        yield Claim(prefix, f"the plugin's folder {prefix!r}")
    for uri in uris:
        url = _url(uri) if uri.endswith(".md") else uri.casefold()
        url = next((prefix for prefix in RESERVED if url.startswith(prefix)), url)
        yield Claim(url, "a hand-written page" if uri.endswith(".md") else "a file",
                    f"{docs}/{shown(uri)}")


def url_problems(pages: site.SitePages, catalog: Catalog, root: Path, docs: Path | None,
                 files: bool = True) -> list[Problem]:
    """url-collision over the generated pages of ``pages`` and the files under ``docs`` (if
    any), and with ``files`` the docs files that are not published (see
    :func:`build_tools.rules.pages.docs_file_problems`); positions from the catalog's
    documents, or read again from ``root``."""
    documents = {doc.path: doc for doc in catalog.documents}

    def position(source: str, node: tuple[str | int, ...]) -> tuple[int, int]:
        doc = documents.get(source) or load_document(root / source, source, root)
        return doc.position(node) if node else (1, 1)

    found = list(claims(pages))
    refused: list[Problem] = []
    if docs is not None and docs.is_dir():
        relative = (docs.relative_to(root) if docs.is_relative_to(root) else docs).as_posix()
        uris = sorted(path.relative_to(docs).as_posix() for path in docs.rglob("*")
                      if (path.is_file() or path.is_symlink()) and not any(
                          part.startswith(".") for part in path.relative_to(docs).parts))
        if files:
            refused = docs_file_problems([(uri, docs / uri) for uri in uris], root, relative)
        found.extend(handwritten(uris, relative))
    return refused + collisions(found, position)


def collisions(found: Iterable[Claim],
               position: Callable[[str, tuple[str | int, ...]], tuple[int, int]],
               ) -> list[Problem]:
    """url-collision: a URL claimed twice, reported at the later claim, naming the first.
    ``position(source, node)`` gives the line and column of a claim's YAML node."""
    first: dict[str, Claim] = {}
    problems = []
    for claim in found:
        other = first.setdefault(claim.url, claim)
        if other is claim:
            continue
        if not claim.source and other.source:  # report at a file, if either has one
            claim, other = other, claim
        where = f"{other.source}:{position(other.source, other.node)[0]}" if other.source \
            else "a page every site has"
        line, col = position(claim.source, claim.node) if claim.source else (1, 1)
        problems.append(Problem(claim.source or "mkdocs.yml", line, col, Level.ERROR,
                                URL_COLLISION.id,
                                f"{claim.what} would be at /{claim.url}, where {other.what} "
                                f"({where}) is; one would replace the other"))
    return problems
