"""The procedure of an SOP drawn as an SVG flowchart (bagan alur), at build time.

Steps stand in order from top to bottom, each with its number, action, responsible role and
target time, linked to the step's anchor; the escalation branch stands beside them. The SVG
is plain markup in the page: it needs no script and makes no request, and it scales to the
width of a phone screen. SOP text in it is the plain text of
:func:`build_tools.render.markup.plain`, escaped.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable

from markupsafe import Markup, escape

from build_tools.model.sop import Duration, Sop
from build_tools.render.markup import plain

WIDTH = 360
BOX_X = 10
BOX_W = 250
SIDE_X = 272
SIDE_W = 84
LINE = 16
PAD = 10
GAP = 22
CHARS = 34
SIDE_CHARS = 11


def _wrap(text: str, width: int) -> list[str]:
    """``textwrap.wrap(text, width)`` for text of single-spaced words: the same lines, six
    times faster (textwrap took about 60 % of drawing a flowchart). Words with a hyphen or
    longer than a line, which textwrap may split, are left to textwrap."""
    words = text.split(" ")
    if "-" in text or max(map(len, words)) > width:
        return textwrap.wrap(text, width)
    lines: list[str] = []
    line = ""
    for word in words:
        if not line:
            line = word
        elif len(line) + 1 + len(word) <= width:
            line += " " + word
        else:
            lines.append(line)
            line = word
    return [*lines, line] if line else lines


def _lines(text: str, width: int, limit: int = 4) -> list[str]:
    lines = _wrap(" ".join(text.split()), width) or [""]
    if len(lines) > limit:
        rest = textwrap.shorten(" ".join(lines[limit - 1:]), width, placeholder="…")
        lines = [*lines[:limit - 1], rest]
    return lines


def _text(x: float, y: float, lines: list[str], css: str) -> str:
    spans = "".join(f'<tspan x="{x}" dy="{LINE if i else 0}">{escape(line)}</tspan>'
                    for i, line in enumerate(lines))
    return f'<text x="{x}" y="{y}" class="{css}">{spans}</text>'


def flowchart(sop: Sop, labels: dict[str, str],
              duration: Callable[[Duration | None], str]) -> Markup:
    """The SVG of ``sop``'s procedure; ``labels`` and ``duration`` speak the site language."""
    parts: list[str] = []
    y = 10
    for step in sop.steps:
        action = _lines(f"{step.number}. {plain(step.action)}", CHARS)
        meta = _lines(f"{plain(sop.duty(step.role).title)} · {duration(step.within)}",
                      CHARS + 4, 2)
        height = PAD * 2 + LINE * (len(action) + len(meta))
        if step.number > 1:
            middle = BOX_X + BOX_W / 2
            parts.append(f'<line class="sop-flow__arrow" x1="{middle}" y1="{y - GAP}" '
                         f'x2="{middle}" y2="{y - 2}" marker-end="url(#sop-flow-head)"/>')
        parts.append(
            f'<a href="#{escape(step.id)}" class="sop-flow__step" data-step="{escape(step.id)}">'
            f'<rect x="{BOX_X}" y="{y}" width="{BOX_W}" height="{height}" rx="6"/>'
            + _text(BOX_X + PAD, y + PAD + 12, action, "sop-flow__action")
            + _text(BOX_X + PAD, y + PAD + 12 + LINE * len(action), meta, "sop-flow__meta")
            + "</a>")
        y += height + GAP
    total = y - GAP + 10
    parts.append(_escalation(sop, labels, duration, total))
    title = escape(f"{labels['procedure']}: {plain(sop.title)}")
    return Markup(
        f'<svg class="sop-flow__svg" viewBox="0 0 {WIDTH} {total}" role="group" '
        f'aria-label="{title}" xmlns="http://www.w3.org/2000/svg">'
        f'<title>{title}</title>'
        '<defs><marker id="sop-flow-head" viewBox="0 0 10 10" refX="9" refY="5" '
        'markerWidth="7" markerHeight="7" orient="auto-start-reverse">'
        '<path d="M 0 0 L 10 5 L 0 10 z"/></marker></defs>'
        + "".join(parts) + "</svg>")


def _escalation(sop: Sop, labels: dict[str, str],
                duration: Callable[[Duration | None], str], total: int) -> str:
    """The escalation branch: a dashed box beside the steps, one line per level."""
    lines = [labels["escalation_short"]]
    for number, level in enumerate(sop.escalation.levels, 1):
        lines.extend(_lines(f"{number}. {plain(level.to)} ({duration(level.within)})",
                            SIDE_CHARS, 5))
    height = min(total - 20, PAD * 2 + LINE * len(lines))
    top = 10
    return (f'<a href="#escalation" class="sop-flow__escalation">'
            f'<line class="sop-flow__branch" x1="{BOX_X + BOX_W}" y1="{top + 20}" '
            f'x2="{SIDE_X - 2}" y2="{top + 20}" marker-end="url(#sop-flow-head)"/>'
            f'<rect x="{SIDE_X}" y="{top}" width="{SIDE_W}" height="{height}" rx="6"/>'
            + _text(SIDE_X + 6, top + PAD + 12, lines, "sop-flow__meta") + "</a>")
