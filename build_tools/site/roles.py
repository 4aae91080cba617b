"""Roles across all SOPs: who does what, for the roles page."""

from __future__ import annotations

from dataclasses import dataclass, field

from build_tools.model.sop import Sop, Step


@dataclass
class Role:
    """One role code across all SOPs: its names, its steps, the SOPs naming it in duties only."""

    slug: str
    names: dict[str, int] = field(default_factory=dict)
    #: The SOPs with steps for this role, each with those steps.
    steps: list[tuple[Sop, list[Step]]] = field(default_factory=list)
    duty_only: list[Sop] = field(default_factory=list)

    @property
    def titles(self) -> list[str]:
        """The role's names, the most used first."""
        return sorted(self.names, key=lambda name: -self.names[name])

    @property
    def step_count(self) -> int:
        return sum(len(steps) for _, steps in self.steps)


def roles(sops: list[Sop]) -> list[Role]:
    """Every role code, the busiest first."""
    found: dict[str, Role] = {}
    for sop in sops:
        for duty in sop.duties:
            role = found.setdefault(duty.role, Role(duty.role))
            role.names[duty.title] = role.names.get(duty.title, 0) + 1
            steps = [step for step in sop.steps if step.role == duty.role]
            if steps:
                role.steps.append((sop, steps))
            else:
                role.duty_only.append(sop)
    return sorted(found.values(), key=lambda role: (-role.step_count, role.slug))
