"""Undo: take back the last action, one dose row's action, or a named action (kept as
voided rows, never deleted)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlmodel import Session, col, select

from rehab.errors import UsageProblem
from rehab.store.enrollments import active_enrollment, require_enrollment
from rehab.store.holds import open_flags, refuse_if_red_flag, refuse_undo_of_flag
from rehab.store.models import DoseLog, Enrollment, Patient, Pause, utcnow

if TYPE_CHECKING:  # loaded by the functions that need them: `rehab today` never does
    from rehab.store.observations import PainEntry, SymptomCheck


@dataclass(frozen=True)
class Undone:
    what: str
    count: int


def undo_last(session: Session, *, patient: Patient) -> Undone:
    """Void the most recent action's rows (never delete them).

    The newest live row of each kind is found by primary key (ids grow with time), so this
    costs the same on ten years of history as on one week.
    """
    from rehab.store.observations import PainEntry, SymptomCheck

    enrollment = active_enrollment(session, patient=patient)
    dose = (
        session.exec(
            select(DoseLog)
            .where(DoseLog.enrollment_id == enrollment.id, col(DoseLog.voided_at).is_(None))
            .order_by(col(DoseLog.id).desc())
            .limit(1)
        ).first()
        if enrollment is not None
        else None
    )
    pain = session.exec(
        select(PainEntry)
        .where(PainEntry.patient_id == patient.id, col(PainEntry.voided_at).is_(None))
        .order_by(col(PainEntry.id).desc())
        .limit(1)
    ).first()
    check = session.exec(
        select(SymptomCheck)
        .where(SymptomCheck.patient_id == patient.id, col(SymptomCheck.voided_at).is_(None))
        .order_by(col(SymptomCheck.id).desc())
        .limit(1)
    ).first()
    candidates: list[tuple[datetime, int, DoseLog | PainEntry | SymptomCheck]] = [
        (row.logged_at, rank, row)
        for rank, row in ((2, dose), (1, pain), (0, check))
        if row is not None
    ]
    if not candidates:
        raise UsageProblem("nothing to undo")
    _, _, latest = max(candidates, key=lambda c: (c[0], c[1]))
    if isinstance(latest, PainEntry | SymptomCheck):
        refuse_undo_of_flag(session, row=latest)
    if enrollment is not None:
        _refuse_if_program_changed_since(session, enrollment=enrollment, since=latest.logged_at)
    if isinstance(latest, DoseLog):
        return void_action(session, action=latest.action)
    latest.voided_at = utcnow()
    session.add(latest)
    if isinstance(latest, PainEntry):
        return Undone(f"pain {latest.score}/10 ({latest.context}) on {latest.local_date}", 1)
    return Undone(f"morning check on {latest.check_date}", 1)


def _refuse_if_program_changed_since(
    session: Session, *, enrollment: Enrollment, since: datetime
) -> None:
    """Undo takes back entries, not program changes: if a pause, a resume or a new program
    came after the newest entry, undoing an older entry would surprise, so say so instead."""
    if enrollment.created_at > since:
        raise UsageProblem(
            f"the last change was starting {enrollment.program_id!r}; undo only takes back "
            "check-offs, skips, pain scores and morning checks"
        )
    for pause in session.exec(select(Pause).where(Pause.enrollment_id == enrollment.id)).all():
        if pause.ended_at is not None and pause.ended_at > since:
            raise UsageProblem(
                "the last change was resuming the program; `rehab pause` pauses it again "
                "(undo only takes back check-offs, skips, pain scores and morning checks)"
            )
        if pause.created_at > since:
            if pause.end_date is None and open_flags(session, enrollment=enrollment):
                refuse_if_red_flag(session, enrollment=enrollment)  # a clinician ends it
            raise UsageProblem(
                "the last change was pausing the program; `rehab resume` ends the pause "
                "(undo only takes back check-offs, skips, pain scores and morning checks)"
            )


def undo_dose(session: Session, *, patient: Patient, day: date, keys: Sequence[str]) -> Undone:
    """Void the latest action on these doses of that day (the TUI's `u` on a row)."""
    enrollment = require_enrollment(session, patient=patient)
    latest = session.exec(
        select(DoseLog)
        .where(
            DoseLog.enrollment_id == enrollment.id,
            DoseLog.plan_date == day,
            col(DoseLog.item_key).in_(list(keys)),
            col(DoseLog.voided_at).is_(None),
        )
        .order_by(col(DoseLog.logged_at).desc(), col(DoseLog.id).desc())
    ).first()
    if latest is None:
        raise UsageProblem("nothing logged for this dose to undo")
    return void_action(session, action=latest.action)


def void_action(session: Session, *, action: str) -> Undone:
    rows = session.exec(
        select(DoseLog).where(DoseLog.action == action, col(DoseLog.voided_at).is_(None))
    ).all()
    if not rows:
        raise UsageProblem("that entry is already undone")
    now = utcnow()
    for row in rows:
        row.voided_at = now
        session.add(row)
    first = rows[0]
    legs = ", ".join(r.side for r in rows if r.side)
    what = f"{first.status} {first.item_key} on {first.plan_date}" + (f" ({legs})" if legs else "")
    return Undone(what, len(rows))
