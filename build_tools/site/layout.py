"""Where each generated page lives: the source paths (``.md``) MkDocs makes URLs of.

``sop/<id in lower case>/`` and ``sop/<id>/#<step id>`` are the addresses trainers link to;
they come from ids alone (see :mod:`build_tools.render.renderer`). The other pages' paths
are fixed here, once; :mod:`build_tools.site.urls` checks that no two pages claim one URL.
"""

from __future__ import annotations

import re
import unicodedata

from build_tools.model.sop import Sop
from build_tools.render.renderer import INDEX_URI, SOP_DIR, sop_uri

__all__ = ["INDEX_URI", "SOP_DIR", "sop_uri"]

CATEGORY_DIR = "category"
COMPLAINT_TYPES_URI = "complaint-types.md"
CHANNELS_URI = "channels.md"
METRICS_URI = "metrics.md"
TEMPLATES_URI = "templates.md"
ROLES_URI = "roles.md"
REVIEW_URI = "review-status.md"
CHANGES_URI = "changes.md"
TRAINING_DIR = "training"
TRAINING_INDEX_URI = f"{TRAINING_DIR}/index.md"
PRACTICE_DIR = "latihan"
HANDBOOK_URI = "handbook.md"
HANDBOOK_DIR = "handbook"
#: The script of redirect pages (an asset of the plugin's).
REDIRECT_SCRIPT = "assets/sop-kb/redirect.js"
#: The quick card of an SOP is a view of its page (``#quick-card``: the at-a-glance block
#: alone, one A4 page in print), not a page of its own; ``sop/<id>/card/``, where it stood
#: before, forwards there so that printed and trained links keep working.
QUICK_CARD = "quick-card"


def slugify(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-") or "category"


def category_uri(name: str) -> str:
    return f"{CATEGORY_DIR}/{slugify(name)}.md"


def handbook_uri(category: str) -> str:
    return f"{HANDBOOK_DIR}/{slugify(category)}.md"


def practice_uri(name: str) -> str:
    """The practice page of an SOP (its slug) or of a training path (its id)."""
    return f"{PRACTICE_DIR}/{name}.md"


def practice_print_uri(name: str) -> str:
    return f"{PRACTICE_DIR}/{name}/cetak.md"


def training_uri(path_id: str) -> str:
    return f"{TRAINING_DIR}/{path_id}.md"


def training_handbook_uri(path_id: str) -> str:
    return f"{TRAINING_DIR}/{path_id}/{HANDBOOK_URI}"


#: The page listing the version of each SOP in force on a date.
IN_FORCE_URI = "in-force.md"
#: The data that page reads (every version's period in force, per SOP).
IN_FORCE_DATA = "assets/sop-kb/in-force.json"


def version_uri(slug: str, version: str) -> str:
    """The page of one version of an SOP other than the one its own page shows."""
    return f"{SOP_DIR}/{slug}/v/{version}.md"


def is_version_uri(uri: str) -> bool:
    return uri.startswith(f"{SOP_DIR}/") and "/v/" in uri


def card_uri(sop: Sop) -> str:
    """Where the quick card's page was built from; its URL now redirects."""
    return f"{SOP_DIR}/{sop.slug}/card.md"


def alias_uri(alias: str) -> str:
    """Where the page of an SOP's former id was built from; its URL now redirects."""
    return f"{SOP_DIR}/{alias.lower()}.md"
