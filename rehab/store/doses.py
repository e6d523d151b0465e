"""Check-offs and skips: one function per user action. Dose rows written by one action
share an `action` id, which is what lets `undo` take back exactly one action (both legs of a
stretch, say)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, text
from sqlmodel import Session, select

from rehab.core import clock
from rehab.core.checklist import DoseProgress, target_sets
from rehab.errors import FieldProblem, UsageProblem
from rehab.store.days import Day, load_day
from rehab.store.enrollments import _id, patient_zone
from rehab.store.holds import refuse_if_red_flag
from rehab.store.inputs import SKIP_REASONS, not_future, one_line_reason
from rehab.store.models import DoseLog, Enrollment, Patient


def _planned_items(day_view: Day, key: str, side: str | None) -> list[DoseProgress]:
    plan = day_view.plan
    if plan.status != "active":
        reason = {
            "before-start": f"the program starts on {day_view.enrollment.start_date}",
            "paused": "the program is paused on that day",
            "ended": "the program had ended by then",
        }[plan.status]
        raise UsageProblem(f"nothing is planned on {plan.day}: {reason}")
    matching = [item for item in day_view.items if item.dose.key == key]
    if not matching:
        keys = list(dict.fromkeys(item.dose.key for item in day_view.items))
        raise UsageProblem(f"no dose {key!r} on {plan.day} (allowed: {', '.join(keys)})")
    if side is not None:
        planned_sides = [item.dose.side_key for item in matching]
        if planned_sides == [""]:
            raise FieldProblem("side", f"{key!r} is not done per leg (leave the side out)")
        if side not in planned_sides:
            legs = " and ".join(s for s in planned_sides)
            raise FieldProblem(
                "side", f"{key!r} is planned for the {legs} leg only (allowed: {legs})"
            )
        matching = [item for item in matching if item.dose.side_key == side]
    return matching


def _next_seq(session: Session, *, enrollment: Enrollment, day: date, key: str, side: str) -> int:
    current = session.exec(
        select(func.max(DoseLog.seq)).where(
            DoseLog.enrollment_id == enrollment.id,
            DoseLog.plan_date == day,
            DoseLog.item_key == key,
            DoseLog.side == side,
        )
    ).one()
    return int(current or 0) + 1


def _dose_row(
    session: Session,
    *,
    view: Day,
    item: DoseProgress,
    action: str,
    status: str,
    logged_at: datetime,
    **amounts: Any,
) -> DoseLog:
    """A check-off or skip row for one planned dose, numbered after the dose's last row."""
    dose = item.dose
    row = DoseLog(
        enrollment_id=_id(view.enrollment),
        plan_date=view.plan.day,
        item_key=dose.key,
        exercise_id=dose.exercise_id,
        occurrence=dose.occurrence,
        side=dose.side_key,
        seq=_next_seq(
            session,
            enrollment=view.enrollment,
            day=view.plan.day,
            key=dose.key,
            side=dose.side_key,
        ),
        action=action,
        status=status,
        logged_at=logged_at,
        **amounts,
    )
    session.add(row)
    return row


@dataclass(frozen=True)
class Amounts:
    """What the patient says they did; None means 'as planned'."""

    sets: int | None = None
    reps: int | None = None
    hold_seconds: float | None = None
    minutes: float | None = None
    load_kg: float | None = None
    pain_during: int | None = None
    note: str | None = None


def hold_day(session: Session, *, patient: Patient, day: date) -> None:
    """Make this transaction the only one counting and logging doses of the patient's day
    until it ends: "how many sets are done?" and the INSERT that follows must see the same
    state, or two check-offs at once both find the dose open and log it twice.

    SQLite already serialises writers (BEGIN IMMEDIATE takes the write lock when the
    transaction starts). PostgreSQL needs a lock of its own: a transaction-scoped advisory
    lock keyed on (patient, day), released by the server at commit or rollback, also if
    the process dies. Other patients and other days do not wait."""
    if session.get_bind().dialect.name != "postgresql":
        return
    session.execute(
        text("SELECT pg_advisory_xact_lock(CAST(:patient AS integer), CAST(:day AS integer))"),
        {"patient": _id(patient), "day": day.toordinal()},
    )


