"""Practice questions generated from the SOPs: the answers are already data in the YAML, so a
trainer gets questions that stay right when an SOP changes.

Kinds (:data:`KINDS`): which step comes after another (``order``), who is responsible for a
step (``role``), the target time of a step (``time``), which escalation level comes next and
within how long (``escalation``), which SOP fits a situation (``situation``) and the word
missing from a reply template (``blank``). Wrong options come from the same SOP first, then
from SOPs of its category, so they are plausible. Every question names the step (or
section) that answers it. What a set takes from other SOPs is its :class:`Draw`: a set
whose SOP and draw are unchanged is the same set, so editing one SOP while serving makes
again only the sets that draw on what changed.

A question whose right answer would be ambiguous is not asked but listed as skipped: two
steps with the same action, options that would repeat the answer, too few options. The
choice and order of options follow a seed made of the SOP's id and version, so a printout and
the screen agree until the SOP changes. An SOP may opt out (``practice: {skip: true}``) or
add hand-written questions (``practice: {questions: [...]}``).
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from build_tools.model.draws import (
    BLANK,
    OPTIONS,
    WORD,
    Draw,
    Draws,
    TemplateWords,
    seed,
    template_words,
)
from build_tools.model.sop import Duration, EscalationLevel, Sop, Step

#: How a target time is written for readers (``1h`` → ``1 jam``).
Show = Callable[[Duration | None], str]

KINDS = ("order", "role", "time", "escalation", "situation", "blank")
#: Target times offered as wrong options when an SOP has too few of its own.
COMMON_TIMES = ("15m", "1h", "4h", "24h", "2d", "1wd")


@dataclass(frozen=True)
class Question:
    """One multiple-choice question. ``subject`` and ``detail`` are what the prompt names
    (a step's action, an escalation level, a situation, a template with a blank); options
    are text; ``anchor`` is the step or section of ``sop_id`` that answers it."""

    kind: str
    sop_id: str
    subject: str
    options: tuple[str, ...]
    answer: int
    anchor: str
    detail: str = ""
    explanation: str = ""

    @property
    def correct(self) -> str:
        return self.options[self.answer]


@dataclass
class PracticeSet:
    """The questions of one SOP, and what was not asked, with why."""

    sop: Sop
    questions: list[Question] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    #: What it was made from besides ``sop``.
    draw: Draw | None = field(default=None, compare=False)


def generate(sop: Sop, category: Sequence[Sop] = (), all_sops: Sequence[Sop] = (),
             duration: Show = str, words: TemplateWords | None = None) -> PracticeSet:
    """The practice set of ``sop``; ``category``: the other SOPs of its category (for wrong
    options), ``all_sops``: every SOP (for situation questions when the category is small);
    ``duration``: how a target time is written for readers; ``words``: shared by the sets
    made together."""
    return make(sop, Draws(words).start(all_sops).of(sop, category), duration)


def make(sop: Sop, drawn: Draw, duration: Show = str) -> PracticeSet:
    """The practice set of ``sop`` from what it draws on (see :class:`Draws`)."""
    practice = sop.practice
    found = PracticeSet(sop, draw=drawn)
    if practice.skip:
        found.skipped.append(f"{sop.id}: practice: skip is set")
        return found
    rng = seed(sop)
    same = _duplicates(sop.steps)
    found.questions.extend(_order(sop, same, rng, found.skipped))
    found.questions.extend(_roles(sop, same, drawn, rng, found.skipped))
    found.questions.extend(_times(sop, same, rng, found.skipped, duration))
    found.questions.extend(_escalation(sop, rng, found.skipped, duration))
    found.questions.extend(_situation(sop, drawn, rng, found.skipped))
    found.questions.extend(_blanks(sop, drawn, rng, found.skipped))
    for written in practice.questions:
        found.questions.append(Question("written", sop.id, written.question, written.options,
                                        written.options.index(written.answer),
                                        written.step or "procedure",
                                        explanation=written.explanation or ""))
    return found


def _choose(answer: str, pool: Iterable[str], rng: random.Random) -> tuple[tuple[str, ...], int]:
    """``answer`` and up to three wrong options from ``pool`` (none equal to the answer,
    each once), shuffled; the options and the answer's place."""
    wrong = sorted({option for option in pool if option != answer})
    # A sample, not the whole pool shuffled: a category's template words run to thousands.
    options = [answer, *rng.sample(wrong, min(len(wrong), OPTIONS - 1))]
    rng.shuffle(options)
    return tuple(options), options.index(answer)


#: Minutes in each unit of a target time; a working day is not a number of hours.
_MINUTES = {"m": 1, "h": 60, "d": 1440}


def _same_time(a: Duration | None, b: Duration | None) -> bool:
    """Whether two target times are the same time (``24h`` and ``1d`` are)."""
    if a is None or b is None:
        return a is b
    if "wd" in (a.unit, b.unit):
        return (a.amount, a.unit) == (b.amount, b.unit)
    return a.amount * _MINUTES[a.unit] == b.amount * _MINUTES[b.unit]


def _duplicates(steps: Sequence[Step]) -> set[str]:
    actions = [" ".join(step.action.lower().split()) for step in steps]
    return {step.id for step, action in zip(steps, actions, strict=True)
            if actions.count(action) > 1}


def _order(sop: Sop, same: set[str], rng: random.Random,
           skipped: list[str]) -> list[Question]:
    """Which step comes right after a step (``same``: steps sharing an action)."""
    steps = list(sop.steps)
    questions = []
    for before, after in zip(steps, steps[1:], strict=False):
        if before.id in same or after.id in same:
            skipped.append(f"{sop.id}: order after {before.id}: two steps share an action")
            continue
        options, answer = _choose(after.action, (s.action for s in steps
                                                 if s.id not in (before.id, after.id)), rng)
        if len(options) < 3:
            skipped.append(f"{sop.id}: order after {before.id}: too few other steps")
            continue
        questions.append(Question("order", sop.id, before.action, options, answer, after.id))
    rng.shuffle(questions)
    return questions[:2]


def _roles(sop: Sop, same: set[str], drawn: Draw, rng: random.Random,
           skipped: list[str]) -> list[Question]:
    titles = [duty.title for duty in sop.duties]
    if len(set(titles)) < 2:
        skipped.append(f"{sop.id}: role: the SOP has one role, nothing to choose from")
        return []
    titles += drawn.roles
    questions = []
    for step in sop.steps:
        if step.id in same:
            skipped.append(f"{sop.id}: role of {step.id}: another step has the same action")
            continue
        options, answer = _choose(sop.duty(step.role).title, titles, rng)
        questions.append(Question("role", sop.id, step.action, options, answer, step.id))
    rng.shuffle(questions)
    return questions[:2]


def _times(sop: Sop, same: set[str], rng: random.Random, skipped: list[str],
           show: Show) -> list[Question]:
    own = [str(step.within) for step in sop.steps if step.within]
    # Parsed once for all the SOP's steps (a large SOP: 20 steps, 30 times each).
    candidates = [(text, Duration.parse(text)) for text in (*own, *COMMON_TIMES)]
    questions = []
    for step in sop.steps:
        if step.within is None:
            continue
        if step.id in same:
            skipped.append(f"{sop.id}: time of {step.id}: another step has the same action")
            continue
        # Each time once: two wrong options such as 24 jam and 1 hari would both be right
        # if either were.
        pool: list[str] = []
        kept: list[Duration] = [step.within]
        for text, time in candidates:
            if not any(_same_time(time, other) for other in kept):
                pool.append(text)
                kept.append(time)
        options, answer = _choose(str(step.within), pool, rng)
        shown = tuple(show(Duration.parse(option)) for option in options)
        if len(set(shown)) < len(shown):
            skipped.append(f"{sop.id}: time of {step.id}: two options read the same")
            continue
        questions.append(Question("time", sop.id, step.action, shown, answer, step.id))
    rng.shuffle(questions)
    return questions[:2]


def _escalation(sop: Sop, rng: random.Random, skipped: list[str],
                show: Show) -> list[Question]:
    levels = sop.escalation.levels
    if len(levels) < 2:
        skipped.append(f"{sop.id}: escalation: one level only, no next level to ask about")
        return []

    def text(level: EscalationLevel) -> str:
        return f"{level.to} ({show(level.within)})" if level.within else level.to

    first, second = levels[0], levels[1]
    answer_text = text(second)
    pool = [text(level) for level in levels[2:]
            if level.to != second.to or not _same_time(level.within, second.within)]
    pool += [f"{second.to} ({show(Duration.parse(t))})" for t in COMMON_TIMES
             if not _same_time(Duration.parse(t), second.within)]
    pool += [f"{first.to} ({show(second.within)})"] if second.within else []
    options, answer = _choose(answer_text, pool, rng)
    return [Question("escalation", sop.id, first.to, options, answer, "escalation")]


def _situation(sop: Sop, drawn: Draw, rng: random.Random,
               skipped: list[str]) -> list[Question]:
    if not sop.situation:
        skipped.append(f"{sop.id}: situation: the SOP has no situation")
        return []
    titles = [title for title in drawn.titles if title != sop.title]
    if len(set(titles)) < 2:
        skipped.append(f"{sop.id}: situation: too few other SOPs")
        return []
    options, answer = _choose(sop.title, titles, rng)
    return [Question("situation", sop.id, sop.situation, options, answer, "purpose-scope")]


def _blanks(sop: Sop, drawn: Draw, rng: random.Random,
            skipped: list[str]) -> list[Question]:
    steps = [step for step in sop.steps if step.template]
    if not steps:
        return []
    step = steps[rng.randrange(len(steps))]
    template = step.template or ""
    text = BLANK.sub(" ", template)
    words = [w for w in WORD.findall(text) if template.count(w) == 1]
    if not words:
        skipped.append(f"{sop.id}: blank in {step.id}: no word to leave out once")
        return []
    word = max(words, key=len)
    lowered = word.lower()
    pool = {w for w in drawn.words | template_words(sop)
            if w.lower() != lowered and w not in template}
    options, answer = _choose(word, pool, rng)
    if len(options) < 3:
        skipped.append(f"{sop.id}: blank in {step.id}: too few other words")
        return []
    blanked = template.replace(word, "_____", 1)
    return [Question("blank", sop.id, step.action, options, answer, step.id, detail=blanked)]
