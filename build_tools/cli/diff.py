"""What changed in each SOP between two versions of the knowledge base, in a writer's terms.

Works on the raw data of the documents, so a change can be summarised even when one side
does not validate. Output is Markdown for a pull request's job summary.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

from build_tools.model.sop import Duration
from build_tools.render.changes import ChangeWords
from build_tools.rules.crossfile import identified
from build_tools.source.document import Document

Data = dict[str, Any]


def _by_id(documents: Iterable[Document]) -> dict[str, Data]:
    return {sop_id: doc.data for doc, sop_id in identified(documents)}


class ChangeSummary:
    """Renders the differences with the labels of one language."""

    def __init__(self, labels: dict[str, Any], duration: Callable[[Duration | None], str]) -> None:
        self.t = labels["diff"]
        self.words = ChangeWords(labels, duration)

    def markdown(self, ref: str, before: Iterable[Document], after: Iterable[Document]) -> str:
        old, new = _by_id(before), _by_id(after)
        renamed = {alias: sop_id for sop_id, data in new.items()
                   for alias in (data.get("aliases") or []) if alias in old and alias not in new}
        sections = []
        for sop_id in sorted(set(old) | set(new)):
            if sop_id in renamed:
                continue
            if sop_id not in old:
                former = next((a for a, n in renamed.items() if n == sop_id), None)
                if former is None:
                    sections.append(self._section(new[sop_id], [self.t["added_sop"]]))
                    continue
                lines = [self.t["renamed"].format(old=former, new=sop_id),
                         *self.sop_changes(old[former], new[sop_id])]
                sections.append(self._section(new[sop_id], lines))
            elif sop_id not in new:
                sections.append(self._section(old[sop_id], [self.t["removed_sop"]]))
            else:
                lines = list(self.sop_changes(old[sop_id], new[sop_id]))
                if lines:
                    sections.append(self._section(new[sop_id], lines))
        body = "\n".join(sections) if sections else self.t["none"] + "\n"
        return f"## {self.t['title'].format(ref=ref)}\n\n{body}"

    def _section(self, data: Data, lines: list[str]) -> str:
        items = "".join(f"- {_inline(line)}\n" for line in lines)
        heading = _inline(f"{data.get('id')} — {data.get('title', '')}")
        return f"### {heading}\n\n{items}"

    def sop_changes(self, old: Data, new: Data) -> Iterator[str]:
        """The changes of the SOP's text, then the edits of its record (``history``)."""
        yield from self.words.sop_changes(old, new)
        yield from self.words.history_changes(old, new)


def _inline(text: str) -> str:
    """``text`` as one line of Markdown that opens nothing: its line breaks (any Unicode
    line boundary) folded into spaces, ``<`` written as an entity, so that no value (a
    history entry's summary, say) can start an HTML block that hides the rest."""
    return " ".join(text.split()).replace("&", "&amp;").replace("<", "&lt;")
