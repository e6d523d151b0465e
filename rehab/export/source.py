"""The rows every export reads, streamed from the database in id order.

Voided rows are included and marked (`voided_at`): the export is the audit trail, and a
therapist should see what was corrected and when. Each generator runs one query with
`yield_per`, so memory stays flat however long the history is.

Column order of each row type is the CSV column order; `FIELDS` names them.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, fields
from datetime import date, datetime
from typing import Any

from sqlalchemy import or_
from sqlalchemy import select as columns
from sqlmodel import Session, col

from rehab.core.template import Program
from rehab.export.scope import Scope
from rehab.store.models import DoseLog, Pause, PhaseChange

BATCH = 2000


@dataclass(frozen=True, slots=True)
class DoseRow:
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


@dataclass(frozen=True, slots=True)
class PainRow:
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


@dataclass(frozen=True, slots=True)
class SymptomRow:
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


@dataclass(frozen=True, slots=True)
class AssessmentRow:
    id: int
    enrollment_id: int | None
    instrument: str
    taken_on: date
    score: int
    answers: dict[str, Any]
    logged_at: datetime
    voided_at: datetime | None


@dataclass(frozen=True, slots=True)
class PhaseRow:
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


@dataclass(frozen=True, slots=True)
class PauseRow:
    id: int
    enrollment_id: int
    start_date: date
    end_date: date | None  # the day it was resumed (not paused itself); None: still paused
    reason: str
    created_at: datetime
    ended_at: datetime | None


def field_names(row_type: type) -> tuple[str, ...]:
    return tuple(f.name for f in fields(row_type))


def _slot_of(program: Program | None, exercise_id: str, occurrence: int) -> tuple[str, str]:
    """(slot, exercise name) from the enrollment's snapshot; ('', id) if it is not there."""
    if program is None:
        return "", exercise_id
    try:
        exercise = program.exercise(exercise_id)
    except KeyError:
        return "", exercise_id
    slots = exercise.slots
    slot = slots[0] if len(slots) == 1 else slots[min(occurrence, len(slots)) - 1]
    return slot, exercise.name


def doses(session: Session, scope: Scope) -> Iterator[DoseRow]:
    """Every check-off and skip with a plan day in the range, voided ones too."""
    ids = scope.enrollment_ids
    if not ids:
        return
    programs = {item.id: item for item in scope.enrollments}
    names: dict[tuple[int, str, int], tuple[str, str]] = {}
    query = (
        columns(
            col(DoseLog.id),
            col(DoseLog.enrollment_id),
            col(DoseLog.plan_date),
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
            col(DoseLog.logged_at),
            col(DoseLog.voided_at),
            col(DoseLog.action),
        )
        .where(
            col(DoseLog.enrollment_id).in_(ids),
            col(DoseLog.plan_date) >= scope.first,
            col(DoseLog.plan_date) <= scope.last,
        )
        .order_by(col(DoseLog.plan_date), col(DoseLog.id))
        .execution_options(yield_per=BATCH)
    )
    for row in session.execute(query):
        (rid, eid, day, exercise_id, occurrence, key, side, seq, status, sets, reps, hold,
         minutes, load, pain, reason, note, logged_at, voided_at, action) = row  # fmt: skip
        named = names.get((eid, exercise_id, occurrence))
        if named is None:
            named = _slot_of(programs[eid].program, exercise_id, occurrence)
            names[(eid, exercise_id, occurrence)] = named
        yield DoseRow(
            id=rid,
            enrollment_id=eid,
            program_id=programs[eid].program.id,
            plan_date=day,
            slot=named[0],
            exercise_id=exercise_id,
            exercise=named[1],
            item_key=key,
            side=side,
            seq=seq,
            status=status,
            sets=sets,
            reps=reps,
            hold_seconds=hold,
            minutes=minutes,
            load_kg=load,
            pain_during=pain,
            reason=reason,
            note=note,
            logged_at=logged_at,
            voided_at=voided_at,
            action=action,
        )


