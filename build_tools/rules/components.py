"""The six components every SOP must contain, and the top-level keys that carry them."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Component:
    number: int
    slug: str
    name: str
    keys: tuple[str, ...]

    def __str__(self) -> str:
        return f"component {self.number} ({self.name})"


COMPONENTS: tuple[Component, ...] = (
    Component(1, "purpose-scope", "purpose and scope", ("purpose", "scope")),
    Component(2, "procedure", "request-handling procedure", ("duties", "procedure")),
    Component(3, "quality", "service-quality standards", ("quality_standards",)),
    Component(4, "escalation", "difficult situations and escalation", ("escalation",)),
    Component(5, "feedback", "customer feedback collection and analysis", ("feedback",)),
    Component(6, "maintenance", "review and maintenance of the SOP", ("maintenance",)),
)

COMPONENT_BY_KEY: dict[str, Component] = {
    key: component for component in COMPONENTS for key in component.keys
}


def component_of(node_path: tuple[str | int, ...]) -> Component | None:
    """The component a node belongs to, from the top-level key of its path."""
    if node_path and isinstance(node_path[0], str):
        return COMPONENT_BY_KEY.get(node_path[0])
    return None
