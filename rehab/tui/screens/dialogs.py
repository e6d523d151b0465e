"""Small modal dialogs: pain, morning check, skip, pause, confirm. Each returns its answer
through `dismiss` (a typed answer from rehab.tui.answers for pain and the morning check) and
writes nothing itself; Escape always backs out."""

from __future__ import annotations

from typing import TypeVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, Label, OptionList, RadioSet, Static
from textual.widgets.option_list import Option

from rehab.core.typed import decimal_number, is_whole_number
from rehab.core.vocabulary import PAIN_CONTEXTS, PAUSE_REASONS, SKIP_REASONS
from rehab.store.inputs import REASON_MAX
from rehab.tui.answers import LoadAnswer, MorningAnswer, PainAnswer
from rehab.tui.painguide import PainGuide
from rehab.tui.widgets import (
    PointerList,
    choice_button,
    chosen_value,
    mark_box,
    mark_choices,
    tick_box,
)

T = TypeVar("T")

# Room for "other: " and the patient's words in a stored reason (rehab.store.inputs).
OWN_WORDS_MAX = REASON_MAX - len("other: ")


class _Dialog(ModalScreen[T]):
    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def action_cancel(self) -> None:
        self.dismiss(None)

    @on(Button.Pressed, "#cancel")
    def _cancel(self) -> None:
        self.dismiss(None)


WARNING = "A warning sign today"
WARNING_HINT = (
    "Warning signs: a sudden pop, can't rise on tiptoe, a gap in the tendon, numbness, "
    "fever, night pain."
)
SCORE_RULE = "type a whole number from 0 to 10"


def _score_problem(raw: str) -> str | None:
    """Why a typed pain score is not one (None: it is). Nothing typed is left out of this:
    each caller says whether a score is needed."""
    if is_whole_number(raw) and 0 <= int(raw) <= 10:
        return None
    number = decimal_number(raw)
    if number is not None and 0 <= number <= 10:
        return f"{raw} is not a score: {SCORE_RULE}, without decimals"
    return f"{raw} is not a score: {SCORE_RULE}"


def _score_row(box_id: str, label: str) -> ComposeResult:
    with Horizontal(classes="score-row"):
        yield Label(label)
        yield Input(placeholder="0–10", id=box_id, max_length=20, compact=True)


class PainDialog(_Dialog[PainAnswer | None]):
    """Score 0–10 typed (so 10 needs no mouse), when it hurt, and a note, with the pain guide
    and where the typed score falls on it. The context starts at `default`: a caller gives
    `default_context(local hour)` (morning before noon, after exercise from noon, as on the
    command line) or "during" inside a session; never rest or night, which are red flags.
    Anything typed stays in the field: a character that is not a digit is explained, not
    dropped."""

    def __init__(self, default: str = "morning") -> None:
        super().__init__()
        self.default = default if default in PAIN_CONTEXTS else "morning"

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="pain-dialog"):
            yield Label("Pain now, 0 (none) to 10 (worst imaginable)", classes="dialog-title")
            yield from _score_row("score", "Score (whole numbers 0–10): ")
            yield Static("", id="score-error", classes="error")
            yield PainGuide()
            with Horizontal(classes="score-row"):
                yield Label("When? ")
                with RadioSet(id="context"):
                    for context in PAIN_CONTEXTS:
                        yield choice_button(context, chosen=context == self.default)
            with Horizontal(classes="score-row"):
                yield Label("Note: ")
                yield Input(placeholder="optional", id="note", max_length=500, compact=True)
            yield tick_box(WARNING, "warning")
            yield Static(WARNING_HINT, classes="hint")
            with Horizontal(classes="buttons"):
                yield Button("Save", variant="primary", id="save", compact=True)
                yield Button("Cancel", id="cancel", compact=True)

    def on_mount(self) -> None:
        self.query_one("#score-error").display = False
        self.query_one("#score", Input).focus()
        # the keyboard cursor in "When?" starts on the chosen context, not on the first
        radios = self.query_one("#context", RadioSet)
        radios._selected = PAIN_CONTEXTS.index(self.default)  # Textual 8.2's cursor

    @on(RadioSet.Changed)
    def _marked(self, event: RadioSet.Changed) -> None:
        mark_choices(event.radio_set)

    @on(Input.Changed, "#score")
    def _typed(self, event: Input.Changed) -> None:
        raw = event.value.strip()
        problem = _score_problem(raw) if raw else None
        self._error(problem or "")
        self.query_one(PainGuide).show(int(raw) if raw and problem is None else None)

    def _error(self, text: str) -> None:
        error = self.query_one("#score-error", Static)
        error.update(text)
        error.display = bool(text)

    @on(Input.Submitted)
    @on(Button.Pressed, "#save")
    def _save(self) -> None:
        raw = self.query_one("#score", Input).value.strip()
        problem = _score_problem(raw) if raw else f"nothing is not a score: {SCORE_RULE}"
        if problem is not None:
            self._error(problem)
            self.query_one("#score", Input).focus()
            return
        context = chosen_value(self.query_one("#context", RadioSet), self.default)
        note = self.query_one("#note", Input).value.strip() or None
        warning = self.query_one("#warning", Checkbox).value
        self.dismiss(PainAnswer(int(raw), context, note, warning))

    @on(Checkbox.Changed)
    def _box(self, event: Checkbox.Changed) -> None:
        mark_box(event.checkbox)


