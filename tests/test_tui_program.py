"""The Program screen (`o`): the whole program phase by phase, as tailored and by whom; and
a therapist's dose change behind `T`, saved only when the store accepts it."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import time_machine
from textual.widgets import Input

from rehab.tui.screens.program import PrescribeDialog, ProgramScreen
from tests.conftest import Rehab
from tests.test_tui_screens import rendered
from tests.tui_helpers import NOW, SIZE, enroll, make, settle


def _prescriptions(db: Path) -> list[tuple[str, str, str]]:
    con = sqlite3.connect(db)
    try:
        return list(con.execute("SELECT exercise_id, values_json, prescribed_by FROM prescription"))
    finally:
        con.close()


async def test_the_program_screen_shows_each_phase_and_who_tailored_what(tmp_path: Path) -> None:
    db = tmp_path / "rehab.db"
    enroll(db, "achilles-midportion")
    with time_machine.travel(NOW, tick=False):
        given = Rehab(db)("prescribe", "loaded-one-leg-raise", "--sets", "3", "--reps", "15",
                          "--load", "5", "--by", "A. Costa", "--reason", "ready")  # fmt: skip
    assert given.code == 0, given.err
    app, _ = make(db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("o")
        await settle(pilot)
        assert isinstance(app.screen, ProgramScreen)
        text = " ".join(rendered(app.screen.query_one("#program-text"), 78).split())
        assert "Phase 1: start loading on the floor" in text and "◀ you are here" in text
        assert "One-leg heel raise with added load, 3 × 15, +5 kg" in text
        assert "tailored by A. Costa from 2026-03-11 (ready)" in text
        assert "ask your clinician for the dose" in text  # the items no one has dosed
        # the history in names, not ids
        assert "One-leg heel raise with added load: sets 3, repetitions 15, load (kg) 5" in text
        assert "Not medical advice; follow your clinician." in text
        await pilot.press("escape")
        await settle(pilot)
        assert not isinstance(app.screen, ProgramScreen)


async def test_a_therapist_changes_a_dose_in_the_app(tmp_path: Path) -> None:
    db = tmp_path / "rehab.db"
    enroll(db, "heel-pain-self-care")
    app, _ = make(db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("o")
        await settle(pilot)
        await pilot.press("T")
        await settle(pilot)
        await pilot.press("enter")  # the first exercise of the list
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, PrescribeDialog)
        first_id = dialog.exercise_id
        dialog.query_one("#by", Input).value = "A. Costa"
        dialog.query_one("#sets", Input).value = "0"
        dialog._save()
        await settle(pilot)
        error = str(dialog.query_one("#prescribe-error").render())
        assert "0 is less than 1" in error
        assert _prescriptions(db) == []  # refused: nothing written
        dialog.query_one("#sets", Input).value = "abc"
        dialog._save()
        assert "is not a number or a range" in str(dialog.query_one("#prescribe-error").render())
        dialog.query_one("#sets", Input).value = "2-3"
        dialog._save()
        await settle(pilot)
        assert isinstance(app.screen, ProgramScreen)
        assert _prescriptions(db) == [(first_id, '{"sets": [2.0, 3.0]}', "A. Costa")]
        text = " ".join(rendered(app.screen.query_one("#program-text"), 78).split())
        assert "tailored by A. Costa" in text
