"""The clinic roster: every patient's adherence, pain, last entry, red flags, advice and
VISA-A change, from a fixed number of grouped queries whatever the number of patients.

Each query covers all patients at once and is bounded by the last four weeks (the window the
advice reads), except three small ones: the first program week's morning pain (an average
in SQL), the VISA-A first and latest scores (a window function), and the last entry of the
few patients with nothing in the window. Nothing reads one row per set or per day of the
whole history.

The numbers are the app's own: planned doses come from `plan_day` over each enrollment's
template (memoised on everything the plan depends on besides the date), check-offs from one
grouped count, and `core.adherence.tally` counts them, as the Today screen does; today's
advice is `store.progress.todays_advice` fed from the batched rows (`AdviceInputs`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Date, func
from sqlalchemy import select as rows_of
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement
from sqlmodel import Session, col, select

from rehab.core import clock
from rehab.core.clinic import Count, Required, RosterRow, day_tally, required_doses
from rehab.core.course import CourseCheck, course_end_due, on_track
from rehab.core.prescription import Prescription, in_force, tailor_on
from rehab.core.progression import DayObservation
from rehab.core.schedule import (
    DayPlan,
    PauseDays,
    Progression,
    end_of_program,
    plan_day,
    program_day,
)
from rehab.core.template import Program
from rehab.store import journal
from rehab.store.models import DoseLog, Enrollment, Patient, Pause, PhaseChange, PrescriptionRow
from rehab.store.prescriptions import as_prescription
from rehab.store.progress import LOOKBACK_DAYS, AdviceInputs, _loading_ids, todays_advice

WEEK = 7
MONTH = 28
PAIN_CONTEXTS = ("morning", "during", "after", "rest", "night")


class days_after(FunctionElement[date]):
    """`day + n` days, in each engine's own words (SQLite keeps dates as text)."""

    type = Date()
    inherit_cache = True


@compiles(days_after)
def _days_after(element: Any, compiler: Any, **kw: Any) -> str:
    day, n = list(element.clauses)
    return f"({compiler.process(day, **kw)} + {compiler.process(n, **kw)})"


@compiles(days_after, "sqlite")
def _days_after_sqlite(element: Any, compiler: Any, **kw: Any) -> str:
    day, n = list(element.clauses)
    return f"date({compiler.process(day, **kw)}, '+' || {compiler.process(n, **kw)} || ' days')"


@dataclass
class _Enrolled:
    patient: Patient
    enrollment: Enrollment
    program: Program
    today: date
    pauses: list[PauseDays]
    changes: list[Progression]
    prescribed: list[Prescription]
    flags: list[Any]
    plans: dict[date, DayPlan]  # by day (a plan's own `.day` may be another: see _Plans)
    required: dict[date, Required]
    logs: dict[date, DoneSets]
    sessions: set[date]  # days a loading dose was done


EMPTY: dict[tuple[str, str], int] = {}


class _Plans:
    """`plan_day` memoised on what it reads besides the date: the template, the side, the
    program day and the changes in force. A clinic of patients on a handful of programs
    then expands each program week once, not once per patient and day. A cached plan is
    shared by every day with the same key, so its own `.day` is the first such day: the
    dictionaries `between` returns are keyed by the day itself."""

    def __init__(self) -> None:
        self.cache: dict[tuple[Any, ...], tuple[DayPlan, Required]] = {}

    def between(
        self,
        enrollment: Enrollment,
        program: Program,
        pauses: Sequence[PauseDays],
        changes: Sequence[Progression],
        prescribed: Sequence[Prescription],
        first: date,
        last: date,
    ) -> tuple[dict[date, DayPlan], dict[date, Required]]:
        side = journal._side(enrollment.side)
        plans, required = {}, {}
        day = first
        while day <= last:
            pday = program_day(day, start=enrollment.start_date, pauses=pauses)
            key: tuple[Any, ...] | None = None
            if pday is not None and day >= enrollment.start_date and pday < program.weeks * 7:
                changed = tuple(c for c in changes if c.effective <= day)
                key = (enrollment.template_hash, side, pday, changed, in_force(prescribed, day))
            found = self.cache.get(key) if key is not None else None
            if found is None:
                plan = plan_day(
                    program,
                    start=enrollment.start_date,
                    side=side,
                    day=day,
                    pauses=pauses,
                    progressions=changes,
                    prescriptions=prescribed,
                )
                found = (plan, required_doses(plan))
                if key is not None:
                    self.cache[key] = found
            plans[day], required[day] = found
            day += timedelta(days=1)
        return plans, required


