"""The plugin's options (``plugins: - sop-kb: …`` in ``mkdocs.yml``) and what it reads of,
and adds to, the rest of MkDocs' configuration."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from functools import partial
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from mkdocs.config import config_options as opt
from mkdocs.config.base import Config
from mkdocs.structure.files import InclusionLevel

from build_tools.model.timelines import timelines
from build_tools.problem import Problem
from build_tools.render.labels import DEFAULT_LANGUAGE, available_languages, load_labels
from build_tools.render.listing import page_path
from build_tools.render.repository import Repository
from build_tools.rules.approvals import load_approvals
from build_tools.rules.catalog import Catalog, FileCache, load_catalog
from build_tools.rules.effective import rewrite_problems, rewritten_files, shallow_problems
from build_tools.search import browser
from build_tools.search.index import PAGES_PER_INDEX
from build_tools.site import findability
from build_tools.site.layout import IN_FORCE_DATA, REDIRECT_SCRIPT, is_version_uri
from build_tools.site.pages import NAV_CATEGORIES, TIME_ZONE, Plan, SitePages, build_date
from build_tools.site.shell import Shell
from build_tools.site.versions import Control, in_force_data
from build_tools.source.history import git_log, read_history
from build_tools.speed import reading, rendering
from build_tools.speed.collector import no_cycle_collection
from build_tools.speed.reuse import PageCache

if TYPE_CHECKING:
    from mkdocs.config.defaults import MkDocsConfig
    from mkdocs.structure.files import Files
    from mkdocs.structure.pages import Page

    from build_tools.mkdocs.publishing import StagedBuild

#: The plugin's own files, served under ``assets/sop-kb/`` in every site; the scripts are
#: ES modules, which import the settings the build writes (:mod:`build_tools.search.browser`).
STYLESHEET = f"{browser.ASSETS}/style.css"
PAGE_TOOLS = f"{browser.ASSETS}/page-tools.js"
#: Document control: the in-force page's date field, the print date of a printed SOP.
CONTROL = f"{browser.ASSETS}/control.js"
SUGGESTIONS = browser.SUGGESTIONS_URI


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
    search_pages_per_index = opt.Type(int, default=PAGES_PER_INDEX)
    """Pages in one search index, at most: a larger site gets several, written one after
    another and merged by the search box, so that the indexer's memory does not grow with
    the site (``mkdocs serve`` keeps one)."""
    issue_url = opt.Optional(opt.Type(str))
    """A new-issue URL with ``{title}`` and ``{body}``: a "report a problem" link on every
    step opens it filled in (no link when unset)."""
    history = opt.Type(bool, default=True)
    """Publish every version of each SOP from git, with the days each was in force, the
    in-force page, and announcements of versions taking effect later (off: the current
    files only)."""
    approvals_dir = opt.Type(str, default="approvals")
    """Folder of the approval records (``sopkb record-approval``), if any."""
    request_page = opt.Type(str, default="usulkan-sop.md")
    """The hand-written page on asking for a missing procedure, which the search box offers
    when nothing matches (no link when the page does not exist)."""
    nav_categories = opt.Type(int, default=NAV_CATEGORIES)
    """Categories listed in the navigation, at most; beyond, the SOP index alone (which lists
    them), so that the navigation in every page does not grow with the knowledge base."""
    time_zone = opt.Type(str, default=TIME_ZONE)
    """Where the site's readers are: review dates (and the overdue banner) count days there."""
    min_free_mb = opt.Type(int, default=50)
    """Refuse to start a build with less free disk space than this beside the site folder."""
    offline = opt.Type(bool, default=True)
    """A service worker keeps the site's shell, search and the pages an agent opens on the
    device, for weak Wi-Fi and no network (off: pages remove a worker left before)."""
    offline_precache = opt.Type(bool, default=False)
    """With ``offline``, every page (but practice and handbooks) is kept at the first visit,
    not only once opened: the whole knowledge base on the device (the build says its size)."""
    app_short_name = opt.Optional(opt.Type(str))
    """The site's name under its icon once installed (default: the language's label)."""


