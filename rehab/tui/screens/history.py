"""History: the past weeks as a calendar coloured by adherence (with symbols and a legend,
so nothing depends on colour), and the entries of the chosen day with undo and edit."""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.coordinate import Coordinate
from textual.widgets import DataTable, Footer, Label, OptionList, Static
from textual.widgets.option_list import Option

from rehab.tui.backend import DaySummary, LogLine
from rehab.tui.screens.base import RehabScreen
from rehab.tui.widgets import PointerList

if TYPE_CHECKING:
    pass

WEEKS = 6  # at 80×24; a taller terminal shows more (weeks_for_height)
MOST_WEEKS = 26
DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
LEGEND = "● all done   ◕ most (≥ 50%)   ◔ some   ○ none   ‖ paused   · no plan / ahead"


def symbol(day: DaySummary, today: date) -> tuple[str, str]:
    """(symbol, style) for one calendar cell."""
    if day.day > today or day.status in ("before-start", "ended"):
        return "·", "dim"
    if day.status == "paused":
        return "‖", "blue"
    if day.planned == 0:
        return "·", "dim"
    share = day.done / day.planned
    if share >= 1:
        return "●", "bold green"
    if share >= 0.5:
        return "◕", "green"
    if share > 0 or day.started:
        return "◔", "yellow"
    return "○", "red"


