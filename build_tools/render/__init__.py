"""Stage 4, render: SOPs and reference data into Markdown pages, with Jinja templates.

Enters: the catalog's model objects. Leaves: Markdown text for each page (with listing
blocks of HTML, :mod:`.listing`), every piece of SOP text made safe HTML by one path
(:mod:`.markup`), flowcharts as SVG (:mod:`.flowchart`), headings in the site's language
(:mod:`.labels`, ``languages/*.yaml``). Templates are files in ``templates/``.
"""
