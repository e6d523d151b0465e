"""`rehab export`: the therapist's progress log as CSV, JSON, an HTML report, a FHIR R4
bundle or an iCalendar file. The work is in `rehab.export`; this is the command line."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

import click

from rehab.cli.params import DateType
from rehab.core import clock
from rehab.export import formats, runner

TABLES = ("doses", "pain", "symptoms", "assessments", "phases", "pauses", "red_flags")

HELP = """Export the progress log for a therapist.

    \b
    {table}

    The range is the whole current program unless --from/--to narrow it. Dates are
    ISO 8601, instants carry the patient's offset. Files are private (mode 0600) and
    never replaced without --force.
    """


if TYPE_CHECKING:
    _Choice = click.Choice[str]
else:
    _Choice = click.Choice  # generic from click 8.2 only


class FormatChoice(_Choice):
    """The formats of the registry (`rehab.export.formats`), read when they are needed."""

    def __init__(self) -> None:
        super().__init__(formats.names())

    @property
    def choices(self) -> tuple[str, ...]:
        return formats.names()

    @choices.setter
    def choices(self, value: object) -> None:
        pass  # always the registry's


class ExportCommand(click.Command):
    """`rehab export`, whose help lists the registry's formats, one line each."""

    def format_help_text(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        import textwrap

        width = max(len(name) for name in formats.names())
        rows = []
        for entry in formats.REGISTRY.values():
            lines = textwrap.wrap(entry.description, 74 - width)
            rows.append(f"{entry.name:{width}}  " + f"\n    {'':{width}}  ".join(lines))
        table = "\n    ".join(rows)
        self.help = HELP.format(table=table)
        super().format_help_text(ctx, formatter)


@click.command(cls=ExportCommand)
@click.argument("fmt", type=FormatChoice(), metavar="FORMAT")
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
    """Export the progress log for a therapist (the help is `HELP`, with the formats)."""
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
        if formats.get(fmt).to_program_end:
            found = runner.for_calendar(found, last_given=last is not None)
        return runner.run(act.session, found, fmt, out=out, force=force, table=table)
