"""One question per screen, for the red-flag questions and the VISA-A: the whole question
wrapped, the answers in words, "Question 3 of 8", back (←) and forward (→), and a summary of
every answer before anything is saved, where any answer can be chosen again to change it.
Escape backs out and nothing is kept. Subclasses give the questions and build the result."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Label, OptionList, Static
from textual.widgets.option_list import Option

from rehab.tui.widgets import PointerList

T = TypeVar("T")
CHOSEN, NOT_CHOSEN = "◉", "○"


@dataclass(frozen=True)
class Question:
    key: str  # where the answer is kept
    position: str  # "Question 3 of 8"
    text: str  # the whole question
    choices: tuple[tuple[str, str], ...]  # (value, the answer in words)
    topic: str  # the question in a few words, for the summary
    note: str = ""  # a line under the question (what the scale's ends mean)

    def label(self, value: str) -> str:
        return next(words for v, words in self.choices if v == value)


class QuestionFlow(ModalScreen[T | None]):
    TITLE_TEXT = ""
    SUMMARY_INTRO = "Check your answers. Press s to save, or choose one to change it."
    BINDINGS = [
        Binding("escape", "cancel", "Cancel"),
        Binding("left", "back", "Back"),
        Binding("right", "forward", "Next"),
        Binding("s", "save", "Save", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.answers: dict[str, str] = {}
        self.index = 0
        self.in_summary = False
        self.editing = False  # came from the summary to change one answer

    # --- what subclasses give ------------------------------------------------------------

    def questions(self) -> list[Question]:
        raise NotImplementedError

    def summary_answer(self, question: Question, value: str) -> str:
        """An answer in the summary: its words, unless a subclass says it shorter."""
        return question.label(value)

    def summary_note(self) -> str:
        return ""

    def result(self) -> T:
        raise NotImplementedError

    # --- screen ----------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog questions"):
            yield Label(self.TITLE_TEXT, classes="dialog-title", id="q-title")
            yield Label("", id="q-progress")
            yield Static("", id="q-text")
            yield Static("", id="q-note")
            yield PointerList(id="q-choices")
            yield PointerList(id="q-summary")
            yield Static("", id="q-message", classes="error")
            with Horizontal(classes="buttons"):
                yield Button("‹ Back (←)", id="back", compact=True)
                yield Button("Next (→) ›", id="next", compact=True)
                yield Button("Save (s)", id="save", variant="primary", compact=True)
                yield Button("Cancel (Esc)", id="cancel", compact=True)

    def on_mount(self) -> None:
        self._show()

    @property
    def current(self) -> Question:
        return self.questions()[self.index]

    def _say(self, text: str) -> None:
        message = self.query_one("#q-message", Static)
        message.update(text)
        message.display = bool(text)

    def _show(self) -> None:
        self._say("")
        summary = self.in_summary
        for selector in ("#q-choices", "#q-note", "#next"):
            self.query_one(selector).display = not summary
        self.query_one("#q-summary").display = summary
        self.query_one("#save").display = summary
        if summary:
            self._show_summary()
        else:
            self._show_question()

    def _show_question(self) -> None:
        question = self.current
        self.query_one("#q-progress", Label).update(question.position)
        self.query_one("#q-text", Static).update(question.text)
        note = self.query_one("#q-note", Static)
        note.update(question.note)
        note.display = bool(question.note)
        chosen = self.answers.get(question.key)
        choices = self.query_one("#q-choices", PointerList)
        choices.clear_options()
        choices.add_options(
            Option(Text(f"{CHOSEN if value == chosen else NOT_CHOSEN} {words}"), id=f"a-{value}")
            for value, words in question.choices
        )
        values = [value for value, _ in question.choices]
        choices.highlighted = values.index(chosen) if chosen in values else 0
        choices.focus()

    def _show_summary(self) -> None:
        questions = self.questions()
        self.query_one("#q-progress", Label).update("Your answers")
        intro = self.SUMMARY_INTRO
        extra = self.summary_note()
        self.query_one("#q-text", Static).update(f"{intro}\n{extra}" if extra else intro)
        summary = self.query_one("#q-summary", PointerList)
        summary.clear_options()
        summary.add_options(
            Option(
                f"{question.topic}: {self.summary_answer(question, self.answers[question.key])}",
                id=f"q-{i}",
            )
            for i, question in enumerate(questions)
        )
        summary.highlighted = 0
        summary.focus()

    # --- answering -------------------------------------------------------------------------

    def answer(self, value: str) -> None:
        """Keep the answer to the question on screen and move on."""
        self.answers[self.current.key] = value
        questions = self.questions()  # an answer may add a question (VISA-A item 8)
        if self.editing and all(q.key in self.answers for q in questions):
            self.editing = False
            self.in_summary = True
        elif self.index + 1 < len(questions):
            self.index += 1
        else:
            self.in_summary = True
        self._show()

    @on(OptionList.OptionSelected, "#q-choices")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.answer((event.option.id or "a-").removeprefix("a-"))

    @on(OptionList.OptionSelected, "#q-summary")
    def _change(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.index = int((event.option.id or "q-0").removeprefix("q-"))
        self.in_summary = False
        self.editing = True
        self._show()

    def action_back(self) -> None:
        if self.in_summary:
            self.in_summary = False
            self.index = len(self.questions()) - 1
        elif self.index == 0:
            self._say("This is the first question.")
            return
        else:
            self.index -= 1
        self.editing = False
        self._show()

    def action_forward(self) -> None:
        if self.in_summary:
            return
        if self.current.key not in self.answers:
            self._say("Choose an answer first (↑ ↓ and enter).")
            return
        self.editing = False
        if self.index + 1 < len(self.questions()):
            self.index += 1
        else:
            self.in_summary = True
        self._show()

    def action_save(self) -> None:
        if not self.in_summary:
            self._say("Answer every question first; the last one shows all your answers.")
            return
        self.dismiss(self.result())

    def action_cancel(self) -> None:
        self.dismiss(None)

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        event.stop()
        actions = {
            "back": self.action_back,
            "next": self.action_forward,
            "save": self.action_save,
            "cancel": self.action_cancel,
        }
        actions[event.button.id or "cancel"]()
