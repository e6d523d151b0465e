"""`rehab remind` (the reminder service) and `rehab settings` (reminder times, quiet hours,
time zone)."""

from __future__ import annotations

import os
import shlex
import sys
from datetime import datetime
from urllib.parse import urlsplit, urlunsplit

import click

from rehab import paths
from rehab.cli import Options
from rehab.cli.params import INSTANT
from rehab.cli.session import action
from rehab.core.reminder_times import QuietHours, parse_hhmm
from rehab.errors import UsageProblem

UNIT = """[Unit]
Description=rehab exercise reminders

[Service]
Type=simple
{environment}ExecStart={command}
Restart=on-failure
RestartSec=30

[Install]
WantedBy=default.target
"""


@click.command()
@click.option("--once", is_flag=True, help="Send what is due now (or --at) and exit.")
@click.option("--at", "at", type=INSTANT, help="With --once: the instant to check (ISO 8601).")
@click.option("--print-systemd-unit", is_flag=True, help="Print a systemd user unit and exit.")
@click.pass_context
def remind(ctx: click.Context, once: bool, at: datetime | None, print_systemd_unit: bool) -> None:
    """Send reminders at the slot times, for what is still open.

    Runs in the foreground (for a systemd user unit, cron @reboot or a tmux pane) and logs
    each delivery on one line. Running it next to the app never sends a reminder twice.
    """
    options = ctx.find_object(Options)
    assert options is not None
    if print_systemd_unit:
        if once or at:
            raise click.UsageError("--print-systemd-unit takes no other option")
        click.echo(_unit(options), nl=False)
        return
    if at is not None and not once:
        raise click.UsageError("--at goes with --once")
    from rehab.reminders import notify
    from rehab.reminders.service import check_once
    from rehab.store.db import open_engine
    from rehab.store.url import database_url, is_default

    engine = open_engine(database_url(options.db), create=is_default(options.db))
    if once:
        sent = check_once(
            engine,
            patient_name=options.patient,
            now=at,
            catch_up=True,
            send=lambda title, body: notify.deliver(title, body),
        )
        shown: set[str] = set()
        for item in sent:  # a catch-up is one message for several slots: print it once
            if item.text not in shown:
                shown.add(item.text)
                slots = ", ".join(s.reminder.slot for s in sent if s.text == item.text)
                click.echo(item.log_line().replace(f" · {item.reminder.slot} · ", f" · {slots} · "))
        if not sent:
            click.echo("nothing due")
        engine.dispose()
        return
    _serve(engine, options)


def _unit(options: Options) -> str:
    """The unit runs the same database as this command (--db, REHAB_DB or the default file,
    always written out as --db, since the service starts with a clean environment) and
    carries REHAB_HOME when it is set. It never holds the database password: unit files are
    usually world-readable, and `systemctl show` prints them to anyone.
    The password goes in an EnvironmentFile only the user can read."""
    db = options.db or os.environ.get("REHAB_DB") or None
    parts = [sys.executable, "-m", "rehab"]
    environment = ""
    home = os.environ.get("REHAB_HOME")
    if home:
        # Settings and the password file live under REHAB_HOME too; the service starts
        # with a clean environment, so it is carried explicitly.
        where = os.path.abspath(os.path.expanduser(home))
        environment += f"Environment={_quoted(f'REHAB_HOME={where}')}\n"
    if not db:
        db = str(paths.default_db_path())
    if "://" not in db:
        db = os.path.abspath(os.path.expanduser(db))  # the service runs in another folder
    db, had_password = _without_password(db)
    parts += ["--db", db]
    if had_password:
        secrets = paths.config_dir() / "remind.env"
        environment += (
            "# The database password is not in this unit (unit files are readable by\n"
            "# anyone). Put it in the file below as one line, PGPASSWORD=<password>, and\n"
            f"# make it yours only: install -m 600 /dev/null {shlex.quote(str(secrets))}\n"
            "# (or leave this line out and keep the password in ~/.pgpass).\n"
            f"EnvironmentFile={_systemd(str(secrets))}\n"
        )
    if options.patient:
        parts += ["--patient", options.patient]
    command = " ".join(shlex.quote(p) for p in [*parts, "remind"])
    return UNIT.format(command=_systemd(command), environment=environment)


def _without_password(db: str) -> tuple[str, bool]:
    """A database URL without its password (in the user part or as ?password=), and
    whether there was one; the rest is kept as written. A file path is returned as it is."""
    if "://" not in db or db.startswith("sqlite:"):
        return db, False
    parts = urlsplit(db)
    user, at, host = parts.netloc.rpartition("@")
    had = at != "" and ":" in user
    netloc = f"{user.partition(':')[0]}@{host}" if at else host
    pairs = [pair for pair in parts.query.split("&") if pair]
    kept = [pair for pair in pairs if pair.partition("=")[0] != "password"]
    had = had or len(kept) != len(pairs)
    return urlunsplit(parts._replace(netloc=netloc, query="&".join(kept))), had


