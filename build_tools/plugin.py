"""The MkDocs plugin: wires MkDocs events to the core, and nothing more.

* ``on_files`` loads and validates ``sops/`` (with the reference files and search synonyms),
  then adds the generated pages, the alias redirects and the plugin's own assets, all in
  memory; nothing is written to ``docs/``.
* ``on_nav`` puts the SOP index and category pages in the navigation (SOP pages stay out of
  it, so the navigation embedded in every page does not grow with the number of SOPs), and
  appends generated reference pages the configured navigation leaves out.
* ``on_page_markdown`` expands ``<!-- sop-kb: … -->`` markers in hand-written pages, and
  lifts the listing blocks (HTML the core rendered) out of every page before Markdown runs;
  ``on_page_content`` puts them back, with their headings in the page's table of contents
  (see :mod:`build_tools.listing`).
* ``on_page_content`` hands each rendered page to search (see :mod:`build_tools.search_index`:
  a second process adds the hidden root words and feeds Pagefind while MkDocs goes on).
* ``on_env`` (all pages rendered) lets the search index be written while MkDocs applies the
  theme; ``on_post_build`` waits for it, then publishes the site (see :mod:`build_tools.output`).
* ``on_serve`` watches the SOP, reference and synonym files. Under ``mkdocs serve --dirty`` the
  plugin keeps its caches across rebuilds (see ``on_startup``) and re-indexes on a thread.

Validation problems are logged as errors with their ``FILE:LINE:COL``; ``mkdocs build`` then
aborts. Under ``mkdocs serve`` the invalid SOPs are left out instead, so a writer keeps a
working preview while fixing them.
"""

from __future__ import annotations

import datetime
import logging
import os
import shutil
import tempfile
from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from jinja2.bccache import Bucket, BytecodeCache
from mkdocs.config import config_options as opt
from mkdocs.config.base import Config
from mkdocs.exceptions import Abort, PluginError
from mkdocs.plugins import BasePlugin, get_plugin_logger
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.nav import Navigation, Section
from mkdocs.structure.pages import Page
from mkdocs.structure.toc import AnchorLink

from build_tools import csp, listing
from build_tools.catalog import Catalog, FileCache, load_catalog
from build_tools.labels import DEFAULT_LANGUAGE, available_languages
from build_tools.output import OutputError, discard, prepare, publish
from build_tools.search_index import (BackgroundIndexer, IndexInBackground, SearchCopies,
                                      SearchIndexError)
from build_tools.search_terms import Lexicon
from build_tools.site import PageCache, SitePages

if TYPE_CHECKING:
    from jinja2 import Environment
    from mkdocs.config.defaults import MkDocsConfig
    from mkdocs.livereload import LiveReloadServer

log = get_plugin_logger(__name__)

#: Markdown extensions the generated pages rely on (step anchors, tables).
REQUIRED_EXTENSIONS = ("attr_list", "tables", "md_in_html")
#: The plugin's own files, served under ``assets/sop-kb/`` in every site.
STYLESHEET = "assets/sop-kb/style.css"
SEARCH_SCRIPT = "assets/sop-kb/search.js"
SCRIPTS = ("assets/sop-kb/page-tools.js",)


class SopConfig(Config):
    sops_dir = opt.Type(str, default="sops")
    """Folder of the SOP YAML files, relative to mkdocs.yml."""
    reference_dir = opt.Type(str, default="reference")
    """Folder of the reference files (complaint types, channels, metrics), if any."""
    synonyms_file = opt.Type(str, default="search/synonyms.yaml")
    """Search synonyms, if the file exists."""
    training_dir = opt.Type(str, default="training")
    """Folder of training paths, if any."""
    search = opt.Type(bool, default=True)
    """Build the Indonesian-aware search index (Pagefind) and show the search box."""
    root_words = opt.Type(bool, default=True)
    """Index dictionary roots and synonyms with every section (off: Pagefind's stemming only)."""
    language = opt.Optional(opt.Type(str))
    """Language of generated headings; defaults to the theme's ``language``."""
    search_timeout = opt.Type((int, float), default=300)
    """Seconds to wait for any one answer of the search indexer before failing the build."""
    min_free_mb = opt.Type(int, default=50)
    """Refuse to start a build with less free disk space than this beside the site folder."""


