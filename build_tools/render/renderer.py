"""Turn validated SOPs into pages with the Jinja templates in ``templates/``.

Every page is rendered by an HTML template (``<name>.html.j2``) into a page block (see
:mod:`build_tools.render.listing`): final HTML that no Markdown pass reads again. Every value a
template prints that is not already markup is SOP text, and goes through
:mod:`build_tools.render.markup` (the environment's ``finalize``): sanitized HTML of its allowed
Markdown, on one line; ``| blocks`` for paragraphs and lists, ``| plain`` where no markup
can stand (an attribute). Only the templates themselves produce other markup.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable, Hashable
from dataclasses import dataclass

from jinja2 import Environment, PackageLoader, StrictUndefined, pass_context
from jinja2.runtime import Context
from markupsafe import Markup, escape

from build_tools.model.grammar import review_cycle
from build_tools.model.sop import Duration, Sop, Step
from build_tools.render import listing
from build_tools.render.flowchart import flowchart
from build_tools.render.labels import load_labels
from build_tools.render.listing import Parts
from build_tools.render.markup import LinkResolver, is_plain, plain, template_html, to_html
from build_tools.render.repository import Repository
from build_tools.render.terms import STEP_CLASS, TERMS_END, TERMS_START

SOP_DIR = "sop"


def sop_uri(sop: Sop) -> str:
    """Source path of an SOP's page in the site; the URL becomes ``sop/<id lower>/``."""
    return f"{SOP_DIR}/{sop.slug}.md"


INDEX_URI = f"{SOP_DIR}/index.md"


@dataclass(frozen=True)
class Rendered:
    """A page as rendered: its Markdown, and the ids of the SOPs its text links to (whose
    titles it shows: a page to render again when one of them is re-titled)."""

    markdown: str
    linked: frozenset[str]


