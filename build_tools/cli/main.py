"""The ``sopkb`` command line."""

from __future__ import annotations

import datetime
import json
import os
import sys
from pathlib import Path
from typing import Any

import click

from build_tools.cli.approval import record_approval
from build_tools.cli.codeowners import UnsafePaths, compare
from build_tools.cli.codeowners import codeowners as codeowners_text
from build_tools.cli.diff import ChangeSummary
from build_tools.cli.reporters import REPORTER_BY_NAME
from build_tools.cli.scaffold import ScaffoldError, next_id, skeleton, write_new
from build_tools.cli.stability import lost_links, published
from build_tools.cli.versions import in_force, time_zone_option
from build_tools.model.grammar import DATE_MESSAGE, SOP_ID, parse_date
from build_tools.model.review import review_statuses
from build_tools.render.labels import DEFAULT_LANGUAGE, available_languages
from build_tools.render.renderer import Renderer
from build_tools.rules.approvals import check_from_git
from build_tools.rules.catalog import Catalog, load_catalog
from build_tools.rules.crossfile import sop_ids
from build_tools.rules.registry import RULES
from build_tools.rules.review import overdue_problems
from build_tools.rules.schema import load_schema
from build_tools.site.linkcheck import broken_links
from build_tools.site.pages import SitePages
from build_tools.site.urls import url_problems
from build_tools.source.git import GitError, documents_at, text_at
from build_tools.speed.collector import no_cycle_collection

SOPS = Path("sops")


def _date(ctx: click.Context, param: click.Parameter, value: str | None) -> datetime.date:
    if value is None:
        return datetime.date.today()
    try:
        return parse_date(value)
    except ValueError as error:
        raise click.BadParameter(DATE_MESSAGE) from error


today_option = click.option("--today", callback=_date, metavar="YYYY-MM-DD",
                            help="Date to measure review cycles against (default: today).")
language_option = click.option("--language", type=click.Choice(available_languages()),
                               default=DEFAULT_LANGUAGE, show_default=True,
                               help="Language of the summary.")


class _OneLineErrors(click.Group):
    """Every error of the command line on one line (``Error: …``), usage mistakes included,
    which Click would print with the usage text around them."""

    def main(self, *args: Any, **kwargs: Any) -> Any:
        try:
            # A short run that only loads what it keeps: no cycle collection (build_tools.speed).
            with no_cycle_collection():
                return super().main(*args, **{**kwargs, "standalone_mode": False})
        except click.exceptions.NoArgsIsHelpError as error:  # `sopkb` alone: the help
            click.echo(error.ctx.get_help() if error.ctx else "", err=True)
            sys.exit(error.exit_code)
        except click.ClickException as error:
            click.echo(f"Error: {' '.join(error.format_message().split())}", err=True)
            sys.exit(error.exit_code)
        except click.exceptions.Abort:
            click.echo("Aborted.", err=True)
            sys.exit(1)


@click.group(cls=_OneLineErrors)
@click.version_option(package_name="sop-knowledge-base")
def main() -> None:
    """Customer-service SOP knowledge base tools."""


#: Show progress for runs of at least this many files, and only on a terminal.
PROGRESS_FROM = 500


def _progress(done: int, total: int) -> None:
    if total >= PROGRESS_FROM and (done % 100 == 0 or done == total):
        end = "\n" if done == total else ""
        click.echo(f"\rreading SOP files: {done}/{total}", err=True, nl=False)
        click.echo(end, err=True, nl=False)


def _catalog(paths: tuple[Path, ...] = (), reference_dir: Path | None = None,
             synonyms_file: Path | None = None, training_dir: Path | None = None) -> Catalog:
    progress = _progress if sys.stderr.isatty() and not os.environ.get("CI") else None
    return load_catalog(paths or (SOPS,), base=Path.cwd(), progress=progress,
                        reference_dir=reference_dir, synonyms_file=synonyms_file,
                        training_dir=training_dir)


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
@click.option("--docs", "docs_dir", type=click.Path(path_type=Path), default=Path("docs"),
              show_default=True,
              help="Folder of hand-written pages; their addresses are checked against the "
                   "generated pages' when it exists.")
