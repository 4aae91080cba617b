"""Publishing a built site all at once: build into a sibling folder, then swap.

A failed or killed build never touches the site built before; a finished one replaces it
with two renames on the same file system, so a reader sees the old site or the new one,
never a mix.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

#: Refuse to start a build with less free space than this next to the output folder.
MIN_FREE_BYTES = 50 * 1024 * 1024


class OutputError(Exception):
    pass


def staging_dir(site_dir: Path) -> Path:
    """The folder a build writes to before it is published as ``site_dir``."""
    return site_dir.parent / f".{site_dir.name}.building-{os.getpid()}"


def prepare(site_dir: Path) -> Path:
    """Create (empty) the staging folder for ``site_dir``; a clear error if that cannot be."""
    stage = staging_dir(site_dir)
    try:
        site_dir.parent.mkdir(parents=True, exist_ok=True)
        shutil.rmtree(stage, ignore_errors=True)
        stage.mkdir()
        free = shutil.disk_usage(stage).free
    except OSError as error:
        raise OutputError(f"cannot write the site next to {site_dir}: "
                          f"{error.strerror or error}") from error
    if free < MIN_FREE_BYTES:
        shutil.rmtree(stage, ignore_errors=True)
        raise OutputError(f"not enough free disk space next to {site_dir}: {free:,} bytes free, "
                          f"at least {MIN_FREE_BYTES:,} needed")
    return stage


def publish(stage: Path, site_dir: Path) -> None:
    """Replace ``site_dir`` by the finished ``stage``."""
    old = site_dir.parent / f".{site_dir.name}.old-{os.getpid()}"
    try:
        if site_dir.exists():
            os.replace(site_dir, old)
        os.replace(stage, site_dir)
    except OSError as error:
        if old.exists() and not site_dir.exists():
            os.replace(old, site_dir)  # put the previous site back
        raise OutputError(f"cannot publish the site to {site_dir}: "
                          f"{error.strerror or error}") from error
    shutil.rmtree(old, ignore_errors=True)


def discard(stage: Path) -> None:
    shutil.rmtree(stage, ignore_errors=True)
