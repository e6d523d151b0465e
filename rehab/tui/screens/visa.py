"""The VISA-A questionnaire, one question at a time (items in our own words, scoring from
CLINICAL.md in rehab.core.visa), then the score and its change. Escape backs out without
saving; nothing is written until the last answer."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option

from rehab.core.visa import ITEMS, MINUTE_BANDS, Answers
from rehab.tui.widgets import PointerList

if TYPE_CHECKING:
    from rehab.tui.app import RehabApp


class VisaScreen(ModalScreen[str | None]):
    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self) -> None:
        super().__init__()
        self.step = 0  # 0–7: items 1–8 (item 8's branch); 8: item 8's minutes
        self.answers: dict[str, Any] = {}

    @property
    def rehab(self) -> RehabApp:
        return cast("RehabApp", self.app)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label("VISA-A: how your Achilles is doing", classes="dialog-title")
            yield Label("", id="visa-progress")
            yield Label("", id="visa-question")
            yield PointerList(id="visa-choices")

    def on_mount(self) -> None:
        self._ask()

    def _ask(self) -> None:
        choices = self.query_one("#visa-choices", OptionList)
        choices.clear_options()
        if self.step < len(ITEMS):
            item = ITEMS[self.step]
            self.query_one("#visa-progress", Label).update(f"Question {item.number} of 8")
            self.query_one("#visa-question", Label).update(item.question)
            choices.add_options(
                Option(choice.label, id=f"c{i}") for i, choice in enumerate(item.choices)
            )
        else:
            self.query_one("#visa-progress", Label).update("Question 8 of 8 (continued)")
            self.query_one("#visa-question", Label).update(
                "For how long can you keep up that training or activity?"
            )
            choices.add_options(
                Option(label, id=f"m{i}") for i, (_, _, label) in enumerate(MINUTE_BANDS)
            )
        choices.highlighted = 0
        choices.focus()

    @on(OptionList.OptionSelected, "#visa-choices")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        index = int((event.option.id or "c0")[1:])
        if self.step < len(ITEMS):
            item = ITEMS[self.step]
            value = item.choices[index].value
            # item 8 is asked in two steps: its branch here, then the minutes
            self.answers["training_branch" if item.number == 8 else item.key] = value
            self.step += 1
            self._ask()
            return
        low, _, _ = MINUTE_BANDS[index]
        self.answers["training_minutes"] = low
        self._save(Answers.from_dict(self.answers))

    def _save(self, answers: Answers) -> None:
        backend = self.rehab.backend

        def done(summary: str) -> None:
            self.dismiss(summary)

        self.rehab.run_db(lambda: backend.record_visa(answers), done=done)

    def action_cancel(self) -> None:
        self.dismiss(None)