@click.option("--approvals", "approvals_dir", type=click.Path(path_type=Path),
              default=Path("approvals"), show_default=True,
              help="Folder of approval records; when it exists, every version merged since "
                   "records began needs one, approved by an owner (warnings, from git).")
@click.option("--format", "report_format", type=click.Choice(sorted(REPORTER_BY_NAME)),
              default="text", show_default=True, help="How problems are printed.")
@click.option("--strict-review", is_flag=True,
              help="Exit with status 2 when an SOP is past its review date.")
@click.option("--practice", "list_practice", is_flag=True,
              help="Also list the practice questions not generated, and why (ambiguous, "
                   "too few options, opted out).")
@today_option
@time_zone_option
def validate(paths: tuple[Path, ...], reference_dir: Path, synonyms_file: Path,
             training_dir: Path, docs_dir: Path, approvals_dir: Path, report_format: str,
             strict_review: bool, list_practice: bool, today: datetime.date,
             zone: datetime.tzinfo) -> None:
    """Check SOP files (default: sops/) for the six required components and more.

    Prints one line per problem, FILE:LINE:COL: [level] message (rule). Exit status: 0 clean,
    1 when any error, 2 when only warnings and --strict-review (an SOP past its review date,
    a version without an approval record).
    """
    catalog = _catalog(paths, reference_dir=reference_dir, synonyms_file=synonyms_file,
                       training_dir=training_dir)
    problems = [*catalog.problems, *overdue_problems(catalog.documents, catalog.sops, today),
                *url_problems(SitePages(catalog, DEFAULT_LANGUAGE, today), catalog, Path.cwd(),
                              docs_dir)]
    folders = [path for path in paths or (SOPS,) if path.is_dir()]
    checked, notices = check_from_git(folders, approvals_dir if approvals_dir.is_dir() else None,
                                      str(approvals_dir), reference_dir, catalog.documents,
                                      zone, today)
    problems += checked
    for notice in notices:
        click.echo(notice, err=True)
    problems.sort()
    sys.stdout.write(REPORTER_BY_NAME[report_format](problems))
    errors = sum(problem.is_error for problem in problems)
    warnings = len(problems) - errors
    if report_format == "text":
        click.echo(f"{errors} error(s), {warnings} warning(s) in SOP files" if problems
                   else f"{len(catalog.sops)} SOP(s) valid", err=True)
    if list_practice:
        # The practice the site builds: one set per SOP in force, wrong options from its category.
        for found in SitePages(catalog, DEFAULT_LANGUAGE).practice().values():
            sop = found.sop
            for reason in found.skipped:
                click.echo(f"{sop.source}: practice question skipped: {reason}", err=True)
            click.echo(f"{sop.source}: {len(found.questions)} practice question(s)", err=True)
    sys.exit(1 if errors else 2 if warnings and strict_review else 0)


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@today_option
def report(paths: tuple[Path, ...], today: datetime.date) -> None:
    """List SOPs past their review date and due within 30 days, by owner (Markdown)."""
    catalog = _catalog(paths)
    statuses = [s for s in review_statuses(catalog.sops, today) if s.state != "ok"]
    click.echo(f"# SOP review report ({today.isoformat()})\n")
    if not statuses:
        click.echo("No SOP is overdue or due within 30 days.")
    for owner in sorted({s.sop.maintenance.owner for s in statuses}):
        click.echo(f"## {owner}\n")
        for status in (s for s in statuses if s.sop.maintenance.owner == owner):
            when = (f"overdue since {status.next_review} ({-status.days_left} days)"
                    if status.state == "overdue"
                    else f"due {status.next_review} (in {status.days_left} days)")
            click.echo(f"- {status.sop.id} {status.sop.title}: {when}")
        click.echo()
    if catalog.errors:
        click.echo(f"{len(catalog.errors)} SOP file error(s) left out; run sopkb validate",
                   err=True)
        sys.exit(1)


@main.command()
@click.option("--id", "sop_id", help="Id of the new SOP, e.g. CS-COMP-008.")
@click.option("--series", help="Pick the next free id of this series, e.g. CS-COMP.")
@click.option("--title", help="Title (Indonesian).")
@click.option("--owner", help="Owner: a role or team.")
@click.option("--channel", "channels", multiple=True,
              type=click.Choice(load_schema()["$defs"]["channel"]["enum"]),
              help="A channel the SOP applies to (repeat for more).")