def roster(session: Session, *, now: datetime | None = None) -> list[RosterRow]:
    """One row per patient, in name order (`core.clinic.ordered` sorts for attention);
    'today' is each patient's own calendar day at `now` (default: the clock)."""
    patients = list(session.exec(select(Patient).order_by(col(Patient.name))).all())
    if not patients:
        return []
    moment = now or clock.now_utc()
    todays = {p.id: moment.astimezone(journal.patient_zone(p)).date() for p in patients}
    first = min(todays.values()) - timedelta(days=LOOKBACK_DAYS)
    last = max(todays.values())
    active = _active_enrollments(session)
    ids = sorted(e.id for e in active.values() if e.id is not None)

    pauses: dict[int, list[PauseDays]] = defaultdict(list)
    for enrollment_id, start, end in session.execute(
        rows_of(col(Pause.enrollment_id), col(Pause.start_date), col(Pause.end_date))
        .where(col(Pause.enrollment_id).in_(ids))
        .order_by(col(Pause.start_date))
    ).all():
        pauses[enrollment_id].append(PauseDays(start, end))
    changes: dict[int, list[Progression]] = defaultdict(list)
    for r in session.exec(
        select(PhaseChange)
        .where(col(PhaseChange.enrollment_id).in_(ids), col(PhaseChange.voided_at).is_(None))
        .order_by(col(PhaseChange.id))
    ).all():
        changes[r.enrollment_id].append(
            Progression(
                r.effective_date, r.to_phase, r.load_level, r.set_cut, r.week_cap, r.decision
            )
        )
    from rehab.store.observations import RedFlagEntry

    flags: dict[int | None, list[Any]] = defaultdict(list)
    for flag in session.exec(
        select(RedFlagEntry)
        .where(col(RedFlagEntry.enrollment_id).in_(ids))
        .order_by(col(RedFlagEntry.id))
    ).all():
        flags[flag.enrollment_id].append(flag)

    prescribed: dict[int, list[Prescription]] = defaultdict(list)
    for row in session.exec(
        select(PrescriptionRow)
        .where(
            col(PrescriptionRow.enrollment_id).in_(ids), col(PrescriptionRow.voided_at).is_(None)
        )
        .order_by(col(PrescriptionRow.effective_date), col(PrescriptionRow.id))
    ).all():
        prescribed[row.enrollment_id].append(as_prescription(row))
    logs, loading_done = _dose_groups(session, first=first, last=last)
    pain = _daily_pain(session, first=first, last=last)
    stiffness = _daily_stiffness(session, first=first, last=last)
    start_pain = _first_week_pain(session, ids=ids)
    visa = _visa_first_latest(session)
    last_entry = _last_entries(session, first=first, last=last)

    plans = _Plans()
    bases: list[RosterRow] = []
    running: list[tuple[RosterRow, _Enrolled]] = []
    for patient in patients:
        assert patient.id is not None
        today = todays[patient.id]
        enrollment = active.get(patient.id)
        first_visa, latest_visa = visa.get(patient.id, (None, None))
        base = RosterRow(
            patient=patient.name,
            today=today,
            last_entry=last_entry.get(patient.id),
            visa_first=first_visa,
            visa_latest=latest_visa,
        )
        if enrollment is None or enrollment.id is None:
            bases.append(base)
            continue
        program = journal.program_of(enrollment)
        e_pauses, e_changes = pauses[enrollment.id], changes[enrollment.id]
        e_prescribed = prescribed[enrollment.id]
        window_first = max(enrollment.start_date, today - timedelta(days=LOOKBACK_DAYS))
        day_plans, required = plans.between(
            enrollment,
            program,
            e_pauses,
            e_changes,
            e_prescribed,
            min(window_first, today - timedelta(days=MONTH - 1)),
            today,
        )
        loading = _loading_ids(tailor_on(program, e_prescribed, today))
        running.append(
            (
                base,
                _Enrolled(
                    patient=patient,
                    enrollment=enrollment,
                    program=program,
                    today=today,
                    pauses=e_pauses,
                    changes=e_changes,
                    prescribed=e_prescribed,
                    flags=flags.get(enrollment.id, []),
                    plans=day_plans,
                    required=required,
                    logs=logs.get(enrollment.id, {}),
                    sessions={d for d, x in loading_done.get(enrollment.id, set()) if x in loading},
                ),
            )
        )
    course = _course_rows(session, [e for _, e in running if _needs_course(e)])
    for base, enrolled in running:
        bases.append(_row(session, base, enrolled, pain, stiffness, start_pain, course))
    by_name = {r.patient: r for r in bases}
    return [by_name[p.name] for p in patients]


