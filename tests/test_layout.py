"""The code's layout: packages by pipeline stage, imports only down the pipeline, MkDocs
only in the plugin's package, a thin plugin, and an ARCHITECTURE.md whose code map is the tree."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from conftest import ROOT

PACKAGE = ROOT / "build_tools"
#: The stages in pipeline order; a module may import from its own stage or earlier ones.
STAGES = ["source", "model", "rules", "render", "site", "speed", "search", "cli", "mkdocs"]
SHARED = {"build_tools.problem", "build_tools.rules.registry", "build_tools"}


def modules() -> dict[str, Path]:
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
        found[name.removesuffix(".__init__")] = path
    return found


def imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return names


def stage(module: str) -> int:
    if module in SHARED:
        return -1
    parts = module.split(".")
    return STAGES.index(parts[1]) if len(parts) > 1 and parts[1] in STAGES else -1


def test_every_module_belongs_to_a_stage_and_imports_only_down_the_pipeline() -> None:
    upward = []
    for name, path in modules().items():
        if name in SHARED or name == "build_tools.__main__":
            continue
        assert stage(name) >= 0, f"{name} is in no stage package"
        for imported in imports(path):
            if imported.startswith("build_tools") and stage(imported) > stage(name):
                upward.append(f"{name} -> {imported}")
    assert upward == []


def test_only_the_plugin_package_imports_mkdocs() -> None:
    """Nor ProperDocs (the second build path), whose API the plugin imports as MkDocs'."""
    for name, path in modules().items():
        uses = {i for i in imports(path) if i.split(".")[0] in ("mkdocs", "properdocs")}
        assert not uses or name.startswith("build_tools.mkdocs"), (name, uses)


def test_the_plugin_is_event_wiring_only() -> None:
    plugin = PACKAGE / "mkdocs" / "plugin.py"
    assert len(plugin.read_text("utf-8").splitlines()) <= 200
    tree = ast.parse(plugin.read_text("utf-8"))
    functions = [node.name for node in tree.body if isinstance(node, ast.FunctionDef)]
    assert functions == []  # helpers live in the package's other modules
    (plugin_class,) = [node for node in tree.body if isinstance(node, ast.ClassDef)]
    methods = [node.name for node in plugin_class.body if isinstance(node, ast.FunctionDef)]
    assert all(name.startswith(("on_", "_", "__")) for name in methods), methods


def test_every_package_says_what_enters_it_and_what_leaves() -> None:
    for stage_name in STAGES:
        doc = ast.get_docstring(ast.parse((PACKAGE / stage_name / "__init__.py").read_text()))
        assert doc and "Enters" in doc and "Leaves" in doc, stage_name
    for name, path in modules().items():
        assert ast.get_docstring(ast.parse(path.read_text("utf-8"))) or \
            name == "build_tools.__main__", f"{name} has no docstring"


def test_the_architecture_code_map_is_the_tree() -> None:
    """Every module of build_tools/ is listed in ARCHITECTURE.md's code map, and nothing
    listed there is missing from the tree; every module of the search box is named there."""
    architecture = (ROOT / "ARCHITECTURE.md").read_text("utf-8")
    table = architecture.split("\n## Code map\n", 1)[1].split("\n## ", 1)[0]
    listed = set(re.findall(r"`(build_tools/[a-z_/]+\.py)`", table))
    actual = {path.relative_to(ROOT).as_posix() for path in PACKAGE.rglob("*.py")
              if path.name not in ("__init__.py", "__main__.py")}
    assert listed == actual, (sorted(actual - listed), sorted(listed - actual))
    scripts = {path.name for path in (PACKAGE / "assets" / "search").glob("*.js")}
    named = set(re.findall(r"`([a-z]+\.js)`", table))
    assert scripts <= named, sorted(scripts - named)
