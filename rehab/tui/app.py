"""The app: owns the backend, the running timer, and the worker that writes to the database.

Screens ask the app to do things (`app.record(...)`), the app runs them in a thread worker,
one transaction each, and publishes `journal_changed` when a write lands (its own, or
another process's): the screens that show the journal subscribe to it, so the app never
needs to know which screens exist. The timer lives here rather than on its screen, so it
keeps running while the patient looks at something else; `timer_ticked` tells the screens
that show it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from textual import work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen
from textual.signal import Signal

from rehab.errors import EnvironmentProblem, Problem, WriteProblem, for_app
from rehab.tui.backend import Backend
from rehab.tui.timers import Event, Timer


@dataclass(frozen=True)
class JournalChange:
    """What `journal_changed` carries: `outside` when another process wrote (the CLI,
    `rehab remind`, a second app), so a screen keeps its place rather than moving on."""

    outside: bool = False


TICK_SECONDS = 0.25
WATCH_SECONDS = 1.5  # how often to ask whether another process changed the database


class RehabApp(App[None]):
    CSS_PATH = "rehab.tcss"
    TITLE = "rehab"
    ENABLE_COMMAND_PALETTE = True
    BINDINGS = [
        Binding("q", "quit", "Quit"),
        Binding("ctrl+c", "quit", "Quit", show=False),
        Binding("question_mark", "keys_help", "Help", tooltip="Every key, screen by screen"),
        Binding("f1", "keys_help", "Help", show=False),
    ]

    def __init__(
        self,
        backend: Backend,
        *,
        tick: bool = True,
        reminders: bool = True,
        watch: float | None = None,
        clinic: bool = False,
    ) -> None:
        super().__init__()
        self.backend = backend
        self.clinic = clinic  # opened as the therapist's roster (`rehab clinic`)
        # the patient whose records are open read-only from the Clinic screen, or None
        self.read_only: str | None = None
        self.timer: Timer | None = None
        self.reminders_enabled = reminders
        self.scheduler: Any = None
        self.last_reminder: str | None = None  # the slot of the last reminder shown
        self.fatal: str | None = None  # set when the database cannot be used at all
        self._tick = tick
        self._watch = watch  # seconds between checks for others' writes; None: never
        self.seen_stamp: object | None = None  # the database's stamp when Today last loaded
        self.journal_changed: Signal[JournalChange] = Signal(self, "journal-changed")
        self.timer_ticked: Signal[None] = Signal(self, "timer-ticked")

    def get_default_screen(self) -> Screen[Any]:
        """Today is the app's base screen: no blank default screen is built, laid out and
        then covered before the first frame."""
        if self.clinic:
            from rehab.tui.screens.clinic import ClinicScreen

            return ClinicScreen()
        from rehab.tui.screens.today import TodayScreen

        return TodayScreen()

    def on_mount(self) -> None:
        if self._tick:
            self.set_interval(TICK_SECONDS, self.tick_timer)
        if self._watch:
            self.set_interval(self._watch, self.check_for_changes)

    def on_unmount(self) -> None:
        if self.scheduler is not None:
            self.scheduler.shutdown(wait=False)
        self.backend.close()

    # --- reminders (issue: inside the TUI, an AsyncIOScheduler started with the app) ------

    def start_reminders(self) -> None:
        """Called once today's plan has loaded, so the frame paints before this work."""
        if not self.reminders_enabled or self.scheduler is not None:
            return
        from apscheduler.schedulers.asyncio import AsyncIOScheduler

        from rehab.reminders.service import ReminderRunner

        self.scheduler = AsyncIOScheduler(timezone="UTC")
        self.reminder_runner = ReminderRunner(
            self.scheduler,
            self.backend.engine(),
            patient_name=self.backend.patient_name,
            send=self.send_reminder,
            on_sent=self._reminders_sent,
        )
        self.reminder_runner.start()
        self.scheduler.start()

    def restart_reminders(self) -> None:
        """New times: plan the next check again from the new settings."""
        runner = getattr(self, "reminder_runner", None)
        if runner is not None:
            self.scheduler.add_job(runner.run, "date", id="rehab-next-check", replace_existing=True)

    def send_reminder(self, title: str, body: str) -> str:
        """Runs in the scheduler's worker thread: a desktop notification if possible; the
        app's own toast (short: the checklist is on screen) follows in `_reminders_sent`."""
        from rehab.reminders import notify

        outside = notify.deliver(title, body, last_resort=False)
        return "in-app" if outside == "none" else f"in-app+{outside}"

    def _reminders_sent(self, sent: list[Any]) -> None:
        """Runs in the scheduler's worker thread, once what was due has gone out."""
        from rehab.tui.reminding import toast_text

        text, slot = toast_text(sent)
        self.call_from_thread(self.show_reminder, text, slot)

    def show_reminder(self, body: str, slot: str | None = None) -> None:
        if slot is None:
            slot = body.split(":", 1)[0].split(" ")[0].lower()
        if slot in ("morning", "midday", "evening", "night"):
            self.last_reminder = slot
        self.bell()
        self.notify(f"🔔 {body}  (z snoozes)", title="Reminder", timeout=30)

    def snooze(self, minutes: int) -> None:
        slot = self.last_reminder
        if slot is None or self.scheduler is None:
            self.notify("No reminder to snooze yet.", severity="warning")
            return
        from datetime import timedelta

        from rehab.core import clock

        self.scheduler.add_job(
            self._snoozed,
            "date",
            run_date=clock.now_utc() + timedelta(minutes=minutes),
            args=[slot],
            misfire_grace_time=3600,
        )
        self.notify(f"Snoozed the {slot} reminder for {minutes} minutes.", timeout=3)

    def _snoozed(self, slot: str) -> None:
        from rehab.tui.reminding import short_lines

        lines = self.backend.open_in_slot(slot)
        if lines:
            self.send_reminder("rehab reminder", f"{slot.capitalize()}: " + "; ".join(lines))
            self.call_from_thread(
                self.show_reminder, f"{slot.capitalize()}: {short_lines(lines)}", slot
            )

    async def action_quit(self) -> None:
        """Quitting never loses work: with a timer running it asks first, then the timer
        logs what is done so far (whole sets were logged as they finished; an ice or walk
        timer logs its whole minutes), and writes still in flight finish before the app
        closes."""
        timer = self.timer
        if timer is not None and timer.running:
            from rehab.tui.screens.dialogs import ConfirmDialog

            if isinstance(self.screen, ConfirmDialog):
                return  # already asking
            question = (
                f"{timer.name}: the timer is still running. Quit anyway? "
                "What is done so far is logged."
            )

            async def answered(yes: bool | None) -> None:
                if yes:
                    await self._quit_now()

            self.push_screen(ConfirmDialog(question), answered)
            return
        await self._quit_now()

    async def _quit_now(self) -> None:
        timer = self.timer
        if timer is not None and timer.running:
            from rehab.store.journal import Amounts

            self.timer = None
            for event in timer.stop(self.backend.clock.monotonic()):
                if event.kind == "log-minutes":
                    amounts = Amounts(minutes=event.minutes)
                    self._log_dose(timer.day, timer.key, None, amounts)
        await self.workers.wait_for_complete()
        self.exit()

    # --- running database work off the event loop --------------------------------------

    def run_db(
        self,
        job: Callable[[], Any],
        *,
        done: Callable[[Any], None] | None = None,
        success: str | None = None,
    ) -> None:
        """Run `job` in a worker thread; report problems as one-line notifications."""
        self._db_worker(job, done, success)

    @work(thread=True, group="db")
    def _db_worker(
        self, job: Callable[[], Any], done: Callable[[Any], None] | None, success: str | None
    ) -> None:
        try:
            result = job()
        except WriteProblem as exc:  # a full disk under an export: say so, stay up
            self.call_from_thread(self.notify, str(exc), severity="error", timeout=10)
            return
        except EnvironmentProblem as exc:
            # A damaged, locked or unwritable database: nothing in the app can work.
            self.fatal = str(exc)
            self.call_from_thread(self.exit, None, 1)
            return
        except Problem as exc:  # written for the CLI: said here in keys, not commands
            from rehab.tui.words import plain

            self.call_from_thread(self.notify, plain(for_app(exc)), severity="error", timeout=6)
            return
        except Exception as exc:  # a database fault: one line, not a crash
            from rehab.store.db import explain
            from rehab.tui.words import plain

            text = explain(exc) if type(exc).__module__.startswith("sqlalchemy") else repr(exc)
            self.call_from_thread(self.notify, plain(text), severity="error", timeout=8)
            return
        if success:
            self.call_from_thread(self.notify, success, timeout=3)
        if done is not None:
            self.call_from_thread(done, result)

    # --- writes made by other processes ------------------------------------------------

    def check_for_changes(self) -> None:
        """Reload what is on screen if the database changed since Today last loaded (the
        CLI, `rehab remind` or another app wrote to it). The app's own writes reload
        Today, which takes a new stamp, so they cause no second reload."""
        if self.seen_stamp is not None:
            self._watch_worker(self.seen_stamp)

    @work(thread=True, group="watch", exclusive=True)
    def _watch_worker(self, seen: object) -> None:
        try:
            stamp = self.backend.data_stamp()
        except Exception:  # a background check must never end the app: the next tick asks again
            return
        if stamp is not None and stamp != seen:
            self.call_from_thread(self._changed_underneath, stamp)

    def _changed_underneath(self, stamp: object) -> None:
        self.seen_stamp = stamp  # Today's reload takes a newer one
        self.journal_changed.publish(JournalChange(outside=True))

    def refresh_today(self) -> None:
        """The app's own write landed: every screen showing the journal reads it again."""
        self.journal_changed.publish(JournalChange())

    def record(self, job: Callable[[], Any], success: str | None = None) -> None:
        """A write: run it, then reload the checklist. Records opened read-only from the
        Clinic screen are never written to."""
        if self.read_only is not None:
            self.notify_read_only()
            return
        self.run_db(job, done=lambda _: self.refresh_today(), success=success)

    def notify_read_only(self) -> None:
        self.notify(
            f"Read-only: {self.read_only}'s records, opened from the Clinic. Nothing is "
            "changed here; escape goes back.",
            severity="warning",
            timeout=4,
        )

    # --- the timer ----------------------------------------------------------------------

    def start_timer(self, timer: Timer) -> None:
        self.timer = timer

    def tick_timer(self) -> None:
        if self.timer is None:
            return
        self.handle_timer_events(self.timer.tick(self.backend.clock.monotonic()))
        self._refresh_timer_views()

    def stop_timer(self) -> None:
        if self.timer is None:
            return
        self.handle_timer_events(self.timer.stop(self.backend.clock.monotonic()))

    def handle_timer_events(self, events: Iterable[Event]) -> None:
        timer = self.timer
        if timer is None:
            return
        from rehab.store.journal import Amounts  # a timer only runs once data has loaded

        for event in events:
            if event.kind == "bell":
                self.bell()
            elif event.kind == "log-set":
                hold = getattr(timer, "hold_seconds", None)
                amounts = Amounts(sets=1, hold_seconds=hold)
                self._log_dose(timer.day, timer.key, event.side, amounts)
            elif event.kind == "log-minutes":
                self._log_dose(timer.day, timer.key, None, Amounts(minutes=event.minutes))
            elif event.kind == "finished":
                self.notify(timer.status(self.backend.clock.monotonic()), timeout=4)
        if not timer.running:
            self.timer = None
        self._refresh_timer_views()

    def _log_dose(self, day: Any, key: str, side: str | None, amounts: Any) -> None:
        backend = self.backend
        self.record(lambda: backend.check_off(day, key, side, amounts))

    def _refresh_timer_views(self) -> None:
        self.timer_ticked.publish(None)

    # --- command palette ----------------------------------------------------------------

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        """Textual's own commands, then every action of the screen, built from its key
        bindings (rehab.tui.screens.base): a key cannot be left out of the palette."""
        from rehab.tui.screens.base import commands_of
        from rehab.tui.screens.help import describe, key_text

        yield from super().get_system_commands(screen)
        for binding, keys in commands_of(type(screen)):
            action = binding.action
            if action.startswith("app."):
                continue  # the app's own (quit) comes with Textual's commands
            # an action the screen hides (its check_action says False) is not offered here
            if screen.check_action(action.split("(", 1)[0], ()) is False:
                continue
            help_text = f"key: {key_text(self, keys)}"
            yield SystemCommand(describe(binding), help_text, _runner(screen, action))

    def action_keys_help(self) -> None:
        from rehab.tui.screens.help import HelpScreen

        if isinstance(self.screen, HelpScreen):
            self.screen.dismiss()
            return
        self.push_screen(HelpScreen(type(self.screen)))


def _runner(screen: Screen[Any], action: str) -> Callable[[], Any]:
    async def run() -> None:
        await screen.run_action(action)

    return run


def make_app(
    db: str | None,
    patient: str | None,
    backend: Backend | None = None,
    *,
    clock: Any = None,
    tick: bool = True,
    reminders: bool = True,
    watch: float | None = WATCH_SECONDS,
    clinic: bool = False,
) -> RehabApp:
    """The one factory for `rehab` and for the tests (which pass a fake clock, and no
    ticking timer, reminders or watch, so nothing moves on its own under a snapshot)."""
    if backend is None:
        from rehab.store.url import database_url

        backend = Backend(database_url(db), patient, clock)
    return RehabApp(
        backend, tick=tick, reminders=reminders and not clinic, watch=watch, clinic=clinic
    )
