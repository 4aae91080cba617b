"""A knowledge base with a history: a real git repository whose commits are made on chosen
days (GIT_AUTHOR_DATE / GIT_COMMITTER_DATE), with pull requests merged into main, a file
moved into a folder whose name is not ASCII, a retired SOP, a removed one, a commit that
does not parse, an effective day in the past and one in the future.

The story, on main (every commit at 09:00 +07:00):

    2026-01-05  CS-COMP-002 1.0 (history also lists 0.9 of 2025-06-01, older than the
                repository; 1.0 has a key today's schema refuses), CS-ORDER-001 1.0,
                reference/owners.yaml
    2026-01-25  docs only
    2026-02-01  merge of branch chat (commit of 2026-01-20: CS-CHAT-001 1.0 added)
    2026-03-02  merge of branch comp-11 (commits of 2026-02-10: CS-COMP-002 1.1, and
                2026-02-12: its wording)
    2026-03-10  CS-COMP-002 1.1 corrected without a new version
    2026-03-20  CS-COMP-002 moved to "sops/keluhan-lama/"
    2026-03-31  reference/owners.yaml: Kepala Layanan Pelanggan now approved by @rina
    2026-04-01  CS-COMP-002 1.2, effective 2026-04-15
    2026-04-20  CS-CHAT-001 1.1, retired
    2026-04-25  CS-ORDER-001 broken (does not parse)
    2026-05-01  CS-ORDER-001 removed
    2026-05-10  CS-COMP-002 1.3 (history also lists 1.2.1, never committed), effective
                2026-07-01
"""

from __future__ import annotations

import os
import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from conftest import SOPS, replace_key
from corpus import standalone

MOVED = "sops/keluhan-lama/CS-COMP-002.yaml"
OWNERS_BEFORE = ('owners:\n  Kepala Layanan Pelanggan: ["@example/cs-leads"]\n'
                 '  Koordinator Kanal Digital: ["@example/digital-channels", "@budi"]\n'
                 '  Koordinator Penjualan Daring: ["@example/online-sales"]\n'
                 'maintainers:\n  "*": ["@example/kb-maintainers"]\n')
OWNERS_AFTER = OWNERS_BEFORE.replace('["@example/cs-leads"]', '["@rina"]')
#: The day the tests take as today: CS-COMP-002 1.2 in force, 1.3 not yet.
TODAY = "2026-06-01"


def when(day: str) -> str:
    """A day's commits are made at 09:00 in Jakarta, unless a moment is given."""
    return day if "T" in day else f"{day}T09:00:00+07:00"


def sop(sop_id: str, version: str, entries: list[tuple[str, ...]], *, status: str = "active",
        extra: str = "") -> str:
    """A fixture SOP (without links to SOPs this repository lacks) at ``version`` with
    ``history`` entries ``(version, date[, effective])``, newest first."""
    text = standalone((SOPS / f"{sop_id}.yaml").read_text("utf-8"))
    text = re.sub(r'(?m)^version: ".*"$', f'version: "{version}"', text, count=1)
    text = re.sub(r"(?m)^status: .*$", f"status: {status}", text, count=1)
    lines = ["history:"]
    for version_, date, *effective in entries:
        lines += [f'  - version: "{version_}"', f"    date: {date}",
                  "    author: Kepala Layanan Pelanggan",
                  f"    summary: Perubahan versi {version_} untuk diuji."]
        lines += [f"    effective: {effective[0]}"] if effective else []
    return replace_key(text, "history", "\n".join(lines)) + extra


@dataclass
class Repo:
    path: Path
    commits: dict[str, str] = field(default_factory=dict)

    def git(self, *args: str, day: str | None = None) -> str:
        env = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
        if day is not None:
            env |= {"GIT_AUTHOR_DATE": when(day), "GIT_COMMITTER_DATE": when(day)}
        result = subprocess.run(["git", "-C", str(self.path), "-c", "user.name=Penulis",
                                 "-c", "user.email=penulis@example.invalid", *args],
                                capture_output=True, text=True, env=env, check=True)
        return result.stdout.strip()

    def write(self, relative: str, text: str) -> None:
        path = self.path / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, "utf-8")

    def commit(self, name: str, day: str) -> str:
        self.git("add", "-A")
        self.git("commit", "-q", "-m", name, day=day)
        self.commits[name] = self.git("rev-parse", "HEAD")
        return self.commits[name]

    def merge(self, branch: str, name: str, day: str) -> str:
        self.git("merge", "-q", "--no-ff", branch, "-m", name, day=day)
        self.commits[name] = self.git("rev-parse", "HEAD")
        return self.commits[name]