def record_done(
    session: Session,
    *,
    patient: Patient,
    day: date,
    key: str,
    side: str | None = None,
    amounts: Amounts = Amounts(),
    now: datetime | None = None,
) -> list[DoseLog]:
    """Check off a planned dose (every open leg unless `side` is given)."""
    moment = now or clock.now_utc()
    not_future(day, moment.astimezone(patient_zone(patient)).date(), "date")
    hold_day(session, patient=patient, day=day)
    view = load_day(session, patient=patient, day=day)
    refuse_if_red_flag(session, enrollment=view.enrollment)
    key = next_open_key(view, key)
    items = _planned_items(view, key, side)
    # a 2–3 range is done at 2 sets, but the third may still be logged
    open_items = [item for item in items if item.sets_left > 0]
    if not open_items:
        raise UsageProblem(
            f"{key!r} is already done on {day}; `rehab undo` takes back the last entry"
        )
    rows = []
    batch = uuid.uuid4().hex
    if amounts.sets is not None and any(item.dose.unverified for item in open_items):
        raise FieldProblem(
            "sets",
            f"{key!r} has no established dose; your clinician sets it "
            "(leave the sets out to log it as done)",
        )
    for item in open_items:
        left = target_sets(item.dose) - item.sets_done
        if amounts.sets is not None and amounts.sets > left:
            leg = f" ({item.dose.side} leg)" if item.dose.side else ""
            raise FieldProblem(
                "sets",
                f"{amounts.sets} is more than the {left} {'set' if left == 1 else 'sets'} "
                f"left of {key!r}{leg} "
                f"(allowed: 1 to {left})",
            )
        row = _dose_row(
            session,
            view=view,
            item=item,
            action=batch,
            status="done",
            logged_at=moment,
            # an unverified dose is logged as done, never as a number of sets
            sets=None if item.dose.unverified else (amounts.sets or left),
            reps=amounts.reps,
            hold_seconds=amounts.hold_seconds,
            minutes=amounts.minutes,
            load_kg=amounts.load_kg if amounts.load_kg is not None else item.dose.load_kg,
            pain_during=amounts.pain_during,
            note=amounts.note,
        )
        rows.append(row)
    session.flush()
    return rows


def next_open_key(view: Day, key: str) -> str:
    """`ice` when the first icing is done means the next one (`ice#2`); `#N` is exact."""
    if "#" in key:
        return key
    same = [i for i in view.items if i.dose.exercise_id == key]
    first = [i for i in same if i.dose.key == key]
    if not first or any(i.status != "done" for i in first):
        return key
    for item in same:
        if item.status in ("open", "partial"):
            return item.dose.key
    return key


def record_skip(
    session: Session,
    *,
    patient: Patient,
    day: date,
    key: str,
    reason: str,
    side: str | None = None,
    now: datetime | None = None,
) -> list[DoseLog]:
    reason = one_line_reason(reason, examples=", ".join(SKIP_REASONS))
    moment = now or clock.now_utc()
    not_future(day, moment.astimezone(patient_zone(patient)).date(), "date")
    hold_day(session, patient=patient, day=day)
    view = load_day(session, patient=patient, day=day)
    refuse_if_red_flag(session, enrollment=view.enrollment)
    items = [i for i in _planned_items(view, key, side) if i.status in ("open", "partial")]
    if not items:
        raise UsageProblem(f"{key!r} on {day} is already done or skipped")
    rows = []
    batch = uuid.uuid4().hex
    for item in items:
        rows.append(
            _dose_row(
                session,
                view=view,
                item=item,
                action=batch,
                status="skipped",
                logged_at=moment,
                reason=reason,
            )
        )
    session.flush()
    return rows
