"""What each practice set takes from SOPs other than its own (:class:`Draw`): the role titles
and SOP titles of its category for wrong options, the words of its category's templates for
blank questions. :class:`Draws` reads each category once for all its sets and keeps what it
read while serving, so comparing every set's draw at each rebuild costs the same with ten
SOPs in a category as with a thousand (see :mod:`build_tools.model.practice`)."""

from __future__ import annotations

import hashlib
import random
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import islice

from build_tools.model.sop import Sop

#: Options of a question (the right one among them).
OPTIONS = 4
#: How many other SOPs' titles a situation question draws from.
SITUATION_TITLES = 12
WORD = re.compile(r"[A-Za-zÀ-ÿ]{5,}")
BLANK = re.compile(r"\[[^\[\]]*\]")


def seed(sop: Sop, purpose: str = "") -> random.Random:
    """The same questions, options and order for a version of an SOP, on any machine."""
    digest = hashlib.sha256(f"{sop.id}@{sop.version}{purpose}".encode()).hexdigest()
    return random.Random(int(digest[:16], 16))


@dataclass(frozen=True)
class Draw:
    """What a practice set takes from SOPs other than its own, compared by value."""

    #: Role titles of the category not among the SOP's own (wrong options of role questions).
    roles: tuple[str, ...]
    #: Titles of other SOPs (wrong options of the situation question): a few of the
    #: category's, not all, so that editing one title changes the sets offering it alone.
    titles: tuple[str, ...]
    #: The words of the category's templates (wrong options of blank questions).
    words: frozenset[str]


def template_words(sop: Sop) -> frozenset[str]:
    """The words of the templates of ``sop`` that a blank question may leave out."""
    text = BLANK.sub(" ", " ".join(step.template or "" for step in sop.steps))
    return frozenset(WORD.findall(text))


class TemplateWords:
    """The words of each category's templates, the wrong options of blank questions: read
    once per SOP however many sets of its category draw on them, and, kept while serving,
    read again only for an SOP that changed (a new object)."""

    def __init__(self) -> None:
        self._by_sop: dict[int, tuple[Sop, frozenset[str]]] = {}
        self._by_group: dict[tuple[int, ...], tuple[Sequence[Sop], frozenset[str]]] = {}
        self._used: set[tuple[int, ...]] = set()

    def __call__(self, sop: Sop) -> frozenset[str]:
        found = self._by_sop.get(id(sop))
        if found is None or found[0] is not sop:
            found = self._by_sop[id(sop)] = (sop, template_words(sop))
        return found[1]

    def of_all(self, sops: Sequence[Sop]) -> frozenset[str]:
        """The words of every template of ``sops`` (a category, the same for its sets)."""
        key = tuple(map(id, sops))
        self._used.add(key)
        found = self._by_group.get(key)
        if found is None or any(a is not b for a, b in zip(found[0], sops, strict=True)):
            found = self._by_group[key] = (tuple(sops), frozenset().union(*map(self, sops)))
        return found[1]

    def prune(self, sops: Iterable[Sop]) -> None:
        """Forget all but ``sops`` and the groups asked for since the last prune (an edited
        SOP's former object is not held for the rest of a serve session)."""
        alive = {id(sop) for sop in sops}
        self._by_sop = {key: found for key, found in self._by_sop.items() if key in alive}
        self._by_group = {key: found for key, found in self._by_group.items()
                          if key in self._used}
        self._used = set()


class Draws:
    """What the practice set of each SOP draws on (:class:`Draw`), each category read once
    for all its sets, so that comparing the draws of every set at each rebuild costs the
    same with ten SOPs in a category as with a thousand. Kept while serving (with
    :meth:`start` at each build): template words and which others each SOP picks are read
    again only for what changed."""

    def __init__(self, words: TemplateWords | None = None) -> None:
        self.words = words or TemplateWords()
        self.all_sops: Sequence[Sop] = ()
        #: id(category) → (the category, where its SOPs are, its role titles, its words)
        self._categories: dict[int, tuple[Sequence[Sop], _Category, tuple[str, ...],
                                          frozenset[str]]] = {}
        self._all: _Category | None = None
        #: id(sop) → (the SOP, how many others it picked among, their places)
        self._picks: dict[int, tuple[Sop, int, list[int]]] = {}

    def start(self, all_sops: Sequence[Sop]) -> Draws:
        """A new build of ``all_sops`` (every SOP in force): what belongs to others is let go."""
        alive = {id(sop) for sop in all_sops}
        self._picks = {key: pick for key, pick in self._picks.items() if key in alive}
        self.words.prune(all_sops)
        self.all_sops = all_sops
        self._categories = {}
        self._all = None
        return self

    def of(self, sop: Sop, category: Sequence[Sop]) -> Draw:
        """What the set of ``sop`` takes from ``category`` (the SOPs of its category), or
        also from every SOP when the category has too few others for a situation question."""
        found = self._categories.get(id(category))
        if found is None or found[0] is not category:
            found = self._categories[id(category)] = (category, _Category(category), tuple(
                dict.fromkeys(duty.title for other in category for duty in other.duties)),
                self.words.of_all(category))
        _, group, category_roles, words = found
        own = {duty.title for duty in sop.duties}
        # The SOP's own roles first, then those of its category, so options are plausible.
        roles = tuple(islice((title for title in category_roles if title not in own), OPTIONS))
        skip = group.by_id.get(sop.id, [])
        count = len(category) - len(skip)
        wide: list[int] = []  # the places of every SOP not to offer, when drawing on them
        extra = 0
        if count < OPTIONS - 1:
            if self._all is None:
                self._all = _Category(self.all_sops)
            where = self._all.position
            wide = sorted({*self._all.by_id.get(sop.id, []), *(
                where[id(other)] for other in category
                if other.id != sop.id and id(other) in where)})
            extra = len(self.all_sops) - len(wide)
        titles = tuple(_nth(category, i, skip).title if i < count
                       else _nth(self.all_sops, i - count, wide).title
                       for i in self._pick(sop, count + extra))
        return Draw(roles, titles, words)

    def _pick(self, sop: Sop, count: int) -> list[int]:
        """Which of ``count`` others the situation question of ``sop`` offers: the SOP's own
        choice (by its id and version), not made by their titles, so that a set keeps its
        draw when another SOP's title changes."""
        found = self._picks.get(id(sop))
        if found is None or found[0] is not sop or found[1] != count:
            picked = seed(sop, "#situation").sample(range(count),
                                                    min(count, SITUATION_TITLES))
            found = self._picks[id(sop)] = (sop, count, picked)
        return found[2]


class _Category:
    """Where each SOP of one category (or of the site) is, by object and by id."""

    def __init__(self, sops: Sequence[Sop]) -> None:
        self.position = {id(sop): index for index, sop in enumerate(sops)}
        self.by_id: dict[str, list[int]] = {}
        for index, sop in enumerate(sops):
            self.by_id.setdefault(sop.id, []).append(index)


def _nth(sops: Sequence[Sop], index: int, skip: list[int]) -> Sop:
    """The ``index``-th of ``sops`` counted without the places in ``skip`` (ascending)."""
    for place in skip:
        if place > index:
            break
        index += 1
    return sops[index]