class SopPlugin(BasePlugin[SopConfig]):
    supports_multiple_instances = False

    def __init__(self) -> None:
        self.serving = False
        self.catalog = Catalog()
        self.site: SitePages | None = None
        self.lexicon = Lexicon()
        self.root = Path.cwd()
        self.site_dir: Path | None = None
        self.stage: Path | None = None
        self.copies: SearchCopies | None = None
        self.indexer: BackgroundIndexer | None = None
        self.files = Files([])
        # Kept across the rebuilds of one `mkdocs serve` (the plugin object lives as long).
        self.file_cache = FileCache()
        self.page_cache = PageCache()
        self.page_folder: Path | None = None
        self.written: dict[str, str] = {}
        self.marker_pages: set[str] = set()
        #: src_uri → the listing blocks lifted out of the page between its two events.
        self.listings: dict[str, list[str]] = {}
        self.background_search = IndexInBackground(on_error=log.warning)
        self.compiled_theme = _CompiledTemplates()
        self.warnings = _WarningCount()

    def on_startup(self, *, command: Literal["build", "gh-deploy", "serve"], dirty: bool) -> None:
        self.serving = command == "serve"
        if self.serving and dirty:
            # `mkdocs serve --dirty` rebuilds a page only when its source file is newer than
            # the built page, and takes generated pages given as text for changed every time.
            # Generated pages are written to files here instead, each only when its text
            # changed, so that editing one SOP rebuilds that SOP's page and the few pages
            # listing it.
            self.page_folder = Path(tempfile.mkdtemp(prefix="sopkb-pages-"))

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        self.root = Path(config.config_file_path).parent
        if not self.serving:
            # Build into a sibling folder and swap it in at the end (see output.py).
            self.site_dir = Path(config.site_dir)
            try:
                self.stage = prepare(self.site_dir, self.config.min_free_mb * 1024 * 1024)
            except OutputError as error:
                raise PluginError(str(error)) from error
            config.site_dir = str(self.stage)
            self.warnings.count = 0
            logging.getLogger("mkdocs").addHandler(self.warnings)
        self.background_search.timeout = float(self.config.search_timeout)
        if self.config.search and self.serving and self.copies is None:
            # Lives for the whole `mkdocs serve` session (dirty rebuilds render changed pages).
            folder = Path(tempfile.mkdtemp(prefix="sopkb-search-"))
            self.copies = SearchCopies(folder, _site_language(config))
        _add_theme_overrides(config)
        for extension in REQUIRED_EXTENSIONS:
            if extension not in config.markdown_extensions:
                config.markdown_extensions.append(extension)
        if STYLESHEET not in config.extra_css:
            config.extra_css.append(STYLESHEET)
        scripts = (*SCRIPTS, SEARCH_SCRIPT) if self.config.search else SCRIPTS
        for script in scripts:
            if script not in config.extra_javascript:
                config.extra_javascript.append(script)
        return config

    def _path(self, option: str) -> Path:
        return self.root / option

    def _language(self, config: MkDocsConfig) -> str:
        language = self.config.language or config.theme.get("language") or DEFAULT_LANGUAGE
        if language not in available_languages():
            log.warning(f"no labels for language {language!r}; using {DEFAULT_LANGUAGE!r} "
                        f"(available: {', '.join(available_languages())})")
            return DEFAULT_LANGUAGE
        return language

    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files:
        self.catalog = load_catalog(
            [self._path(self.config.sops_dir)], base=self.root,
            reference_dir=self._path(self.config.reference_dir),
            synonyms_file=self._path(self.config.synonyms_file),
            training_dir=self._path(self.config.training_dir), cache=self.file_cache)
        for problem in self.catalog.problems:
            (log.error if problem.is_error else log.warning)(str(problem))
        if self.catalog.errors and not self.serving:
            raise PluginError(f"{len(self.catalog.errors)} error(s) in SOP files; see above")
        self.site = SitePages(self.catalog, self._language(config), today=build_date(),
                              cache=self.page_cache, directory_urls=config.use_directory_urls,
                              permalink=_permalink(config))
        rebuild_all = False
        if not self.serving or self.lexicon.groups != self.catalog.synonyms:
            # While serving, the lexicon keeps the roots of pages not rebuilt this time.
            self.lexicon = Lexicon(self.catalog.synonyms)
            rebuild_all = True
        if self.config.search and not self.serving:
            self.indexer = BackgroundIndexer(Path(config.site_dir), _site_language(config),
                                             self.catalog.synonyms, self.config.root_words,
                                             float(self.config.search_timeout))
        for uri in (STYLESHEET, SEARCH_SCRIPT, *SCRIPTS):
            content = resources.files("build_tools").joinpath(
                "assets", uri.rsplit("/", 1)[1]).read_text("utf-8")
            files.append(self._generated(config, uri, content))
        for uri, content in self.site.pages():
            # Not in the automatic navigation: on_nav places the index and category pages.
            files.append(self._generated(config, uri, content, InclusionLevel.NOT_IN_NAV))
        for uri, content in self.site.redirects():
            files.append(self._generated(config, uri, content))
        if self.page_folder is not None:
            for file in files.documentation_pages():
                # Pages with sop-kb markers show SOP data; a search-words change touches all.
                if rebuild_all or file.src_uri in self.marker_pages:
                    file.is_modified = lambda: True  # type: ignore[method-assign]
        self.files = files
        return files

    def _generated(self, config: MkDocsConfig, uri: str, content: str,
                   inclusion: InclusionLevel = InclusionLevel.UNDEFINED) -> File:
        if self.page_folder is None:
            return File.generated(config, uri, content=content, inclusion=inclusion)
        path = self.page_folder / uri
        if self.written.get(uri) != content:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(content, "utf-8")
            self.written[uri] = content
        return File.generated(config, uri, abs_src_path=str(path), inclusion=inclusion)

    def on_nav(self, nav: Navigation, *, config: MkDocsConfig, files: Files) -> Navigation:
        if self.site is None:
            return nav
        pages = [page for page in map(lambda uri: _page(files, uri), self.site.nav_uris())
                 if page is not None]
        if not pages:
            return nav
        section = Section(self.site.labels["sops"], pages)
        items = _replace_page(nav.items, pages[0], section)
        if items is None:
            items = [*nav.items, section]
        listed = {page.file.src_uri for page in _pages(items)}
        for uri in self.site.reference_uris():
            page = _page(files, uri)
            if uri not in listed and page is not None:
                items.append(page)
        navigation = _rebuild(items)
        if self.page_folder is not None:
            # A dirty rebuild reads only changed pages, and MkDocs takes a page's title from
            # its text: give the generated pages theirs, or the navigation shows "None".
            for page in navigation.pages:
                if page.file.src_uri in self.written:
                    page.title = _markdown_title(self.written[page.file.src_uri]) or page.title
        return navigation

    def on_page_markdown(self, markdown: str, *, page: Page, config: MkDocsConfig,
                         files: Files) -> str:
        if self.site is not None and not page.file.generated_by:
            expanded, problems = self.site.expand_markers(markdown, page.file.src_uri)
            if expanded != markdown or problems:
                self.marker_pages.add(page.file.src_uri)
            markdown = expanded
            for problem in problems:
                log.warning(problem)
        markdown, blocks = listing.lift(markdown)
        if blocks:
            self.listings[page.file.src_uri] = blocks
        return markdown

    def on_page_content(self, html: str, *, page: Page, config: MkDocsConfig,
                        files: Files) -> str:
        blocks = self.listings.pop(page.file.src_uri, None)
        if blocks:
            html = listing.restore(html, blocks)
            _add_listings_to_page(page, blocks, _toc_levels(config))
        weight = self.site.search_weight(page.file.src_uri) if self.site else 1.0
        if weight == 0.0 or (self.indexer is None and self.copies is None):
            return html
        # Permalink signs are not part of a heading's text in search results.
        content = html.replace('class="headerlink"', 'class="headerlink" data-pagefind-ignore')
        if self.indexer is not None:
            self.indexer.add(page.file.dest_uri, page.title or "", content, weight)
        elif self.copies is not None:
            if self.config.root_words:
                content = self.lexicon.annotate(content)
            self.copies.write(page.file.dest_uri, page.title or "", content, weight)
        return html

    def on_post_page(self, output: str, *, page: Page, config: MkDocsConfig) -> str:
        return csp.with_policy(output, serving=self.serving)

    def on_post_template(self, output_content: str, *, template_name: str,
                         config: MkDocsConfig) -> str:
        if template_name.endswith(".html"):  # 404.html; not sitemap.xml
            return csp.with_policy(output_content, serving=self.serving)
        return output_content

    def on_env(self, env: Environment, *, config: MkDocsConfig, files: Files) -> Environment:
        # Every page's content has been rendered (on_page_content) by now; MkDocs goes on
        # with the theme's templates while the search index is written on the other core.
        if self.indexer is not None:
            self.indexer.close_input()
        if self.serving:
            # Each rebuild comes with a new theme environment that would compile the theme's
            # templates again (0.2 s of every rebuild); Jinja recompiles an edited one.
            env.bytecode_cache = self.compiled_theme
        return env

    def on_post_build(self, *, config: MkDocsConfig) -> None:
        try:
            if self.indexer is not None:
                indexer, self.indexer = self.indexer, None
                indexer.finish()
            if self.copies is not None:
                # Serving: the browser reloads now; the search index follows in a moment.
                self.copies.prune({file.dest_uri for file in self._indexed()})
                self.background_search.request(Path(config.site_dir), self.copies, self.lexicon)
            logging.getLogger("mkdocs").removeHandler(self.warnings)
            if self.stage is not None and self.site_dir is not None:
                if config.strict and self.warnings.count:
                    # MkDocs aborts a strict build on warnings after this event: the site
                    # published before stays as it is.
                    discard(self.stage)
                else:
                    publish(self.stage, self.site_dir)
                    config.site_dir = str(self.site_dir)
                self.stage = None
        except (SearchIndexError, OutputError) as error:
            raise PluginError(str(error)) from error

    def on_build_error(self, *, error: Exception) -> None:
        logging.getLogger("mkdocs").removeHandler(self.warnings)
        if self.stage is not None:
            discard(self.stage)
            self.stage = None
        if self.indexer is not None:
            self.indexer.abort()
            self.indexer = None
        if isinstance(error, OSError) and not self.serving:
            # A full disk or an unwritable file while MkDocs writes the site: one line, as
            # for every other failed build, instead of MkDocs' traceback (the site published
            # before is untouched, see output.py).
            where = f" ({error.filename})" if error.filename else ""
            log.error(f"cannot write the site: {error.strerror or error}{where}")
            raise Abort("Aborted with a BuildError!") from None

    def on_shutdown(self) -> None:
        self._drop_copies()
        if self.page_folder is not None:
            shutil.rmtree(self.page_folder, ignore_errors=True)

    def _indexed(self) -> Iterator[File]:
        """The pages of this build that search indexes."""
        for file in self.files.documentation_pages():
            if self.site is None or self.site.search_weight(file.src_uri) > 0.0:
                yield file

    def _drop_copies(self) -> None:
        if self.copies is not None:
            shutil.rmtree(self.copies.folder, ignore_errors=True)
            self.copies = None

    def on_serve(self, server: LiveReloadServer, *, config: MkDocsConfig, builder) -> None:
        for option in (self.config.sops_dir, self.config.reference_dir, self.config.training_dir):
            if self._path(option).is_dir():
                server.watch(str(self._path(option)))
        if self._path(self.config.synonyms_file).is_file():
            server.watch(str(self._path(self.config.synonyms_file)))


