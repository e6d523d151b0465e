"""One exercise in full (`i` on Today): the dose, how to do it, its cautions, and the
program's guide to pain, all wrapped and scrollable, whatever the terminal's size."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Footer, Static

from rehab.core.rows import Row, TodayView
from rehab.tui.prose import heading, listed, page, paragraph
from rehab.tui.screens.base import RehabScreen


def dose_text(row: Row, view: TodayView | None) -> Group:
    dose = row.first.dose
    parts: list[RenderableType] = [Text(row.text, style="bold")]
    if dose.tempo and not dose.unverified:
        parts.append(paragraph(f"Tempo: {dose.tempo}"))
    if dose.prescribed_by:
        parts.append(paragraph(f"Tailored for you by {dose.prescribed_by} (o: the whole program)"))
    parts += [
        heading("How to do it"),
        paragraph(dose.instructions or "Your clinician can show you how."),
    ]
    if dose.cautions:
        parts += [heading("Take care"), listed(dose.cautions, "⚠")]
    if view is not None and view.phase_goal:
        parts += [heading(view.phase or "This phase"), paragraph(view.phase_goal)]
    if view is not None and view.notes:
        parts += [heading("About pain and this program"), listed(view.notes)]
    return page(parts)


class DoseScreen(RehabScreen):
    KEYS_TITLE = "One exercise in full (i)"
    BINDINGS = [
        Binding("escape", "close", "Back", tooltip="Back to today"),
        Binding("i", "close", "Back", show=False),
    ]

    def __init__(self, row: Row, view: TodayView | None) -> None:
        super().__init__()
        self.row = row
        self.view = view

    def compose(self) -> ComposeResult:
        yield Static(f"rehab · {self.row.first.dose.name}", id="title")
        with VerticalScroll(id="dose-body"):
            yield Static(dose_text(self.row, self.view), id="dose-text")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#dose-body").focus()

    def action_close(self) -> None:
        self.dismiss()
