"""Stage 1, source: YAML files read with the position of every node.

Enters: SOP, reference, training and synonym files (from disk, or from a git ref).
Leaves: :class:`~build_tools.source.document.Document` objects (plain data, the 1-based
line and column of every node, every string with its node path) and the problems that
stopped reading, with their positions. Nothing here knows what an SOP is.
"""
