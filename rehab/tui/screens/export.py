"""The Export dialog (`e`): which format, which weeks, which folder. It returns the request;
the app writes the file in a worker and says where it went.

The formats, their plain labels and one-line descriptions come from the export registry
(`rehab.export.formats`, standard library only); the buttons' ids keep the formats' names."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Label, RadioButton, RadioSet

from rehab.export import formats
from rehab.tui.screens.dialogs import _Dialog
from rehab.tui.widgets import ChoiceButton, chosen_value

RANGES = {"whole-program": None, "last-4-weeks": 4, "last-12-weeks": 12}  # ids: no spaces
RANGE_LABELS = {
    "whole-program": "Whole program",
    "last-4-weeks": "Last 4 weeks",
    "last-12-weeks": "Last 12 weeks",
}
FIRST = "report"


def labels() -> dict[str, str]:
    """What each button says: the formats' plain labels, then the ranges'."""
    return {**{f.name: f.label for f in formats.REGISTRY.values()}, **RANGE_LABELS}


def _label(text: str, chosen: bool) -> str:
    return f"{'◉' if chosen else '○'} {text}"


def _choice(value: str, text: str, *, chosen: bool = False) -> RadioButton:
    """A radio button in plain words whose label says whether it is chosen (◉/○)."""
    return ChoiceButton(_label(text, chosen), value=chosen, id=f"choice-{value}")


def _mark(radios: RadioSet) -> None:
    """Call on RadioSet.Changed: relabel every button with its state, in plain words."""
    words = labels()
    for button in radios.query(RadioButton):
        if button.id is not None:
            value = button.id.removeprefix("choice-")
            button.label = _label(words.get(value, value), button.value)


@dataclass(frozen=True)
class ExportRequest:
    format: str
    weeks: int | None  # None: the whole program
    folder: Path


def default_folder() -> Path:
    from platformdirs import user_documents_path

    documents = user_documents_path()
    return documents if documents.is_dir() else Path.home()


def _what(name: str) -> str:
    entry = formats.get(name)
    return entry.description[0].upper() + entry.description[1:] + "."


class ExportDialog(_Dialog[ExportRequest | None]):
    def __init__(self, folder: Path | None = None) -> None:
        super().__init__()
        self.folder = folder or default_folder()

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="export-dialog"):
            yield Label("Export your progress log", classes="dialog-title")
            with RadioSet(id="format"):  # one a line: the labels are words, not ids
                for entry in formats.REGISTRY.values():
                    yield _choice(entry.name, entry.label, chosen=entry.name == FIRST)
            help_line = Label(_what(FIRST), id="format-help")
            help_line.styles.width = "100%"  # a long description wraps inside the dialog
            yield help_line
            yield Label("Which weeks")
            with RadioSet(id="range", classes="across"):
                for name in RANGES:
                    yield _choice(name, RANGE_LABELS[name], chosen=name == "whole-program")
            yield Label("Folder")
            yield Input(str(self.folder), id="folder")
            yield Label("", id="export-error", classes="error")
            with Horizontal(classes="buttons"):
                yield Button("Export", variant="primary", id="save", compact=True)
                yield Button("Cancel", id="cancel", compact=True)

    def on_mount(self) -> None:
        self.query_one("#format", RadioSet).focus()

    @on(RadioSet.Changed)
    def _marked(self, event: RadioSet.Changed) -> None:
        _mark(event.radio_set)
        if event.radio_set.id == "format":
            fmt = chosen_value(event.radio_set, FIRST)
            self.query_one("#format-help", Label).update(_what(fmt))

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
        fmt = chosen_value(self.query_one("#format", RadioSet), FIRST)
        span = chosen_value(self.query_one("#range", RadioSet), "whole-program")
        self.dismiss(ExportRequest(fmt, RANGES[span], folder.absolute()))
