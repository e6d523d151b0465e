"""Trend series for charts and the weekly summary, aggregated in SQL.

Every query is bounded by the window (a date range) and groups by day in the database, so a
52-week chart reads at most one row per day and series, whether the history behind it is
twelve weeks or ten years long. Adherence is the one place that needs the plan: the plan
days come from the schedule for the window only, the check-offs from a grouped count, and
`core.adherence.tally` does the counting exactly as the rest of the app does.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Literal

from sqlalchemy import func
from sqlalchemy import select as aggregate
from sqlmodel import Session, col

from rehab.core.adherence import tally
from rehab.core.checklist import Logged
from rehab.core.schedule import DayPlan
from rehab.store import journal
from rehab.store.models import DoseLog, Enrollment, Patient, Pause, PhaseChange

VISA_INSTRUMENT = "visa-a"
DailySeries = list[tuple[date, int]]
WeekStatus = Literal["active", "paused", "off"]


# --- the window ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Window:
    """Days `first` to `last`, both included; `weeks` is None for the whole history."""

    first: date
    last: date
    weeks: int | None

    @property
    def period(self) -> str:
        """'in the last 12 weeks', or '' for the whole history (for sentences)."""
        if self.weeks is None:
            return ""
        if self.weeks == 1:
            return "in the last week"
        return f"in the last {self.weeks} weeks"

    @property
    def title(self) -> str:
        """'last 12 weeks' or 'since 2025-01-06' (for chart titles)."""
        if self.weeks is None:
            return f"since {self.first}"
        return "last week" if self.weeks == 1 else f"last {self.weeks} weeks"


def window(session: Session, *, patient: Patient, today: date, weeks: int | None) -> Window:
    """The last `weeks` weeks ending today, or (None) everything since the first program."""
    if weeks is not None:
        return Window(today - timedelta(days=7 * weeks - 1), today, weeks)
    from rehab.store.observations import PainEntry

    start = session.execute(
        aggregate(func.min(Enrollment.start_date)).where(col(Enrollment.patient_id) == patient.id)
    ).scalar()
    if start is None:  # pain logged before any program was started
        start = session.execute(
            aggregate(func.min(PainEntry.local_date)).where(
                col(PainEntry.patient_id) == patient.id, col(PainEntry.voided_at).is_(None)
            )
        ).scalar()
    first = today if start is None else min(start, today)
    return Window(first, today, None)


# --- which program each day belongs to ----------------------------------------------------


@dataclass(frozen=True)
class Stretch:
    """The days of the window that belong to one enrollment (the latest one started)."""

    enrollment_id: int
    program_id: str
    first: date
    last: date


def stretches(session: Session, *, patient: Patient, first: date, last: date) -> list[Stretch]:
    """Enrollments that cover part of [first, last], each clipped to the days it owned: up
    to the day before the next one started, or the day it ended."""
    zone = journal.patient_zone(patient)
    latest_before = (
        aggregate(func.max(Enrollment.start_date))
        .where(col(Enrollment.patient_id) == patient.id, col(Enrollment.start_date) <= first)
        .scalar_subquery()
    )
    rows = session.execute(
        aggregate(
            col(Enrollment.id),
            col(Enrollment.program_id),
            col(Enrollment.start_date),
            col(Enrollment.status),
            col(Enrollment.ended_at),
        )
        .where(
            col(Enrollment.patient_id) == patient.id,
            col(Enrollment.start_date) <= last,
            col(Enrollment.start_date) >= func.coalesce(latest_before, first),
        )
        .order_by(col(Enrollment.start_date), col(Enrollment.id))
    ).all()
    result = []
    for i, (enrollment_id, program_id, start, status, ended_at) in enumerate(rows):
        end = last
        if i + 1 < len(rows):
            end = min(end, rows[i + 1][2] - timedelta(days=1))
        if status != "active" and ended_at is not None:
            end = min(end, ended_at.astimezone(zone).date())
        begin = max(start, first)
        if begin <= end:
            result.append(Stretch(int(enrollment_id), str(program_id), begin, end))
    return result


# --- pain, stiffness, VISA-A --------------------------------------------------------------


@dataclass(frozen=True)
class DailyPain:
    """Each day's worst score (0–10) by context; days without a score are left out."""

    morning: DailySeries
    during: DailySeries
    after: DailySeries
    rest: DailySeries = field(default_factory=list)  # at rest or at night: a red flag


