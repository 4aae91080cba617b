"""Customer-service SOP knowledge base: load, validate and render SOPs written as YAML.

The packages follow the pipeline: :mod:`.source` (YAML with positions) → :mod:`.model` →
:mod:`.rules` (validation) → :mod:`.render` (Markdown pages) → :mod:`.site` (which pages,
publishing) → :mod:`.search` (the index), driven by :mod:`.cli` (``sopkb``) or by
:mod:`.mkdocs` (the MkDocs plugin, the only package that imports MkDocs, so the core can
move to another site generator). :mod:`.problem` is the one problem type all stages report.
"""
