"""`rehab export`: the therapist's progress log as CSV, JSON, an HTML report, a FHIR R4
bundle or an iCalendar file. The work is in `rehab.export`; this is the command line."""

from __future__ import annotations

from datetime import date

import click

from rehab.cli.params import DateType
from rehab.core import clock
from rehab.export import FORMATS, runner

TABLES = ("doses", "pain", "symptoms", "assessments", "phases", "pauses", "red_flags")


@click.command()
@click.argument("fmt", type=click.Choice(FORMATS), metavar="csv|json|report|fhir|ics")
@click.option("--from", "first", type=DateType(), help="First plan day (default: program start).")
@click.option(
    "--to",
    "last",
    type=DateType(),
    help="Last plan day (default: today; for ics, the program's end).",
)
@click.option(
    "--out",
    metavar="PATH|-",
    help="Where to write; - for standard output (default: a name with the dates, here).",
)
@click.option("--force", is_flag=True, help="Replace an existing file.")
@click.option(
    "--table",
    type=click.Choice(TABLES),
    help="csv only: write this one table to a file (with --out -, doses unless named).",
)
@click.pass_context
def export(
    ctx: click.Context,
    fmt: str,
    first: date | None,
    last: date | None,
    out: str | None,
    force: bool,
    table: str | None,
) -> None:
    """Export the progress log for a therapist.

    \b
    csv     a folder of CSV files: doses, pain, symptoms, assessments,
            phases, pauses, red_flags (or one of them with --table)
    json    everything, with the program as it was run; dates ISO 8601,
            instants with the patient's offset ("format" and "version" say which)
    report  one printable HTML page: adherence, pain, load, VISA-A, notes
    fhir    a FHIR R4 Bundle (collection) for an electronic health record
    ics     the schedule as calendar events with alarms, to the program's end

    The range is the whole current program unless --from/--to narrow it. Files are
    private (mode 0600) and never replaced without --force.
    """
    result = _export(ctx, fmt, first, last, out, force, table)
    if result.where != "standard output":
        click.echo(f"Wrote the {result.sentence()}")


def _export(
    ctx: click.Context,
    fmt: str,
    first: date | None,
    last: date | None,
    out: str | None,
    force: bool,
    table: str | None,
) -> runner.Result:
    """One transaction reading one snapshot; opening the database migrates or explains."""
    from rehab.cli.session import action
    from rehab.export import scope

    with action(ctx, writes=False) as act:
        found = scope.resolve(
            act.session,
            patient=act.patient,
            today=act.today,
            generated_at=clock.now_utc(),
            first=first,
            last=last,
        )
        if fmt == "ics":
            found = runner.for_calendar(found, last_given=last is not None)
        return runner.run(act.session, found, fmt, out=out, force=force, table=table)
