"""The site's security policy as MkDocs applies it: the inline scripts a site may run, read
from the theme's templates when a build starts (see :mod:`build_tools.site.csp`), never from
the pages the build writes; the files of the docs folder that are published."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from mkdocs.utils import get_relative_url

from build_tools.problem import Problem
from build_tools.rules.pages import docs_file_problems
from build_tools.site.csp import Allowed
from build_tools.source.paths import shown

if TYPE_CHECKING:
    from jinja2 import Environment
    from mkdocs.config.defaults import MkDocsConfig
    from mkdocs.structure.files import Files


def theme_scripts(env: Environment, config: MkDocsConfig, files: Files) -> Allowed:
    """Every inline script of the theme's templates (Material's, the plugin's overrides, a
    project's ``custom_dir``), as each renders with every ``base_url`` the site's pages
    have (MkDocs' relative path from a page to the site's root; the error page's path)."""
    base_urls = {get_relative_url(".", file.url) for file in files.documentation_pages()}
    base_urls |= {".", urlsplit(config.site_url or "/").path}

    def render(body: str) -> Iterable[str]:
        try:
            template = env.from_string(body)
            return [template.render(config=config, base_url=url) for url in base_urls]
        except Exception:  # noqa: BLE001 - a script that cannot be rendered is not allowed
            return []

    allowed = Allowed()
    assert env.loader is not None
    for name in env.list_templates(filter_func=lambda name: name.endswith(".html")):
        source, _, _ = env.loader.get_source(env, name)
        allowed.add_template(source, render)
    return allowed


def published(files: Files, config: MkDocsConfig, root: Path, display: str,
              ) -> tuple[Files, list[Problem]]:
    """``files`` without the files of the docs folder that may not be published (see
    :func:`build_tools.rules.pages.docs_file_problems`), and why each was left out."""
    docs = Path(config.docs_dir)
    own = [(file.src_uri, Path(file.abs_src_path)) for file in files
           if not file.generated_by and file.abs_src_path
           and Path(file.abs_src_path).is_relative_to(docs)]
    problems = docs_file_problems(own, root, display, lambda uri: any(
        (Path(folder) / uri).is_file() for folder in config.theme.dirs))
    refused = {problem.path.removeprefix(f"{display}/") for problem in problems}
    for file in [file for file in files
                 if shown(file.src_uri) in refused and not file.generated_by]:
        files.remove(file)
    return files, problems
