"""Which reminders went out: one row per patient, plan day and slot. The unique key decides
who sends when the app and `rehab remind` run at once: the second claim fails and that
process stays quiet. Keyword-only and never committing: the caller owns the transaction.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from rehab.store.models import Patient
from rehab.store.preferences import ReminderLog


def slots_sent(session: Session, *, patient: Patient, day: date) -> set[str]:
    """The slots of `day` whose reminder somebody has claimed."""
    return set(
        session.exec(
            select(ReminderLog.slot).where(
                ReminderLog.patient_id == patient.id, ReminderLog.plan_date == day
            )
        ).all()
    )


def claim_slot(
    session: Session, *, patient: Patient, day: date, slot: str, now: datetime, text: str
) -> bool:
    """Record the reminder as sent; False if another process already did (nothing written)."""
    row = ReminderLog(
        patient_id=patient.id or 0,
        plan_date=day,
        slot=slot,
        sent_at=now,
        channel="pending",
        text=text,
    )
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError:
        return False
    return True


def set_channel(session: Session, *, patient: Patient, day: date, slot: str, channel: str) -> None:
    """How a claimed reminder went out (or why it did not)."""
    row = session.exec(
        select(ReminderLog).where(
            ReminderLog.patient_id == patient.id,
            ReminderLog.plan_date == day,
            ReminderLog.slot == slot,
        )
    ).first()
    if row is not None:
        row.channel = channel
        session.add(row)


def sent_on(session: Session, *, patient: Patient, day: date) -> list[ReminderLog]:
    """The reminders of `day`, in the order they went out."""
    return list(
        session.exec(
            select(ReminderLog)
            .where(ReminderLog.patient_id == patient.id, ReminderLog.plan_date == day)
            .order_by(col(ReminderLog.sent_at))
        ).all()
    )
