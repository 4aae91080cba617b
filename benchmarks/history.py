"""Benchmark: reading the history of N SOPs with V versions each, as the site build does.

    .venv/bin/python benchmarks/history.py                  # 1,000 SOPs x 5 versions
    .venv/bin/python benchmarks/history.py --count 100 --versions 3 --repeat 1
    .venv/bin/python benchmarks/history.py --site            # and the site, with/without
    .venv/bin/python benchmarks/history.py --site --rewrite  # every version a new text

Builds a repository with ``git fast-import`` (seconds, instead of minutes of ``git commit``):
each version of each SOP (``generate.py``'s text, revised per version as
:func:`version_text` says, a ``history`` entry per version) is a
pull request, one commit on a branch merged into main by a merge commit, a minute apart,
versions in rounds (every SOP's 1.0, then every 1.1, ...). Then times, as medians of
``--repeat`` runs: :func:`~build_tools.source.history.read_history` (one ``git log``, one
``git cat-file --batch``, every blob loaded; wall time, and CPU time of Python and git) and
:func:`~build_tools.model.timelines.timelines` over it; and the peak memory of a process
that does both once.
"""

from __future__ import annotations

import argparse
import datetime
import json
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate import Generator  # noqa: E402

from build_tools.model.timelines import timelines  # noqa: E402
from build_tools.source.history import read_history  # noqa: E402

START = datetime.datetime(2024, 1, 1, 9, tzinfo=datetime.UTC)


def version_text(generator: Generator, number: int, count: int, version: int,
                 base: dict[int, str], rewrite: bool = False) -> str:
    """SOP ``number``'s text at its ``version``-th version (1.0, 1.1, ...), with history.

    A version revises the one before as writers do: it rewords one step and changes
    another's target time (version ``v`` rewords step ``v`` and retimes step ``v + 1``),
    the rest as it was. ``rewrite``: every version a new text instead (no sentence kept
    from one version to the next), the worst case for a build."""
    if rewrite or number not in base:
        _, text = generator.sop(number, count)
        base.setdefault(number, text)
    if not rewrite:
        text = base[number]
        for revision in range(1, version + 1):
            text = _revised(text, revision)
    text = re.sub(r'(?m)^version: ".*"$', f'version: "1.{version}"', text, count=1)
    # Dates in the past of any day the benchmark runs on (a date ahead is refused).
    entries = "".join(f'  - version: "1.{v}"\n    date: {2015 + v}-01-0{1 + v % 9}\n'
                      f"    author: Kepala Layanan Pelanggan\n"
                      f"    summary: Perubahan ke-{v + 1} untuk pengukuran.\n"
                      for v in range(version, -1, -1))
    return text + "history:\n" + entries


def _revised(text: str, revision: int) -> str:
    """``text`` with step ``revision``'s action reworded and step ``revision + 1``'s
    target time changed (each left alone where the SOP has no such step)."""
    text = re.sub(rf'(?m)^(  - id: langkah-{revision}\n    action: ".*?)"$',
                  rf'\1, lalu catat hasilnya (revisi {revision})"', text, count=1)
    return re.sub(rf"(?m)^(  - id: langkah-{revision + 1}\n(?:    .*\n)*?    within: ).*$",
                  r"\g<1>2h", text, count=1)


def _data(payload: bytes) -> bytes:
    return b"data %d\n%s\n" % (len(payload), payload)


def make_repository(folder: Path, count: int, versions: int, rewrite: bool = False) -> int:
    """A repository in ``folder``: ``count`` SOPs, ``versions`` versions each, every version
    merged from a branch (``rewrite``: see :func:`version_text`). The number of commits."""
    subprocess.run(["git", "init", "-q", "-b", "main", str(folder)], check=True)
    generator = Generator(seed=11)
    base: dict[int, str] = {}
    stream = bytearray()
    mark = 0
    main: int | None = None
    moment = START
    for version in range(versions):
        for number in range(1, count + 1):
            text = version_text(generator, number, count, version, base, rewrite).encode()
            path = f"sops/CS-GEN-{number:05d}.yaml".encode()
            mark += 1
            blob = mark
            stream += b"blob\nmark :%d\n" % blob + _data(text)
            for kind in ("side", "merge"):
                mark += 1
                moment += datetime.timedelta(minutes=1)
                stamp = b"%d +0700" % int(moment.timestamp())
                ref = b"refs/heads/main" if kind == "merge" else b"refs/heads/pr"
                stream += b"commit %s\nmark :%d\n" % (ref, mark)
                stream += b"author Penulis <p@example.invalid> %s\n" % stamp
                stream += b"committer Penulis <p@example.invalid> %s\n" % stamp
                stream += _data(b"%s CS-GEN-%05d 1.%d" % (kind.encode(), number, version))
                if main is not None:
                    stream += b"from :%d\n" % main
                if kind == "merge":
                    stream += b"merge :%d\n" % (mark - 1)
                stream += b"M 100644 :%d %s\n\n" % (blob, path)
                if kind == "merge":
                    main = mark
    subprocess.run(["git", "-C", str(folder), "fast-import", "--quiet"], input=bytes(stream),
                   check=True)
    subprocess.run(["git", "-C", str(folder), "reset", "-q", "--hard", "main"], check=True)
    return mark - count * versions


