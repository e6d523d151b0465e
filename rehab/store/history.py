"""A day's log as the History screen lists it, and undoing one of its entries: every
check-off and skip of the day's plan, the pain scores and the morning check, voided ones
too (the screen shows them struck through). Keyword-only and never committing, as every
store function: the caller owns the transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

from sqlmodel import Session, col, select

from rehab.errors import UsageProblem
from rehab.store.journal import refuse_undo_of_flag
from rehab.store.models import DoseLog, Enrollment, Patient
from rehab.store.observations import PainEntry, SymptomCheck


@dataclass(frozen=True)
class DayEntries:
    doses: list[DoseLog]  # the enrollment's, by id (the order they were written)
    pains: list[PainEntry]
    checks: list[SymptomCheck]


def entries_of_day(
    session: Session, *, patient: Patient, enrollment: Enrollment, day: date
) -> DayEntries:
    """Everything logged for `day`, voided entries included."""
    doses = session.exec(
        select(DoseLog)
        .where(DoseLog.enrollment_id == enrollment.id, DoseLog.plan_date == day)
        .order_by(col(DoseLog.id))
    ).all()
    pains = session.exec(
        select(PainEntry)
        .where(PainEntry.patient_id == patient.id, PainEntry.local_date == day)
        .order_by(col(PainEntry.id))
    ).all()
    checks = session.exec(
        select(SymptomCheck)
        .where(SymptomCheck.patient_id == patient.id, SymptomCheck.check_date == day)
        .order_by(col(SymptomCheck.id))
    ).all()
    return DayEntries(list(doses), list(pains), list(checks))


def void_entry(
    session: Session,
    *,
    patient: Patient,
    kind: Literal["pain", "check"],
    entry_id: int,
    now: datetime,
) -> None:
    """Mark one of the patient's pain scores or morning checks void (kept, not deleted).
    Refused when it is not theirs, is undone already, or raised a flag that is still open."""
    row: PainEntry | SymptomCheck | None = (
        session.get(PainEntry, entry_id) if kind == "pain" else session.get(SymptomCheck, entry_id)
    )
    if row is None or row.patient_id != patient.id or row.voided_at is not None:
        raise UsageProblem("that entry is already undone")
    refuse_undo_of_flag(session, row=row)
    row.voided_at = now
    session.add(row)