@click.option("--dir", "folder", type=click.Path(path_type=Path), default=SOPS,
              show_default=True, help="Where to write the file.")
@today_option
def new(sop_id: str | None, series: str | None, title: str | None, owner: str | None,
        channels: tuple[str, ...], folder: Path, today: datetime.date) -> None:
    """Create a new SOP from the skeleton; asks for what is not given as an option.

    The skeleton is full of TODO placeholders that the validator refuses until each is
    replaced by real content.
    """
    catalog = load_catalog([folder], base=Path.cwd()) if folder.is_dir() else Catalog()
    taken = sop_ids(catalog.documents)
    taken |= {alias for sop in catalog.sops for alias in sop.aliases}
    interactive = sys.stdin.isatty()

    def ask(value: str | None, prompt: str) -> str:
        if value:
            return value
        if not interactive:
            raise click.UsageError(f"missing --{prompt.lower()} (no terminal to ask on)")
        return click.prompt(prompt)

    try:
        if sop_id is None and series:
            sop_id = next_id(series, taken)
        sop_id = ask(sop_id, "Id")
        if sop_id in taken:
            raise ScaffoldError(f"id {sop_id} is already used (ids are never reused)")
        if not _valid_id(sop_id):
            raise ScaffoldError(f"id {sop_id!r} must look like CS-COMP-008")
        title = ask(title, "Title")
        owner = ask(owner, "Owner")
        if not channels:
            channels = tuple(ask(None, "Channels").replace(",", " ").split()) if interactive \
                else ()
        if not channels:
            raise click.UsageError("give at least one --channel")
        known = load_schema()["$defs"]["channel"]["enum"]
        unknown = [channel for channel in channels if channel not in known]
        if unknown:
            raise click.UsageError(f"unknown channel(s) {', '.join(unknown)}; "
                                   f"choose from {', '.join(known)}")
        path = write_new(folder, sop_id, skeleton(sop_id, title, owner, list(channels), today))
    except ScaffoldError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"created {path}; replace every TODO, then run: sopkb validate")
    owners_file = Path(".github/CODEOWNERS")
    if owners_file.is_file():
        catalog = _catalog((folder,), reference_dir=Path("reference"))
        if catalog.reference.owners:
            owners_file.write_text(codeowners_text(catalog.documents, catalog.reference), "utf-8")
            click.echo(f"updated {owners_file}: its owner's reviewers approve changes to it")


def _valid_id(sop_id: str) -> bool:
    return SOP_ID.match(sop_id) is not None


@main.command("check-links")
@click.option("--base", "ref", required=True, help="Git ref whose published URLs must survive.")
@click.argument("folder", type=click.Path(path_type=Path), default=SOPS)
def check_links(ref: str, folder: Path) -> None:
    """Fail when an SOP URL or step anchor published at REF no longer resolves.

    Trainers link to sop/<id>/ and sop/<id>/#<step>: an id that changes must be kept under
    `aliases`, and a step id must never change.
    """
    try:
        before = published(documents_at(ref, folder))
    except GitError as error:
        raise click.ClickException(f"cannot read {folder} at {ref}: {error}") from error
    now = published(_catalog((folder,)).documents)
    lost = list(lost_links(before, now))
    for message in lost:
        click.echo(message)
    urls = sum(1 + len(sop.steps) + len(sop.aliases) for sop in before)
    click.echo(f"{len(lost)} of {urls} published URL(s) lost since {ref}" if lost
               else f"all {urls} URL(s) published at {ref} still resolve", err=True)
    sys.exit(1 if lost else 0)


@main.command()
@click.option("--format", "report_format", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="How the rules are printed.")
def rules(report_format: str) -> None:
    """List every rule the validator reports, by its id, with what it checks.

    Each problem line ends with its rule id in brackets: FILE:LINE:COL: [level] message (id).
    """
    if report_format == "json":
        click.echo(json.dumps(RULES, ensure_ascii=False, indent=2))
        return
    width = max(map(len, RULES))
    for rule_id, description in RULES.items():
        click.echo(f"{rule_id:<{width}}  {description}")