def _peak_mb(folder: Path) -> float:
    code = ("import sys, resource; sys.path.insert(0, sys.argv[2]);"
            "from build_tools.source.history import read_history;"
            "from build_tools.model.timelines import timelines;"
            "from pathlib import Path; timelines(read_history(Path(sys.argv[1])))")
    subprocess.run([sys.executable, "-c", code, str(folder / "sops"), str(ROOT)], check=True)
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def _cpu() -> float:
    """CPU seconds used so far by this process and its finished children (git): less
    sensitive than wall time to other work on a shared machine."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def bench_history(count: int = 1000, versions: int = 5, repeat: int = 3,
                  work: Path | None = None, rewrite: bool = False) -> dict[str, object]:
    """Build the repository, then time reading its history; the figures as a dict."""
    with tempfile.TemporaryDirectory(dir=work) as temporary:
        folder = Path(temporary) / "kb"
        started = time.perf_counter()
        commits = make_repository(folder, count, versions, rewrite)
        built = time.perf_counter() - started
        reads, cpu, builds = [], [], []
        for _ in range(repeat):
            started, used = time.perf_counter(), _cpu()
            history = read_history(folder / "sops")
            reads.append(time.perf_counter() - started)
            cpu.append(_cpu() - used)
            started = time.perf_counter()
            found = timelines(history)
            builds.append(time.perf_counter() - started)
        assert len(found) == count and all(len(t.versions) == versions for t in found.values())
        return {"sops": count, "versions": versions, "rewrite": rewrite, "commits": commits,
                "changes": len(history.changes), "repository_seconds": round(built, 2),
                "read_history_seconds": round(statistics.median(reads), 2),
                "read_history_cpu_seconds": round(statistics.median(cpu), 2),
                "timelines_seconds": round(statistics.median(builds), 3),
                "runs": repeat, "peak_memory_mb": round(_peak_mb(folder))}


def bench_site(count: int = 1000, versions: int = 5, repeat: int = 1,
               work: Path | None = None, rewrite: bool = False) -> dict[str, object]:
    """The site of that repository built with its versions published (every version page,
    the in-force page) and without (``history: false``), alternately: build times (medians)
    and bytes, and what a version page weighs beside its SOP's page."""
    from run import ENV, make_project, median_times, size_of

    with tempfile.TemporaryDirectory(dir=work) as temporary:
        folder = Path(temporary) / "kb"
        make_repository(folder, count, versions, rewrite)
        site = make_project(Path(temporary) / "project", 0)
        for name in ("docs", "reference", "search", "mkdocs.yml"):
            (site / name).rename(folder / name)
        config = folder / "mkdocs.yml"
        with_history = config.read_text("utf-8").replace("      history: false\n", "")
        without = with_history.replace("      sops_dir: sops\n",
                                       "      sops_dir: sops\n      history: false\n", 1)

        def build(text: str, output: str) -> None:
            config.write_text(text, "utf-8")
            subprocess.run([str(ROOT / ".venv" / "bin" / "mkdocs"), "build", "--quiet",
                            "--site-dir", output], cwd=folder, env=ENV, check=True,
                           capture_output=True)

        ours_s, plain_s = median_times(lambda: build(with_history, "with"),
                                       lambda: build(without, "without"), repeat=repeat)
        ours, plain = size_of(folder / "with"), size_of(folder / "without")
        page = folder / "with" / "sop" / "cs-gen-00001"
        return {"sops": count, "versions": versions, "rewrite": rewrite, "runs": repeat,
                "build_with_versions_s": round(ours_s, 1),
                "build_without_s": round(plain_s, 1), "time_ratio": round(ours_s / plain_s, 2),
                "site_with_versions_mb": round(ours / 1e6, 1),
                "site_without_mb": round(plain / 1e6, 1), "bytes_ratio": round(ours / plain, 2),
                "version_pages": sum(1 for _ in (folder / "with" / "sop").glob("*/v/*/")),
                "sop_page_kb": round((page / "index.html").stat().st_size / 1000, 1),
                "version_page_kb": round(next((page / "v").glob("*/index.html")).stat()
                                         .st_size / 1000, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--versions", type=int, default=5)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--site", action="store_true",
                        help="Also build the site with and without its versions published.")
    parser.add_argument("--rewrite", action="store_true",
                        help="Every version a new text, not a revision of the one before.")
    args = parser.parse_args()
    results = {"history": bench_history(args.count, args.versions, args.repeat,
                                        rewrite=args.rewrite)}
    if args.site:
        results["site"] = bench_site(args.count, args.versions, max(1, args.repeat // 3),
                                     rewrite=args.rewrite)
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
