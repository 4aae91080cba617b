"""Training paths (``training/*.yaml``): ordered SOPs and steps a trainee works through.

Each path renders as a page with links and a checklist; the checks here make sure every
SOP id and step anchor a path names exists, so a trainer's path never links to nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from build_tools.model.sop import Sop
from build_tools.model.training import TrainingItem, TrainingPath
from build_tools.problem import Problem, Rule
from build_tools.rules.crossfile import DUPLICATE_ID
from build_tools.rules.reference import UNKNOWN_SOP
from build_tools.rules.schema import load_checked
from build_tools.source.document import Document
from build_tools.source.paths import shown

SCHEMA = "training.schema.json"

UNKNOWN_STEP = Rule("unknown-step", "a training item names a step the SOP does not have")


def load_training(folder: Path, display: str, sops: dict[str, Sop], known_ids: set[str],
                  root: Path | None = None) -> tuple[list[TrainingPath], list[Problem]]:
    """The valid training paths in ``folder`` and the problems of all of them.

    ``sops`` are the valid SOPs; ``known_ids`` every id in the SOP files, valid or not, so
    that an SOP with problems of its own does not make every path naming it fail too.
    """
    paths: list[TrainingPath] = []
    problems: list[Problem] = []
    seen: dict[str, str] = {}
    for file in sorted(folder.glob("*.y*ml")):
        doc, found = load_checked(file, f"{display}/{shown(file.name)}", SCHEMA, root)
        if not any(problem.is_error for problem in found):
            found.extend(_reference_problems(doc, sops, known_ids))
            path_id = doc.data["id"]
            if path_id in seen:
                found.append(doc.problem(("id",), DUPLICATE_ID,
                                         f"training path id {path_id!r} is already used by "
                                         f"{seen[path_id]}"))
            seen.setdefault(path_id, doc.path)
        problems.extend(found)
        if not any(problem.is_error for problem in found):
            data = doc.data
            paths.append(TrainingPath(
                data["id"], data["title"], data["goal"],
                tuple(TrainingItem(i["sop"], i["goal"], i.get("step")) for i in data["items"]),
                data.get("audience"), doc.path))
    return paths, problems


def _reference_problems(doc: Document, sops: dict[str, Sop],
                        known_ids: set[str]) -> Iterator[Problem]:
    """unknown-sop / unknown-step: every item names an existing SOP and, if any, its step."""
    for index, item in enumerate(doc.data["items"]):
        sop = sops.get(item["sop"])
        if sop is None and item["sop"] in known_ids:
            continue  # that SOP's own problems are reported already
        if sop is None:
            yield doc.problem(("items", index, "sop"), UNKNOWN_SOP,
                              f"items[{index + 1}].sop {item['sop']!r} is not the id of any SOP")
        elif "step" in item and item["step"] not in {step.id for step in sop.steps}:
            yield doc.problem(("items", index, "step"), UNKNOWN_STEP,
                              f"items[{index + 1}].step {item['step']!r} is not a step of "
                              f"{sop.id}", hint=f"steps: {', '.join(s.id for s in sop.steps)}")
