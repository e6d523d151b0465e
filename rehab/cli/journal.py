"""Day-to-day commands: see today's plan, check doses off, log pain and symptoms, pause."""

from __future__ import annotations

import json
import sys
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import click

from rehab.cli.params import (
    DATE,
    INSTANT,
    LOAD,
    MINUTES,
    PAIN,
    REPS,
    SECONDS,
    SETS,
    STIFFNESS,
    TEXT,
)
from rehab.cli.session import Action, action
from rehab.core import clock
from rehab.core.checklist import DoseProgress
from rehab.core.progression import Advice
from rehab.core.redflags import FLAG_IDS
from rehab.core.rows import SLOT_TITLES, build_rows, rows_done, sets_text
from rehab.core.schedule import Dose
from rehab.core.template import DoseRange
from rehab.core.vocabulary import DISCLAIMER as DISCLAIMER
from rehab.store import journal
from rehab.store.journal import PAIN_CONTEXTS, Amounts, Day

# Night or rest pain logged for one of the last 7 days (the advice's window) raises the red
# flag; an older entry filled in later is logged only (the advice would not see it either).
RED_FLAG_WINDOW_DAYS = 7
MARK = {
    "done": "[x]",
    "partial": "[~]",
    "used": "[x]",  # as needed, done at least once, more allowed
    "skipped": "[-]",
    "open": "[ ]",
    "paused": "[‖]",
}


def _day(act: Action, value: date | None) -> date:
    return value if value is not None else act.today


# --- today --------------------------------------------------------------------------------


@click.command()
@click.option("--date", "day", type=DATE, help="Show another day (default: today).")
@click.option("--json", "as_json", is_flag=True, help="Print the doses as a JSON list.")
@click.pass_context
def today(ctx: click.Context, day: date | None, as_json: bool) -> None:
    """Show the day's plan by time of day, with what is done.

    The JSON is a list with one object per dose and leg: key, exercise, name, kind, slot,
    side (left/right/null), sets, reps, hold_seconds, minutes (the top of any range; the
    bottom is in sets_min, reps_min, hold_seconds_min, minutes_min), load_kg, load, tempo,
    as_needed, unverified, sets_done, status (open/partial/done/skipped) and text.
    """
    with action(ctx) as act:
        if journal.active_enrollment(act.session, patient=act.patient) is None:
            if as_json:
                click.echo("[]")
                return
            _no_program(act)
            return
        view = journal.load_day(act.session, patient=act.patient, day=_day(act, day))
        escalated = None
        if view.plan.day == act.today and _course_end_reached(view):
            # every write already acts on the stops the log shows; the one that comes with
            # time alone, no improvement by the course's end, is checked here
            escalated = escalate_quietly(act)
            if escalated is not None:
                view = journal.load_day(act.session, patient=act.patient, day=view.plan.day)
        is_today = view.plan.day == act.today
        visa_due = False
        if not as_json and is_today and view.program.reminds_visa_a:
            from rehab.store.assessments import visa_reminder_due

            visa_due = visa_reminder_due(act.session, patient=act.patient, today=act.today)
        red_flag = view.paused and (
            journal.red_flag_pause(act.session, enrollment=view.enrollment) is not None
        )
    if as_json:
        click.echo(json.dumps([_dose_json(item) for item in view.items], indent=2))
    else:
        click.echo(_today_text(view, is_today=is_today, visa_due=visa_due, red_flag=red_flag))
        if escalated is not None:
            report_stop(escalated)


def _no_program(act: Action) -> None:
    click.echo(f"Welcome to rehab. {DISCLAIMER}")
    click.echo("")
    click.echo(f"{act.patient.name} has no program yet. To begin:")
    click.echo("  rehab programs                       list the programs")
    click.echo("  rehab programs show ID               see one, phase by phase")
    click.echo("  rehab start ID --side left|right|both")


