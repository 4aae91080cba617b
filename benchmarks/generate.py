"""Synthetic but realistic SOPs for the benchmark: Indonesian text, every component filled, a
few related SOPs each, in a shape given by :class:`Shape` (size of the text, number of steps,
of categories, share of steps with a reply template). Deterministic for a given seed. The
words come from the fixture knowledge base (tests/fixtures/kb), not from the shipped SOPs."""

from __future__ import annotations

import json
import random
import re
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
KB = ROOT / "tests" / "fixtures" / "kb"
CHANNELS = ["phone", "email", "social-media", "live-chat", "messaging", "marketplace"]
METRICS = ["CSAT", "NPS", "FCR", "AHT", "CES", "FRT", "TTR", "CRR"]
ROLES = [("agen", "Agen layanan pelanggan"), ("supervisor", "Supervisor layanan pelanggan"),
         ("gudang", "Staf gudang"), ("keuangan", "Staf keuangan"), ("mutu", "Analis mutu")]
DURATIONS = ["5m", "15m", "30m", "1h", "2h", "4h", "24h", "2d", "1wd"]
CATEGORIES = ["Penanganan keluhan", "Pesanan", "Percakapan per kanal", "Mutu layanan",
              "Pengelolaan SOP", "Komunikasi", "Pengembalian barang", "Garansi"]


@dataclass(frozen=True)
class Shape:
    """How the synthetic SOPs look. ``categories``: how many (0: one per SOP); ``steps``: the
    range of steps; ``words``: the range of words in a sentence (the size of the text);
    ``details``: sentences in a step's details; ``templates``: the share of steps with a
    reply template."""

    name: str = "typical"
    steps: tuple[int, int] = (8, 12)
    words: tuple[int, int] = (6, 14)
    details: int = 1
    categories: int = 8
    templates: float = 1 / 3


#: From the smallest shipped SOP (about 4 KB) to twice the largest (about 14 KB).
SHAPES = {
    "small": Shape("small", steps=(4, 5), words=(4, 8), details=1, categories=8,
                   templates=0.2),
    "typical": Shape("typical", categories=25),
    "large": Shape("large", steps=(16, 20), words=(10, 18), details=3, categories=25,
                   templates=0.6),
}


def _vocabulary() -> list[str]:
    words = re.findall(r"[a-z]{4,}", " ".join(
        path.read_text("utf-8").lower() for path in (KB / "sops").glob("*.yaml")))
    skip = {"role", "title", "action", "within", "template", "details", "purpose", "scope",
            "history", "version", "summary", "author", "date", "maintenance", "feedback"}
    return sorted({word for word in words if word not in skip})


def _q(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


class Generator:
    def __init__(self, seed: int = 7, shape: Shape | None = None) -> None:
        self.random = random.Random(seed)
        self.words = _vocabulary()
        self.shape = shape or Shape()

    def category(self, number: int) -> str:
        count = self.shape.categories
        if count == 0:
            return f"Kategori {number:05d}"
        if count <= len(CATEGORIES):
            return CATEGORIES[number % count]
        return f"Kategori {number % count:04d}"

    def sentence(self, low: int | None = None, high: int | None = None) -> str:
        low = low if low is not None else self.shape.words[0]
        high = high if high is not None else self.shape.words[1]
        words = self.random.choices(self.words, k=self.random.randint(low, high))
        return (" ".join(words)).capitalize() + "."

    def line(self) -> str:
        return self.sentence(4, 8).rstrip(".")

    def sop(self, number: int, total: int) -> tuple[str, str]:
        r = self.random
        sop_id = f"CS-GEN-{number:05d}"
        related = sorted({f"CS-GEN-{r.randint(1, total):05d}" for _ in range(2)} - {sop_id})
        roles = ROLES[: r.randint(2, len(ROLES))]
        steps = []
        for index in range(r.randint(*self.shape.steps)):
            role = r.choice(roles)[0]
            details = " ".join(self.sentence() for _ in range(self.shape.details))
            step = [f"  - id: langkah-{index + 1}", f"    action: {_q(self.line())}",
                    f"    role: {role}", f"    within: {r.choice(DURATIONS)}",
                    f"    details: {_q(details)}"]
            if r.random() < self.shape.templates:
                step.append(f"    template: {_q('Halo [nama pelanggan], ' + self.sentence())}")
            steps.append("\n".join(step))
        duties = "\n".join(f"  - role: {slug}\n    title: {title}\n    responsibilities:\n"
                           f"      - {_q(self.sentence())}" for slug, title in roles)
        text = f"""# yaml-language-server: $schema=../build_tools/schema/sop.schema.json
id: {sop_id}
title: {_q(self.line())}
category: {_q(self.category(number))}
situation: {_q(self.sentence())}
owner: Kepala Layanan Pelanggan
status: active
version: "1.{r.randint(0, 9)}"
channels: [{", ".join(sorted(r.sample(CHANNELS, 2)))}]
related: [{", ".join(related)}]
purpose: {_q(self.sentence(12, 20))}
scope:
  applies_to:
    - {_q(self.sentence())}
  excludes:
    - {_q(self.sentence())}
duties:
{duties}
procedure:
{chr(10).join(steps)}
quality_standards:
  - standard: {_q(self.line())}
    target: 90% dalam {r.choice(["1 jam", "1 hari", "2 hari"])}
    measured_by: {_q(self.sentence())}
  - standard: {_q(self.line())}
    target: Nilai audit minimal 4 dari 5
    measured_by: {_q(self.sentence())}
escalation:
  triggers:
    - {_q(self.sentence())}
    - {_q(self.sentence())}
  levels:
    - to: Supervisor layanan pelanggan
      within: 4h
      when: {_q(self.sentence())}
    - to: Manajer operasional
      within: 1d
  keep_informed: {_q(self.sentence())}
feedback:
  collection:
    - {_q(self.sentence())}
  analysis: {_q(self.sentence())}
  metrics: [{", ".join(sorted(r.sample(METRICS, 3)))}]
maintenance:
  owner: Kepala Layanan Pelanggan
  review_cycle: 6 months
  last_reviewed: 2026-{r.randint(6, 10):02d}-{r.randint(1, 28):02d}
  change_communication: {_q(self.sentence())}
"""
        return sop_id, text

    def write(self, folder: Path, total: int) -> list[Path]:
        folder.mkdir(parents=True, exist_ok=True)
        paths = []
        for number in range(1, total + 1):
            sop_id, text = self.sop(number, total)
            path = folder / f"{sop_id}.yaml"
            path.write_text(text, "utf-8")
            paths.append(path)
        return paths
