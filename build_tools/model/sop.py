"""The SOP as the rest of the program sees it, built only from data that passed validation."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from build_tools.model.grammar import DURATION

#: Section anchors on every SOP page; a step id may not take one of them.
SECTION_ANCHORS = frozenset({
    "at-a-glance", "purpose", "scope", "purpose-scope", "duties", "procedure",
    "quality-standards", "escalation", "feedback", "maintenance", "related", "history",
    "quick-card",
})


@dataclass(frozen=True)
class Duration:
    """A target time such as ``15m``, ``1h``, ``2d`` or ``1wd`` (working days)."""

    amount: int
    unit: str  # m, h, d or wd

    @classmethod
    def parse(cls, text: str) -> Duration:
        if not DURATION.match(text):
            raise ValueError(f"not a duration: {text!r}")
        amount = text.rstrip("mhdw")
        return cls(int(amount), text[len(amount):])

    def __str__(self) -> str:
        return f"{self.amount}{self.unit}"


@dataclass(frozen=True)
class Duty:
    role: str
    title: str
    responsibilities: tuple[str, ...]


@dataclass(frozen=True)
class Step:
    id: str
    number: int
    action: str
    role: str
    within: Duration | None = None
    channel: str | None = None
    details: str | None = None
    template: str | None = None
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class QualityStandard:
    standard: str
    target: str
    measured_by: str


@dataclass(frozen=True)
class EscalationLevel:
    to: str
    within: Duration | None = None
    when: str | None = None


@dataclass(frozen=True)
class Escalation:
    triggers: tuple[str, ...]
    levels: tuple[EscalationLevel, ...]
    keep_informed: str


@dataclass(frozen=True)
class Feedback:
    collection: tuple[str, ...]
    analysis: str
    metrics: tuple[str, ...]
    improvement: str | None = None


@dataclass(frozen=True)
class Maintenance:
    owner: str
    review_cycle: str
    last_reviewed: str
    change_communication: str


@dataclass(frozen=True)
class Revision:
    """One entry of an SOP's revision history. ``effective``: the day the version takes
    effect, when written (otherwise the day it reached the main branch)."""

    version: str
    date: str
    author: str
    summary: str
    effective: str | None = None


@dataclass(frozen=True)
class WrittenQuestion:
    """A practice question an SOP's writer added by hand."""

    question: str
    options: tuple[str, ...]
    answer: str
    step: str | None = None
    explanation: str | None = None


@dataclass(frozen=True)
class Practice:
    """An SOP's ``practice`` key: opt out, or add hand-written questions."""

    skip: bool = False
    questions: tuple[WrittenQuestion, ...] = ()


@dataclass(frozen=True)
class Sop:
    id: str
    title: str
    owner: str
    status: str
    version: str
    channels: tuple[str, ...]
    purpose: str
    applies_to: tuple[str, ...]
    excludes: tuple[str, ...]
    duties: tuple[Duty, ...]
    steps: tuple[Step, ...]
    quality_standards: tuple[QualityStandard, ...]
    escalation: Escalation
    feedback: Feedback
    maintenance: Maintenance
    source: str
    category: str | None = None
    situation: str | None = None
    tags: tuple[str, ...] = ()
    related: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    history: tuple[Revision, ...] = ()
    practice: Practice = Practice()

    @property
    def slug(self) -> str:
        """The URL segment of the SOP: its id in lower case, never the file name or title."""
        return self.id.lower()

    def duty(self, role: str) -> Duty:
        return next(duty for duty in self.duties if duty.role == role)

    @classmethod
    def from_data(cls, data: dict[str, Any], source: str) -> Sop:
        escalation = data["escalation"]
        feedback = data["feedback"]
        return cls(
            id=data["id"], title=data["title"], owner=data["owner"], status=data["status"],
            version=data["version"], channels=tuple(data["channels"]),
            purpose=data["purpose"],
            applies_to=tuple(data["scope"]["applies_to"]),
            excludes=tuple(data["scope"]["excludes"]),
            duties=tuple(Duty(d["role"], d["title"], tuple(d["responsibilities"]))
                         for d in data["duties"]),
            steps=tuple(_step(number, step) for number, step in enumerate(data["procedure"], 1)),
            quality_standards=tuple(QualityStandard(q["standard"], q["target"], q["measured_by"])
                                    for q in data["quality_standards"]),
            escalation=Escalation(
                tuple(escalation["triggers"]),
                tuple(EscalationLevel(level["to"], _duration(level.get("within")),
                                      level.get("when")) for level in escalation["levels"]),
                escalation["keep_informed"]),
            feedback=Feedback(tuple(feedback["collection"]), feedback["analysis"],
                              tuple(feedback["metrics"]), feedback.get("improvement")),
            maintenance=Maintenance(**data["maintenance"]),
            source=source,
            category=data.get("category"),
            situation=data.get("situation"),
            tags=tuple(data.get("tags", ())),
            related=tuple(data.get("related", ())),
            keywords=tuple(data.get("keywords", ())),
            aliases=tuple(data.get("aliases", ())),
            history=tuple(Revision(**entry) for entry in data.get("history", ())),
            practice=_practice(data.get("practice") or {}),
        )


def _duration(text: str | None) -> Duration | None:
    return Duration.parse(text) if text else None


def _step(number: int, data: dict[str, Any]) -> Step:
    return Step(id=data["id"], number=number, action=data["action"], role=data["role"],
                within=_duration(data.get("within")), channel=data.get("channel"),
                details=data.get("details"), template=data.get("template"),
                aliases=tuple(data.get("aliases", ())))


def _practice(data: dict[str, Any]) -> Practice:
    return Practice(bool(data.get("skip", False)), tuple(
        WrittenQuestion(q["question"], tuple(q["options"]), q["answer"], q.get("step"),
                        q.get("explanation")) for q in data.get("questions", ())))
