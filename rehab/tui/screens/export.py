"""The Export dialog (`e`): which format, which weeks, which folder. It returns the request;
the app writes the file in a worker and says where it went."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Label, RadioSet

from rehab.tui.screens.dialogs import _Dialog
from rehab.tui.widgets import choice_button, chosen_value, mark_choices

FORMATS = ("report", "csv", "json", "fhir", "ics")
RANGES = {"whole-program": None, "last-4-weeks": 4, "last-12-weeks": 12}  # ids: no spaces
WHAT = {
    "report": "a printable page for your therapist (HTML)",
    "csv": "a folder of spreadsheet files",
    "json": "everything, for another program",
    "fhir": "a FHIR bundle for a health record",
    "ics": "your schedule as calendar events with alarms",
}


@dataclass(frozen=True)
class ExportRequest:
    format: str
    weeks: int | None  # None: the whole program
    folder: Path


def default_folder() -> Path:
    from platformdirs import user_documents_path

    documents = user_documents_path()
    return documents if documents.is_dir() else Path.home()


class ExportDialog(_Dialog[ExportRequest | None]):
    def __init__(self, folder: Path | None = None) -> None:
        super().__init__()
        self.folder = folder or default_folder()

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="export-dialog"):
            yield Label("Export your progress log", classes="dialog-title")
            with RadioSet(id="format", classes="across"):
                for fmt in FORMATS:
                    yield choice_button(fmt, chosen=fmt == "report")
            yield Label(WHAT["report"], id="format-help")
            yield Label("Which weeks")
            with RadioSet(id="range", classes="across"):
                for name in RANGES:
                    yield choice_button(name, chosen=name == "whole-program")
            yield Label("Folder")
            yield Input(str(self.folder), id="folder")
            yield Label("", id="export-error", classes="error")
            with Horizontal(classes="buttons"):
                yield Button("Export", variant="primary", id="save")
                yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#format", RadioSet).focus()

    @on(RadioSet.Changed)
    def _marked(self, event: RadioSet.Changed) -> None:
        mark_choices(event.radio_set)
        if event.radio_set.id == "format":
            fmt = chosen_value(event.radio_set, "report")
            self.query_one("#format-help", Label).update(WHAT[fmt])

    @on(Input.Submitted)
    @on(Button.Pressed, "#save")
    def _save(self) -> None:
        error = self.query_one("#export-error", Label)
        raw = self.query_one("#folder", Input).value.strip()
        try:
            folder = Path(raw).expanduser() if raw else None
        except RuntimeError:  # ~name of a user who does not exist
            folder = None
        if folder is None or not folder.is_dir():
            error.update(f"{raw or 'nothing'!r} is not a folder (allowed: an existing folder)")
            self.query_one("#folder", Input).focus()
            return
        fmt = chosen_value(self.query_one("#format", RadioSet), "report")
        span = chosen_value(self.query_one("#range", RadioSet), "whole-program")
        self.dismiss(ExportRequest(fmt, RANGES[span], folder.absolute()))
