"""Prescriptions in the database: a therapist's changes to a patient's program
(rehab.core.prescription), recorded with who, when, why and the date they apply from.

A prescription is checked before it is written: the exercise is in the program on that day
(or, to add, is not yet), and the program as tailored passes the template validator on every
day a prescription changes it, this one and any later ones already made. Nothing is written
otherwise. Undoing one voids it (kept as history), like every other entry.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlmodel import Session, col, select

from rehab.core import clock
from rehab.core.prescription import (
    FIELDS,
    MAX_BY,
    MAX_REASON,
    Action,
    Prescription,
    checked,
    exercise_json,
    frozen_values,
    in_force,
    tailor_on,
)
from rehab.core.schedule import end_of_program
from rehab.core.template import Exercise, Program, TemplateError
from rehab.errors import FieldProblem, UsageProblem
from rehab.store.enrollments import (
    patient_zone,
    pauses_of,
    program_of,
    require_enrollment,
)
from rehab.store.models import Enrollment, Patient, PrescriptionRow, utcnow


def as_prescription(row: PrescriptionRow) -> Prescription:
    """The row as the schedule reads it."""
    action: Action = (
        "add" if row.action == "add" else "remove" if row.action == "remove" else "change"
    )
    return Prescription(
        effective=row.effective_date,
        action=action,
        exercise_id=row.exercise_id,
        by=row.prescribed_by,
        values=frozen_values(json.loads(row.values_json)),
        exercise=row.exercise_json,
        reason=row.reason,
    )


def prescription_rows(
    session: Session, *, enrollment: Enrollment, voided: bool = False
) -> list[PrescriptionRow]:
    """The enrollment's prescriptions in the order they apply (by date, then as made)."""
    query = select(PrescriptionRow).where(PrescriptionRow.enrollment_id == enrollment.id)
    if not voided:
        query = query.where(col(PrescriptionRow.voided_at).is_(None))
    return list(
        session.exec(
            query.order_by(col(PrescriptionRow.effective_date), col(PrescriptionRow.id))
        ).all()
    )


def prescriptions_of(session: Session, *, enrollment: Enrollment) -> list[Prescription]:
    """What the schedule needs: the prescriptions in force, in the order they apply."""
    return [as_prescription(row) for row in prescription_rows(session, enrollment=enrollment)]


def tailored_program(session: Session, *, enrollment: Enrollment, day: date) -> Program:
    """The program as the therapist tailored it, on `day`."""
    return tailor_on(program_of(enrollment), prescriptions_of(session, enrollment=enrollment), day)


@dataclass(frozen=True)
class Request:
    """What a therapist asks for: the action, the exercise, the fields set, and, for an
    exercise added, where it comes from (a template's exercise, or a new one)."""

    action: Action
    exercise_id: str
    values: Mapping[str, Any]
    by: str
    reason: str = ""
    effective: date | None = None  # None: tomorrow
    added: Exercise | None = None


def _who(text: str) -> str:
    who = " ".join(text.split())
    if not who:
        raise FieldProblem("prescriber", "give the therapist's name")
    if len(who) > MAX_BY:
        raise FieldProblem(
            "prescriber", f"{len(who)} characters is too long (allowed: up to {MAX_BY})"
        )
    return who


def _why(text: str) -> str:
    why = " ".join(text.split())
    if len(why) > MAX_REASON:
        raise FieldProblem(
            "reason", f"{len(why)} characters is too long (allowed: up to {MAX_REASON})"
        )
    return why


def _when(enrollment: Enrollment, program: Program, pauses: Sequence[Any], day: date) -> None:
    if day < enrollment.start_date:
        raise FieldProblem(
            "from",
            f"{day} is before the program started (allowed: {enrollment.start_date} or later)",
        )
    end = end_of_program(program, start=enrollment.start_date, pauses=pauses)
    if end is not None and day > end:
        raise FieldProblem("from", f"{day} is after the program's last day (allowed: up to {end})")


