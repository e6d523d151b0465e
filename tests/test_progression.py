"""The pain-monitoring model (advise) and the expected course (on_track), rule by rule."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from pathlib import Path

import pytest

from rehab.core.course import on_track
from rehab.core.progression import (
    BREACH_DAYS,
    COURSE_WEEKS,
    MIN_LOGGED_DAYS,
    NRS_IMPORTANT_FRACTION,
    NRS_IMPORTANT_POINTS,
    PAIN_DURING_LIMIT,
    PAIN_FREE,
    Advice,
    DayObservation,
    advise,
)
from rehab.core.schedule import PauseDays, Progression
from rehab.core.template import Program, load_program_file, parse_program

REPO = Path(__file__).resolve().parents[1]
TODAY = date(2024, 3, 20)  # a Wednesday
LONG_AGO = TODAY - timedelta(days=60)

Scores = Sequence[int | None]


def program(max_pain: int = 5, load_step: float | None = 5) -> Program:
    """Three phases (min 1, 2 and 1 weeks), one strengthening exercise with a load step."""
    exercise: dict[str, object] = {
        "id": "raise",
        "name": "Heel raise",
        "kind": "strengthen",
        "instructions": "Rise and lower slowly.",
        "sets": 3,
        "reps": 15,
        "source": "t",
    }
    if load_step is not None:
        exercise["load_step_kg"] = load_step
    return parse_program(
        {
            "id": "test",
            "name": "Test program",
            "summary": "For tests.",
            "conditions": ["achilles-midportion"],
            "weeks": 12,
            "sources": ["t"],
            "phases": [
                {"id": "p1", "name": "Phase 1", "weeks": [1, 2], "min_weeks": 1},
                {
                    "id": "p2",
                    "name": "Phase 2",
                    "weeks": [2, 5],
                    "min_weeks": 2,
                    "max_pain_during": max_pain,
                },
                {"id": "p3", "name": "Phase 3", "weeks": [5, 12], "min_weeks": 1},
            ],
            "exercises": [exercise],
        }
    )


def days(
    morning: Scores,
    during: Scores | int | None = 3,
    *,
    stiffness: Scores | None = None,
    after: Scores | None = None,
    paused: Sequence[int] = (),
    end: date = TODAY,
) -> list[DayObservation]:
    """One observation per day ending on `end`; `paused` are indexes into the lists."""
    n = len(morning)
    during_list = during if isinstance(during, Sequence) else [during] * n
    assert len(during_list) == n
    return [
        DayObservation(
            end - timedelta(days=n - 1 - i),
            morning_pain=morning[i],
            pain_during=during_list[i],
            pain_after=after[i] if after else None,
            stiffness_minutes=stiffness[i] if stiffness else None,
            paused=i in paused,
        )
        for i in range(n)
    ]


GOOD = [3] * 7 + [2] * 7  # last week 3.0, this week 2.0: falling


def run(
    log: list[DayObservation],
    phase: str = "p2",
    *,
    level: int = 0,
    start: date = LONG_AGO,
    prog: Program | None = None,
    **kw: object,
) -> Advice:
    return advise(
        prog or program(),
        log,
        phase_id=phase,
        phase_start=start,
        load_level=level,
        today=TODAY,
        **kw,  # type: ignore[arg-type]
    )


def has(texts: list[str], part: str) -> bool:
    return any(part in text for text in texts)


def test_thresholds_are_the_ones_in_clinical_md() -> None:
    assert PAIN_DURING_LIMIT == 5  # "may reach 5/10 ... above 5 too much"
    assert PAIN_FREE == 0  # Alfredson: add load when pain-free
    assert BREACH_DAYS == 2  # "breached on 2+ days in a week"
    assert COURSE_WEEKS == 12
    assert (NRS_IMPORTANT_POINTS, NRS_IMPORTANT_FRACTION) == (2, 0.30)  # Farrar 2001


# --- pain during exercise -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("latest", "decision"),
    [(0, "progress"), (5, "progress"), (6, "reduce"), (10, "reduce")],
)
def test_pain_during_up_to_5_is_acceptable_above_5_reduces(latest: int, decision: str) -> None:
    advice = run(days(GOOD, [3] * 13 + [latest]))
    assert advice.decision == decision
    if decision == "reduce":
        assert has(
            advice.reasons, f"pain during exercise {latest}/10 on Wed 20 Mar, above the 5/10"
        )
        assert advice.would_change == ["pain during exercise back to 5/10 or less"]
    else:
        assert has(advice.reasons, f"pain during exercise {max(3, latest)}/10 or less on 7 of")


def test_reasons_say_the_rules_in_words_and_numbers() -> None:
    advice = run(days(GOOD, [3] * 7 + [4, 4, 2, 4, 3, 4, 4]))
    assert advice.decision == "progress"
    assert advice.reasons[:3] == [
        "pain during exercise 4/10 or less on 7 of the last 7 days",
        "next-morning pain not higher: 2/10 on Wed 20 Mar, the morning after the session on "
        "Tue 19 Mar vs 2/10 before it",
        "morning pain this week 2.0 vs 3.0 last week",
    ]


@pytest.mark.parametrize(
    ("ceiling", "latest", "decision"),
    [(3, 3, "progress"), (3, 4, "reduce"), (8, 5, "progress"), (8, 6, "reduce")],
)
def test_a_phase_may_lower_the_ceiling_but_never_raise_it(
    ceiling: int, latest: int, decision: str
) -> None:
    advice = run(days(GOOD, [2] * 13 + [latest]), prog=program(max_pain=ceiling))
    assert advice.decision == decision


def test_one_earlier_day_above_5_holds_until_a_good_week() -> None:
    advice = run(days(GOOD, [3] * 9 + [6] + [3] * 4))  # Sat 16 Mar, then back within limits
    assert advice.decision == "hold"
    assert advice.reasons[0] == "pain during exercise was 6/10 on Sat 16 Mar, above 5/10"
    assert has(advice.would_change, "a week after Sat 16 Mar with pain during exercise at 5/10")
    assert (advice.next_phase, advice.next_load_level) == (None, 0)


# --- flare-up and how far down --------------------------------------------------------------


def test_a_flare_up_week_reduces_and_names_the_days() -> None:
    advice = run(days(GOOD, [3] * 7 + [3, 7, 3, 6, 3, 8, 3]))  # latest session is fine
    assert advice.decision == "reduce"
    assert advice.reasons[0] == (
        "flare-up: pain during exercise above 5/10 on 3 of the last 7 days "
        "(7/10 on Fri 15 Mar, 6/10 on Sun 17 Mar, 8/10 on Tue 19 Mar)"
    )
    assert advice.next_phase == "p1"
    assert not has(advice.reasons, "see a clinician")


def test_pain_above_5_on_most_days_points_at_the_red_flag() -> None:
    advice = run(days(GOOD, [3] * 7 + [6, 6, 3, 7, 6, 3, 3]))
    assert advice.decision == "reduce"
    assert has(advice.reasons, "most sessions of the week")
    assert has(advice.reasons, "see a clinician")


@pytest.mark.parametrize(
    ("phase", "level", "flare", "next_phase", "next_level", "says"),
    [
        ("p2", 2, False, None, 1, "back to load level 1 (from 2)"),
        ("p2", 2, True, None, 1, "back to load level 1 (from 2)"),
        ("p3", 1, True, None, 0, "back to load level 0 (from 1)"),
        ("p2", 0, True, "p1", 0, "back to Phase 1"),
        ("p3", 0, True, "p2", 0, "back to Phase 2"),
        ("p2", 0, False, None, 0, "one set fewer of each strengthening exercise"),
        ("p1", 0, True, None, 0, "one set fewer of each strengthening exercise"),
        ("p1", 0, False, None, 0, "one set fewer of each strengthening exercise"),
    ],
)
def test_reduce_steps_down_once_never_below_level_0_or_the_first_phase(
    phase: str, level: int, flare: bool, next_phase: str | None, next_level: int, says: str
) -> None:
    during = [3] * 12 + ([6, 6] if flare else [3, 6])
    advice = run(days(GOOD, during), phase, level=level)
    assert advice.decision == "reduce"
    assert (advice.next_phase, advice.next_load_level) == (next_phase, next_level)
    assert advice.next_load_level >= 0
    assert advice.reasons[-1].startswith("reduce: ") and says in advice.reasons[-1]


def test_signs_of_too_much_load_count_even_with_little_data() -> None:
    log = days([None] * 12 + [2, 2], [None] * 12 + [None, 7])
    assert run(log).decision == "reduce"


# --- next morning ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("yesterday", "today", "decision"),
    [(2, 1, "progress"), (2, 2, "progress"), (2, 3, "reduce"), (0, 4, "reduce")],
)
def test_next_morning_pain_higher_than_the_morning_before_reduces(
    yesterday: int, today: int, decision: str
) -> None:
    morning = [3] * 7 + [2] * 5 + [yesterday, today]
    advice = run(days(morning, after=[None] * 12 + [4, None]))
    assert advice.decision == decision
    if decision == "reduce":
        assert advice.reasons[0] == (
            f"next-morning pain higher: {today}/10 on Wed 20 Mar, the morning after the session "
            f"on Tue 19 Mar vs {yesterday}/10 before it (pain after exercise 4/10 had not "
            "settled)"
        )
        assert advice.would_change == [
            "the morning after a session no worse than the morning before it"
        ]


# --- week over week -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("last_week", "this_week", "decision", "says"),
    [
        ([3] * 7, [3] * 7, "progress", "morning pain this week 3.0, the same as last week"),
        # a rise below the smallest detectable change (1 point, Salaffi 2004) is no change
        ([2] * 7, [3, 2, 2, 2, 2, 2, 2], "progress", "a rise below 1 point"),
        ([2] * 7, [3, 3, 3, 3, 3, 2, 2], "progress", "2.7 vs 2.0 last week: a rise below 1"),
        ([2] * 7, [3, 3, 3, 3, 3, 3, 3], "reduce", "morning pain rising: 3.0 this week vs 2.0"),
        ([4, 2, 2, 2, 2, 2, 2], [3, 2, 2, 2, 2, 2, 2], "progress", "this week 2.1 vs 2.3"),
        ([2] * 7, [4, 4, 4, 3, 3, 3, 3], "reduce", "morning pain rising: 3.4 this week vs 2.0"),
    ],
)
def test_morning_pain_must_not_rise_week_over_week(
    last_week: list[int], this_week: list[int], decision: str, says: str
) -> None:
    advice = run(days(last_week + this_week))
    assert advice.decision == decision
    assert has(advice.reasons, says)


@pytest.mark.parametrize(
    ("last_week", "this_week", "decision"),
    [(10, 10, "progress"), (10, 12, "progress"), (15, 12, "progress")],
)
def test_morning_stiffness_alone_is_not_acted_on(
    last_week: int, this_week: int, decision: str
) -> None:
    """CLINICAL.md gives no stiffness threshold: a rise counts only with a pain rise."""
    advice = run(days(GOOD, stiffness=[last_week] * 7 + [this_week] * 7))
    assert advice.decision == decision
    if this_week > last_week:
        assert has(advice.reasons, "stiffness alone is not acted on")
    else:
        assert has(advice.reasons, "morning stiffness this week")


def test_morning_stiffness_rising_with_pain_is_named_as_a_second_reason() -> None:
    morning = [2] * 7 + [3] * 7
    advice = run(days(morning, stiffness=[10] * 7 + [20] * 7))
    assert advice.decision == "reduce"
    assert has(advice.reasons, "morning pain rising: 3.0 this week vs 2.0")
    assert has(advice.reasons, "morning stiffness rising: 20 minutes this week vs 10 minutes")


def test_no_comparison_without_last_week_does_not_block_a_step() -> None:
    advice = run(days([2] * 7), "p1", start=TODAY - timedelta(days=7))
    assert advice.decision == "progress" and advice.next_phase == "p2"
    assert has(advice.reasons, "morning pain not compared with last week (logged on 0 days")


# --- phases and min_weeks -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("days_in_phase", "decision"), [(13, "hold"), (14, "progress"), (20, "progress")]
)
def test_next_phase_only_once_min_weeks_have_passed(days_in_phase: int, decision: str) -> None:
    advice = run(days(GOOD), "p2", start=TODAY - timedelta(days=days_in_phase))  # min 2 weeks
    assert advice.decision == decision
    if decision == "progress":
        assert (advice.next_phase, advice.next_load_level) == ("p3", 0)
        assert has(advice.reasons, f"{days_in_phase} days in Phase 2 (at least 2 weeks needed)")
    else:
        assert advice.next_phase is None
        assert has(advice.would_change, "Phase 3 from Thu 21 Mar at the earliest")


def test_paused_days_do_not_count_towards_min_weeks() -> None:
    pause = PauseDays(TODAY - timedelta(days=5), TODAY - timedelta(days=3))  # two days
    advice = run(days(GOOD), "p2", start=TODAY - timedelta(days=14), pauses=[pause])
    assert advice.decision == "hold"
    assert has(advice.would_change, "from Fri 22 Mar at the earliest")


def test_moving_to_the_next_phase_resets_the_load_level() -> None:
    advice = run(days(GOOD), "p1", level=2, start=TODAY - timedelta(days=7))
    assert (advice.decision, advice.next_phase, advice.next_load_level) == ("progress", "p2", 0)


def test_advice_becomes_the_progression_to_record() -> None:
    advice = run(days(GOOD), "p1", start=TODAY - timedelta(days=7))
    assert advice.progression(TODAY) == Progression(TODAY, "p2", 0)


# --- load steps (Alfredson variant) ---------------------------------------------------------


def alfredson() -> Program:
    return load_program_file(REPO / "programs" / "achilles-midportion-alfredson.toml")


@pytest.mark.parametrize(
    ("during", "level", "since", "decision", "next_level"),
    [
        (0, 0, None, "progress", 1),
        (0, 2, 7, "progress", 3),
        (0, 2, 6, "hold", 2),  # the last step was less than a week ago
        (1, 0, None, "hold", 0),  # not pain-free
    ],
)
def test_pain_free_exercise_adds_one_load_step_a_week(
    during: int, level: int, since: int | None, decision: str, next_level: int
) -> None:
    load_since = None if since is None else TODAY - timedelta(days=since)
    advice = run(
        days(GOOD, during),
        "eccentric-loading",
        level=level,
        prog=alfredson(),
        load_since=load_since,
    )
    assert (advice.decision, advice.next_phase, advice.next_load_level) == (
        decision,
        None,
        next_level,
    )
    if decision == "progress":
        assert has(advice.reasons, "pain-free exercise (0/10 during) on all 7 logged days")
        assert has(advice.reasons, "add one load step (+5 kg)")
    elif during:
        assert has(advice.would_change, "the highest this week was 1/10")
    else:
        assert has(advice.would_change, "from Thu 21 Mar if exercise stays pain-free")


def test_a_program_without_load_steps_holds_in_its_last_phase() -> None:
    advice = run(days(GOOD, 0), "p3", prog=program(load_step=None))
    assert advice.decision == "hold"
    assert has(advice.reasons, "Phase 3 is the last phase")
    assert advice.reasons[-1] == "keep the current phase and load"


# --- missing and paused days ----------------------------------------------------------------


def test_too_little_data_holds_and_says_exactly_what_is_missing() -> None:
    morning = [3] * 7 + [2, None, 2, None, None, 2, 2]
    advice = run(days(morning, [3] * 7 + [3, None, None, 3, None, None, 3]))
    assert advice.decision == "hold"
    assert not has(advice.reasons, "morning pain logged")  # 4 of 7 is enough
    assert advice.reasons[0] == (
        "too little data: pain during exercise logged for 3 of the 7 sessions planned in the "
        "last 7 days (need 4); not logged on Fri 15 Mar, Sat 16 Mar, Mon 18 Mar, Tue 19 Mar"
    )
    assert advice.would_change == ["log pain during exercise (`--pain`) at 1 more session"]


@pytest.mark.parametrize("logged", range(MIN_LOGGED_DAYS + 1))
def test_four_logged_days_of_seven_are_enough(logged: int) -> None:
    this_week = [None] * (7 - logged) + [2] * logged
    advice = run(days([3] * 7 + this_week, 3))
    if logged >= MIN_LOGGED_DAYS:
        assert advice.decision == "progress"
    else:
        assert advice.decision == "hold"
        more = MIN_LOGGED_DAYS - logged
        assert advice.would_change == [
            f"log morning pain on {more} more day" + ("s" if more > 1 else "")
        ]


def test_the_morning_after_the_last_session_unknown_holds() -> None:
    """Progress only when the morning after the last session is known: yesterday's 7/10
    after exercise with no morning score today is not a reason to step up."""
    advice = run(days([2] * 13 + [None], after=[None] * 12 + [7, None]))
    assert advice.decision == "hold"
    assert advice.reasons[0] == (
        "the morning after the session on Tue 19 Mar is not logged, so the next-morning "
        "response is unknown"
    )
    assert advice.would_change == ["log morning pain for Wed 20 Mar"]


def test_an_older_session_morning_counts_as_before_when_the_session_day_has_none() -> None:
    advice = run(days([None, 2] * 7))  # 4 of the last 7 mornings, yesterday's not logged
    assert advice.decision == "progress"
    assert has(advice.reasons, "2/10 on Wed 20 Mar, the morning after the session on Tue 19")


def test_paused_days_are_left_out_and_the_week_reaches_back() -> None:
    # Three paused days with bad scores inside the last week: they neither count as breaches
    # nor as missing days; the week is the 7 active days, reaching back past the pause.
    morning = [3] * 7 + [2] * 5 + [9, 9, 9] + [2, 2]
    during = [3] * 12 + [9, 9, 9] + [3, 3]
    advice = run(days(morning, during, paused=[12, 13, 14]))
    assert advice.decision == "progress"
    assert has(advice.reasons, "on 7 of the last 7 days (paused days left out)")
    assert has(advice.reasons, "morning pain this week 2.0 vs 3.0 last week")


def test_pause_spans_work_like_paused_days() -> None:
    morning = [3] * 7 + [2] * 4 + [None] * 4 + [2, 2]
    pause = PauseDays(TODAY - timedelta(days=5), TODAY - timedelta(days=1))
    assert run(days(morning), pauses=[pause]).decision == "progress"
    assert run(days(morning)).decision == "hold"  # the same gap unpaused is missing data


def test_no_change_while_paused_today() -> None:
    advice = run(days(GOOD, paused=[13]))
    assert advice.decision == "hold"
    assert advice.reasons == ["the program is paused today: no change while it is paused"]


# --- bad input ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"morning_pain": 11}, "morning pain on 2024-03-20: 11 is not allowed"),
        ({"pain_during": -1}, "pain during on 2024-03-20: -1 is not allowed"),
        ({"pain_after": True}, "pain after on 2024-03-20: True is not allowed"),
        ({"morning_pain": 2.5}, "allowed: a whole number from 0 to 10"),
        ({"stiffness_minutes": -5}, "allowed: whole minutes, 0 or more"),
    ],
)
def test_bad_observations_are_one_line_errors(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        DayObservation(TODAY, **kwargs)  # type: ignore[arg-type]


def test_bad_advice_input() -> None:
    with pytest.raises(ValueError, match=r"phase 'p9' is not in program 'test' \(allowed: p1"):
        run(days(GOOD), "p9")
    with pytest.raises(ValueError, match="load level -1 is not allowed"):
        run(days(GOOD), level=-1)
    with pytest.raises(ValueError, match="phase start 2024-03-21 is after today"):
        run(days(GOOD), start=TODAY + timedelta(days=1))
    with pytest.raises(ValueError, match="two observations for 2024-03-20"):
        run([*days(GOOD), DayObservation(TODAY, morning_pain=1)])


def test_days_after_today_are_ignored() -> None:
    future = DayObservation(TODAY + timedelta(days=1), morning_pain=9, pain_during=9)
    assert run([*days(GOOD), future]).decision == "progress"


# --- on track? ------------------------------------------------------------------------------


def course(first: int, middle: int, last: int, weeks: int) -> tuple[list[DayObservation], date]:
    """Morning pain for a program started `weeks` weeks ago: `first` in the first week, then
    `middle`, and `last` in the last 7 days."""
    start = TODAY - timedelta(days=7 * weeks)
    n = 7 * weeks + 1
    morning: list[int | None] = [*[first] * 7, *[middle] * (n - 14), *[last] * 7]
    return days(morning, 3), start


@pytest.mark.parametrize(
    ("first", "middle", "last", "weeks", "status"),
    [
        (4, 3, 3, 12, "not on track"),  # down 1 point (25%) after 12 weeks
        (4, 3, 2, 12, "on track"),  # down 2 points
        (3, 3, 2, 12, "on track"),  # down 1 point, 33%
        (6, 5, 5, 12, "not on track"),  # down 1 point, 17%
        (4, 3, 3, 11, "too early to tell"),
        (5, 3, 3, 4, "on track"),  # an important fall counts at any time
        (0, 0, 0, 12, "on track"),  # nothing to fall from
    ],
)
def test_on_track_after_12_weeks_needs_morning_pain_down_2_points_or_30_percent(
    first: int, middle: int, last: int, weeks: int, status: str
) -> None:
    log, start = course(first, middle, last, weeks)
    check = on_track(log, start=start, today=TODAY)
    assert check.status == status
    if status == "not on track":
        assert check.sentence.startswith(f"Not on track: no important improvement after {weeks}")
        assert "See your clinician" in check.sentence
    if status == "too early to tell":
        assert check.sentence.startswith("Too early to tell: 11 weeks of 12 done")


def test_thirty_percent_is_measured_at_the_precision_shown() -> None:
    log, start = course(3, 3, 2, 12)  # 3.0 → 2.0
    log = log[:-7] + days([2, 2, 2, 2, 2, 3, 3], 3)  # mean 2.3: down 0.7 of 0.9 needed
    assert on_track(log, start=start, today=TODAY).status == "not on track"
    log = log[:-7] + days([2, 2, 2, 2, 2, 2, 3], 3)  # mean 2.1: down 0.9 = 30% of 3.0
    # the last day rises from 2 to 3: one breach, not two
    check = on_track(log, start=start, today=TODAY)
    assert check.status == "on track"
    assert check.sentence == "On track: morning pain 2.1 this week vs 3.0 at the start (down 0.9)."


@pytest.mark.parametrize(
    ("during", "morning", "breaches"),
    [
        ([3, 3, 3, 6, 3, 3, 7], [2] * 7, 2),
        ([3, 3, 3, 6, 3, 3, 3], [2, 2, 2, 2, 2, 2, 3], 2),  # one each kind, on different days
        ([3, 3, 3, 6, 3, 3, 3], [2] * 7, 1),
        ([3, 3, 3, 3, 3, 3, 6], [2, 2, 2, 2, 2, 2, 3], 1),  # both on the same day: one day
    ],
)
def test_pain_guide_broken_on_2_days_of_a_week_is_not_on_track(
    during: list[int], morning: list[int], breaches: int
) -> None:
    start = TODAY - timedelta(days=21)
    log = days([2] * 15 + morning, [3] * 15 + during)
    check = on_track(log, start=start, today=TODAY)
    if breaches >= BREACH_DAYS:
        assert check.status == "not on track"
        assert check.sentence.startswith("Not on track: the pain guide was broken on 2 of")
        assert len(check.reasons) == 2
    else:
        assert check.status == "too early to tell"


@pytest.mark.parametrize(
    ("scores", "status"),
    [
        ([50, 64], "on track"),  # up 14
        ([50, 63], "not on track"),
        ([91], "on track"),  # about full recovery already
        ([60], "not enough data"),  # one score shows no change
        ([], "not enough data"),
    ],
)
def test_on_track_by_visa_a(scores: list[int], status: str) -> None:
    start = TODAY - timedelta(days=7 * 13)
    dated = [(start + timedelta(days=40 * i), s) for i, s in enumerate(scores)]
    check = on_track([], start=start, today=TODAY, visa_scores=dated)
    assert check.status == status
    if status == "not enough data":
        assert check.sentence.startswith("Cannot tell after 13 weeks")


def test_without_the_visa_a_the_course_asks_only_for_morning_pain() -> None:
    """A program that does not use the VISA-A (or a red flag open): no call to fill it in,
    but a score already taken still counts."""
    start = TODAY - timedelta(days=7 * 13)
    check = on_track([], start=start, today=TODAY, visa_offered=False)
    assert check.status == "not enough data"
    assert check.sentence.endswith("log morning pain on at least 4 days a week.")
    assert "VISA-A" not in check.sentence
    scores = [(start, 50), (start + timedelta(days=60), 64)]
    assert on_track(
        [], start=start, today=TODAY, visa_scores=scores, visa_offered=False
    ).status == ("on track")


def test_either_measure_improving_is_on_track() -> None:
    log, start = course(4, 3, 3, 12)  # pain down only 1
    visa = [(start, 50), (TODAY, 66)]
    check = on_track(log, start=start, today=TODAY, visa_scores=visa)
    assert check.status == "on track"
    assert check.sentence == "On track: VISA-A 66 on Wed 20 Mar vs 50 on Wed 27 Dec."


def test_paused_weeks_do_not_count_towards_12() -> None:
    log, start = course(4, 3, 3, 12)
    pause = PauseDays(start + timedelta(days=20), start + timedelta(days=27))
    check = on_track(log, start=start, today=TODAY, pauses=[pause])
    assert check.status == "too early to tell"


def test_bad_visa_score_is_refused() -> None:
    with pytest.raises(ValueError, match="VISA-A score on 2024-03-20: 101 is not allowed"):
        on_track([], start=LONG_AGO, today=TODAY, visa_scores=[(TODAY, 101)])
