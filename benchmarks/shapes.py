"""Benchmark across shapes of knowledge base: the targets on small, typical and large SOPs,
navigation bytes per page against the number of categories, and a build at 10,000 SOPs
against the floor's time and memory.

    .venv/bin/python benchmarks/shapes.py                       # everything (slow)
    .venv/bin/python benchmarks/shapes.py --only nav            # one part: targets, nav, big
    .venv/bin/python benchmarks/shapes.py --only big --big-shape small --big-shape large

Every figure is ours beside its floor, measured alternately in one run: validation against
parsing the same files with PyYAML's C loader, a build against a plain MkDocs build of the
same pages with the same theme (benchmarks/run.py, floor_project), site bytes likewise.
Results go to benchmarks/shapes.json.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate import SHAPES, Generator, Shape  # noqa: E402
from run import (  # noqa: E402
    BIN,
    ENV,
    ROOT,
    floor_project,
    machine,
    make_project,
    median_times,
    size_of,
    tree_peak_mb,
)

TARGETS = {"validation_ratio": 1.5, "build_ratio": 1.25, "bytes_ratio": 1.5,
           "build_memory_ratio": 1.5}


def build(where: Path) -> None:
    subprocess.run([str(BIN / "mkdocs"), "build", "--quiet"], cwd=where, env=ENV, check=True,
                   capture_output=True)


def validation(count: int, shape: Shape, work: Path, repeat: int) -> dict:
    import yaml

    from build_tools.rules.catalog import load_catalog
    from build_tools.speed.collector import no_cycle_collection

    folder = work / f"validate-{shape.name}-{count}"
    paths = Generator(shape=shape).write(folder, count)

    def floor() -> None:
        for path in paths:
            yaml.load(path.read_text("utf-8"), Loader=yaml.CSafeLoader)

    def ours() -> None:  # as sopkb and the plugin load: the cycle collector off
        with no_cycle_collection():
            assert not load_catalog([folder]).errors

    floor_s, ours_s = median_times(floor, ours, repeat=repeat)
    return {"validate_s": round(ours_s, 2), "floor_s": round(floor_s, 2),
            "validation_ratio": round(ours_s / floor_s, 2)}


def build_pair(count: int, shape: Shape, work: Path, repeat: int) -> dict:
    project = make_project(work / f"build-{shape.name}-{count}", count,
                           Generator(shape=shape))
    floor = floor_project(project, work / f"floor-{shape.name}-{count}")
    ours_s, floor_s = median_times(lambda: build(project), lambda: build(floor),
                                   repeat=repeat)
    ours_b, floor_b = size_of(project / "site"), size_of(floor / "site")
    pages = sorted((project / "site" / "sop").glob("cs-gen-*/index.html"))
    return {"build_s": round(ours_s, 1), "floor_build_s": round(floor_s, 1),
            "build_ratio": round(ours_s / floor_s, 2), "site_mb": round(ours_b / 1e6, 1),
            "floor_mb": round(floor_b / 1e6, 1), "bytes_ratio": round(ours_b / floor_b, 2),
            "sop_page_kb": round(statistics.median(p.stat().st_size for p in pages) / 1e3, 1)}


def navigation(work: Path) -> dict:
    """Bytes of an SOP page and of a category page with 10 and 1,000 categories."""
    found = {}
    for categories in (10, 1000):
        shape = Shape(f"nav{categories}", categories=categories)
        project = make_project(work / f"nav-{categories}", 1000, Generator(shape=shape))
        build(project)
        site = project / "site"
        sop_pages = sorted((site / "sop").glob("cs-gen-*/index.html"))
        category_pages = sorted((site / "category").glob("*/index.html"))
        found[str(categories)] = {
            "sop_page_kb": round(statistics.median(p.stat().st_size for p in sop_pages) / 1e3, 1),
            "category_page_kb": round(statistics.median(
                p.stat().st_size for p in category_pages) / 1e3, 1),
            "site_mb": round(size_of(site) / 1e6, 1)}
    return found


def big(count: int, work: Path, shape_name: str = "typical") -> dict:
    """Build time and peak memory at ``count`` SOPs of one shape, ours against the floor's."""
    shape = SHAPES[shape_name]
    project = make_project(work / f"big-{shape_name}-{count}", count, Generator(shape=shape))
    floor = floor_project(project, work / f"big-floor-{shape_name}-{count}")
    ours_s, ours_mb, ours_all = tree_peak_mb([str(BIN / "mkdocs"), "build", "--quiet"], project)
    floor_s, floor_mb, floor_all = tree_peak_mb([str(BIN / "mkdocs"), "build", "--quiet"], floor)
    return {"n": count, "shape": shape_name, "build_s": round(ours_s),
            "floor_build_s": round(floor_s),
            "build_ratio": round(ours_s / floor_s, 2), "peak_mb": round(ours_mb),
            "floor_peak_mb": round(floor_mb), "build_memory_ratio": round(ours_mb / floor_mb, 2),
            "peak_all_processes_mb": round(ours_all),
            "floor_peak_all_processes_mb": round(floor_all),
            "all_processes_ratio": round(ours_all / floor_all, 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", choices=["targets", "nav", "big"], action="append")
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--validation-count", type=int, default=10000)
    parser.add_argument("--big-count", type=int, default=10000)
    parser.add_argument("--big-shape", action="append", choices=sorted(SHAPES),
                        help="shape(s) built at --big-count (default: typical)")
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--json", type=Path, default=ROOT / "benchmarks" / "shapes.json")
    args = parser.parse_args()
    parts = args.only or ["targets", "nav", "big"]
    results: dict = json.loads(args.json.read_text("utf-8")) if args.json.exists() else {}
    results["machine"] = machine()
    results["targets"] = TARGETS
    with tempfile.TemporaryDirectory(prefix="sopkb-shapes-") as temp:
        work = Path(temp)
        if "targets" in parts:
            results["shapes"] = {}
            for name, shape in SHAPES.items():
                row = {"shape": name, **validation(args.validation_count, shape, work,
                                                   args.repeat)}
                row.update(build_pair(args.count, shape, work, args.repeat))
                results["shapes"][name] = row
                print(row, flush=True)
        if "nav" in parts:
            results["navigation"] = navigation(work)
            print(results["navigation"], flush=True)
        if "big" in parts:
            for shape_name in args.big_shape or ["typical"]:
                key = "big" if shape_name == "typical" else f"big-{shape_name}"
                results[key] = big(args.big_count, work, shape_name)
                print(results[key], flush=True)
    args.json.write_text(json.dumps(results, indent=2) + "\n", "utf-8")


if __name__ == "__main__":
    main()
