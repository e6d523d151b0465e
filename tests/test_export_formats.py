"""One registry of export formats (`rehab.export.formats`): the command's choices and help,
the app's Export dialog and the file names all come from it. A format added to the registry
alone (with its writer, here this module's `export`) appears everywhere and writes."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import Session
from textual.widgets import Input, Label, RadioButton

from rehab.export import files, formats
from rehab.export.scope import Scope
from rehab.tui.exporting import free_name
from rehab.tui.screens.export import ExportDialog
from tests.conftest import Rehab
from tests.tui_helpers import SIZE, enroll, make, settle

NOTES = formats.Format(
    "notes",
    "Plain notes",
    ".notes.txt",
    __name__,  # the writer is `export` below
    "the days of the program as plain text lines, for a quick look",
)


def export(session: Session, scope: Scope, target: files.Target) -> dict[str, int]:
    """The extra format's writer: a heading, then one line per day of the range."""
    days = (scope.last - scope.first).days + 1
    with files.open_text(target) as handle:
        handle.write(f"{scope.patient.name}: {scope.first} to {scope.last}\n")
        for n in range(days):
            handle.write(f"{scope.first + timedelta(days=n)}\n")
    return {"lines": days + 1}


@pytest.fixture
def with_notes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(formats.REGISTRY, NOTES.name, NOTES)


def test_the_registry_is_complete_and_plain() -> None:
    assert formats.names() == ("report", "csv", "json", "fhir", "ics")
    labels = [f.label for f in formats.REGISTRY.values()]
    assert labels == [
        "Printable report",
        "Spreadsheet files (CSV)",
        "JSON",
        "FHIR bundle",
        "Calendar file",
    ]
    for entry in formats.REGISTRY.values():
        assert "\n" not in entry.description and len(entry.description) <= 68  # one line
        assert entry.writer.startswith("rehab.export.")
    assert formats.extensions()[0] == ".fhir.json"  # the longest ending first


def test_an_unknown_format_names_the_allowed_ones() -> None:
    with pytest.raises(formats.UsageProblem, match=r"allowed: report, csv, json, fhir, ics"):
        formats.get("pdf")


def test_the_command_help_and_choices_come_from_the_registry(
    rehab: Rehab, with_notes: None
) -> None:
    help_text = rehab("export", "--help").out
    for entry in formats.REGISTRY.values():
        assert f"  {entry.name}  " in help_text or f"  {entry.name} " in help_text
        assert entry.description.split()[0] in help_text
    assert "notes" in help_text and "plain text lines" in help_text
    wrong = rehab("export", "pdf")
    assert wrong.code == 2
    assert "'notes'" in wrong.err and "'ics'" in wrong.err


def test_an_added_format_writes_from_the_command(
    rehab: Rehab, tmp_path: Path, with_notes: None
) -> None:
    enroll(rehab.db)
    result = rehab("export", "notes", "--out", "-")
    assert result.code == 0, result.err
    assert result.out.startswith("me: 2026-")
    here = tmp_path / "out"
    here.mkdir()
    done = rehab("export", "notes", "--out", str(here / "n.notes.txt"))
    assert done.code == 0, done.err
    assert "notes export" in done.out and (here / "n.notes.txt").exists()


async def test_the_apps_dialog_offers_the_registry_in_plain_words(
    tmp_path: Path, with_notes: None
) -> None:
    db = tmp_path / "rehab.db"
    enroll(db)
    out = tmp_path / "exports"
    out.mkdir()
    app, _ = make(db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("e")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, ExportDialog)
        shown = [str(b.label) for b in dialog.query("#format RadioButton").results(RadioButton)]
        assert shown == [
            "◉ Printable report",
            "○ Spreadsheet files (CSV)",
            "○ JSON",
            "○ FHIR bundle",
            "○ Calendar file",
            "○ Plain notes",
        ]
        weeks = [str(b.label) for b in dialog.query("#range RadioButton").results(RadioButton)]
        assert weeks == ["◉ Whole program", "○ Last 4 weeks", "○ Last 12 weeks"]
        for ids in ("fhir", "ics", "whole-program", "last-4-weeks"):
            assert not any(ids in text for text in shown + weeks)
        await pilot.click("#choice-notes")
        await pilot.pause()
        assert str(dialog.query_one("#choice-notes", RadioButton).label) == "◉ Plain notes"
        help_line = str(dialog.query_one("#format-help", Label).render())
        assert help_line == "The days of the program as plain text lines, for a quick look."
        field = dialog.query_one("#folder", Input)
        field.value = str(out)
        field.focus()
        await pilot.press("enter")
        await settle(pilot)
        (written,) = out.iterdir()
        assert written.name.endswith(".notes.txt") and written.name.startswith("rehab-me-")
        notices = [str(n.message) for n in app._notifications]
        assert any(n.startswith("Plain notes saved (") for n in notices), notices
    again = free_name(out, written.name)
    assert again.name == written.name.removesuffix(".notes.txt") + "-2.notes.txt"
