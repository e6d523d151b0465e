"""Trends: pain, adherence, load and VISA-A over 4, 12, 52 weeks or all, drawn by the same
plotext code as `rehab chart`, sized to the screen. Drawing runs in a worker (plotext keeps
one global figure, so one chart is drawn at a time)."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer, Static

if TYPE_CHECKING:
    from rehab.tui.app import RehabApp

KINDS = ("pain", "adherence", "load", "visa")
TITLES = {
    "pain": "Pain",
    "adherence": "Adherence",
    "load": "Load",
    "visa": "VISA-A",
}
RANGES: tuple[int | None, ...] = (4, 12, 52, None)


class TrendsScreen(Screen[None]):
    BINDINGS = [
        Binding("escape", "back", "Back"),
        Binding("c", "back", "Back", show=False),
        Binding("1", "kind('pain')", "Pain"),
        Binding("2", "kind('adherence')", "Adherence"),
        Binding("3", "kind('load')", "Load"),
        Binding("4", "kind('visa')", "VISA-A"),
        Binding("w", "range", "Weeks"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.kind = "pain"
        self.range: int | None = 12

    @property
    def rehab(self) -> RehabApp:
        return cast("RehabApp", self.app)

    def compose(self) -> ComposeResult:
        yield Static("", id="title")
        yield Static("", id="course")
        yield Static("drawing…", id="chart")
        yield Footer()

    def on_mount(self) -> None:
        backend = self.rehab.backend
        course = self.query_one("#course", Static)
        self.rehab.run_db(backend.course_line, done=course.update)
        self.draw()

    def on_resize(self) -> None:
        self.draw()

    def _heading(self) -> str:
        kinds = "  ".join(
            f"[{i + 1}] {'▸' if k == self.kind else ''}{TITLES[k]}" for i, k in enumerate(KINDS)
        )
        span = f"last {self.range} weeks" if self.range else "all"
        return f"Trends · {kinds} · w: {span}"

    def draw(self) -> None:
        self.query_one("#title", Static).update(self._heading())
        chart = self.query_one("#chart", Static)
        size = chart.size
        self._draw(self.kind, self.range, max(size.width, 40), max(size.height, 10))

    @work(thread=True, exclusive=True, group="chart")
    def _draw(self, kind: str, weeks: int | None, width: int, height: int) -> None:
        try:
            text = self.rehab.backend.chart(kind, weeks, width, height)
        except Exception as exc:  # one line on screen, not a crash
            text = f"Could not draw the chart: {exc}"
        self.app.call_from_thread(self._show, text)

    def _show(self, text: str) -> None:
        self.query_one("#chart", Static).update(Text.from_ansi(text))

    def action_kind(self, kind: str) -> None:
        self.kind = kind
        self.draw()

    def action_range(self) -> None:
        index = RANGES.index(self.range)
        self.range = RANGES[(index + 1) % len(RANGES)]
        self.draw()

    def action_back(self) -> None:
        self.app.pop_screen()
