"""`rehab advice` and `rehab accept`: the pain-monitoring model's suggestion for today, and
taking it (a phase change or load step from tomorrow on). Nothing advances on its own."""

from __future__ import annotations

import json

import click

from rehab.cli.params import TEXT
from rehab.cli.session import action


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print the advice as JSON.")
@click.pass_context
def advice(ctx: click.Context, as_json: bool) -> None:
    """Today's advice: progress, hold, reduce or stop, with the reasons in words and numbers.

    Stop means stop the exercises and see a clinician: a red flag in the log (pain at night
    or at rest, pain above 5/10 on most sessions of a week despite a reduction, no important
    improvement by the course's end) or a red-flag answer; the program pauses until a
    clinician clears it (`rehab cleared --by NAME`).

    The JSON has decision (progress/hold/reduce/stop), reasons, next_phase, next_load_level,
    set_cut and week_cap (the reduction accepting it holds), plan_change (what accepting
    changes in the plan), flags (the red flags of a stop) and would_change (what would
    change the advice).
    """
    from rehab.store.progress import course_check, escalate, todays_advice

    with action(ctx) as act:
        result = escalate(act.session, patient=act.patient, today=act.today) or todays_advice(
            act.session, patient=act.patient, today=act.today
        )
        course = course_check(act.session, patient=act.patient, today=act.today)
    if as_json:
        click.echo(
            json.dumps(
                {
                    "decision": result.decision,
                    "reasons": result.reasons,
                    "next_phase": result.next_phase,
                    "next_load_level": result.next_load_level,
                    "set_cut": result.set_cut,
                    "week_cap": result.week_cap,
                    "plan_change": result.plan_change,
                    "flags": list(result.flags),
                    "would_change": result.would_change,
                    "course": {"status": course.status, "sentence": course.sentence},
                },
                indent=2,
            )
        )
        return
    if result.decision == "stop":
        click.secho("Advice for today: STOP the exercises and see a clinician", fg="red", bold=True)
    else:
        click.echo(f"Advice for today: {result.decision.upper()}")
    for reason in result.reasons:
        click.echo(f"  - {reason}")
    if result.plan_change and result.decision in ("progress", "reduce"):
        click.echo(f"If you accept it, from tomorrow: {result.plan_change}.")
    if result.would_change:
        click.echo("What would change it:")
        for item in result.would_change:
            click.echo(f"  - {item}")
    if result.decision != "stop" or course.no_improvement or course.status != "not on track":
        click.echo(course.sentence)  # beside a stop, no "cut back" advice
    if result.decision in ("progress", "reduce"):
        click.echo("`rehab accept` applies it from tomorrow.")
    elif result.decision == "stop":
        click.echo(
            "The program is paused until a clinician has cleared it (`rehab cleared --by NAME`)."
        )
    click.echo("Not medical advice; follow your clinician.")


@click.command()
@click.option(
    "--by",
    "decided_by",
    type=TEXT,
    default="patient",
    show_default=True,
    help="Who accepted it (a therapist can put their name).",
)
@click.pass_context
def accept(ctx: click.Context, decided_by: str) -> None:
    """Accept today's advice: the new phase or load applies from tomorrow."""
    from rehab.store.journal import one_line_reason
    from rehab.store.progress import accept as accept_advice

    who = one_line_reason(decided_by, examples="patient, a therapist's name")[:60]
    with action(ctx) as act:
        result, change = accept_advice(
            act.session, patient=act.patient, today=act.today, decided_by=who
        )
    moved = (
        f"phase {change.from_phase} → {change.to_phase}"
        if change.to_phase != change.from_phase
        else result.plan_change or f"load level {change.load_level}"
    )
    click.echo(f"Accepted ({result.decision}): {moved}, from {change.effective_date}.")
