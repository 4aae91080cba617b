"""Turn validated SOPs into Markdown pages with the Jinja templates in ``templates/``.

Everything taken from an SOP is HTML-escaped by autoescaping, so text written in a YAML
file is shown as text on the page; only the templates themselves produce markup.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable

from jinja2 import Environment, PackageLoader, StrictUndefined, pass_context
from jinja2.runtime import Context
from markupsafe import Markup, escape

from build_tools.labels import load_labels
from build_tools.markup import is_plain, safe_markdown
from build_tools.flowchart import flowchart
from build_tools.model import Duration, Sop
from build_tools.search_terms import TERMS_END, TERMS_START

SOP_DIR = "sop"


def sop_uri(sop: Sop) -> str:
    """Source path of an SOP's page in the site; the URL becomes ``sop/<id lower>/``."""
    return f"{SOP_DIR}/{sop.slug}.md"


INDEX_URI = f"{SOP_DIR}/index.md"


class Renderer:
    """Renders pages in one site language."""

    def __init__(self, language: str) -> None:
        self.language = language
        self.labels = load_labels(language)
        self.env = Environment(
            loader=PackageLoader("build_tools", "templates"),
            undefined=StrictUndefined,
            keep_trailing_newline=True,
            autoescape=True,
            trim_blocks=True,
            lstrip_blocks=True,
            # Markdown's attribute lists ({#anchor}) look like Jinja comments; move those.
            comment_start_string="{##",
            comment_end_string="##}",
            finalize=self._finalize,
        )
        #: id → (slug, title) of every SOP, for [[CS-COMP-002]] links in SOP text.
        self.sop_titles: dict[str, tuple[str, str]] = {}
        #: The ids such links named while rendering, when a caller wants to know.
        self.linked: set[str] | None = None
        self.env.filters.update(
            duration=self.duration, cycle=self.cycle, channel=self.channel,
            cell=cell, template_block=template_block, oneline=oneline,
            flowchart=lambda sop: flowchart(sop, self.labels, self.duration),
        )
        self.env.globals.update(t=self.labels, terms_start=TERMS_START, terms_end=TERMS_END)

    @pass_context
    def _finalize(self, context: Context, value: object) -> object:
        """Every ``{{ … }}`` that is not already markup is untrusted text: allowed Markdown
        only (see :mod:`build_tools.markup`), with SOP links resolved from this page."""
        if isinstance(value, Markup) or isinstance(value, int | float):
            return value
        text = "" if value is None else str(value)
        if is_plain(text):
            return Markup(text)
        base = context.get("sop_base", "sop/")

        def resolve(sop_id: str, step: str | None) -> tuple[str, str] | None:
            if self.linked is not None:
                self.linked.add(sop_id)
            if sop_id not in self.sop_titles:
                return None
            slug, title = self.sop_titles[sop_id]
            return f"{base}{slug}.md" + (f"#{step}" if step else ""), title
        return safe_markdown(text, resolve)

    def duration(self, value: Duration | None) -> str:
        if value is None:
            return "—"
        return f"{value.amount} {self.labels['units'][value.unit]}"

    def cycle(self, text: str) -> str:
        amount, unit = text.split()
        return f"{amount} {self.labels['cycle_units'][unit.rstrip('s')]}"

    def channel(self, name: str) -> str:
        return str(self.labels["channel_names"].get(name, name))

    def page(self, uri: str, template: str, **context: object) -> str:
        """Render ``templates/<template>.md.j2`` with ``context`` as the page at ``uri``."""
        sop_base = "../" * uri.count("/") + "sop/"
        return self.env.get_template(f"{template}.md.j2").render(sop_base=sop_base, **context)

    def fragment(self, uri: str, macro: str, *args: object) -> str:
        """Call one macro of ``_macros.md.j2``; used for blocks inside hand-written pages."""
        sop_base = "../" * uri.count("/") + "sop/"
        module = self.env.get_template("_macros.md.j2").make_module({"sop_base": sop_base})
        return str(getattr(module, macro)(*args))

    def categories(self, sops: Iterable[Sop]) -> list[tuple[str, list[Sop]]]:
        """SOPs grouped by category, categories in alphabetical order, 'other' last."""
        groups: dict[str, list[Sop]] = defaultdict(list)
        for sop in sops:
            groups[sop.category or ""].append(sop)
        named = sorted(name for name in groups if name)
        ordered = [(name, groups[name]) for name in named]
        if "" in groups:
            ordered.append((self.labels["other_category"], groups[""]))
        return ordered


def cell(value: object) -> str:
    """Text for a Markdown table cell: on one line (escaping, pipes included, is finalize's)."""
    return oneline(value)


def oneline(value: object) -> str:
    return " ".join(str(value).split())


_PLACEHOLDER = re.compile(r"\[[^\[\]\n]{1,60}\]")


def template_block(text: str) -> Markup:
    """A reply template as a code block (Material gives it a copy button) with every
    ``[placeholder]`` marked, so an agent sees at once what to fill in before sending."""
    escaped = str(escape(text.rstrip()))
    marked = _PLACEHOLDER.sub(lambda m: f'<span class="sop-placeholder">{m.group(0)}</span>',
                              escaped)
    return Markup(f'<pre class="sop-template"><code>{marked}</code></pre>')