@main.command()
@click.option("--output", type=click.Path(path_type=Path), default=Path(".github/CODEOWNERS"),
              show_default=True, help="Where to write the file.")
@click.option("--check", is_flag=True,
              help="Write nothing; exit 1 when a line other than an SOP's is out of date, or "
                   "a line names a folder or pattern under sops/ (SOP lines out of date are "
                   "only reported: the file is regenerated on main).")
@click.option("--base", "base_ref", metavar="REF",
              help="With --check: also exit 1 on an SOP line that is neither as owners.yaml "
                   "gives it nor as the file stood at REF (edited by hand in a pull request).")
def codeowners(output: Path, check: bool, base_ref: str | None) -> None:
    """Write CODEOWNERS from reference/owners.yaml: a pull request that changes an SOP asks
    its owner's reviewers to approve it, one that changes anything else the maintainers.
    Every SOP owner must be mapped (sopkb validate)."""
    catalog = _catalog(reference_dir=Path("reference"))
    if not catalog.reference.owners:
        raise click.ClickException("no reference/owners.yaml: nothing says who approves what")
    if not catalog.reference.maintainers:
        raise click.ClickException("reference/owners.yaml names no maintainers; sopkb validate")
    try:
        text = codeowners_text(catalog.documents, catalog.reference)
    except UnsafePaths as error:
        raise click.ClickException(str(error)) from None
    current = output.read_text("utf-8") if output.is_file() else ""
    if not check:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(text, "utf-8")
        click.echo(f"wrote {output}", err=True)
        return
    base = None
    if base_ref is not None:
        try:
            base = text_at(base_ref, output) or ""  # none there: no line of it is the base's
        except GitError as error:
            raise click.ClickException(f"--base: {error}") from None
    found = compare(current, text, f"/{SOPS.as_posix()}/", base)
    if found.other_lines:
        raise click.ClickException(f"{output} is out of date ({found.other_lines[0]!r}); "
                                   f"run: sopkb codeowners")
    if found.sop_lines:
        default = " ".join(catalog.reference.maintainers["*"])
        _notice(output, f"{output} does not list {len(found.sop_lines)} SOP line(s) as "
                        f"owners.yaml gives them yet: until it is regenerated on the main "
                        f"branch after merge, the default owner ({default}) reviews them")
        return
    click.echo(f"{output} is up to date", err=True)


def _notice(path: Path, message: str) -> None:
    """A note that is not a failure: a workflow annotation on GitHub, a line elsewhere."""
    if os.environ.get("GITHUB_ACTIONS") == "true":
        click.echo(f"::notice file={path}::{message}")
    else:
        click.echo(message, err=True)


@main.command("check-site")
@click.argument("site", type=click.Path(path_type=Path, file_okay=False), default=Path("site"))
def check_site(site: Path) -> None:
    """Fail when an internal link or #anchor of the built SITE does not resolve.

    Trainers link to pages and steps from their material; run this on every build
    (`mkdocs build --strict` checks the Markdown links; this also checks the generated ones).
    """
    if not (site / "index.html").is_file():
        raise click.ClickException(f"{site} is not a built site (no index.html); run mkdocs build")
    broken = broken_links(site)
    for line in broken:
        click.echo(line)
    pages = sum(1 for _ in site.rglob("*.html"))
    click.echo(f"{len(broken)} broken link(s) in {site}" if broken
               else f"every internal link of {pages} page(s) in {site} resolves", err=True)
    sys.exit(1 if broken else 0)


@main.command()
@click.argument("ref")
@click.argument("folder", type=click.Path(path_type=Path), default=SOPS)
@language_option
def diff(ref: str, folder: Path, language: str) -> None:
    """Summarise, in Markdown, what changed in each SOP since REF (steps, target times,
    roles, owner, review cycle, escalation)."""
    try:
        before = documents_at(ref, folder)
    except GitError as error:
        raise click.ClickException(f"cannot read {folder} at {ref}: {error}") from error
    renderer = Renderer(language)
    after = _catalog((folder,)).documents
    click.echo(ChangeSummary(renderer.labels, renderer.duration).markdown(ref, before, after),
               nl=False)


main.add_command(in_force)
main.add_command(record_approval)
