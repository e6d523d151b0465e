"""The rows every export reads, streamed from the database in id order.

Voided rows are included and marked (`voided_at`): the export is the audit trail, and a
therapist should see what was corrected and when. Each generator runs one query; those of
the long tables (doses, pain, symptom checks) fetch in batches with `yield_per`, so memory
stays flat however long the history is.

Rows are NamedTuples and dates and instants come from the database as text where it
stores them so (SQLite), parsed with `fromisoformat`: SQLAlchemy's own date processing
and a frozen dataclass per row cost more than writing the whole CSV file.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any, NamedTuple

from sqlalchemy import ColumnElement, Select, String, or_, type_coerce
from sqlalchemy import select as columns
from sqlmodel import Session, col

from rehab.core.template import Program
from rehab.export.scope import Scope
from rehab.store.models import DoseLog, Pause, PhaseChange

BATCH = 2000


class DoseRow(NamedTuple):
    id: int
    enrollment_id: int
    program_id: str
    plan_date: date
    slot: str
    exercise_id: str
    exercise: str
    item_key: str
    side: str
    seq: int
    status: str  # done | skipped
    sets: int | None
    reps: int | None
    hold_seconds: float | None
    minutes: float | None
    load_kg: float | None
    pain_during: int | None
    reason: str | None
    note: str | None
    logged_at: datetime
    voided_at: datetime | None
    action: str


class PainRow(NamedTuple):
    id: int
    enrollment_id: int | None
    local_date: date
    at: datetime
    context: str
    score: int
    site: str | None
    note: str | None
    logged_at: datetime
    voided_at: datetime | None


class SymptomRow(NamedTuple):
    id: int
    enrollment_id: int | None
    check_date: date
    stiffness_minutes: int | None
    swelling: bool | None
    redness: bool | None
    tiptoe_pain: bool | None
    note: str | None
    logged_at: datetime
    voided_at: datetime | None


class AssessmentRow(NamedTuple):
    id: int
    enrollment_id: int | None
    instrument: str
    taken_on: date
    score: int
    answers: dict[str, Any]
    logged_at: datetime
    voided_at: datetime | None


class PhaseRow(NamedTuple):
    id: int
    enrollment_id: int
    effective_date: date
    decision: str  # progress | hold | reduce
    from_phase: str | None
    to_phase: str | None
    load_level: int
    reason: str
    decided_by: str
    accepted_at: datetime
    voided_at: datetime | None


class PauseRow(NamedTuple):
    id: int
    enrollment_id: int
    start_date: date
    end_date: date | None  # the day it was resumed (not paused itself); None: still paused
    reason: str
    created_at: datetime
    ended_at: datetime | None


def text(column: Any) -> ColumnElement[Any]:
    """A date or date-time column as the database gives it (text in SQLite)."""
    return type_coerce(column, String)


def day(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)


def maybe_day(value: Any) -> date | None:
    return None if value is None else day(value)


def instant(value: Any) -> datetime:
    """Stored naive UTC (text in SQLite, a datetime elsewhere) as an aware UTC datetime."""
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(value)
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def maybe_instant(value: Any) -> datetime | None:
    return None if value is None else instant(value)


def _slot_of(program: Program, exercise_id: str, occurrence: int) -> tuple[str, str]:
    """(slot, exercise name) from the enrollment's snapshot; ('', id) if it is not there."""
    try:
        exercise = program.exercise(exercise_id)
    except KeyError:
        return "", exercise_id
    slots = exercise.slots
    slot = slots[0] if len(slots) == 1 else slots[min(occurrence, len(slots)) - 1]
    return slot, exercise.name


