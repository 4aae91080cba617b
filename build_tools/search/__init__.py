"""Stage 6, search: the Indonesian-aware search index of a built site.

Enters: the rendered HTML of each page and the synonym groups. Leaves: Pagefind's index
(``pagefind/``), the lexicon the search box reduces typed words with
(``assets/sop-kb/lexicon.json``) and the settings the browser's scripts import
(``assets/sop-kb/settings.js``). :mod:`.terms` adds dictionary roots and synonyms to each
section; :mod:`.index` writes the index (in a second process during a build);
:mod:`.pagefind` talks to Pagefind's service with every wait bounded; :mod:`.language`
holds the box's language rules, :mod:`.reading` reads a question as the box does, and
:mod:`.browser` says what the browser is given and where. The browser side is the ES
modules of ``build_tools/assets/search/``.
"""
