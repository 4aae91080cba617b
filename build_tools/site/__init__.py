"""Stage 5, site: which pages the knowledge base has, and publishing a built site.

Enters: the catalog and a renderer. Leaves: ``(source path, Markdown)`` for every
generated page and ``(path, HTML)`` for every redirect (:mod:`.pages`, rendering SOP pages
on the second core where that pays, :mod:`.second_core`); the Content-Security-Policy of a
page (:mod:`.csp`); a finished site put in place in one step (:mod:`.publish`); the
internal links of a built site checked (:mod:`.linkcheck`).
"""
