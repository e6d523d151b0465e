"""The advice end to end, through the CLI, on histories built with back-dated entries and a
frozen clock: stop for each red flag the log shows, reductions that change tomorrow's plan,
protocols with rest days, the end of a program, and a red flag that cannot be undone."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine

from tests.conftest import Rehab

LISBON = ZoneInfo("Europe/Lisbon")


def at(day: date, hour: int = 20) -> datetime:
    return datetime(day.year, day.month, day.day, hour, 0, tzinfo=LISBON)


class History:
    """A patient's log written day by day through the CLI, each command on its own day."""

    def __init__(self, rehab: Rehab, program: str, start: date) -> None:
        self.rehab, self.start = rehab, start
        with time_machine.travel(at(start, 8), tick=False):
            result = rehab("start", program, "--side", "left", "--start", start.isoformat())
        assert result.code == 0, result.err

    def day(self, n: int) -> date:
        return self.start + timedelta(days=n)

    def run(self, n: int, *args: str, hour: int = 20, code: int = 0) -> Any:
        with time_machine.travel(at(self.day(n), hour), tick=False):
            result = self.rehab(*args)
        assert result.code == code, (args, result.out, result.err)
        return result

    def morning(self, n: int, score: int) -> None:
        self.run(n, "pain", str(score), "--context", "morning", hour=8)

    def done(self, n: int, key: str, pain: int) -> None:
        self.run(n, "done", key, "--pain", str(pain))

    def advice(self, n: int) -> dict[str, Any]:
        return json.loads(self.run(n, "advice", "--json", hour=21).out)

    def today(self, n: int) -> list[dict[str, Any]]:
        return json.loads(self.run(n, "today", "--json", hour=7).out)


@pytest.fixture
def clock() -> Iterator[None]:
    yield


def dose(items: list[dict[str, Any]], exercise: str) -> dict[str, Any]:
    return next(i for i in items if i["exercise"] == exercise)


def flags(db: Path) -> list[tuple[str, str]]:
    con = sqlite3.connect(db)
    try:
        return [tuple(r) for r in con.execute("SELECT flag, source FROM redflagentry ORDER BY id")]
    finally:
        con.close()


HSR = "achilles-midportion-hsr"
HSR_START = date(2026, 1, 5)  # a Monday: sessions on program days 0, 2, 4 of each week
HSR_EXERCISES = ("seated-calf-raise", "leg-press-calf-raise", "standing-calf-raise")


def hsr_week(h: History, week: int, pain: int, morning: int = 2) -> None:
    """One HSR week: morning pain every day, the three exercises on the session days."""
    for offset in range(7):
        n = (week - 1) * 7 + offset
        h.morning(n, morning)
        if offset in (0, 2, 4):
            for key in HSR_EXERCISES:
                h.done(n, key, pain)


def test_hsr_rest_days_are_not_missing_data_and_the_plan_steps_up(rehab: Rehab) -> None:
    h = History(rehab, HSR, HSR_START)
    hsr_week(h, 1, 2)
    hsr_week(h, 2, 2)
    advice = h.advice(13)
    assert advice["decision"] != "hold" or not any(
        "too little data" in r for r in advice["reasons"]
    ), advice
    assert not any("need 4" in r for r in advice["reasons"])


def test_hsr_flare_then_reduce_gives_a_lighter_next_session_and_no_step_up(rehab: Rehab) -> None:
    h = History(rehab, HSR, HSR_START)
    for week in (1, 2, 3, 4):
        hsr_week(h, week, 3)
    # week 5 (program days 28-34): 4 × 10 with pain 7/10 at two sessions
    for n in range(28, 33):
        h.morning(n, 2)
    for key in HSR_EXERCISES:
        h.done(28, key, 7)
        h.done(30, key, 7)
    advice = h.advice(30)
    assert advice["decision"] == "reduce", advice
    assert "weeks 2–3's lighter dose (3 × 12 instead of 4 × 10)" in advice["plan_change"]
    assert advice["week_cap"] == 3
    accepted = h.run(30, "accept")
    assert "3 × 12" in accepted.out
    # the next session (day 32, week 5) and week 6's first (day 35) are 3 × 12, not 4 × 8
    for n in (32, 35, 37):
        item = dose(h.today(n), "seated-calf-raise")
        assert (item["sets"], item["reps"]) == (3, 12), (n, item)
        assert item["adjusted"]["from"] in ("4 × 10", "4 × 8")
        assert item["adjusted"]["since"] == h.day(31).isoformat()
        assert "reduced from" in item["text"]