def _span_pair(span: DoseRange | None) -> tuple[float | int | None, float | int | None]:
    if span is None:
        return None, None
    return _number(span.high), _number(span.low)


def _number(value: float | None) -> float | int | None:
    if value is None:
        return None
    return int(value) if float(value).is_integer() else value


def _dose_json(item: DoseProgress) -> dict[str, Any]:
    dose = item.dose
    sets, sets_min = _span_pair(dose.sets)
    reps, reps_min = _span_pair(dose.reps)
    hold, hold_min = _span_pair(dose.hold_seconds)
    minutes, minutes_min = _span_pair(dose.minutes)
    hidden = dose.unverified  # never show an unverified dose as fact
    return {
        "key": dose.key,
        "exercise": dose.exercise_id,
        "name": dose.name,
        "kind": dose.kind,
        "slot": dose.slot,
        "side": dose.side,
        "sets": None if hidden else sets,
        "sets_min": None if hidden else sets_min,
        "reps": None if hidden else reps,
        "reps_min": None if hidden else reps_min,
        "hold_seconds": None if hidden else hold,
        "hold_seconds_min": None if hidden else hold_min,
        "minutes": None if hidden else minutes,
        "minutes_min": None if hidden else minutes_min,
        "load_kg": None if hidden else _number(dose.load_kg),
        "load": None if hidden else dose.load,
        "tempo": None if hidden else dose.tempo,
        "as_needed": dose.as_needed,
        "unverified": dose.unverified,
        "sets_done": None if hidden else item.sets_done,
        "status": item.status,
        "text": dose.describe(),
        "instructions": dose.instructions,
        "cautions": list(dose.cautions),
        "prescribed_by": dose.prescribed_by,
        "adjusted": _adjusted_json(dose),
    }


def _adjusted_json(dose: Dose) -> dict[str, str] | None:
    """How a reduction in force changed this dose, and since when (None: as planned)."""
    change = dose.adjusted
    if change is None or dose.unverified:
        return None
    return {
        "what": change.text(),
        "from": change.was,
        "to": change.now,
        "since": change.since.isoformat(),
        "why": change.why,
    }


def _course_end_reached(view: Day) -> bool:
    """Today is at or past the day the course check can say 'no important improvement'."""
    from rehab.core.course import course_end_due

    plan = view.plan
    if plan.status != "active" or view.paused:
        return False
    return course_end_due(view.program.weeks, plan.program_day)


def escalate_quietly(act: Action) -> Advice | None:
    """Act on a stop the log shows (record its red flags, pause): the advice if it is stop
    and was raised just now, else None."""
    from rehab.store.progress import escalate

    before = journal.active_enrollment(act.session, patient=act.patient)
    if before is None or journal.open_flags(act.session, enrollment=before):
        return None
    return escalate(act.session, patient=act.patient, today=act.today)


def report_stop(advice: Advice) -> None:
    """The stop, said first and plainly, with its reasons."""
    click.echo("")
    click.secho("!! STOP: stop the exercises and see a clinician !!", fg="red", bold=True)
    for reason in advice.reasons:
        click.echo(f"  - {reason}")
    click.echo(
        "The program is paused until a clinician has cleared it; then `rehab cleared --by NAME`."
    )
    click.echo(DISCLAIMER)