def _row(
    session: Session,
    base: RosterRow,
    enrolled: _Enrolled,
    pain: dict[int, dict[str, dict[date, int]]],
    stiffness: dict[int, dict[date, int]],
    start_pain: dict[int, float],
    course: _Course,
) -> RosterRow:
    enrollment, today, pid = enrolled.enrollment, enrolled.today, enrolled.patient.id
    assert pid is not None and enrollment.id is not None
    advice = _advice(session, enrolled, pain, stiffness, course)
    plan_today = enrolled.plans[today]
    open_flags = tuple(dict.fromkeys(f.flag for f in enrolled.flags if f.cleared_at is None))
    tomorrow = today + timedelta(days=1)
    waiting = advice in ("progress", "reduce") and not any(
        c.effective == tomorrow for c in enrolled.changes
    )
    this_week = [
        v
        for d, v in pain.get(pid, {}).get("morning", {}).items()
        if today - timedelta(days=WEEK - 1) <= d <= today
    ]
    return replace(
        base,
        program_id=enrollment.program_id,
        program_name=enrollment.program_name,
        status=plan_today.status,
        week=plan_today.week,
        weeks=enrolled.program.weeks,
        last7=_count(enrolled, today - timedelta(days=WEEK - 1), today),
        last28=_count(enrolled, today - timedelta(days=MONTH - 1), today),
        pain_start=start_pain.get(enrollment.id),
        pain_now=round(sum(this_week) / len(this_week), 1) if this_week else None,
        red_flags=open_flags,
        advice=advice,
        advice_waiting=waiting,
    )


def _count(enrolled: _Enrolled, first: date, last: date) -> Count:
    done = planned = 0
    for day, required in enrolled.required.items():
        if first <= day <= last:
            d, p = day_tally(required, enrolled.logs.get(day, EMPTY))
            done += d
            planned += p
    return Count(done, planned)


DOSE_GROUPS = """
    SELECT d.enrollment_id, d.plan_date, d.item_key, d.exercise_id, d.side,
           SUM(COALESCE(d.sets, 1))
    FROM doselog d JOIN enrollment e ON e.id = d.enrollment_id
    WHERE e.status = 'active' AND d.plan_date >= :first AND d.plan_date <= :last
      AND d.status = 'done' AND d.voided_at IS NULL
    GROUP BY d.enrollment_id, d.plan_date, d.item_key, d.exercise_id, d.side
"""

DoneSets = dict[tuple[str, str], int]  # (item key, leg) -> live sets done that day


