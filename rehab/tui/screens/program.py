"""The whole program (`o` on Today): phase by phase, each exercise's dose as tailored and by
whom, what was taken out, and the history of the therapist's changes. Behind `T`, a therapist
gives their name and changes an exercise's dose from a day on (rehab.store.prescriptions)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from rich.console import Group, RenderableType
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Footer, Input, Label, Static

from rehab.core.prescription import dose_value
from rehab.core.typed import decimal_number, is_whole_number
from rehab.store.program_view import ExerciseLine, ProgramView
from rehab.tui.prose import heading, listed, page, paragraph
from rehab.tui.screens.base import RehabScreen


def _line(item: ExerciseLine) -> str:
    return item.dose + (f"  ✎ {item.tailored}" if item.tailored else "")


def program_text(view: ProgramView) -> Group:
    parts: list[RenderableType] = [
        Text(view.program, style="bold"),
        paragraph(
            f"For {view.patient}, started {view.start}. Not medical advice; follow your clinician."
        ),
    ]
    if view.every_phase:
        parts += [heading("Every day, in every phase"), listed(_line(e) for e in view.every_phase)]
    for phase in view.phases:
        here = "  ◀ you are here" if phase.current else ""
        parts.append(heading(f"{phase.name} ({phase.weeks}, as a guide){here}"))
        if phase.goal:
            parts.append(paragraph(phase.goal))
        if phase.exercises:
            parts.append(listed(_line(e) for e in phase.exercises))
    if view.removed:
        parts += [heading("Taken out"), listed(view.removed)]
    parts.append(heading("Changes by your therapist"))
    if view.history:
        parts.append(listed(view.history))
    else:
        parts.append(paragraph("None yet: the program is as its template wrote it."))
    parts.append(
        paragraph(
            "\nThe phases move on when your pain allows, not by the calendar: the weeks are "
            "a guide. T: a therapist changes a dose."
        )
    )
    return page(parts)


class ProgramScreen(RehabScreen):
    KEYS_TITLE = "The whole program (o)"
    BINDINGS = [
        Binding(
            "T",
            "therapist",
            "Therapist: change a dose",
            tooltip="For your therapist: change an exercise's dose from a day on",
        ),
        Binding("escape", "close", "Back", tooltip="Back to today"),
        Binding("o", "close", "Back", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.view: ProgramView | None = None
        self.therapist = ""

    def compose(self) -> ComposeResult:
        yield Static("rehab · the whole program", id="title")
        with VerticalScroll(id="program-body"):
            yield Static("Loading the program…", id="program-text")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#program-body").focus()
        self.rehab.journal_changed.subscribe(self, lambda _: self.reload(), immediate=True)
        self.reload()

    def reload(self) -> None:
        def shown(view: ProgramView) -> None:
            self.view = view
            self.query_one("#program-text", Static).update(program_text(view))

        self.rehab.run_db(self.rehab.backend.program_view, done=shown)

    def action_close(self) -> None:
        self.dismiss()

    def action_therapist(self) -> None:
        view = self.view
        if view is None:
            self.notify("The program is still loading.", severity="warning")
            return
        from rehab.tui.screens.dialogs import ChoiceDialog

        labels = _labels(view.changeable)
        backend = self.rehab.backend

        def chosen(label: str | None) -> None:
            if label is None:
                return
            exercise_id, name = labels[label]
            dialog = PrescribeDialog(
                exercise_id, name, view.dose_now.get(exercise_id, ""), self.therapist,
                backend.today(), backend.prescribe,
            )  # fmt: skip
            self.app.push_screen(dialog, self._prescribed)

        self.app.push_screen(ChoiceDialog("Change the dose of", list(labels)), chosen)

    def _prescribed(self, result: Prescribed | None) -> None:
        if result is None:
            return
        self.therapist = result.by
        self.notify(result.message)
        self.rehab.refresh_today()  # this screen reloads with every other (journal_changed)


def _labels(exercises: tuple[tuple[str, str], ...]) -> dict[str, tuple[str, str]]:
    """Each exercise by its name; a name used twice (one per phase) says its id too."""
    names = [name for _, name in exercises]
    return {
        (name if names.count(name) == 1 else f"{name} ({exercise_id})"): (exercise_id, name)
        for exercise_id, name in exercises
    }


@dataclass(frozen=True)
class Prescribed:
    by: str
    message: str


@dataclass(frozen=True)
class DoseChange:
    """What the therapist typed, checked for form (the store checks the dose itself)."""

    exercise_id: str
    values: dict[str, Any]
    by: str
    reason: str
    effective: date


FIELDS = (  # (input id, label, the prescription field, whole number, unit)
    ("sets", "Sets", "sets", True, ""),
    ("reps", "Repetitions", "reps", True, ""),
    ("hold", "Hold (seconds)", "hold_seconds", False, " s"),
    ("minutes", "Minutes", "minutes", False, " min"),
    ("load", "Load (kg)", "load_kg", False, " kg"),
    ("per-day", "Times a day", "times_per_day", True, ""),
)


class PrescribeDialog(ModalScreen[Prescribed | None]):
    """A therapist changes one exercise's dose: their name, the exercise, the new numbers
    (blank: unchanged), from which day, and why. Saved only when the store accepts it; its
    one-line refusal is shown here."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(
        self,
        exercise_id: str,
        name: str,
        now: str,
        therapist: str,
        today: date,
        save: Callable[[DoseChange], str],
    ) -> None:
        super().__init__()
        self.exercise_id = exercise_id
        self.exercise_name = name
        self.now = now
        self.therapist = therapist
        self.today = today
        self.save = save

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog", id="prescribe"):
            yield Label(f"Change the dose: {self.exercise_name}", classes="dialog-title")
            if self.now:
                yield Label(f"Now: {self.now}")
            yield Label("New numbers (blank keeps it; a range as 2-3)")
            with Horizontal(classes="field-row"):
                yield Label("Therapist's name", classes="field-label")
                yield Input(self.therapist, placeholder="name", id="by", max_length=60,
                            compact=True)  # fmt: skip
            for box, label, _, _, unit in FIELDS:
                with Horizontal(classes="field-row"):
                    yield Label(label, classes="field-label")
                    yield Input(placeholder=f"unchanged{unit}", id=box, max_length=12,
                                compact=True)  # fmt: skip
            with Horizontal(classes="field-row"):
                yield Label("From (date)", classes="field-label")
                tomorrow = self.today + timedelta(days=1)
                yield Input(tomorrow.isoformat(), id="from", max_length=10, compact=True)
            with Horizontal(classes="field-row"):
                yield Label("Why", classes="field-label")
                yield Input(placeholder="optional", id="why", max_length=500, compact=True)
            yield Label("", id="prescribe-error", classes="error")
            with Horizontal(classes="buttons"):
                yield Button("Save", variant="primary", id="save", compact=True)
                yield Button("Cancel", id="cancel", compact=True)

    def on_mount(self) -> None:
        self.query_one("#by" if not self.therapist else "#sets", Input).focus()

    def _error(self, text: str) -> None:
        self.query_one("#prescribe-error", Label).update(text)

    def answer(self) -> DoseChange | str:
        """The change typed, or why it is not one yet (a line to show)."""
        by = " ".join(self.query_one("#by", Input).value.split())
        if not by:
            return "Give the therapist's name"
        values: dict[str, Any] = {}
        for box, label, field, whole, unit in FIELDS:
            raw = self.query_one(f"#{box}", Input).value.strip()
            if not raw:
                continue
            if field == "times_per_day":
                if not is_whole_number(raw) or not 1 <= int(raw) <= 6:
                    return f"{label}: {raw} is not 1 to 6"
                values[field] = int(raw)
            elif field == "load_kg":
                number = decimal_number(raw)
                if number is None or not 0 <= number <= 200:
                    return f"{label}: {raw} is not a load from 0 to 200 kg"
                values[field] = number
            else:
                try:
                    values[field] = dose_value(raw, whole=whole, unit=unit)
                except ValueError as exc:
                    return f"{label}: {exc}"
        if not values:
            return "Give at least one new number"
        raw_day = self.query_one("#from", Input).value.strip()
        try:
            effective = date.fromisoformat(raw_day)
        except ValueError:
            return f"From: {raw_day!r} is not a date (allowed: YYYY-MM-DD)"
        why = " ".join(self.query_one("#why", Input).value.split())
        return DoseChange(self.exercise_id, values, by, why, effective)

    @on(Input.Submitted)
    @on(Button.Pressed, "#save")
    def _save(self) -> None:
        from rehab.errors import Problem, for_app

        answer = self.answer()
        if isinstance(answer, str):
            self._error(answer)
            return
        try:
            message = self.save(answer)
        except Problem as exc:
            self._error(for_app(exc))
            return
        self.dismiss(Prescribed(answer.by, message))

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
