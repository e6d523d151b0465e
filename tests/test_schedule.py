"""Schedule expansion: properties over generated programs, starts, sides and pauses."""

from __future__ import annotations

import itertools
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rehab.core.schedule import (
    DayPlan,
    PauseDays,
    Progression,
    end_of_program,
    plan_day,
    program_day,
)
from rehab.core.template import DoseRange, Program, load_program_file, parse_program

REPO = Path(__file__).resolve().parents[1]
SLOT_NAMES = ["morning", "midday", "evening", "night", "any"]
PROPS = settings(deadline=None, max_examples=200)


# --- strategies -----------------------------------------------------------------------------

# month and year ends, leap days and DST weekends on top of uniform dates
EDGE_STARTS = [
    date(2020, 2, 28),
    date(2020, 2, 29),
    date(2021, 2, 28),
    date(2023, 12, 31),
    date(2024, 1, 1),
    date(2024, 2, 29),
    date(2025, 12, 25),
    date(2026, 3, 29),
    date(2026, 3, 8),
    date(2027, 1, 31),
    date(2029, 4, 30),
    date(2030, 12, 31),
]
starts = st.one_of(
    st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31)),
    st.sampled_from(EDGE_STARTS),
)
enrolled_sides = st.sampled_from(["left", "right", "both"])


# strategies are built once: building them inside a composite costs more than the test itself
BOOL = st.booleans()
WEEKS = st.integers(1, 8)
PHASE_CUTS = st.sets(st.integers(2, 8), max_size=2)  # weeks where phase 2 and 3 begin
EXERCISE = st.tuples(
    st.integers(1, 3),  # times_per_day
    BOOL,  # one slot for all, or one per time
    st.lists(st.sampled_from(SLOT_NAMES), min_size=3, max_size=3),
    st.sampled_from(["stretch", "strengthen", "ice", "walk"]),
    st.sampled_from(["each", "affected", "none"]),
    st.sampled_from(["daily", "every-other-day", "3-per-week"]),
    st.integers(1, 4),  # sets
    BOOL,  # limited to some phases?
    st.lists(st.integers(0, 2), min_size=1, max_size=3, unique=True),  # which phases
)
EXERCISES = st.lists(EXERCISE, min_size=1, max_size=5)
PHASE_FLAGS = st.lists(BOOL, min_size=3, max_size=3)  # phase.unverified
PAUSE_FIRST = st.integers(-10, 30)
PAUSE_SHAPE = st.lists(st.tuples(st.integers(1, 15), st.integers(0, 20)), max_size=3)
PROGRESSION = st.tuples(st.integers(0, 10_000), st.integers(0, 2), st.integers(0, 3))
PROGRESSIONS = st.lists(PROGRESSION, max_size=2)


@st.composite
def programs(draw: st.DrawFn, always_in_phase: bool = False) -> Program:
    weeks = draw(WEEKS)
    bounds = sorted(c for c in draw(PHASE_CUTS) if c <= weeks)
    lows = [1, *bounds]
    highs = [b - 1 for b in bounds] + [weeks]
    phase_ids = [f"p{i}" for i in range(len(lows))]
    flags = draw(PHASE_FLAGS)
    phases = [
        {"id": pid, "name": f"Phase {i}", "weeks": [lo, hi], "unverified": flags[i]}
        for i, (pid, lo, hi) in enumerate(zip(phase_ids, lows, highs, strict=True))
    ]
    exercises: list[dict[str, Any]] = []
    for i, spec in enumerate(draw(EXERCISES)):
        times, one_slot, slots, kind, side, days, sets, limited, in_phases = spec
        ex: dict[str, Any] = {
            "id": f"ex-{i}",
            "name": f"Exercise {i}",
            "kind": kind,
            "instructions": "Do it.",
            "side": side,
            "days": days,
            "times_per_day": times,
            "slots": slots[:1] if one_slot else slots[:times],
            "sets": sets,
            "source": "test",
        }
        if limited and not always_in_phase:
            ex["phases"] = sorted({phase_ids[k % len(phase_ids)] for k in in_phases})
        exercises.append(ex)
    return parse_program(
        {
            "id": "generated",
            "name": "Generated",
            "summary": "Generated for a property test.",
            "conditions": ["heel-pain"],
            "weeks": weeks,
            "sources": ["test"],
            "phases": phases,
            "exercises": exercises,
        }
    )


