"""The questionnaires one question per screen (red flags, VISA-A), the pain dialog with its
guide and the morning check that logs morning pain: Pilot tests at 80×24 with the fake clock."""

from __future__ import annotations

import sqlite3
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import Session
from textual.widgets import Input, OptionList, RadioSet

from rehab.core.redflags import RED_FLAGS
from rehab.core.visa import Answers, score
from rehab.store import journal
from rehab.store.db import open_engine
from rehab.store.progress import todays_advice
from rehab.tui.app import RehabApp
from rehab.tui.painguide import band, default_context, guide_text, pain_response
from rehab.tui.screens.dialogs import PainDialog
from rehab.tui.screens.redflags import RedFlagAlert, RedFlagQuestions
from rehab.tui.screens.today import TodayScreen
from rehab.tui.screens.visa import VisaScreen
from tests.tui_helpers import NOW, SIZE, FakeClock, enroll, make, settle


@pytest.fixture
def enrolled(tmp_path: Path) -> Path:
    db = tmp_path / "rehab.db"
    enroll(db)
    return db


@pytest.fixture
def achilles(tmp_path: Path) -> Path:
    db = tmp_path / "rehab.db"
    enroll(db, "achilles-midportion-alfredson", side="left")
    return db


def rows(db: Path, sql: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(db) as con:
        return list(con.execute(sql).fetchall())


def text(app: RehabApp, selector: str) -> str:
    return str(app.screen.query_one(selector).render())


def choices(app: RehabApp, selector: str = "#q-choices") -> list[str]:
    box = app.screen.query_one(selector, OptionList)
    return [str(box.get_option_at_index(i).prompt) for i in range(box.option_count)]


# --- red flags ---------------------------------------------------------------------------


async def test_red_flags_one_per_screen_in_words_with_back_forward_and_summary(
    enrolled: Path,
) -> None:
    app, _ = make(enrolled)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("exclamation_mark")
        await pilot.pause()
        assert isinstance(app.screen, RedFlagQuestions)
        total = len(RED_FLAGS)
        assert text(app, "#q-progress") == f"Question 1 of {total}"
        assert text(app, "#q-text") == RED_FLAGS[0].question  # the whole question
        assert [c.lstrip("› ") for c in choices(app)] == ["○ Yes", "○ No"]
        await pilot.press("right")  # no answer yet: forward says so and stays
        await pilot.pause()
        assert "Choose an answer first" in text(app, "#q-message")
        assert text(app, "#q-progress") == f"Question 1 of {total}"
        await pilot.press("n")
        await pilot.pause()
        assert text(app, "#q-progress") == f"Question 2 of {total}"
        assert text(app, "#q-text") == RED_FLAGS[1].question
        await pilot.press("left")  # back: the answer is kept and shown in words
        await pilot.pause()
        assert text(app, "#q-progress") == f"Question 1 of {total}"
        assert [c.lstrip("› ") for c in choices(app)] == ["○ Yes", "◉ No"]
        await pilot.press("right")  # answered: forward now moves on
        await pilot.pause()
        assert text(app, "#q-progress") == f"Question 2 of {total}"
        await pilot.press(*"n" * (total - 1))
        await pilot.pause()
        assert text(app, "#q-progress") == "Your answers"
        summary = choices(app, "#q-summary")
        assert len(summary) == total
        assert all(line.endswith(": No") for line in summary)
        assert "nothing to stop for" in text(app, "#q-text")
        # change one from the summary: it opens that question, then comes back here
        box = app.screen.query_one("#q-summary", OptionList)
        box.highlighted = 2
        await pilot.press("enter")
        await pilot.pause()
        assert text(app, "#q-progress") == f"Question 3 of {total}"
        await pilot.press("n")
        await pilot.pause()
        assert text(app, "#q-progress") == "Your answers"
        await pilot.press("s")
        await settle(pilot)
        assert isinstance(app.screen, TodayScreen)
        assert "PAUSED" not in text(app, "#stats")
    assert rows(enrolled, "SELECT count(*) FROM redflagentry") == [(0,)]
    assert rows(enrolled, "SELECT count(*) FROM pause") == [(0,)]


async def test_a_red_flag_yes_leads_to_the_stop_screen_and_the_pause(enrolled: Path) -> None:
    app, _ = make(enrolled)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("exclamation_mark")
        await pilot.pause()
        await pilot.press("n", "n", "y")  # a gap in the tendon: same day
        await pilot.pause()
        await pilot.press(*"n" * (len(RED_FLAGS) - 3))
        await pilot.pause()
        summary = choices(app, "#q-summary")
        assert summary[2].endswith("A gap or dip in the tendon: Yes")
        assert "saving pauses your program" in text(app, "#q-text")
        await pilot.press("s")
        await settle(pilot)
        assert isinstance(app.screen, RedFlagAlert)
        assert "STOP THE EXERCISES" in text(app, "#alert-title")
        assert "TODAY" in text(app, "#alert-title")
        await pilot.press("enter")
        await settle(pilot)
        assert "PAUSED: red flag" in text(app, "#stats")
    assert rows(enrolled, "SELECT flag FROM redflagentry") == [("gap",)]
    (reason,) = rows(enrolled, "SELECT reason FROM pause")
    assert "red flag" in str(reason[0])


async def test_red_flag_escape_keeps_nothing(enrolled: Path) -> None:
    app, _ = make(enrolled)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("exclamation_mark")
        await pilot.pause()
        await pilot.press("y", "escape")
        await settle(pilot)
        assert isinstance(app.screen, TodayScreen)
    assert rows(enrolled, "SELECT count(*) FROM redflagentry") == [(0,)]


# --- VISA-A -------------------------------------------------------------------------------


async def _pick(pilot: object, index: int) -> None:
    app = pilot.app  # type: ignore[attr-defined]
    app.screen.query_one("#q-choices", OptionList).highlighted = index
    await pilot.press("enter")  # type: ignore[attr-defined]
    await pilot.pause()  # type: ignore[attr-defined]


async def test_visa_a_in_words_back_forward_and_the_item_8_branch_score(achilles: Path) -> None:
    """Items 1–6 answered 1…6, item 7 'the same level as before', item 8 branch B for
    11–20 minutes: 41, as the newcomer review worked out by hand. Changing the branch to C
    from the summary scores item 8 on C's scale instead (5): 36."""
    app, _ = make(achilles)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("v")
        await pilot.pause()
        assert isinstance(app.screen, VisaScreen)
        assert text(app, "#q-progress") == "Question 1 of 8"
        assert "stay stiff?" in text(app, "#q-text")  # the whole question
        labels = [c.lstrip("› ") for c in choices(app)]
        assert labels[0] == "○ 0: stiff for a very long time"
        assert labels[10] == "○ 10: not stiff at all" and len(labels) == 11
        for value in range(1, 7):  # items 1–6
            await _pick(pilot, value)
        assert text(app, "#q-progress") == "Question 7 of 8"
        await pilot.press("left")  # back to item 6: its answer is marked
        await pilot.pause()
        assert text(app, "#q-progress") == "Question 6 of 8"
        assert "› ◉ 6 hops" in choices(app)
        await pilot.press("right")
        await pilot.pause()
        await _pick(pilot, 3)  # item 7: the same level as before the pain (10)
        assert text(app, "#q-progress") == "Question 8 of 8, part 1 of 2"
        await _pick(pilot, 1)  # B: some pain, but I can finish
        assert text(app, "#q-progress") == "Question 8 of 8, part 2 of 2"
        assert "You said B: some pain, but I can finish." in text(app, "#q-note")
        await _pick(pilot, 2)  # 11–20 minutes
        assert text(app, "#q-progress") == "Your answers"
        expected = Answers(1, 2, 3, 4, 5, 6, 10, "B", 11)
        assert score(expected) == 41
        assert "Score: 41/100" in text(app, "#q-text")
        summary = choices(app, "#q-summary")
        assert "8. Training time: B: some pain, but I can finish" in summary[7]
        assert "11–20 minutes" in summary[8]
        box = app.screen.query_one("#q-summary", OptionList)
        box.highlighted = 7
        await pilot.press("enter")  # change the branch
        await pilot.pause()
        assert text(app, "#q-progress") == "Question 8 of 8, part 1 of 2"
        await _pick(pilot, 2)  # C: the pain stops me
        assert text(app, "#q-progress") == "Your answers"  # the minutes are kept
        assert "Score: 36/100" in text(app, "#q-text")
        await pilot.press("s")
        await settle(pilot)
        assert isinstance(app.screen, TodayScreen)
        done = [n.message for n in app._notifications if n.message.startswith("VISA-A")]
        assert done == ["VISA-A 36/100: symptoms remain (100 means none)"]
    assert rows(achilles, "SELECT score FROM assessment") == [(36,)]


async def test_visa_a_save_waits_for_the_summary(achilles: Path) -> None:
    app, _ = make(achilles)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("v")
        await pilot.pause()
        await pilot.press("s")  # not yet: every question first
        await pilot.pause()
        assert "Answer every question first" in text(app, "#q-message")
        await pilot.press("left")
        await pilot.pause()
        assert "This is the first question." in text(app, "#q-message")
        await pilot.press("escape")
        await settle(pilot)
    assert rows(achilles, "SELECT count(*) FROM assessment") == [(0,)]


# --- the pain dialog -----------------------------------------------------------------------


def test_the_pain_guide_and_the_response_above_5() -> None:
    assert [band(s) for s in (0, 2, 3, 5, 6, 10)] == [
        "safe",
        "safe",
        "acceptable",
        "acceptable",
        "too much",
        "too much",
    ]
    assert "0–2 is safe, 3–5 is acceptable, above 5 is too much" in guide_text()
    assert guide_text(4).endswith("Your 4: acceptable.")
    assert pain_response(5, "during") is None
    during = pain_response(6, "during")
    assert during is not None and "Do less next time: fewer sets or less load" in during
    assert "see a clinician" in during
    assert pain_response(9, "night") is None  # a red flag: the stop screen answers it
    assert default_context(11) == "morning" and default_context(12) == "after"


@pytest.mark.parametrize(("hour", "context"), [(8, "morning"), (15, "after")])
async def test_the_pain_context_starts_by_local_time_and_the_cursor_on_it(
    enrolled: Path, hour: int, context: str
) -> None:
    app, _ = make(enrolled, FakeClock(NOW.replace(hour=hour)))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("p")
        await pilot.pause()
        assert f"◉ {context}" in text(app, f"#choice-{context}")
        radios = app.screen.query_one("#context", RadioSet)
        radios.focus()
        await pilot.press("left", "enter")  # the cursor starts on the chosen one
        await pilot.pause()
        wanted = {"morning": "night", "after": "during"}[context]
        assert f"◉ {wanted}" in text(app, f"#choice-{wanted}")


async def test_a_caller_can_start_the_pain_dialog_at_during(enrolled: Path) -> None:
    app, _ = make(enrolled)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        answers: list[object] = []
        app.push_screen(PainDialog("during"), answers.append)
        await pilot.pause()
        assert "◉ during" in text(app, "#choice-during")
        await pilot.press("4", "enter")
        await pilot.pause()
        (answer,) = answers
        assert answer.context == "during" and answer.score == 4  # type: ignore[attr-defined]
        assert answer.warning is False  # type: ignore[attr-defined]


async def test_pain_above_5_gets_a_response_and_the_warning_box_says_yes(
    enrolled: Path,
) -> None:
    app, _ = make(enrolled, FakeClock(NOW.replace(hour=15)))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("p", "8")
        await pilot.pause()
        assert "Your 8: too much." in text(app, "#pain-guide")
        assert "☐ A warning sign today: no" in text(app, "#warning")
        await pilot.click("#warning")
        await pilot.pause()
        assert "☒ A warning sign today: yes" in text(app, "#warning")
        app.screen.query_one("#score", Input).focus()
        await pilot.press("enter")
        await settle(pilot)
        assert type(app.screen).__name__ == "PainResponse"
        assert "Pain 8/10 is too much" in text(app, "#pain-response-text")
        await pilot.press("enter")  # then the warning-sign questions
        await settle(pilot)
        assert isinstance(app.screen, RedFlagQuestions)
    assert rows(enrolled, "SELECT score, context FROM painentry") == [(8, "after")]


# --- the morning check ----------------------------------------------------------------------


async def test_morning_check_refuses_a_bad_pain_and_writes_nothing(enrolled: Path) -> None:
    app, _ = make(enrolled)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("m", "1", "1", "enter")
        await pilot.pause()
        assert "Morning pain: 11 is not a score" in text(app, "#check-error")
        assert type(app.screen).__name__ == "CheckDialog"
    assert rows(enrolled, "SELECT count(*) FROM painentry") == [(0,)]
    assert rows(enrolled, "SELECT count(*) FROM symptomcheck") == [(0,)]


def _advice_reasons(db: Path, today: date) -> list[str]:
    engine = open_engine(f"sqlite:///{db}")
    try:
        with Session(engine) as session:
            patient = journal.find_patient(session, name=None)
            return todays_advice(session, patient=patient, today=today).reasons
    finally:
        engine.dispose()


def _morning_gap(reasons: list[str]) -> list[str]:
    return [r for r in reasons if "morning pain logged on" in r]


async def test_a_daily_morning_check_satisfies_the_advice_need_for_morning_pain(
    tmp_path: Path,
) -> None:
    """Seven mornings of the morning check in the app (pain first) and the advice no longer
    says 'morning pain logged on 0 of 7 days'; without them it does."""
    db = tmp_path / "rehab.db"
    start = date(2026, 3, 2)
    enroll(db, "achilles-midportion-alfredson", side="left", start=start)
    last = start + timedelta(days=13)
    assert _morning_gap(_advice_reasons(db, last))  # nothing logged: the gap is named
    for n in range(7):
        day = last - timedelta(days=6 - n)
        clock = FakeClock(datetime(day.year, day.month, day.day, 8, 0, tzinfo=UTC))
        app, _ = make(db, clock)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await pilot.press("m", "2", "enter")
            await settle(pilot)
            assert isinstance(app.screen, TodayScreen)
    assert rows(db, "SELECT count(*) FROM painentry WHERE context = 'morning'") == [(7,)]
    assert rows(db, "SELECT count(*) FROM symptomcheck") == [(7,)]
    assert _morning_gap(_advice_reasons(db, last)) == []
