"""``sopkb in-force``: which version of each SOP applied on a day, since when, until when,
and where its page is (for an audit: "which version of SOP X applied on 3 March?")."""

from __future__ import annotations

import datetime
import json
import os
import zoneinfo
from pathlib import Path
from typing import Any

import click

from build_tools.model.timelines import timelines
from build_tools.model.versions import InForce, in_force_on
from build_tools.rules.catalog import find_sop_files
from build_tools.rules.versions import check_version
from build_tools.site.pages import TIME_ZONE
from build_tools.source.document import load_document
from build_tools.source.history import read_history


class OneLineErrors(click.Command):
    """A command whose usage errors are one line (``Error: …``, exit 2), without the usage
    text and its hint, as every other error of the command."""

    def make_context(self, info_name: str | None, args: list[str],
                     parent: click.Context | None = None, **extra: Any) -> click.Context:
        try:
            return super().make_context(info_name, args, parent, **extra)
        except click.UsageError as error:
            error.ctx = None
            raise

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except click.UsageError as error:
            error.ctx = None
            raise


def _day(text: str | None, what: str, zone: datetime.tzinfo) -> datetime.date:
    if text is None:
        return datetime.datetime.now(zone).date()
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise click.ClickException(f"{what} must be a date written YYYY-MM-DD, not "
                                   f"{text!r}") from None


def _zone(ctx: click.Context, param: click.Parameter, name: str) -> datetime.tzinfo:
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):  # 'Asia': a folder
        raise click.BadParameter(f"{name!r} is not a time zone such as Asia/Jakarta") from None


#: The calendar a merge's day is counted in: the site's (the plugin's ``time_zone``), so
#: that the command and the site give one answer.
time_zone_option = click.option(
    "--time-zone", "zone", metavar="NAME", default=TIME_ZONE, show_default=True,
    callback=_zone, help="Time zone of the calendar day a merge counts on: the site's "
                         "(set it as the plugin's time_zone when mkdocs.yml sets another).")


@click.command("in-force", cls=OneLineErrors)
@click.argument("folder", type=click.Path(path_type=Path), default=Path("sops"))
@click.option("--date", "date_text", metavar="YYYY-MM-DD",
              help="The day asked about (default: today).")
@click.option("--format", "report_format", type=click.Choice(["text", "json"]),
              default="text", show_default=True, help="How the answer is printed.")
@click.option("--today", "today_text", metavar="YYYY-MM-DD",
              help="The day the version pages are addressed from (default: today): the "
                   "version in force then is at sop/<id>/, others at sop/<id>/v/<version>/.")
@time_zone_option
def in_force(folder: Path, date_text: str | None, report_format: str,
             today_text: str | None, zone: datetime.tzinfo) -> None:
    """List each SOP in force on a day: its version, from when, until when (the day the
    next version took over, empty while nothing has), and its page.

    Versions come from the git history of FOLDER (default sops/): a version is in force
    from its history entry's `effective` day, or else from the day it reached the main
    branch. An SOP not yet added, removed or retired by then is not listed. Outside a git
    repository, only the current files and their `history` entries are used.
    """
    day, today = _day(date_text, "--date", zone), _day(today_text, "--today", zone)
    if not folder.is_dir():
        raise click.ClickException(f"{folder} is not a folder of SOP files")
    history = read_history(folder)
    if history.shallow:  # its answers would start versions on its oldest commit's day
        raise click.ClickException(f"{folder}: a shallow clone cannot say which version was in "
                                   f"force: fetch the whole history (git fetch --unshallow)")
    for notice in history.notices:
        click.echo(notice, err=True)
    files, _ = find_sop_files([folder])
    current = [load_document(path, os.path.relpath(path)) for path in files]
    present = {doc.data.get("id") for doc in current if isinstance(doc.data, dict)}
    found = in_force_on(timelines(history, current, zone), day, today,  # pages the site has
                        lambda version: version.sop_id in present and version.committed
                        and check_version(version).sop is not None)
    if report_format == "json":
        click.echo(json.dumps([entry.as_json() for entry in found], ensure_ascii=False,
                              indent=2))
    else:
        for line in _table(found):
            click.echo(line)
    click.echo(f"{len(found)} SOP(s) in force on {day.isoformat()}", err=True)


def _table(found: list[InForce]) -> list[str]:
    rows = [(entry.sop_id, entry.version.version, f"from {entry.start.isoformat()}",
             f"until {entry.until.isoformat()}" if entry.until else "until -",
             entry.url or "-") for entry in found]
    widths = [max((len(row[column]) for row in rows), default=0) for column in range(4)]
    return ["  ".join([*(cell.ljust(width) for cell, width in zip(row, widths, strict=False)),
                       row[4]]) for row in rows]