class CheckDialog(_Dialog[MorningAnswer | None]):
    """The morning check the seeds describe, morning pain first: saved as a pain entry in
    the morning context, which the advice counts ("morning pain logged on N of 7 days")."""

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="check-dialog"):
            yield Label("Morning check", classes="dialog-title")
            yield from _score_row("morning-pain", "Pain on getting up (whole numbers 0–10): ")
            yield Static(
                "0 is no pain, 10 the worst imaginable. Leave it empty to skip it.",
                classes="hint",
            )
            with Horizontal(classes="score-row"):
                yield Label("Minutes of stiffness after getting up: ")
                yield Input(placeholder="e.g. 15", id="stiffness", max_length=20, compact=True)
            yield Static("", id="check-error", classes="error")
            yield tick_box("Swelling at the back of the heel", "swelling")
            yield tick_box("Redness", "redness")
            yield tick_box("Pain standing on tiptoe", "tiptoe")
            yield tick_box(WARNING, "warning")
            yield Static(WARNING_HINT, classes="hint")
            with Horizontal(classes="buttons"):
                yield Button("Save", variant="primary", id="save", compact=True)
                yield Button("Cancel", id="cancel", compact=True)

    def on_mount(self) -> None:
        self.query_one("#check-error").display = False
        self.query_one("#morning-pain", Input).focus()

    def _error(self, text: str) -> None:
        error = self.query_one("#check-error", Static)
        error.update(text)
        error.display = bool(text)

    @on(Checkbox.Changed)
    def _marked(self, event: Checkbox.Changed) -> None:
        mark_box(event.checkbox)

    @on(Input.Submitted)
    @on(Button.Pressed, "#save")
    def _save(self) -> None:
        pain = self.query_one("#morning-pain", Input).value.strip()
        problem = _score_problem(pain) if pain else None
        if problem is not None:
            self._error("Morning pain: " + problem)
            self.query_one("#morning-pain", Input).focus()
            return
        raw = self.query_one("#stiffness", Input).value.strip()
        if raw and not is_whole_number(raw):
            self._error(f"{raw!r} is not a number of minutes (allowed: 0 to 1440, in digits 0-9)")
            return
        if raw and int(raw) > 1440:
            self._error(f"{raw} minutes is more than a day (allowed: 0 to 1440)")
            return
        self.dismiss(
            MorningAnswer(
                pain=int(pain) if pain else None,
                stiffness_minutes=int(raw) if raw else None,
                swelling=self.query_one("#swelling", Checkbox).value,
                redness=self.query_one("#redness", Checkbox).value,
                tiptoe_pain=self.query_one("#tiptoe", Checkbox).value,
                warning=self.query_one("#warning", Checkbox).value,
            )
        )