def _dose_groups(
    session: Session, *, first: date, last: date
) -> tuple[dict[int, dict[date, DoneSets]], dict[int, set[tuple[date, str]]]]:
    """The sets done of each dose and leg of the active enrollments in the window (live
    check-offs only: a skip never makes a dose done, `core.checklist.progress`), and the
    (day, exercise) pairs done. Read through the driver's cursor: this is the one query
    whose rows grow with the clinic (a few hundred thousand for 2,000 patients)."""
    from rehab.store.rows import session_reader

    read = session_reader(session)
    sets: dict[int, dict[date, DoneSets]] = defaultdict(dict)
    done: dict[int, set[tuple[date, str]]] = defaultdict(set)
    days: dict[Any, date] = {}
    for enrollment_id, day, key, exercise_id, side, count in read(
        DOSE_GROUPS, {"first": first, "last": last}
    ):
        when = days.get(day)
        if when is None:  # ISO text on SQLite, a date on PostgreSQL
            when = days[day] = day if isinstance(day, date) else date.fromisoformat(day)
        by_day = sets[enrollment_id]
        one = by_day.get(when)
        if one is None:
            one = by_day[when] = {}
        where = (key, side)
        one[where] = one.get(where, 0) + int(count)
        done[enrollment_id].add((when, exercise_id))
    return sets, done


def _observe(
    first: date,
    last: date,
    pauses: Sequence[PauseDays],
    pain: dict[str, dict[date, int]],
    stiff: dict[date, int],
    sessions: set[date],
) -> list[DayObservation]:
    """`progress.observations` from batched rows: each day's worst pain by context, the
    longest stiffness, whether paused, whether a loading session was done."""
    morning, during = pain.get("morning", {}), pain.get("during", {})
    after, rest = pain.get("after", {}), pain.get("rest", {})
    days = []
    day = first
    while day <= last:
        days.append(
            DayObservation(
                day=day,
                morning_pain=morning.get(day),
                pain_during=during.get(day),
                pain_after=after.get(day),
                stiffness_minutes=stiff.get(day),
                paused=any(p.covers(day) for p in pauses),
                rest_pain=rest.get(day),
                session=day in sessions,
            )
        )
        day += timedelta(days=1)
    return days


@dataclass(frozen=True)
class _Course:
    """Whole-enrollment rows for the patients whose red-flag check reads the course so far
    (from week 12 to the program's end): read for them alone, in four queries."""

    pain: dict[int, dict[str, dict[date, int]]]
    stiffness: dict[int, dict[date, int]]
    sessions: dict[int, set[tuple[date, str]]]
    visa: dict[int, list[tuple[date, int]]]
    enrollments: frozenset[int | None] = frozenset()

    def checker(self, enrolled: _Enrolled) -> Callable[[date], CourseCheck] | None:
        """The course check from these rows, or None (read it) for a patient not read."""
        if enrolled.enrollment.id not in self.enrollments:
            return None
        return lambda today: self.check(enrolled, today)

    def check(self, enrolled: _Enrolled, today: date) -> CourseCheck:
        """`progress.course_check` for a patient with no red flag open."""
        pid, enrollment, program = enrolled.patient.id, enrolled.enrollment, enrolled.program
        assert pid is not None and enrollment.id is not None
        pauses = [p for p in enrolled.pauses if p.start != today]
        loading = _loading_ids(tailor_on(program, enrolled.prescribed, today))
        sessions = {d for d, x in self.sessions.get(enrollment.id, set()) if x in loading}
        days = _observe(
            enrollment.start_date,
            today,
            pauses,
            self.pain.get(pid, {}),
            self.stiffness.get(pid, {}),
            sessions,
        )
        return on_track(
            days,
            start=enrollment.start_date,
            today=today,
            visa_scores=self.visa.get(pid, []),
            pauses=pauses,
            course_weeks=program.weeks,
            visa_offered=program.offers_visa_a,  # no red flag is open
        )


def _needs_course(enrolled: _Enrolled) -> bool:
    """Whether today's red-flag check reads the whole course (`progress._safety`)."""
    if any(f.cleared_at is None or f.flag == "no-improvement" for f in enrolled.flags):
        return False
    today = enrolled.today
    done = program_day(
        today,
        start=enrolled.enrollment.start_date,
        pauses=[p for p in enrolled.pauses if p.start != today],
    )
    return course_end_due(enrolled.program.weeks, done)


