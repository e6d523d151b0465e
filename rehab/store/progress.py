"""From the log to the pain-monitoring model: daily observations, today's advice, and
accepting it as a phase change or load step (the only way a program moves on)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select as columns
from sqlmodel import Session, col, select

from rehab.core.course import CourseCheck, course_end_due, on_track
from rehab.core.progression import Advice, DayObservation, Safety, State, advise
from rehab.core.schedule import (
    PauseDays,
    Progression,
    current_phase,
    current_progression,
    end_of_program,
    program_day,
)
from rehab.core.template import Program
from rehab.errors import UsageProblem
from rehab.store import journal
from rehab.store.models import DoseLog, Enrollment, Patient, PhaseChange, utcnow
from rehab.store.prescriptions import tailored_program

LOOKBACK_DAYS = 28  # four weeks: enough for this week against last, past a pause
FIRST_WEEK_DAYS = 7


def observations(
    session: Session,
    *,
    patient: Patient,
    enrollment: Enrollment,
    first: date,
    last: date,
    pauses: Sequence[PauseDays] | None = None,
) -> list[DayObservation]:
    """One observation per day in [first, last], each the day's worst (as the model asks):
    morning pain, pain during exercise (from check-offs and pain entries), pain after, pain
    at rest or at night, morning stiffness, and whether a loading session was logged; the
    same daily figures the charts show. Voided entries do not count."""
    from rehab.store.trends import daily_pain, daily_stiffness

    pain = daily_pain(session, patient=patient, first=first, last=last)
    morning, during, after = dict(pain.morning), dict(pain.during), dict(pain.after)
    rest = dict(pain.rest)
    stiffness = dict(daily_stiffness(session, patient=patient, first=first, last=last))
    sessions = _sessions_logged(session, enrollment=enrollment, first=first, last=last)
    paused = journal.pauses_of(session, enrollment=enrollment) if pauses is None else pauses
    days = []
    day = first
    while day <= last:
        days.append(
            DayObservation(
                day=day,
                morning_pain=_whole(morning.get(day)),
                pain_during=_whole(during.get(day)),
                pain_after=_whole(after.get(day)),
                stiffness_minutes=_whole(stiffness.get(day)),
                paused=any(p.covers(day) for p in paused),
                rest_pain=_whole(rest.get(day)),
                session=day in sessions,
            )
        )
        day += timedelta(days=1)
    return days


def _loading_ids(program: Program) -> set[str]:
    """The exercises whose check-off is a loading session: strengthening, or every exercise
    of a program without any."""
    strong = {ex.id for ex in program.exercises if ex.kind == "strengthen"}
    return strong or {ex.id for ex in program.exercises}


def _sessions_logged(
    session: Session, *, enrollment: Enrollment, first: date, last: date
) -> set[date]:
    ids = _loading_ids(tailored_program(session, enrollment=enrollment, day=last))
    rows = session.execute(
        columns(col(DoseLog.plan_date))
        .where(
            col(DoseLog.enrollment_id) == enrollment.id,
            col(DoseLog.plan_date) >= first,
            col(DoseLog.plan_date) <= last,
            col(DoseLog.status) == "done",
            col(DoseLog.exercise_id).in_(sorted(ids)),
            col(DoseLog.voided_at).is_(None),
        )
        .distinct()
    ).all()
    return {row[0] for row in rows}


def _sessions_planned(
    session: Session, *, enrollment: Enrollment, first: date, last: date
) -> set[date]:
    """The days the protocol planned a loading session (three a week, every other day)."""
    ids = _loading_ids(tailored_program(session, enrollment=enrollment, day=last))
    return {
        plan.day
        for plan in journal.plans_between(session, enrollment=enrollment, first=first, last=last)
        if any(d.exercise_id in ids for d in plan.doses)
    }


def _whole(value: float | None) -> int | None:
    return None if value is None else int(value)


def _state(
    program: Program, enrollment: Enrollment, changes: list[Progression], today: date
) -> State:
    phase = current_phase(program, changes, today)
    latest = current_progression(changes, today)
    in_force = sorted((c for c in changes if c.effective <= today), key=lambda c: c.effective)
    phase_changes = [c for c in in_force if c.phase_id is not None]
    phase_start = max((c.effective for c in phase_changes), default=enrollment.start_date)
    load_since = latest.effective if latest is not None else phase_start
    reduced_since = last_reduced = None
    for change in in_force:  # the first day of the trailing run of reductions
        if change.decision == "reduce":
            reduced_since = reduced_since or change.effective
            last_reduced = change.effective
        elif not change.reduced:
            reduced_since = last_reduced = None
    return State(
        phase_id=phase.id,
        phase_start=min(phase_start, today),
        load_level=latest.load_level if latest is not None else 0,
        load_since=min(load_since, today),
        week=0,  # set by the caller from the plan
        set_cut=latest.set_cut if latest is not None else 0,
        week_cap=latest.week_cap if latest is not None else None,
        reduced_since=reduced_since,
        last_reduced=last_reduced,
    )


def todays_advice(session: Session, *, patient: Patient, today: date) -> Advice:
    from dataclasses import replace

    enrollment = journal.require_enrollment(session, patient=patient)
    program = journal.program_of(enrollment)
    changes = journal.progressions_of(session, enrollment=enrollment)
    pauses = journal.pauses_of(session, enrollment=enrollment)
    state = _state(program, enrollment, changes, today)
    pday = program_day(today, start=enrollment.start_date, pauses=pauses)
    state = replace(state, week=(pday // 7 + 1) if pday is not None else 1)
    safety = _safety(session, patient=patient, enrollment=enrollment, today=today)

    def model(days: list[DayObservation], **more: Any) -> Advice:
        return advise(
            program,
            days,
            phase_id=state.phase_id,
            phase_start=state.phase_start,
            load_level=state.load_level,
            today=today,
            pauses=pauses,
            state=state,
            **more,
        )

    if safety.open_flags:
        return model([], safety=safety)
    end = end_of_program(program, start=enrollment.start_date, pauses=pauses)
    if end is not None and today > end:
        course = course_check(session, patient=patient, today=today)
        return Advice(
            decision="hold",
            reasons=[f"the program ended on {end}: {course.sentence}"],
            next_phase=None,
            next_load_level=state.load_level,
            would_change=["a new program (`rehab start ID --replace`), as your clinician advises"],
            set_cut=state.set_cut,
            week_cap=state.week_cap,
        )
    first = max(enrollment.start_date, today - timedelta(days=LOOKBACK_DAYS))
    days = (
        observations(session, patient=patient, enrollment=enrollment, first=first, last=today)
        if today >= first
        else []
    )
    if (today - enrollment.start_date).days < FIRST_WEEK_DAYS - 1:
        # the model looks at the last 7 days: in the first week, most of them are before
        # the program began, which is not "missing" data; red flags are acted on at once
        early = model(days, safety=replace(safety, no_improvement=None))
        if early.decision in ("stop", "reduce"):  # signs of too much load count at once
            return early
        return Advice(
            decision="hold",
            reasons=[
                f"the program began on {enrollment.start_date}: advice starts once there is "
                "a week of logs (morning pain, and pain during exercise with `--pain`)"
            ],
            next_phase=None,
            next_load_level=state.load_level,
            would_change=["a week of morning pain and exercise pain logs"],
            set_cut=state.set_cut,
            week_cap=state.week_cap,
        )
    sessions = _sessions_planned(session, enrollment=enrollment, first=first, last=today)
    return model(days, sessions=sessions, safety=safety)


def _safety(session: Session, *, patient: Patient, enrollment: Enrollment, today: date) -> Safety:
    from rehab.store.observations import RedFlagEntry

    rows = session.exec(
        select(RedFlagEntry)
        .where(RedFlagEntry.enrollment_id == enrollment.id)
        .order_by(col(RedFlagEntry.id))
    ).all()
    open_flags = [(r.flag, r.raised_on) for r in rows if r.cleared_at is None]
    cleared = [r for r in rows if r.cleared_on is not None]
    cleared_on = max((r.cleared_on for r in cleared if r.cleared_on is not None), default=None)
    no_improvement = None
    program = journal.program_of(enrollment)
    pauses = journal.pauses_of(session, enrollment=enrollment)
    done = program_day(
        today, start=enrollment.start_date, pauses=[p for p in pauses if p.start != today]
    )
    due = course_end_due(program.weeks, done)
    if due and not open_flags and not any(r.flag == "no-improvement" for r in rows):
        course = course_check(session, patient=patient, today=today)
        if course.no_improvement:
            what = course.sentence.removeprefix("Not on track: ")
            what = what.removesuffix(" See your clinician.").rstrip(".")
            no_improvement = f"{what} ({'; '.join(course.reasons)})"
    details = [r.detail for r in rows if r.cleared_at is None and r.detail]
    return Safety(tuple(open_flags), cleared_on, no_improvement, tuple(details))


def escalate(session: Session, *, patient: Patient, today: date) -> Advice | None:
    """Act on a `stop` the log shows: record its red flags and pause the program, exactly as
    a red-flag answer does. Returns the advice when it is `stop` (None otherwise)."""
    from rehab.store.redflags import record_red_flags

    enrollment = journal.active_enrollment(session, patient=patient)
    if enrollment is None or today < enrollment.start_date:
        return None
    if journal.open_flags(session, enrollment=enrollment):
        return todays_advice(session, patient=patient, today=today)  # recorded and paused
    (plan,) = journal.plans_between(session, enrollment=enrollment, first=today, last=today)
    if plan.status != "active":  # paused, or the program has ended: nothing to stop
        return None
    advice = todays_advice(session, patient=patient, today=today)
    if advice.decision != "stop":
        return None
    record_red_flags(
        session,
        patient=patient,
        flag_ids=advice.flags,
        day=today,
        source="log",
        detail="; ".join(advice.reasons[:-1])[:500],
    )
    return todays_advice(session, patient=patient, today=today)


def accept(
    session: Session, *, patient: Patient, today: date, decided_by: str
) -> tuple[Advice, PhaseChange]:
    """Record today's advice as a change from tomorrow on; holding has nothing to record,
    and a stop is a clinician's to clear (`rehab cleared`), not to accept."""
    enrollment = journal.require_enrollment(session, patient=patient)
    advice = todays_advice(session, patient=patient, today=today)
    if advice.decision == "hold":
        raise UsageProblem("today's advice is to hold: nothing to accept (`rehab advice` says why)")
    if advice.decision == "stop":
        raise UsageProblem(
            "today's advice is to stop the exercises and see a clinician: there is nothing to "
            "accept; the program stays paused until a clinician clears it (`rehab cleared "
            "--by NAME`)"
        )
    program = journal.program_of(enrollment)
    changes = journal.progressions_of(session, enrollment=enrollment)
    tomorrow = today + timedelta(days=1)
    if any(c.effective == tomorrow for c in changes):
        raise UsageProblem(
            f"today's advice is already accepted (from {tomorrow}); `rehab advice` tomorrow "
            "says how it went"
        )
    now_phase = current_phase(program, changes, today)
    change = PhaseChange(
        enrollment_id=enrollment.id or 0,
        effective_date=today + timedelta(days=1),
        from_phase=now_phase.id,
        to_phase=advice.next_phase or now_phase.id,
        load_level=advice.next_load_level,
        set_cut=advice.set_cut,
        week_cap=advice.week_cap,
        decision=advice.decision,
        reason="; ".join(advice.reasons)[:1000],
        decided_by=decided_by,
        accepted_at=utcnow(),
    )
    session.add(change)
    session.flush()
    return advice, change


def course_check(session: Session, *, patient: Patient, today: date) -> CourseCheck:
    """The whole enrollment compared with the expected course (CLINICAL.md)."""
    from rehab.store.assessments import visa_history, visa_refusal

    enrollment = journal.require_enrollment(session, patient=patient)
    flagged = journal.red_flag_pause(session, enrollment=enrollment)
    if flagged is not None:  # stopped for a red flag: the course as it was when it stopped
        today = max(enrollment.start_date, min(today, flagged.start_date))
    # a pause that begins that day (a stop) does not take it out of the course so far
    pauses = [p for p in journal.pauses_of(session, enrollment=enrollment) if p.start != today]
    days = observations(
        session,
        patient=patient,
        enrollment=enrollment,
        first=enrollment.start_date,
        last=today,
        pauses=pauses,
    )
    scores = [(entry.taken_on, entry.score) for entry in visa_history(session, patient=patient)]
    program = journal.program_of(enrollment)
    return on_track(
        days,
        start=enrollment.start_date,
        today=today,
        visa_scores=scores,
        pauses=pauses,
        course_weeks=program.weeks,
        visa_offered=visa_refusal(session, patient=patient) is None,
    )