def test_a_flare_after_a_reduction_is_stop_and_pauses(rehab: Rehab) -> None:
    h = History(rehab, HSR, HSR_START)
    for week in (1, 2, 3, 4):
        hsr_week(h, week, 3)
    for key in HSR_EXERCISES:
        h.done(28, key, 7)
        h.done(30, key, 7)
    for n in range(28, 31):
        h.morning(n, 2)
    assert h.advice(30)["decision"] == "reduce"
    h.run(30, "accept")
    # after the reduction (from day 31): pain 7/10 again at the next two sessions
    h.morning(32, 2)
    for key in HSR_EXERCISES:
        h.done(32, key, 7)
    h.morning(35, 2)
    out = h.run(35, "done", "seated-calf-raise", "--pain", "8").out
    assert "STOP" in out
    advice = h.advice(35)
    assert advice["decision"] == "stop", advice
    assert advice["flags"] == ["pain-despite-reduction"]
    assert any("despite the reduction" in r for r in advice["reasons"])
    assert flags(rehab.db) == [("pain-despite-reduction", "log")]
    # paused: nothing can be checked off until a clinician clears it
    err = h.run(35, "done", "leg-press-calf-raise", code=1).err
    assert "paused for a red flag (pain-despite-reduction)" in err
    assert "accept" in h.run(35, "accept", code=2).err or True
    h.run(36, "cleared", "--by", "Dr Sousa")
    assert h.advice(36)["decision"] != "stop"


@pytest.mark.parametrize("context", ["night", "rest"])
def test_night_or_rest_pain_is_stop(rehab: Rehab, context: str) -> None:
    h = History(rehab, "achilles-midportion-alfredson", date(2026, 1, 5))
    for n in range(10):
        h.morning(n, 2)
        h.done(n, "heel-drop-straight-knee", 2)
    out = h.run(10, "pain", "8", "--context", context).out
    assert "RED FLAG (rest-pain)" in out and "see a clinician" in out
    advice = h.advice(10)
    assert advice["decision"] == "stop"
    assert flags(rehab.db) == [("rest-pain", "log")]
    # today's remaining doses show the pause; what was done stays done
    items = h.today(10)
    assert {i["status"] for i in items} <= {"paused"}
    h.run(10, "done", "heel-drop-bent-knee", code=1)


def test_night_pain_of_zero_is_no_red_flag(rehab: Rehab) -> None:
    h = History(rehab, "achilles-midportion-alfredson", date(2026, 1, 5))
    h.run(3, "pain", "0", "--context", "night")
    assert flags(rehab.db) == []


def test_a_red_flag_on_a_day_with_a_check_off_pauses_today(rehab: Rehab) -> None:
    h = History(rehab, "achilles-midportion-alfredson", date(2026, 1, 5))
    h.done(3, "heel-drop-straight-knee", 2)
    h.run(3, "check", "--flag", "nerve")
    items = json.loads(h.run(3, "today", "--json").out)
    statuses = {i["key"]: i["status"] for i in items}
    assert statuses["heel-drop-straight-knee"] == "done"
    assert statuses["heel-drop-straight-knee#2"] == "paused"
    assert statuses["heel-drop-bent-knee"] == "paused"
    text = h.run(3, "today").out
    assert "paused for a red flag" in text
    assert h.advice(3)["decision"] == "stop"


def test_a_red_flag_cannot_be_undone_while_its_pause_is_open(rehab: Rehab) -> None:
    h = History(rehab, "achilles-midportion-alfredson", date(2026, 1, 5))
    h.run(3, "check", "--flag", "pop")
    err = h.run(3, "undo", code=1).err
    assert "raised a red flag (pop)" in err
    h.run(4, "cleared", "--by", "Dr Sousa")
    report = h.rehab.db.parent / "report.html"
    h.run(4, "export", "report", "--out", str(report))
    html = report.read_text()
    assert "cleared by Dr Sousa" in html


def test_twelve_weeks_flat_is_stop_on_the_last_day(rehab: Rehab) -> None:
    h = History(rehab, HSR, HSR_START)
    for week in range(1, 13):
        hsr_week(h, week, 2, morning=4)
    last = 12 * 7 - 1
    advice = h.advice(last)
    assert advice["decision"] == "stop", advice
    assert advice["flags"] == ["no-improvement"]
    assert "See your clinician" in advice["course"]["sentence"]
    assert advice["course"]["status"] == "not on track"


