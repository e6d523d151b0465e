"""Trends: pain, adherence, load and VISA-A over 4, 12, 52 weeks or all, drawn by the same
plotext code as `rehab chart`, sized to the screen. Drawing runs in a worker (plotext keeps
one global figure, so one chart is drawn at a time)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Footer, Static

from rehab.charts import KINDS as CHARTS
from rehab.tui.screens.base import RehabScreen

if TYPE_CHECKING:
    pass

KINDS = tuple(CHARTS)  # the one list of charts (rehab.charts.KINDS)
TITLES = {name: kind.label for name, kind in CHARTS.items()}
RANGES: tuple[int | None, ...] = (4, 12, 52, None)


class TrendsScreen(RehabScreen):
    KEYS_TITLE = "Trends (c)"
    BINDINGS = [
        Binding("escape", "back", "Back"),
        Binding("c", "back", "Back", show=False),
        *(
            Binding(
                str(number), f"kind('{name}')", TITLES[name], tooltip=f"The {TITLES[name]} chart"
            )
            for number, name in enumerate(KINDS, start=1)
        ),
        Binding("w", "range", "Weeks"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.kind = "pain"
        self.range: int | None = 12

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
