"""The MkDocs plugin ``sop-kb``: MkDocs' events wired to the core, and nothing more.

* ``on_config``: stage the build beside the site (:mod:`.publishing`), add the plugin's
  assets and template overrides (:mod:`.settings`).
* ``on_files``: load and check the SOPs (:mod:`build_tools.rules.catalog`); add pages made of them.
* ``on_nav``: the SOP index and category pages as one section (:mod:`.structure`).
* ``on_page_markdown`` / ``on_page_content``: expand ``<!-- sop-kb: … -->`` markers; lift
  HTML blocks out before Markdown runs and put them back after
  (:mod:`build_tools.render.listing`); check hand-written pages; feed search (:mod:`.search`).
* ``on_env``: hash the theme's inline scripts (:mod:`.policy`), index search meanwhile;
  ``on_post_page`` / ``on_post_template``: a policy in every page; ``on_post_build``: publish.

Validation problems are logged with their ``FILE:LINE:COL``: ``mkdocs build`` aborts, ``mkdocs
serve`` leaves those SOPs out (a working preview); ``--dirty`` keeps caches (:mod:`.serving`).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Literal

from mkdocs.exceptions import Abort, PluginError
from mkdocs.plugins import BasePlugin, get_plugin_logger
from mkdocs.structure.files import Files

from build_tools.mkdocs import policy, publishing, serving, settings, structure
from build_tools.mkdocs.progress import Progress
from build_tools.mkdocs.publishing import StagedBuild
from build_tools.mkdocs.search import SiteSearch
from build_tools.mkdocs.serving import CompiledTemplates, FileEvents, GeneratedFiles
from build_tools.mkdocs.settings import SopConfig
from build_tools.render import listing
from build_tools.rules.catalog import Catalog, FileCache
from build_tools.site import csp
from build_tools.site.pages import SitePages
from build_tools.site.urls import url_problems
from build_tools.speed import collector, rendering
from build_tools.speed.reuse import PageCache

if TYPE_CHECKING:
    from jinja2 import Environment
    from mkdocs.config.defaults import MkDocsConfig
    from mkdocs.livereload import LiveReloadServer
    from mkdocs.structure.nav import Navigation
    from mkdocs.structure.pages import Page

log = get_plugin_logger(__name__)


class SopPlugin(BasePlugin[SopConfig]):
    supports_multiple_instances = False

    def __init__(self) -> None:
        self.serving = False
        self.root = Path.cwd()
        self.catalog = Catalog()
        self.site: SitePages | None = None
        self.files = Files([])
        self.build = StagedBuild()
        self.search = SiteSearch(on_error=log.warning)
        self.listings: dict[str, list[str]] = {}  # src_uri → blocks lifted out meanwhile
        self.file_cache = FileCache()  # this and the next three: kept across serve's rebuilds
        self.page_cache = PageCache()
        self.generated = GeneratedFiles()
        self.compiled_theme = CompiledTemplates()
        self.file_events = FileEvents()
        self.progress = Progress(enabled=False)
        self.scripts = csp.Allowed()  # the inline scripts the theme ships (on_env)

    def on_startup(self, *, command: Literal["build", "gh-deploy", "serve"], dirty: bool) -> None:
        self.serving = command == "serve"
        self.page_cache = PageCache(keep=self.serving)  # a build keeps nothing for a next
        self.progress = Progress(enabled=False if self.serving else None)
        if self.serving and dirty:
            self.generated.serve_dirty()

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        self.root = Path(config.config_file_path).parent
        if not self.serving:
            self.build.start(config, self.config.min_free_mb)
        self.search.configure(enabled=self.config.search, root_words=self.config.root_words,
                              timeout=float(self.config.search_timeout),
                              language=settings.site_language(config), serving=self.serving,
                              pages_per_index=self.config.search_pages_per_index)
        settings.add_to_config(config, self.config.search)
        return config

    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files:
        ahead = settings.log_ahead(self.root, self.config, self.serving)  # git meanwhile
        self.catalog = settings.catalog(self.root, self.config, self.progress.files,
                                        self.file_cache if self.serving else None)
        self.site, refused, notices = settings.site_pages(
            config, self.config, self.catalog, log.warning, self.page_cache, self.root, files,
            ahead)
        for notice in notices:  # a shallow clone, no repository: said, not failed
            log.info(notice)
        files, unpublished = policy.published(files, config, self.root,
                                              settings.docs(config, self.root))
        problems = [*self.catalog.problems, *refused, *unpublished, *url_problems(
            self.site, self.catalog, self.root, Path(config.docs_dir), files=False)]
        for problem in problems:
            (log.error if problem.is_error else log.warning)(str(problem))
        if (errors := sum(problem.is_error for problem in problems)) and not self.serving:
            raise PluginError(f"{errors} error(s) in SOP files; see above")
        for uri, text in settings.assets(config, self.config, self.serving):
            files.append(self.generated.file(config, uri, text))
        for uri, text, level in settings.pages(self.site, self.page_cache, config, self.build):
            files.append(self.generated.file(config, uri, text, level))
        for uri, content in rendering.redirects(self.site, self.page_cache):
            files.append(self.generated.file(config, uri, content))
        for uri, content in settings.data(self.site, self.config, files):
            files.append(self.generated.file(config, uri, content))
        self.generated.mark_modified(files, self.search.start(
            Path(config.site_dir), self.catalog.synonyms, self.serving, len(self._indexed(files))))
        self.progress.total_pages = len(files.documentation_pages())
        self.files = files
        collector.hold(building=not self.serving)
        return files

    def on_nav(self, nav: Navigation, *, config: MkDocsConfig, files: Files) -> Navigation:
        if self.site is None:
            return nav
        navigation = structure.navigation(nav, files, self.site)
        self.generated.give_titles(navigation)
        return navigation

    def on_page_markdown(self, markdown: str, *, page: Page, config: MkDocsConfig,
                         files: Files) -> str:
        blocks: list[str] = []
        if self.site is not None and not page.file.generated_by:
            expanded, blocks, problems = self.site.expand_markers(
                markdown, page.file.src_uri, settings.display(config, self.root, page))
            if expanded != markdown or problems:
                self.generated.marker_pages.add(page.file.src_uri)
            markdown = expanded
            for problem in problems:
                log.warning(str(problem))
        markdown, lifted = structure.lift(page, markdown)
        if blocks or lifted:
            self.listings[page.file.src_uri] = blocks or lifted
        return markdown

    def on_page_content(self, html: str, *, page: Page, config: MkDocsConfig,
                        files: Files) -> str:
        if self.site is not None and page.file.generated_by:  # Material's edit action
            page.edit_url = self.site.edit_urls.get(page.file.src_uri) or page.edit_url
        html, problems = structure.checked(page, html, settings.display(config, self.root, page))
        for problem in problems:
            log.warning(str(problem))
        blocks = self.listings.pop(page.file.src_uri, None)
        if blocks:
            html = listing.restore(html, blocks)
            structure.add_listings_to_toc(page, blocks, settings.toc_levels(config))
        weight = self.site.search_weight(page.file.src_uri) if self.site else 1.0
        self.search.add(page.file.dest_uri, page.title or "", html, weight)
        self.progress.page()
        return html

    def on_post_page(self, output: str, *, page: Page, config: MkDocsConfig) -> str:
        return csp.with_policy(output, self.scripts)

    def on_post_template(self, output_content: str, *, template_name: str,
                         config: MkDocsConfig) -> str:
        if template_name.endswith(".html"):  # 404.html; not sitemap.xml
            return csp.with_policy(output_content, self.scripts)
        return output_content

    def on_env(self, env: Environment, *, config: MkDocsConfig, files: Files) -> Environment:
        self.scripts = policy.theme_scripts(env, config, files)
        self.search.pages_done()
        if self.serving:
            env.bytecode_cache = self.compiled_theme
        return env

    def on_post_build(self, *, config: MkDocsConfig) -> None:
        self.progress.indexed(self.search.finish(Path(config.site_dir), self._indexed(self.files)))
        self.build.finish(config, self.config, self.serving)
        self.generated.built()

    def on_build_error(self, *, error: Exception) -> None:
        collector.release()
        self.build.abandon()
        self.search.abort()
        if isinstance(error, OSError) and not self.serving:  # a full disk: one line
            log.error(publishing.cannot_write(error))
            raise Abort("Aborted with a BuildError!") from None

    def on_shutdown(self) -> None:
        self.search.close()
        self.generated.close()
        self.file_events.close()

    def on_serve(self, server: LiveReloadServer, *, config: MkDocsConfig,
                 builder: object) -> None:
        self.file_events.watch(server, settings.watched(self.root, self.config))
        serving.ready_to_serve(server)

    def _indexed(self, files: Files) -> list[str]:
        return [file.dest_uri for file in files.documentation_pages()
                if self.site is None or self.site.search_weight(file.src_uri) > 0.0]
