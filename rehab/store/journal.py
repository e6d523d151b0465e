"""The patient's journal: one function per user action, each run inside one transaction.

The CLI and the TUI call these and nothing lower, so a check-off made from either is the
same row, checked the same way. Dose rows written by one action share an `action` id, which
is what lets `undo` take back exactly one action (both legs of a stretch, say).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, text
from sqlmodel import Session, col, select

from rehab.core import clock
from rehab.core.checklist import DoseProgress, Logged, paused_after, progress, target_sets
from rehab.core.schedule import (
    DayPlan,
    EnrollmentSide,
    Progression,
    end_of_program,
    plan_day,
)
from rehab.core.schedule import (
    Pause as PauseSpan,
)
from rehab.core.template import Program, program_from_snapshot
from rehab.errors import Refused, UsageProblem
from rehab.store.models import DoseLog, Enrollment, Patient, Pause, PhaseChange, utcnow
from rehab.store.plain import DEFAULT_PATIENT

if TYPE_CHECKING:  # loaded by the functions that need them: `rehab today` never does
    from rehab.store.observations import PainEntry, RedFlagEntry, SymptomCheck

PAIN_CONTEXTS = ("morning", "rest", "during", "after", "night")
SKIP_REASONS = ("too painful", "no time", "no equipment", "other")


REASON_MAX = 200
# What ends a red-flag pause, in each interface's words (the store's text names neither).
CLEARED_CLI = "then `rehab cleared --by NAME`"
CLEARED_APP = "once they have cleared you, press P and give their name"


def one_line_reason(text: str, *, examples: str) -> str:
    """A reason is one short line: spaces folded, at most REASON_MAX characters."""
    folded = " ".join(text.split())
    if not folded:
        raise UsageProblem(f"--reason: say why (for example: {examples})")
    if len(folded) > REASON_MAX:
        raise UsageProblem(
            f"--reason: {len(folded)} characters is too long (allowed: up to {REASON_MAX})"
        )
    return folded


# --- patients and enrollments ------------------------------------------------------------


def find_patient(session: Session, *, name: str | None, create: bool = False) -> Patient:
    """The named patient; the default one is created on first use, others only by `start`."""
    wanted = (name or DEFAULT_PATIENT).strip()
    if not wanted or len(wanted) > 100:
        raise UsageProblem("--patient: name must be 1 to 100 characters")
    patient = session.exec(select(Patient).where(Patient.name == wanted)).first()
    if patient is not None:
        return patient
    if not (create or wanted == DEFAULT_PATIENT):
        known = session.exec(select(Patient.name).order_by(Patient.name)).all()
        raise UsageProblem(
            f"--patient: no patient named {wanted!r} "
            f"(known: {', '.join(known) or 'none'}; `rehab start` creates one)"
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
    _not_too_old(start, today, "--start")
    current = active_enrollment(session, patient=patient)
    if current is not None:
        if not replace:
            raise UsageProblem(
                f"{patient.name} is already on {current.program_id!r} "
                f"(since {current.start_date}); add --replace to end it and start this one"
            )
        refuse_if_red_flag(session, enrollment=current)
        current.status = "ended"
        current.ended_at = utcnow()
        session.add(current)
    enrollment = Enrollment(
        patient_id=_id(patient),
        program_id=program.id,
        program_name=program.name,
        template_json=program.snapshot(),
        template_hash=program.snapshot_hash(),
        side=side,
        start_date=start,
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


def pauses_of(session: Session, *, enrollment: Enrollment) -> list[PauseSpan]:
    rows = session.exec(
        select(Pause).where(Pause.enrollment_id == enrollment.id).order_by(col(Pause.start_date))
    ).all()
    return [PauseSpan(row.start_date, row.end_date) for row in rows]


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


# --- the day's plan and checklist --------------------------------------------------------


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
    plan = plan_day(
        program_of(enrollment),
        start=enrollment.start_date,
        side=_side(enrollment.side),
        day=day,
        pauses=pauses,
        progressions=progressions_of(session, enrollment=enrollment),
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
        )
        done = (Logged(r.item_key, r.side, r.status, r.sets) for r in logs)
        items = paused_after(progress(before, done))
    return Day(
        patient=patient,
        enrollment=enrollment,
        program=program_of(enrollment),
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


# --- check-offs and skips ----------------------------------------------------------------


OLDEST_DAYS = 366


def _not_too_old(day: date, today: date, what: str) -> None:
    """Backfilling is for days the patient can still remember: up to a year back."""
    oldest = today - timedelta(days=OLDEST_DAYS)
    if day < oldest:
        raise UsageProblem(f"{what}: {day} is more than a year ago (allowed: {oldest} to {today})")


def _not_future(day: date, today: date, what: str) -> None:
    if day > today:
        raise UsageProblem(
            f"{what}: {day} is in the future (allowed: today, {today}, or an earlier day)"
        )


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
            raise UsageProblem(f"--side: {key!r} is not done per leg (leave --side out)")
        if side not in planned_sides:
            legs = " and ".join(s for s in planned_sides)
            raise UsageProblem(
                f"--side: {key!r} is planned for the {legs} leg only (allowed: {legs})"
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
    _not_future(day, moment.astimezone(patient_zone(patient)).date(), "--date")
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
        raise UsageProblem(
            f"--sets: {key!r} has no established dose; your clinician sets it "
            "(leave --sets out to log it as done)"
        )
    for item in open_items:
        left = target_sets(item.dose) - item.sets_done
        if amounts.sets is not None and amounts.sets > left:
            leg = f" ({item.dose.side} leg)" if item.dose.side else ""
            raise UsageProblem(
                f"--sets: {amounts.sets} is more than the {left} set(s) left of {key!r}{leg} "
                f"(allowed: 1 to {left})"
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
    _not_future(day, moment.astimezone(patient_zone(patient)).date(), "--date")
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


# --- pain, symptoms, pauses --------------------------------------------------------------


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
        raise UsageProblem(
            f"--context: {context!r} is not a pain context (allowed: {', '.join(PAIN_CONTEXTS)})"
        )
    moment = now or clock.now_utc()
    when = at or moment
    if when > moment:
        raise UsageProblem(f"--at: {when.isoformat()} is in the future (allowed: now or earlier)")
    zone = patient_zone(patient)
    _not_too_old(when.astimezone(zone).date(), moment.astimezone(zone).date(), "--at")
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
    _not_future(day, today, "--date")
    _not_too_old(day, today, "--date")
    if stiffness_minutes is not None and not 0 <= stiffness_minutes <= 1440:
        raise UsageProblem(
            f"--stiffness: {stiffness_minutes} minutes is out of range (allowed: 0 to 1440)"
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


def open_pause(session: Session, *, enrollment: Enrollment) -> Pause | None:
    return session.exec(
        select(Pause).where(Pause.enrollment_id == enrollment.id, col(Pause.end_date).is_(None))
    ).first()


def open_flags(session: Session, *, enrollment: Enrollment) -> list[RedFlagEntry]:
    """The red flags of this program not yet cleared by a clinician, oldest first."""
    from rehab.store.observations import RedFlagEntry

    return list(
        session.exec(
            select(RedFlagEntry)
            .where(
                RedFlagEntry.enrollment_id == enrollment.id,
                col(RedFlagEntry.cleared_at).is_(None),
            )
            .order_by(col(RedFlagEntry.id))
        ).all()
    )


def red_flag_pause(session: Session, *, enrollment: Enrollment) -> Pause | None:
    """The open pause while a red flag is uncleared: only a clinician's clearance ends it,
    and until then nothing may be checked off or skipped."""
    current = open_pause(session, enrollment=enrollment)
    if current is None or not open_flags(session, enrollment=enrollment):
        return None
    return current


def refuse_if_red_flag(session: Session, *, enrollment: Enrollment) -> None:
    """One line, and nothing written, while a red flag is uncleared."""
    flags = open_flags(session, enrollment=enrollment)
    if flags:
        ids = ", ".join(dict.fromkeys(f.flag for f in flags))
        raise Refused(
            f"the program is paused for a red flag ({ids}) since {flags[0].raised_on}: "
            "a clinician must clear it first",
            cli_hint=CLEARED_CLI,
            app_hint=CLEARED_APP,
        )


def refuse_undo_of_flag(session: Session, *, row: PainEntry | SymptomCheck) -> None:
    """An entry that raised a red flag still open is not undone: a mistaken answer is cleared
    by a clinician like any other, and both stay in the audit trail."""
    from rehab.store.observations import PainEntry, RedFlagEntry

    column = RedFlagEntry.pain_id if isinstance(row, PainEntry) else RedFlagEntry.check_id
    raised = session.exec(
        select(RedFlagEntry).where(column == row.id, col(RedFlagEntry.cleared_at).is_(None))
    ).first()
    if raised is not None:
        raise Refused(
            f"this entry raised a red flag ({raised.flag}) on {raised.raised_on} that is not "
            "cleared yet, so it stays: a clinician clears a mistaken answer, and both stay "
            "in the history",
            cli_hint="`rehab cleared --by NAME`",
            app_hint="once they have, press P and give their name",
        )


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


# --- undo ---------------------------------------------------------------------------------


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
