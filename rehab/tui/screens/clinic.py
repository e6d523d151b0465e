"""Clinic: the therapist's roster (`rehab clinic` on a terminal), who needs attention first,
and one patient at a time: their Today, History and Trends read-only, their advice
accepted in the therapist's name, their report, and every patient's report in one go.

The patient's own screens are reused as they are, in read-only subclasses: every key that
would write says "read-only" instead (and `RehabApp.record` refuses any write while
`app.read_only` names a patient), so what the therapist sees is exactly what the patient
sees. The patient view's actions are one list (`PATIENT_ACTIONS`), each an `action_*` of
`ClinicPatientScreen`: a new one (prescribing) is a line there and a method.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, DataTable, Footer, Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from rehab.core.clinic import FILTER_HELP, FILTERS, HEADERS, RosterRow, cells, select_rows
from rehab.tui.screens.base import RehabScreen
from rehab.tui.screens.history import HistoryScreen
from rehab.tui.screens.today import TodayScreen
from rehab.tui.screens.trends import TrendsScreen

NOTE = "Not medical advice; follow your clinician."
RANK_STYLE = ("bold red", "bold yellow", "yellow", "")

# The patient view's actions, in order: (action, label). Each is `action_<name>`.
PATIENT_ACTIONS: list[tuple[str, str]] = [
    ("today", "Today (read-only)"),
    ("history", "History (read-only)"),
    ("trends", "Trends (read-only)"),
    ("program", "Their program, and prescribe as their therapist…"),
    ("accept", "Accept today's advice as their therapist…"),
    ("export", "Export their report…"),
]


NARROW = ("need", "patient", "week", "7d", "28d", "pain now/wk1", "last", "flag/advice", "VISA")
WIDE_FROM = 110  # columns: below this the roster drops program names and shortens words


def narrow_cells(row: RosterRow) -> list[str]:
    """The roster at 80 columns: the program is on the patient view, here only its week."""
    full = dict(zip(HEADERS, cells(row), strict=True))
    week = f"wk {row.week}" if row.status == "active" else row.status
    alert = ", ".join(row.red_flags) or ("stop" if row.advice == "stop" else "")
    alert = alert or (row.advice or "" if row.advice_waiting else "") or "-"
    since = row.days_since_entry
    last = "never" if since is None else "today" if since == 0 else f"{since}d"
    return [
        full["need"],
        row.patient if len(row.patient) <= 18 else row.patient[:17] + "…",
        week if week != "none" else "-",
        full["7d"],
        full["28d"],
        full["pain now/start"],
        last,
        alert if len(alert) <= 11 else alert[:10] + "…",
        full["VISA-A"],
    ]


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def wide_cells(row: RosterRow) -> list[str]:
    """The CLI's columns, with long program ids shortened to fit 120 columns."""
    values = cells(row)
    values[1], values[2] = _cut(values[1], 20), _cut(values[2], 26)
    values[7] = _cut(values[7], 12)
    return values


