"""Reference data beside the SOPs: complaint and complainer types, channels, metrics.

Each is one YAML file in the reference folder (default ``reference/``), checked against its
own schema in ``schema/``. The pages built from them link to the SOPs, so the checks here
also make sure every SOP id they name exists and every channel and metric an SOP uses is
described.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from build_tools.model.reference import (
    CHANNELS,
    COMPLAINT_TYPES,
    METRICS,
    OWNERS,
    Channel,
    Guide,
    Metric,
    Reference,
)
from build_tools.problem import Problem, Rule
from build_tools.rules.schema import load_checked
from build_tools.source.document import Document

SCHEMA_BY_FILE = {
    COMPLAINT_TYPES: "complaint-types.schema.json",
    CHANNELS: "channels.schema.json",
    METRICS: "metrics.schema.json",
    OWNERS: "owners.schema.json",
}

UNKNOWN_SOP = Rule("unknown-sop", "a reference or training file names no SOP")
UNDESCRIBED_CHANNEL = Rule("undescribed-channel",
                           "an SOP uses a channel that channels.yaml does not describe")
UNDESCRIBED_METRIC = Rule("undescribed-metric",
                          "an SOP uses a metric that metrics.yaml does not describe")
UNMAPPED_OWNER = Rule("unmapped-owner", "an SOP owner that owners.yaml does not map to approvers")


def load_reference(folder: Path, display: str,
                   root: Path | None = None) -> tuple[Reference, list[Problem]]:
    """Load the reference files present in ``folder``; ``display`` names the folder in messages."""
    reference = Reference()
    problems: list[Problem] = []
    for name, schema in SCHEMA_BY_FILE.items():
        path = folder / name
        if not path.is_file():
            continue
        doc, found = load_checked(path, f"{display}/{name}", schema, root)
        problems.extend(found)
        if not any(problem.is_error for problem in found):
            reference.documents[name] = doc
            _fill(reference, name, doc.data)
    return reference, problems


def _guides(items: list[dict[str, Any]]) -> tuple[Guide, ...]:
    return tuple(Guide(i["id"], i["name"], i["description"], i["handling"], tuple(i["sops"]))
                 for i in items)


def _fill(reference: Reference, name: str, data: dict[str, Any]) -> None:
    if name == COMPLAINT_TYPES:
        reference.complaint_types = _guides(data["complaint_types"])
        reference.complainer_types = _guides(data["complainer_types"])
    elif name == CHANNELS:
        reference.channels = {
            key: Channel(key, c["name"], c["description"], tuple(c.get("strengths", ())),
                         tuple(c.get("weaknesses", ())), c.get("response_time"),
                         tuple(c.get("flow", ())), c.get("example"))
            for key, c in data["channels"].items()}
    elif name == OWNERS:
        reference.owners = {owner: tuple(accounts) for owner, accounts in data["owners"].items()}
        reference.maintainers = {pattern: tuple(accounts)
                                 for pattern, accounts in data["maintainers"].items()}
    elif name == METRICS:
        reference.metrics = {key: Metric(key, m["name"], m["meaning"], m["formula"], m["scale"],
                                         m["reading"]) for key, m in data["metrics"].items()}


def reference_problems(reference: Reference, sop_ids: set[str], used_channels: Iterable[str],
                       used_metrics: Iterable[str]) -> Iterator[Problem]:
    """unknown-sop / undescribed-channel / undescribed-metric: the reference pages can link
    to every SOP they name, and every channel and metric an SOP uses has a description."""
    doc = reference.documents.get(COMPLAINT_TYPES)
    if doc is not None:
        for group in ("complaint_types", "complainer_types"):
            for index, entry in enumerate(doc.data[group]):
                for position, sop_id in enumerate(entry["sops"]):
                    if sop_id not in sop_ids:
                        yield doc.problem((group, index, "sops", position), UNKNOWN_SOP,
                                          f"{group}[{index + 1}].sops: {sop_id!r} is not the id "
                                          f"of any SOP")
    for name, described, used, what, rule in (
            (CHANNELS, reference.channels, used_channels, "channel", UNDESCRIBED_CHANNEL),
            (METRICS, reference.metrics, used_metrics, "metric", UNDESCRIBED_METRIC)):
        doc = reference.documents.get(name)
        if doc is None:
            continue
        for missing in sorted(set(used) - set(described)):
            yield doc.problem((name.removesuffix(".yaml"),), rule,
                              f"{what} {missing!r} is used by an SOP but not described here")


def owner_problems(reference: Reference, documents: Iterable[Document]) -> Iterator[Problem]:
    """unmapped-owner: with an owners file, every SOP's ``owner`` and ``maintenance.owner``
    is in it, so a pull request changing the SOP asks someone to approve it."""
    if not reference.has(OWNERS):
        return
    for doc in documents:
        data = doc.data if isinstance(doc.data, dict) else {}
        maintenance = data.get("maintenance")
        for node_path, owner in ((("owner",), data.get("owner")), (
                ("maintenance", "owner"),
                maintenance.get("owner") if isinstance(maintenance, dict) else None)):
            if isinstance(owner, str) and owner not in reference.owners:
                yield doc.problem(node_path, UNMAPPED_OWNER,
                                  f"owner {owner!r} is not in {reference.documents[OWNERS].path}: "
                                  f"no one would be asked to approve changes to this SOP")