def asset(uri: str) -> str:
    """The text of one of the plugin's files (``assets/sop-kb/<path>``)."""
    path = uri.removeprefix(f"{browser.ASSETS}/").split("/")
    return resources.files("build_tools").joinpath("assets", *path).read_text("utf-8")


def assets(config: MkDocsConfig, plugin: SopConfig, serving: bool,
           ) -> Iterator[tuple[str, str]]:
    """``(uri, text)`` of every file of the plugin that a site needs: the stylesheet, the
    scripts (the search box's modules with search on), the settings they import, the
    redirect pages' script, the web manifest and its icon, the service worker that removes
    itself where the build writes none (:func:`.publishing.keep_offline`), and while serving the
    live-reload script (see :func:`build_tools.mkdocs.serving.livereload_from_file`)."""
    modules = browser.search_modules() if plugin.search else []
    for uri in (STYLESHEET, PAGE_TOOLS, CONTROL, browser.SITE_MODULE, *modules,
                REDIRECT_SCRIPT, browser.OFFLINE_MODULE, browser.ICON_URI):
        yield uri, asset(uri)
    offline = plugin.offline and not serving
    yield browser.SETTINGS_URI, browser.settings_module(plugin.time_zone, plugin.issue_url,
                                                        offline, findability.LIGHTER)
    chosen = language(config, plugin, lambda _: None)
    yield browser.WEB_MANIFEST_URI, browser.web_manifest(
        config.site_name, config.site_description, site_language(config),
        plugin.app_short_name or load_labels(chosen)["app_short_name"])
    if not offline:
        yield browser.SERVICE_WORKER_URI, browser.service_worker(None)
    if serving:
        from build_tools.mkdocs.serving import LIVERELOAD_SCRIPT, livereload_script

        yield LIVERELOAD_SCRIPT, livereload_script()


def add_to_config(config: MkDocsConfig, search: bool) -> None:
    """The stylesheet, scripts and template overrides the plugin needs (generated pages are
    HTML: they need no Markdown extension)."""
    add_theme_overrides(config)
    if STYLESHEET not in config.extra_css:
        config.extra_css.append(STYLESHEET)
    listed = {str(script) for script in config.extra_javascript}
    scripts = (PAGE_TOOLS, CONTROL, browser.OFFLINE_MODULE)
    for uri in (*scripts, browser.SEARCH_ENTRY) if search else scripts:
        if uri not in listed:
            script = opt.ExtraScriptValue(uri)
            script.type = "module"
            config.extra_javascript.append(script)


def add_theme_overrides(config: MkDocsConfig) -> None:
    """The plugin's template overrides (``theme/``) before the theme's own templates, after a
    project's ``custom_dir``."""
    folder = str(resources.files("build_tools.mkdocs").joinpath("theme"))
    dirs = config.theme.dirs
    if folder not in dirs:
        custom = config.theme.custom_dir
        dirs.insert(1 if custom and dirs and dirs[0] == custom else 0, folder)


def repository(config: MkDocsConfig, plugin: SopConfig, labels: dict[str, Any]) -> Repository:
    """Where the site's files live: ``repo_url`` and ``edit_uri`` (for edit links) and the
    plugin's ``issue_url`` (for report links)."""
    return Repository.from_settings(config.repo_url, config.edit_uri, config.docs_dir,
                                    plugin.issue_url, config.site_url,
                                    {key: labels[key] for key in ("report_title", "report_body")})


def catalog(root: Path, plugin: SopConfig, progress: Callable[[int, int], None] | None,
            cache: FileCache | None) -> Catalog:
    """The SOPs, reference files, synonyms and training paths the site is made of, loaded
    and checked (with ``cache``, a serve session: unchanged files reused, documents kept)."""
    with no_cycle_collection():  # loading only adds what stays (build_tools.speed)
        return load_catalog([root / plugin.sops_dir], base=root,
                            reference_dir=root / plugin.reference_dir,
                            synonyms_file=root / plugin.synonyms_file,
                            training_dir=root / plugin.training_dir, progress=progress,
                            cache=cache, documents=cache is not None)