class _Choice(_Dialog[str | None]):
    TITLE_TEXT = ""
    CHOICES: tuple[str, ...] = ()
    # A choice that asks for a few words of the patient's own ("other: the bus was late"),
    # kept in the stored reason; "" for none.
    OWN_WORDS = ""

    def __init__(self, subject: str = "") -> None:
        super().__init__()
        self.subject = subject

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            title = self.TITLE_TEXT + (f": {self.subject}" if self.subject else "")
            yield Label(title, classes="dialog-title")
            yield PointerList(*[Option(c, id=c) for c in self.CHOICES], id="choices")
            if self.OWN_WORDS:
                with Vertical(id="own-box"):
                    yield Label(f"In your own words ({self.OWN_WORDS}; enter saves):")
                    yield Input(
                        placeholder="optional",
                        id="own-words",
                        max_length=OWN_WORDS_MAX,
                        compact=True,
                    )
                    yield Static("", id="own-error", classes="error")
            with Horizontal(classes="buttons"):
                yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
        choices = self.query_one("#choices", OptionList)
        choices.highlighted = 0
        choices.focus()
        if self.OWN_WORDS:
            self.query_one("#own-box").display = False

    @on(OptionList.OptionSelected, "#choices")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        if self.OWN_WORDS and event.option.id == "other":
            self.query_one("#own-box").display = True
            self.query_one("#own-words", Input).focus()
            return
        self.dismiss(event.option.id)

    @on(Input.Submitted, "#own-words")
    def _own_words(self, event: Input.Submitted) -> None:
        words = " ".join(event.value.split())
        if len(words) > OWN_WORDS_MAX:  # max_length stops typing; a paste is checked here
            error = self.query_one("#own-error", Static)
            error.update(f"{len(words)} characters is too long (allowed: up to {OWN_WORDS_MAX})")
            return
        self.dismiss(f"other: {words}" if words else "other")


class SkipDialog(_Choice):
    TITLE_TEXT = "Skip"
    CHOICES = SKIP_REASONS
    OWN_WORDS = "what got in the way"


class PauseDialog(_Choice):
    TITLE_TEXT = "Pause the program (paused days are not missed days)"
    CHOICES = PAUSE_REASONS
    OWN_WORDS = "why you are pausing"


class SnoozeDialog(_Choice):
    TITLE_TEXT = "Remind me again in"
    CHOICES = ("10 minutes", "30 minutes", "60 minutes")


class ChoiceDialog(_Choice):
    """A question and its answers given by the caller (whose records to open)."""

    def __init__(self, question: str, choices: list[str]) -> None:
        super().__init__()
        self.TITLE_TEXT = question
        self.CHOICES = tuple(choices)


class ConfirmDialog(_Dialog[bool | None]):
    BINDINGS = [
        Binding("escape", "cancel", "Cancel"),
        Binding("y", "yes", "Yes"),
        Binding("n", "cancel", "No"),
    ]

    def __init__(self, question: str) -> None:
        super().__init__()
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(self.question, classes="dialog-title")  # a long question wraps
            with Horizontal(classes="buttons"):
                yield Button("Yes (y)", variant="primary", id="yes")
                yield Button("No (n)", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#yes", Button).focus()

    @on(Button.Pressed, "#yes")
    def action_yes(self) -> None:
        self.dismiss(True)


class LoadDialog(_Dialog[LoadAnswer | None]):
    """Record the load actually used for a strengthening set (kg added, e.g. a backpack)."""

    def __init__(self, name: str, planned_kg: float | None, sets_left: int) -> None:
        super().__init__()
        self.exercise = name
        self.planned_kg = planned_kg
        self.sets_left = sets_left

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(f"Load used: {self.exercise}", classes="dialog-title")
            yield Label("Added load in kg (0 for body weight)")
            planned = "" if self.planned_kg is None else f"{self.planned_kg:g}"
            yield Input(planned, id="load", restrict=r"[0-9]{0,3}(\.[0-9]?)?")
            yield Label(f"Sets done with it (1 to {self.sets_left})")
            yield Input("1", id="sets", restrict=r"[0-9]{0,2}")
            yield Label("", id="load-error", classes="error")
            with Horizontal(classes="buttons"):
                yield Button("Save", variant="primary", id="save")
                yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#load", Input).focus()

    @on(Input.Submitted)
    @on(Button.Pressed, "#save")
    def _save(self) -> None:
        error = self.query_one("#load-error", Label)
        raw_load = self.query_one("#load", Input).value.strip()
        raw_sets = self.query_one("#sets", Input).value.strip()
        load = decimal_number(raw_load)
        if load is None:
            error.update(
                f"load {raw_load or 'nothing'!r} is not a number (allowed: 0 to 500 kg, "
                "in digits 0-9)"
            )
            return
        if not 0 <= load <= 500:
            error.update(f"load {raw_load} kg is out of range (allowed: 0 to 500 kg)")
            return
        if not is_whole_number(raw_sets) or not 1 <= int(raw_sets) <= self.sets_left:
            error.update(f"sets {raw_sets or 'nothing'!r}: allowed 1 to {self.sets_left}")
            return
        self.dismiss(LoadAnswer(load, int(raw_sets)))
