"""Numbers typed in the app are ASCII digits only, as at the command line: a full-width
'３', an Arabic-Indic '٣' or a superscript '²' is refused with a line in the dialog (and
never crashes it), and nothing is written."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Input, OptionList

from rehab.tui.screens.today import TodayScreen
from tests.tui_helpers import SIZE, enroll, make, settle


@pytest.fixture
def enrolled(tmp_path: Path) -> Path:
    db = tmp_path / "rehab.db"
    enroll(db)
    return db


def count(db: Path, table: str) -> int:
    with sqlite3.connect(db) as con:
        return int(con.execute(f"SELECT count(*) FROM {table}").fetchone()[0])


def text_of(pilot: Pilot[None], selector: str) -> str:
    return str(pilot.app.screen.query_one(selector).render())


async def submit(pilot: Pilot[None], field: str, value: str) -> None:
    """Put `value` in the field as a paste would, and press enter in it."""
    box = pilot.app.screen.query_one(field, Input)
    box.value = value
    box.focus()
    await pilot.press("enter")
    await settle(pilot)


@pytest.mark.parametrize("typed", ["٣", "３", "²", "1_0"])
async def test_pain_dialog_takes_ascii_digits_only(enrolled: Path, typed: str) -> None:
    app, _ = make(enrolled)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("p")
        await pilot.pause()
        await submit(pilot, "#score", typed)
        assert "is not a score: type a whole number from 0 to 10" in text_of(pilot, "#score-error")
        assert type(app.screen).__name__ == "PainDialog"
        await submit(pilot, "#score", "3")
        assert isinstance(app.screen, TodayScreen)
    assert count(enrolled, "painentry") == 1


@pytest.mark.parametrize("typed", ["１５", "٣", "²"])
async def test_morning_check_takes_ascii_digits_only(enrolled: Path, typed: str) -> None:
    app, _ = make(enrolled)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("m")
        await pilot.pause()
        await submit(pilot, "#stiffness", typed)
        assert "is not a number of minutes (allowed: 0 to 1440" in text_of(pilot, "#check-error")
        assert type(app.screen).__name__ == "CheckDialog"
    assert count(enrolled, "symptomcheck") == 0


@pytest.mark.parametrize(
    ("load", "sets", "says"),
    [
        ("７.５", "1", "is not a number (allowed: 0 to 500 kg"),
        ("1e2", "1", "is not a number (allowed: 0 to 500 kg"),
        ("nan", "1", "is not a number (allowed: 0 to 500 kg"),
        ("5", "２", "allowed 1 to 3"),
        ("5", "²", "allowed 1 to 3"),
    ],
)
async def test_load_dialog_takes_ascii_digits_only(
    tmp_path: Path, load: str, sets: str, says: str
) -> None:
    db = tmp_path / "rehab.db"
    enroll(db, "achilles-midportion-alfredson", side="left")
    app, _ = make(db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        doses = app.screen.query_one("#doses", OptionList)
        strength = next(o.id for o in doses.options if o.id and "heel-drop-straight-knee" in o.id)
        doses.highlighted = doses.get_option_index(strength)
        await pilot.press("l")
        await pilot.pause()
        app.screen.query_one("#sets", Input).value = sets
        await submit(pilot, "#load", load)
        assert says in text_of(pilot, "#load-error")
        assert type(app.screen).__name__ == "LoadDialog"
    assert count(db, "doselog") == 0


async def test_load_dialog_hands_back_a_typed_answer_and_the_load_is_logged(
    tmp_path: Path,
) -> None:
    from rehab.tui.answers import LoadAnswer
    from rehab.tui.screens.dialogs import LoadDialog

    db = tmp_path / "rehab.db"
    enroll(db, "achilles-midportion-alfredson", side="left")
    app, _ = make(db)
    got: list[LoadAnswer | None] = []
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.push_screen(LoadDialog("Heel drop", 2.5, 3), got.append)
        await pilot.pause()
        app.screen.query_one("#sets", Input).value = "2"
        await submit(pilot, "#load", "5")
        assert got == [LoadAnswer(load_kg=5.0, sets=2)]
        doses = app.screen.query_one("#doses", OptionList)
        strength = next(o.id for o in doses.options if o.id and "heel-drop-straight-knee" in o.id)
        doses.highlighted = doses.get_option_index(strength)
        await pilot.press("l")
        await pilot.pause()
        app.screen.query_one("#sets", Input).value = "1"
        await submit(pilot, "#load", "7.5")
        await settle(pilot)
    with sqlite3.connect(db) as con:
        assert con.execute("SELECT sets, load_kg FROM doselog").fetchall() == [(1, 7.5)]


async def test_the_pain_field_keeps_what_is_typed_and_explains_it(enrolled: Path) -> None:
    """Nothing typed vanishes: 7.5 stays 7.5 and the line under it says whole numbers only;
    a letter is explained too; 7 then shows where it falls on the pain guide."""
    app, _ = make(enrolled)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("p", "7", ".", "5")
        await pilot.pause()
        assert app.screen.query_one("#score", Input).value == "7.5"
        assert "7.5 is not a score" in text_of(pilot, "#score-error")
        assert "without decimals" in text_of(pilot, "#score-error")
        await pilot.press("backspace", "backspace", "x")
        await pilot.pause()
        assert app.screen.query_one("#score", Input).value == "7x"
        assert "7x is not a score: type a whole number from 0 to 10" in text_of(
            pilot, "#score-error"
        )
        await pilot.press("backspace")
        await pilot.pause()
        assert not app.screen.query_one("#score-error").display
        assert "Your 7: too much." in text_of(pilot, "#pain-guide")
        await pilot.press("enter")
        await settle(pilot)
    assert count(enrolled, "painentry") == 1


async def test_a_start_date_outside_the_calendar_is_explained(tmp_path: Path) -> None:
    db = tmp_path / "rehab.db"
    app, _ = make(db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await pilot.pause()
        await submit(pilot, "#start", "0001-01-01")
        assert "is outside the dates rehab handles (allowed: 1900-01-01 to 2199-12-31)" in text_of(
            pilot, "#details-error"
        )
        await submit(pilot, "#start", "２０２６-03-10")
        assert "is not a date (allowed: YYYY-MM-DD" in text_of(pilot, "#details-error")
    assert count(db, "enrollment") == 0


async def test_an_export_folder_of_an_unknown_user_is_explained(enrolled: Path) -> None:
    app, _ = make(enrolled)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("e")
        await pilot.pause()
        await submit(pilot, "#folder", "~no-such-user-rehab/exports")
        assert "is not a folder (allowed: an existing folder)" in text_of(pilot, "#export-error")
        assert app.is_running
