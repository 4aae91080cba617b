"""Reference data beside the SOPs, as the pages see it: complaint and complainer types,
channels, metrics (loaded and checked by :mod:`build_tools.rules.reference`)."""

from __future__ import annotations

from dataclasses import dataclass, field

from build_tools.source.document import Document

COMPLAINT_TYPES = "complaint-types.yaml"
CHANNELS = "channels.yaml"
METRICS = "metrics.yaml"
OWNERS = "owners.yaml"


@dataclass(frozen=True)
class Guide:
    """A complaint type or a complainer type: what it is, how to handle it, which SOPs apply."""

    id: str
    name: str
    description: str
    handling: str
    sops: tuple[str, ...]


@dataclass(frozen=True)
class Channel:
    id: str
    name: str
    description: str
    strengths: tuple[str, ...] = ()
    weaknesses: tuple[str, ...] = ()
    response_time: str | None = None
    flow: tuple[str, ...] = ()
    example: str | None = None


@dataclass(frozen=True)
class Metric:
    id: str
    name: str
    meaning: str
    formula: str
    scale: str
    reading: str

    @property
    def anchor(self) -> str:
        return self.id.lower()


@dataclass
class Reference:
    complaint_types: tuple[Guide, ...] = ()
    complainer_types: tuple[Guide, ...] = ()
    channels: dict[str, Channel] = field(default_factory=dict)
    metrics: dict[str, Metric] = field(default_factory=dict)
    #: SOP owner (as written in ``owner`` and ``maintenance.owner``) → who approves for it.
    owners: dict[str, tuple[str, ...]] = field(default_factory=dict)
    #: CODEOWNERS pattern → the accounts that maintain those files (``*``: every other file).
    maintainers: dict[str, tuple[str, ...]] = field(default_factory=dict)
    documents: dict[str, Document] = field(default_factory=dict)

    def has(self, name: str) -> bool:
        return name in self.documents