def _course_rows(session: Session, enrolled: Sequence[_Enrolled]) -> _Course:
    if not enrolled:
        return _Course({}, {}, {}, {})
    from rehab.store.observations import Assessment
    from rehab.store.trends import VISA_INSTRUMENT

    patients = sorted(e.patient.id for e in enrolled if e.patient.id is not None)
    enrollments = sorted(e.enrollment.id for e in enrolled if e.enrollment.id is not None)
    first = min(e.enrollment.start_date for e in enrolled)
    last = max(e.today for e in enrolled)
    sessions: dict[int, set[tuple[date, str]]] = defaultdict(set)
    for enrollment_id, day, exercise_id in session.execute(
        rows_of(col(DoseLog.enrollment_id), col(DoseLog.plan_date), col(DoseLog.exercise_id))
        .where(
            col(DoseLog.enrollment_id).in_(enrollments),
            col(DoseLog.plan_date) >= first,
            col(DoseLog.plan_date) <= last,
            col(DoseLog.status) == "done",
            col(DoseLog.voided_at).is_(None),
        )
        .distinct()
    ).all():
        sessions[enrollment_id].add((day, exercise_id))
    visa: dict[int, list[tuple[date, int]]] = defaultdict(list)
    for patient_id, day, score in session.execute(
        rows_of(col(Assessment.patient_id), col(Assessment.taken_on), col(Assessment.score))
        .where(
            col(Assessment.patient_id).in_(patients),
            col(Assessment.instrument) == VISA_INSTRUMENT,
            col(Assessment.voided_at).is_(None),
        )
        .order_by(col(Assessment.taken_on), col(Assessment.id))
    ).all():
        visa[patient_id].append((day, int(score)))
    return _Course(
        pain=_daily_pain(session, first=first, last=last, patients=patients),
        stiffness=_daily_stiffness(session, first=first, last=last, patients=patients),
        sessions=sessions,
        visa=visa,
        enrollments=frozenset(enrollments),
    )


def _advice(
    session: Session,
    enrolled: _Enrolled,
    pain: dict[int, dict[str, dict[date, int]]],
    stiffness: dict[int, dict[date, int]],
    course: _Course | None = None,
) -> str:
    """Today's decision, as `rehab advice` gives it, from the batched rows."""
    enrollment, program, today = enrolled.enrollment, enrolled.program, enrolled.today
    open_flags = any(f.cleared_at is None for f in enrolled.flags)
    end = end_of_program(program, start=enrollment.start_date, pauses=enrolled.pauses)
    if end is not None and today > end and not open_flags:
        return "hold"  # the program has ended: todays_advice holds (with the course's words)
    assert enrolled.patient.id is not None
    pid = enrolled.patient.id

    def observe(first: date, last: date) -> list[DayObservation]:
        return _observe(
            first,
            last,
            enrolled.pauses,
            pain.get(pid, {}),
            stiffness.get(pid, {}),
            enrolled.sessions,
        )

    loading = _loading_ids(tailor_on(program, enrolled.prescribed, today))

    def planned_sessions(first: date, last: date) -> set[date]:
        return {
            day
            for day, plan in enrolled.plans.items()
            if first <= day <= last and any(d.exercise_id in loading for d in plan.doses)
        }

    inputs = AdviceInputs(
        enrollment=enrollment,
        program=program,
        changes=enrolled.changes,
        pauses=enrolled.pauses,
        flags=enrolled.flags,
        observe=observe,
        planned_sessions=planned_sessions,
        course=None if course is None else course.checker(enrolled),
    )
    return todays_advice(session, patient=enrolled.patient, today=today, inputs=inputs).decision


def _active_enrollments(session: Session) -> dict[int, Enrollment]:
    """Each patient's active enrollment (the latest, as `journal.active_enrollment` picks),
    as detached rows. Patients on the same template share one copy of its snapshot: it is
    read once per template, not once per patient."""
    table: Any = Enrollment.__table__  # type: ignore[attr-defined]
    wanted = [c for c in table.columns if c.name != "template_json"]
    found: dict[int, dict[str, Any]] = {}
    for values in session.execute(
        rows_of(*wanted).where(table.c.status == "active").order_by(table.c.id.desc())
    ).all():
        row = dict(zip((c.name for c in wanted), values, strict=True))
        found.setdefault(row["patient_id"], row)
    firsts = session.execute(
        rows_of(table.c.template_hash, func.min(table.c.id))
        .where(table.c.id.in_([r["id"] for r in found.values()]))
        .group_by(table.c.template_hash)
    ).all()
    snapshots = dict(
        session.execute(
            rows_of(table.c.template_hash, table.c.template_json).where(
                table.c.id.in_([i for _, i in firsts])
            )
        ).all()
    )
    return {
        patient_id: Enrollment(**row, template_json=snapshots[row["template_hash"]])
        for patient_id, row in found.items()
    }


