"""Stage 2, model: the SOP, reference and training objects the rest of the program uses.

Enters: data that passed validation. Leaves: frozen dataclasses (:class:`~.sop.Sop`,
:class:`~.sop.Step`, :class:`~.sop.Duration`, …), review dates, and the grammar of ids,
step ids and target times, compiled from the SOP schema (:mod:`.grammar`).
"""