@st.composite
def pause_lists(draw: st.DrawFn, start: date) -> list[PauseDays]:
    """Non-overlapping pauses around `start`, some beginning before it, some adjacent."""
    pauses: list[PauseDays] = []
    cursor = start + timedelta(days=draw(PAUSE_FIRST))
    for length, gap in draw(PAUSE_SHAPE):
        pauses.append(PauseDays(cursor, cursor + timedelta(days=length)))
        cursor += timedelta(days=length + gap)
    return pauses


@dataclass
class Scenario:
    program: Program
    start: date
    side: str
    pauses: list[PauseDays]
    progressions: list[Progression]
    _active: list[DayPlan] | None = None

    def plan(self, day: date) -> DayPlan:
        return plan_day(
            self.program,
            start=self.start,
            side=self.side,  # type: ignore[arg-type]
            day=day,
            pauses=self.pauses,
            progressions=self.progressions,
        )

    @property
    def end(self) -> date | None:
        return end_of_program(self.program, start=self.start, pauses=self.pauses)

    def days(self, before: int = 3, after: int = 10) -> list[date]:
        end = self.end
        assert end is not None
        first = self.start - timedelta(days=before)
        return [first + timedelta(days=n) for n in range((end - first).days + after + 1)]

    def active(self) -> list[DayPlan]:
        """The plans of the active days from start to end, computed once."""
        if self._active is None:
            plans = (self.plan(d) for d in self.days(0, 0))
            self._active = [p for p in plans if p.status == "active"]
        return self._active


@st.composite
def scenarios(
    draw: st.DrawFn, always_in_phase: bool = False, with_progressions: bool = True
) -> Scenario:
    program = draw(programs(always_in_phase=always_in_phase))
    start = draw(starts)
    pauses = draw(pause_lists(start))
    progressions: list[Progression] = []
    if with_progressions:
        span = program.weeks * 7 + 4  # effective from 3 days before the start to the end
        for offset, phase, level in draw(PROGRESSIONS):
            progressions.append(
                Progression(
                    effective=start + timedelta(days=offset % span - 3),
                    phase_id=program.phases[phase % len(program.phases)].id,
                    load_level=level,
                )
            )
    return Scenario(program, start, draw(enrolled_sides), pauses, progressions)


def paused(day: date, pauses: list[PauseDays]) -> bool:
    return any(p.start <= day and (p.end is None or day < p.end) for p in pauses)


def in_phase(plan: DayPlan, exercise_id: str, program: Program) -> bool:
    assert plan.phase is not None
    phases = program.exercise(exercise_id).phases
    return not phases or plan.phase.id in phases


def expected_sides(side_rule: str, enrolled: str) -> set[str | None]:
    if side_rule == "each":
        return {"left", "right"}
    if side_rule == "affected":
        return {"left", "right"} if enrolled == "both" else {enrolled}
    return {None}


# --- properties -----------------------------------------------------------------------------


def check_nothing_before_start_after_end_or_while_paused(s: Scenario) -> None:
    end = s.end
    assert end is not None
    for day in s.days():
        plan = s.plan(day)
        assert plan.day == day
        if day < s.start:
            assert plan.status == "before-start" and plan.doses == ()
        elif paused(day, s.pauses):
            assert plan.status == "paused" and plan.doses == ()
        elif day > end:
            assert plan.status == "ended" and plan.doses == ()
        else:
            assert plan.status == "active"
            assert plan.phase is not None and plan.week is not None
            assert 1 <= plan.week <= s.program.weeks


