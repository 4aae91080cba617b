"""Stage 6, speed: how the pipeline is made fast, apart from what it computes.

Enters: what the stages before compute (a site's page plan, a loading function). Leaves:
the same results, sooner: the pages reused or rendered on the second core, loading without
the cycle collector's passes.

The pipeline (load → check → plan pages → render → index) reads as plain functions in the
stage packages; everything here only makes it faster, and each piece says what it saves and
which benchmark shows it (``benchmarks/README.md``):

* :mod:`.collector`: the cycle collector off while loading data that only grows, and the
  first build of ``mkdocs serve`` set aside from it;
* :mod:`.reuse`: what ``mkdocs serve`` keeps between rebuilds (renderer, pages, redirects,
  practice sets);
* :mod:`.rendering`: the site's pages rendered with that reuse, and on a second core in a
  large build (:mod:`.second_core`), the same pages as the plain rendering gives; a build's
  version pages written by the second core while MkDocs renders its pages;
* :mod:`.reading`: git's log started before the catalog loads, and half of git's committed
  texts parsed on the second core, the same history as the plain reading gives.

What touches MkDocs' internals to the same end lives in :mod:`build_tools.mkdocs.serving`
(the only package that may import MkDocs). Two more stay where they work, since they are
part of how the output is made: a listing page's parts reused between renders
(:class:`build_tools.render.listing.Parts`) and a file's check kept while the file is
unchanged (:class:`build_tools.rules.catalog.FileCache`).
"""
