"""Schedule expansion: (template, enrollment, day, pauses, accepted changes) → the day's doses.

This is a pure function on calendar dates, so month ends, year ends and DST cannot move it:
a plan day is a local date, and every rhythm (every other day, three a week) counts *program
days*, the active days since the start with paused days left out. A pause therefore shifts
the rest of the program instead of eating into it, which is what a patient back from a week
of illness expects: the program picks up where they left it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Literal

from rehab.core.prescription import Prescription, tailor_on
from rehab.core.template import SLOTS, DoseRange, Exercise, Phase, Program, Slot, _num

Side = Literal["left", "right"]
EnrollmentSide = Literal["left", "right", "both"]
DayStatus = Literal["before-start", "active", "paused", "ended"]
THREE_A_WEEK_OFFSETS = (0, 2, 4)


@dataclass(frozen=True)
class PauseDays:
    """Days from `start` up to, not including, `end` (None: still paused)."""

    start: date
    end: date | None = None

    def covers(self, day: date) -> bool:
        return self.start <= day and (self.end is None or day < self.end)


@dataclass(frozen=True)
class Progression:
    """An accepted change: from `effective` on, this load level, and this phase (None: the
    phase stays as it was, for a load step alone).

    A reduction the protocol supports is part of the change too: `set_cut` sets fewer of each
    strengthening exercise (never below one), and `week_cap` holds a by-week table (heavy slow
    resistance, Rathleff) at that program week's row, so the dose does not step up while the
    reduction holds. `decision` is what was accepted: progress or reduce.
    """

    effective: date
    phase_id: str | None = None
    load_level: int = 0
    set_cut: int = 0
    week_cap: int | None = None
    decision: str = "progress"

    @property
    def reduced(self) -> bool:
        """A set cut or a by-week cap is in force."""
        return self.set_cut > 0 or self.week_cap is not None


@dataclass(frozen=True)
class Adjustment:
    """How a dose differs from the plan without the reduction in force, and since when."""

    since: date
    was: str  # '3 × 10', '+10 kg'
    now: str
    why: str  # 'reduced after a flare-up' in a patient's words

    def text(self) -> str:
        return f"reduced from {self.was} on {self.since.day} {_MONTHS[self.since.month - 1]}"


@dataclass(frozen=True)
class Dose:
    """One planned dose of one exercise on one side, on one day."""

    key: str
    exercise_id: str
    occurrence: int
    name: str
    kind: str
    slot: Slot
    side: Side | None
    sets: DoseRange | None
    reps: DoseRange | None
    hold_seconds: DoseRange | None
    minutes: DoseRange | None
    load_kg: float | None
    load: str | None
    tempo: str | None
    as_needed: bool
    unverified: bool
    times_per_day: int
    phase_id: str
    instructions: str = ""
    cautions: tuple[str, ...] = ()
    adjusted: Adjustment | None = None
    prescribed_by: str | None = None  # a therapist tailored this exercise (rehab.core.prescription)

    @property
    def side_key(self) -> str:
        return self.side or ""

    def describe(self, legs: str | None = None) -> str:
        """The dose in a patient's words: 'Calf stretch, 30 s hold × 2–3, each leg'.

        `legs` replaces the dose's own side ('each leg' when both sides are shown as one).
        """
        if self.unverified:
            return f"{self.name}: ask your clinician for the dose"
        parts: list[str] = []
        if self.hold_seconds is not None:
            hold = f"{self.hold_seconds.text()} s hold"
            if self.reps is not None and self.reps.high > 1:
                hold += f" × {self.reps.text()}"
            if self.sets is not None:
                hold += f", {self.sets.text()} sets" if self.reps else f" × {self.sets.text()}"
            parts.append(hold)
        elif self.sets is not None and self.reps is not None:
            parts.append(f"{self.sets.text()} × {self.reps.text()}")
        elif self.reps is not None:
            parts.append(f"{self.reps.text()} reps")
        elif self.sets is not None:
            parts.append(f"{self.sets.text()} sets")
        if self.minutes is not None:
            parts.append(f"{self.minutes.text()} min")
        if self.tempo:
            parts.append(self.tempo)
        if self.load_kg:
            parts.append(f"+{_num(self.load_kg)} kg")
        elif self.load:
            parts.append(self.load)
        if self.as_needed:
            if self.times_per_day > 1:
                parts.append(f"up to {self.times_per_day}×/day, as needed")
            else:
                parts.append("as needed")
        if legs is None and self.side is not None:
            legs = f"{self.side} leg"
        if legs:
            parts.append(legs)
        if self.adjusted is not None:
            parts.append(self.adjusted.text())
        return ", ".join([self.name, *parts])

    def core_text(self) -> str:
        """The numbers a reduction changes: '3 × 10', '3 × 15, +10 kg'."""
        return _core_text(self.sets, self.reps, self.load_kg)


_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _core_text(sets: DoseRange | None, reps: DoseRange | None, load_kg: float | None) -> str:
    parts = []
    if sets is not None and reps is not None:
        parts.append(f"{sets.text()} × {reps.text()}")
    elif sets is not None:
        parts.append(f"{sets.text()} sets")
    elif reps is not None:
        parts.append(f"{reps.text()} reps")
    if load_kg:
        parts.append(f"+{_num(load_kg)} kg")
    return ", ".join(parts)


@dataclass(frozen=True)
class DayPlan:
    day: date
    status: DayStatus
    program_day: int | None
    week: int | None
    phase: Phase | None
    load_level: int
    doses: tuple[Dose, ...]

    def by_slot(self) -> list[tuple[Slot, list[Dose]]]:
        return [
            (slot, [d for d in self.doses if d.slot == slot])
            for slot in SLOTS
            if any(d.slot == slot for d in self.doses)
        ]

    def find(self, key: str) -> list[Dose]:
        return [d for d in self.doses if d.key == key]


def end_of_program(
    program: Program, *, start: date, pauses: Iterable[PauseDays] = ()
) -> date | None:
    """The last planned day, with paused days added back; None while a pause is still open."""
    remaining = program.weeks * 7
    day = start
    for pause in sorted(pauses, key=lambda p: p.start):
        if pause.end is not None and pause.end <= max(pause.start, day):
            continue
        active_before = (max(pause.start, day) - day).days
        if active_before >= remaining:
            break
        remaining -= active_before
        if pause.end is None:
            return None
        day = pause.end
    return day + timedelta(days=remaining - 1)


def _merged(pauses: Iterable[PauseDays]) -> list[PauseDays]:
    """Non-empty pauses in order, overlapping ones joined, so no day is counted twice."""
    spans = sorted((p for p in pauses if p.end is None or p.end > p.start), key=lambda p: p.start)
    merged: list[PauseDays] = []
    for pause in spans:
        last = merged[-1] if merged else None
        if last is not None and (last.end is None or pause.start <= last.end):
            end = None if last.end is None or pause.end is None else max(last.end, pause.end)
            merged[-1] = PauseDays(last.start, end)
        else:
            merged.append(pause)
    return merged


def program_day(day: date, *, start: date, pauses: Iterable[PauseDays] = ()) -> int | None:
    """0 on the start day, counting only days that were not paused; None if `day` is paused."""
    if day < start:
        return None
    paused = 0
    for pause in _merged(pauses):
        if pause.covers(day):
            return None
        first = max(pause.start, start)
        last = day if pause.end is None else min(pause.end, day)
        if last > first:
            paused += (last - first).days
    return (day - start).days - paused


def _in_force(progressions: Iterable[Progression], day: date) -> list[Progression]:
    """Accepted changes up to `day`, oldest first (ties keep the order they were given in)."""
    return sorted((c for c in progressions if c.effective <= day), key=lambda c: c.effective)


def current_progression(progressions: Iterable[Progression], day: date) -> Progression | None:
    """The latest change in force on `day`, or None."""
    changes = _in_force(progressions, day)
    return changes[-1] if changes else None


def current_phase(program: Program, progressions: Iterable[Progression], day: date) -> Phase:
    """The phase of the latest change that named a known phase; a load-only change keeps it."""
    phase = program.phases[0]
    for change in _in_force(progressions, day):
        if change.phase_id is not None:
            try:
                phase = program.phase(change.phase_id)
            except KeyError:
                continue
    return phase


def _fewer(sets: DoseRange, cut: int) -> DoseRange:
    """`cut` sets fewer, never below one."""
    low, high = max(1.0, sets.low - cut), max(1.0, sets.high - cut)
    return DoseRange.model_construct(low=low, high=high)


def reducible_sets(exercise: Exercise, cut: int) -> bool:
    """Whether one more set can come off this exercise (it keeps at least one)."""
    if exercise.kind != "strengthen":
        return False
    spans = [exercise.sets, *(step.sets for step in exercise.by_week)]
    return any(span is not None and span.high - cut > 1 for span in spans)


def week_row(exercise: Exercise, week: int) -> DoseRange | None:
    """The weeks of the by-week row in force in `week` (None: no row covers it)."""
    for step in exercise.by_week:
        if step.weeks.low <= week <= step.weeks.high:
            return step.weeks
    return None


def _scheduled_on(exercise: Exercise, pday: int) -> bool:
    if exercise.days == "every-other-day":
        return pday % 2 == 0
    if exercise.days == "3-per-week":
        return pday % 7 in THREE_A_WEEK_OFFSETS
    return True


def _sides(exercise: Exercise, enrolled: EnrollmentSide) -> Sequence[Side | None]:
    if exercise.side == "each":
        return ("left", "right")
    if exercise.side == "affected":
        return ("left", "right") if enrolled == "both" else (enrolled,)
    return (None,)


def plan_day(
    program: Program,
    *,
    start: date,
    side: EnrollmentSide,
    day: date,
    pauses: Sequence[PauseDays] = (),
    progressions: Sequence[Progression] = (),
    prescriptions: Sequence[Prescription] = (),
) -> DayPlan:
    """Expand the template, as tailored by the prescriptions in force on `day`, into the
    doses planned for `day`."""
    if day < start:
        return DayPlan(day, "before-start", None, None, None, 0, ())
    pday = program_day(day, start=start, pauses=pauses)
    if pday is None:
        return DayPlan(day, "paused", None, None, None, 0, ())
    if pday >= program.weeks * 7:
        return DayPlan(day, "ended", pday, None, None, 0, ())
    week = pday // 7 + 1
    change = current_progression(progressions, day)
    phase = current_phase(program, progressions, day)
    level = change.load_level if change is not None else 0
    cut = change.set_cut if change is not None else 0
    cap = change.week_cap if change is not None else None
    baseline = _baseline(progressions, day)
    program = tailor_on(program, prescriptions, day)

    doses: list[Dose] = []
    for exercise in program.exercises:
        if exercise.phases and phase.id not in exercise.phases:
            continue
        if not _scheduled_on(exercise, pday):
            continue
        given = exercise.prescribed
        ex_level, ex_cut = level, cut
        if given is not None and given.dose and given.dose_since is not None:
            # the therapist's numbers are the dose on their date: load steps and set cuts
            # accepted before it are already in them
            before = current_progression(progressions, given.dose_since)
            ex_level = level - (before.load_level if before is not None else 0)
            if change is not None and change.effective <= given.dose_since:
                ex_cut = 0
        expanded = _expand(
            exercise, week=week, phase=phase, level=ex_level, enrolled=side, cut=ex_cut, cap=cap
        )
        if baseline is not None and ex_cut == cut:
            since, why, base_level = baseline
            base_level -= level - ex_level
            plain = _expand(exercise, week=week, phase=phase, level=base_level, enrolled=side)
            expanded = [_adjusted(d, p, since, why) for d, p in zip(expanded, plain, strict=True)]
        doses.extend(expanded)
    order = {slot: i for i, slot in enumerate(SLOTS)}
    doses.sort(key=lambda d: order[d.slot])  # stable: template order within a slot
    return DayPlan(day, "active", pday, week, phase, level, tuple(doses))


def _baseline(progressions: Sequence[Progression], day: date) -> tuple[date, str, int] | None:
    """For a reduction in force on `day`: (since when, why, the load level without it).

    The reduction in force is the trailing run of accepted reductions, together with any set
    cut or by-week cap still held after a later step back up. None: nothing is reduced."""
    changes = _in_force(progressions, day)
    if not changes:
        return None
    latest = changes[-1]
    run: list[Progression] = []
    for change in reversed(changes):
        if change.decision == "reduce" or change.reduced:
            run.append(change)
        else:
            break
    if not run or (latest.decision != "reduce" and not latest.reduced):
        return None
    first = run[-1]
    before = changes[len(changes) - len(run) - 1] if len(changes) > len(run) else None
    base_level = before.load_level if before is not None else 0
    base_level = max(base_level, latest.load_level)
    return first.effective, "after the pain guide was broken", base_level


def _adjusted(dose: Dose, plain: Dose, since: date, why: str) -> Dose:
    was, now = plain.core_text(), dose.core_text()
    if dose.unverified or was == now:
        return dose
    return replace(dose, adjusted=Adjustment(since, was, now, why))


def _expand(
    exercise: Exercise,
    *,
    week: int,
    phase: Phase,
    level: int,
    enrolled: EnrollmentSide,
    cut: int = 0,
    cap: int | None = None,
) -> list[Dose]:
    sets, reps, hold, minutes = (
        exercise.sets,
        exercise.reps,
        exercise.hold_seconds,
        exercise.minutes,
    )
    load_kg, load = exercise.load_kg, exercise.load
    table_week = week if cap is None else min(week, cap)
    for step in exercise.by_week:
        if step.weeks.low <= table_week <= step.weeks.high:
            sets = step.sets or sets
            reps = step.reps or reps
            hold = step.hold_seconds or hold
            minutes = step.minutes or minutes
            load = step.load or load
            load_kg = step.load_kg if step.load_kg is not None else load_kg
            break
    if exercise.load_step_kg is not None and level != 0:
        load_kg = max(0.0, (load_kg or 0.0) + level * exercise.load_step_kg)
    if cut > 0 and exercise.kind == "strengthen" and sets is not None:
        sets = _fewer(sets, cut)
    # An unverified phase withholds the numbers of the exercises written for it; exercises
    # that run through every phase (stretches, ice) keep their established doses.
    given = exercise.prescribed
    unverified = exercise.unverified or (phase.unverified and phase.id in exercise.phases)
    if given is not None and given.dose:
        unverified = False  # the dose is the clinician's, given for this patient
    doses = []
    for n in range(1, exercise.times_per_day + 1):
        slot = exercise.slots[0] if len(exercise.slots) == 1 else exercise.slots[n - 1]
        key = exercise.id if n == 1 else f"{exercise.id}#{n}"
        for leg in _sides(exercise, enrolled):
            doses.append(
                Dose(
                    key=key,
                    exercise_id=exercise.id,
                    occurrence=n,
                    name=exercise.name,
                    kind=exercise.kind,
                    slot=slot,
                    side=leg,
                    sets=sets,
                    reps=reps,
                    hold_seconds=hold,
                    minutes=minutes,
                    load_kg=load_kg,
                    load=load,
                    tempo=exercise.tempo,
                    as_needed=exercise.as_needed,
                    unverified=unverified,
                    times_per_day=exercise.times_per_day,
                    phase_id=phase.id,
                    instructions=exercise.instructions,
                    cautions=tuple(exercise.cautions),
                    prescribed_by=given.by if given is not None else None,
                )
            )
    return doses