class _CompiledTemplates(BytecodeCache):
    """Compiled templates, in memory for one ``mkdocs serve`` (each keyed by Jinja on its
    name and checked against its source's checksum)."""

    def __init__(self) -> None:
        self._code: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        if bucket.key in self._code:
            bucket.bytecode_from_string(self._code[bucket.key])

    def dump_bytecode(self, bucket: Bucket) -> None:
        self._code[bucket.key] = bucket.bytecode_to_string()


class _WarningCount(logging.Handler):
    """Counts warnings as MkDocs does for ``--strict``, which it checks only after
    ``on_post_build``."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1


def _add_theme_overrides(config: MkDocsConfig) -> None:
    """The plugin's template overrides (``build_tools/theme/``) before the theme's own
    templates, after a project's ``custom_dir``."""
    folder = str(resources.files("build_tools").joinpath("theme"))
    dirs = config.theme.dirs
    if folder not in dirs:
        custom = config.theme.custom_dir
        dirs.insert(1 if custom and dirs and dirs[0] == custom else 0, folder)


def build_date() -> datetime.date:
    """Today, or the date of ``SOURCE_DATE_EPOCH`` (as MkDocs uses for the sitemap), so a
    build can be reproduced byte for byte on another day."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return datetime.datetime.fromtimestamp(int(epoch), datetime.timezone.utc).date()
    return datetime.date.today()


def _markdown_title(markdown: str) -> str | None:
    """The text of the first ``# `` heading of a generated page."""
    for line in markdown.splitlines():
        if line.startswith("# "):
            return line[2:].strip()
    return None