def daily_pain(session: Session, *, patient: Patient, first: date, last: date) -> DailyPain:
    """Morning and after-exercise pain from pain entries; pain during exercise from the
    check-offs (`--pain`) and from entries logged as 'during', whichever is worse."""
    from rehab.store.observations import PainEntry

    by_context: dict[str, dict[date, int]] = {
        "morning": {},
        "during": {},
        "after": {},
        "rest": {},
        "night": {},
    }
    for day, context, score in session.execute(
        aggregate(col(PainEntry.local_date), col(PainEntry.context), func.max(PainEntry.score))
        .where(
            col(PainEntry.patient_id) == patient.id,
            col(PainEntry.local_date) >= first,
            col(PainEntry.local_date) <= last,
            col(PainEntry.context).in_(list(by_context)),
            col(PainEntry.voided_at).is_(None),
        )
        .group_by(col(PainEntry.local_date), col(PainEntry.context))
    ).all():
        by_context[context][day] = int(score)
    during = by_context["during"]
    for day, score in session.execute(
        aggregate(col(DoseLog.plan_date), func.max(DoseLog.pain_during))
        .where(
            col(DoseLog.enrollment_id).in_(
                aggregate(col(Enrollment.id)).where(col(Enrollment.patient_id) == patient.id)
            ),
            col(DoseLog.plan_date) >= first,
            col(DoseLog.plan_date) <= last,
            col(DoseLog.pain_during).is_not(None),
            col(DoseLog.voided_at).is_(None),
        )
        .group_by(col(DoseLog.plan_date))
    ).all():
        during[day] = max(int(score), during.get(day, 0))
    rest = dict(by_context["rest"])
    for day, score in by_context["night"].items():
        rest[day] = max(score, rest.get(day, 0))
    return DailyPain(
        morning=sorted(by_context["morning"].items()),
        during=sorted(during.items()),
        after=sorted(by_context["after"].items()),
        rest=sorted(rest.items()),
    )


def daily_stiffness(session: Session, *, patient: Patient, first: date, last: date) -> DailySeries:
    """Minutes of morning stiffness per day (the longest, if logged twice)."""
    from rehab.store.observations import SymptomCheck

    rows = session.execute(
        aggregate(col(SymptomCheck.check_date), func.max(SymptomCheck.stiffness_minutes))
        .where(
            col(SymptomCheck.patient_id) == patient.id,
            col(SymptomCheck.check_date) >= first,
            col(SymptomCheck.check_date) <= last,
            col(SymptomCheck.stiffness_minutes).is_not(None),
            col(SymptomCheck.voided_at).is_(None),
        )
        .group_by(col(SymptomCheck.check_date))
        .order_by(col(SymptomCheck.check_date))
    ).all()
    return [(day, int(minutes)) for day, minutes in rows]


def visa_scores(session: Session, *, patient: Patient, first: date, last: date) -> DailySeries:
    """VISA-A totals (0–100) by the day taken; of two on one day, the later one counts."""
    from rehab.store.observations import Assessment

    scores: dict[date, int] = {}
    for day, score in session.execute(
        aggregate(col(Assessment.taken_on), col(Assessment.score))
        .where(
            col(Assessment.patient_id) == patient.id,
            col(Assessment.instrument) == VISA_INSTRUMENT,
            col(Assessment.taken_on) >= first,
            col(Assessment.taken_on) <= last,
            col(Assessment.voided_at).is_(None),
        )
        .order_by(col(Assessment.taken_on), col(Assessment.id))
    ).all():
        scores[day] = int(score)
    return sorted(scores.items())


# --- markers: phase changes and pauses ----------------------------------------------------


@dataclass(frozen=True)
class PauseMark:
    """Paused from `start` up to, not including, `end` (None: still paused)."""

    start: date
    end: date | None
    reason: str


@dataclass(frozen=True)
class Markers:
    phase_changes: list[tuple[date, str]]  # (first day of the phase, phase id)
    pauses: list[PauseMark]