def _locked(session: Session, enrollment: Enrollment) -> Enrollment:
    """The enrollment row, locked until the transaction ends (PostgreSQL: FOR UPDATE; SQLite
    holds the whole database for a write), so that two therapists prescribing at once are
    checked one after the other: the second sees the first's change, and no check is made
    against a program the other is changing."""
    return session.exec(
        select(Enrollment).where(Enrollment.id == enrollment.id).with_for_update()
    ).one()


def prescribe(
    session: Session, *, patient: Patient, request: Request, now: datetime | None = None
) -> PrescriptionRow:
    """Check the request against the program as tailored, then write it; one line (exit 2)
    and nothing written when it cannot be."""
    moment = now or clock.now_utc()
    today = moment.astimezone(patient_zone(patient)).date()
    enrollment = _locked(session, require_enrollment(session, patient=patient))
    base = program_of(enrollment)
    who = _who(request.by)
    why = _why(request.reason)
    effective = request.effective or date.fromordinal(today.toordinal() + 1)
    _when(enrollment, base, pauses_of(session, enrollment=enrollment), effective)
    unknown = set(request.values) - set(FIELDS)
    assert not unknown, f"not a prescription field: {sorted(unknown)}"
    if request.action == "change" and not request.values:
        raise UsageProblem(
            "say what changes (allowed: sets, repetitions, hold, minutes, load, times a day, "
            "days), or add or remove an exercise"
        )
    earlier = prescriptions_of(session, enrollment=enrollment)
    on_the_day = tailor_on(base, earlier, effective)
    ids = [e.id for e in on_the_day.exercises]
    exercise_text: str | None = None
    if request.action == "add":
        if request.exercise_id in ids:
            raise UsageProblem(
                f"{request.exercise_id!r} is already in the program on {effective} "
                "(change its dose instead of adding it)"
            )
        assert request.added is not None, "an exercise to add comes with its template"
        exercise_text = exercise_json(request.added)
    elif request.exercise_id not in ids:
        raise UsageProblem(
            f"no exercise {request.exercise_id!r} in the program on {effective} "
            f"(allowed: {', '.join(ids)})"
        )
    new = Prescription(
        effective=effective,
        action=request.action,
        exercise_id=request.exercise_id,
        by=who,
        values=frozen_values(request.values),
        exercise=exercise_text,
        reason=why,
    )
    ordered = sorted([*earlier, new], key=lambda p: p.effective)  # stable: as made
    for day in sorted({p.effective for p in ordered if p.effective >= effective}):
        try:
            checked(base, in_force(ordered, day))
        except KeyError as exc:
            raise UsageProblem(
                f"a later prescription (from {day}) changes {exc.args[0]!r}, which this one "
                "takes out of the program; undo that one first"
            ) from None
        except TemplateError as exc:
            raise UsageProblem(f"not a possible dose: {exc}") from None
    row = PrescriptionRow(
        enrollment_id=enrollment.id or 0,
        effective_date=effective,
        action=request.action,
        exercise_id=request.exercise_id,
        values_json=json.dumps(dict(new.value_map()), sort_keys=True),
        exercise_json=exercise_text,
        prescribed_by=who,
        reason=why,
        created_at=moment,
    )
    session.add(row)
    session.flush()
    return row


def void_prescription(
    session: Session, *, patient: Patient, prescription_id: int, now: datetime | None = None
) -> PrescriptionRow:
    """Take a prescription back (kept, marked voided); a later one that needs it stays
    valid only if the program still passes the validator without it."""
    enrollment = _locked(session, require_enrollment(session, patient=patient))
    rows = prescription_rows(session, enrollment=enrollment)
    target = next((r for r in rows if r.id == prescription_id), None)
    if target is None:
        raise UsageProblem(
            f"no prescription {prescription_id} in force for {patient.name} "
            "(the list of prescriptions gives their numbers)"
        )
    rest = [as_prescription(r) for r in rows if r.id != prescription_id]
    base = program_of(enrollment)
    for day in sorted({p.effective for p in rest if p.effective >= target.effective_date}):
        try:
            checked(base, in_force(rest, day))
        except (KeyError, TemplateError):
            raise UsageProblem(
                f"a later prescription (from {day}) depends on this one; undo that one first"
            ) from None
    target.voided_at = now or utcnow()
    session.add(target)
    session.flush()
    return target
