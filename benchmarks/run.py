"""Benchmark: the knowledge base at N synthetic SOPs, against the floor it stands on.

    .venv/bin/python benchmarks/run.py                 # N = 100 and 1,000, 3 runs each
    .venv/bin/python benchmarks/run.py --sizes 100,1000,10000 --build-sizes 100,1000
    .venv/bin/python benchmarks/run.py --quick         # N = 100 only, 1 run (a smoke test)

Prints one table and writes it as JSON (``--json``, default benchmarks/results.json) so runs
can be compared between commits. Measures, as medians of several runs in one process run:
validation against parsing the same files with PyYAML's C loader; `mkdocs build` against a
plain build of the same pages written beforehand as Markdown with the same theme and no
plugin of ours (navigation: the home page only); site bytes; a rebuild after editing one
SOP; the search index and, in headless Chromium, the time from typing a query to the first
result; peak memory of validation and build (in child processes).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
KB = ROOT / "tests" / "fixtures" / "kb"
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate import Generator  # noqa: E402
from search_speed import TIME_QUERY, bench_search  # noqa: E402, F401 (offline.py imports TIME_QUERY from here)

BIN = Path(sys.executable).parent
ENV = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}


def median_times(*functions, repeat: int) -> list[float]:
    """The median time of each function, their runs alternated, so that a machine getting
    slower or faster during the run (shared cores) weighs on all alike."""
    times: list[list[float]] = [[] for _ in functions]
    for _ in range(repeat):
        for function, runs in zip(functions, times, strict=True):
            started = time.perf_counter()
            function()
            runs.append(time.perf_counter() - started)
    return [statistics.median(runs) for runs in times]


def size_of(folder: Path) -> int:
    return sum(path.stat().st_size for path in folder.rglob("*") if path.is_file())


def child_peak_mb(command: list[str], cwd: Path) -> tuple[float, float]:
    """Run ``command``; its wall time and peak resident memory (MB) of its largest process
    (``RUSAGE_CHILDREN``: MkDocs, Pagefind or the forked renderer, whichever is largest)."""
    seconds, largest, _ = tree_peak_mb(command, cwd)
    return seconds, largest


def tree_peak_mb(command: list[str], cwd: Path) -> tuple[float, float, float]:
    """Run ``command``; its wall time, the peak resident memory of its largest process (as
    :func:`child_peak_mb`) and the peak of all its processes together, sampled every 0.1 s
    from ``/proc`` (a build runs Pagefind and a forked renderer beside MkDocs), in MB."""
    import threading

    script = ("import resource, subprocess, sys, time; t = time.perf_counter(); "
              "subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL, "
              "stderr=subprocess.DEVNULL); print(time.perf_counter() - t, "
              "resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)")
    process = subprocess.Popen([sys.executable, "-c", script, *command], cwd=cwd, env=ENV,
                               stdout=subprocess.PIPE, text=True)
    peak = [0]

    def descendants(pid: int) -> list[int]:
        found = []
        try:
            for task in os.listdir(f"/proc/{pid}/task"):
                with open(f"/proc/{pid}/task/{task}/children") as children:
                    for child in children.read().split():
                        found += [int(child), *descendants(int(child))]
        except OSError:
            pass
        return found

    def sample() -> None:
        page = os.sysconf("SC_PAGE_SIZE")
        while process.poll() is None:
            total = 0
            for pid in descendants(process.pid):
                try:
                    with open(f"/proc/{pid}/statm") as statm:
                        total += int(statm.read().split()[1]) * page
                except OSError:
                    pass
            peak[0] = max(peak[0], total)
            time.sleep(0.1)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, _ = process.communicate()
    sampler.join()
    if process.returncode:
        raise subprocess.CalledProcessError(process.returncode, command)
    seconds, largest = (float(value) for value in out.split())
    return seconds, largest, peak[0] / 2**20


def make_project(folder: Path, count: int, generator: Generator | None = None) -> Path:
    """A site project (the fixture knowledge base's mkdocs.yml, docs/, reference/...) with
    ``count`` synthetic SOPs."""
    for name in ("docs", "reference", "search"):
        shutil.copytree(KB / name, folder / name)
    config = (KB / "mkdocs.yml").read_text("utf-8")
    config = config.replace("      training_dir: training\n", "")
    config = config.replace("  - training/index.md\n", "")
    config = config.replace("<!-- sop-kb: sop-list", "<!-- sop-kb: sop-list")
    (folder / "mkdocs.yml").write_text(config, "utf-8")
    home = folder / "docs" / "index.md"
    home.write_text(home.read_text("utf-8").replace(
        "<!-- sop-kb: sop-list CS-COMP-001 CS-COMP-002 CS-COMP-003 CS-CHAT-001 CS-EMAIL-001 "
        "CS-SOCMED-001 -->", "<!-- sop-kb: sop-list CS-GEN-00001 CS-GEN-00002 -->"), "utf-8")
    for name in ("complaint-types.yaml",):  # names shipped SOP ids; not part of this corpus
        (folder / "reference" / name).unlink()
    (folder / "mkdocs.yml").write_text(
        (folder / "mkdocs.yml").read_text("utf-8").replace("  - complaint-types.md\n", ""),
        "utf-8")
    (generator or Generator()).write(folder / "sops", count)
    return folder


def floor_project(project: Path, folder: Path) -> Path:
    """The same pages as Markdown files, the same theme, none of our plugin, nav: home only."""
    sys.path.insert(0, str(ROOT))
    from build_tools.rules.catalog import load_catalog
    from build_tools.site.pages import SitePages

    catalog = load_catalog([project / "sops"], reference_dir=project / "reference")
    docs = folder / "docs"
    shutil.copytree(project / "docs", docs)
    for uri, content in SitePages(catalog, "id").pages():
        path = docs / uri
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, "utf-8")
    (docs / "index.md").write_text("# Beranda\n", "utf-8")
    (folder / "mkdocs.yml").write_text(
        "site_name: Floor\ntheme:\n  name: material\n  language: id\n  font: false\n"
        "plugins: []\nmarkdown_extensions: [attr_list, tables, md_in_html, admonition, "
        "{toc: {permalink: true}}]\nnav:\n  - Beranda: index.md\n"
        "validation: {omitted_files: ignore, links: {not_found: ignore, anchors: ignore}}\n",
        "utf-8")
    return folder


def bench_validation(count: int, repeat: int, work: Path) -> dict:
    import yaml

    from build_tools.rules.catalog import load_catalog
    from build_tools.speed.collector import no_cycle_collection

    folder = work / f"validate-{count}"
    paths = Generator().write(folder, count)

    def floor() -> None:
        for path in paths:
            yaml.load(path.read_text("utf-8"), Loader=yaml.CSafeLoader)

    def ours() -> None:  # as sopkb and the plugin load: the cycle collector off
        with no_cycle_collection():
            catalog = load_catalog([folder])
        assert not catalog.errors, catalog.errors[:3]

    floor_s, ours_s = median_times(floor, ours, repeat=repeat)
    return {"n": count, "floor_s": round(floor_s, 3), "validate_s": round(ours_s, 3),
            "ratio": round(ours_s / floor_s, 2), "per_sop_ms": round(1000 * ours_s / count, 2)}


def bench_build(count: int, repeat: int, work: Path) -> dict:
    project = make_project(work / f"build-{count}", count)
    floor = floor_project(project, work / f"floor-{count}")

    def build(where: Path) -> None:
        subprocess.run([str(BIN / "mkdocs"), "build", "--quiet"], cwd=where, env=ENV,
                       check=True, capture_output=True)

    ours_s, floor_s = median_times(lambda: build(project), lambda: build(floor),
                                   repeat=repeat)
    ours_bytes, floor_bytes = size_of(project / "site"), size_of(floor / "site")
    result = {"n": count, "floor_build_s": round(floor_s, 2), "build_s": round(ours_s, 2),
              "build_ratio": round(ours_s / floor_s, 2), "floor_mb": round(floor_bytes / 1e6, 1),
              "site_mb": round(ours_bytes / 1e6, 1),
              "bytes_ratio": round(ours_bytes / floor_bytes, 2),
              "search_index_mb": round(size_of(project / "site" / "pagefind") / 1e6, 2)}
    result.update(bench_rebuild(project))
    return result


def bench_rebuild(project: Path) -> dict:
    """Under `mkdocs serve --livereload --dirty` (the README's command): seconds from saving
    an edited SOP to MkDocs' "Reloading browsers", the median of three edits of each kind;
    each edit is checked on the served page.

    Measured twice. ``rebuild_after_edit_s`` and ``rebuild_after_title_edit_s``: one edit
    of a settled server, made once the search index of the unedited site is served again
    (a writer saving, reading the page, saving again). ``..._back_to_back_s``: an edit saved
    a second after the previous one was served, while the search index of that one is
    still being written beside the rebuild (a writer saving twice in quick succession)."""
    import queue
    import socket
    import threading
    import urllib.request

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    process = subprocess.Popen(
        [str(BIN / "mkdocs"), "serve", "--livereload", "--dirty", "--dev-addr",
         f"127.0.0.1:{port}"], cwd=project, env=ENV, stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE, text=True)
    lines: queue.Queue[tuple[float, str]] = queue.Queue()
    threading.Thread(target=lambda: [lines.put((time.perf_counter(), line))
                                     for line in process.stderr], daemon=True).start()

    def wait(text: str) -> float:
        while True:
            moment, line = lines.get(timeout=600)
            if text in line:
                return moment

    def served_index() -> bytes | None:
        try:
            return urllib.request.urlopen(
                f"http://127.0.0.1:{port}/pagefind/pagefind-entry.json").read()
        except OSError:
            return None

    def settle(index: bytes | None) -> bytes:
        """Wait until the served search index is ``index`` (any, if None) and stays so."""
        deadline = time.perf_counter() + 600
        while time.perf_counter() < deadline:
            now = served_index()
            if now is not None and (index is None or now == index):
                time.sleep(2)
                if served_index() == now:
                    return now
            time.sleep(0.25)
        raise TimeoutError("the search index did not settle within 600 s")

    result = {}
    try:
        started = time.perf_counter()
        result["serve_first_build_s"] = round(wait("Serving on") - started, 1)
        time.sleep(10)  # the first search index is written in the background
        unedited = settle(None)
        path = project / "sops" / "CS-GEN-00001.yaml"
        original = path.read_text("utf-8")
        for mode in ("", "_back_to_back"):
            for label, field in (("rebuild_after_edit", "purpose: "),
                                 ("rebuild_after_title_edit", "title: ")):
                times = []
                for run in range(3):
                    if not mode:
                        settle(unedited)
                    path.write_text(original.replace(field, f"{field}Edisi{run} ", 1), "utf-8")
                    saved = time.perf_counter()
                    times.append(wait("Reloading browsers") - saved)
                    url = f"http://127.0.0.1:{port}/sop/cs-gen-00001/"
                    assert f"Edisi{run}" in urllib.request.urlopen(url).read().decode()
                    if not mode:
                        settle(None)  # the edited page's index, before the edit is undone
                    path.write_text(original, "utf-8")
                    wait("Reloading browsers")
                    time.sleep(1)
                result[f"{label}{mode}_s"] = round(statistics.median(times), 2)
    finally:
        process.terminate()
        process.wait()
    return result


def bench_memory(count: int, work: Path, with_build: bool) -> dict:
    folder = work / f"memory-{count}"
    Generator().write(folder, count)
    seconds, peak = child_peak_mb([str(BIN / "sopkb"), "validate", "--reference", "none",
                                   "--training", "none", "--synonyms", "none", str(folder)],
                                  cwd=work)
    result = {"n": count, "validate_cli_s": round(seconds, 1), "validate_peak_mb": round(peak)}
    if with_build:
        project = make_project(work / f"memory-build-{count}", count)
        seconds, peak = child_peak_mb([str(BIN / "mkdocs"), "build", "--quiet"], cwd=project)
        result.update(build_s=round(seconds, 1), build_peak_mb=round(peak))
    return result


def machine() -> dict:
    return {"python": platform.python_version(), "platform": platform.platform(),
            "cpus": os.cpu_count(), "processor": platform.processor() or platform.machine()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="100,1000,10000", help="N for validation")
    parser.add_argument("--build-sizes", default="100,1000", help="N for builds")
    parser.add_argument("--memory-size", type=int, default=10000,
                        help="N for peak memory of validation (0: skip)")
    parser.add_argument("--memory-build", action="store_true",
                        help="also measure a build at --memory-size (slow)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per validation median")
    parser.add_argument("--build-repeat", type=int, default=1, help="runs per build median")
    parser.add_argument("--search-repeat", type=int, default=5,
                        help="browser contexts per search median")
    parser.add_argument("--quick", action="store_true", help="N = 100, one run")
    parser.add_argument("--json", type=Path, default=ROOT / "benchmarks" / "results.json")
    args = parser.parse_args()
    if args.quick:
        args.sizes, args.build_sizes, args.memory_size, args.repeat = "100", "100", 0, 1
        args.build_repeat = args.search_repeat = 1
    results: dict = {"machine": machine(), "validation": [], "build": [], "memory": {},
                     "search": {}}
    with tempfile.TemporaryDirectory(prefix="sopkb-bench-") as temp:
        work = Path(temp)
        for count in map(int, args.sizes.split(",")):
            results["validation"].append(bench_validation(count, args.repeat, work))
            print(results["validation"][-1], flush=True)
        for count in map(int, args.build_sizes.split(",")):
            results["build"].append(bench_build(count, args.build_repeat, work))
            print(results["build"][-1], flush=True)
        largest = max(map(int, args.build_sizes.split(",")))
        results["search"] = {"n": largest, **bench_search(largest, work, args.search_repeat)}
        print(results["search"], flush=True)
        if args.memory_size:
            results["memory"] = bench_memory(args.memory_size, work, args.memory_build)
            print(results["memory"], flush=True)
    args.json.write_text(json.dumps(results, indent=2) + "\n", "utf-8")
    print_table(results)


def print_table(results: dict) -> None:
    print("\n| measure | N | ours | floor | ratio |\n|---|---|---|---|---|")
    for row in results["validation"]:
        print(f"| validation (s) | {row['n']} | {row['validate_s']} | {row['floor_s']} | "
              f"{row['ratio']} |")
    for row in results["build"]:
        print(f"| build (s) | {row['n']} | {row['build_s']} | {row['floor_build_s']} | "
              f"{row['build_ratio']} |")
        print(f"| site (MB) | {row['n']} | {row['site_mb']} | {row['floor_mb']} | "
              f"{row['bytes_ratio']} |")
        print(f"| rebuild after one edit (s) | {row['n']} | {row['rebuild_after_edit_s']} | | |")
        print(f"| rebuild after a title edit (s) | {row['n']} | "
              f"{row['rebuild_after_title_edit_s']} | | |")
        print(f"| rebuild after an edit, back to back (s) | {row['n']} | "
              f"{row['rebuild_after_edit_back_to_back_s']} | | |")
        print(f"| rebuild after a title edit, back to back (s) | {row['n']} | "
              f"{row['rebuild_after_title_edit_back_to_back_s']} | | |")
        print(f"| search index (MB) | {row['n']} | {row['search_index_mb']} | | |")
    search = results["search"]
    for key in ("first_query_ms", "first_query_before_load_ms", "next_query_ms",
                "third_query_ms", "search_bytes_loaded_kb"):
        if key in search:
            runs = search.get(key.removesuffix("_ms") + "_runs_ms")
            spread = f" ({min(runs)}–{max(runs)})" if runs else ""
            print(f"| search: {key} | {search['n']} | {search[key]}{spread} | | |")
    memory = results["memory"]
    for key in ("validate_cli_s", "validate_peak_mb", "build_s", "build_peak_mb"):
        if key in memory:
            print(f"| {key} | {memory['n']} | {memory[key]} | | |")


if __name__ == "__main__":
    main()