def _quoted(text: str) -> str:
    """One Environment= assignment as systemd reads it: in double quotes, with backslash
    and quote escaped, and % doubled (a specifier otherwise)."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return _systemd(f'"{escaped}"')


def _systemd(text: str) -> str:
    """systemd reads % as the start of a specifier (%h...): a literal one is %%."""
    return text.replace("%", "%%")


def _serve(engine: object, options: Options) -> None:
    from apscheduler.schedulers.blocking import BlockingScheduler

    from rehab.core import clock
    from rehab.reminders import notify
    from rehab.reminders.service import ReminderRunner, Sent

    def logged(sent: list[Sent]) -> None:
        for item in sent:
            click.echo(item.log_line(), err=False)
        sys.stdout.flush()

    def failed(exc: BaseException) -> None:
        from rehab.cli import _explain

        text = _explain(exc) if isinstance(exc, Exception) else repr(exc)
        click.echo(f"rehab remind: {text} (retrying in a minute)", err=True)

    scheduler = BlockingScheduler(timezone="UTC")
    runner = ReminderRunner(
        scheduler,
        engine,  # type: ignore[arg-type]
        patient_name=options.patient,
        send=lambda title, body: notify.deliver(title, body),
        on_sent=logged,
        on_error=failed,
    )
    runner.start()
    click.echo(f"rehab remind: running since {clock.now_utc():%Y-%m-%d %H:%M} UTC; ctrl+c stops")
    sys.stdout.flush()
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        click.echo("rehab remind: stopped")


@click.group()
def settings() -> None:
    """Reminder times, quiet hours and time zone."""


@settings.command("show")
@click.pass_context
def show(ctx: click.Context) -> None:
    """Show the current settings."""
    from rehab.store import settings as stored

    with action(ctx) as act:
        times = stored.reminder_times(act.session, patient=act.patient)
        quiet = stored.quiet_hours(act.session, patient=act.patient)
        zone = act.patient.timezone or f"{act.zone.key} (from the system)"
    for slot, value in times.items():
        click.echo(f"{slot:<8} {value}")
    click.echo(f"quiet    {quiet.text()}")
    click.echo(f"timezone {zone}")


@settings.command("reminders", short_help="Change reminder times, quiet hours or the time zone.")
@click.option("--morning", metavar="HH:MM")
@click.option("--midday", metavar="HH:MM")
@click.option("--evening", metavar="HH:MM")
@click.option("--night", metavar="HH:MM")
@click.option("--quiet", metavar="HH:MM-HH:MM", help="Hold reminders in this window.")
@click.option("--timezone", metavar="ZONE", help="IANA time zone, e.g. Europe/Lisbon.")
@click.pass_context
def reminders(
    ctx: click.Context,
    morning: str | None,
    midday: str | None,
    evening: str | None,
    night: str | None,
    quiet: str | None,
    timezone: str | None,
) -> None:
    """Change reminder times (defaults 08:00, 13:00, 20:00, 21:30), quiet hours
    (default 22:00-07:00) and the time zone."""
    from rehab.store import settings as stored

    times = {
        slot: value
        for slot, value in (
            ("morning", morning),
            ("midday", midday),
            ("evening", evening),
            ("night", night),
        )
        if value is not None
    }
    if not times and quiet is None and timezone is None:
        raise UsageProblem(
            "give at least one of --morning, --midday, --evening, --night, --quiet, --timezone"
        )
    with action(ctx) as act:
        if times:
            stored.set_reminder_times(act.session, patient=act.patient, times=times)
        if quiet is not None:
            stored.set_quiet_hours(act.session, patient=act.patient, text=quiet)
        if timezone is not None:
            stored.set_timezone(act.session, patient=act.patient, name=timezone.strip())
        now_times = stored.reminder_times(act.session, patient=act.patient)
        window = stored.quiet_hours(act.session, patient=act.patient)
    _warn_quiet(now_times, window)
    ctx.invoke(show)


def _warn_quiet(times: dict[str, str], quiet: QuietHours) -> None:
    """One line when a reminder time falls in the quiet hours (saved all the same)."""
    held = []
    for slot, value in times.items():
        at = parse_hhmm(value)
        if quiet.covers(at):
            later = quiet.held(at)
            held.append(
                f"{slot} {value} " + (f"rings at {later:%H:%M}" if later else "is not sent")
            )
    if held:
        click.echo(f"Note: inside the quiet hours {quiet.text()}: {'; '.join(held)}.", err=True)
