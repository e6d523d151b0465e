"""First run: choose a program (with a preview), then the leg, the start date and reminder
times. Nothing is written until Start; Escape backs out a step, and on the first step asks
before leaving the app."""

from __future__ import annotations

import re
from datetime import date
from typing import TYPE_CHECKING, cast

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, Footer, Input, Label, OptionList, RadioSet, Static
from textual.widgets.option_list import Option

from rehab.core.schedule import plan_day
from rehab.core.template import CONDITION_NAMES, Program
from rehab.core.typed import CALENDAR_TEXT, in_calendar
from rehab.core.vocabulary import DISCLAIMER as DISCLAIMER
from rehab.core.wording import phase_timing, phases_intro
from rehab.store.settings import DEFAULT_REMINDERS, REMINDER_SLOTS
from rehab.tui.widgets import PointerList, choice_button, chosen_value, mark_choices

DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", re.ASCII)

if TYPE_CHECKING:
    from rehab.tui.app import RehabApp


# The README's default program: listed first, marked, and where the cursor starts.
DEFAULT_CHOICE = "achilles-midportion"
DEFAULT_MARK = "(default)"
HOW_TO_CHOOSE = "↑↓ look at each program · enter chooses it · esc leaves"


def phase_lines(program: Program) -> list[str]:
    """The phases with what their weeks mean (rehab.core.wording): the move to the next
    phase follows the patient's pain, never the calendar alone."""
    if len(program.phases) == 1:
        return [f"{program.weeks} weeks, one phase: {program.phases[0].name}"]
    lines = [f"{program.weeks} weeks, {len(program.phases)} phases. {phases_intro(program)}"]
    for phase in program.phases:
        lines.append(f"  • {phase.name} ({phase_timing(program, phase)})")
    return lines


def preview(program: Program, start: date) -> str:
    """Phases, then the first day's doses, in a patient's words."""
    lines = [program.summary, ""]
    lines.append("For: " + ", ".join(CONDITION_NAMES[c] for c in program.conditions))
    lines.extend(phase_lines(program))
    plan = plan_day(program, start=start, side="both", day=start)
    lines.append("")
    lines.append("Day one:")
    seen: set[str] = set()
    for dose in plan.doses:
        if dose.exercise_id in seen:
            continue
        seen.add(dose.exercise_id)
        rule = program.exercise(dose.exercise_id).side
        legs = {"each": "each leg", "affected": "painful leg(s)"}.get(rule)
        lines.append(f"  • {dose.describe(legs=legs)}")
    return "\n".join(lines)


