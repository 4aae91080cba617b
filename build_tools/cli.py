"""The ``sopkb`` command line."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from build_tools.catalog import load_catalog
from build_tools.reporters import REPORTER_BY_NAME


@click.group()
@click.version_option(package_name="sop-knowledge-base")
def main() -> None:
    """Customer-service SOP knowledge base tools."""


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--reference", "reference_dir", type=click.Path(path_type=Path),
              default=Path("reference"), show_default=True,
              help="Folder of reference files (complaint types, channels, metrics); "
                   "checked when it exists.")
@click.option("--synonyms", "synonyms_file", type=click.Path(path_type=Path),
              default=Path("search/synonyms.yaml"), show_default=True,
              help="Search synonyms file; checked when it exists.")
@click.option("--training", "training_dir", type=click.Path(path_type=Path),
              default=Path("training"), show_default=True,
              help="Folder of training paths; checked when it exists.")
@click.option("--format", "report_format", type=click.Choice(sorted(REPORTER_BY_NAME)),
              default="text", show_default=True, help="How problems are printed.")
def validate(paths: tuple[Path, ...], reference_dir: Path, synonyms_file: Path,
             training_dir: Path, report_format: str) -> None:
    """Check SOP files (default: sops/) for the six required components and more.

    Prints one line per problem, FILE:LINE:COL: [level] message (rule), and exits with
    status 1 when any error was found.
    """
    catalog = load_catalog(paths or (Path("sops"),), base=Path.cwd(),
                           reference_dir=reference_dir, synonyms_file=synonyms_file,
                           training_dir=training_dir)
    output = REPORTER_BY_NAME[report_format](catalog.problems)
    sys.stdout.write(output)
    errors = len(catalog.errors)
    if report_format == "text":
        summary = (f"{errors} error(s) in SOP files" if errors
                   else f"{len(catalog.sops)} SOP(s) valid")
        click.echo(summary, err=True)
    sys.exit(1 if errors else 0)