def weeks_for_height(height: int) -> int:
    """How many weeks the calendar shows: about half the screen, the rest for the day's
    entries (6 at 24 rows, 14 at 40), never fewer than 4."""
    return max(4, min(MOST_WEEKS, height // 2 - 6))


def monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


class HistoryScreen(RehabScreen):
    KEYS_TITLE = "History (h)"
    BINDINGS = [
        Binding("escape", "back", "Back"),
        Binding("h", "back", "Back", show=False),
        Binding("u", "undo", "Undo entry"),
        Binding("left_square_bracket", "weeks(-1)", "Earlier"),
        Binding("right_square_bracket", "weeks(1)", "Later"),
    ]

    def __init__(self, today: date, start: date | None = None) -> None:
        super().__init__()
        self.today = today
        self.start = start  # the program's first day: the calendar goes back no further
        self.weeks = WEEKS
        self.last = today
        self.summaries: dict[date, DaySummary] = {}
        self.lines: list[LogLine] = []
        self.selected: date = today
        self._marked: date | None = None

    def compose(self) -> ComposeResult:
        yield Static("History", id="title")
        yield DataTable(id="calendar", cursor_type="cell", zebra_stripes=False)
        yield Static(LEGEND, id="legend")
        yield Label("", id="day-title")
        yield PointerList(id="entries")
        yield Footer()

    def on_mount(self) -> None:
        # another process's write: read the weeks again (the screen's own undo reloads it)
        self.rehab.journal_changed.subscribe(
            self, lambda change: self.load() if change.outside else None, immediate=True
        )
        table = self.query_one("#calendar", DataTable)
        table.add_column("Week of", key="week")
        for name in DAYS:
            table.add_column(name, key=name)
        self.weeks = weeks_for_height(self.size.height or self.app.size.height)
        self.load()

    def on_resize(self) -> None:
        weeks = weeks_for_height(self.size.height)
        if weeks != self.weeks:
            self.weeks = weeks
            self.load()

    def shown_weeks(self) -> int:
        """The weeks from the program's first week to the last one shown, at most a screen."""
        if self.start is None:
            return self.weeks
        since = (monday(self.last) - monday(self.start)).days // 7 + 1
        return max(1, min(self.weeks, since))

    def load(self) -> None:
        backend, last, weeks = self.rehab.backend, self.last, self.shown_weeks()
        self.rehab.run_db(lambda: backend.month(last, weeks), done=self._show_month)

    def _show_month(self, days: list[DaySummary]) -> None:
        self.summaries = {d.day: d for d in days}
        self._marked = None
        table = self.query_one("#calendar", DataTable)
        table.clear()
        for week_start in range(0, len(days), 7):
            week = days[week_start : week_start + 7]
            cells: list[Text] = [Text(week[0].day.strftime("%-d %b"))]
            for day in week:
                mark, style = symbol(day, self.today)
                cells.append(Text(f" {day.day.day:>2} {mark}", style=style))
            table.add_row(*cells, key=week[0].day.isoformat())
        self._move_cursor(self.selected)
        self._mark(self.selected)
        table.focus()
        self._load_day(self.selected)

    def _move_cursor(self, day: date) -> None:
        days = sorted(self.summaries)
        if not days or day not in self.summaries:
            return
        index = days.index(day)
        self.query_one("#calendar", DataTable).move_cursor(row=index // 7, column=1 + index % 7)

    @on(DataTable.CellHighlighted, "#calendar")
    def _cell(self, event: DataTable.CellHighlighted) -> None:
        days = sorted(self.summaries)
        column = event.coordinate.column
        if column == 0 or not days:
            return
        index = event.coordinate.row * 7 + column - 1
        if 0 <= index < len(days):
            self._mark(days[index])
            if days[index] != self.selected:
                self.selected = days[index]
                self._load_day(self.selected)

    def _mark(self, day: date) -> None:
        """Put ▸ on the chosen day's cell (and take it off the last one): not colour alone."""
        table = self.query_one("#calendar", DataTable)
        days = sorted(self.summaries)
        for each in {self._marked, day}:
            if each is None or each not in self.summaries:
                continue
            index = days.index(each)
            mark, style = symbol(self.summaries[each], self.today)
            pointer = "▸" if each == day else " "
            table.update_cell_at(
                Coordinate(index // 7, 1 + index % 7),
                Text(f"{pointer}{each.day:>2} {mark}", style=style),
            )
        self._marked = day

    def _load_day(self, day: date) -> None:
        summary = self.summaries.get(day)
        title = day.strftime("%A %-d %B %Y")
        if summary is not None and summary.status == "paused":
            title += " · paused (not missed)"
        elif summary is not None and summary.planned:
            # as the calendar's symbols count it: each leg of a stretch is a dose of its own
            title += f" · {summary.done} of {summary.planned} doses done, each leg counted"
        self.query_one("#day-title", Label).update(title)
        backend = self.rehab.backend
        self.rehab.run_db(lambda: backend.day_log(day), done=self._show_day)

    def _show_day(self, lines: list[LogLine]) -> None:
        self.lines = lines
        entries = self.query_one("#entries", OptionList)
        entries.clear_options()
        if not lines:
            entries.add_option(Option("Nothing logged on this day.", disabled=True))
            return
        for i, line in enumerate(lines):
            text = Text(line.text)
            if line.voided:
                text = Text(f"{line.text}  [undone]", style="strike dim")
            entries.add_option(Option(text, id=str(i), disabled=line.voided))

    def action_undo(self) -> None:
        entries = self.query_one("#entries", OptionList)
        option = entries.highlighted_option
        if option is None or option.id is None:
            self.notify("Choose an entry in the list first (tab to it).", severity="warning")
            return
        line = self.lines[int(option.id)]
        backend, day = self.rehab.backend, self.selected

        def after(_: object) -> None:
            self._load_day(day)
            self.load()
            self.rehab.refresh_today()

        self.rehab.run_db(lambda: backend.void(line.action), done=after, success="Undone")

    def action_weeks(self, step: int) -> None:
        first_shown = monday(self.last) - timedelta(weeks=self.shown_weeks() - 1)
        if step < 0 and self.start is not None and first_shown <= monday(self.start):
            self.notify(f"Your program began on {self.start:%a %-d %b %Y}: nothing before it.")
            return
        if step > 0 and self.last >= self.today:
            self.notify("This is the latest week.")
            return
        last = self.last + timedelta(weeks=step * self.weeks)
        if self.start is not None:
            # the window that starts with the program's first week, at the earliest
            last = max(last, monday(self.start) + timedelta(days=7 * self.weeks - 1))
        self.last = min(last, self.today)
        self.selected = self.last
        self.load()

    def action_back(self) -> None:
        self.app.pop_screen()
