"""Pausing and resuming a program (a red-flag pause is resumed only once a clinician has
cleared the flag)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session

from rehab.core import clock
from rehab.errors import UsageProblem
from rehab.store.days import day_logs
from rehab.store.enrollments import _id, patient_zone, require_enrollment
from rehab.store.holds import open_pause, refuse_if_red_flag
from rehab.store.inputs import one_line_reason
from rehab.store.models import Patient, Pause, utcnow


def pause_program(
    session: Session,
    *,
    patient: Patient,
    reason: str,
    now: datetime | None = None,
    from_now: bool = False,
) -> Pause:
    """Pause from today, or from tomorrow when today already has check-offs (they stay in
    view). `from_now` (a red flag) pauses today whatever was done: stop means stop."""
    reason = one_line_reason(reason, examples="injury, illness, travel")
    enrollment = require_enrollment(session, patient=patient)
    current = open_pause(session, enrollment=enrollment)
    if current is not None:
        refuse_if_red_flag(session, enrollment=enrollment)
        raise UsageProblem(
            f"the program is already paused since {current.start_date} ({current.reason}); "
            "`rehab resume` ends the pause"
        )
    today = (now or clock.now_utc()).astimezone(patient_zone(patient)).date()
    first = max(today, enrollment.start_date)
    if not from_now and day_logs(session, enrollment=enrollment, day=first):
        # today already has check-offs: keep them in view and pause from tomorrow
        first = first + timedelta(days=1)
    pause = Pause(enrollment_id=_id(enrollment), start_date=first, reason=reason)
    session.add(pause)
    session.flush()
    return pause


def resume_program(session: Session, *, patient: Patient, now: datetime | None = None) -> Pause:
    enrollment = require_enrollment(session, patient=patient)
    current = open_pause(session, enrollment=enrollment)
    if current is None:
        raise UsageProblem("the program is not paused (nothing to resume)")
    refuse_if_red_flag(session, enrollment=enrollment)
    today = (now or clock.now_utc()).astimezone(patient_zone(patient)).date()
    current.end_date = max(today, current.start_date)
    current.ended_at = utcnow()
    session.add(current)
    session.flush()
    return current