def pain(session: Session, scope: Scope) -> Iterator[PainRow]:
    from rehab.store.observations import PainEntry

    query = (
        columns(
            col(PainEntry.id),
            col(PainEntry.enrollment_id),
            col(PainEntry.local_date),
            col(PainEntry.at),
            col(PainEntry.context),
            col(PainEntry.score),
            col(PainEntry.site),
            col(PainEntry.note),
            col(PainEntry.logged_at),
            col(PainEntry.voided_at),
        )
        .where(
            col(PainEntry.patient_id) == scope.patient_id,
            col(PainEntry.local_date) >= scope.first,
            col(PainEntry.local_date) <= scope.last,
        )
        .order_by(col(PainEntry.at), col(PainEntry.id))
        .execution_options(yield_per=BATCH)
    )
    for row in session.execute(query):
        yield PainRow(*row)


def symptoms(session: Session, scope: Scope) -> Iterator[SymptomRow]:
    from rehab.store.observations import SymptomCheck

    query = (
        columns(
            col(SymptomCheck.id),
            col(SymptomCheck.enrollment_id),
            col(SymptomCheck.check_date),
            col(SymptomCheck.stiffness_minutes),
            col(SymptomCheck.swelling),
            col(SymptomCheck.redness),
            col(SymptomCheck.tiptoe_pain),
            col(SymptomCheck.note),
            col(SymptomCheck.logged_at),
            col(SymptomCheck.voided_at),
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
        yield SymptomRow(*row)


def assessments(session: Session, scope: Scope) -> Iterator[AssessmentRow]:
    from rehab.store.observations import Assessment

    query = (
        columns(
            col(Assessment.id),
            col(Assessment.enrollment_id),
            col(Assessment.instrument),
            col(Assessment.taken_on),
            col(Assessment.score),
            col(Assessment.answers_json),
            col(Assessment.logged_at),
            col(Assessment.voided_at),
        )
        .where(
            col(Assessment.patient_id) == scope.patient_id,
            col(Assessment.taken_on) >= scope.first,
            col(Assessment.taken_on) <= scope.last,
        )
        .order_by(col(Assessment.taken_on), col(Assessment.id))
    )
    for rid, eid, instrument, taken_on, score, answers, logged_at, voided_at in session.execute(
        query
    ):
        yield AssessmentRow(
            rid, eid, instrument, taken_on, score, json.loads(answers), logged_at, voided_at
        )


def phases(session: Session, scope: Scope) -> Iterator[PhaseRow]:
    """Accepted decisions (progress, hold, reduce) taking effect in the range."""
    ids = scope.enrollment_ids
    if not ids:
        return
    query = (
        columns(
            col(PhaseChange.id),
            col(PhaseChange.enrollment_id),
            col(PhaseChange.effective_date),
            col(PhaseChange.decision),
            col(PhaseChange.from_phase),
            col(PhaseChange.to_phase),
            col(PhaseChange.load_level),
            col(PhaseChange.reason),
            col(PhaseChange.decided_by),
            col(PhaseChange.accepted_at),
            col(PhaseChange.voided_at),
        )
        .where(
            col(PhaseChange.enrollment_id).in_(ids),
            col(PhaseChange.effective_date) >= scope.first,
            col(PhaseChange.effective_date) <= scope.last,
        )
        .order_by(col(PhaseChange.effective_date), col(PhaseChange.id))
    )
    for row in session.execute(query):
        yield PhaseRow(*row)


def pauses(session: Session, scope: Scope) -> Iterator[PauseRow]:
    """Pauses that overlap the range (an open pause runs to today)."""
    ids = scope.enrollment_ids
    if not ids:
        return
    query = (
        columns(
            col(Pause.id),
            col(Pause.enrollment_id),
            col(Pause.start_date),
            col(Pause.end_date),
            col(Pause.reason),
            col(Pause.created_at),
            col(Pause.ended_at),
        )
        .where(
            col(Pause.enrollment_id).in_(ids),
            col(Pause.start_date) <= scope.last,
            or_(col(Pause.end_date).is_(None), col(Pause.end_date) > scope.first),
        )
        .order_by(col(Pause.start_date), col(Pause.id))
    )
    for row in session.execute(query):
        yield PauseRow(*row)