def test_eleven_weeks_flat_is_too_early(rehab: Rehab) -> None:
    h = History(rehab, HSR, HSR_START)
    for week in range(1, 12):
        hsr_week(h, week, 2, morning=4)
    advice = h.advice(11 * 7 - 2)
    assert advice["decision"] != "stop"
    assert advice["course"]["status"] == "too early to tell"


RATHLEFF = "plantar-fasciitis"


def test_rathleff_flare_then_reduce_holds_the_lighter_row(rehab: Rehab) -> None:
    h = History(rehab, RATHLEFF, date(2026, 1, 5))
    for n in range(0, 21):
        h.morning(n, 2)
        if n % 2 == 0:
            h.done(n, "high-load-heel-raise", 7 if n in (18, 20) else 2)
    advice = h.advice(20)
    assert advice["decision"] == "reduce", advice
    h.run(20, "accept")
    item = dose(h.today(22), "high-load-heel-raise")
    assert (item["sets"], item["reps"]) == (3, 12), item
    assert item["adjusted"] is not None
    # week 5 would be 5 × 8: still held at 3 × 12 while the reduction holds
    item = dose(h.today(28), "high-load-heel-raise")
    assert (item["sets"], item["reps"]) == (3, 12), item


def test_the_flare_a_reduction_answered_does_not_reduce_again(rehab: Rehab) -> None:
    h = History(rehab, RATHLEFF, date(2026, 1, 5))
    for n in range(0, 18):
        h.morning(n, 2)
        if n % 2 == 0:
            h.done(n, "high-load-heel-raise", 7 if n in (14, 16) else 2)
    assert h.advice(17)["decision"] == "reduce"
    h.run(17, "accept")
    assert "already accepted" in h.run(17, "accept", code=2).err  # once per day
    for n in (18, 19, 20):
        h.morning(n, 2)
        advice = h.advice(n)
        assert advice["decision"] == "hold", (n, advice)
        assert advice["week_cap"] is not None  # the reduction still holds


def test_a_flare_in_the_first_row_holds_the_row_with_a_set_fewer(rehab: Rehab) -> None:
    h = History(rehab, RATHLEFF, date(2026, 1, 5))
    for n in range(0, 14):
        h.morning(n, 2)
        if n % 2 == 0:
            h.done(n, "high-load-heel-raise", 6 if n in (10, 12) else 2)
    advice = h.advice(13)
    assert advice["decision"] == "reduce" and advice["set_cut"] == 1, advice
    h.run(13, "accept")
    for n in (14, 28):  # weeks 3 and 5 would be 4 × 10 and 5 × 8
        item = dose(h.today(n), "high-load-heel-raise")
        assert (item["sets"], item["reps"]) == (2, 12), (n, item)


def test_a_flare_in_the_first_week_is_reduce_not_hold(rehab: Rehab) -> None:
    h = History(rehab, HSR, HSR_START)
    for n in (0, 2, 4):
        h.morning(n, 2)
        for key in HSR_EXERCISES:
            h.done(n, key, 8)
    assert h.advice(4)["decision"] == "reduce"


def test_after_a_no_improvement_stop_the_course_line_still_says_so(rehab: Rehab) -> None:
    h = History(rehab, HSR, HSR_START)
    for week in range(1, 13):
        hsr_week(h, week, 2, morning=4)
    last = 12 * 7 - 1
    assert h.advice(last)["decision"] == "stop"
    later = h.advice(last + 2)
    assert later["decision"] == "stop"
    assert later["course"]["status"] == "not on track", later["course"]


def test_night_pain_without_a_check_off_lists_the_days_doses_as_paused(rehab: Rehab) -> None:
    h = History(rehab, "achilles-midportion-alfredson", date(2026, 1, 5))
    h.run(3, "pain", "6", "--context", "night", hour=7)
    items = h.today(3)
    assert items and {i["status"] for i in items} == {"paused"}


def test_the_history_screen_cannot_void_the_entry_that_raised_a_flag(rehab: Rehab) -> None:
    from rehab.errors import Refused
    from rehab.tui.database import StoreBackend
    from tests.tui_helpers import FakeClock

    h = History(rehab, "achilles-midportion-alfredson", date(2026, 1, 5))
    h.run(3, "pain", "8", "--context", "night")
    con = sqlite3.connect(rehab.db)
    (pain_id,) = con.execute("SELECT id FROM painentry").fetchone()
    con.close()
    backend = StoreBackend(f"sqlite:///{rehab.db}", None, FakeClock(at(h.day(3))))
    with pytest.raises(Refused, match="raised a red flag"):
        backend.void(f"pain:{pain_id}")