def log_ahead(root: Path, plugin: SopConfig, serving: bool) -> reading.LogAhead | None:
    """A build's ``git log`` started before the catalog loads, where the site publishes
    versions (not while serving: its history is read again only when HEAD moves)."""
    return reading.LogAhead(root / plugin.sops_dir) if plugin.history and not serving else None


def site_pages(config: MkDocsConfig, plugin: SopConfig, catalog: Catalog,
               warn: Callable[[str], None], cache: PageCache, root: Path, files: Files,
               log: reading.LogAhead | None = None,
               ) -> tuple[SitePages, list[Problem], tuple[str, ...]]:
    """The generated pages of ``catalog`` as the site's configuration asks for them (the
    version pages outside the theme, with the theme's ``files``), with the problems of the
    approval records and the notices of reading git's history (its log from ``log``, if
    started before)."""
    chosen = language(config, plugin, warn)
    control, problems = versions_of(root, plugin, catalog, cache, log)
    return SitePages(
        catalog, chosen, today=build_date(plugin.time_zone), cache=cache,
        directory_urls=config.use_directory_urls, permalink=permalink(config),
        repository=repository(config, plugin, load_labels(chosen)),
        time_zone=plugin.time_zone, nav_categories=plugin.nav_categories,
        control=control, shell=shell(config, files)), problems, control.notices


def pages(site: SitePages, cache: PageCache, config: MkDocsConfig, build: StagedBuild,
          ) -> Iterator[tuple[str, str, InclusionLevel]]:
    """``(uri, text, inclusion)`` of every generated page's file: a page of the site, left
    out of the automatic navigation (``on_nav`` places the index and category pages), or
    an SOP's earlier version, a document of its own outside the theme
    (:mod:`build_tools.site.shell`), at the path of its page. In a build (not while
    serving) those are written into the site folder instead, on the second core while MkDocs
    renders its pages, and ``build`` waits for them before it publishes
    (:class:`build_tools.speed.rendering.Writing`)."""
    aside: list[Plan] = []
    for uri, content in rendering.pages(site, cache, aside):
        if is_version_uri(uri):
            yield page_path(uri, config.use_directory_urls), content, InclusionLevel.UNDEFINED
        else:
            yield uri, content, InclusionLevel.NOT_IN_NAV
    if aside:
        build.written_meanwhile(rendering.Writing(site, aside, Path(config.site_dir),
                                                  config.use_directory_urls))


#: The theme's stylesheets (Material names them by their content's hash).
_THEME_STYLESHEET = re.compile(r"assets/stylesheets/(?:main|palette)\.[0-9a-f]+\.min\.css")


def shell(config: MkDocsConfig, files: Files) -> Shell:
    """What a page written outside the theme (an SOP's earlier version) carries of the site:
    the theme's stylesheets as the theme links them (the palette's only with a palette set),
    the site's own, its icon, manifest and name, the colour scheme of the theme's pages."""
    theme = config.theme
    palette = theme.get("palette")
    if isinstance(palette, list):
        palette = palette[0] if palette else None
    stylesheets = sorted(file.src_uri for file in files
                         if _THEME_STYLESHEET.fullmatch(file.src_uri) and
                         (palette or "/palette." not in file.src_uri))
    body: tuple[tuple[str, str], ...] = ()
    if isinstance(palette, dict):
        body = tuple((f"data-md-color-{name}", str(palette.get(name) or fallback).replace(" ", "-"))
                     for name, fallback in (("scheme", "default"), ("primary", "indigo"),
                                            ("accent", "indigo")))
    own = tuple(str(path) for path in config.extra_css if "://" not in str(path))
    site_url = config.site_url or ""
    return Shell(config.site_name, site_language(config), config.site_description or "",
                 site_url if not site_url or site_url.endswith("/") else site_url + "/",
                 (*stylesheets, *own), theme.get("favicon"), browser.WEB_MANIFEST_URI,
                 (CONTROL,), body)


