"""Red flags in the app: the questions from CLINICAL.md (via rehab.core.redflags), and a
screen that cannot be missed when one is answered yes. The program stays paused until a
clinician clears it (P asks who)."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import Button, Input, Label, Static

from rehab.core.redflags import RED_FLAGS
from rehab.tui.answers import RedFlagAnswers
from rehab.tui.screens.questions import Question, QuestionFlow

_ANSWERS = (("yes", "Yes"), ("no", "No"))


class RedFlagQuestions(QuestionFlow[RedFlagAnswers]):
    """Each question on its own screen, answered Yes or No in words (y / n), then every
    answer on one screen before anything is kept. A yes pauses the program (the caller
    records it and shows the alert)."""

    TITLE_TEXT = "Warning signs: a yes means stop and see a clinician"
    BINDINGS = [
        Binding("y", "say('yes')", "Yes"),
        Binding("n", "say('no')", "No"),
    ]

    def questions(self) -> list[Question]:
        total = len(RED_FLAGS)
        return [
            Question(
                key=flag.id,
                position=f"Question {i} of {total}",
                text=flag.question,
                choices=_ANSWERS,
                topic=flag.label[0].upper() + flag.label[1:],
                note="Press y for Yes or n for No.",
            )
            for i, flag in enumerate(RED_FLAGS, 1)
        ]

    def action_say(self, value: str) -> None:
        if not self.in_summary:
            self.answer(value)

    def summary_note(self) -> str:
        yes = sum(1 for value in self.answers.values() if value == "yes")
        if not yes:
            return "No to every question: nothing to stop for."
        return f"Yes to {yes}: saving pauses your program until a clinician has seen you."

    def result(self) -> RedFlagAnswers:
        return RedFlagAnswers(
            tuple((flag.id, self.answers.get(flag.id) == "yes") for flag in RED_FLAGS)
        )


class RedFlagAlert(Screen[None]):
    """Full screen, in words (not colour alone): stop, see a clinician, why."""

    BINDINGS = [Binding("enter", "understood", "I understand")]

    def __init__(self, message: str, urgent: bool) -> None:
        from rehab.tui.words import plain

        super().__init__()
        self.message = plain(message)
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