def _today_text(
    view: Day, *, is_today: bool, visa_due: bool = False, red_flag: bool = False
) -> str:
    plan = view.plan
    lines = [view.program.name]
    heading = plan.day.strftime("%A %-d %B %Y") + (" (today)" if is_today else "")
    if plan.status == "before-start":
        lines.append(f"{heading}: the program starts on {view.enrollment.start_date}.")
    elif plan.status == "paused":
        if red_flag:
            lines.append(
                f"{heading}: paused for a red flag. Stop the exercises and see a clinician; "
                "`rehab cleared --by NAME` once they have cleared you."
            )
            for slot, rows in _rows_text(view):  # what was done before the pause began
                lines.append("")
                lines.append(SLOT_TITLES[slot])
                lines.extend(rows)
        else:
            lines.append(f"{heading}: paused. `rehab resume` picks the program up again.")
    elif plan.status == "ended":
        lines.append(f"{heading}: the program has ended (last day {view.end}).")
    else:
        total_weeks = view.program.weeks
        phase = plan.phase.name if plan.phase else ""
        done, planned = rows_done(build_rows(view.items))  # as the rows below show it
        lines.append(
            f"{heading} · week {plan.week} of {total_weeks} · {phase} · {done} of {planned} done"
        )
        for slot, rows in _rows_text(view):
            lines.append("")
            lines.append(SLOT_TITLES[slot])
            lines.extend(rows)
    if visa_due:
        lines.append("")
        lines.append("VISA-A due: `rehab visa`")
    lines.append("")
    lines.append(DISCLAIMER)
    return "\n".join(lines)


def _rows_text(view: Day) -> list[tuple[str, list[str]]]:
    """Rows by slot, from the same rows the app shows (legs and as-needed repeats share one)."""
    by_slot: list[tuple[str, list[str]]] = []
    for row in build_rows(view.items):
        if not by_slot or by_slot[-1][0] != row.slot:
            by_slot.append((row.slot, []))
        detail = f"  ({row.progress.strip('()')})" if row.progress else ""
        if row.status == "skipped":
            detail += "  skipped"
        by_slot[-1][1].append(f"  {MARK[row.status]} {row.keys[0]:<24} {row.text}{detail}")
    return by_slot


# --- check-offs -----------------------------------------------------------------------------


@click.command()
@click.argument("key", type=TEXT)
@click.option("--side", type=click.Choice(["left", "right"]), help="Only this leg.")
@click.option("--date", "day", type=DATE, help="The plan day (default: today).")
@click.option("--sets", type=SETS, help="Sets done (default: all that are left).")
@click.option("--reps", type=REPS, help="Repetitions per set, if not as planned.")
@click.option("--hold", type=SECONDS, help="Seconds held, if not as planned.")
@click.option("--minutes", type=MINUTES, help="Minutes done (ice, walking).")
@click.option("--load", type=LOAD, help="Extra load used, in kg.")
@click.option("--pain", type=PAIN, help="Pain during the exercise, 0 to 10.")
@click.option("--note", type=TEXT, help="A short note for your therapist.")
@click.pass_context
def done(
    ctx: click.Context,
    key: str,
    side: str | None,
    day: date | None,
    sets: int | None,
    reps: int | None,
    hold: float | None,
    minutes: float | None,
    load: float | None,
    pain: int | None,
    note: str | None,
) -> None:
    """Check off a planned dose: KEY as shown by `rehab today` (calf-stretch, ice#2).

    Without --side every open leg is checked off; without --sets, all the sets left.
    """
    amounts = Amounts(sets, reps, hold, minutes, load, pain, _note(note))
    with action(ctx) as act:
        plan_day = _day(act, day)
        rows = journal.record_done(
            act.session, patient=act.patient, day=plan_day, key=key, side=side, amounts=amounts
        )
        escalated = escalate_quietly(act) if pain is not None else None
    parts = [
        " ".join(p for p in (r.side, sets_text(r.sets)) if p)
        for r in rows
        if r.side or (r.sets or 0) > 1
    ]
    detail = f" ({', '.join(parts)})" if parts else ""
    click.echo(f"Done: {rows[0].item_key} on {plan_day}{detail}.")
    if escalated is not None:
        report_stop(escalated)


def _note(value: str | None) -> str | None:
    if value is None:
        return None
    text = " ".join(value.split())
    if len(text) > 500:
        raise click.BadParameter(
            f"is {len(text)} characters long (allowed: up to 500)", param_hint="--note"
        )
    return text or None


