"""`rehab clinic`: the therapist's roster of every patient in the database, who needs
attention first; on a terminal it opens the app's Clinic screen."""

from __future__ import annotations

import json
import sys
from typing import Any

import click

from rehab.cli import Options
from rehab.cli.params import TEXT
from rehab.core.clinic import FILTER_HELP, FILTERS, RosterRow, check_filter, table

ORDER = (
    "red flag (uncleared, or advice to stop) > advice waiting for acceptance > "
    "something to check (7-day adherence under 60%, morning pain up 1+ point since the "
    "first week, nothing logged for 7+ days) > the rest; then lowest 7-day adherence, name"
)


def _filter(ctx: click.Context, param: click.Parameter, value: str | None) -> str:
    if value is None:
        return "all"
    try:
        return check_filter(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print the roster as JSON.")
@click.option(
    "--filter",
    "kind",
    metavar="|".join(FILTERS),
    callback=_filter,
    help="Only these patients: " + "; ".join(f"{k}: {v}" for k, v in FILTER_HELP.items()) + ".",
)
@click.option("--name", type=TEXT, help="Only patients whose name contains this text.")
@click.option(
    "--export-reports",
    "export_to",
    metavar="DIR",
    is_flag=False,
    flag_value="",
    default=None,
    help="Write the printable report of every patient shown, one file each, into DIR "
    "(default: rehab-reports-DATE here).",
)
@click.pass_context
def clinic(
    ctx: click.Context, as_json: bool, kind: str, name: str | None, export_to: str | None
) -> None:
    """Every patient in the database, who needs attention first: program and week,
    adherence over 7 and 28 days, morning pain this week against the first week, last
    entry, red flags, advice waiting for acceptance, VISA-A change.

    \b
    Order: red flag (uncleared, or advice to stop); advice waiting for
    acceptance; something to check (7-day adherence under 60%, morning pain
    up 1 point or more since the first week, nothing logged for 7 days or
    more); the rest. Within each: lowest 7-day adherence first, then name.

    On a terminal, without --json or --export-reports, it opens the Clinic screen.
    Use --db for the clinic's database (a file, or postgresql+psycopg://...).
    """
    options = ctx.find_object(Options)
    assert options is not None
    if not as_json and export_to is None and sys.stdin.isatty() and sys.stdout.isatty():
        from rehab.tui.run import run_app

        run_app(db=options.db, patient=None, clinic=True)
        return
    from rehab.core import clock
    from rehab.core.clinic import select_rows
    from rehab.store.db import transaction
    from rehab.store.roster import roster
    from rehab.store.url import database_url, is_default

    with transaction(
        database_url(options.db), create=is_default(options.db), writes=False
    ) as session:
        rows = select_rows(roster(session), kind=kind, name=name)
        if export_to is not None:
            from rehab.export.clinic import check_folder, export_all

            folder = check_folder(export_to, clock.today_in(clock.zone(None)))
            written = export_all(
                session,
                patients=[r.patient for r in rows],
                folder=folder,
                generated_at=clock.now_utc(),
            )
            click.echo(written.sentence())
            return
    if as_json:
        click.echo(json.dumps(as_document(rows, kind=kind, name=name), indent=2))
        return
    click.echo(table(rows))


def as_document(rows: list[RosterRow], *, kind: str, name: str | None) -> dict[str, Any]:
    return {
        "format": "rehab-clinic v1",
        "filter": kind,
        "name": name,
        "order": ORDER,
        "patients": [as_json_row(r) for r in rows],
        "note": "Not medical advice; follow your clinician.",
    }


def as_json_row(row: RosterRow) -> dict[str, Any]:
    def count(c: Any) -> dict[str, Any]:
        return {"done": c.done, "planned": c.planned, "percent": c.percent}

    return {
        "patient": row.patient,
        "today": row.today.isoformat(),
        "program": None
        if row.program_id is None
        else {"id": row.program_id, "name": row.program_name, "weeks": row.weeks},
        "status": row.status,
        "week": row.week,
        "adherence": {"last_7_days": count(row.last7), "last_28_days": count(row.last28)},
        "morning_pain": {
            "first_week": row.pain_start,
            "this_week": row.pain_now,
            "change": row.pain_change,
        },
        "last_entry": None if row.last_entry is None else row.last_entry.isoformat(),
        "days_since_entry": row.days_since_entry,
        "red_flags": list(row.red_flags),
        "advice": {"decision": row.advice, "waiting": row.advice_waiting},
        "visa_a": {"first": row.visa_first, "latest": row.visa_latest, "change": row.visa_change},
        "attention": {"group": row.attention, "reasons": row.why()},
    }
