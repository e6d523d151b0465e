"""`rehab prescribe` and `rehab prescriptions`: a therapist tailors the current patient's
program (a dose, an exercise added or removed), each change from a date on, with who and why;
the history of those changes; and taking one back."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import click

from rehab.cli.params import DATE, TEXT
from rehab.cli.session import action
from rehab.core.prescription import FIELD_WORDS, Action, dose_value
from rehab.core.template import DoseRange, Exercise, Program
from rehab.errors import UsageProblem


class DoseType(click.ParamType):
    """A number, or a range MIN-MAX (2-3 sets, 15-20 minutes), in ASCII digits."""

    name = "N|MIN-MAX"

    def __init__(self, whole: bool, unit: str = "") -> None:
        self.whole = whole
        self.unit = unit

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, list | float):
            return value
        try:
            return dose_value(str(value), whole=self.whole, unit=self.unit)
        except ValueError as exc:
            self.fail(str(exc), param, ctx)


COUNT = DoseType(whole=True)
SECONDS = DoseType(whole=False, unit=" s")
MINUTES = DoseType(whole=False, unit=" min")
KINDS = (
    "stretch", "strengthen", "ice", "massage", "walk", "mobility", "splint", "footwear", "comfort"
)  # fmt: skip
SLOTS = ("morning", "midday", "evening", "night", "any")


@click.command()
@click.argument("exercise", metavar="EXERCISE", type=TEXT)
@click.option("--sets", type=COUNT, help="Sets (a number, or MIN-MAX).")
@click.option("--reps", type=COUNT, help="Repetitions in a set (a number, or MIN-MAX).")
@click.option("--hold", type=SECONDS, help="One hold, in seconds.")
@click.option("--minutes", type=MINUTES, help="A timed dose, in minutes.")
@click.option("--load", type=click.FloatRange(0, 200), help="Load in kg (0 to 200).")
@click.option("--per-day", type=click.IntRange(1, 6), help="Times a day (1 to 6).")
@click.option(
    "--days", type=click.Choice(["daily", "every-other-day", "3-per-week"]), help="Which days."
)
@click.option("--from", "from_day", type=DATE, help="The first day it applies (default: tomorrow).")
@click.option("--by", "by", type=TEXT, required=True, help="The therapist's name.")
@click.option("--reason", type=TEXT, default="", help="Why (one line).")
@click.option("--add", "adding", is_flag=True, help="Add EXERCISE to the program.")
@click.option("--remove", "removing", is_flag=True, help="Take EXERCISE out of the program.")
@click.option(
    "--from-program", "from_program", type=TEXT, help="With --add: the template to take it from."
)
@click.option("--name", type=TEXT, help="With --add, a new exercise: its name.")
@click.option("--kind", type=click.Choice(KINDS), help="With --add, a new exercise: its kind.")
@click.option("--instructions", type=TEXT, help="With --add, a new exercise: how to do it.")
@click.option("--caution", "cautions", type=TEXT, multiple=True, help="With --add: a caution.")
@click.option(
    "--slot",
    "slots",
    type=click.Choice(SLOTS),
    multiple=True,
    help="With --add, a new exercise: the time(s) of day (default: any).",
)
@click.option(
    "--legs",
    type=click.Choice(["each", "affected", "none"]),
    help="With --add, a new exercise: each leg, the painful leg(s), or not per leg.",
)
@click.pass_context
def prescribe(
    ctx: click.Context,
    exercise: str,
    sets: Any,
    reps: Any,
    hold: Any,
    minutes: Any,
    load: float | None,
    per_day: int | None,
    days: str | None,
    from_day: date | None,
    by: str,
    reason: str,
    adding: bool,
    removing: bool,
    from_program: str | None,
    name: str | None,
    kind: str | None,
    instructions: str | None,
    cautions: tuple[str, ...],
    slots: tuple[str, ...],
    legs: str | None,
) -> None:
    """Tailor the current patient's program, from --from (default: tomorrow) on.

    EXERCISE is the exercise id, as `rehab today` and `rehab prescriptions` show it. A dose
    change applies to every dose of it. With --add, EXERCISE comes from --from-program (or
    the patient's own template, or the one built-in template that has it), or is a new
    exercise given by --name, --kind and --instructions. Each change records who (--by),
    when, why (--reason) and its first day; the days before it keep their plan.

    Examples: `rehab prescribe eccentric-step --sets 3 --reps 15 --by "A. Costa"`;
    `rehab prescribe --add calf-stretch-bent --from-program plantar-fasciitis --by "A. Costa"`;
    `rehab prescribe --remove ice --by "A. Costa" --reason "no longer sore"`.
    """
    from rehab.store.prescriptions import Request
    from rehab.store.prescriptions import prescribe as store_prescribe

    if adding and removing:
        raise click.UsageError("give --add or --remove, not both")
    values: dict[str, Any] = {}
    for field, value in (
        ("sets", sets),
        ("reps", reps),
        ("hold_seconds", hold),
        ("minutes", minutes),
        ("load_kg", load),
        ("times_per_day", per_day),
        ("days", days),
    ):
        if value is not None:
            values[field] = value
    new_fields = {"--name": name, "--kind": kind, "--instructions": instructions}
    new_given = [flag for flag, value in new_fields.items() if value is not None]
    if not adding:
        extra = new_given + (["--from-program"] if from_program else [])
        extra += (["--caution"] if cautions else []) + (["--slot"] if slots else [])
        extra += ["--legs"] if legs else []
        if extra:
            raise click.UsageError(f"{', '.join(extra)}: only with --add")
    if removing and values:
        raise click.UsageError("--remove takes no dose options")
    action_name: Action = "add" if adding else "remove" if removing else "change"
    with action(ctx) as act:
        added = None
        if adding:
            added = _exercise_to_add(
                act.session, act.patient, exercise, from_program, new_fields, cautions, slots,
                legs, by,
            )  # fmt: skip
        row = store_prescribe(
            act.session,
            patient=act.patient,
            request=Request(
                action=action_name,
                exercise_id=exercise,
                values=values,
                by=by,
                reason=reason,
                effective=from_day,
                added=added,
            ),
        )
    what = _row_text(row.action, row.exercise_id, json.loads(row.values_json))
    click.echo(
        f"Prescribed for {act.patient.name} from {row.effective_date}: {what} "
        f"(by {row.prescribed_by})."
    )
    click.echo("`rehab prescriptions` lists the changes; `rehab today` shows the plan.")


def _exercise_to_add(
    session: Any,
    patient: Any,
    exercise_id: str,
    from_program: str | None,
    new_fields: dict[str, str | None],
    cautions: tuple[str, ...],
    slots: tuple[str, ...],
    legs: str | None,
    by: str,
) -> Exercise:
    from rehab.cli.programs import catalog_or_fail
    from rehab.store import journal

    given = [flag for flag, value in new_fields.items() if value is not None]
    if given:
        missing = [flag for flag, value in new_fields.items() if value is None]
        if missing:
            raise click.UsageError(
                f"a new exercise needs {', '.join(missing)} too (given: {', '.join(given)})"
            )
        if from_program:
            raise click.UsageError("--from-program takes an exercise from a template: no --name")
        return _new_exercise(exercise_id, new_fields, cautions, slots, legs, by)
    if cautions or slots or legs:
        raise click.UsageError(
            "--caution, --slot and --legs describe a new exercise (with --name, --kind, "
            "--instructions); an exercise from a template keeps its own"
        )
    catalog = catalog_or_fail()
    if from_program:
        try:
            source = catalog.get(from_program)
        except KeyError as exc:
            raise click.BadParameter(str(exc.args[0]), param_hint="--from-program") from None
        return _taken(source, exercise_id, f"--from-program {from_program}")
    enrollment = journal.require_enrollment(session, patient=patient)
    own = journal.program_of(enrollment)
    if exercise_id in {e.id for e in own.exercises}:
        return _taken(own, exercise_id, "the patient's program")
    holders = sorted(
        entry.program.id
        for entry in catalog.entries.values()
        if exercise_id in {e.id for e in entry.program.exercises}
    )
    if len(holders) == 1:
        return _taken(catalog.get(holders[0]), exercise_id, holders[0])
    if holders:
        raise click.UsageError(
            f"{exercise_id!r} is in several templates ({', '.join(holders)}): "
            "say which with --from-program"
        )
    raise click.UsageError(
        f"no template has an exercise {exercise_id!r}: give --from-program ID, or describe a "
        "new one with --name, --kind and --instructions"
    )


def _taken(program: Program, exercise_id: str, where: str) -> Exercise:
    try:
        exercise = program.exercise(exercise_id)
    except KeyError:
        ids = ", ".join(e.id for e in program.exercises)
        raise UsageProblem(f"no exercise {exercise_id!r} in {where} (allowed: {ids})") from None
    # the template's phases are its own: in this program it runs in every phase from its date
    return exercise.model_copy(update={"phases": []})


def _new_exercise(
    exercise_id: str,
    fields: dict[str, str | None],
    cautions: tuple[str, ...],
    slots: tuple[str, ...],
    legs: str | None,
    by: str,
) -> Exercise:
    from pydantic import ValidationError

    data: dict[str, Any] = {
        "id": exercise_id,
        "name": " ".join((fields["--name"] or "").split()),
        "kind": fields["--kind"],
        "instructions": " ".join((fields["--instructions"] or "").split()),
        "side": legs or "none",
        "slots": list(slots) or ["any"],
        "cautions": [" ".join(c.split()) for c in cautions if c.strip()],
        "source": [f"prescribed by {' '.join(by.split())}"],
    }
    if len(data["slots"]) > 1:
        data["times_per_day"] = len(data["slots"])
    try:
        return Exercise.model_validate(data)
    except ValidationError as exc:
        error = exc.errors()[0]
        where = {"id": "EXERCISE", "name": "--name", "instructions": "--instructions"}.get(
            str(error["loc"][0]) if error["loc"] else "", str(error["loc"][0])
        )
        message = str(error["msg"]).removeprefix("Value error, ")
        if error["type"] == "string_pattern_mismatch":
            message = "use lower-case letters, digits and dashes (e.g. towel-curl)"
        raise UsageProblem(f"{where}: {message}") from None


def _row_text(action_name: str, exercise_id: str, values: dict[str, Any]) -> str:
    if action_name == "remove":
        return f"{exercise_id} removed"
    shown = ", ".join(
        f"{FIELD_WORDS[k]} {_value_text(values[k])}" for k in FIELD_WORDS if k in values
    )
    if action_name == "add":
        return f"{exercise_id} added" + (f" ({shown})" if shown else "")
    return f"{exercise_id}: {shown}"


def _value_text(value: Any) -> str:
    if isinstance(value, list):
        return DoseRange.model_validate(value).text()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print the history as JSON.")
@click.option("--undo", "undo_id", type=click.IntRange(1), help="Take back prescription ID.")
@click.pass_context
def prescriptions(ctx: click.Context, as_json: bool, undo_id: int | None) -> None:
    """The therapist's changes to the current patient's program, in the order they apply:
    id, first day, what changed, by whom and why, when it was made, and whether it was taken
    back (`--undo ID`; kept in the history, marked undone)."""
    from rehab.store import journal
    from rehab.store.prescriptions import prescription_rows, void_prescription

    with action(ctx, writes=undo_id is not None) as act:
        if undo_id is not None:
            row = void_prescription(act.session, patient=act.patient, prescription_id=undo_id)
            what = _row_text(row.action, row.exercise_id, json.loads(row.values_json))
            click.echo(f"Took back prescription {row.id} ({what}, from {row.effective_date}).")
            return
        enrollment = journal.require_enrollment(act.session, patient=act.patient)
        rows = prescription_rows(act.session, enrollment=enrollment, voided=True)
        zone = act.zone
    if as_json:
        click.echo(
            json.dumps(
                [
                    {
                        "id": r.id,
                        "from": r.effective_date.isoformat(),
                        "action": r.action,
                        "exercise_id": r.exercise_id,
                        "values": json.loads(r.values_json),
                        "by": r.prescribed_by,
                        "reason": r.reason,
                        "made_at": r.created_at.astimezone(zone).isoformat(timespec="seconds"),
                        "voided_at": r.voided_at.astimezone(zone).isoformat(timespec="seconds")
                        if r.voided_at
                        else None,
                    }
                    for r in rows
                ],
                indent=2,
                ensure_ascii=False,
            )
        )
        return
    if not rows:
        click.echo(
            f"No prescriptions for {act.patient.name}: the program is as its template wrote it. "
            "`rehab prescribe EXERCISE ... --by NAME` tailors it."
        )
        return
    click.echo(f"Prescriptions for {act.patient.name} ({enrollment.program_name}):")
    for r in rows:
        made = r.created_at.astimezone(zone).strftime("%Y-%m-%d %H:%M")
        undone = "  [undone]" if r.voided_at is not None else ""
        why = f"; why: {r.reason}" if r.reason else ""
        click.echo(
            f"  {r.id:>3}  from {r.effective_date}  "
            f"{_row_text(r.action, r.exercise_id, json.loads(r.values_json))}"
            f"  (by {r.prescribed_by}, {made}{why}){undone}"
        )
    click.echo("Not medical advice; follow your clinician.")