def _daily_pain(
    session: Session, *, first: date, last: date, patients: list[int] | None = None
) -> dict[int, dict[str, dict[date, int]]]:
    """`trends.daily_pain` for every patient at once: each day's worst score by context,
    'during' the worse of pain entries and check-offs, 'rest' with 'night' folded in."""
    from rehab.store.observations import PainEntry

    result: dict[int, dict[str, dict[date, int]]] = defaultdict(lambda: defaultdict(dict))
    for patient_id, day, context, score in session.execute(
        rows_of(
            col(PainEntry.patient_id),
            col(PainEntry.local_date),
            col(PainEntry.context),
            func.max(PainEntry.score),
        )
        .where(
            col(PainEntry.local_date) >= first,
            col(PainEntry.local_date) <= last,
            col(PainEntry.context).in_(PAIN_CONTEXTS),
            col(PainEntry.voided_at).is_(None),
            *(() if patients is None else (col(PainEntry.patient_id).in_(patients),)),
        )
        .group_by(col(PainEntry.patient_id), col(PainEntry.local_date), col(PainEntry.context))
    ).all():
        into = "rest" if context == "night" else str(context)
        days = result[patient_id][into]
        days[day] = max(int(score), days.get(day, 0))
    for patient_id, day, score in session.execute(
        rows_of(col(Enrollment.patient_id), col(DoseLog.plan_date), func.max(DoseLog.pain_during))
        .join(Enrollment, col(Enrollment.id) == col(DoseLog.enrollment_id))
        .where(
            col(DoseLog.plan_date) >= first,
            col(DoseLog.plan_date) <= last,
            col(DoseLog.pain_during).is_not(None),
            col(DoseLog.voided_at).is_(None),
            *(() if patients is None else (col(Enrollment.patient_id).in_(patients),)),
        )
        .group_by(col(Enrollment.patient_id), col(DoseLog.plan_date))
    ).all():
        days = result[patient_id]["during"]
        days[day] = max(int(score), days.get(day, 0))
    return result


def _daily_stiffness(
    session: Session, *, first: date, last: date, patients: list[int] | None = None
) -> dict[int, dict[date, int]]:
    from rehab.store.observations import SymptomCheck

    result: dict[int, dict[date, int]] = defaultdict(dict)
    for patient_id, day, minutes in session.execute(
        rows_of(
            col(SymptomCheck.patient_id),
            col(SymptomCheck.check_date),
            func.max(SymptomCheck.stiffness_minutes),
        )
        .where(
            col(SymptomCheck.check_date) >= first,
            col(SymptomCheck.check_date) <= last,
            col(SymptomCheck.stiffness_minutes).is_not(None),
            col(SymptomCheck.voided_at).is_(None),
            *(() if patients is None else (col(SymptomCheck.patient_id).in_(patients),)),
        )
        .group_by(col(SymptomCheck.patient_id), col(SymptomCheck.check_date))
    ).all():
        result[patient_id][day] = int(minutes)
    return result


def _first_week_pain(session: Session, *, ids: list[int]) -> dict[int, float]:
    """Mean of each day's worst morning pain in the first 7 days of each enrollment."""
    from rehab.store.observations import PainEntry

    daily = (
        rows_of(
            col(Enrollment.id).label("enrollment_id"),
            col(PainEntry.local_date),
            func.max(PainEntry.score).label("worst"),
        )
        .join(PainEntry, col(PainEntry.patient_id) == col(Enrollment.patient_id))
        .where(
            col(Enrollment.id).in_(ids),
            col(PainEntry.context) == "morning",
            col(PainEntry.voided_at).is_(None),
            col(PainEntry.local_date) >= col(Enrollment.start_date),
            col(PainEntry.local_date) <= days_after(col(Enrollment.start_date), WEEK - 1),
        )
        .group_by(col(Enrollment.id), col(PainEntry.local_date))
        .subquery()
    )
    return {
        int(enrollment_id): round(float(mean), 1)
        for enrollment_id, mean in session.execute(
            rows_of(daily.c.enrollment_id, func.avg(daily.c.worst)).group_by(daily.c.enrollment_id)
        ).all()
    }