def _permalink(config: MkDocsConfig) -> str:
    """The sign the ``toc`` extension puts after headings ("" for none)."""
    permalink = config.mdx_configs.get("toc", {}).get("permalink", False)
    if permalink is True:
        return "&para;"
    return permalink if isinstance(permalink, str) else ""


def _toc_levels(config: MkDocsConfig) -> tuple[int, int]:
    """The heading levels the ``toc`` extension lists (its ``toc_depth``: ``3`` or ``2-4``)."""
    depth = config.mdx_configs.get("toc", {}).get("toc_depth", 6)
    if isinstance(depth, str) and "-" in depth:
        top, bottom = depth.split("-", 1)
        return int(top), int(bottom)
    return 1, int(depth)


def _add_listings_to_page(page: Page, blocks: list[str], levels: tuple[int, int]) -> None:
    """The headings of listing blocks in the page's table of contents, after its own and
    nested by level, those of ``levels`` only (as Markdown's); their ids among the anchors
    MkDocs checks links against."""
    stack: list[AnchorLink] = []
    items = page.toc.items
    while items:
        stack.append(items[-1])
        items = items[-1].children
    for block in blocks:
        if page.present_anchor_ids is not None:
            page.present_anchor_ids |= listing.ids(block)
        for level, anchor, title in listing.headings(block):
            if not levels[0] <= level <= levels[1]:
                continue
            link = AnchorLink(title, anchor, level)
            while stack and stack[-1].level >= level:
                stack.pop()
            (stack[-1].children if stack else page.toc.items).append(link)
            stack.append(link)


