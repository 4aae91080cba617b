"""Publishing a built site all at once: build into a sibling folder, then swap.

A build writes into ``.<site>.building-<pid>`` beside the output folder. When it has
finished, :func:`publish` puts it in place in one step:

* where there is no site yet, a rename (``os.replace``);
* on Linux, ``renameat2(RENAME_EXCHANGE)`` swaps the two folders in one atomic step: a
  reader sees the old site or the new one, never neither, never a mix; the old site, now
  under the staging name, is then removed;
* elsewhere (or on a file system without the exchange), two renames: the old site is moved
  aside, the new one moved in, the old one removed. Between the two renames, for the time
  of one system call, there is no site.

A failed build removes its staging folder and leaves the site as it was. A build killed
midway leaves its staging folder behind; the next build removes every staging folder
whose process is gone (:func:`remove_stale`), and ``.gitignore`` lists them.

A site folder that is a symbolic link (to a folder a web server serves, say) is published
into: the build is staged beside the folder the link leads to and swapped with it there,
so the link keeps pointing at the published site (:func:`real_site`).
"""

from __future__ import annotations

import ctypes
import errno
import os
import re
import shutil
import sys
from pathlib import Path

#: Refuse to start a build with less free space than this next to the output folder.
MIN_FREE_BYTES = 50 * 1024 * 1024
_STAGING = re.compile(r"^\.(?P<name>.+)\.(?:building|old)-(?P<pid>\d+)$")


class OutputError(Exception):
    pass


def real_site(site_dir: Path) -> Path:
    """The folder a site is published into: ``site_dir``, or the folder it leads to when it
    is a symbolic link; an :class:`OutputError` for a link to nothing or to a file."""
    if not site_dir.is_symlink():
        return site_dir
    target = site_dir.resolve()
    if not target.is_dir():
        raise OutputError(f"the site folder {site_dir} is a symbolic link to "
                          f"{'a file' if target.exists() else 'nothing'}; point it at a folder "
                          f"or remove it")
    return target


def staging_dir(site_dir: Path) -> Path:
    """The folder a build writes to before it is published as ``site_dir``."""
    return site_dir.parent / f".{site_dir.name}.building-{os.getpid()}"


def prepare(site_dir: Path, min_free: int = MIN_FREE_BYTES) -> Path:
    """Create (empty) the staging folder for ``site_dir``, after removing those of dead
    builds; a clear error if there is no room for a second copy of the site beside it."""
    site_dir = real_site(site_dir)
    stage = staging_dir(site_dir)
    try:
        site_dir.parent.mkdir(parents=True, exist_ok=True)
        remove_stale(site_dir)
        shutil.rmtree(stage, ignore_errors=True)
        stage.mkdir()
        free = shutil.disk_usage(stage).free
    except OSError as error:
        raise OutputError(f"cannot write the site next to {site_dir}: "
                          f"{error.strerror or error}") from error
    needed = max(min_free, _size(site_dir))
    if free < needed:
        shutil.rmtree(stage, ignore_errors=True)
        raise OutputError(f"not enough free disk space next to {site_dir}: {free:,} bytes free, "
                          f"at least {needed:,} needed (the new site is built beside the old)")
    return stage


def _size(folder: Path) -> int:
    """Bytes in the files under ``folder`` (0 if there is none)."""
    total = 0
    for root, _, names in os.walk(folder):
        for name in names:
            try:
                total += os.lstat(os.path.join(root, name)).st_size
            except OSError:
                pass
    return total


def remove_stale(site_dir: Path) -> list[Path]:
    """Remove the staging folders of builds of ``site_dir`` whose process no longer runs
    (a killed build leaves one behind); the removed folders."""
    removed = []
    for entry in site_dir.parent.iterdir() if site_dir.parent.is_dir() else ():
        match = _STAGING.match(entry.name)
        if match is None or match["name"] != site_dir.name:
            continue
        pid = int(match["pid"])
        if pid != os.getpid() and _running(pid):
            continue
        shutil.rmtree(entry, ignore_errors=True)
        removed.append(entry)
    return removed


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process
    return True


def publish(stage: Path, site_dir: Path) -> None:
    """Replace ``site_dir`` by the finished ``stage`` (see the module docstring)."""
    site_dir = real_site(site_dir)
    try:
        if not os.path.lexists(site_dir):
            os.replace(stage, site_dir)
            return
        if exchange(stage, site_dir):
            shutil.rmtree(stage, ignore_errors=True)  # the previous site, now staged
            return
        _swap_in_two_steps(stage, site_dir)
    except OSError as error:
        raise OutputError(f"cannot publish the site to {site_dir}: "
                          f"{error.strerror or error}") from error


def _swap_in_two_steps(stage: Path, site_dir: Path) -> None:
    old = site_dir.parent / f".{site_dir.name}.old-{os.getpid()}"
    shutil.rmtree(old, ignore_errors=True)
    os.replace(site_dir, old)
    try:
        os.replace(stage, site_dir)
    except OSError:
        os.replace(old, site_dir)  # put the previous site back
        raise
    shutil.rmtree(old, ignore_errors=True)


_AT_FDCWD = -100
_RENAME_EXCHANGE = 2
_UNSUPPORTED = {errno.ENOSYS, errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP}


def exchange(first: Path, second: Path) -> bool:
    """Swap two paths in one atomic step with Linux's ``renameat2(RENAME_EXCHANGE)``.
    False where that is not available (another system, an old C library or kernel, a file
    system without it); an ``OSError`` for any other failure."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (AttributeError, OSError):
        return False
    renameat2.argtypes = (ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p,
                          ctypes.c_uint)
    renameat2.restype = ctypes.c_int
    if renameat2(_AT_FDCWD, os.fsencode(first), _AT_FDCWD, os.fsencode(second),
                 _RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in _UNSUPPORTED:
        return False
    raise OSError(code, os.strerror(code), str(second))


def discard(stage: Path) -> None:
    shutil.rmtree(stage, ignore_errors=True)
