"""Patients and their enrollments: who is using rehab, which program they run, from when,
and that program's pauses and accepted phase changes."""

from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from rehab.core import clock
from rehab.core.schedule import (
    EnrollmentSide,
    PauseDays,
    Progression,
)
from rehab.core.template import Program, program_from_snapshot
from rehab.errors import FieldProblem, UsageProblem
from rehab.store.holds import refuse_if_red_flag
from rehab.store.inputs import not_too_old
from rehab.store.models import Enrollment, Patient, Pause, PhaseChange, PrescriptionRow, utcnow
from rehab.store.schema import DEFAULT_PATIENT


def find_patient(session: Session, *, name: str | None, create: bool = False) -> Patient:
    """The named patient; the default one is created on first use, others only by `start`."""
    wanted = (name or DEFAULT_PATIENT).strip()
    if not wanted or len(wanted) > 100:
        raise FieldProblem("patient", "name must be 1 to 100 characters")
    patient = session.exec(select(Patient).where(Patient.name == wanted)).first()
    if patient is not None:
        return patient
    if not (create or wanted == DEFAULT_PATIENT):
        known = session.exec(select(Patient.name).order_by(Patient.name)).all()
        raise FieldProblem(
            "patient",
            f"no patient named {wanted!r} "
            f"(known: {', '.join(known) or 'none'}; `rehab start` creates one)",
        )
    patient = Patient(name=wanted)
    session.add(patient)
    session.flush()
    return patient


def patient_zone(patient: Patient) -> ZoneInfo:
    try:
        return clock.zone(patient.timezone)
    except ValueError as exc:
        raise UsageProblem(f"time zone setting: {exc}") from None


def active_enrollment(session: Session, *, patient: Patient) -> Enrollment | None:
    return session.exec(
        select(Enrollment)
        .where(Enrollment.patient_id == patient.id, Enrollment.status == "active")
        .order_by(col(Enrollment.id).desc())
    ).first()


def enrollments_of(session: Session, *, patient: Patient) -> list[Enrollment]:
    """Every enrollment of the patient, ended ones too, in start order."""
    return list(
        session.exec(
            select(Enrollment)
            .where(Enrollment.patient_id == patient.id)
            .order_by(col(Enrollment.start_date), col(Enrollment.id))
        ).all()
    )


def require_enrollment(session: Session, *, patient: Patient) -> Enrollment:
    enrollment = active_enrollment(session, patient=patient)
    if enrollment is None:
        raise UsageProblem(
            f"{patient.name} has no active program "
            "(start one: `rehab programs` lists them, `rehab start ID --side left|right|both`)"
        )
    return enrollment


def start_program(
    session: Session,
    *,
    patient: Patient,
    program: Program,
    side: EnrollmentSide,
    start: date,
    replace: bool = False,
    now: datetime | None = None,
) -> Enrollment:
    today = (now or clock.now_utc()).astimezone(patient_zone(patient)).date()
    not_too_old(start, today, "start date")
    current = active_enrollment(session, patient=patient)
    if current is not None:
        if not replace:
            raise UsageProblem(
                f"{patient.name} is already on {current.program_id!r} "
                f"(since {current.start_date}); add --replace to end it and start this one"
            )
        refuse_if_red_flag(session, enrollment=current)
        current.status = "ended"
        current.ended_at = now or utcnow()
        session.add(current)
    enrollment = Enrollment(
        patient_id=_id(patient),
        program_id=program.id,
        program_name=program.name,
        template_json=program.snapshot(),
        template_hash=program.snapshot_hash(),
        side=side,
        start_date=start,
        created_at=now or utcnow(),  # the app's clock (a test's fake one too)
    )
    session.add(enrollment)
    session.flush()
    return enrollment


def _id(row: Patient | Enrollment) -> int:
    assert row.id is not None, "row not flushed"
    return row.id


@lru_cache(maxsize=8)
def _program(snapshot: str) -> Program:
    return program_from_snapshot(snapshot)


def program_of(enrollment: Enrollment) -> Program:
    return _program(enrollment.template_json)


def pauses_of(session: Session, *, enrollment: Enrollment) -> list[PauseDays]:
    rows = session.exec(
        select(Pause).where(Pause.enrollment_id == enrollment.id).order_by(col(Pause.start_date))
    ).all()
    return [PauseDays(row.start_date, row.end_date) for row in rows]


def progressions_of(session: Session, *, enrollment: Enrollment) -> list[Progression]:
    rows = session.exec(
        select(PhaseChange)
        .where(PhaseChange.enrollment_id == enrollment.id, col(PhaseChange.voided_at).is_(None))
        .order_by(col(PhaseChange.id))
    ).all()
    return [
        Progression(r.effective_date, r.to_phase, r.load_level, r.set_cut, r.week_cap, r.decision)
        for r in rows
    ]


def plan_revised_at(session: Session, *, enrollment: Enrollment) -> datetime | None:
    """The latest edit to an enrollment's plan after it began: a phase change accepted or
    withdrawn, a pause begun or ended, a prescription made or taken back (None: never
    edited). Instants only grow, so the
    calendar export derives its SEQUENCE from this."""
    moments: list[datetime] = []
    for change in session.exec(
        select(PhaseChange).where(PhaseChange.enrollment_id == enrollment.id)
    ).all():
        moments += [m for m in (change.accepted_at, change.voided_at) if m is not None]
    for pause in session.exec(select(Pause).where(Pause.enrollment_id == enrollment.id)).all():
        moments += [m for m in (pause.created_at, pause.ended_at) if m is not None]
    for given in session.exec(
        select(PrescriptionRow).where(PrescriptionRow.enrollment_id == enrollment.id)
    ).all():
        moments += [m for m in (given.created_at, given.voided_at) if m is not None]
    return max(moments, default=None)
