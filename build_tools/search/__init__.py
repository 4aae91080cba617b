"""Stage 6, search: the Indonesian-aware search index of a built site.

Enters: the rendered HTML of each page and the synonym groups. Leaves: Pagefind's index
(``pagefind/``) and the lexicon the search box reduces typed words with
(``assets/sop-kb/lexicon.json``). :mod:`.terms` adds dictionary roots and synonyms to each
section; :mod:`.index` writes the index (in a second process during a build);
:mod:`.pagefind` talks to Pagefind's service with every wait bounded. The browser side is
``build_tools/assets/search.js``.
"""
