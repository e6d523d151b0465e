"""Reminder settings: the time for each slot, quiet hours and the time zone. Saving checks
every field first and writes all of them in one transaction, or nothing."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label

from rehab.store.settings import REMINDER_SLOTS

if TYPE_CHECKING:
    from rehab.tui.app import RehabApp


class SettingsDialog(ModalScreen[bool]):
    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    @property
    def rehab(self) -> RehabApp:
        return cast("RehabApp", self.app)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label("Reminders", classes="dialog-title")
            with Horizontal(id="reminders"):
                for slot in REMINDER_SLOTS:
                    with Vertical(classes="reminder"):
                        yield Label(slot)
                        yield Input(id=f"remind-{slot}", max_length=5)
            with Horizontal(id="reminders-more"):
                with Vertical(id="quiet-box"):
                    yield Label("quiet hours")
                    yield Input(id="quiet", max_length=11)
                with Vertical(id="zone-box"):
                    yield Label("time zone")
                    yield Input(id="zone", max_length=64)
            yield Label("", id="settings-error", classes="error")
            with Horizontal(classes="buttons"):
                yield Button("Save", variant="primary", id="save")
                yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
        backend = self.rehab.backend
        self.rehab.run_db(backend.reminder_settings, done=self._fill)

    def _fill(self, values: dict[str, str]) -> None:
        for key, value in values.items():
            self.query_one(
                f"#{'remind-' + key if key in REMINDER_SLOTS else key}", Input
            ).value = value
        self.query_one(f"#remind-{REMINDER_SLOTS[0]}", Input).focus()

    def action_cancel(self) -> None:
        self.dismiss(False)

    @on(Button.Pressed, "#cancel")
    def _cancel(self) -> None:
        self.dismiss(False)

    @on(Input.Submitted)
    @on(Button.Pressed, "#save")
    def _save(self) -> None:
        values = {slot: self.query_one(f"#remind-{slot}", Input).value for slot in REMINDER_SLOTS}
        quiet = self.query_one("#quiet", Input).value
        zone = self.query_one("#zone", Input).value.strip()
        backend = self.rehab.backend
        error = self.query_one("#settings-error", Label)

        def job() -> str | None:
            try:
                backend.save_reminder_settings(values, quiet, zone)
            except Exception as exc:
                return str(exc)
            return None

        def done(problem: str | None) -> None:
            if problem:
                error.update(problem)
            else:
                self.dismiss(True)

        self.rehab.run_db(job, done=done)