class Renderer:
    """Renders pages in one site language."""

    def __init__(self, language: str) -> None:
        self.language = language
        self.labels = load_labels(language)
        #: How the site's URLs look (MkDocs' ``use_directory_urls``), for listing blocks.
        self.directory_urls = True
        #: The sign after each heading in listing blocks that links to it ("": none), as
        #: Markdown's ``toc`` extension puts it after the other headings.
        self.permalink = "&para;"
        #: id → (slug, title) of every SOP, for [[CS-COMP-002]] links in SOP text.
        self.sop_titles: dict[str, tuple[str, str]] = {}
        #: The ids such links named while the page (or part) being rendered was.
        self._linked: set[str] = set()
        #: The page templates (``*.html.j2``).
        self.env = self._environment()
        self.env.globals.update(url=self._url, file_url=self._file_url, permalink=self._permalink,
                                heading_id=self._heading_id, part=self._part,
                                report_url=self._report_url)
        #: Where the pages' files live (edit and report links), when configured.
        self.repository: Repository = Repository()
        #: page uri → (the settings it was rendered with, its listing parts then).
        self._parts: dict[str, tuple[object, dict[Hashable, listing.Part]]] = {}
        #: Whether to keep them (a next render of the page would reuse them: serve).
        self.keep_parts = True
        #: The heading ids of each part being rendered (parts may nest).
        self._part_ids: list[set[str]] = []

    def _environment(self) -> Environment:
        env = Environment(
            loader=PackageLoader("build_tools.render", "templates"),
            undefined=StrictUndefined,
            keep_trailing_newline=True,
            autoescape=True,
            trim_blocks=True,
            lstrip_blocks=True,
            # Jinja comments are written {## ... ##} (SOP text never reaches Jinja's parser).
            comment_start_string="{##",
            comment_end_string="##}",
            finalize=self._finalize,
        )
        env.filters.update(
            duration=self.duration, cycle=self.cycle, channel=self.channel,
            template_block=template_html, oneline=oneline,
            flowchart=lambda sop: flowchart(sop, self.labels, self.duration),
            blocks=self._blocks, plain=self._plain,
        )
        env.globals.update(t=self.labels, terms_start=TERMS_START, terms_end=TERMS_END,
                           step_class=STEP_CLASS)
        return env

    @pass_context
    def _finalize(self, context: Context, value: object) -> object:
        """Every ``{{ … }}`` that is not already markup is untrusted text: the HTML of its
        allowed Markdown, on one line (see :mod:`build_tools.render.markup`)."""
        if isinstance(value, Markup) or isinstance(value, int | float):
            return value
        text = "" if value is None else str(value)
        return Markup(escape(text)) if is_plain(text) else self._html(context, text, True)

    @pass_context
    def _blocks(self, context: Context, value: object) -> Markup:
        """Longer text (paragraphs, lists), standing on lines of its own."""
        return self._html(context, "" if value is None else str(value), inline=False)

    @pass_context
    def _plain(self, context: Context, value: object) -> Markup:
        """The words of the text without markup, for a ``<title>`` or an attribute."""
        return Markup(escape(plain("" if value is None else str(value),
                                   self._page_resolver(context))))

    def _html(self, context: Context, text: str, inline: bool) -> Markup:
        """Untrusted ``text`` as HTML, its SOP links from the page being rendered."""
        return to_html(text, self._page_resolver(context), inline=inline)

    def _page_resolver(self, context: Context) -> LinkResolver:
        page = context.get("page_uri", INDEX_URI)
        return self._resolver(lambda slug: listing.relative_url(
            page, f"{SOP_DIR}/{slug}.md", self.directory_urls))

    def _resolver(self, link: Callable[[str], str]) -> LinkResolver:
        def resolve(sop_id: str, step: str | None) -> tuple[str, str] | None:
            self._linked.add(sop_id)
            if sop_id not in self.sop_titles:
                return None
            slug, title = self.sop_titles[sop_id]
            return link(slug) + (f"#{step}" if step else ""), title
        return resolve

    @pass_context
    def _url(self, context: Context, to_uri: str, anchor: str | None = None) -> Markup:
        """The link from the page being rendered to the page built from ``to_uri``."""
        return escape(listing.relative_url(context["page_uri"], to_uri, self.directory_urls,
                                           anchor))

    @pass_context
    def _file_url(self, context: Context, path: str) -> Markup:
        """The link from the page being rendered to a file of the site (not a page)."""
        page = listing.page_url(context["page_uri"], self.directory_urls)
        folder = page if page.endswith("/") else posixpath.dirname(page)
        return escape(posixpath.relpath(path, folder.rstrip("/") or "."))

    @pass_context
    def _heading_id(self, context: Context, text: str, anchor: str | None = None) -> str:
        """``anchor``, or the id Markdown would give a heading with ``text``; unique."""
        used: set[str] = context["used_ids"]
        if anchor:
            used.add(anchor)
            if self._part_ids:
                self._part_ids[-1].add(anchor)
            return anchor
        if self._part_ids:
            # Its id would depend on the headings before it, which a reused part cannot know.
            raise ValueError(f"heading {text!r} in a listing part needs an explicit anchor")
        return listing.heading_id(oneline(text), used)

    @pass_context
    def _part(self, context: Context, key: Hashable, *sources: object,
              caller: Callable[[], str]) -> Markup:
        """``{% call part(key, *sources) %}…{% endcall %}`` in a listing template: the body,
        rendered again only when ``sources`` (everything it shows) or the SOPs its text links
        to changed since the page's last render (see :class:`listing.Parts`). ``key`` names
        the part within the page: one key, one body, one set of sources."""
        parts: listing.Parts = context["parts"]
        part = parts.find(key, sources, self.sop_titles)
        if part is None:
            outer, self._linked = self._linked, set()
            self._part_ids.append(set())
            try:
                html = caller()
            finally:
                ids, linked, self._linked = self._part_ids.pop(), self._linked, outer
            part = listing.Part(sources, html, frozenset(ids),
                                {sop_id: self.sop_titles.get(sop_id) for sop_id in linked})
            parts.add(key, part)
        context["used_ids"].update(part.ids)
        if self._part_ids:
            self._part_ids[-1].update(part.ids)
        self._linked.update(part.linked)
        return Markup(part.html)

    def _report_url(self, sop: Sop, step: Step) -> Markup | None:
        """The link that opens an issue about ``step``, or None when none is configured."""
        url = self.repository.report_url(sop, step)
        return None if url is None else escape(url)

    def _permalink(self, anchor: str) -> Markup:
        if not self.permalink:
            return Markup("")
        # Formatted by hand: Markup.format, once per heading, took a tenth of a version
        # page's rendering. The symbol is the site's setting, trusted as markup.
        return Markup(f'<a class="headerlink" href="#{escape(anchor)}" '
                      f'title="Permanent link">{self.permalink}</a>')

    def duration(self, value: Duration | None) -> str:
        if value is None:
            return "—"
        return f"{value.amount} {self.labels['units'][value.unit]}"

    def cycle(self, text: str) -> str:
        amount, unit = review_cycle(text)
        return f"{amount} {self.labels['cycle_units'][unit]}"

    def channel(self, name: str) -> str:
        return str(self.labels["channel_names"].get(name, name))

    def page(self, uri: str, template: str, **context: object) -> Rendered:
        """Render ``templates/<template>.html.j2`` with ``context`` as the page at ``uri``:
        its Markdown, which is the page block alone (its title is the block's ``<h1>``),
        and the SOPs its text links to."""
        parts = self._last_parts(uri)
        self._linked = set()
        html = self.env.get_template(f"{template}.html.j2").render(
            page_uri=uri, used_ids=set(), parts=parts, **context)
        self._keep_parts(uri, parts)
        return Rendered(listing.wrap_page(html), frozenset(self._linked))

    def listing_fragment(self, uri: str, macro: str, *args: object) -> str:
        """Call one macro of ``_macros.html.j2``, as a listing block in the page at ``uri``
        (a hand-written page's ``sop-kb`` marker)."""
        parts = self._last_parts(uri)
        module = self.env.get_template("_macros.html.j2").make_module(
            {"page_uri": uri, "used_ids": set(), "parts": parts})
        html = str(getattr(module, macro)(*args))
        self._keep_parts(uri, parts)
        return listing.wrap(html)

    def _last_parts(self, uri: str) -> Parts:
        """The parts of the page's last render, if it was rendered with today's settings."""
        settings, parts = self._parts.get(uri, (None, {}))
        return listing.Parts(parts if settings == self._settings() else {})

    def _keep_parts(self, uri: str, parts: Parts) -> None:
        if self.keep_parts:
            self._parts[uri] = (self._settings(), parts.current)

    def _settings(self) -> object:
        return self.directory_urls, self.permalink


def oneline(value: object) -> str:
    return " ".join(str(value).split())