class ClinicScreen(RehabScreen):
    KEYS_TITLE = "Clinic"
    BINDINGS = [
        Binding("enter", "open", "Open", tooltip="Open the selected patient"),
        Binding("f", "next_filter", "Filter", tooltip="Next filter: " + ", ".join(FILTERS)),
        Binding("slash", "find", "Find", tooltip="Find patients by part of their name"),
        Binding("r", "reload", "Reload", tooltip="Read the roster again"),
        Binding(
            "E",
            "export_all",
            "Export all",
            tooltip="Every shown patient's report, one file each, in one folder",
        ),
        Binding("q", "app.quit", "Quit", tooltip="Quit rehab"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[RosterRow] = []
        self.shown: list[RosterRow] = []
        self.kind = "all"
        self.loaded = False
        self.wide: bool | None = None  # the columns in place: wide, narrow, or none yet

    def compose(self) -> ComposeResult:
        yield Static("Clinic · loading the roster…", id="clinic-title")
        yield Input(placeholder="/ find a patient by name", id="clinic-find", compact=True)
        yield DataTable(id="roster", cursor_type="row", zebra_stripes=True, cell_padding=0)
        yield Static(NOTE, id="clinic-note")
        yield Footer()

    def on_mount(self) -> None:
        self.call_after_refresh(self.action_reload)

    def on_resize(self) -> None:
        if self.loaded and self.wide != (self.size.width >= WIDE_FROM):
            self._show()

    def _columns(self, table: DataTable[Any]) -> None:
        wide = self.size.width >= WIDE_FROM
        if wide == self.wide:
            table.clear()
            return
        table.clear(columns=True)
        for header in HEADERS if wide else NARROW:
            table.add_column(f"{header} ", key=header)
        self.wide = wide

    def on_screen_resume(self) -> None:
        if self.loaded:
            self.action_reload()  # advice accepted, or entries made elsewhere meanwhile

    def action_reload(self) -> None:
        from rehab.tui import clinic_data

        backend = self.rehab.backend
        self.rehab.run_db(lambda: clinic_data.load_roster(backend), done=self._loaded)

    def _loaded(self, rows: list[RosterRow]) -> None:
        first = not self.loaded
        self.rows = rows
        self.loaded = True
        self._show()
        if first:
            self.query_one("#roster", DataTable).focus()

    def _show(self) -> None:
        name = self.query_one("#clinic-find", Input).value.strip() or None
        chosen = self.shown[self._cursor()].patient if self.shown else None
        self.shown = select_rows(self.rows, kind=self.kind, name=name)
        table = self.query_one("#roster", DataTable)
        self._columns(table)
        for row in self.shown:
            style = RANK_STYLE[row.rank]
            values = wide_cells(row) if self.wide else narrow_cells(row)
            padded = [f"{v} " for v in values]  # one space between columns (no padding)
            table.add_row(Text(padded[0], style=style), *padded[1:], key=row.patient)
        where = next((i for i, r in enumerate(self.shown) if r.patient == chosen), 0)
        if self.shown:
            table.move_cursor(row=where)
        need = sum(r.rank < 3 for r in self.rows)
        found = f" · name has {name!r}" if name else ""
        self.query_one("#clinic-title", Static).update(
            f"Clinic · {len(self.shown)} of {len(self.rows)} patients · {need} need attention"
            f" · filter: {self.kind} ({FILTER_HELP[self.kind]}){found}"
        )

    def _cursor(self) -> int:
        table = self.query_one("#roster", DataTable)
        return min(max(table.cursor_row, 0), max(len(self.shown) - 1, 0))

    def selected(self) -> RosterRow | None:
        if not self.shown:
            self.notify("No patient shown (f changes the filter).", severity="warning")
            return None
        return self.shown[self._cursor()]

    @on(Input.Changed, "#clinic-find")
    def _find_changed(self) -> None:
        if self.loaded:
            self._show()

    @on(Input.Submitted, "#clinic-find")
    def _find_done(self) -> None:
        self.query_one("#roster", DataTable).focus()

    @on(DataTable.RowSelected, "#roster")
    def _row_selected(self) -> None:
        self.action_open()

    def action_find(self) -> None:
        self.query_one("#clinic-find", Input).focus()

    def action_next_filter(self) -> None:
        self.kind = FILTERS[(FILTERS.index(self.kind) + 1) % len(FILTERS)]
        self._show()

    def action_open(self) -> None:
        row = self.selected()
        if row is not None:
            self.app.push_screen(ClinicPatientScreen(row))

    def action_export_all(self) -> None:
        if not self.shown:
            self.notify("No patient shown (f changes the filter).", severity="warning")
            return
        from rehab.export.clinic import default_folder

        names = [r.patient for r in self.shown]
        today = self.rehab.backend.clock.now().date()
        default = str(Path.cwd() / default_folder(today))

        def chosen(folder: str | None) -> None:
            if folder is None:
                return
            from rehab.tui import clinic_data

            backend = self.rehab.backend
            self.notify(f"Writing {len(names)} reports…", timeout=2)
            self.rehab.run_db(
                lambda: clinic_data.export_reports(backend, names, Path(folder)),
                done=lambda written: self.notify(written.sentence(), timeout=15),
            )

        self.app.push_screen(FolderDialog(len(names), default), chosen)


class ClinicPatientScreen(RehabScreen):
    KEYS_TITLE = "Clinic: one patient"
    BINDINGS = [
        Binding("escape", "back", "Back", tooltip="Back to the roster"),
        Binding("t", "today", "Today", tooltip="Their Today, read-only"),
        Binding("h", "history", "History", tooltip="Their History, read-only"),
        Binding("c", "trends", "Trends", tooltip="Their Trends, read-only"),
        Binding(
            "p",
            "program",
            "Program",
            tooltip="Their whole program; T there changes a dose as their therapist",
        ),
        Binding("a", "accept", "Accept", tooltip="Accept today's advice as their therapist"),
        Binding("e", "export", "Export", tooltip="Export their report (or another format)"),
    ]
    ACTIONS: ClassVar[list[tuple[str, str]]] = PATIENT_ACTIONS

    def __init__(self, row: RosterRow) -> None:
        super().__init__()
        self.row = row

    def compose(self) -> ComposeResult:
        row = self.row
        yield Static(f"{row.patient} · read-only view from the Clinic", id="clinic-title")
        yield Static(self._summary(), id="clinic-patient")
        yield OptionList(*(Option(label, id=name) for name, label in self.ACTIONS), id="actions")
        yield Static(NOTE, id="clinic-note")
        yield Footer()

    def _summary(self) -> Text:
        row = self.row
        values = dict(zip(HEADERS, cells(row), strict=True))
        lines = [
            f"Program: {row.program_name or 'none'}"
            + (f" (week {row.week} of {row.weeks})" if row.week else f" ({row.status})"),
            f"Adherence: {values['7d']} over 7 days, {values['28d']} over 28 days",
            f"Morning pain now/first week: {values['pain now/start']} · last entry: "
            f"{values['last']} · VISA-A change: {values['VISA-A']}",
            f"Advice today: {row.advice or '-'}"
            + (" (waiting for acceptance)" if row.advice_waiting else ""),
        ]
        text = Text("\n".join(lines))
        why = row.why()
        if why:
            text.append("\nNeeds: " + "; ".join(why), style=RANK_STYLE[row.rank] or "bold")
        return text

    def on_mount(self) -> None:
        self._open_records()
        self.query_one("#actions", OptionList).focus()

    def on_screen_resume(self) -> None:
        self._open_records()

    def _open_records(self) -> None:
        self.rehab.backend.choose_patient(self.row.patient)
        self.rehab.read_only = self.row.patient

    @on(OptionList.OptionSelected, "#actions")
    async def _chosen(self, event: OptionList.OptionSelected) -> None:
        if event.option.id:
            await self.run_action(event.option.id)

    def action_back(self) -> None:
        self.rehab.read_only = None
        self.app.pop_screen()

    def action_today(self) -> None:
        self.app.push_screen(ReadOnlyToday(self.row.patient))

    def action_history(self) -> None:
        self.app.push_screen(ReadOnlyHistory(self.row.patient, self.row.today))

    def action_trends(self) -> None:
        self.app.push_screen(ReadOnlyTrends(self.row.patient))

    def action_program(self) -> None:
        """Their program as tailored; a dose change there is the therapist's own write (it
        asks for their name), not the patient's, so the read-only view does not hold it."""
        from rehab.tui.screens.program import ProgramScreen

        self.app.push_screen(ProgramScreen())

    def action_accept(self) -> None:
        row = self.row
        if row.advice not in ("progress", "reduce") or not row.advice_waiting:
            reason = {
                "stop": "is to stop and see a clinician: clear the red flag first, nothing to "
                "accept",
                "hold": "is to hold: nothing to accept",
            }.get(row.advice or "", "has nothing waiting for acceptance")
            self.notify(f"{row.patient}'s advice today {reason}.", severity="warning")
            return

        def named(therapist: str | None) -> None:
            if therapist is None:
                return
            from rehab.tui import clinic_data

            backend = self.rehab.backend

            def accepted(sentence: str) -> None:
                self.notify(sentence, timeout=6)
                from dataclasses import replace

                self.row = replace(self.row, advice_waiting=False)
                self.query_one("#clinic-patient", Static).update(self._summary())

            self.rehab.run_db(
                lambda: clinic_data.accept_as_therapist(backend, row.patient, therapist),
                done=accepted,
            )

        self.app.push_screen(TherapistDialog(row.patient, row.advice), named)

    def action_export(self) -> None:
        from rehab.tui import commands

        commands.export(self.rehab, None)


# --- the patient's own screens, read-only ---------------------------------------------------

TODAY_WRITES = (
    "check_off",
    "session",
    "done_all",
    "undo",
    "timer",
    "skip",
    "load",
    "pain",
    "morning_check",
    "pause",
    "visa",
    "red_flags",
    "snooze",
    "reminder_settings",
)


def _banner(patient: str) -> Static:
    return Static(
        f"READ-ONLY · {patient}'s records, opened from the Clinic · escape: back",
        id="read-only",
    )


def _refuse(self: Any, *args: Any) -> None:
    self.rehab.notify_read_only()


class ReadOnlyToday(TodayScreen):
    """The patient's Today as they see it; no key writes."""

    KEYS_TITLE = "Today, read-only (Clinic)"
    BINDINGS = [Binding("escape", "back", "Back", tooltip="Back to the patient in the Clinic")]

    def __init__(self, patient: str) -> None:
        super().__init__()
        self.patient = patient

    def compose(self) -> ComposeResult:
        yield _banner(self.patient)
        yield from super().compose()

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_history(self) -> None:
        today = self.view.today if self.view is not None else self.rehab.backend.clock.now().date()
        self.app.push_screen(ReadOnlyHistory(self.patient, today))

    def action_trends(self) -> None:
        self.app.push_screen(ReadOnlyTrends(self.patient))


for _name in TODAY_WRITES:
    setattr(ReadOnlyToday, f"action_{_name}", _refuse)


class ReadOnlyHistory(HistoryScreen):
    """The patient's History; entries cannot be undone from here."""

    def __init__(self, patient: str, today: date) -> None:
        super().__init__(today)
        self.patient = patient

    def compose(self) -> ComposeResult:
        yield _banner(self.patient)
        yield from super().compose()

    def action_undo(self) -> None:
        self.rehab.notify_read_only()


class ReadOnlyTrends(TrendsScreen):
    """The patient's Trends (they write nothing anyway), marked read-only."""

    def __init__(self, patient: str) -> None:
        super().__init__()
        self.patient = patient

    def compose(self) -> ComposeResult:
        yield _banner(self.patient)
        yield from super().compose()


# --- dialogs --------------------------------------------------------------------------------


class TherapistDialog(ModalScreen[str | None]):
    """Who accepts the advice: the therapist's name goes in the phase change."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, patient: str, decision: str | None) -> None:
        super().__init__()
        self.patient = patient
        self.decision = decision

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(f"Accept {self.patient}'s advice ({self.decision})", classes="dialog-title")
            yield Label("It applies from tomorrow, recorded in your name. Your name?")
            yield Input(placeholder="therapist's name", id="therapist", max_length=60)
            yield Label("", id="therapist-error", classes="error")
            with Horizontal(classes="buttons"):
                yield Button("Accept", variant="primary", id="save")
                yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#therapist", Input).focus()

    @on(Input.Submitted)
    @on(Button.Pressed, "#save")
    def _save(self) -> None:
        name = " ".join(self.query_one("#therapist", Input).value.split())
        if not name:
            self.query_one("#therapist-error", Label).update("Give your name (1 to 60 characters)")
            return
        self.dismiss(name)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)


class FolderDialog(ModalScreen[str | None]):
    """Where every report goes: a folder, with a default beside the current one."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, count: int, default: str) -> None:
        super().__init__()
        self.count = count
        self.default = default

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(f"Export {self.count} reports", classes="dialog-title")
            yield Label("One file per patient, into this folder (new, or one without them):")
            yield Input(value=self.default, id="folder")
            yield Label("", id="folder-error", classes="error")
            with Horizontal(classes="buttons"):
                yield Button("Export", variant="primary", id="save")
                yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#folder", Input).focus()

    @on(Input.Submitted)
    @on(Button.Pressed, "#save")
    def _save(self) -> None:
        folder = self.query_one("#folder", Input).value.strip()
        if not folder:
            self.query_one("#folder-error", Label).update("Give a folder")
            return
        self.dismiss(folder)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