def markers(session: Session, *, first: date, last: date, spans: Sequence[Stretch]) -> Markers:
    """Accepted phase changes (not load steps) and pauses that touch the window."""
    ids = [s.enrollment_id for s in spans]
    if not ids:
        return Markers([], [])
    changes = session.execute(
        aggregate(col(PhaseChange.effective_date), col(PhaseChange.to_phase))
        .where(
            col(PhaseChange.enrollment_id).in_(ids),
            col(PhaseChange.effective_date) >= first,
            col(PhaseChange.effective_date) <= last,
            col(PhaseChange.to_phase).is_not(None),
            func.coalesce(col(PhaseChange.from_phase), "") != col(PhaseChange.to_phase),
            col(PhaseChange.voided_at).is_(None),
        )
        .order_by(col(PhaseChange.effective_date), col(PhaseChange.id))
    ).all()
    pauses = session.execute(
        aggregate(col(Pause.start_date), col(Pause.end_date), col(Pause.reason))
        .where(
            col(Pause.enrollment_id).in_(ids),
            col(Pause.start_date) <= last,
            (col(Pause.end_date).is_(None)) | (col(Pause.end_date) > first),
        )
        .order_by(col(Pause.start_date))
    ).all()
    return Markers(
        phase_changes=[(day, str(phase)) for day, phase in changes],
        pauses=[PauseMark(start, end, str(reason)) for start, end, reason in pauses],
    )


# --- weeks and adherence ------------------------------------------------------------------


@dataclass(frozen=True)
class Week:
    """One program week (7 active days; a pause does not split it), a paused stretch, or
    seven days with no program ('off'). `start`/`end` are clipped to the window."""

    start: date
    end: date
    status: WeekStatus
    program_id: str | None
    number: int | None  # program week, 1-based
    phases: tuple[str, ...]  # phase names in order, usually one
    done: int
    planned: int

    @property
    def percent(self) -> int | None:
        """Whole percent of the planned doses done; None when none were planned."""
        return None if self.planned == 0 else round(100 * self.done / self.planned)


def dose_counts(
    session: Session, *, enrollment_id: int, first: date, last: date
) -> dict[date, list[Logged]]:
    """Live check-offs and skips per day, one row per dose, leg and status with the sets
    added up: what `core.checklist.progress` needs, without a row per set."""
    result: dict[date, list[Logged]] = {}
    for day, key, side, status, sets in session.execute(
        aggregate(
            col(DoseLog.plan_date),
            col(DoseLog.item_key),
            col(DoseLog.side),
            col(DoseLog.status),
            func.sum(func.coalesce(col(DoseLog.sets), 1)),
        )
        .where(
            col(DoseLog.enrollment_id) == enrollment_id,
            col(DoseLog.plan_date) >= first,
            col(DoseLog.plan_date) <= last,
            col(DoseLog.voided_at).is_(None),
        )
        .group_by(
            col(DoseLog.plan_date), col(DoseLog.item_key), col(DoseLog.side), col(DoseLog.status)
        )
    ).all():
        result.setdefault(day, []).append(Logged(key, side, status, int(sets)))
    return result


def weeks(session: Session, *, patient: Patient, first: date, last: date) -> list[Week]:
    """The window cut into weeks, oldest first, each with done ÷ planned doses."""
    result: list[Week] = []
    cursor = first
    for span in stretches(session, patient=patient, first=first, last=last):
        if cursor < span.first:
            result.extend(_off_weeks(cursor, span.first - timedelta(days=1)))
        enrollment = session.get(Enrollment, span.enrollment_id)
        assert enrollment is not None
        plans = journal.plans_between(
            session, enrollment=enrollment, first=span.first, last=span.last
        )
        logs = dose_counts(
            session, enrollment_id=span.enrollment_id, first=span.first, last=span.last
        )
        result.extend(_program_weeks(plans, logs, span.program_id))
        cursor = span.last + timedelta(days=1)
    if cursor <= last:
        result.extend(_off_weeks(cursor, last))
    return result


def _off_weeks(first: date, last: date) -> list[Week]:
    result = []
    start = first
    while start <= last:
        end = min(start + timedelta(days=6), last)
        result.append(Week(start, end, "off", None, None, (), 0, 0))
        start = end + timedelta(days=1)
    return result


def _same_week(head: DayPlan, plan: DayPlan) -> bool:
    """Whether `plan` (the next day) goes in the run that `head` began."""
    if plan.status != head.status:
        return False
    if plan.status == "active":
        return plan.week == head.week
    if plan.status == "paused":
        return True
    # before the start or after the last program week: calendar weeks from the run's start
    return (plan.day - head.day).days < 7


def _program_weeks(
    plans: Sequence[DayPlan], logs: dict[date, list[Logged]], program_id: str
) -> list[Week]:
    runs: list[list[DayPlan]] = []
    for plan in plans:
        if runs and _same_week(runs[-1][0], plan):
            runs[-1].append(plan)
        else:
            runs.append([plan])
    return [_week(run, logs, program_id) for run in runs]


