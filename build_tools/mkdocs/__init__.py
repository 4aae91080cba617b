"""Stage: the MkDocs plugin ``sop-kb``, the only code that imports MkDocs.

Enters: MkDocs' events (configuration, files, navigation, each page's Markdown and HTML).
Leaves: the generated pages and assets as MkDocs files, the SOP section of the navigation,
listing blocks and their table-of-contents entries, a Content-Security-Policy in every
page, the search index, and the site published in one step. :mod:`.plugin` wires the
events; :mod:`.settings` reads what it needs of ``mkdocs.yml``; :mod:`.structure` edits the
navigation and tables of contents; :mod:`.search` feeds the search indexer;
:mod:`.publishing` stages and publishes a build; :mod:`.serving` keeps what ``mkdocs serve
--dirty`` reuses between rebuilds. It runs unchanged under ProperDocs 1.6, the continuation
of MkDocs 1.x, whose command answers ``import mkdocs…`` with its own modules (only
:mod:`.publishing` needs to know which one runs). The rest of ``build_tools`` imports
neither, so it can move to another generator.
"""
