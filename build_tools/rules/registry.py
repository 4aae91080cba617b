"""Every problem a user can see, by its rule id: the one list of them (``sopkb rules``).

A rule is declared once, as a :class:`~build_tools.problem.Rule` constant in the module that
checks it, and that constant is what the check passes to the problems it reports. This
module only collects the declarations of :data:`DECLARING`, in the pipeline's order. A
problem naming any other id is refused (:class:`build_tools.problem.Problem`), so the list
is complete by construction; every rule also has a golden case in
``tests/fixtures/rules/<rule-id>/``. Rule ids are stable: a writer's CI may match on them.
"""

from __future__ import annotations

from types import ModuleType

from build_tools.problem import Rule
from build_tools.rules import (
    approvals,
    catalog,
    crossfile,
    effective,
    pages,
    reference,
    review,
    schema,
    sop,
    synonyms,
    training,
)
from build_tools.site import markers, urls
from build_tools.source import builders, document

#: The modules that declare rules, in the order ``sopkb rules`` lists them. A module that
#: starts declaring rules is added here (a test finds any it misses).
DECLARING: tuple[ModuleType, ...] = (
    catalog, document, builders, schema, sop, review, effective, crossfile, reference, training,
    synonyms, approvals, pages, markers, urls,
)


def declared_in(module: ModuleType) -> list[Rule]:
    """The rules a module holds as module-level constants, in the order they appear."""
    return [value for value in vars(module).values() if isinstance(value, Rule)]


def collect(modules: tuple[ModuleType, ...], others: tuple[Rule, ...]) -> dict[str, Rule]:
    """The rules of ``modules``, then ``others``, by id; an id declared twice differently
    (two modules choosing one id for two rules) is refused."""
    rules: dict[str, Rule] = {}
    for rule in [*(rule for module in modules for rule in declared_in(module)), *others]:
        if rules.setdefault(rule.id, rule) != rule:
            raise ValueError(f"rule {rule.id!r} is declared twice, differently")
    return rules


#: rule id → the rule.
RULE_BY_ID: dict[str, Rule] = collect(DECLARING, ())
#: rule id → what it checks, in one line.
RULES: dict[str, str] = {rule_id: rule.description for rule_id, rule in RULE_BY_ID.items()}
