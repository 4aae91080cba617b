"""The MkDocs plugin: wires MkDocs events to the core, and nothing more.

* ``on_files`` loads and validates ``sops/``, then adds one generated page per SOP
  (``sop/<id>/``), the SOP index and one page per category; nothing is written to ``docs/``.
* ``on_nav`` puts the SOP index and category pages in the navigation (SOP pages stay out of
  it, so the navigation embedded in every page does not grow with the number of SOPs).
* ``on_serve`` watches ``sops/`` so ``mkdocs serve`` rebuilds when a YAML file changes.

Validation problems are logged as errors with their ``FILE:LINE:COL``; ``mkdocs build`` then
aborts. Under ``mkdocs serve`` the invalid SOPs are left out instead, so a writer keeps a
working preview while fixing them.
"""

from __future__ import annotations

from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from mkdocs.config import config_options as opt
from mkdocs.config.base import Config
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, get_plugin_logger
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.nav import Navigation, Section
from mkdocs.structure.pages import Page

from build_tools.catalog import Catalog, load_catalog
from build_tools.labels import DEFAULT_LANGUAGE, available_languages
from build_tools.site import SitePages

if TYPE_CHECKING:
    from mkdocs.config.defaults import MkDocsConfig
    from mkdocs.livereload import LiveReloadServer

log = get_plugin_logger(__name__)

#: Stylesheet shipped with the plugin, served at this path in every site.
STYLESHEET_URI = "assets/sop-kb.css"

#: Markdown extensions the generated pages rely on (step anchors, tables).
REQUIRED_EXTENSIONS = ("attr_list", "tables")


class SopConfig(Config):
    sops_dir = opt.Type(str, default="sops")
    """Folder of the SOP YAML files, relative to mkdocs.yml."""
    reference_dir = opt.Type(str, default="reference")
    """Folder of the reference files (complaint types, channels, metrics), if any."""
    language = opt.Optional(opt.Type(str))
    """Language of generated headings; defaults to the theme's ``language``."""


class SopPlugin(BasePlugin[SopConfig]):
    supports_multiple_instances = False

    def __init__(self) -> None:
        self.serving = False
        self.catalog = Catalog()
        self.site: SitePages | None = None
        self.root = Path.cwd()

    def on_startup(self, *, command: Literal["build", "gh-deploy", "serve"], dirty: bool) -> None:
        self.serving = command == "serve"

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        self.root = Path(config.config_file_path).parent
        if STYLESHEET_URI not in config.extra_css:
            config.extra_css.append(STYLESHEET_URI)
        for extension in REQUIRED_EXTENSIONS:
            if extension not in config.markdown_extensions:
                config.markdown_extensions.append(extension)
        return config

    @property
    def sops_path(self) -> Path:
        return self.root / self.config.sops_dir

    @property
    def reference_path(self) -> Path:
        return self.root / self.config.reference_dir

    def _language(self, config: MkDocsConfig) -> str:
        language = self.config.language or config.theme.get("language") or DEFAULT_LANGUAGE
        if language not in available_languages():
            log.warning(f"no labels for language {language!r}; using {DEFAULT_LANGUAGE!r} "
                        f"(available: {', '.join(available_languages())})")
            return DEFAULT_LANGUAGE
        return language

    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files:
        self.catalog = load_catalog([self.sops_path], base=self.root,
                                    reference_dir=self.reference_path)
        for problem in self.catalog.problems:
            (log.error if problem.is_error else log.warning)(str(problem))
        if self.catalog.errors and not self.serving:
            raise PluginError(f"{len(self.catalog.errors)} error(s) in SOP files; see above")
        self.site = SitePages(self.catalog, self._language(config))
        stylesheet = resources.files("build_tools").joinpath(STYLESHEET_URI).read_text("utf-8")
        files.append(File.generated(config, STYLESHEET_URI, content=stylesheet))
        for uri, content in self.site.pages():
            # Not in the automatic navigation: on_nav places the index and category pages.
            files.append(File.generated(config, uri, content=content,
                                        inclusion=InclusionLevel.NOT_IN_NAV))
        return files

    def on_nav(self, nav: Navigation, *, config: MkDocsConfig, files: Files) -> Navigation:
        if self.site is None:
            return nav
        pages: list[Page] = []
        for uri in self.site.nav_uris():
            file = files.get_file_from_path(uri)
            if file is not None and file.page is not None:
                pages.append(file.page)
        if not pages:
            return nav
        section = Section(self.site.labels["sops"], pages)
        items = _replace_page(nav.items, pages[0], section)
        if items is None:
            items = [*nav.items, section]
        listed = {page.file.src_uri for page in _pages(items)}
        for uri in self.site.reference_uris():
            file = files.get_file_from_path(uri)
            if uri not in listed and file is not None and file.page is not None:
                items.append(file.page)
        return _rebuild(items)

    def on_page_markdown(self, markdown: str, *, page: Page, config: MkDocsConfig,
                         files: Files) -> str:
        if self.site is None or page.file.generated_by:
            return markdown
        markdown, problems = self.site.expand_markers(markdown, page.file.src_uri)
        for problem in problems:
            log.warning(problem)
        return markdown

    def on_serve(self, server: LiveReloadServer, *, config: MkDocsConfig, builder) -> None:
        for path in (self.sops_path, self.reference_path):
            if path.is_dir():
                server.watch(str(path))


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
    pages: list[Page] = []

    def walk(children: list, parent: Section | None) -> None:
        for item in children:
            item.parent = parent
            if isinstance(item, Page):
                pages.append(item)
            if isinstance(item, Section):
                walk(item.children, item)

    walk(items, None)
    for previous, page, following in zip([None, *pages[:-1]], pages, [*pages[1:], None]):
        page.previous_page, page.next_page = previous, following
    return Navigation(items, pages)
