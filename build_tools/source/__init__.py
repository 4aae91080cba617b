"""Stage 1, source: YAML files read with the position of every node.

Enters: SOP, reference, training and synonym files (from disk, or from a git ref), the git
history of a folder (:mod:`.history`: every committed text of its files, one ``git log`` and
one ``git cat-file``), and a pull request as GitHub's REST API gives it (:mod:`.github`).
Leaves: :class:`~build_tools.source.document.Document` objects (plain data, the 1-based
line and column of every node, every string with its node path) and the problems that
stopped reading, with their positions; the main line's file changes with their commits and
dates; the API's JSON. Nothing here knows what an SOP is.
"""
