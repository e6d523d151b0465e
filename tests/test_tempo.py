"""The tempo guide (rehab.core.timers) driven by a fake clock, and the session's rules
(rehab.core.session)."""

from __future__ import annotations

from datetime import time

import pytest

from rehab.core.session import pain_band, pain_response, slot_at, too_much
from rehab.core.timers import Event, Leg, TempoGuide, TempoStep, parse_tempo

STEPS = parse_tempo("3 s up, 2 s hold, 3 s down")


def test_parse_tempo_reads_the_templates_words() -> None:
    assert parse_tempo("3 s up, 2 s hold, 3 s down") == (
        TempoStep("up", 3),
        TempoStep("hold", 2),
        TempoStep("down", 3),
    )
    assert parse_tempo("3 s up, 3 s down") == (TempoStep("up", 3), TempoStep("down", 3))
    assert parse_tempo("4 seconds lower") == (TempoStep("lower", 4),)


@pytest.mark.parametrize(
    "text", [None, "", "  ", "slow", "3 s up, slowly down", "0 s up", "90 s up"]
)
def test_no_tempo_no_guide(text: str | None) -> None:
    assert parse_tempo(text) is None


def guide(legs: list[Leg], reps: int = 2, rest: float | None = None) -> TempoGuide:
    assert STEPS is not None
    return TempoGuide(name="Heel raise", legs=legs, reps=reps, steps=STEPS, rest_seconds=rest)


def test_waits_until_go_then_follows_the_tempo() -> None:
    g = guide([Leg(None, 2, 2)])
    assert g.phase == "ready" and g.waiting
    assert g.tick(100.0) == []  # nothing moves before the patient is ready
    g.go(0.0)
    assert (g.step.word, g.remaining(0.0)) == ("up", 3.0)
    assert g.status(0.0) == "Up · rep 1 of 2 · set 1 of 2"
    assert g.tick(3.0) == [] and g.step.word == "hold" and g.remaining(3.0) == 2.0
    assert g.tick(5.0) == [] and g.step.word == "down"
    assert g.tick(8.0) == [Event("rep")]
    assert (g.rep, g.step.word) == (2, "up")


def test_a_set_logs_then_rests_until_the_patient_goes_on() -> None:
    g = guide([Leg(None, 2, 2)])
    g.go(0.0)
    events = g.tick(16.0)  # two reps of 8 s
    assert events == [Event("rep"), Event("rep"), Event("bell"), Event("log-set")]
    assert g.phase == "rest" and g.waiting
    assert g.rested(46.0) == 30.0  # an open-ended rest counts up
    assert g.tick(500.0) == []  # no rest is made up: it waits
    assert g.status(500.0) == "Rest · next: set 2 of 2"
    g.go(500.0)
    assert g.tick(516.0)[-2:] == [Event("log-set"), Event("finished")]
    assert g.phase == "finished" and not g.running


def test_a_prescribed_rest_counts_down_and_goes_on_with_a_bell() -> None:
    g = guide([Leg(None, 2, 2)], reps=1, rest=60)
    g.go(0.0)
    assert g.tick(8.0)[-1] == Event("log-set")
    assert g.phase == "rest" and not g.waiting and g.remaining(38.0) == 30.0
    assert g.tick(68.0) == [Event("bell")]
    assert g.phase == "move" and g.step.word == "up"


def test_each_leg_in_turn() -> None:
    g = guide([Leg("left", 1, 1), Leg("right", 1, 1)], reps=1)
    g.go(0.0)
    assert g.status(0.0).startswith("Up · left leg")
    assert g.tick(8.0)[-1] == Event("log-set", side="left")
    assert g.status(8.0) == "Rest · next: right leg · set 1 of 1"
    g.go(10.0)
    assert g.tick(18.0)[-2:] == [Event("log-set", side="right"), Event("finished")]
    assert g.sets_logged == {"left": 1, "right": 1}


def test_a_leg_already_done_is_skipped() -> None:
    g = guide([Leg("left", 0, 3), Leg("right", 3, 3)])
    assert g.leg.side == "right"
    assert guide([Leg("left", 0, 3)]).phase == "finished"


def test_pause_holds_the_step_and_stop_logs_nothing_cut_short() -> None:
    g = guide([Leg(None, 1, 1)])
    g.go(0.0)
    g.go(1.0)  # go while moving pauses
    assert g.paused and g.remaining(50.0) == 2.0
    assert g.tick(50.0) == []
    g.go(50.0)  # and resumes
    assert g.remaining(51.0) == 1.0
    assert g.stop(52.0) == [Event("finished")]
    assert g.phase == "stopped" and g.sets_logged == {}


def test_slot_follows_the_reminder_times() -> None:
    times = {"morning": "08:00", "midday": "13:00", "evening": "20:00", "night": "21:30"}
    assert slot_at(time(6, 0), times) == "morning"
    assert slot_at(time(12, 59), times) == "morning"
    assert slot_at(time(13, 0), times) == "midday"
    assert slot_at(time(21, 45), times) == "night"


def test_pain_guide_words() -> None:
    assert [pain_band(s) for s in (0, 2, 3, 5, 6, 10)] == [
        "safe",
        "safe",
        "acceptable",
        "acceptable",
        "too much",
        "too much",
    ]
    assert not too_much(5) and too_much(6)
    assert "too much" in pain_response(7) and "do less next time" in pain_response(7)
    assert "safe" in pain_response(1)


def test_session_takes_the_slot_then_missed_ones_never_later_ones() -> None:
    from datetime import date

    from rehab.core.catalog import load_catalog
    from rehab.core.checklist import DoseProgress
    from rehab.core.rows import build_rows
    from rehab.core.schedule import plan_day
    from rehab.core.session import session_rows
    from rehab.paths import builtin_programs_dir

    program = load_catalog(builtin_programs_dir(), None).get("plantar-fasciitis")
    plan = plan_day(program, start=date(2026, 3, 2), day=date(2026, 3, 10), side="both")
    items = [DoseProgress(d, 0, "open") for d in plan.doses]
    rows = build_rows(items)
    names = lambda found: [(r.slot, r.id) for r in found]  # noqa: E731
    assert names(session_rows(rows, "morning")) == [
        ("morning", "pf-stretch"),
        ("morning", "supportive-shoes"),
        ("any", "calf-stretch"),
        ("any", "high-load-heel-raise"),
    ]
    # the morning done, 'any time' done: at midday, the midday stretch
    done = {"pf-stretch", "supportive-shoes", "calf-stretch", "high-load-heel-raise"}
    items = [DoseProgress(i.dose, 99, "done") if i.dose.key in done else i for i in items]
    assert names(session_rows(build_rows(items), "midday")) == [("midday", "pf-stretch#2")]
    # at night (nothing of its own): the evening one still open; in the morning: nothing
    assert names(session_rows(build_rows(items), "night")) == [
        ("midday", "pf-stretch#2"),
        ("evening", "pf-stretch#3"),
    ]
    assert session_rows(build_rows(items), "morning") == ()
    assert len(session_rows(build_rows(items), None)) == 2  # a past day: all that is open
