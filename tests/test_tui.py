"""The app as a patient uses it, driven by Pilot with a fake clock at 80×24."""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from dataclasses import replace
from pathlib import Path

import pytest
from textual.widgets import Digits, Input, OptionList
from textual.worker import WorkerCancelled

from rehab.tui.app import RehabApp
from rehab.tui.screens.dialogs import ConfirmDialog
from rehab.tui.screens.history import HistoryScreen
from rehab.tui.screens.timer import TimerScreen
from rehab.tui.screens.today import TodayScreen
from rehab.tui.screens.welcome import WelcomeScreen
from tests.tui_helpers import SIZE, enroll, make, settle


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "rehab.db"


@pytest.fixture
def enrolled(db: Path) -> Path:
    enroll(db)
    return db


def rows(db: Path, sql: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(db) as con:
        return con.execute(sql).fetchall()


def today(app: RehabApp) -> TodayScreen:
    screen = app.screen
    assert isinstance(screen, TodayScreen), type(screen).__name__
    return screen


def text_of(app: RehabApp, selector: str) -> str:
    return str(app.screen.query_one(selector).render())


def highlighted_id(app: RehabApp) -> str | None:
    option = app.screen.query_one("#doses", OptionList).highlighted_option
    return option.id if option else None


# --- first run -------------------------------------------------------------------------------


async def test_first_run_enrolls_and_lands_on_today(db: Path) -> None:
    app, _ = make(db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, WelcomeScreen)
        assert "Not medical advice; follow your clinician." in text_of(app, "#welcome-line")
        assert "Day one:" in text_of(app, "#preview")
        await pilot.press("enter")  # choose the highlighted program
        await pilot.pause()
        assert app.screen.query_one("#step-details").display
        side = app.screen.query_one("#choice-left")
        await pilot.click(side)
        start = app.screen.query_one("#start", Input)
        assert start.value == "2026-03-10"
        evening = app.screen.query_one("#remind-evening", Input)
        evening.value = "19:30"
        start.focus()
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, TodayScreen)
        assert "wk 1/26" in text_of(app, "#title")
    (enrollment,) = rows(db, "SELECT program_id, side, start_date FROM enrollment")
    assert enrollment == ("achilles-midportion", "left", "2026-03-10")
    settings = dict(rows(db, "SELECT key, value FROM setting"))  # type: ignore[arg-type]
    assert settings["reminder.evening"] == "19:30" and settings["reminder.morning"] == "08:00"


