"""From the log to the pain-monitoring model: daily observations, today's advice, and
accepting it as a phase change or load step (the only way a program moves on)."""

from __future__ import annotations

from datetime import date, timedelta

from sqlmodel import Session

from rehab.core.course import CourseCheck, on_track
from rehab.core.progression import Advice, DayObservation, advise
from rehab.core.schedule import current_phase, current_progression
from rehab.errors import UsageProblem
from rehab.store import journal
from rehab.store.models import Enrollment, Patient, PhaseChange, utcnow

LOOKBACK_DAYS = 28  # four weeks: enough for this week against last, past a pause
FIRST_WEEK_DAYS = 7


def observations(
    session: Session, *, patient: Patient, enrollment: Enrollment, first: date, last: date
) -> list[DayObservation]:
    """One observation per day in [first, last], each the day's worst (as the model asks):
    morning pain, pain during exercise (from check-offs and pain entries), pain after, and
    morning stiffness; the same daily figures the charts show. Voided entries do not count."""
    from rehab.store.trends import daily_pain, daily_stiffness

    pain = daily_pain(session, patient=patient, first=first, last=last)
    morning, during, after = dict(pain.morning), dict(pain.during), dict(pain.after)
    stiffness = dict(daily_stiffness(session, patient=patient, first=first, last=last))
    paused = journal.pauses_of(session, enrollment=enrollment)
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
            )
        )
        day += timedelta(days=1)
    return days


def _whole(value: float | None) -> int | None:
    return None if value is None else int(value)


def todays_advice(session: Session, *, patient: Patient, today: date) -> Advice:
    enrollment = journal.require_enrollment(session, patient=patient)
    program = journal.program_of(enrollment)
    changes = journal.progressions_of(session, enrollment=enrollment)
    phase = current_phase(program, changes, today)
    latest = current_progression(changes, today)
    phase_changes = [c for c in changes if c.phase_id is not None and c.effective <= today]
    phase_start = max((c.effective for c in phase_changes), default=enrollment.start_date)
    load_since = latest.effective if latest is not None else phase_start
    if (today - enrollment.start_date).days < FIRST_WEEK_DAYS - 1:
        # the model looks at the last 7 days: in the first week, most of them are before
        # the program began, which is not "missing" data
        return Advice(
            decision="hold",
            reasons=[
                f"the program began on {enrollment.start_date}: advice starts once there is "
                "a week of logs (morning pain, and pain during exercise with `--pain`)"
            ],
            next_phase=None,
            next_load_level=latest.load_level if latest is not None else 0,
            would_change=["a week of morning pain and exercise pain logs"],
        )
    first = max(enrollment.start_date, today - timedelta(days=LOOKBACK_DAYS))
    days = observations(session, patient=patient, enrollment=enrollment, first=first, last=today)
    return advise(
        program,
        days,
        phase_id=phase.id,
        phase_start=min(phase_start, today),
        load_level=latest.load_level if latest is not None else 0,
        today=today,
        load_since=min(load_since, today),
        pauses=journal.pauses_of(session, enrollment=enrollment),
    )


def accept(
    session: Session, *, patient: Patient, today: date, decided_by: str
) -> tuple[Advice, PhaseChange]:
    """Record today's advice as a change from tomorrow on; holding has nothing to record."""
    enrollment = journal.require_enrollment(session, patient=patient)
    advice = todays_advice(session, patient=patient, today=today)
    if advice.decision == "hold":
        raise UsageProblem("today's advice is to hold: nothing to accept (`rehab advice` says why)")
    program = journal.program_of(enrollment)
    changes = journal.progressions_of(session, enrollment=enrollment)
    now_phase = current_phase(program, changes, today)
    change = PhaseChange(
        enrollment_id=enrollment.id or 0,
        effective_date=today + timedelta(days=1),
        from_phase=now_phase.id,
        to_phase=advice.next_phase or now_phase.id,
        load_level=advice.next_load_level,
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
    days = observations(
        session, patient=patient, enrollment=enrollment, first=enrollment.start_date, last=today
    )
    scores = [(entry.taken_on, entry.score) for entry in visa_history(session, patient=patient)]
    return on_track(
        days,
        start=enrollment.start_date,
        today=today,
        visa_scores=scores,
        pauses=journal.pauses_of(session, enrollment=enrollment),
        visa_offered=visa_refusal(session, patient=patient) is None,
    )
