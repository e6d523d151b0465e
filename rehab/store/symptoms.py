"""Pain scores and morning symptom checks; a red-flag answer pauses the program."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlmodel import Session

from rehab.core import clock
from rehab.errors import FieldProblem, UsageProblem
from rehab.store.enrollments import _id, active_enrollment, patient_zone
from rehab.store.inputs import PAIN_CONTEXTS, not_future, not_too_old
from rehab.store.models import Patient

if TYPE_CHECKING:  # loaded by the functions that need them: `rehab today` never does
    from rehab.store.observations import PainEntry, SymptomCheck


def record_pain(
    session: Session,
    *,
    patient: Patient,
    score: int,
    context: str = "rest",
    at: datetime | None = None,
    note: str | None = None,
    now: datetime | None = None,
) -> PainEntry:
    from rehab.store.observations import PainEntry

    if not 0 <= score <= 10:
        raise UsageProblem(f"pain score: {score} is out of range (allowed: 0 to 10)")
    if context not in PAIN_CONTEXTS:
        raise FieldProblem(
            "pain context",
            f"{context!r} is not a pain context (allowed: {', '.join(PAIN_CONTEXTS)})",
        )
    moment = now or clock.now_utc()
    when = at or moment
    if when > moment:
        raise FieldProblem("time", f"{when.isoformat()} is in the future (allowed: now or earlier)")
    zone = patient_zone(patient)
    not_too_old(when.astimezone(zone).date(), moment.astimezone(zone).date(), "time")
    enrollment = active_enrollment(session, patient=patient)
    entry = PainEntry(
        patient_id=_id(patient),
        enrollment_id=enrollment.id if enrollment else None,
        at=when,
        local_date=when.astimezone(patient_zone(patient)).date(),
        context=context,
        score=score,
        note=note,
        logged_at=moment,
    )
    session.add(entry)
    session.flush()
    return entry


def record_check(
    session: Session,
    *,
    patient: Patient,
    day: date,
    stiffness_minutes: int | None,
    swelling: bool | None,
    redness: bool | None = None,
    tiptoe_pain: bool | None,
    note: str | None = None,
    now: datetime | None = None,
) -> SymptomCheck:
    from rehab.store.observations import SymptomCheck

    moment = now or clock.now_utc()
    today = moment.astimezone(patient_zone(patient)).date()
    not_future(day, today, "date")
    not_too_old(day, today, "date")
    if stiffness_minutes is not None and not 0 <= stiffness_minutes <= 1440:
        raise FieldProblem(
            "stiffness", f"{stiffness_minutes} minutes is out of range (allowed: 0 to 1440)"
        )
    enrollment = active_enrollment(session, patient=patient)
    entry = SymptomCheck(
        patient_id=_id(patient),
        enrollment_id=enrollment.id if enrollment else None,
        check_date=day,
        stiffness_minutes=stiffness_minutes,
        swelling=swelling,
        redness=redness,
        tiptoe_pain=tiptoe_pain,
        note=note,
        logged_at=moment,
    )
    session.add(entry)
    session.flush()
    return entry
