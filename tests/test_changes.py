"""What changed between two versions of one SOP, as structured changes a page can word
(build_tools.model.changes), on edits of a realistic fixture SOP."""

from __future__ import annotations

import copy
import re

from conftest import SOPS

from build_tools.model.changes import HISTORY_KINDS, KINDS, Change, sop_changes
from build_tools.render.labels import load_labels
from build_tools.source.document import load_text


def test_a_version_with_steps_moved_removed_added_and_retimed() -> None:
    text = (SOPS / "CS-COMP-002.yaml").read_text("utf-8")
    old = load_text(text, "old")
    ids = [step["id"] for step in old.data["procedure"]]
    first, second = ids[0], ids[1]
    blocks = re.split(r"(?m)^(?=  - id: )", text.split("\nprocedure:\n", 1)[1]
                      .split("\nquality_standards:", 1)[0])
    # The first two steps swapped, the last removed, a new one added, the first retimed.
    steps = [blocks[2], blocks[1], *blocks[3:-1],
             "  - id: cek-ulang\n    action: Cek ulang laporan\n    role: agen\n"]
    new_text = text.replace("\nprocedure:\n" + "".join(blocks[1:]),
                            "\nprocedure:\n" + "".join(steps) + "\n")
    old_within = old.data["procedure"][0]["within"]
    new = load_text(new_text.replace(f"within: {old_within}", "within: 2d", 1), "new")
    assert not new.problems
    changes = sop_changes(old, new)
    kinds = [change.kind for change in changes]
    assert Change("step-added", "cek-ulang", None, "Cek ulang laporan") in changes
    assert Change("step-removed", ids[-1], old.data["procedure"][-1]["action"], None) in changes
    reordered = next(change for change in changes if change.kind == "steps-reordered")
    assert reordered.old[:2] == (first, second) and reordered.new[:2] == (second, first)
    assert ids[-1] not in reordered.new
    retimed = [change for change in changes if change.kind == "target-changed"]
    assert len(retimed) == 1 and retimed[0].new == "2d"
    assert retimed[0].old == old_within
    # Fields first, then steps, then escalation: the order a writer reads.
    assert kinds.index("step-added") < kinds.index("steps-reordered")
    assert sop_changes(old, old) == []


def test_fields_templates_and_escalation_levels() -> None:
    old = load_text((SOPS / "CS-COMP-002.yaml").read_text("utf-8"), "old").data
    new = copy.deepcopy(old)
    new["version"] = "9.0"
    index, templated = next((index, step) for index, step in enumerate(new["procedure"])
                            if step.get("template"))
    templated["template"] += " Terima kasih."
    new["escalation"]["levels"][0]["to"] = "Manajer layanan"
    changes = sop_changes(old, new)
    assert changes[0] == Change("field", "version", old["version"], "9.0")
    assert Change("template-changed", templated["id"], old["procedure"][index]["template"],
                  templated["template"]) in changes
    escalation = [change for change in changes if change.kind.startswith("escalation")]
    assert [(c.kind, c.subject, c.old["to"], c.new["to"]) for c in escalation] == [
        ("escalation-changed", "1", old["escalation"]["levels"][0]["to"], "Manajer layanan")]
    # A level is worded by whom it goes to and within how long, as `sopkb diff` shows it;
    # a change of its condition alone is named as a change of the escalation.
    reworded = copy.deepcopy(old)
    reworded["escalation"]["levels"][0]["when"] = "Kapan saja pelanggan meminta."
    assert sop_changes(old, reworded) == [Change("section-changed", "escalation")]


def test_a_side_that_does_not_parse_is_an_empty_sop() -> None:
    old = load_text("id: [unclosed", "old")
    new = load_text((SOPS / "CS-COMP-002.yaml").read_text("utf-8"), "new")
    changes = sop_changes(old, new)
    assert old.data is None and changes
    assert {c.kind for c in changes} >= {"field", "step-added"}
    assert sop_changes(None, None) == []


def test_every_kind_of_change_has_its_words_in_each_language() -> None:
    for language in ("id", "en"):
        words = load_labels(language)["diff"]
        assert {kind.replace("-", "_") for kind in (*KINDS, *HISTORY_KINDS)
                if kind != "field"} <= set(words), language


def test_every_other_edit_is_named() -> None:
    """An attacker's read found a step's details rewritten (asking for the customer's
    password), an escalation trigger added and a former id dropped reported as "no SOP
    changes". What the other kinds do not word is named: the step's other keys, and each
    part of the SOP that changed; a key that is no plain name is named ``other``."""
    old = load_text((SOPS / "CS-COMP-002.yaml").read_text("utf-8"), "old").data
    new = copy.deepcopy(old)
    step = new["procedure"][1]
    step["details"] = "Minta kata sandi akun dan kode OTP pelanggan."
    step["channel"] = "email"
    new["escalation"]["triggers"].append("Jangan pernah eskalasi kasus ini.")
    new["maintenance"]["announce"] = "Tidak diumumkan."
    new["purpose"] += " Tambahan."
    new["x`\r<!--"] = "tersembunyi"
    changes = sop_changes(old, new)
    assert changes == [
        Change("step-changed", step["id"], None, "details, channel"),
        Change("section-changed", "purpose"), Change("section-changed", "escalation"),
        Change("section-changed", "maintenance"), Change("section-changed", "other")]
    words = load_labels("id")["diff"]
    assert words["section_changed"].format(id="purpose") == "Bagian `purpose` diubah"
    # What the other kinds say is not said twice.
    new = copy.deepcopy(old)
    new["escalation"]["levels"][0]["within"] = "1d"
    new["maintenance"]["review_cycle"] = "3m"
    assert [c.kind for c in sop_changes(old, new)] == ["field", "escalation-changed"]
