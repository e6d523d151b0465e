"""The guided timer: a large countdown for a hold or an ice session. It only shows the app's
timer; leaving this screen leaves the timer running."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Center, Vertical
from textual.widgets import Digits, Footer, Label, Static

from rehab.tui.screens.base import RehabScreen
from rehab.tui.timers import HoldTimer, clock_text

if TYPE_CHECKING:
    pass


class TimerScreen(RehabScreen):
    KEYS_TITLE = "The hold or ice timer (t)"
    BINDINGS = [
        Binding("space", "pause", "Pause/resume"),
        Binding("s", "stop", "Stop and log"),
        Binding("escape", "back", "Back (keeps running)"),
        Binding("t", "back", "Back", show=False),
    ]

    def compose(self) -> ComposeResult:
        with Vertical(id="timer-box"):
            yield Label("", id="timer-name")
            with Center():
                yield Digits("0:00", id="countdown")
            yield Label("", id="timer-status")
            yield Static("", id="timer-help")
        yield Footer()

    def on_mount(self) -> None:
        self.rehab.timer_ticked.subscribe(self, lambda _: self.show_timer(), immediate=True)
        self.show_timer()

    def show_timer(self) -> None:
        timer = self.rehab.timer
        name = self.query_one("#timer-name", Label)
        status = self.query_one("#timer-status", Label)
        help_text = self.query_one("#timer-help", Static)
        if timer is None:
            status.update("Timer finished. Escape goes back to today.")
            return
        now = self.rehab.backend.clock.monotonic()
        name.update(timer.name)
        self.query_one("#countdown", Digits).update(clock_text(timer.remaining(now)))
        status.update(timer.status(now))
        if isinstance(timer, HoldTimer):
            help_text.update(
                "A bell rings at the end of each hold; each finished set is logged. "
                "Stopping early keeps the sets already done."
            )
        elif timer.exercise_kind == "ice":
            help_text.update(
                "Damp cloth between ice and skin; stop if the skin goes numb. "
                "Stopping logs the whole minutes done."
            )
        else:
            help_text.update("Stopping logs the whole minutes done; so does finishing.")

    def action_pause(self) -> None:
        timer = self.rehab.timer
        if timer is not None:
            timer.toggle_pause(self.rehab.backend.clock.monotonic())
            self.show_timer()

    def action_stop(self) -> None:
        self.rehab.stop_timer()
        self.app.pop_screen()

    def action_back(self) -> None:
        self.app.pop_screen()