@click.command()
@click.argument("key", type=TEXT)
@click.option(
    "--reason", type=TEXT, required=True, help="Why: too painful, no time, no equipment, other."
)
@click.option("--side", type=click.Choice(["left", "right"]), help="Only this leg.")
@click.option("--date", "day", type=DATE, help="The plan day (default: today).")
@click.pass_context
def skip(ctx: click.Context, key: str, reason: str, side: str | None, day: date | None) -> None:
    """Skip a planned dose, with a reason your therapist will see."""
    with action(ctx) as act:
        plan_day = _day(act, day)
        rows = journal.record_skip(
            act.session, patient=act.patient, day=plan_day, key=key, reason=reason, side=side
        )
    doses = "1 dose" if len(rows) == 1 else f"{len(rows)} doses"
    click.echo(f"Skipped: {key} on {plan_day} ({doses}): {rows[0].reason}.")


@click.command()
@click.pass_context
def undo(ctx: click.Context) -> None:
    """Take back the last entry. It stays in the history, marked as voided."""
    with action(ctx) as act:
        undone = journal.undo_last(act.session, patient=act.patient)
    click.echo(f"Undone: {undone.what}.")


# --- pain and symptoms -----------------------------------------------------------------------


@click.command(context_settings={"ignore_unknown_options": True})
@click.argument("score", type=PAIN)
@click.option(
    "--context",
    type=click.Choice(PAIN_CONTEXTS),
    help="When the pain was felt (default: morning before noon, after exercise from noon). "
    "Pain at night or at rest is a red flag: the program pauses until a clinician clears it.",
)
@click.option(
    "--red-flags/--no-red-flags",
    "ask_flags",
    default=None,
    help="With night or rest pain, answer the other red-flag questions (default: asked on a "
    "terminal).",
)
@click.option("--at", "at", type=INSTANT, help="When (ISO date-time; default: now).")
@click.option("--note", type=TEXT, help="A short note.")
@click.option(
    "--flag",
    "flags",
    multiple=True,
    type=click.Choice(FLAG_IDS),
    metavar="ID",
    help=f"A red flag you have (repeatable; pauses the program): {', '.join(FLAG_IDS)}.",
)
@click.pass_context
def pain(
    ctx: click.Context,
    score: int,
    context: str | None,
    ask_flags: bool | None,
    at: datetime | None,
    note: str | None,
    flags: tuple[str, ...],
) -> None:
    """Log a pain score: 0 is no pain, 10 the worst imaginable.

    With --flag, the red flag is recorded too and the program is paused until a clinician
    has cleared it (`rehab check --help` lists what each id means). Pain at night or at rest
    is itself a red flag: it pauses the program, and on a terminal the other red-flag
    questions are asked too.
    """
    raised = None
    answered = list(flags)
    at_rest = context in ("night", "rest") and score > 0
    if ask_flags is None:  # a person at a terminal is asked; scripts and pipes are not
        ask_flags = at_rest and sys.stdin.isatty()
    if ask_flags:
        from rehab.cli.visa import ask_red_flags

        answered += ask_red_flags(skip=(*flags, "rest-pain"))
    with action(ctx) as act:
        when = at
        if when is not None and when.tzinfo is None:
            when = when.replace(tzinfo=act.zone)
        if context is None:
            local = (when or clock.now_utc()).astimezone(act.zone)
            context = "morning" if local.hour < 12 else "after"
        entry = journal.record_pain(
            act.session,
            patient=act.patient,
            score=score,
            context=context,
            at=when,
            note=_note(note),
        )
        from rehab.store.redflags import record_red_flags

        if answered:
            raised = record_red_flags(
                act.session, patient=act.patient, flag_ids=answered, day=entry.local_date
            )
        recent = (act.today - entry.local_date).days < RED_FLAG_WINDOW_DAYS
        if context in ("night", "rest") and score > 0 and recent:
            found = record_red_flags(
                act.session,
                patient=act.patient,
                flag_ids=[] if "rest-pain" in answered else ["rest-pain"],
                day=entry.local_date,
                source="log",
                detail=f"pain {score}/10 logged {'at night' if context == 'night' else 'at rest'}",
                pain=entry,
            )
            raised = raised or found
        escalated = escalate_quietly(act) if raised is None else None
    click.echo(f"Pain {entry.score}/10 ({entry.context}) logged for {entry.local_date}.")
    if raised is not None:
        from rehab.cli.visa import report_red_flags

        report_red_flags(raised)
    elif escalated is not None:
        report_stop(escalated)


