"""Search evaluation: do agents' questions find the SOP (and the step) that answers them?

    .venv/bin/python benchmarks/search_eval.py            # both halves, both engines
    .venv/bin/python benchmarks/search_eval.py --split dev --failures

Builds the shipped knowledge base twice, as shipped and as the baseline engine (Pagefind
alone: no dictionary roots, no synonyms, the query as typed, every word required), opens
each in headless Chromium and asks every question of ``benchmarks/search/questions.yaml``
(and of the later sets ``questions-2.yaml`` to ``questions-7.yaml``) through the same
function the search box uses (``window.sopKbSearch.rank``). Reports, per half (``dev``:
tuned on; ``test``: only measured) and engine: top-1 and top-3 (the right SOP first /
among the first three results), MRR over the first eight, and, for questions that name a
step, the share whose first result for the right SOP opens that step.

The halves are fixed by a hash of each question's text, not chosen by hand.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

#: The question sets in the order written, each committed before its first run after the
#: earlier sets' test halves had been measured (see each file's header): the first set,
#: then ``questions-2.yaml`` to ``questions-7.yaml``.
QUESTION_SETS = [ROOT / "benchmarks" / "search" / "questions.yaml"] + [
    ROOT / "benchmarks" / "search" / f"questions-{number}.yaml" for number in range(2, 8)]
RESULTS = ROOT / "benchmarks" / "search" / "results.json"
BIN = Path(sys.executable).parent
TARGETS = {"top3": 0.95, "top1": 0.80, "step": 0.70}

#: The baseline: Pagefind's own search of the query as typed, best section by match count.
BASELINE_RANK = """async ([query, limit]) => {
  const base = new URL('/', location.href);
  const pagefind = await import(new URL('pagefind/pagefind.js', base).href);
  await pagefind.options({baseUrl: '/'});
  const search = await pagefind.search(query);
  const found = await Promise.all(search.results.slice(0, limit).map(r => r.data()));
  return {results: found.map(data => {
    let best = null;
    for (const sub of data.sub_results || []) {
      const weight = (sub.locations || []).length - (sub.url === data.url ? 0.5 : 0);
      if (!best || weight > best.weight) best = {sub, weight};
    }
    return {url: new URL((best ? best.sub : data).url.replace(/^\\//, ''), base).href};
  })};
}"""
OURS_RANK = "([query, limit]) => window.sopKbSearch.rank(query, limit)"


def split_of(question: str) -> str:
    return "test" if hashlib.sha1(question.encode("utf-8")).hexdigest()[0] in "01234567" \
        else "dev"


def questions() -> list[dict[str, str]]:
    items = []
    for number, path in enumerate(QUESTION_SETS, 1):
        for item in yaml.safe_load(path.read_text("utf-8")):
            items.append({**item, "split": split_of(item["q"]), "set": str(number)})
    return items


def report_key(engine: str, half: str, question_set: str) -> str:
    """``ours/test`` for the first set (as before the second existed), ``ours/test-2`` and
    ``ours/test-3`` to ``ours/test-7`` for the later ones, ``ours/test-both`` for the first
    two together (as before the third existed), ``ours/test-all`` for the first three (as
    before the fourth existed), ``ours/test-all4`` for the first four, ``ours/test-all5``
    for the first five, ``ours/test-all6`` for the first six, ``ours/test-all7`` for the
    seven."""
    return f"{engine}/{half}" + ("" if question_set == "1" else f"-{question_set}")


def reported_groups(count: int) -> list[tuple[str, str]]:
    """``(name, set numbers)`` of what is reported: each set alone, then the first two
    (``both``), three (``all``), and ``all4`` up to all ``count`` of them together."""
    numbers = "".join(str(number) for number in range(1, count + 1))
    return [(n, n) for n in numbers] + [("both", numbers[:2]), ("all", numbers[:3])] + [
        (f"all{k}", numbers[:k]) for k in range(4, count + 1)]


def build(project: Path, site: Path, baseline: bool) -> None:
    for name in ("docs", "sops", "reference", "search", "training"):
        shutil.copytree(ROOT / name, project / name)
    config = (ROOT / "mkdocs.yml").read_text("utf-8")
    if baseline:
        config = config.replace("      synonyms_file: search/synonyms.yaml\n",
                                "      synonyms_file: search/none.yaml\n      root_words: false\n")
    (project / "mkdocs.yml").write_text(config, "utf-8")
    subprocess.run([str(BIN / "mkdocs"), "build", "--quiet", "--site-dir", str(site)],
                   cwd=project, check=True, env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})


def evaluate(page, url: str, items: list[dict[str, str]], baseline: bool) -> list[dict]:
    page.goto(url + "sop/", wait_until="networkidle")
    if not baseline:
        page.wait_for_function("() => window.sopKbSearch")
    outcomes = []
    for item in items:
        found = page.evaluate(BASELINE_RANK if baseline else OURS_RANK, [item["q"], 8])
        urls = [result["url"] for result in found["results"]]
        slug = f"/sop/{item['sop'].lower()}/"
        place = next((i for i, u in enumerate(urls, 1) if slug in u), None)
        step_opened = None
        if item.get("step"):
            step_opened = place is not None and urls[place - 1].endswith(f"#{item['step']}")
        outcomes.append({**item, "place": place, "step_opened": step_opened, "urls": urls[:3],
                         "terms": found.get("terms")})
    return outcomes


def figures(outcomes: list[dict]) -> dict[str, float | int]:
    n = len(outcomes)
    steps = [o for o in outcomes if o["step_opened"] is not None]
    return {
        "questions": n,
        "top1": round(sum(o["place"] == 1 for o in outcomes) / n, 3),
        "top3": round(sum(o["place"] is not None and o["place"] <= 3 for o in outcomes) / n, 3),
        "mrr": round(sum(1 / o["place"] for o in outcomes if o["place"]) / n, 3),
        "with_step": len(steps),
        "step": round(sum(o["step_opened"] for o in steps) / len(steps), 3) if steps else 0.0,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--split", choices=["dev", "test", "both"], default="both")
    parser.add_argument("--engine", choices=["ours", "baseline", "both"], default="both")
    parser.add_argument("--failures", action="store_true", help="print every miss")
    parser.add_argument("--json", type=Path, default=RESULTS)
    args = parser.parse_args()

    from conftest import CHROMIUM_ARGS, chromium_path, serve
    from playwright.sync_api import sync_playwright

    items = [q for q in questions() if args.split in ("both", q["split"])]
    engines = ["ours", "baseline"] if args.engine == "both" else [args.engine]
    report: dict[str, dict] = {}
    with tempfile.TemporaryDirectory() as work, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(),
                                             args=CHROMIUM_ARGS)
        for engine in engines:
            project, site = Path(work) / engine, Path(work) / f"{engine}-site"
            build(project, site, engine == "baseline")
            url, server = serve(site)
            page = browser.new_page()
            outcomes = evaluate(page, url, items, engine == "baseline")
            server.shutdown()
            for half in ("dev", "test"):
                for question_set, sets in reported_groups(len(QUESTION_SETS)):
                    chosen = [o for o in outcomes if o["split"] == half and o["set"] in sets]
                    if chosen:
                        report[report_key(engine, half, question_set)] = figures(chosen)
            if args.failures:
                for o in outcomes:
                    if o["place"] != 1 or o["step_opened"] is False:
                        print(f"[{engine}/{o['split']}/{o['set']}] {o['q']!r} → {o['sop']}"
                              f"{'#' + o['step'] if o.get('step') else ''}: place {o['place']}, "
                              f"step {o['step_opened']}, terms {o['terms']}, top {o['urls']}")
        browser.close()
    print(f"{'engine/half':18} {'n':>4} {'top-1':>6} {'top-3':>6} {'MRR':>6} {'step':>6}")
    for key, row in report.items():
        print(f"{key:18} {row['questions']:>4} {row['top1']:>6.1%} {row['top3']:>6.1%} "
              f"{row['mrr']:>6.3f} {row['step']:>6.1%} (of {row['with_step']})")
    if args.split == "both" and args.engine == "both":
        args.json.write_text(json.dumps({"targets_on_test": TARGETS, "figures": report},
                                        indent=2) + "\n", "utf-8")


if __name__ == "__main__":
    main()
