"""Paths of the files a knowledge base is read from, which a pull request chooses too.

* :func:`unsafe_characters`: an SOP file's path goes into CODEOWNERS, URLs and messages, so
  it may hold letters, digits, ``.``, ``_``, ``-`` and ``/`` only (no space, ``#``, quote,
  control character or line break, which CODEOWNERS or a one-line message would misread).
* :func:`escapes`: a file that lies in the repository as named but leads out of it through
  a symbolic link is never read (a PR could otherwise publish, or quote in an error
  message, any file the build machine can read).
* :func:`shown`: a path as a one-line message may print it.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

#: What a path written into CODEOWNERS and messages may hold.
SAFE_PATH = re.compile(r"[A-Za-z0-9._-]+(?:/[A-Za-z0-9._-]+)*")


def unsafe_characters(path: str) -> str | None:
    """Why ``path`` (``/``-separated, relative) cannot stand in CODEOWNERS; None if it can."""
    if SAFE_PATH.fullmatch(path) and ".." not in path.split("/"):
        return None
    bad = sorted({char for char in path if not re.fullmatch(r"[A-Za-z0-9._/-]", char)})
    if not bad:
        return "'..' in a path"
    return "characters other than letters, digits, '.', '_', '-' and '/': " + \
        " ".join(repr(char)[1:-1] if char.isprintable() and char != " " else
                 f"U+{ord(char):04X}" for char in bad)


def escapes(path: Path, root: Path) -> bool:
    """Whether ``path``, which lies under ``root`` as named, leads outside it through a
    symbolic link (of the file or of a folder on its way). A path named outside ``root``
    (a file given on the command line) does not escape: it was asked for."""
    named = Path(os.path.abspath(path))
    if not named.is_relative_to(os.path.abspath(root)):
        return False
    try:
        return not path.resolve().is_relative_to(root.resolve())
    except (OSError, RuntimeError):  # a loop of links
        return True


def shown(path: str) -> str:
    """``path`` on one line: characters that are not printable written as escapes."""
    return "".join(char if char.isprintable() else repr(char)[1:-1] for char in path)
