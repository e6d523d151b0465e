"""A day's plan and checklist: what the program plans for a day and what was logged
against it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func
from sqlmodel import Session, col, select

from rehab.core.checklist import DoseProgress, Logged, paused_after, progress
from rehab.core.prescription import tailor_on
from rehab.core.schedule import (
    DayPlan,
    EnrollmentSide,
    end_of_program,
    plan_day,
)
from rehab.core.template import Program
from rehab.store.enrollments import pauses_of, program_of, progressions_of, require_enrollment
from rehab.store.holds import open_flags
from rehab.store.models import DoseLog, Enrollment, Patient
from rehab.store.prescriptions import prescriptions_of


@dataclass(frozen=True)
class Day:
    """Everything a screen or command needs to show one plan day."""

    patient: Patient
    enrollment: Enrollment
    program: Program
    plan: DayPlan
    items: list[DoseProgress]
    end: date | None
    paused: bool


def plan_for(session: Session, *, enrollment: Enrollment, day: date) -> DayPlan:
    return plan_day(
        program_of(enrollment),
        start=enrollment.start_date,
        side=_side(enrollment.side),
        day=day,
        pauses=pauses_of(session, enrollment=enrollment),
        progressions=progressions_of(session, enrollment=enrollment),
        prescriptions=prescriptions_of(session, enrollment=enrollment),
    )


def _side(value: str) -> EnrollmentSide:
    if value == "left":
        return "left"
    if value == "right":
        return "right"
    return "both"


def day_logs(session: Session, *, enrollment: Enrollment, day: date) -> list[DoseLog]:
    return list(
        session.exec(
            select(DoseLog)
            .where(
                DoseLog.enrollment_id == enrollment.id,
                DoseLog.plan_date == day,
                col(DoseLog.voided_at).is_(None),
            )
            .order_by(col(DoseLog.id))
        ).all()
    )


def load_day(session: Session, *, patient: Patient, day: date) -> Day:
    enrollment = require_enrollment(session, patient=patient)
    pauses = pauses_of(session, enrollment=enrollment)
    prescribed = prescriptions_of(session, enrollment=enrollment)
    plan = plan_day(
        program_of(enrollment),
        start=enrollment.start_date,
        side=_side(enrollment.side),
        day=day,
        pauses=pauses,
        progressions=progressions_of(session, enrollment=enrollment),
        prescriptions=prescribed,
    )
    logs = day_logs(session, enrollment=enrollment, day=day) if plan.doses else []
    items = progress(plan, (Logged(r.item_key, r.side, r.status, r.sets) for r in logs))
    if (
        plan.status == "paused"
        and any(p.start == day and p.end is None for p in pauses)
        and open_flags(session, enrollment=enrollment)
    ):
        # paused from the moment a red flag was raised: the day's doses show the pause, and
        # what was done before it stays done
        logs = day_logs(session, enrollment=enrollment, day=day)
        before = plan_day(
            program_of(enrollment),
            start=enrollment.start_date,
            side=_side(enrollment.side),
            day=day,
            pauses=[p for p in pauses if p.start != day],
            progressions=progressions_of(session, enrollment=enrollment),
            prescriptions=prescribed,
        )
        done = (Logged(r.item_key, r.side, r.status, r.sets) for r in logs)
        items = paused_after(progress(before, done))
    return Day(
        patient=patient,
        enrollment=enrollment,
        program=tailor_on(program_of(enrollment), prescribed, day),
        plan=plan,
        items=items,
        end=end_of_program(program_of(enrollment), start=enrollment.start_date, pauses=pauses),
        paused=any(p.end is None for p in pauses),
    )


def logs_between(
    session: Session, *, enrollment: Enrollment, first: date, last: date
) -> dict[date, list[Logged]]:
    """Counting dose logs per plan day in [first, last], for tallies over a week or month."""
    rows = session.exec(
        select(DoseLog)
        .where(
            DoseLog.enrollment_id == enrollment.id,
            DoseLog.plan_date >= first,
            DoseLog.plan_date <= last,
            col(DoseLog.voided_at).is_(None),
        )
        .order_by(col(DoseLog.id))
    ).all()
    result: dict[date, list[Logged]] = {}
    for row in rows:
        result.setdefault(row.plan_date, []).append(
            Logged(row.item_key, row.side, row.status, row.sets)
        )
    return result


def plans_between(
    session: Session, *, enrollment: Enrollment, first: date, last: date
) -> list[DayPlan]:
    program = program_of(enrollment)
    pauses = pauses_of(session, enrollment=enrollment)
    changes = progressions_of(session, enrollment=enrollment)
    prescribed = prescriptions_of(session, enrollment=enrollment)
    side = _side(enrollment.side)
    plans = []
    day = first
    while day <= last:
        plans.append(
            plan_day(
                program,
                start=enrollment.start_date,
                side=side,
                day=day,
                pauses=pauses,
                progressions=changes,
                prescriptions=prescribed,
            )
        )
        day = date.fromordinal(day.toordinal() + 1)
    return plans


def days_active(session: Session, *, enrollment: Enrollment, upto: date) -> int:
    """Days with at least one dose done; a pause does not break the count."""
    count = session.exec(
        select(func.count(func.distinct(DoseLog.plan_date))).where(
            DoseLog.enrollment_id == enrollment.id,
            DoseLog.status == "done",
            col(DoseLog.voided_at).is_(None),
            DoseLog.plan_date <= upto,
        )
    ).one()
    return int(count or 0)
