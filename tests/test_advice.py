"""`rehab advice` / `rehab accept` and the app's advice card: the log decides, the patient
accepts, and the schedule changes from the next day on."""

from __future__ import annotations

import json
import sqlite3
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine

from tests.conftest import Rehab

LISBON = ZoneInfo("Europe/Lisbon")
START = date(2026, 3, 2)
TODAY = date(2026, 3, 20)


@pytest.fixture(autouse=True)
def fixed_clock():
    with time_machine.travel(datetime(2026, 3, 20, 19, 0, tzinfo=LISBON), tick=False):
        yield


@pytest.fixture
def midportion(rehab: Rehab) -> Rehab:
    assert rehab("start", "achilles-midportion", "--side", "left", "--start", str(START)).code == 0
    return rehab


def log_days(rehab: Rehab, first: date, last: date, *, morning: int, during: int) -> None:
    day = first
    while day <= last:
        assert rehab("pain", str(morning), "--context", "morning", "--at",
                     f"{day}T07:30").code == 0  # fmt: skip
        result = rehab("done", "two-leg-raise-floor", "--date", str(day), "--pain", str(during))
        assert result.code == 0, result.err
        day += timedelta(days=1)


def test_too_little_logged_means_hold_and_says_what_is_missing(midportion: Rehab) -> None:
    result = midportion("advice", "--json")
    data = json.loads(result.out)
    assert data["decision"] == "hold"
    assert any("logged" in r or "missing" in r or "mornings" in r for r in data["reasons"])
    assert "nothing to accept" in midportion("accept").err


def test_a_good_fortnight_progresses_and_accept_changes_tomorrow(midportion: Rehab) -> None:
    log_days(midportion, START, TODAY, morning=2, during=2)
    data = json.loads(midportion("advice", "--json").out)
    assert data["decision"] == "progress" and data["next_phase"] == "phase-2"
    assert any("2/10 or less on 7 of the last 7 days" in r for r in data["reasons"])
    assert set(data) >= {"decision", "reasons", "would_change"}
    accepted = midportion("accept", "--by", "Dr Sousa")
    assert accepted.code == 0 and "from 2026-03-21" in accepted.out
    with sqlite3.connect(midportion.db) as con:
        row = con.execute(
            "SELECT effective_date, from_phase, to_phase, decision, decided_by FROM phasechange"
        ).fetchone()
    assert row == ("2026-03-21", "phase-1", "phase-2", "progress", "Dr Sousa")
    today = {d["exercise"] for d in json.loads(midportion("today", "--json").out)}
    tomorrow = {
        d["exercise"] for d in json.loads(midportion("today", "--date", "2026-03-21", "--json").out)
    }
    assert "two-leg-raise-floor" in today and "two-leg-raise-floor" not in tomorrow
    assert "two-leg-raise-step" in tomorrow


def test_pain_above_five_during_exercise_reduces(midportion: Rehab) -> None:
    log_days(midportion, START, TODAY - timedelta(days=1), morning=2, during=2)
    log_days(midportion, TODAY, TODAY, morning=2, during=7)
    data = json.loads(midportion("advice", "--json").out)
    assert data["decision"] == "reduce"
    assert any("7/10" in r for r in data["reasons"])


def test_voided_pain_does_not_count(midportion: Rehab) -> None:
    log_days(midportion, START, TODAY, morning=2, during=2)
    with time_machine.travel(datetime(2026, 3, 20, 19, 5, tzinfo=LISBON), tick=False):
        assert midportion("pain", "9", "--context", "during").code == 0
        assert json.loads(midportion("advice", "--json").out)["decision"] == "reduce"
        assert "pain 9/10" in midportion("undo").out
    assert json.loads(midportion("advice", "--json").out)["decision"] == "progress"


async def test_the_app_shows_the_advice_card_and_accepts_it(midportion: Rehab) -> None:
    from tests.test_tui import settle, text_of
    from tests.tui_helpers import FakeClock, make

    log_days(midportion, START, TODAY, morning=2, during=2)
    app, _ = make(midportion.db, FakeClock(datetime(2026, 3, 20, 19, 0, tzinfo=LISBON)))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        card = text_of(app, "#advice")
        assert card.startswith("Advice: progress") and "a: read and accept" in card
        await pilot.press("a")  # the advice in full, then y accepts it
        await settle(pilot)
        assert type(app.screen).__name__ == "AdviceScreen"
        await pilot.press("y")
        await settle(pilot)
        card = text_of(app, "#advice")
        assert "accepted, from tomorrow" in card
        await pilot.press("a")
        await settle(pilot)
        await pilot.press("y")  # accepted already: nothing more is written
        await settle(pilot)
    with sqlite3.connect(Path(midportion.db)) as con:
        assert con.execute("SELECT to_phase FROM phasechange").fetchall() == [("phase-2",)]


def test_advice_says_whether_the_course_is_on_track(midportion: Rehab) -> None:
    log_days(midportion, START, TODAY, morning=2, during=2)
    data = json.loads(midportion("advice", "--json").out)
    assert data["course"]["status"] in ("too early to tell", "on track", "not enough data")
    assert data["course"]["sentence"]
    text = midportion("advice").out
    assert data["course"]["sentence"] in text and "Not medical advice" in text


def test_in_the_first_week_advice_waits_for_a_week_of_logs(rehab: Rehab) -> None:
    start = ["start", "achilles-midportion", "--side", "left", "--start", "2026-03-18"]
    assert rehab(*start).code == 0
    data = json.loads(rehab("advice", "--json").out)
    assert data["decision"] == "hold"
    assert data["reasons"] == [
        "the program began on 2026-03-18: advice starts once there is a week of logs "
        "(morning pain, and pain during exercise with `--pain`)"
    ]