def versions_of(root: Path, plugin: SopConfig, catalog: Catalog, cache: PageCache,
                log: reading.LogAhead | None = None) -> tuple[Control, list[Problem]]:
    """What git says of the SOPs' versions (read once per commit while serving) and the
    approval records, when the site publishes versions (``history``)."""
    if not plugin.history:
        return Control(), []
    folder = root / plugin.sops_dir
    with no_cycle_collection():  # reading only adds what stays (build_tools.speed)
        history = cache.history(folder, partial(read_history, load=reading.load_texts,
                                                log=log or git_log))
        lines = timelines(history, catalog.documents, ZoneInfo(plugin.time_zone),
                          build_date(plugin.time_zone))
    approvals_dir = root / plugin.approvals_dir
    records, problems = load_approvals(approvals_dir, plugin.approvals_dir) \
        if approvals_dir.is_dir() else ({}, [])
    files = catalog.documents or rewritten_files(  # a build keeps no documents
        lines, {sop.id: sop.source for sop in catalog.sops}, root)
    problems += rewrite_problems(lines, files)
    problems += shallow_problems(history, plugin.sops_dir)  # a warning, not a notice
    return Control(lines, records, () if history.shallow else history.notices), problems


def data(site: SitePages, plugin: SopConfig, files: Files) -> Iterator[tuple[str, str]]:
    """The data files the site's scripts read: the search box's suggestions (where to ask
    for a missing procedure, when the site has that page) and the in-force page's."""
    if plugin.search:
        site.request_uri = plugin.request_page \
            if files.get_file_from_path(plugin.request_page) else None
        yield SUGGESTIONS, site.suggestions()
    if site.control.timelines:
        yield IN_FORCE_DATA, in_force_data(site)


def language(config: MkDocsConfig, plugin: SopConfig, warn: Callable[[str], None]) -> str:
    """The language of generated headings: the plugin's, else the theme's, if labels exist."""
    language = plugin.language or config.theme.get("language") or DEFAULT_LANGUAGE
    if language not in available_languages():
        warn(f"no labels for language {language!r}; using {DEFAULT_LANGUAGE!r} "
             f"(available: {', '.join(available_languages())})")
        return DEFAULT_LANGUAGE
    return str(language)


def docs(config: MkDocsConfig, root: Path) -> str:
    """How problems name the docs folder: its path from the project's folder."""
    folder = Path(config.docs_dir)
    return (folder.relative_to(root) if folder.is_relative_to(root) else folder).as_posix()


def display(config: MkDocsConfig, root: Path, page: Page) -> str:
    """How problems name a hand-written page: its path from the project's folder."""
    return f"{docs(config, root)}/{page.file.src_uri}"


def watched(root: Path, plugin: SopConfig) -> list[Path]:
    """The SOP, reference, training and synonym files ``mkdocs serve`` reloads on."""
    folders = [root / plugin.sops_dir, root / plugin.reference_dir, root / plugin.training_dir]
    return [path for path in (*folders, root / plugin.synonyms_file) if path.exists()]


def permalink(config: MkDocsConfig) -> str:
    """The sign the ``toc`` extension puts after headings ("" for none)."""
    value = config.mdx_configs.get("toc", {}).get("permalink", False)
    if value is True:
        return "&para;"
    return value if isinstance(value, str) else ""


def toc_levels(config: MkDocsConfig) -> tuple[int, int]:
    """The heading levels the ``toc`` extension lists (its ``toc_depth``: ``3`` or ``2-4``)."""
    depth = config.mdx_configs.get("toc", {}).get("toc_depth", 6)
    if isinstance(depth, str) and "-" in depth:
        top, bottom = depth.split("-", 1)
        return int(top), int(bottom)
    return 1, int(depth)


def site_language(config: MkDocsConfig) -> str:
    """The language of the site's pages (``<html lang>``), which Pagefind stems by."""
    language = config.theme.get("language")
    return language if isinstance(language, str) and language else DEFAULT_LANGUAGE