@click.command()
@click.option("--date", "day", type=DATE, help="The day (default: today).")
@click.option("--stiffness", type=STIFFNESS, help="Minutes of stiffness after getting up.")
@click.option("--swelling/--no-swelling", default=None, help="Swelling at the back of the heel.")
@click.option("--redness/--no-redness", default=None, help="Redness at the back of the heel.")
@click.option("--tiptoe-pain/--no-tiptoe-pain", default=None, help="Pain standing on tiptoe.")
@click.option("--note", type=TEXT, help="A short note.")
@click.option(
    "--red-flags/--no-red-flags",
    "ask_flags",
    default=None,
    help="Answer the red-flag questions, y or n (default: asked on a terminal).",
)
@click.option(
    "--flag",
    "flags",
    multiple=True,
    type=click.Choice(FLAG_IDS),
    metavar="ID",
    help="A red flag answered yes, without the questions (repeatable; ids below).",
)
@click.pass_context
def check(
    ctx: click.Context,
    day: date | None,
    stiffness: int | None,
    swelling: bool | None,
    redness: bool | None,
    tiptoe_pain: bool | None,
    note: str | None,
    ask_flags: bool | None,
    flags: tuple[str, ...],
) -> None:
    """Log the morning symptom check: stiffness, swelling, redness, tiptoe pain, and red
    flags: the signs that mean stop the exercises and see a clinician.

    A red flag (asked on a terminal or with --red-flags, or given with --flag ID) is recorded
    and pauses the
    program; check-offs, skips and `rehab resume` are refused until a clinician has cleared
    it (`rehab cleared --by NAME`). The ids:

    
      pop            a sudden pop at the back of the leg (same day)
      no-heel-raise  cannot rise onto the toes on the painful leg alone (same day)
      gap            a gap or dip in the tendon above the heel (same day)
      nerve          numbness, burning, tingling or electric-shock pain (soon)
      infection      fever, or a hot, red, swollen heel (soon)
      rest-pain      pain at night or at rest (soon)
      both-heels     both heels started hurting at the same time (soon)
    """
    values = (stiffness, swelling, redness, tiptoe_pain)
    if ask_flags is None:  # a person at a terminal is asked; scripts and pipes are not
        ask_flags = sys.stdin.isatty()
    if all(v is None for v in values) and not flags and not ask_flags:
        raise click.UsageError(
            "give at least one of --stiffness, --swelling/--no-swelling, "
            "--redness/--no-redness, --tiptoe-pain/--no-tiptoe-pain, --red-flags, --flag"
        )
    flagged = list(flags)
    if ask_flags:
        from rehab.cli.visa import ask_red_flags

        flagged += ask_red_flags(skip=flags)
    if all(v is None for v in values) and not flagged:
        # only the questions were asked, all answered no: nothing to log
        from rehab.core.redflags import evaluate

        click.echo(evaluate({}).message)
        return
    from rehab.cli.visa import report_red_flags
    from rehab.store.redflags import record_red_flags

    with action(ctx) as act:
        entry = None
        if any(v is not None for v in values):
            entry = journal.record_check(
                act.session,
                patient=act.patient,
                day=_day(act, day),
                stiffness_minutes=stiffness,
                swelling=swelling,
                redness=redness,
                tiptoe_pain=tiptoe_pain,
                note=_note(note),
            )
        raised = record_red_flags(
            act.session,
            patient=act.patient,
            flag_ids=flagged,
            day=_day(act, day),
            note=_note(note),
            check=entry,
        )
        escalated = escalate_quietly(act) if not raised.result.raised else None
    if entry is not None:
        click.echo(f"Morning check logged for {entry.check_date}.")
    if flagged or ask_flags:
        report_red_flags(raised)
    if escalated is not None:
        report_stop(escalated)