async def test_first_run_escape_backs_out_without_writing(db: Path) -> None:
    app, _ = make(db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("escape")  # back to the list
        await pilot.pause()
        assert app.screen.query_one("#step-program").display
        await pilot.press("escape")  # the first step asks before leaving the app
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("n")  # no: still choosing
        await pilot.pause()
        assert isinstance(app.screen, WelcomeScreen) and app.is_running
        await pilot.press("escape", "y")  # yes: out of the app
        await settle(pilot)
        assert not app.is_running
    assert rows(db, "SELECT count(*) FROM enrollment") == [(0,)]
    assert rows(db, "SELECT count(*) FROM setting") == [(0,)]


async def test_first_run_starts_on_the_default_program_and_says_how_to_choose(db: Path) -> None:
    app, _ = make(db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "enter chooses it" in text_of(app, "#welcome-keys")
        programs = app.screen.query_one("#programs", OptionList)
        first = programs.get_option_at_index(0)
        assert first.id == "achilles-midportion" and programs.highlighted == 0
        assert "(default)" in str(first.prompt)
        marked = [o for o in programs.options if "(default)" in str(o.prompt)]
        assert len(marked) == 1
        shown = text_of(app, "#preview")
        # the phases' weeks overlap, and the preview says why instead of a bare range
        assert "when your pain allows it" in shown and "so they overlap" in shown
        assert "Phase 2: heel raises on a step edge (usually weeks 2–5)" in shown
        assert "(usually weeks 3–12, at least 9 weeks)" in shown
        assert "(weeks 2–5)" not in shown


async def test_first_run_radio_options_show_one_marker_each(db: Path) -> None:
    app, _ = make(db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await pilot.pause()
        await pilot.click("#choice-right")
        await pilot.pause()
        drawn = {
            value: str(app.screen.query_one(f"#choice-{value}").render())
            for value in ("left", "right", "both")
        }
        assert drawn == {"left": " ○ left ", "right": " ◉ right ", "both": " ○ both "}


async def test_first_run_bad_start_date_is_explained(db: Path) -> None:
    app, _ = make(db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await pilot.pause()
        start = app.screen.query_one("#start", Input)
        start.value = "2026-02-30"
        start.focus()
        await pilot.press("enter")
        await settle(pilot)
        assert "is not a date (allowed: YYYY-MM-DD)" in text_of(app, "#details-error")
        assert isinstance(app.screen, WelcomeScreen)
    assert rows(db, "SELECT count(*) FROM enrollment") == [(0,)]


# --- today -------------------------------------------------------------------------------------


async def test_today_header_groups_and_first_open_focus(enrolled: Path) -> None:
    app, _ = make(enrolled)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        today(app)
        title, stats = text_of(app, "#title"), text_of(app, "#stats")
        assert "Heel pain self-care" in title and "week 2 of 6" in title and "Daily care" in title
        assert "Tue 10 Mar 2026 (today)" in stats and "0/6 done" in stats
        assert "this week 0%" in stats and "0 days active" in stats
        prompts = [str(o.prompt) for o in app.screen.query_one("#doses", OptionList).options]
        assert prompts[0].strip() == "Morning" and "Any time" in [p.strip() for p in prompts]
        assert any("Calf stretch, 30 s hold × 2–3, each leg" in p for p in prompts)
        assert any("Ice, 15–20 min, up to 3×/day, as needed  (0 done)" in p for p in prompts)
        assert highlighted_id(app) == "morning:foot-massage"
        assert "›" in str(app.screen.query_one("#doses", OptionList).highlighted_option.prompt)  # type: ignore[union-attr]


async def test_space_checks_off_the_next_set_then_moves_on(enrolled: Path) -> None:
    app, _ = make(enrolled)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("space")  # one-shot: the whole massage, then on to the walk
        await settle(pilot)
        assert highlighted_id(app) == "morning:gentle-walk"
        await pilot.press("down", "space")  # hamstring stretch: one set of the left leg
        await settle(pilot)
        assert highlighted_id(app) == "morning:hamstring-stretch"
        await pilot.press("space", "space")
        await settle(pilot)
        label = str(app.screen.query_one("#doses", OptionList).highlighted_option.prompt)  # type: ignore[union-attr]
        assert "sets: left 3/3, right 0/3" in label
        assert "this week" in text_of(app, "#stats")
    logged = rows(enrolled, "SELECT item_key, side, sets FROM doselog ORDER BY id")
    assert logged == [
        ("foot-massage", "right", 1),
        ("hamstring-stretch", "left", 1),
        ("hamstring-stretch", "left", 1),
        ("hamstring-stretch", "left", 1),
    ]


async def test_enter_checks_off_too_and_u_undoes_on_the_row(enrolled: Path) -> None:
    app, _ = make(enrolled)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("up")
        await pilot.press("u")
        await settle(pilot)
        assert highlighted_id(app) == "morning:foot-massage"
        assert "0/6 done" in text_of(app, "#stats")
    assert rows(enrolled, "SELECT count(*), count(voided_at) FROM doselog") == [(1, 1)]


async def test_quick_presses_go_where_the_cursor_is_even_before_a_write_lands(
    enrolled: Path,
) -> None:
    """On a busy machine the write (and the reload that moves the cursor on) can come after
    the next key press: the cursor moves on at the press, so space, space logs the massage
    and then the walk, not the massage twice."""
    import threading

    app, _ = make(enrolled)
    gate = threading.Event()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        real = app.backend.check_off_next

        def slow(*args: object) -> object:
            gate.wait(10)  # every write waits, as on a machine too busy to keep up
            return real(*args)

        app.backend.check_off_next = slow  # type: ignore[method-assign]
        await pilot.press("space")
        await pilot.pause()
        assert highlighted_id(app) == "morning:gentle-walk"  # at once, before the write
        await pilot.press("space")
        await pilot.pause()
        assert highlighted_id(app) == "morning:hamstring-stretch"
        await pilot.press("space")  # a stretch set: the row stays open, the cursor too
        await pilot.pause()
        assert highlighted_id(app) == "morning:hamstring-stretch"
        gate.set()
        await settle(pilot)
        assert highlighted_id(app) == "morning:hamstring-stretch"
    assert sorted(rows(enrolled, "SELECT item_key, side FROM doselog")) == [
        ("foot-massage", "right"),
        ("gentle-walk", ""),
        ("hamstring-stretch", "left"),
    ]


async def test_skip_with_a_reason(enrolled: Path) -> None:
    app, _ = make(enrolled)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("s")
        await pilot.pause()
        await pilot.press("down", "enter")  # "no time"
        await settle(pilot)
    assert rows(enrolled, "SELECT item_key, status, reason FROM doselog") == [
        ("foot-massage", "skipped", "no time")
    ]


def _prompt(app: RehabApp, option_id: str) -> str:
    doses = app.screen.query_one("#doses", OptionList)
    return str(doses.get_option(option_id).prompt)


async def test_as_needed_rows_say_what_happened_and_the_header_agrees_with_the_rows(
    enrolled: Path,
) -> None:
    from tests.conftest import Rehab

    app, _ = make(enrolled)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        doses = app.screen.query_one("#doses", OptionList)
        doses.highlighted = doses.get_option_index("any:ice")
        await pilot.press("space")
        await settle(pilot)
        doses.highlighted = doses.get_option_index("any:ice")
        await pilot.press("space")
        await settle(pilot)
        ice = _prompt(app, "any:ice")
        # ice twice of up to three: nothing is owed, and no timer runs
        assert "(2 done)" in ice and "[more if needed]" in ice and "in progress" not in ice
        # two of a stretch's three sets on one leg: the row is in progress, and the
        # header does not count it as done
        doses.highlighted = doses.get_option_index("morning:calf-stretch")
        await pilot.press("space", "space")
        await settle(pilot)
        assert "[in progress]" in _prompt(app, "morning:calf-stretch")
        assert "0/6 done" in text_of(app, "#stats")
        # skipping the night splint (as needed) shows it as skipped, in a word and a mark
        doses.highlighted = doses.get_option_index("night:night-splint")
        await pilot.press("s")
        await pilot.pause()
        await pilot.press("down", "down", "down", "enter")  # "other": asks for own words
        await pilot.pause()
        assert app.screen.query_one("#own-words", Input).has_focus
        await pilot.press(*"no splint yet", "enter")
        await settle(pilot)
        splint = _prompt(app, "night:night-splint")
        assert "[skipped]" in splint and "– " in splint and "(0 done)" in splint
    assert rows(enrolled, "SELECT reason FROM doselog WHERE status = 'skipped'") == [
        ("other: no splint yet",)
    ]
    shown = Rehab(enrolled)("today", "--date", "2026-03-10")
    assert "[-] night-splint" in shown.out and "[x] ice" in shown.out, shown.out
    assert "0 of 6 done" in shown.out


async def test_skip_other_words_are_length_checked(enrolled: Path) -> None:
    from rehab.tui.screens.dialogs import OWN_WORDS_MAX

    app, _ = make(enrolled)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("s")
        await pilot.pause()
        await pilot.press("down", "down", "down", "enter")
        await pilot.pause()
        box = app.screen.query_one("#own-words", Input)
        assert box.max_length == OWN_WORDS_MAX  # typing stops there
        box.value = "x" * (OWN_WORDS_MAX + 5)  # as a paste past the limit might
        await pilot.press("enter")
        await pilot.pause()
        assert "too long (allowed: up to" in text_of(app, "#own-error")
        await pilot.press("escape")
        await settle(pilot)
    assert rows(enrolled, "SELECT count(*) FROM doselog") == [(0,)]


async def test_pain_dialog_accepts_10_by_keyboard_and_rejects_11(enrolled: Path) -> None:
    app, _ = make(enrolled)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("p")
        await pilot.pause()
        await pilot.press("1", "1", "enter")
        await pilot.pause()
        assert "11 is not a score" in text_of(app, "#score-error")
        await pilot.press("backspace", "0")
        await pilot.click("#choice-morning")
        await pilot.pause()
        assert "◉ morning" in str(app.screen.query_one("#choice-morning").render())
        app.screen.query_one("#note", Input).value = "first steps"
        app.screen.query_one("#score", Input).focus()
        await pilot.press("enter")
        await settle(pilot)
        # 10/10 gets a response in plain words before the checklist comes back
        assert type(app.screen).__name__ == "PainResponse"
        response = text_of(app, "#pain-response-text")
        assert "Morning pain 10/10 is high" in response and "see a clinician" in response
        await pilot.press("enter")
        await settle(pilot)
        today(app)
    assert rows(enrolled, "SELECT score, context, note FROM painentry") == [
        (10, "morning", "first steps")
    ]


async def test_pain_dialog_when_keyboard_cursor_starts_on_the_chosen_context(
    enrolled: Path,
) -> None:
    """The default context is chosen; ← moves from it, not from the first option."""
    from textual.widgets import RadioSet

    app, _ = make(enrolled)  # 08:30: the pain dialog defaults to "morning"
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.screen.view = replace(app.screen.view, local_hour=15)  # type: ignore[attr-defined]
        await pilot.press("p")
        await pilot.pause()
        assert "◉ after" in str(app.screen.query_one("#choice-after").render())
        app.screen.query_one("#context", RadioSet).focus()
        await pilot.press("left", "space")
        await pilot.pause()
        assert "◉ during" in str(app.screen.query_one("#choice-during").render())
        assert "○ after" in str(app.screen.query_one("#choice-after").render())


async def test_pain_dialog_escape_writes_nothing(enrolled: Path) -> None:
    app, _ = make(enrolled)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("p", "5", "escape")
        await settle(pilot)
        today(app)
    assert rows(enrolled, "SELECT count(*) FROM painentry") == [(0,)]


async def test_morning_check(enrolled: Path) -> None:
    app, _ = make(enrolled)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("m", "2", "tab", "2", "5", "tab", "space", "tab", "tab", "space")
        await pilot.pause()
        assert "☒ Swelling at the back of the heel: yes" in str(
            app.screen.query_one("#swelling").render()
        )
        assert "☐ Redness: no" in str(app.screen.query_one("#redness").render())
        app.screen.query_one("#stiffness", Input).focus()
        await pilot.press("enter")
        await settle(pilot)
        today(app)
    assert rows(
        enrolled, "SELECT stiffness_minutes, swelling, redness, tiptoe_pain FROM symptomcheck"
    ) == [(25, 1, 0, 1)]
    assert rows(enrolled, "SELECT score, context FROM painentry") == [(2, "morning")]


async def test_day_navigation_backfill_and_read_only_future(enrolled: Path) -> None:
    app, _ = make(enrolled)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("left_square_bracket")
        await settle(pilot)
        assert "Mon 9 Mar 2026" in text_of(app, "#stats")
        await pilot.press("space")  # backfill yesterday
        await settle(pilot)
        await pilot.press("g", "right_square_bracket")
        await settle(pilot)
        assert "Wed 11 Mar 2026 (ahead: read-only)" in text_of(app, "#stats")
        await pilot.press("space")
        await settle(pilot)
    assert rows(enrolled, "SELECT plan_date FROM doselog") == [("2026-03-09",)]


async def test_pause_and_resume(enrolled: Path) -> None:
    app, _ = make(enrolled)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("P")
        await pilot.pause()
        await pilot.press("down", "enter")  # illness
        await settle(pilot)
        assert "PAUSED (illness)" in text_of(app, "#stats")
        await pilot.press("P", "y")
        await settle(pilot)
        assert "PAUSED" not in text_of(app, "#stats")
    assert rows(enrolled, "SELECT reason, start_date, end_date FROM pause") == [
        ("illness", "2026-03-10", "2026-03-10")
    ]


async def test_hold_timer_logs_sets_as_they_finish_and_keeps_running_off_screen(
    enrolled: Path,
) -> None:
    app, clock = make(enrolled)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("down", "down", "t")  # hamstring stretch, 30 s holds
        await settle(pilot)
        assert isinstance(app.screen, TimerScreen)
        assert app.screen.query_one("#countdown", Digits).value == "0:30"
        assert "left leg · set 1 of 3" in text_of(app, "#timer-status")
        bells: list[bool] = []
        app.bell = lambda: bells.append(True)  # type: ignore[method-assign]
        clock.advance(30)
        app.tick_timer()
        await settle(pilot)
        assert bells == [True]
        assert "Rest" in text_of(app, "#timer-status")
        await pilot.press("escape")  # leave the timer running
        await settle(pilot)
        assert "Hamstring stretch" in text_of(app, "#timerline")
        clock.advance(5 + 30)
        app.tick_timer()
        await settle(pilot)
        await pilot.press("t")  # back to the running timer
        await pilot.pause()
        assert "set 3 of 3" in text_of(app, "#timer-status")
        clock.advance(12)
        await pilot.press("s")  # stop early: the cut-short hold is not logged
        await settle(pilot)
    assert rows(enrolled, "SELECT item_key, side, sets, hold_seconds FROM doselog") == [
        ("hamstring-stretch", "left", 1, 30.0),
        ("hamstring-stretch", "left", 1, 30.0),
    ]


async def test_ice_timer_logs_minutes_when_stopped(enrolled: Path) -> None:
    app, clock = make(enrolled)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        doses = app.screen.query_one("#doses", OptionList)
        doses.highlighted = doses.get_option_index("any:ice")
        await pilot.press("t")
        await settle(pilot)
        assert app.screen.query_one("#countdown", Digits).value == "20:00"
        clock.advance(16 * 60 + 20)
        app.tick_timer()
        await pilot.press("s")
        await settle(pilot)
        label = str(app.screen.query_one("#doses", OptionList).highlighted_option.prompt)  # type: ignore[union-attr]
        assert "(1 done)" in label
    assert rows(enrolled, "SELECT item_key, minutes FROM doselog") == [("ice", 16.0)]


async def test_history_shows_calendar_and_undoes_an_entry(enrolled: Path) -> None:
    app, _ = make(enrolled)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("space")
        await settle(pilot)
        await pilot.press("h")
        await settle(pilot)
        assert isinstance(app.screen, HistoryScreen)
        assert "paused" in text_of(app, "#legend") and "●" in text_of(app, "#legend")
        assert "Tuesday 10 March 2026" in text_of(app, "#day-title")
        entries = app.screen.query_one("#entries", OptionList)
        assert "Done Morning foot massage" in str(entries.get_option_at_index(0).prompt)
        entries.focus()
        entries.highlighted = 0
        await pilot.press("u")
        await settle(pilot)
        assert "[undone]" in str(entries.get_option_at_index(0).prompt)
        await pilot.press("escape")
        await settle(pilot)
        assert "0/6 done" in text_of(app, "#stats")
    assert rows(enrolled, "SELECT count(voided_at) FROM doselog") == [(1,)]


def _calendar_weeks(app: RehabApp) -> list[str]:
    from textual.widgets import DataTable

    table = app.screen.query_one("#calendar", DataTable)
    return [str(table.get_row_at(i)[0]) for i in range(table.row_count)]


@pytest.mark.parametrize(("size", "weeks"), [((80, 24), 6), ((100, 40), 14)])
async def test_history_fits_the_height_and_goes_back_no_further_than_the_start(
    db: Path, size: tuple[int, int], weeks: int
) -> None:
    from datetime import date

    enroll(db, start=date(2025, 11, 5))  # a Wednesday, 18 weeks before 10 March 2026
    app, _ = make(db)
    async with app.run_test(size=size, notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("h")
        await settle(pilot)
        shown = _calendar_weeks(app)
        assert len(shown) == weeks and shown[-1] == "9 Mar"
        for _ in range(4):  # far more than the program's 19 weeks back
            await pilot.press("left_square_bracket")
            await settle(pilot)
        shown = _calendar_weeks(app)
        assert shown[0] == "3 Nov", shown  # the program's first week, none empty before it
        assert len(shown) == weeks
        assert any("Your program began on Wed 5 Nov 2025" in n.message for n in app._notifications)


async def test_history_of_a_program_started_this_week_shows_that_week_only(
    enrolled: Path,
) -> None:
    app, _ = make(enrolled)  # started Mon 2 Mar; today Tue 10 Mar
    async with app.run_test(size=(80, 40)) as pilot:
        await settle(pilot)
        await pilot.press("h")
        await settle(pilot)
        assert _calendar_weeks(app) == ["2 Mar", "9 Mar"]


async def test_a_day_before_the_start_describes_no_exercise(enrolled: Path) -> None:
    app, _ = make(enrolled)  # started Mon 2 Mar; today Tue 10 Mar
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.screen.query_one("#detail-box").display
        assert "massage" in text_of(app, "#detail")
        for _ in range(9):  # back to Sun 1 Mar, the day before the start
            await pilot.press("left_square_bracket")
            await settle(pilot)
        assert "Sun 1 Mar" in text_of(app, "#stats") and "starts on" in text_of(app, "#stats")
        assert not app.screen.query_one("#detail-box").display
        assert text_of(app, "#detail").strip() == ""
        await pilot.press("g")  # back to today: the exercise's how-to again
        await settle(pilot)
        assert app.screen.query_one("#detail-box").display and "massage" in text_of(app, "#detail")


async def test_quit_with_q(enrolled: Path) -> None:
    app, _ = make(enrolled)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("q")
        await pilot.pause()
    assert app.return_code in (0, None)


async def test_damaged_database_ends_the_app_with_one_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.db"
    bad.write_bytes(b"not a database" * 100)
    app, _ = make(bad)
    async with app.run_test(size=SIZE) as pilot:
        with contextlib.suppress(WorkerCancelled):  # the app closes itself mid-wait
            await settle(pilot)
    assert app.fatal is not None and "damaged or not a rehab database" in app.fatal
    assert "\n" not in app.fatal


async def test_load_used_is_recorded_for_strengthening(db: Path) -> None:
    enroll(db, "achilles-midportion-alfredson", side="left")
    app, _ = make(db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        doses = app.screen.query_one("#doses", OptionList)
        strength = next(o.id for o in doses.options if o.id and "heel-drop-straight-knee" in o.id)
        doses.highlighted = doses.get_option_index(strength)
        await pilot.press("l")
        await pilot.pause()
        load = app.screen.query_one("#load", Input)
        load.value = "7.5"
        app.screen.query_one("#sets", Input).value = "9"
        await pilot.press("enter")
        await pilot.pause()
        assert "allowed 1 to 3" in text_of(app, "#load-error")
        app.screen.query_one("#sets", Input).value = "2"
        load.focus()
        await pilot.press("enter")
        await settle(pilot)
        today(app)
    assert rows(db, "SELECT item_key, side, sets, load_kg FROM doselog") == [
        ("heel-drop-straight-knee", "left", 2, 7.5)
    ]


async def test_load_used_refused_for_a_stretch(enrolled: Path) -> None:
    app, _ = make(enrolled)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("down", "down", "l")
        await settle(pilot)
        today(app)  # no dialog opened
    assert rows(enrolled, "SELECT count(*) FROM doselog") == [(0,)]


async def test_command_palette_lists_the_screen_actions(enrolled: Path) -> None:
    app, _ = make(enrolled)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        titles = " | ".join(c.title for c in app.get_system_commands(app.screen))
        for wanted in ("Check off", "timer", "pain score", "Morning check", "past weeks"):
            assert wanted in titles
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"morning check")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await settle(pilot)
        assert type(app.screen).__name__ == "CheckDialog"


async def test_rows_are_clickable(enrolled: Path) -> None:
    app, _ = make(enrolled)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.click("#doses", offset=(10, 2))  # the gentle walk row
        await settle(pilot)
    assert rows(enrolled, "SELECT item_key FROM doselog") == [("gentle-walk",)]


class _FakeScheduler:
    def __init__(self) -> None:
        self.jobs: list[tuple[object, dict[str, object]]] = []

    def add_job(self, func: object, trigger: str, **kwargs: object) -> None:
        self.jobs.append((func, {"trigger": trigger, **kwargs}))

    def shutdown(self, wait: bool = True) -> None:
        pass


async def test_reminder_toast_and_snooze(enrolled: Path) -> None:
    app, _ = make(enrolled)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        app.scheduler = _FakeScheduler()
        app.bell = lambda: None  # type: ignore[method-assign]
        app.show_reminder("Morning: gentle walk, 15 min")
        await pilot.pause()
        assert any("Morning: gentle walk" in n.message for n in app._notifications)
        await pilot.press("z")
        await pilot.pause()
        await pilot.press("down", "enter")  # 30 minutes
        await settle(pilot)
        ((_, options),) = app.scheduler.jobs
        assert options["trigger"] == "date" and options["args"] == ["morning"]
        before = len(app._notifications)
        await asyncio.to_thread(app._snoozed, "morning")  # the job, as the scheduler runs it
        await pilot.pause()
        again = [n.message for n in list(app._notifications)[before:]]
        assert any(m.startswith("🔔 Morning: ") and len(m) < 80 for m in again), again


def test_a_reminder_toast_is_short_and_counts_each_dose_once() -> None:
    """The checklist is behind the toast: a catch-up of a whole morning is one short line
    (the desktop notification keeps the list), and z snoozes the slot due now."""
    from datetime import UTC, date, datetime

    from rehab.reminders.due import Reminder
    from rehab.reminders.service import Sent
    from rehab.tui.reminding import toast_text

    when = datetime(2026, 3, 10, 13, 0, tzinfo=UTC)
    morning = tuple(f"stretch number {n}, 30 s hold × 2–3, each leg" for n in range(6))
    sent = [
        Sent(Reminder(date(2026, 3, 10), "morning", when, morning, catch_up=True), "x", ""),
        Sent(Reminder(date(2026, 3, 10), "midday", when, (*morning, "walk, 15 min")), "x", ""),
    ]
    text, slot = toast_text(sent)
    assert text == "Missed earlier: Morning, 6 on your list still to do · Midday: walk, 15 min"
    assert slot == "midday"
    one = [Sent(Reminder(date(2026, 3, 10), "evening", when, ("walk, 15 min",)), "x", "")]
    assert toast_text(one) == ("Evening: walk, 15 min", "evening")


async def test_snooze_without_a_reminder_says_so(enrolled: Path) -> None:
    app, _ = make(enrolled)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("z")
        await settle(pilot)
        assert isinstance(app.screen, TodayScreen)  # said at once, no question first
        assert any("No reminder to snooze" in n.message for n in app._notifications)


async def test_reminder_settings_screen_saves_all_or_nothing(enrolled: Path) -> None:
    app, _ = make(enrolled)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("R")
        await settle(pilot)
        evening = app.screen.query_one("#remind-evening", Input)
        assert evening.value == "20:00"
        assert app.screen.query_one("#quiet", Input).value == "22:00-07:00"
        evening.value = "19:15"
        app.screen.query_one("#zone", Input).value = "Atlantis/Lost"
        evening.focus()
        await pilot.press("enter")
        await settle(pilot)
        error = text_of(app, "#settings-error")
        assert "time zone: unknown time zone 'Atlantis/Lost'" in error
        assert "--" not in error  # the field's name, not the CLI's flag
        assert rows(enrolled, "SELECT count(*) FROM setting") == [(0,)]
        app.screen.query_one("#zone", Input).value = "Europe/Lisbon"
        await pilot.press("enter")
        await settle(pilot)
        today(app)
    assert ("reminder.evening", "19:15") in rows(enrolled, "SELECT key, value FROM setting")


async def test_quitting_with_a_running_ice_timer_logs_its_minutes(enrolled: Path) -> None:
    app, clock = make(enrolled)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        doses = app.screen.query_one("#doses", OptionList)
        doses.highlighted = doses.get_option_index("any:ice")
        await pilot.press("t")
        await settle(pilot)
        clock.advance(7 * 60 + 30)
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("q")  # a timer is running: asked first
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog) and "timer is still running" in str(
            app.screen.query_one(".dialog-title").render()
        )
        await pilot.press("n")  # no: the timer keeps going, nothing logged yet
        await settle(pilot)
        assert app.is_running and app.timer is not None and app.timer.running
        assert rows(enrolled, "SELECT count(*) FROM doselog") == [(0,)]
        await pilot.press("q", "y")
        await settle(pilot)
    assert rows(enrolled, "SELECT item_key, minutes FROM doselog") == [("ice", 7.0)]


async def test_the_checklist_follows_the_calendar_past_midnight(enrolled: Path) -> None:
    from datetime import UTC as utc
    from datetime import datetime

    from tests.tui_helpers import FakeClock

    clock = FakeClock(datetime(2026, 3, 10, 23, 50, tzinfo=utc))
    app, _ = make(enrolled, clock)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "Tue 10 Mar 2026 (today)" in text_of(app, "#stats")
        clock.advance(20 * 60)
        today(app)._midnight()
        await settle(pilot)
        assert "Wed 11 Mar 2026 (today)" in text_of(app, "#stats")
        await pilot.press("space")
        await settle(pilot)
    assert rows(enrolled, "SELECT plan_date FROM doselog") == [("2026-03-11",)]


async def test_selected_dose_shows_its_instructions_and_cautions(enrolled: Path) -> None:
    app, _ = make(enrolled)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        doses = app.screen.query_one("#doses", OptionList)
        doses.highlighted = doses.get_option_index("any:ice")
        await pilot.pause()
        detail = text_of(app, "#detail")
        assert "damp cloth" in detail and "⚠" in detail and "numb skin" in detail


async def test_first_run_needs_a_leg_and_works_for_a_new_patient(db: Path) -> None:
    from rehab.tui.app import RehabApp
    from rehab.tui.backend import Backend
    from tests.tui_helpers import FakeClock

    enroll(db)  # "me" exists already; "Ana" is new
    app = RehabApp(Backend(f"sqlite:///{db}", "Ana", FakeClock()), tick=False, reminders=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, WelcomeScreen)
        await pilot.press("enter")
        await pilot.pause()
        app.screen.query_one("#start", Input).focus()
        await pilot.press("enter")
        await settle(pilot)
        assert "Choose which leg hurts" in text_of(app, "#details-error")
        await pilot.click("#choice-both")
        app.screen.query_one("#start", Input).focus()
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, TodayScreen)
    assert rows(
        db, "SELECT p.name, e.side FROM enrollment e JOIN patient p ON p.id = e.patient_id"
    ) == [
        ("me", "right"),
        ("Ana", "both"),
    ]


async def test_trends_screen_draws_each_chart_and_range(enrolled: Path) -> None:
    from rehab.tui.screens.trends import TrendsScreen

    app, _ = make(enrolled)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("space")
        await settle(pilot)
        await pilot.press("c")
        await settle(pilot)
        assert isinstance(app.screen, TrendsScreen)
        chart = app.screen.query_one("#chart")
        # no pain logged yet: a sentence, not empty axes
        assert "No morning pain logged" in str(chart.render())
        await pilot.press("2")
        await settle(pilot)
        assert "▸Adherence" in text_of(app, "#title")
        drawn = str(chart.render())
        assert "2026-03" in drawn and "%" in drawn
        await pilot.press("w")
        await settle(pilot)
        assert "last 52 weeks" in text_of(app, "#title")
        await pilot.press("escape")
        await settle(pilot)
        today(app)


async def test_visa_questionnaire_in_the_app(db: Path) -> None:
    from rehab.core.visa import ITEMS

    enroll(db, "achilles-midportion-alfredson", side="left")
    app, _ = make(db)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        assert "VISA-A due (v)" in text_of(app, "#stats")
        await pilot.press("v")
        await pilot.pause()
        assert "Question 1 of 8" in text_of(app, "#q-progress")
        await pilot.press("escape")  # backs out, nothing saved
        await pilot.pause()
        await pilot.press("v")
        await pilot.pause()
        for _ in ITEMS[:7]:
            # the last choice of each of items 1–7 is the best answer (10 points)
            await pilot.press("end", "enter")
            await pilot.pause()
        assert "Question 8 of 8, part 1 of 2" in text_of(app, "#q-progress")
        await pilot.press("enter")  # branch A: no pain
        await pilot.pause()
        await pilot.press("end", "enter")  # more than 30 minutes
        await pilot.pause()
        assert "Score: 100/100" in text_of(app, "#q-text")  # the summary, before saving
        await pilot.press("s")
        await settle(pilot)
        today(app)
        done = [n.message for n in app._notifications if n.message.startswith("VISA-A")]
        assert done and done[0].startswith("VISA-A 100/100: in the range of people")
        assert done[0].count("100/100") == 1  # the score once, not twice
        assert "VISA-A due" not in text_of(app, "#stats")
    assert rows(db, "SELECT instrument, score FROM assessment") == [("visa-a", 100)]


def _notices(app: RehabApp) -> list[str]:
    return [n.message for n in app._notifications]


async def test_no_visa_a_on_a_plantar_fasciitis_program(db: Path) -> None:
    enroll(db, "plantar-fasciitis", side="left")
    app, _ = make(db)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        screen = today(app)
        assert "Plantar fasciitis" in text_of(app, "#title")
        assert "VISA-A" not in text_of(app, "#stats")  # no "due" hint
        assert "v" not in screen.active_bindings  # no key, in the footer or the keys panel
        titles = " | ".join(c.title for c in app.get_system_commands(screen))
        assert "VISA-A questionnaire" not in titles and "pain score" in titles
        await pilot.press("v")  # not bound: nothing opens, a notice says why
        await settle(pilot)
        today(app)
        assert any("for Achilles problems" in m and "does not use it" in m for m in _notices(app))
    assert rows(db, "SELECT count(*) FROM assessment") == [(0,)]


async def test_visa_a_is_refused_while_a_red_flag_is_open(db: Path) -> None:
    enroll(db, "achilles-midportion-alfredson", side="left")
    app, _ = make(db)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        assert "VISA-A due (v)" in text_of(app, "#stats")
        assert app.backend.raise_flags(["pop"]) is not None  # as the red-flag dialog does
        today(app).reload()
        await settle(pilot)
        stats = text_of(app, "#stats")
        assert "PAUSED: red flag" in stats and "VISA-A" not in stats
        await pilot.press("v")
        await settle(pilot)
        today(app)  # the questionnaire did not open
        refusal = [m for m in _notices(app) if "paused for a red flag" in m]
        assert refusal and "hops and heel raises" in refusal[0]
        assert "press P and give their name" in refusal[0]
        assert "rehab cleared" not in refusal[0]  # the app speaks of keys, not commands
        assert "clear the red flag first" in refusal[0]
    assert rows(db, "SELECT count(*) FROM assessment") == [(0,)]


async def test_a_red_flag_stops_the_program_until_a_clinician_clears_it(enrolled: Path) -> None:
    from rehab.tui.screens.redflags import RedFlagAlert, RedFlagQuestions

    app, _ = make(enrolled)
    async with app.run_test(size=(80, 30)) as pilot:
        await settle(pilot)
        await pilot.press("p", "3")
        await pilot.click("#warning")
        app.screen.query_one("#score", Input).focus()
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, RedFlagQuestions)
        await pilot.press("y", *"nnnnnn")  # yes to the pop, no to the rest
        await pilot.pause()
        await pilot.click("#save")
        await settle(pilot)
        assert isinstance(app.screen, RedFlagAlert)
        assert "TODAY" in text_of(app, "#alert-title")
        await pilot.press("enter")
        await settle(pilot)
        assert "PAUSED: red flag" in text_of(app, "#stats")
        await pilot.press("P")
        await pilot.pause()
        app.screen.query_one("#cleared-by", Input).value = "Dr Sousa"
        await pilot.press("enter")
        await settle(pilot)
        assert "PAUSED" not in text_of(app, "#stats")
    assert rows(enrolled, "SELECT score FROM painentry") == [(3,)]
    (reason,) = rows(enrolled, "SELECT reason FROM pause")
    assert "red flag" in str(reason[0]) and "cleared by Dr Sousa" in str(reason[0])


async def test_footer_keys_come_with_the_checklist_and_are_built_once(enrolled: Path) -> None:
    import threading

    from textual.widgets._footer import FooterKey

    from rehab.tui.footer import KeyFooter

    app, _ = make(enrolled)
    store = app.backend
    loading = threading.Event()

    class SlowStore:  # the real backend, with a first load that waits for the test
        def __getattr__(self, name: str) -> object:
            return getattr(store, name)

        def has_program(self) -> bool:
            loading.wait(5)
            return store.has_program()

    app.backend = SlowStore()  # type: ignore[assignment]
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        footer = app.screen.query_one(KeyFooter)
        assert not footer.query(FooterKey)  # nothing to act on yet: no keys
        loading.set()
        await settle(pilot)
        keys = list(footer.query(FooterKey))
        assert "Check off" in [k.description for k in keys]
        app.screen.refresh_bindings()
        await pilot.press("down")  # same keys: the footer is not rebuilt
        await settle(pilot)
        assert list(footer.query(FooterKey)) == keys


async def test_night_pain_in_the_app_is_a_red_flag_that_pauses_and_asks_the_rest(
    enrolled: Path,
) -> None:
    """The pain dialog starts at morning (never rest or night); choosing night raises the
    rest-pain flag from the log, shows the alert, then asks the other red-flag questions;
    today's checklist and the advice line then say stop."""
    from textual.widgets import RadioButton

    from rehab.tui.screens.redflags import RedFlagAlert, RedFlagQuestions

    app, _ = make(enrolled)
    async with app.run_test(size=(80, 30)) as pilot:
        await settle(pilot)
        await pilot.press("p")
        await pilot.pause()
        buttons = list(app.screen.query(RadioButton))
        chosen = [str(b.label) for b in buttons if b.value]
        assert len(chosen) == 1 and ("morning" in chosen[0] or "after" in chosen[0])
        night = next(b for b in buttons if "night" in str(b.label))
        night.value = True
        app.screen.query_one("#score", Input).value = "7"
        app.screen.query_one("#score", Input).focus()
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, RedFlagAlert)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, RedFlagQuestions)
        await pilot.press("escape")
        await settle(pilot)
        assert "PAUSED: red flag" in text_of(app, "#stats")
        assert text_of(app, "#advice").startswith("STOP")
    assert rows(enrolled, "SELECT context, score FROM painentry") == [("night", 7)]
    assert rows(enrolled, "SELECT flag, source FROM redflagentry") == [("rest-pain", "log")]


