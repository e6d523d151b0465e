"""The `rehab` command. Only click is imported here: each command's module (and with it the
database and the templates) loads when that command runs, so `rehab --help` stays fast.

Every failure a user can cause or fix ends here as one line on stderr and an exit status:
2 for usage (a bad flag, date, score or file), 1 for the environment (a locked or damaged
database, a read-only folder). `--debug` shows the traceback instead.
"""

from __future__ import annotations

import importlib
import sys
from dataclasses import dataclass
from typing import Any

import click

from rehab import __version__
from rehab.cli.params import TEXT

# name -> (module:function, one-line help shown by `rehab --help`)
COMMANDS: dict[str, tuple[str, str]] = {
    "today": ("rehab.cli.journal:today", "Show the day's plan by time of day, with what is done."),
    "done": ("rehab.cli.journal:done", "Check off a planned dose (all of it, or some sets)."),
    "skip": ("rehab.cli.journal:skip", "Skip a planned dose, with a reason."),
    "undo": ("rehab.cli.journal:undo", "Take back the last entry (kept in history as voided)."),
    "pain": ("rehab.cli.journal:pain", "Log a pain score from 0 (none) to 10 (worst)."),
    "check": ("rehab.cli.journal:check", "Log the morning symptom check."),
    "start": ("rehab.cli.journal:start", "Start a program for the left, right or both legs."),
    "pause": ("rehab.cli.journal:pause", "Pause the program (injury, illness, travel)."),
    "resume": ("rehab.cli.journal:resume", "Resume a paused program."),
    "cleared": ("rehab.cli.visa:cleared", "A clinician cleared the red flags: end their pause."),
    "visa": ("rehab.cli.visa:visa", "Fill in the VISA-A questionnaire; see the change."),
    "advice": ("rehab.cli.progress:advice", "Today's advice: progress, hold or reduce, and why."),
    "accept": ("rehab.cli.progress:accept", "Accept today's advice (applies from tomorrow)."),
    "programs": ("rehab.cli.programs:programs", "List, show and check program templates."),
    "demo": ("rehab.cli.demo:demo", "Open the app on a ten-week demo history (not your data)."),
    "remind": ("rehab.cli.remind:remind", "Send reminders at the slot times (a service)."),
    "settings": ("rehab.cli.remind:settings", "Reminder times, quiet hours, time zone."),
    "chart": ("rehab.cli.charts:chart", "Chart pain, adherence, load or VISA-A over the weeks."),
    "summary": ("rehab.cli.charts:summary", "A table per week: adherence, pain, stiffness, phase."),
    "clinic": (
        "rehab.cli.clinic:clinic",
        "Every patient in the database, who needs attention first (therapists).",
    ),
    "prescribe": (
        "rehab.cli.prescribe:prescribe",
        "Therapist: tailor the program (a dose, an exercise added or removed).",
    ),
    "prescriptions": (
        "rehab.cli.prescribe:prescriptions",
        "Therapist: the changes made to the program, by whom and why.",
    ),
    "export": (
        "rehab.cli.export:export",
        "Export the progress log for a therapist, or the schedule as a calendar.",
    ),
    "import": (
        "rehab.cli.imports:import_export",
        "Import a patient's JSON export (again: only what is new).",
    ),
}


@dataclass
class Options:
    db: str | None
    patient: str | None
    debug: bool


class LazyGroup(click.Group):
    """A group whose subcommands are imported only when they run."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = COMMANDS.get(cmd_name)
        if target is None:
            return None
        module_name, attr = target[0].split(":")
        command = getattr(importlib.import_module(module_name), attr)
        assert isinstance(command, click.Command)
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        with formatter.section("Commands"):
            formatter.write_dl([(name, text) for name, (_, text) in COMMANDS.items()])


@click.group(
    cls=LazyGroup, invoke_without_command=True, context_settings={"max_content_width": 100}
)
@click.option(
    "--db",
    metavar="PATH|URL",
    help="Database file or URL (default: rehab.db in your data folder; env REHAB_DB).",
)
@click.option(
    "--patient",
    metavar="NAME",
    type=TEXT,
    help="Whose records to use (default: the only patient, or 'me' in a new database).",
)
@click.option("--debug", is_flag=True, help="Show tracebacks for errors.")
@click.version_option(__version__, prog_name="rehab")
@click.pass_context
def cli(ctx: click.Context, db: str | None, patient: str | None, debug: bool) -> None:
    """rehab: a home-rehab tracker for heel pain.

    Not medical advice; follow your clinician.

    With no command, opens the app (or prints today's plan when not on a terminal).
    """
    ctx.obj = Options(db=db, patient=patient, debug=debug)
    if ctx.invoked_subcommand is not None:
        return
    if sys.stdin.isatty() and sys.stdout.isatty():
        from rehab.tui.run import run_app

        run_app(db=db, patient=patient)
        return
    command = LazyGroup().get_command(ctx, "today")
    assert command is not None
    ctx.invoke(command)


def _global_part(args: list[str]) -> list[str]:
    """The arguments before the command: `--debug` counts only there (not as a note's text)."""
    for i, arg in enumerate(args):
        if arg in COMMANDS:
            return args[:i]
    return args


def _one_line(text: str) -> str:
    return " ".join(text.split())


def main(argv: list[str] | None = None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in _global_part(args)
    try:
        cli.main(args=args, prog_name="rehab", standalone_mode=False)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.exceptions.Abort:
        print("rehab: stopped", file=sys.stderr)
        sys.exit(130)
    except click.UsageError as exc:
        if debug:
            raise
        where = exc.ctx.command_path if exc.ctx is not None else "rehab"
        print(
            f"{where}: {_one_line(exc.format_message())} (see '{where} --help')",
            file=sys.stderr,
        )
        sys.exit(2)
    except click.ClickException as exc:
        if debug:
            raise
        print(f"rehab: {_one_line(exc.format_message())}", file=sys.stderr)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        print("rehab: stopped", file=sys.stderr)
        sys.exit(130)
    except BrokenPipeError:
        sys.stderr.close()
        sys.exit(1)
    except Exception as exc:  # the last line of defence: one line, no traceback
        if debug:
            raise
        print(f"rehab: {_explain(exc)}", file=sys.stderr)
        sys.exit(getattr(exc, "exit_code", 1))


# The option that fills each field the store names in words (rehab.errors.FieldProblem).
FIELD_OPTIONS = {
    "clinician": "--by",
    "date": "--date",
    "from": "--from",
    "prescriber": "--by",
    "pain context": "--context",
    "patient": "--patient",
    "quiet hours": "--quiet",
    "reason": "--reason",
    "red flag": "--flag",
    "sets": "--sets",
    "side": "--side",
    "start date": "--start",
    "stiffness": "--stiffness",
    "time": "--at",
    "time zone": "--timezone",
}


def _explain(exc: Exception) -> str:
    from rehab.errors import FieldProblem, Problem, for_cli

    if isinstance(exc, FieldProblem) and exc.field in FIELD_OPTIONS:
        return _one_line(f"{FIELD_OPTIONS[exc.field]}: {exc.detail}")
    if isinstance(exc, Problem):
        return _one_line(for_cli(exc))
    if type(exc).__module__.startswith("sqlalchemy"):
        from rehab.store.db import explain

        return explain(exc)
    if isinstance(exc, OSError):
        where = f": {exc.filename}" if exc.filename else ""
        return _one_line(f"{exc.strerror or exc}{where}")
    detail: Any = exc
    return _one_line(
        f"internal error: {type(exc).__name__}: {detail} (run with --debug for the traceback)"
    )
