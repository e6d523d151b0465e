"""The guided session and Today's "all done", driven by Pilot with a fake clock at 80×24.

The plantar-fasciitis program on both legs, on Tue 10 Mar 2026 at 08:30 (the morning slot;
day 9 of the program, a heel-raise day): the morning session is the plantar-fascia stretch
(10 holds, each leg), supportive shoes, the calf stretch (each leg) and the heel raise."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from textual.widgets import Digits

from rehab.core.redflags import RED_FLAGS
from rehab.tui.app import RehabApp
from rehab.tui.screens.dialogs import SkipDialog
from rehab.tui.screens.redflags import RedFlagAlert, RedFlagQuestions
from rehab.tui.screens.session import SessionScreen
from rehab.tui.screens.today import TodayScreen
from tests.conftest import Rehab
from tests.tui_helpers import SIZE, FakeClock, enroll, make, settle

PF_STRETCH = "Plantar fascia stretch (toes pulled back)"
MORNING = [
    PF_STRETCH,
    "Supportive shoes with arch supports",
    "Calf stretch",
    "Heel raise with a towel under the toes",
]


@pytest.fixture
def pf(tmp_path: Path) -> Path:
    db = tmp_path / "rehab.db"
    enroll(db, "plantar-fasciitis", side="both")
    return db


def rows(db: Path, sql: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(db) as con:
        return con.execute(sql).fetchall()


def sets_by_leg(db: Path, key: str) -> dict[str, int]:
    found = rows(
        db,
        "SELECT side, SUM(sets) FROM doselog WHERE item_key = ? AND status = 'done' "
        "AND voided_at IS NULL GROUP BY side".replace("?", f"'{key}'"),
    )
    return {str(side): int(str(total)) for side, total in found}


def session(app: RehabApp) -> SessionScreen:
    screen = app.screen
    assert isinstance(screen, SessionScreen), type(screen).__name__
    return screen


def shown(app: RehabApp, selector: str) -> str:
    return str(app.screen.query_one(selector).render())


async def start(pilot) -> SessionScreen:  # type: ignore[no-untyped-def]
    await settle(pilot)
    await pilot.press("w")
    await settle(pilot)
    return session(pilot.app)


# --- Today: the whole dose in one key ---------------------------------------------------------


async def test_all_done_logs_every_set_of_every_leg_with_one_key(pf: Path) -> None:
    app, _ = make(pf)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        today = app.screen
        assert isinstance(today, TodayScreen)
        row = today.selected_row()
        assert row is not None and row.first.dose.name == PF_STRETCH
        await pilot.press("d")
        await settle(pilot)
        assert sets_by_leg(pf, "pf-stretch") == {"left": 10, "right": 10}
        # the row is done, and the cursor moved on to the next thing to do
        assert today.view is not None
        done = next(r for r in today.view.rows if r.id == "pf-stretch")
        assert done.status == "done"
        assert today.selected_row() != done
        # once more on a done row writes nothing
        await pilot.press("up", "up", "d")
        await settle(pilot)
        assert sets_by_leg(pf, "pf-stretch") == {"left": 10, "right": 10}


# --- the session ------------------------------------------------------------------------------


async def test_a_whole_slot_takes_a_handful_of_keys(pf: Path) -> None:
    """w, then per exercise: enter (done) and a pain score with enter; the shoes ask no
    pain; enter closes the summary. 12 presses for the morning (it was 60 a day for the
    stretch alone)."""
    app, _ = make(pf)
    presses = 0

    async def press(*keys: str) -> None:
        nonlocal presses
        for key in keys:
            presses += 1
            await pilot.press(key)
            await settle(pilot)

    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press("w")
        screen = session(app)
        assert [r.first.dose.name for r in screen.rows] == MORNING
        await press("enter", "2", "enter")  # the stretch, both legs, pain 2
        await press("enter")  # shoes: nothing to ask
        await press("enter", "1", "enter")  # calf stretch, pain 1
        await press("enter", "3", "enter")  # heel raise, pain 3
        assert screen.step == "summary"
        summary = shown(app, "#session-text")
        assert "4 done, 0 skipped, of 4." in summary
        assert "pain 3/10 (acceptable)" in summary and "pain 2/10 (safe)" in summary
        await press("enter")
        assert isinstance(app.screen, TodayScreen)
    assert presses == 12
    assert sets_by_leg(pf, "pf-stretch") == {"left": 10, "right": 10}
    assert sets_by_leg(pf, "calf-stretch") == {"left": 3, "right": 3}
    assert rows(pf, "SELECT COUNT(*) FROM doselog WHERE item_key = 'supportive-shoes'") == [(1,)]
    assert sets_by_leg(pf, "high-load-heel-raise") == {"left": 3, "right": 3}
    assert rows(pf, "SELECT score, context, note FROM painentry ORDER BY id") == [
        (2, "during", PF_STRETCH),
        (1, "during", "Calf stretch"),
        (3, "during", MORNING[3]),
    ]


async def test_each_step_shows_name_dose_instructions_and_the_pain_guide(pf: Path) -> None:
    app, _ = make(pf)
    async with app.run_test(size=SIZE) as pilot:
        screen = await start(pilot)
        assert shown(app, "#session-title") == "Morning session · exercise 1 of 4"
        assert shown(app, "#session-dose").startswith(PF_STRETCH + ", 10 s hold × 10, each leg")
        assert "before you stand up" in shown(app, "#session-text")  # the whole text
        assert "space: start the timer" in shown(app, "#session-keys")
        await pilot.press("enter")
        await settle(pilot)
        assert screen.step == "pain"
        assert shown(app, "#session-pain") == "Pain: ▏"
        note = shown(app, "#session-note")
        assert "0–2 is safe · 3–5 is acceptable · above 5 is too much" in note
        await pilot.press("1", "1", "enter")  # 11 is not a score: said, nothing written
        await settle(pilot)
        assert screen.step == "pain" and "not a score" in shown(app, "#session-note")
        assert rows(pf, "SELECT COUNT(*) FROM painentry") == [(0,)]
        assert shown(app, "#session-pain") == "Pain: 11▏"
        await pilot.press("backspace", "backspace", "x", "4", "enter")
        await settle(pilot)
        assert screen.step == "exercise" and screen.index == 1
        assert "Last: Pain 4/10 during the exercise: acceptable" in shown(app, "#session-note")
        # the cautions of a dose are shown in full
        cautions = " ".join(screen.rows[2].first.dose.cautions)
        await pilot.press("enter")
        await settle(pilot)
        assert all(c in shown(app, "#session-text") for c in cautions.split(". ") if c)


async def test_a_decimal_pain_score_is_explained_not_turned_into_another_number(
    pf: Path,
) -> None:
    """7.5 in the session's pain step: the '.' is said to be not allowed (it used to be
    dropped, so 7.5 became 75)."""
    app, _ = make(pf)
    async with app.run_test(size=SIZE) as pilot:
        screen = await start(pilot)
        await pilot.press("enter", "7", "full_stop")
        await settle(pilot)
        assert screen.step == "pain" and shown(app, "#session-pain") == "Pain: 7▏"
        assert "Whole numbers only" in shown(app, "#session-note")
        await pilot.press("5")
        await settle(pilot)
        assert shown(app, "#session-pain") == "Pain: 75▏"  # as typed, then refused on enter
        await pilot.press("enter")
        await settle(pilot)
        assert "75 is not a score" in shown(app, "#session-note")
        assert rows(pf, "SELECT COUNT(*) FROM painentry") == [(0,)]


async def test_pain_above_5_gets_a_clear_response(pf: Path) -> None:
    app, _ = make(pf)
    async with app.run_test(size=SIZE) as pilot:
        screen = await start(pilot)
        await pilot.press("enter", "7", "enter")
        await settle(pilot)
        assert screen.step == "too-much"
        note = shown(app, "#session-note")
        assert "7/10 is above 5: that is too much" in note and "do less next time" in note
        assert rows(pf, "SELECT score, context FROM painentry") == [(7, "during")]
        await pilot.press("enter")
        await settle(pilot)
        assert screen.step == "exercise" and screen.index == 1
        await pilot.press("escape")
        await settle(pilot)
        assert "Pain went above 5/10: that is too much" in shown(app, "#session-text")


async def test_the_hold_timer_logs_each_leg_in_turn_as_sets_finish(pf: Path) -> None:
    app, clock = make(pf)
    bells = 0

    def bell() -> None:
        nonlocal bells
        bells += 1

    app.bell = bell  # type: ignore[method-assign]
    async with app.run_test(size=SIZE) as pilot:
        screen = await start(pilot)
        await pilot.press("space")
        await settle(pilot)
        assert "Hold · left leg · set 1 of 10" in shown(app, "#session-status")
        clock.advance(3)
        screen.tick()
        await settle(pilot)
        assert app.screen.query_one("#session-clock", Digits).value == "0:07"
        for _ in range(150 - 3):  # 10 holds of 10 s, 5 s between: the left leg
            clock.advance(1)
            screen.tick()
        await settle(pilot)
        assert sets_by_leg(pf, "pf-stretch") == {"left": 10}
        assert "right leg" in shown(app, "#session-status")
        for _ in range(150):
            clock.advance(1)
            screen.tick()
        await settle(pilot)
        assert sets_by_leg(pf, "pf-stretch") == {"left": 10, "right": 10}
        assert bells == 20  # one at the end of each hold
        assert screen.step == "pain"  # the whole dose is done: on to the pain question


async def test_leaving_mid_way_keeps_what_was_done(pf: Path) -> None:
    app, clock = make(pf)
    async with app.run_test(size=SIZE) as pilot:
        screen = await start(pilot)
        await pilot.press("space")
        for _ in range(38):  # two holds finished (10 s, rest 5 s, 10 s, rest 5 s), a third not
            clock.advance(1)
            screen.tick()
        await settle(pilot)
        await pilot.press("escape")  # in the third hold: it is not logged
        await settle(pilot)
        assert screen.step == "summary"
        text = shown(app, "#session-text")
        assert "Session ended early" in shown(app, "#session-dose")
        assert "What you did is saved" in text and "○ Calf stretch: not reached" in text
        assert sets_by_leg(pf, "pf-stretch") == {"left": 2}
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, TodayScreen)
        assert app.screen.view is not None
        row = next(r for r in app.screen.view.rows if r.id == "pf-stretch")
        assert row.progress == "sets: left 2/10, right 0/10"


async def test_the_tempo_guide_counts_reps_and_sets_with_a_rest(pf: Path) -> None:
    app, clock = make(pf)
    async with app.run_test(size=SIZE) as pilot:
        screen = await start(pilot)
        for _ in range(3):
            await pilot.press("s", "down", "enter")  # no time
            await settle(pilot)
        assert screen.row.first.dose.name == MORNING[3]
        assert shown(app, "#session-dose").endswith(
            "3 s up, 2 s hold, 3 s down, "
            + ("add weight in a backpack as you get stronger, each leg")
        )
        await pilot.press("space")
        await settle(pilot)
        assert shown(app, "#session-status") == "Up · left leg · rep 1 of 12 · set 1 of 3"
        assert app.screen.query_one("#session-clock", Digits).value == "3"  # seconds of "up"
        clock.advance(3)
        screen.tick()
        assert shown(app, "#session-status").startswith("Hold · left leg · rep 1 of 12")
        clock.advance(5)
        screen.tick()
        assert "rep 2 of 12" in shown(app, "#session-status")
        for _ in range(11 * 8):
            clock.advance(1)
            screen.tick()
        await settle(pilot)
        assert shown(app, "#session-status") == "Rest · next: left leg · set 2 of 3"
        assert sets_by_leg(pf, "high-load-heel-raise") == {"left": 1}
        clock.advance(600)  # no rest is prescribed: it waits for the patient
        screen.tick()
        assert screen.step == "exercise" and "Rest" in shown(app, "#session-status")
        await pilot.press("space")
        assert shown(app, "#session-status").startswith("Up · left leg · rep 1 of 12 · set 2")
        await pilot.press("enter")  # done, all of it: the sets left on both legs
        await settle(pilot)
        assert sets_by_leg(pf, "high-load-heel-raise") == {"left": 3, "right": 3}
        assert screen.step == "pain"


async def test_skip_with_a_reason(pf: Path) -> None:
    app, _ = make(pf)
    async with app.run_test(size=SIZE) as pilot:
        screen = await start(pilot)
        await pilot.press("s")
        await settle(pilot)
        assert isinstance(app.screen, SkipDialog)
        await pilot.press("down", "enter")  # no time
        await settle(pilot)
        assert screen.step == "exercise" and screen.index == 1  # no pain question
        await pilot.press("enter", "s", "enter")  # shoes done; calf stretch: too painful
        await settle(pilot)
        assert screen.step == "pain"  # too painful: how much?
        await pilot.press("6", "enter", "enter")
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        text = shown(app, "#session-text")
        assert f"– {PF_STRETCH}: skipped: no time" in text
        assert "– Calf stretch: skipped: too painful · pain 6/10 (too much)" in text
        assert "1 done, 2 skipped, of 4." in text
    assert rows(pf, "SELECT DISTINCT item_key, reason FROM doselog WHERE status = 'skipped'") == [
        ("pf-stretch", "no time"),
        ("calf-stretch", "too painful"),
    ]


async def test_a_warning_sign_pauses_and_ends_the_session(pf: Path) -> None:
    app, _ = make(pf)
    async with app.run_test(size=SIZE) as pilot:
        screen = await start(pilot)
        await pilot.press("enter", "2", "enter", "exclamation_mark")
        await settle(pilot)
        questions = app.screen
        assert isinstance(questions, RedFlagQuestions)
        from rehab.tui.answers import RedFlagAnswers

        answers = tuple((flag.id, i == 0) for i, flag in enumerate(RED_FLAGS))
        questions.dismiss(RedFlagAnswers(answers))  # answered yes to the first
        await settle(pilot)
        assert isinstance(app.screen, RedFlagAlert)
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is screen and screen.step == "summary"
        text = shown(app, "#session-text")
        assert "The program is paused: stop the exercises and see a clinician" in text
        assert f"✔ {PF_STRETCH}: done" in text
    assert rows(pf, "SELECT COUNT(*) FROM redflagentry") == [(1,)]


async def test_nothing_left_says_so(pf: Path) -> None:
    app, _ = make(pf)
    async with app.run_test(size=SIZE) as pilot:
        screen = await start(pilot)
        for _ in MORNING:
            await pilot.press("enter")
            await settle(pilot)
            if screen.step == "pain":
                await pilot.press("enter")  # no answer: nothing logged
                await settle(pilot)
        assert screen.step == "summary", screen.step
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, TodayScreen)
        await pilot.press("w")
        await settle(pilot)
        assert isinstance(app.screen, TodayScreen)
        assert any("Nothing left" in str(n.message) for n in app._notifications)
    assert rows(pf, "SELECT COUNT(*) FROM painentry") == [(0,)]


async def test_the_longest_text_is_never_cut_at_80x24(tmp_path: Path) -> None:
    """The built-in exercise with the most to read (instructions and cautions), on the step
    with the least room (the answer to a pain above 5): all of it can be scrolled to."""
    db = tmp_path / "rehab.db"
    enroll(db, "achilles-insertional")
    app, _ = make(db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        today = app.screen
        assert isinstance(today, TodayScreen) and today.view is not None
        row = next(r for r in today.view.rows if r.id == "calf-stretch")
        screen = SessionScreen(today.view, (row,), "morning")
        await app.push_screen(screen)
        await pilot.press("enter", "9", "enter")
        await settle(pilot)
        assert screen.step == "too-much"
        text = screen.query_one("#session-text")
        body = screen.query_one("#session-body")
        assert row.first.dose.cautions[-1] in shown(app, "#session-text")
        assert text.size.width <= 78  # wrapped to the screen, not cut at its edge
        await pilot.press("end")
        await pilot.pause()
        visible_bottom = body.scroll_offset.y + body.scrollable_content_region.height
        assert visible_bottom >= text.virtual_region.bottom


async def test_pain_above_5_that_makes_a_stop_pauses_as_the_pain_dialog_does(
    rehab: Rehab,
) -> None:
    """Heavy slow resistance: a flare, the reduction accepted, then pain 7/10 at the next
    session. Pain 8/10 in today's session is the week's second despite the reduction: the
    app's own check for a stop raises the red flag, shows the alert, and ends the session."""
    from tests.test_advice_cli import HSR, HSR_EXERCISES, HSR_START, History, at, hsr_week

    h = History(rehab, HSR, HSR_START)
    for week in (1, 2, 3, 4):
        hsr_week(h, week, 3)
    for key in HSR_EXERCISES:
        h.done(28, key, 7)
        h.done(30, key, 7)
    for n in range(28, 31):
        h.morning(n, 2)
    h.run(30, "accept")
    h.morning(32, 2)
    for key in HSR_EXERCISES:
        h.done(32, key, 7)
    h.morning(35, 2)
    app, _ = make(rehab.db, FakeClock(at(h.day(35), 18)))
    async with app.run_test(size=SIZE) as pilot:
        screen = await start(pilot)
        assert screen.row.first.dose.exercise_id == HSR_EXERCISES[0]
        await pilot.press("enter", "8", "enter")
        await settle(pilot)
        assert isinstance(app.screen, RedFlagAlert)
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is screen and screen.step == "summary"
        assert "The program is paused" in shown(app, "#session-text")
    assert rows(rehab.db, "SELECT flag, source FROM redflagentry") == [
        ("pain-despite-reduction", "log")
    ]