COMP = [("1.0", "2026-01-02"), ("0.9", "2025-06-01")]


def build(path: Path) -> Repo:
    repo = Repo(path)
    path.mkdir(parents=True, exist_ok=True)
    repo.git("init", "-q", "-b", "main")
    repo.write("sops/CS-COMP-002.yaml", sop("CS-COMP-002", "1.0", COMP,
                                            extra="catatan_lama: Kolom yang kini tidak dikenal.\n"))
    repo.write("sops/CS-ORDER-001.yaml", sop("CS-ORDER-001", "1.0", [("1.0", "2025-12-20")]))
    repo.write("reference/owners.yaml", OWNERS_BEFORE)
    repo.commit("first", "2026-01-05")
    repo.git("checkout", "-q", "-b", "chat")
    repo.write("sops/CS-CHAT-001.yaml", sop("CS-CHAT-001", "1.0", [("1.0", "2026-01-20")]))
    repo.commit("chat 1.0", "2026-01-20")
    repo.git("checkout", "-q", "main")
    repo.write("docs/index.md", "# Beranda\n")
    repo.commit("docs", "2026-01-25")
    repo.merge("chat", "merge chat", "2026-02-01")
    repo.git("checkout", "-q", "-b", "comp-11")
    comp_11 = [("1.1", "2026-02-10"), *COMP]
    repo.write("sops/CS-COMP-002.yaml", sop("CS-COMP-002", "1.1", comp_11))
    repo.commit("comp 1.1", "2026-02-10")
    situation = "situation: Pelanggan melapor barang yang diterimanya rusak"
    text = sop("CS-COMP-002", "1.1", comp_11).replace(situation, f"{situation} atau cacat")
    assert "rusak atau cacat" in text
    repo.write("sops/CS-COMP-002.yaml", text)
    repo.commit("comp 1.1 wording", "2026-02-12")
    repo.git("checkout", "-q", "main")
    repo.merge("comp-11", "merge comp-11", "2026-03-02")
    repo.write("sops/CS-COMP-002.yaml", text.replace("rusak atau cacat", "rusak, cacat", 1))
    repo.commit("comp 1.1 typo", "2026-03-10")
    (path / MOVED).parent.mkdir()
    (path / "sops" / "CS-COMP-002.yaml").rename(path / MOVED)
    repo.commit("move comp", "2026-03-20")
    repo.write("reference/owners.yaml", OWNERS_AFTER)
    repo.commit("owners", "2026-03-31")
    comp_12 = [("1.2", "2026-03-28", "2026-04-15"), *comp_11]
    repo.write(MOVED, sop("CS-COMP-002", "1.2", comp_12))
    repo.commit("comp 1.2", "2026-04-01")
    repo.write("sops/CS-CHAT-001.yaml", sop("CS-CHAT-001", "1.1", [
        ("1.1", "2026-04-20"), ("1.0", "2026-01-20")], status="retired"))
    repo.commit("chat retired", "2026-04-20")
    repo.write("sops/CS-ORDER-001.yaml", "id: CS-ORDER-001\ntitle: [tidak ditutup\n")
    repo.commit("order broken", "2026-04-25")
    (path / "sops" / "CS-ORDER-001.yaml").unlink()
    repo.commit("order removed", "2026-05-01")
    repo.write(MOVED, sop("CS-COMP-002", "1.3", [("1.3", "2026-05-08", "2026-07-01"),
                                                 ("1.2.1", "2026-05-05"), *comp_12]))
    repo.commit("comp 1.3", "2026-05-10")
    return repo