def _site_language(config: MkDocsConfig) -> str:
    """The language of the site's pages (``<html lang>``), which Pagefind stems by."""
    return config.theme.get("language") or "en"


def _page(files: Files, uri: str) -> Page | None:
    file = files.get_file_from_path(uri)
    return file.page if file is not None else None


def _replace_page(items: list, page: Page, section: Section) -> list | None:
    """``items`` with ``page`` (wherever it stands) replaced by ``section``; None if absent."""
    for index, item in enumerate(items):
        if item is page or (isinstance(item, Page) and item.file.src_uri == page.file.src_uri):
            return [*items[:index], section, *items[index + 1:]]
        if isinstance(item, Section):
            children = _replace_page(item.children, page, section)
            if children is not None:
                item.children = children
                return items
    return None


def _pages(items: list) -> Iterator[Page]:
    for item in items:
        if isinstance(item, Page):
            yield item
        if isinstance(item, Section):
            yield from _pages(item.children)


def _rebuild(items: list) -> Navigation:
    """A Navigation whose parent, previous and next links match ``items``."""
    pages = list(_pages(items))

    def parent_links(children: list, parent: Section | None) -> None:
        for item in children:
            item.parent = parent
            if isinstance(item, Section):
                parent_links(item.children, item)

    parent_links(items, None)
    for previous, page, following in zip([None, *pages[:-1]], pages, [*pages[1:], None]):
        page.previous_page, page.next_page = previous, following
    return Navigation(items, pages)
