"""Stage 3, rules: everything the validator checks, one module per concern.

Enters: documents from :mod:`build_tools.source`. Leaves: a
:class:`~build_tools.rules.catalog.Catalog` of valid SOPs (model objects), reference data,
training paths and synonyms, and every :class:`~build_tools.problem.Problem` found,
each naming a :class:`~build_tools.problem.Rule` declared by the module that checks it and
collected in :mod:`.registry`. :mod:`.schema` checks structure against
the JSON Schemas in ``build_tools/schema/``, :mod:`.sop` the rules a schema cannot state,
:mod:`.review` history and review dates, :mod:`.effective` the days versions take
effect, :mod:`.crossfile` ids and links across files, :mod:`.reference`, :mod:`.training`
and :mod:`.synonyms` the other files, and :mod:`.catalog` runs them all. Beside the
catalog, :mod:`.versions` checks a past version under today's rules and :mod:`.approvals`
the approval records against the versions git holds.
"""