class WelcomeScreen(Screen[bool]):
    BINDINGS = [
        Binding("escape", "back", "Back"),
        Binding("ctrl+s", "start", "Start", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.programs: dict[str, Program] = {}
        self.today: date | None = None
        self.chosen: Program | None = None

    @property
    def rehab(self) -> RehabApp:
        return cast("RehabApp", self.app)

    def compose(self) -> ComposeResult:
        yield Static(f"Welcome to rehab. {DISCLAIMER}", id="welcome-line")
        yield Static(HOW_TO_CHOOSE, id="welcome-keys")
        with Horizontal(id="step-program"):
            yield PointerList(id="programs")
            with VerticalScroll(id="preview-box"):
                yield Static("", id="preview")
        with VerticalScroll(id="step-details"):
            yield Label("", id="details-title", classes="dialog-title")
            yield Label("Which leg hurts?")
            with RadioSet(id="side"):
                yield choice_button("left")
                yield choice_button("right")
                yield choice_button("both")
            yield Label("Start date (YYYY-MM-DD)")
            yield Input(id="start")
            yield Label("Reminder times (HH:MM)")
            with Horizontal(id="reminders"):
                for slot in REMINDER_SLOTS:
                    with Vertical(classes="reminder"):
                        yield Label(slot)
                        yield Input(DEFAULT_REMINDERS[slot], id=f"remind-{slot}", max_length=5)
            yield Label("", id="details-error", classes="error")
            with Horizontal(classes="buttons"):
                yield Button("Start", variant="primary", id="start-button")
                yield Button("Back", id="back-button")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#step-details").display = False
        backend = self.rehab.backend

        def job() -> tuple[dict[str, Program], date, list[str]]:
            catalog = backend.catalog()
            programs = {pid: entry.program for pid, entry in catalog.entries.items()}
            return programs, backend.today(), catalog.problems

        self.rehab.run_db(job, done=self._loaded)

    def _loaded(self, result: tuple[dict[str, Program], date, list[str]]) -> None:
        self.programs, self.today, problems = result
        for problem in problems:
            self.notify(problem, severity="warning", timeout=8)
        options = self.query_one("#programs", OptionList)
        ordered = sorted(self.programs.values(), key=lambda p: (p.id != DEFAULT_CHOICE, p.name))
        for program in ordered:
            conditions = ", ".join(CONDITION_NAMES[c] for c in program.conditions[:2])
            more = "…" if len(program.conditions) > 2 else ""
            mark = f" {DEFAULT_MARK}" if program.id == DEFAULT_CHOICE else ""
            options.add_option(
                Option(f"{program.name}{mark}\n  for: {conditions}{more}", id=program.id)
            )
        options.highlighted = 0
        options.focus()
        self.query_one("#start", Input).value = self.today.isoformat()

    @on(RadioSet.Changed)
    def _marked(self, event: RadioSet.Changed) -> None:
        mark_choices(event.radio_set)

    @on(OptionList.OptionHighlighted, "#programs")
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        program = self.programs.get(event.option.id or "")
        if program is not None and self.today is not None:
            self.query_one("#preview", Static).update(preview(program, self.today))

    @on(OptionList.OptionSelected, "#programs")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        self.chosen = self.programs.get(event.option.id or "")
        if self.chosen is None:
            return
        self.query_one("#step-program").display = False
        self.query_one("#step-details").display = True
        self.query_one("#details-title", Label).update(f"Start: {self.chosen.name}")
        self.query_one("#welcome-keys", Static).update(
            "tab moves between fields · enter starts · esc goes back to the list"
        )
        self.query_one("#side", RadioSet).focus()

    def action_back(self) -> None:
        if self.chosen is not None:
            self.chosen = None
            self.query_one("#step-details").display = False
            self.query_one("#step-program").display = True
            self.query_one("#programs", OptionList).focus()
            self.query_one("#welcome-keys", Static).update(HOW_TO_CHOOSE)
        else:
            from rehab.tui.screens.dialogs import ConfirmDialog

            def leave(yes: bool | None) -> None:
                if yes:
                    self.dismiss(False)

            question = "Leave rehab without starting a program? Nothing has been saved."
            self.app.push_screen(ConfirmDialog(question), leave)

    @on(Button.Pressed, "#back-button")
    def _back_pressed(self) -> None:
        self.action_back()

    @on(Input.Submitted)
    @on(Button.Pressed, "#start-button")
    def action_start(self) -> None:
        program = self.chosen
        if program is None or self.today is None:
            return
        error = self.query_one("#details-error", Label)
        raw = self.query_one("#start", Input).value.strip()
        try:
            start = date.fromisoformat(raw) if DAY.fullmatch(raw) else None
        except ValueError:
            start = None
        if start is None:
            error.update(f"Start date {raw!r} is not a date (allowed: YYYY-MM-DD)")
            return
        if not in_calendar(start):
            error.update(
                f"Start date {raw} is outside the dates rehab handles (allowed: {CALENDAR_TEXT})"
            )
            return
        if (start - self.today).days > 365:
            error.update("Start date is more than a year ahead (allowed: within a year)")
            return
        side = chosen_value(self.query_one("#side", RadioSet), "")
        if not side:
            error.update("Choose which leg hurts: left, right or both")
            self.query_one("#side", RadioSet).focus()
            return
        reminders = {
            slot: self.query_one(f"#remind-{slot}", Input).value for slot in REMINDER_SLOTS
        }
        backend = self.rehab.backend
        error.update("")

        def started(_: object) -> None:
            self.dismiss(True)

        self.rehab.run_db(
            lambda: backend.start(program, side, start, reminders),
            done=started,
            success=f"Started {program.name}. {DISCLAIMER}",
        )
