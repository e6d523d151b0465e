"""`rehab programs`: the templates a patient can start, and a checker for one's own."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click

from rehab import paths
from rehab.cli.params import TEXT
from rehab.core.catalog import Catalog, load_catalog
from rehab.core.schedule import plan_day
from rehab.core.template import CONDITION_NAMES, Program, TemplateError, load_program_file
from rehab.core.vocabulary import DISCLAIMER as DISCLAIMER
from rehab.core.wording import phase_timing, phases_intro, source_title
from rehab.errors import UsageProblem


def catalog_or_fail() -> Catalog:
    catalog = load_catalog(paths.builtin_programs_dir(), paths.user_programs_dir())
    for problem in catalog.problems:
        click.echo(f"rehab: skipped a user template: {problem}", err=True)
    return catalog


@click.group(invoke_without_command=True)
@click.pass_context
def programs(ctx: click.Context) -> None:
    """List, show and check program templates."""
    if ctx.invoked_subcommand is None:
        ctx.invoke(list_programs)


@programs.command("list")
def list_programs() -> None:
    """List the programs: id, name, conditions, weeks."""
    catalog = catalog_or_fail()
    entries = sorted(catalog.entries.values(), key=lambda e: (not e.builtin, e.program.id))
    width = max((len(e.program.id) for e in entries), default=10)
    click.echo(f"{'ID':<{width}}  {'WEEKS':>5}  NAME / CONDITIONS")
    for entry in entries:
        program = entry.program
        mine = "" if entry.builtin else "  (your template)"
        click.echo(f"{program.id:<{width}}  {program.weeks:>5}  {program.name}{mine}")
        conditions = ", ".join(CONDITION_NAMES[c] for c in program.conditions)
        click.echo(f"{'':<{width}}  {'':>5}  for: {conditions}")
    click.echo("")
    click.echo("`rehab programs show ID` for details; `rehab start ID --side left|right|both`.")


@programs.command("show", short_help="Show one program: sources, phases, exercises.")
@click.argument("program_id", metavar="ID", type=TEXT)
def show(program_id: str) -> None:
    """Show one program: sources, phases and their exercises."""
    catalog = catalog_or_fail()
    try:
        program = catalog.get(program_id)
    except KeyError as exc:
        raise click.BadParameter(str(exc.args[0]), param_hint="ID") from None
    click.echo(describe_program(program))


def describe_program(program: Program) -> str:
    lines = [program.name, program.summary, ""]
    lines.append("For: " + ", ".join(CONDITION_NAMES[c] for c in program.conditions))
    lines.append(f"Length: {program.weeks} weeks")
    if len(program.phases) > 1:
        lines.append(phases_intro(program))
    for phase in program.phases:
        lines.append("")
        lines.append(f"{phase.name} ({phase_timing(program, phase)})")
        if phase.goal:
            lines.append(f"  Goal: {phase.goal}")
        if phase.advance_when:
            lines.append(f"  Moves on when: {phase.advance_when}")
        for exercise in program.exercises:
            if exercise.phases and phase.id not in exercise.phases:
                continue
            lines.append(f"  - {_exercise_line(program, phase.id, exercise.id)}")
            lines.append(f"      How: {exercise.instructions}")
            lines.extend(f"      ! {caution}" for caution in exercise.cautions)
    if program.cautions:
        lines.append("")
        lines.append("Cautions:")
        lines.extend(f"  ! {c}" for c in program.cautions)
    if program.notes:
        lines.append("")
        lines.append("Notes:")
        lines.extend(f"  {n}" for n in program.notes)
    lines.append("")
    lines.append("Sources:")
    lines.extend(f"  {source_title(source)}" for source in program.sources)
    lines.append(DISCLAIMER)
    return "\n".join(lines)


def _exercise_line(program: Program, phase_id: str, exercise_id: str) -> str:
    """The exercise as its first planned dose in that phase reads to a patient."""
    from rehab.core.schedule import Progression

    exercise = program.exercise(exercise_id)
    phase = program.phase(phase_id)
    first_week = int(phase.weeks.low)
    start = _a_monday()
    for offset in range((first_week - 1) * 7, min(program.weeks * 7, (first_week - 1) * 7 + 7)):
        day = start.fromordinal(start.toordinal() + offset)
        plan = plan_day(
            program,
            start=start,
            side="both",
            day=day,
            progressions=(Progression(start, phase_id),),
        )
        doses = [d for d in plan.doses if d.exercise_id == exercise_id]
        if doses:
            legs = (
                "each leg"
                if exercise.side == "each"
                else ("affected leg(s)" if exercise.side == "affected" else None)
            )
            text = doses[0].describe(legs=legs)
            when = _when(exercise.days, exercise.times_per_day, [d.slot for d in doses])
            return f"{text} — {when}"
    return f"{exercise.name}"


def _when(days: str, times: int, slots: list[str]) -> str:
    rhythm = {"daily": "daily", "every-other-day": "every other day", "3-per-week": "3× a week"}
    unique = list(dict.fromkeys(s if s != "any" else "any time" for s in slots))
    per_day = f"{times}× a day, " if times > 1 else ""
    return f"{rhythm[days]}, {per_day}{' / '.join(unique)}"


def _a_monday() -> date:
    return date(2024, 1, 1)


@programs.command("check", short_help="Check your own template FILE, as the built-in ones are.")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
def check_file(file: Path) -> None:
    """Validate your own template FILE (the same checks as the built-in ones)."""
    try:
        program = load_program_file(file)
    except TemplateError as exc:
        raise UsageProblem(str(exc)) from None
    builtin = paths.builtin_programs_dir() / f"{program.id}.toml"
    if builtin.exists() and builtin.resolve() != file.resolve():
        raise UsageProblem(f"{file}: id: {program.id!r} is a built-in program (allowed: a new id)")
    click.echo(
        f"{file}: ok ({program.id}: {_count(len(program.phases), 'phase')}, "
        f"{_count(len(program.exercises), 'exercise')}, {_count(program.weeks, 'week')})"
    )


@programs.command(
    "export-prescription", short_help="Write the patient's tailored program to a file."
)
@click.option("--out", required=True, type=TEXT, help="The TOML file to write (- for the screen).")
@click.option("--force", is_flag=True, help="Replace FILE if it exists.")
@click.pass_context
def export_prescription(ctx: click.Context, out: str, force: bool) -> None:
    """Write the current patient's program as their therapist tailored it (every
    prescription, with who, from when and why in its notes) as a template file. `rehab start
    --file FILE --side ...` starts it on another machine, checked as any template is."""
    from rehab.cli.session import action
    from rehab.core.prescription import handed_over
    from rehab.core.template import program_toml
    from rehab.export import files
    from rehab.store import journal
    from rehab.store.prescriptions import prescriptions_of

    if not out.endswith(".toml") and out != files.STDOUT:
        raise click.BadParameter(f"{out!r} does not end in .toml (allowed: FILE.toml or -)",
                                 param_hint="--out")  # fmt: skip
    target = files.file_target(out, out, force=force)
    with action(ctx, writes=False) as act:
        enrollment = journal.require_enrollment(act.session, patient=act.patient)
        base = journal.program_of(enrollment)
        given = prescriptions_of(act.session, enrollment=enrollment)
        patient = act.patient.name
    try:
        program = handed_over(base, given, patient=patient)
    except TemplateError as exc:
        raise UsageProblem(f"the tailored program is not a valid template: {exc}") from None
    header = (
        f"{program.name}\n"
        f"The program of patient {patient!r} as their therapist tailored it "
        f"({len(given)} prescription{'s' if len(given) != 1 else ''}), written by rehab.\n"
        f"Start it with: rehab start --file {Path(out).name} --side left|right|both\n"
        f"{DISCLAIMER}"
    )
    text = program_toml(program, header=header)
    with files.open_text(target) as handle:
        handle.write(text)
    if target.path is not None:
        click.echo(
            f"Wrote {program.id} ({len(given)} prescription{'s' if len(given) != 1 else ''}) "
            f"to {target.path}."
        )


def _count(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"