def test_the_footer_still_finds_the_textual_internals_it_uses() -> None:
    """KeyFooter overrides parts of Textual's Footer (rehab/tui/footer.py); the pin in
    pyproject.toml keeps Textual on the minor version these were read from."""
    from importlib.metadata import version

    from textual.widgets import Footer

    assert version("textual").startswith("8.2.")
    assert hasattr(Footer, "bindings_changed")
    footer = Footer()
    assert hasattr(footer, "_bindings_ready")


async def test_pause_says_from_when(enrolled: Path) -> None:
    """A day with check-offs is kept: the pause starts tomorrow, and the toast says so."""
    app, _ = make(enrolled)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("space")
        await settle(pilot)
        await pilot.press("P")
        await pilot.pause()
        await pilot.press("down", "enter")  # illness
        await settle(pilot)
        paused = [m for m in _notices(app) if m.startswith("Paused from")]
        assert paused == ["Paused from Wed 11 Mar (today stays as is)"], _notices(app)


async def test_a_red_flag_refusal_in_the_app_names_the_key_not_a_command(enrolled: Path) -> None:
    app, _ = make(enrolled)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        assert app.backend.raise_flags(["pop"]) is not None
        today(app).reload()
        await settle(pilot)
        await pilot.press("space")
        await settle(pilot)
        refusal = [m for m in _notices(app) if "paused for a red flag" in m]
        assert refusal, _notices(app)
        assert refusal[0].startswith("The program is paused")
        assert "press P and give their name" in refusal[0] and "rehab" not in refusal[0]


async def test_history_names_entries_gives_their_times_and_reads_a_red_flag(
    enrolled: Path,
) -> None:
    app, _ = make(enrolled)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("space")
        await settle(pilot)
        app.backend.pain(2, "morning", None)
        assert app.backend.raise_flags(["pop"]) is not None
        lines = [line.text for line in app.backend.day_log(app.backend.today())]
    assert "08:30  Done Morning foot massage (right 1 set)" in lines, lines
    assert "08:30  Pain 2/10 (morning)" in lines, lines
    assert "08:30  Morning check: warning signs: a sudden pop or kick at the back of the leg" in (
        lines
    ), lines
    assert not any("foot-massage" in line or line.endswith("check: ") for line in lines)
