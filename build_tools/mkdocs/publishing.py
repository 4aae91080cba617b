"""A build written beside the site and published in one step (see
:mod:`build_tools.site.publish`), MkDocs' ``--strict`` honoured before publishing, and what
the published build tells devices to keep (:func:`keep_offline`)."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

import mkdocs
from mkdocs.exceptions import PluginError
from mkdocs.plugins import get_plugin_logger

from build_tools.search import browser
from build_tools.site.publish import OutputError, discard, prepare, publish

if TYPE_CHECKING:
    from mkdocs.config.defaults import MkDocsConfig

    from build_tools.mkdocs.settings import SopConfig
    from build_tools.speed.rendering import Writing

log = get_plugin_logger(__name__)


#: The logger whose warnings fail a ``--strict`` build: ``mkdocs``, or ``properdocs`` when
#: ProperDocs runs the plugin (its command answers ``import mkdocs`` with its own package,
#: which logs under its own name, the ``mkdocs`` logger being one of its children).
GENERATOR_LOGGER = mkdocs.__name__


class StagedBuild:
    """Points MkDocs at a staging folder; publishes it, or discards it on failure."""

    def __init__(self) -> None:
        self.site_dir: Path | None = None
        self.stage: Path | None = None
        self.warnings = _WarningCount()
        self.writing: list[Writing] = []

    def written_meanwhile(self, writing: Writing) -> None:
        """Files being written into the site folder while MkDocs renders its pages: waited
        for before the site is published, stopped if the build fails."""
        self.writing.append(writing)

    def start(self, config: MkDocsConfig, min_free_mb: int) -> None:
        self.site_dir = Path(config.site_dir)
        try:
            self.stage = prepare(self.site_dir, min_free_mb * 1024 * 1024)
        except OutputError as error:
            raise PluginError(str(error)) from error
        config.site_dir = str(self.stage)
        self.warnings.count = 0
        logging.getLogger(GENERATOR_LOGGER).addHandler(self.warnings)

    def finish(self, config: MkDocsConfig, plugin: SopConfig, serving: bool) -> None:
        """Once the files written meanwhile are, the offline copy's list made
        (:func:`keep_offline`), publish, unless MkDocs is about to fail a strict build on a
        warning (it checks only after ``on_post_build``): then the site published before
        stays as it is."""
        writing, self.writing = self.writing, []
        for each in writing:
            each.wait()
        keep_offline(config, plugin, serving)
        logging.getLogger(GENERATOR_LOGGER).removeHandler(self.warnings)
        if self.stage is None or self.site_dir is None:
            return
        stage, self.stage = self.stage, None
        if config.strict and self.warnings.count:
            discard(stage)
            return
        try:
            publish(stage, self.site_dir)
        except OutputError as error:
            discard(stage)
            raise PluginError(str(error)) from error
        config.site_dir = str(self.site_dir)

    def abandon(self) -> None:
        writing, self.writing = self.writing, []
        for each in writing:
            each.cancel()
        logging.getLogger(GENERATOR_LOGGER).removeHandler(self.warnings)
        if self.stage is not None:
            discard(self.stage)
            self.stage = None


def cannot_write(error: OSError) -> str:
    """The one line for a site that could not be written (a full disk), not a traceback."""
    where = f" ({error.filename})" if error.filename else ""
    return f"cannot write the site: {error.strerror or error}{where}"


class _WarningCount(logging.Handler):
    """Counts warnings as MkDocs (or ProperDocs) does for ``--strict``."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1


def keep_offline(config: MkDocsConfig, plugin: SopConfig, serving: bool) -> None:
    """Once the site is built (its search index too), before it is published: the service
    worker of this build and the list of what a device keeps, its size said (see
    :mod:`build_tools.search.browser`). Not while serving: the worker removes itself."""
    if serving or not plugin.offline:
        return
    copy = browser.write_offline(Path(config.site_dir), plugin.offline_precache)
    kept = f"{len(copy.precache)} files, {copy.precache_bytes / 1e6:.1f} MB"
    if plugin.offline_precache:
        log.info(f"offline: a device keeps every page at its first visit ({kept})")
    else:
        log.info(f"offline: a device keeps {kept} at its first visit, then the pages opened; "
                 f"offline_precache would add {copy.page_bytes / 1e6:.1f} MB of pages")
