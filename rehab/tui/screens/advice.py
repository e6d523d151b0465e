"""Today's advice in full: the decision, every reason behind it, what would change it, and
what accepting it changes in the plan. The Today screen's advice line is its first reason."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Footer, Static

from rehab.core.rows import TodayView
from rehab.tui.prose import heading, listed, page, paragraph
from rehab.tui.screens.base import RehabScreen
from rehab.tui.words import plain

DECISIONS = {
    "progress": "Move on: the next step of the program",
    "hold": "Hold: keep doing what you do now",
    "reduce": "Do less for now",
    "stop": "STOP the exercises and see a clinician",
}


def can_accept(view: TodayView) -> bool:
    return view.advice_decision in ("progress", "reduce") and not view.advice_accepted


def advice_text(view: TodayView) -> Group:
    """The advice in full, as the CLI's `advice` gives it, in the app's words."""
    decision = view.advice_decision
    if decision is None:
        return page(
            [
                Text("No advice today", style="bold"),
                paragraph(
                    "\nAdvice is given on today's page while the program is running "
                    "(not on another day, nor during a pause)."
                ),
            ]
        )
    style = "bold reverse" if decision == "stop" else "bold"
    parts: list[RenderableType] = [Text(DECISIONS.get(decision, decision), style=style)]
    parts += [heading("Why"), listed(plain(r) for r in view.advice_reasons)]
    if view.advice_would_change:
        changes = (plain(c) for c in view.advice_would_change)
        parts += [heading("What would change it"), listed(changes)]
    if decision in ("progress", "reduce"):
        change = view.plan_change or "the program's next step"
        parts.append(heading("If you accept"))
        if view.advice_accepted:
            parts.append(paragraph(f"Accepted: from tomorrow, {change}."))
        else:
            parts.append(
                paragraph(f"From tomorrow: {change}. y accepts; escape keeps things as they are.")
            )
    if decision == "stop":
        parts.append(
            paragraph(
                "\nThe program is paused. Once a clinician has seen you and cleared you, "
                "press P on the Today screen and give their name."
            )
        )
    return page(parts)


class AdviceScreen(RehabScreen):
    """Dismissed with True when the patient accepts today's advice."""

    KEYS_TITLE = "Today's advice (a)"
    BINDINGS = [
        Binding("y", "accept", "Accept", tooltip="Accept today's advice, from tomorrow"),
        Binding("escape", "close", "Back", tooltip="Back to today, accepting nothing"),
        Binding("a", "close", "Back", show=False),
    ]

    def __init__(self, view: TodayView) -> None:
        super().__init__()
        self.view = view

    def compose(self) -> ComposeResult:
        yield Static("rehab · today's advice", id="title")
        with VerticalScroll(id="advice-body"):
            yield Static(advice_text(self.view), id="advice-text")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#advice-body").focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "accept" and not can_accept(self.view):
            return None  # shown dimmed: there is nothing to accept
        return True

    def action_accept(self) -> None:
        if can_accept(self.view):
            self.dismiss(True)

    def action_close(self) -> None:
        self.dismiss(False)
