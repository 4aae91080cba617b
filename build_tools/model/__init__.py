"""Stage 2, model: the SOP, reference and training objects the rest of the program uses.

Enters: data that passed validation, and the git history of the SOP files
(:mod:`build_tools.source.history`). Leaves: frozen dataclasses (:class:`~.sop.Sop`,
:class:`~.sop.Step`, :class:`~.sop.Duration`, …), review dates, the grammar of ids, step ids
and target times, compiled from the SOP schema (:mod:`.grammar`); each SOP's versions and the
days each was in force, with its page's address (:mod:`.versions`, built by
:mod:`.timelines`), what changed between two versions (:mod:`.changes`) and who approved
them (:mod:`.approvals`).
"""