def dose_query(scope: Scope) -> Select[Any]:
    """Check-offs and skips with a plan day in the range, voided ones too, in DoseRow's
    column order except that `program_id`, `slot` and `exercise` are not there and
    `occurrence` follows `exercise_id` (callers look those up with `Names`)."""
    return (
        columns(
            col(DoseLog.id),
            col(DoseLog.enrollment_id),
            text(DoseLog.plan_date),
            col(DoseLog.exercise_id),
            col(DoseLog.occurrence),
            col(DoseLog.item_key),
            col(DoseLog.side),
            col(DoseLog.seq),
            col(DoseLog.status),
            col(DoseLog.sets),
            col(DoseLog.reps),
            col(DoseLog.hold_seconds),
            col(DoseLog.minutes),
            col(DoseLog.load_kg),
            col(DoseLog.pain_during),
            col(DoseLog.reason),
            col(DoseLog.note),
            text(DoseLog.logged_at),
            text(DoseLog.voided_at),
            col(DoseLog.action),
        )
        .where(
            col(DoseLog.enrollment_id).in_(scope.enrollment_ids),
            col(DoseLog.plan_date) >= scope.first,
            col(DoseLog.plan_date) <= scope.last,
        )
        .order_by(col(DoseLog.plan_date), col(DoseLog.id))
        .execution_options(yield_per=BATCH)
    )


class Names:
    """(program id, slot, exercise name) of a logged dose, from its enrollment's snapshot,
    worked out once per enrollment, exercise and occurrence."""

    def __init__(self, scope: Scope) -> None:
        self.programs = {item.id: item.program for item in scope.enrollments}
        self.known: dict[tuple[int, str, int], tuple[str, str, str]] = {}

    def __call__(
        self, enrollment_id: int, exercise_id: str, occurrence: int
    ) -> tuple[str, str, str]:
        key = (enrollment_id, exercise_id, occurrence)
        found = self.known.get(key)
        if found is None:
            program = self.programs[enrollment_id]
            slot, name = _slot_of(program, exercise_id, occurrence)
            found = self.known[key] = (program.id, slot, name)
        return found


def doses(session: Session, scope: Scope) -> Iterator[DoseRow]:
    """Every check-off and skip with a plan day in the range, voided ones too."""
    if not scope.enrollment_ids:
        return
    names = Names(scope)
    for row in session.connection().execute(dose_query(scope)):
        (rid, eid, plan_date, exercise_id, occurrence, key, side, seq, status, sets, reps, hold,
         minutes, load, pain_during, reason, note, logged_at, voided_at, action) = row  # fmt: skip
        program_id, slot, name = names(eid, exercise_id, occurrence)
        yield DoseRow(
            rid, eid, program_id, day(plan_date), slot, exercise_id, name, key, side, seq,
            status, sets, reps, hold, minutes, load, pain_during, reason, note,
            instant(logged_at), maybe_instant(voided_at), action,
        )  # fmt: skip


def pain(session: Session, scope: Scope) -> Iterator[PainRow]:
    from rehab.store.observations import PainEntry

    query = (
        columns(
            col(PainEntry.id),
            col(PainEntry.enrollment_id),
            text(PainEntry.local_date),
            text(PainEntry.at),
            col(PainEntry.context),
            col(PainEntry.score),
            col(PainEntry.site),
            col(PainEntry.note),
            text(PainEntry.logged_at),
            text(PainEntry.voided_at),
        )
        .where(
            col(PainEntry.patient_id) == scope.patient_id,
            col(PainEntry.local_date) >= scope.first,
            col(PainEntry.local_date) <= scope.last,
        )
        .order_by(col(PainEntry.at), col(PainEntry.id))
        .execution_options(yield_per=BATCH)
    )
    for rid, eid, local, at, context, score, site, note, logged, voided in session.execute(query):
        yield PainRow(
            rid, eid, day(local), instant(at), context, score, site, note, instant(logged),
            maybe_instant(voided),
        )  # fmt: skip


