"""`rehab chart` and `rehab summary`: how the weeks have gone, as a chart or as a table.

The numbers are read in one transaction and the chart is drawn after it has closed; plotext
is imported only here, so no other command pays for it.
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

import click

from rehab.charts import KINDS as CHARTS
from rehab.cli.params import BoundedNumber
from rehab.cli.session import action

if TYPE_CHECKING:
    from rehab.store import trends

KINDS = tuple(CHARTS)  # the one list of charts (rehab.charts.KINDS)
MAX_WEEKS = 520
DEFAULT_WEEKS = 12
WEEKS = BoundedNumber(int, 1, MAX_WEEKS, " weeks")


def _weeks(weeks: int | None, whole: bool) -> int | None:
    if whole and weeks is not None:
        raise click.UsageError(
            "--weeks and --all: choose one (--weeks N for the last N weeks, --all for everything)"
        )
    if whole:
        return None
    return DEFAULT_WEEKS if weeks is None else weeks


def _terminal() -> tuple[int, int, bool]:
    size = shutil.get_terminal_size((80, 24))
    color = sys.stdout.isatty() and "NO_COLOR" not in os.environ
    return size.columns, max(10, size.lines - 2), color


@click.command()
@click.argument("kind", type=click.Choice(KINDS), metavar="pain|adherence|load|visa")
@click.option(
    "--weeks",
    type=WEEKS,
    metavar="N",
    help=f"The last N weeks up to today: 4, 12, 52 or any from 1 to {MAX_WEEKS} (default 12).",
)
@click.option("--all", "whole", is_flag=True, help="Everything since the first program began.")
@click.pass_context
def chart(ctx: click.Context, kind: str, weeks: int | None, whole: bool) -> None:
    """Chart a trend over the last weeks, sized to the terminal.

    \b
    pain       morning pain each day (the worst score) and its 7-day average,
               pain during and after exercise; phase changes and pauses marked
    adherence  % of the planned doses done, one bar per program week
    load       extra weight (kg) on each strengthening exercise
    visa       VISA-A scores, with the ±14-point band of a clinically important change
    """
    from rehab import charts
    from rehab.store import trends

    span = _weeks(weeks, whole)
    width, height, color = _terminal()
    with action(ctx) as act:
        window = trends.window(act.session, patient=act.patient, today=act.today, weeks=span)
        draw = charts.chart_for(kind, act.session, act.patient, window)
    click.echo(draw(width=width, height=height, color=color, period=window.period))


@click.command()
@click.option(
    "--weeks",
    type=WEEKS,
    metavar="N",
    help=f"The last N weeks up to today: 4, 12, 52 or any from 1 to {MAX_WEEKS} (default 12).",
)
@click.option("--all", "whole", is_flag=True, help="Everything since the first program began.")
@click.pass_context
def summary(ctx: click.Context, weeks: int | None, whole: bool) -> None:
    """A table with one row per program week: adherence, pain, stiffness, VISA-A, phase.

    Adherence is doses done ÷ planned (paused days and as-needed doses left out). Morning
    pain is the mean of each day's worst morning score; pain during is the week's worst;
    stiffness is the mean of the morning checks, in minutes.
    """
    from rehab.store import trends

    span = _weeks(weeks, whole)
    with action(ctx) as act:
        window = trends.window(act.session, patient=act.patient, today=act.today, weeks=span)
        rows = trends.weekly_summary(
            act.session, patient=act.patient, first=window.first, last=window.last
        )
    if not rows:
        when = f" {window.period}" if window.period else ""
        click.echo(
            f"Nothing planned or logged{when} yet: `rehab start ID --side left|right|both` "
            "starts a program, `rehab pain N --context morning` logs pain."
        )
        return
    click.echo(f"Weekly summary, {window.title} ({window.first} to {window.last})")
    click.echo("")
    click.echo(summary_table(rows))
    click.echo("")
    click.echo("Adherence: doses done ÷ planned, paused days left out. Stiffness: mean minutes.")
    click.echo("Pain 0–10: morning = mean of each day's worst; during = the week's worst.")


HEADERS = ("Week of", "Week", "Adherence", "Morning pain", "Pain during", "Stiffness")
MORE_HEADERS = ("VISA-A", "Phase")


def summary_table(rows: Sequence[trends.SummaryRow]) -> str:
    """Aligned plain-text columns, no colour; '-' where nothing was logged."""
    programs = {row.week.program_id for row in rows if row.week.program_id is not None}
    table = [[*HEADERS, *MORE_HEADERS]]
    for row in rows:
        week = row.week
        if week.status == "paused":
            adherence = "paused"
        elif week.percent is None:
            adherence = "-"
        else:
            adherence = f"{week.percent}% ({week.done}/{week.planned})"
        phase = {"paused": "paused", "off": "no program"}.get(week.status, " → ".join(week.phases))
        if len(programs) > 1 and week.program_id is not None and week.status == "active":
            phase = f"{week.program_id}: {phase}"
        table.append(
            [
                str(week.start),
                str(week.number) if week.status == "active" and week.number else "-",
                adherence,
                _decimal(row.morning_mean),
                "-" if row.during_max is None else str(row.during_max),
                _decimal(row.stiffness_mean),
                "-" if row.visa is None else str(row.visa),
                phase,
            ]
        )
    widths = [max(len(line[i]) for line in table) for i in range(len(table[0]))]
    return "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip()
        for line in table
    )


def _decimal(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"
