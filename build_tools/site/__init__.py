"""Stage 5, site: which pages the knowledge base has, and publishing a built site.

Enters: the catalog and a renderer. Leaves: the plan of every generated page and its
Markdown (:mod:`.pages`, by page family: :mod:`.overviews`, :mod:`.sop_pages`,
:mod:`.reference_pages`, :mod:`.training_pages`; where each lives, :mod:`.layout`; each URL
claimed once, :mod:`.urls`), hand-written pages' markers expanded (:mod:`.markers`), what
search gets beside the pages (:mod:`.findability`), the Content-Security-Policy of a page
(:mod:`.csp`), a finished site put in place in one step (:mod:`.publish`), the internal
links of a built site checked (:mod:`.linkcheck`). How the pages are rendered fast is
:mod:`build_tools.speed`'s.
"""