def _week(run: list[DayPlan], logs: dict[date, list[Logged]], program_id: str) -> Week:
    head = run[0]
    status: WeekStatus = (
        "active" if head.status == "active" else "paused" if head.status == "paused" else "off"
    )
    counted = tally(run, logs)
    return Week(
        start=head.day,
        end=run[-1].day,
        status=status,
        program_id=program_id,
        number=head.week,
        phases=_distinct(p.phase.name for p in run if p.phase is not None),
        done=counted.done,
        planned=counted.planned,
    )


def _distinct(names: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(names))


# --- load per strengthening exercise ------------------------------------------------------


@dataclass(frozen=True)
class LoadSeries:
    exercise_id: str
    name: str
    points: list[tuple[date, float]]  # extra kg on each day it was done (0 = body weight)


def load_by_exercise(
    session: Session, *, patient: Patient, first: date, last: date
) -> list[LoadSeries]:
    """The heaviest extra load of each strengthening exercise on each day it was done."""
    names: dict[tuple[int, str], str] = {}
    for span in stretches(session, patient=patient, first=first, last=last):
        enrollment = session.get(Enrollment, span.enrollment_id)
        assert enrollment is not None
        for exercise in journal.program_of(enrollment).exercises:
            if exercise.kind == "strengthen":
                names[(span.enrollment_id, exercise.id)] = exercise.name
    if not names:
        return []
    series: dict[str, dict[date, float]] = {}
    titles: dict[str, str] = {}
    for enrollment_id, exercise_id, day, load in session.execute(
        aggregate(
            col(DoseLog.enrollment_id),
            col(DoseLog.exercise_id),
            col(DoseLog.plan_date),
            func.max(DoseLog.load_kg),
        )
        .where(
            col(DoseLog.enrollment_id).in_(sorted({e for e, _ in names})),
            col(DoseLog.exercise_id).in_(sorted({x for _, x in names})),
            col(DoseLog.plan_date) >= first,
            col(DoseLog.plan_date) <= last,
            col(DoseLog.status) == "done",
            col(DoseLog.voided_at).is_(None),
        )
        .group_by(col(DoseLog.enrollment_id), col(DoseLog.exercise_id), col(DoseLog.plan_date))
    ).all():
        name = names.get((enrollment_id, exercise_id))
        if name is None:  # the same id is not a strengthening exercise in that program
            continue
        titles.setdefault(exercise_id, name)
        days = series.setdefault(exercise_id, {})
        days[day] = max(float(load or 0.0), days.get(day, 0.0))
    return [
        LoadSeries(exercise_id, titles[exercise_id], sorted(days.items()))
        for exercise_id, days in series.items()
    ]


# --- the weekly summary -------------------------------------------------------------------


@dataclass(frozen=True)
class SummaryRow:
    week: Week
    morning_mean: float | None
    during_max: int | None
    stiffness_mean: float | None
    visa: int | None  # the last score taken that week


def weekly_summary(
    session: Session, *, patient: Patient, first: date, last: date
) -> list[SummaryRow]:
    """One row per week in the window; weeks with no program and nothing logged are left
    out, paused weeks are kept (they say why adherence has a gap)."""
    pain = daily_pain(session, patient=patient, first=first, last=last)
    stiffness = daily_stiffness(session, patient=patient, first=first, last=last)
    visa = visa_scores(session, patient=patient, first=first, last=last)
    series = [_ByDay(pain.morning), _ByDay(pain.during), _ByDay(stiffness), _ByDay(visa)]
    rows = []
    for week in weeks(session, patient=patient, first=first, last=last):
        morning, during, stiff, scores = (s.within(week.start, week.end) for s in series)
        if week.status == "off" and not (morning or during or stiff or scores):
            continue
        rows.append(
            SummaryRow(
                week=week,
                morning_mean=_mean(morning),
                during_max=max(during) if during else None,
                stiffness_mean=_mean(stiff),
                visa=scores[-1] if scores else None,
            )
        )
    return rows


class _ByDay:
    """A daily series that can be sliced by date range (it is sorted by day)."""

    def __init__(self, series: DailySeries) -> None:
        self.days = [day for day, _ in series]
        self.values = [value for _, value in series]

    def within(self, first: date, last: date) -> list[int]:
        return self.values[bisect_left(self.days, first) : bisect_right(self.days, last)]


def _mean(values: Sequence[int]) -> float | None:
    return sum(values) / len(values) if values else None