# --- program lifecycle ---------------------------------------------------------------------


@click.command()
@click.argument("program_id", metavar="[ID]", type=TEXT, required=False)
@click.option(
    "--side", type=click.Choice(["left", "right", "both"]), required=True, help="Painful leg(s)."
)
@click.option("--start", "start_day", type=DATE, help="First day (default: today).")
@click.option("--replace", is_flag=True, help="End the current program and start this one.")
@click.option(
    "--file",
    "file",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Start the program in this template file (e.g. one a therapist handed over).",
)
@click.pass_context
def start(
    ctx: click.Context,
    program_id: str | None,
    side: str,
    start_day: date | None,
    replace: bool,
    file: Path | None,
) -> None:
    """Start a program (ID, see `rehab programs`, or --file FILE.toml) for the left, right or
    both legs."""
    from rehab.cli.programs import catalog_or_fail
    from rehab.core.template import TemplateError, load_program_file

    if (program_id is None) == (file is None):
        raise click.UsageError("give a program ID or --file FILE.toml (one of them)")
    if file is not None:
        try:
            program = load_program_file(file, named=False)
        except TemplateError as exc:
            raise click.BadParameter(str(exc), param_hint="--file") from None
    else:
        assert program_id is not None
        catalog = catalog_or_fail()
        try:
            program = catalog.get(program_id)
        except KeyError as exc:
            raise click.BadParameter(str(exc.args[0]), param_hint="ID") from None
    with action(ctx, create_patient=True) as act:
        first = _day(act, start_day)
        latest = act.today + timedelta(days=365)
        if first > latest:
            raise click.BadParameter(
                f"{first} is more than a year ahead (allowed: up to {latest})",
                param_hint="--start",
            )
        enrollment = journal.start_program(
            act.session,
            patient=act.patient,
            program=program,
            side="left" if side == "left" else "right" if side == "right" else "both",
            start=first,
            replace=replace,
        )
    click.echo(
        f"Started {program.name} for {act.patient.name} ({side} leg"
        f"{'s' if side == 'both' else ''}) on {enrollment.start_date}, {program.weeks} weeks."
    )
    click.echo(DISCLAIMER)
    click.echo("`rehab today` shows what to do today.")


@click.command()
@click.option("--reason", type=TEXT, required=True, help="Why: injury, illness, travel, ...")
@click.pass_context
def pause(ctx: click.Context, reason: str) -> None:
    """Pause the program from today, or from tomorrow when today already has check-offs
    (they stay); paused days are not counted as missed."""
    with action(ctx) as act:
        row = journal.pause_program(act.session, patient=act.patient, reason=reason)
    kept = " (today's entries are kept)" if row.start_date == act.today + timedelta(days=1) else ""
    click.echo(
        f"Paused from {row.start_date}{kept}: {row.reason}. `rehab resume` picks it up again."
    )


@click.command()
@click.pass_context
def resume(ctx: click.Context) -> None:
    """Resume the paused program from today; its remaining weeks move along with it."""
    with action(ctx) as act:
        row = journal.resume_program(act.session, patient=act.patient)
    if row.end_date == row.start_date:
        click.echo(f"Pause cancelled: it was to start on {row.start_date}; nothing is paused.")
    else:
        click.echo(f"Resumed on {row.end_date} (paused since {row.start_date}).")
