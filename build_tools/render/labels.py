"""Headings and labels of generated pages, one YAML file per site language."""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

import yaml

#: The language of the site and of ``sopkb diff`` when none is configured or the
#: configured one has no labels: the knowledge base's own (its SOPs are
#: written in Indonesian). The one definition.
DEFAULT_LANGUAGE = "id"


def available_languages() -> list[str]:
    folder = resources.files("build_tools.render").joinpath("languages")
    return sorted(entry.name.removesuffix(".yaml") for entry in folder.iterdir()
                  if entry.name.endswith(".yaml"))


@cache
def load_labels(language: str) -> dict[str, Any]:
    """The labels for ``language``; raises ``KeyError`` for a language without a file."""
    if language not in available_languages():
        raise KeyError(language)
    folder = resources.files("build_tools.render").joinpath("languages")
    text = folder.joinpath(f"{language}.yaml").read_text("utf-8")
    labels: dict[str, Any] = yaml.safe_load(text)
    return labels