def symptoms(session: Session, scope: Scope) -> Iterator[SymptomRow]:
    from rehab.store.observations import SymptomCheck

    query = (
        columns(
            col(SymptomCheck.id),
            col(SymptomCheck.enrollment_id),
            text(SymptomCheck.check_date),
            col(SymptomCheck.stiffness_minutes),
            col(SymptomCheck.swelling),
            col(SymptomCheck.redness),
            col(SymptomCheck.tiptoe_pain),
            col(SymptomCheck.note),
            text(SymptomCheck.logged_at),
            text(SymptomCheck.voided_at),
        )
        .where(
            col(SymptomCheck.patient_id) == scope.patient_id,
            col(SymptomCheck.check_date) >= scope.first,
            col(SymptomCheck.check_date) <= scope.last,
        )
        .order_by(col(SymptomCheck.check_date), col(SymptomCheck.id))
        .execution_options(yield_per=BATCH)
    )
    for row in session.execute(query):
        rid, eid, checked, stiffness, swelling, redness, tiptoe, note, logged, voided = row
        yield SymptomRow(
            rid, eid, day(checked), stiffness, swelling, redness, tiptoe, note, instant(logged),
            maybe_instant(voided),
        )  # fmt: skip


def assessments(session: Session, scope: Scope) -> Iterator[AssessmentRow]:
    from rehab.store.observations import Assessment

    query = (
        columns(
            col(Assessment.id),
            col(Assessment.enrollment_id),
            col(Assessment.instrument),
            text(Assessment.taken_on),
            col(Assessment.score),
            col(Assessment.answers_json),
            text(Assessment.logged_at),
            text(Assessment.voided_at),
        )
        .where(
            col(Assessment.patient_id) == scope.patient_id,
            col(Assessment.taken_on) >= scope.first,
            col(Assessment.taken_on) <= scope.last,
        )
        .order_by(col(Assessment.taken_on), col(Assessment.id))
    )
    for rid, eid, instrument, taken_on, score, answers, logged, voided in session.execute(query):
        yield AssessmentRow(
            rid, eid, instrument, day(taken_on), score, json.loads(answers), instant(logged),
            maybe_instant(voided),
        )  # fmt: skip


def phases(session: Session, scope: Scope) -> Iterator[PhaseRow]:
    """Accepted decisions (progress, hold, reduce) taking effect in the range."""
    ids = scope.enrollment_ids
    if not ids:
        return
    query = (
        columns(
            col(PhaseChange.id),
            col(PhaseChange.enrollment_id),
            text(PhaseChange.effective_date),
            col(PhaseChange.decision),
            col(PhaseChange.from_phase),
            col(PhaseChange.to_phase),
            col(PhaseChange.load_level),
            col(PhaseChange.reason),
            col(PhaseChange.decided_by),
            text(PhaseChange.accepted_at),
            text(PhaseChange.voided_at),
        )
        .where(
            col(PhaseChange.enrollment_id).in_(ids),
            col(PhaseChange.effective_date) >= scope.first,
            col(PhaseChange.effective_date) <= scope.last,
        )
        .order_by(col(PhaseChange.effective_date), col(PhaseChange.id))
    )
    for row in session.execute(query):
        rid, eid, effective, decision, before, after, level, reason, by, accepted, voided = row
        yield PhaseRow(
            rid, eid, day(effective), decision, before, after, level, reason, by,
            instant(accepted), maybe_instant(voided),
        )  # fmt: skip


def pauses(session: Session, scope: Scope) -> Iterator[PauseRow]:
    """Pauses that overlap the range (an open pause runs to today)."""
    ids = scope.enrollment_ids
    if not ids:
        return
    query = (
        columns(
            col(Pause.id),
            col(Pause.enrollment_id),
            text(Pause.start_date),
            text(Pause.end_date),
            col(Pause.reason),
            text(Pause.created_at),
            text(Pause.ended_at),
        )
        .where(
            col(Pause.enrollment_id).in_(ids),
            col(Pause.start_date) <= scope.last,
            or_(col(Pause.end_date).is_(None), col(Pause.end_date) > scope.first),
        )
        .order_by(col(Pause.start_date), col(Pause.id))
    )
    for rid, eid, start, end, reason, created, ended in session.execute(query):
        yield PauseRow(
            rid, eid, day(start), maybe_day(end), reason, instant(created), maybe_instant(ended)
        )