def check_active_days_between_start_and_end_equal_weeks_times_seven(s: Scenario) -> None:
    end = s.end
    assert end is not None and end >= s.start
    active = s.active()
    assert len(active) == s.program.weeks * 7
    assert [p.program_day for p in active] == list(range(s.program.weeks * 7))
    assert active[-1].day == end
    assert [p.week for p in active] == [n // 7 + 1 for n in range(s.program.weeks * 7)]
    for plan in active:
        assert program_day(plan.day, start=s.start, pauses=s.pauses) == plan.program_day
    # without pauses the program is exactly weeks*7 calendar days
    assert end_of_program(s.program, start=s.start) == s.start + timedelta(
        days=s.program.weeks * 7 - 1
    )
    # paused days inside the program push the end back one-for-one
    paused_inside = sum(
        1 for n in range((end - s.start).days + 1) if paused(s.start + timedelta(days=n), s.pauses)
    )
    assert (end - s.start).days + 1 == s.program.weeks * 7 + paused_inside


@PROPS
@given(scenarios(always_in_phase=True, with_progressions=False))
def test_every_other_day_is_two_program_days_apart(s: Scenario) -> None:
    active = s.active()
    for ex in s.program.exercises:
        if ex.days != "every-other-day":
            continue
        on = [p for p in active if p.find(ex.id)]
        assert on[0].program_day == 0
        assert len(on) == (len(active) + 1) // 2
        for a, b in itertools.pairwise(on):
            assert b.program_day - a.program_day == 2
            if not any(paused(a.day + timedelta(days=k), s.pauses) for k in (1, 2)):
                assert (b.day - a.day).days == 2  # across month and year ends too


def check_every_other_day_alternates_while_in_phase(s: Scenario) -> None:
    active = s.active()
    for ex in s.program.exercises:
        if ex.days != "every-other-day":
            continue
        for a, b in itertools.pairwise(active):
            if in_phase(a, ex.id, s.program) and in_phase(b, ex.id, s.program):
                assert bool(a.find(ex.id)) != bool(b.find(ex.id)), (a.day, b.day)


def check_three_a_week_is_three_in_every_seven_never_two_in_a_row(s: Scenario) -> None:
    active = s.active()
    for ex in s.program.exercises:
        if ex.days != "3-per-week":
            continue
        flags = [bool(p.find(ex.id)) for p in active]
        phase_ok = [in_phase(p, ex.id, s.program) for p in active]
        for i in range(len(active) - 1):
            assert not (flags[i] and flags[i + 1]), active[i].day
        for i in range(len(active) - 6):
            if all(phase_ok[i : i + 7]):
                assert sum(flags[i : i + 7]) == 3, active[i].day


def check_each_exercise_of_the_active_phase_appears_times_per_day_times_sides(s: Scenario) -> None:
    for plan in s.active():
        counts = Counter(d.exercise_id for d in plan.doses)
        for ex in s.program.exercises:
            sides = expected_sides(ex.side, s.side)
            if not in_phase(plan, ex.id, s.program):
                assert counts[ex.id] == 0
            elif counts[ex.id]:
                assert counts[ex.id] == ex.times_per_day * len(sides)
            else:
                assert ex.days != "daily"
        assert set(counts) <= {ex.id for ex in s.program.exercises}


def check_keys_sides_and_slots(s: Scenario) -> None:
    for plan in s.active():
        pairs = [(d.key, d.side) for d in plan.doses]
        assert len(pairs) == len(set(pairs)), pairs
        by_exercise: dict[str, list[Any]] = defaultdict(list)
        for dose in plan.doses:
            by_exercise[dose.exercise_id].append(dose)
        for ex_id, doses in by_exercise.items():
            ex = s.program.exercise(ex_id)
            keys = {ex.id if n == 1 else f"{ex.id}#{n}" for n in range(1, ex.times_per_day + 1)}
            assert {d.key for d in doses} == keys
            for dose in doses:
                expected_key = ex.id if dose.occurrence == 1 else f"{ex.id}#{dose.occurrence}"
                assert dose.key == expected_key
                assert dose.slot == ex.slots[0 if len(ex.slots) == 1 else dose.occurrence - 1]
                assert dose.side_key == (dose.side or "")
                assert dose.phase_id == plan.phase.id  # type: ignore[union-attr]
            for key in keys:
                sides = {d.side for d in doses if d.key == key}
                assert sides == expected_sides(ex.side, s.side)
                if ex.side == "none":
                    assert all(d.side is None for d in doses)
        # slots come out in the day's order
        order = [SLOT_NAMES.index(d.slot) for d in plan.doses]
        assert order == sorted(order)


@PROPS
@given(scenarios(), st.randoms(use_true_random=False))
def test_plan_day_is_deterministic(s: Scenario, rnd: Any) -> None:
    days = s.days()
    for day in rnd.sample(days, min(10, len(days))):
        first = s.plan(day)
        assert s.plan(day) == first
        shuffled = list(s.pauses)
        rnd.shuffle(shuffled)
        again = plan_day(
            s.program,
            start=s.start,
            side=s.side,  # type: ignore[arg-type]
            day=day,
            pauses=tuple(shuffled),
            progressions=tuple(reversed(s.progressions)),
        )
        # progression order matters only on ties of `effective`
        if len({p.effective for p in s.progressions}) == len(s.progressions):
            assert again == first
        else:
            assert again.status == first.status and again.program_day == first.program_day


@PROPS
@given(programs(), starts, enrolled_sides, st.data())
def test_open_pause_means_no_end_and_nothing_after_it(
    program: Program, start: date, side: str, data: st.DataObject
) -> None:
    pauses = data.draw(pause_lists(start))
    open_day = start + timedelta(days=data.draw(st.integers(-5, program.weeks * 7 + 30)))
    closed = [p for p in pauses if p.end is not None and p.end <= open_day]
    with_open = [*closed, PauseDays(open_day)]
    closed_end = end_of_program(program, start=start, pauses=closed)
    assert closed_end is not None
    end = end_of_program(program, start=start, pauses=with_open)
    if open_day > closed_end:
        assert end == closed_end  # the program had already ended: the pause changes nothing
    else:
        assert end is None
    for n in range(-3, 40):
        day = open_day + timedelta(days=n)
        plan = plan_day(program, start=start, side=side, day=day, pauses=with_open)  # type: ignore[arg-type]
        if n >= 0:
            assert plan.doses == ()
            assert plan.status == ("before-start" if day < start else "paused")
        elif day >= start and not paused(day, closed) and day <= closed_end:
            assert plan.status == "active"


@PROPS
@given(scenarios())
def test_calendar_start_end_and_pauses(s: Scenario) -> None:
    check_nothing_before_start_after_end_or_while_paused(s)
    check_active_days_between_start_and_end_equal_weeks_times_seven(s)


@PROPS
@given(scenarios())
def test_rhythms_and_doses(s: Scenario) -> None:
    check_every_other_day_alternates_while_in_phase(s)
    check_three_a_week_is_three_in_every_seven_never_two_in_a_row(s)
    check_each_exercise_of_the_active_phase_appears_times_per_day_times_sides(s)
    check_keys_sides_and_slots(s)


# --- plain tests ----------------------------------------------------------------------------


def _program(**exercise: Any) -> Program:
    ex = {
        "id": "calf-stretch",
        "name": "Calf stretch",
        "kind": "stretch",
        "instructions": "Lean on a wall.",
        "side": "affected",
        "sets": [2, 3],
        "hold_seconds": 30,
        "source": "test",
    }
    ex.update(exercise)
    return parse_program(
        {
            "id": "plain",
            "name": "Plain",
            "summary": "Plain test program.",
            "conditions": ["heel-pain"],
            "weeks": 6,
            "sources": ["test"],
            "phases": [
                {"id": "early", "name": "Early", "weeks": [1, 2]},
                {"id": "late", "name": "Late", "weeks": [3, 6]},
            ],
            "exercises": [ex],
        }
    )


START = date(2026, 1, 26)


def test_program_day_counts_only_unpaused_days() -> None:
    pauses = [PauseDays(date(2026, 1, 28), date(2026, 2, 1))]  # 28, 29, 30, 31 paused
    assert program_day(date(2026, 1, 25), start=START, pauses=pauses) is None
    assert program_day(START, start=START, pauses=pauses) == 0
    assert program_day(date(2026, 1, 27), start=START, pauses=pauses) == 1
    for d in range(28, 32):
        assert program_day(date(2026, 1, d), start=START, pauses=pauses) is None
    assert program_day(date(2026, 2, 1), start=START, pauses=pauses) == 2  # end is exclusive
    assert program_day(date(2026, 2, 10), start=START, pauses=pauses) == 11
    # a pause that began before the start only removes the days after the start
    early = [PauseDays(date(2026, 1, 20), date(2026, 1, 28))]
    assert program_day(date(2026, 1, 27), start=START, pauses=early) is None
    assert program_day(date(2026, 1, 28), start=START, pauses=early) == 0
    # an open pause that starts later does not change earlier days
    later = [PauseDays(date(2026, 3, 1))]
    assert program_day(date(2026, 2, 28), start=START, pauses=later) == 33
    assert program_day(date(2026, 3, 1), start=START, pauses=later) is None


def test_a_pause_shifts_the_end() -> None:
    program = _program()
    plain_end = end_of_program(program, start=START)
    assert plain_end == START + timedelta(days=41)
    week_off = [PauseDays(date(2026, 2, 2), date(2026, 2, 9))]
    assert end_of_program(program, start=START, pauses=week_off) == plain_end + timedelta(days=7)
    # a pause wholly before the start, or wholly after the end, changes nothing
    assert end_of_program(program, start=START, pauses=[PauseDays(date(2025, 12, 1), START)]) == (
        plain_end
    )
    after = [PauseDays(plain_end + timedelta(days=1), plain_end + timedelta(days=5))]
    assert end_of_program(program, start=START, pauses=after) == plain_end
    # pausing the would-be last day pushes it by the pause's length
    last = [PauseDays(plain_end, plain_end + timedelta(days=3))]
    assert end_of_program(program, start=START, pauses=last) == plain_end + timedelta(days=3)
    plan = plan_day(program, start=START, side="left", day=plain_end, pauses=last)
    assert plan.status == "paused"
    plan = plan_day(
        program, start=START, side="left", day=plain_end + timedelta(days=3), pauses=last
    )
    assert plan.status == "active" and plan.program_day == 41 and plan.week == 6


def test_open_pause_has_no_end_and_plans_nothing() -> None:
    program = _program()
    pauses = [PauseDays(date(2026, 2, 10))]
    assert end_of_program(program, start=START, pauses=pauses) is None
    before = plan_day(program, start=START, side="left", day=date(2026, 2, 9), pauses=pauses)
    assert before.status == "active" and before.doses
    for n in range(400):
        plan = plan_day(
            program, start=START, side="left", day=date(2026, 2, 10) + timedelta(n), pauses=pauses
        )
        assert plan.status == "paused" and plan.doses == ()
    # an open pause after the program ended does not reopen it
    late = [PauseDays(START + timedelta(days=60))]
    assert end_of_program(program, start=START, pauses=late) == START + timedelta(days=41)


def _two_phase_program() -> Program:
    return parse_program(
        {
            "id": "hsr",
            "name": "HSR",
            "summary": "Heavy slow resistance.",
            "conditions": ["achilles-midportion"],
            "weeks": 12,
            "sources": ["test"],
            "phases": [
                {"id": "early", "name": "Early", "weeks": [1, 4]},
                {"id": "late", "name": "Late", "weeks": [5, 12], "unverified": True},
            ],
            "exercises": [
                {
                    "id": "stretch",
                    "name": "Stretch",
                    "kind": "stretch",
                    "instructions": "x",
                    "phases": ["early"],
                    "hold_seconds": 30,
                    "source": "t",
                },
                {
                    "id": "raise",
                    "name": "Heel raise",
                    "kind": "strengthen",
                    "phases": ["early", "late"],
                    "instructions": "x",
                    "side": "each",
                    "sets": 3,
                    "reps": 15,
                    "load_kg": 5,
                    "load_step_kg": 2.5,
                    "days": "every-other-day",
                    "by_week": [
                        {"weeks": [1, 1], "sets": 3, "reps": 15},
                        {"weeks": [2, 3], "sets": 3, "reps": 12, "load_kg": 10},
                        {"weeks": [4, 12], "sets": 4, "reps": [6, 8], "load": "heavy backpack"},
                    ],
                    "source": "t",
                },
            ],
        }
    )


def test_progression_changes_phase_from_its_effective_date_and_adds_load_steps() -> None:
    program = _two_phase_program()
    change = Progression(effective=START + timedelta(days=30), phase_id="late", load_level=2)

    def plan(n: int) -> DayPlan:
        return plan_day(
            program, start=START, side="left", day=START + timedelta(n), progressions=[change]
        )

    day_before = plan(28)
    assert day_before.phase is not None and day_before.phase.id == "early"
    assert day_before.load_level == 0
    assert {d.exercise_id for d in day_before.doses} == {"stretch", "raise"}
    assert day_before.find("raise")[0].load_kg == 5  # weeks 4–12 set no load_kg: template's 5

    on = plan(30)
    assert on.phase is not None and on.phase.id == "late" and on.load_level == 2
    assert {d.exercise_id for d in on.doses} == {"raise"}
    raise_doses = on.find("raise")
    assert {d.side for d in raise_doses} == {"left", "right"}
    assert all(d.load_kg == 5 + 2 * 2.5 for d in raise_doses)
    assert all(d.unverified for d in raise_doses)  # written for the unverified late phase
    assert plan(31).doses == ()  # every other day: nothing on odd program days
    assert plan(32).find("raise")[0].load_kg == 10.0

    # a later change wins; one not yet effective does not count
    changes = [change, Progression(effective=START + timedelta(days=40), phase_id="early")]
    p = plan_day(program, start=START, side="left", day=START + timedelta(36), progressions=changes)
    assert p.phase is not None and p.phase.id == "late"
    p = plan_day(program, start=START, side="left", day=START + timedelta(40), progressions=changes)
    assert p.phase is not None and p.phase.id == "early" and p.load_level == 0


def test_load_level_adds_to_a_by_week_load() -> None:
    program = _two_phase_program()
    change = Progression(effective=START, load_level=1)
    plan = plan_day(
        program, start=START, side="right", day=START + timedelta(8), progressions=[change]
    )
    assert plan.week == 2
    assert plan.find("raise")[0].load_kg == 10 + 2.5


def test_by_week_dose_applies_by_program_week() -> None:
    program = _two_phase_program()
    pauses = [PauseDays(START + timedelta(days=1), START + timedelta(days=15))]

    def raise_on(pday: int) -> Any:
        # the calendar day of program day `pday`, skipping the two-week pause
        day = START if pday == 0 else START + timedelta(days=pday + 14)
        plan = plan_day(program, start=START, side="left", day=day, pauses=pauses)
        assert plan.program_day == pday
        return plan.find("raise")[0]

    week1 = raise_on(0)
    assert (week1.sets, week1.reps, week1.load_kg) == (
        DoseRange(low=3, high=3),
        DoseRange(low=15, high=15),
        5,
    )
    week1_late = raise_on(6)  # 20 calendar days after the start, but still program week 1
    assert week1_late.reps == DoseRange(low=15, high=15)
    week2 = raise_on(8)
    assert (week2.reps, week2.load_kg) == (DoseRange(low=12, high=12), 10)
    week4 = raise_on(22)
    assert (week4.sets, week4.reps) == (DoseRange(low=4, high=4), DoseRange(low=6, high=8))
    assert week4.load == "heavy backpack" and week4.load_kg == 5
    assert week4.describe() == "Heel raise, 4 × 6–8, +5 kg, left leg"


def test_describe_texts() -> None:
    heel = load_program_file(REPO / "programs" / "heel-pain-self-care.toml")
    plan = plan_day(heel, start=START, side="left", day=START)
    texts = {(d.key, d.side): d.describe() for d in plan.doses}
    assert texts[("calf-stretch", "left")] == "Calf stretch, 30 s hold × 2–3, left leg"
    assert texts[("calf-stretch", "right")] == "Calf stretch, 30 s hold × 2–3, right leg"
    assert texts[("gentle-walk", None)] == "Gentle walk, 15 min"
    assert texts[("foot-massage", "left")] == "Morning foot massage, left leg"
    assert ("foot-massage", "right") not in texts
    assert texts[("ice", None)] == "Ice, 15–20 min, up to 3×/day, as needed"
    assert texts[("ice#3", None)] == "Ice, 15–20 min, up to 3×/day, as needed"
    assert (
        texts[("night-splint", None)] == "Night splint, if your podiatrist advised one, as needed"
    )
    assert len(plan.doses) == 1 + 1 + 2 + 2 + 2 + 3 + 1 + 1
    assert [slot for slot, _ in plan.by_slot()] == ["morning", "night", "any"]

    both = plan_day(heel, start=START, side="both", day=START)
    assert {d.side for d in both.find("foot-massage")} == {"left", "right"}

    hold_reps = _program(side="each", reps=[2, 3], sets=None)
    dose = plan_day(hold_reps, start=START, side="left", day=START).doses[0]
    assert dose.describe() == "Calf stretch, 30 s hold × 2–3, left leg"
    hold_reps_sets = _program(side="none", reps=5, sets=2, tempo="slow")
    dose = plan_day(hold_reps_sets, start=START, side="left", day=START).doses[0]
    assert dose.describe() == "Calf stretch, 30 s hold × 5, 2 sets, slow"
    reps_only = _program(side="none", hold_seconds=None, sets=None, reps=[10, 15])
    assert plan_day(reps_only, start=START, side="left", day=START).doses[0].describe() == (
        "Calf stretch, 10–15 reps"
    )
    sets_only = _program(side="affected", hold_seconds=None, sets=4)
    assert plan_day(sets_only, start=START, side="right", day=START).doses[0].describe() == (
        "Calf stretch, 4 sets, right leg"
    )

    # both sides shown as one line
    calf = plan.find("calf-stretch")[0]
    assert calf.describe(legs="each leg") == "Calf stretch, 30 s hold × 2–3, each leg"
    assert calf.describe(legs="") == "Calf stretch, 30 s hold × 2–3"

    unverified = _program(unverified=True)
    dose = plan_day(unverified, start=START, side="right", day=START).doses[0]
    assert dose.unverified
    assert dose.describe() == "Calf stretch: ask your clinician for the dose"
    assert dose.describe(legs="each leg") == "Calf stretch: ask your clinician for the dose"


@pytest.mark.parametrize(
    ("zone", "switch"),
    [("Europe/Berlin", date(2026, 3, 29)), ("America/New_York", date(2026, 3, 8))],
)
def test_daily_exercise_once_each_day_across_dst(zone: str, switch: date) -> None:
    tz = ZoneInfo(zone)

    def offset(day: date) -> timedelta | None:
        return datetime(day.year, day.month, day.day, 12, tzinfo=tz).utcoffset()

    # the clocks really do change on this date: the day before differs from the day after
    assert offset(switch - timedelta(days=1)) != offset(switch + timedelta(days=1))
    program = _program(side="none", slots=["night"])
    for start in (switch - timedelta(days=3), switch):
        days = [switch + timedelta(days=n) for n in range(-2, 3)]
        plans = [plan_day(program, start=start, side="left", day=d) for d in days]
        for d, plan in zip(days, plans, strict=True):
            if d < start:
                assert plan.doses == ()
                continue
            assert plan.status == "active"
            assert [x.key for x in plan.doses] == ["calf-stretch"]
            assert plan.program_day == (d - start).days


def test_plan_statuses_around_the_program() -> None:
    program = _program()
    assert plan_day(program, start=START, side="left", day=START - timedelta(1)).status == (
        "before-start"
    )
    last = START + timedelta(days=41)
    assert plan_day(program, start=START, side="left", day=last).status == "active"
    after = plan_day(program, start=START, side="left", day=last + timedelta(1))
    assert after.status == "ended" and after.doses == () and after.program_day == 42


def test_an_unverified_phase_keeps_the_doses_of_exercises_that_run_through_every_phase() -> None:
    data = _two_phase_program().model_dump(mode="json")
    data["exercises"][0]["phases"] = []  # the stretch now runs through every phase
    program = parse_program(data)
    late = plan_day(
        program,
        start=START,
        side="left",
        day=START + timedelta(30),
        progressions=[Progression(START, "late")],
    )
    (stretch,) = late.find("stretch")
    assert not stretch.unverified and stretch.describe() == "Stretch, 30 s hold"
    assert all(d.unverified for d in late.find("raise"))


def test_a_load_step_alone_keeps_the_phase() -> None:
    program = _two_phase_program()
    changes = [
        Progression(START + timedelta(7), "late"),
        Progression(START + timedelta(14), None, load_level=1),
    ]
    plan = plan_day(
        program, start=START, side="left", day=START + timedelta(16), progressions=changes
    )
    assert plan.phase is not None and plan.phase.id == "late" and plan.load_level == 1
