"""Red flags in the app: the questions from CLINICAL.md (via rehab.core.redflags), and a
screen that cannot be missed when one is answered yes. The program stays paused until a
clinician clears it (P asks who)."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Button, Checkbox, Input, Label, Static

from rehab.core.redflags import RED_FLAGS
from rehab.tui.widgets import mark_box, tick_box


class RedFlagQuestions(ModalScreen[list[str] | None]):
    """Each question answered yes/no; returns the ids answered yes ([] for none)."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog"):
            yield Label("Warning signs: tick any that is true today", classes="dialog-title")
            for flag in RED_FLAGS:
                yield tick_box(flag.question, f"flag-{flag.id}")
            with Horizontal(classes="buttons"):
                yield Button("Done", variant="primary", id="save")
                yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
        self.query_one(Checkbox).focus()

    @on(Checkbox.Changed)
    def _marked(self, event: Checkbox.Changed) -> None:
        mark_box(event.checkbox)

    @on(Button.Pressed, "#save")
    def _save(self) -> None:
        self.dismiss(
            [flag.id for flag in RED_FLAGS if self.query_one(f"#flag-{flag.id}", Checkbox).value]
        )

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)


class RedFlagAlert(Screen[None]):
    """Full screen, in words (not colour alone): stop, see a clinician, why."""

    BINDINGS = [Binding("enter", "understood", "I understand")]

    def __init__(self, message: str, urgent: bool) -> None:
        super().__init__()
        self.message = message
        self.urgent = urgent

    def compose(self) -> ComposeResult:
        with Vertical(id="alert"):
            yield Static(
                "STOP THE EXERCISES — SEE A CLINICIAN" + (" TODAY" if self.urgent else " SOON"),
                id="alert-title",
            )
            yield Static(self.message, id="alert-message")
            yield Static(
                "Your program is paused. When a clinician has cleared you, press P and give "
                "their name to carry on.",
                id="alert-next",
            )
            yield Button("I understand (enter)", variant="error", id="understood")

    def on_mount(self) -> None:
        self.query_one("#understood", Button).focus()

    @on(Button.Pressed, "#understood")
    def action_understood(self) -> None:
        self.dismiss(None)


class ClearedDialog(ModalScreen[str | None]):
    """Who cleared the red flags (a clinician's name)."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label("Paused for a red flag", classes="dialog-title")
            yield Label("Only carry on once a clinician has seen you. Who cleared you?")
            yield Input(placeholder="clinician's name", id="cleared-by", max_length=60)
            yield Label("", id="cleared-error", classes="error")
            with Horizontal(classes="buttons"):
                yield Button("Cleared", variant="primary", id="save")
                yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#cleared-by", Input).focus()

    @on(Input.Submitted)
    @on(Button.Pressed, "#save")
    def _save(self) -> None:
        name = " ".join(self.query_one("#cleared-by", Input).value.split())
        if not name:
            self.query_one("#cleared-error", Label).update("Give the clinician's name")
            return
        self.dismiss(name)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