def _visa_first_latest(session: Session) -> dict[int, tuple[int, int]]:
    """Each patient's first and latest VISA-A score (by day taken, then order entered)."""
    from rehab.store.observations import Assessment
    from rehab.store.trends import VISA_INSTRUMENT

    order = (col(Assessment.taken_on), col(Assessment.id))
    ranked = (
        rows_of(
            col(Assessment.patient_id),
            col(Assessment.score),
            func.row_number()
            .over(partition_by=col(Assessment.patient_id), order_by=order)
            .label("oldest"),
            func.row_number()
            .over(
                partition_by=col(Assessment.patient_id),
                order_by=(order[0].desc(), order[1].desc()),
            )
            .label("newest"),
        )
        .where(col(Assessment.instrument) == VISA_INSTRUMENT, col(Assessment.voided_at).is_(None))
        .subquery()
    )
    found: dict[int, list[int | None]] = defaultdict(lambda: [None, None])
    for patient_id, score, oldest, newest in session.execute(
        rows_of(ranked.c.patient_id, ranked.c.score, ranked.c.oldest, ranked.c.newest).where(
            (ranked.c.oldest == 1) | (ranked.c.newest == 1)
        )
    ).all():
        if oldest == 1:
            found[patient_id][0] = int(score)
        if newest == 1:
            found[patient_id][1] = int(score)
    return {p: (int(a or 0), int(b or 0)) for p, (a, b) in found.items()}


def _last_entries(session: Session, *, first: date, last: date) -> dict[int, date]:
    """The latest day with a live check-off or skip, pain score or symptom check; looked for
    in the window first, and over the whole history only for patients with nothing in it."""
    found = _latest(session, since=first, until=last, patients=None)
    everyone = {int(p) for p in session.execute(rows_of(col(Patient.id))).scalars()}
    missing = sorted(everyone - set(found))
    if missing:
        found.update(_latest(session, since=None, until=last, patients=missing))
    return found


def _latest(
    session: Session, *, since: date | None, until: date, patients: list[int] | None
) -> dict[int, date]:
    from rehab.store.observations import PainEntry, SymptomCheck

    found: dict[int, date] = {}
    queries = [
        rows_of(col(Enrollment.patient_id), func.max(DoseLog.plan_date))
        .join(Enrollment, col(Enrollment.id) == col(DoseLog.enrollment_id))
        .where(
            col(DoseLog.voided_at).is_(None),
            col(DoseLog.plan_date) <= until,
            *(() if since is None else (col(DoseLog.plan_date) >= since,)),
            *(() if patients is None else (col(Enrollment.patient_id).in_(patients),)),
        )
        .group_by(col(Enrollment.patient_id)),
        rows_of(col(PainEntry.patient_id), func.max(PainEntry.local_date))
        .where(
            col(PainEntry.voided_at).is_(None),
            col(PainEntry.local_date) <= until,
            *(() if since is None else (col(PainEntry.local_date) >= since,)),
            *(() if patients is None else (col(PainEntry.patient_id).in_(patients),)),
        )
        .group_by(col(PainEntry.patient_id)),
        rows_of(col(SymptomCheck.patient_id), func.max(SymptomCheck.check_date))
        .where(
            col(SymptomCheck.voided_at).is_(None),
            col(SymptomCheck.check_date) <= until,
            *(() if since is None else (col(SymptomCheck.check_date) >= since,)),
            *(() if patients is None else (col(SymptomCheck.patient_id).in_(patients),)),
        )
        .group_by(col(SymptomCheck.patient_id)),
    ]
    for query in queries:
        for patient_id, day in session.execute(query).all():
            if day is not None and (patient_id not in found or day > found[patient_id]):
                found[int(patient_id)] = day
    return found
