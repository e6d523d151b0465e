"""The audit lists of the printed report: skip reasons, the patient's notes, the red flags
raised and the entries taken back, each read for one patient and plan days `first`..`last`.

Keyword-only functions that only read (they never commit). Each list reads only the rows
with something to show, so it costs the same on ten years of history as on twelve weeks.
The three patient-dated tables (pain scores, symptom checks, questionnaires) go through one
query (`_dated`), described by a `_Table`; dose rows are bounded by the enrollments of the
range.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal, NamedTuple

from sqlalchemy import ColumnElement, func
from sqlalchemy import select as columns
from sqlmodel import Session, col

from rehab.store.models import DoseLog, Pause
from rehab.store.observations import Assessment, PainEntry, RedFlagEntry, SymptomCheck
from rehab.store.rows import instant

EntryKind = Literal["dose", "pain", "check", "visa"]


class Entry(NamedTuple):
    """One logged entry with something to show: a note, or the fact that it was taken back.
    Which fields are set depends on `kind` (a dose has its enrollment and exercise, a pain
    score its context and score, a questionnaire its score)."""

    kind: EntryKind
    day: date
    note: str | None = None
    enrollment_id: int | None = None
    exercise_id: str | None = None
    status: str | None = None  # dose: done | skipped
    entries: int = 1  # dose: the rows one command wrote (one per set and leg)
    context: str | None = None
    score: int | None = None
    logged_at: datetime | None = None
    voided_at: datetime | None = None


@dataclass(frozen=True)
class RaisedFlag:
    """Red flags raised together (one answer sheet, or one finding in the log), with the
    pause they opened and who cleared them."""

    day: date
    ids: tuple[str, ...]
    source: str  # answer | log
    detail: str | None
    voided: bool  # the entry that raised it was taken back later, after its clearance
    paused_from: date | None
    paused_to: date | None
    cleared_by: str | None
    cleared_on: date | None


@dataclass(frozen=True)
class _Table:
    """A table of entries dated by the patient's day: pain scores, checks, questionnaires."""

    kind: EntryKind
    model: Any
    day: Any  # the column holding the patient's local day
    fields: dict[str, Any]  # Entry field -> column, besides the day


_PAIN = _Table(
    "pain",
    PainEntry,
    PainEntry.local_date,
    {"context": PainEntry.context, "score": PainEntry.score},
)
_CHECK = _Table("check", SymptomCheck, SymptomCheck.check_date, {})
_VISA = _Table("visa", Assessment, Assessment.taken_on, {"score": Assessment.score})


def _dated(
    session: Session,
    table: _Table,
    *,
    patient_id: int,
    first: date,
    last: date,
    fields: dict[str, Any],
    where: Sequence[ColumnElement[bool]],
) -> list[Entry]:
    """The patient's entries of `table` dated first..last that meet `where`, as `Entry`s."""
    wanted = {**table.fields, **fields}
    found = session.execute(
        columns(col(table.day), *(col(c) for c in wanted.values())).where(
            col(table.model.patient_id) == patient_id,
            col(table.day) >= first,
            col(table.day) <= last,
            *where,
        )
    ).all()
    names = list(wanted)
    return [Entry(table.kind, row[0], **dict(zip(names, row[1:], strict=True))) for row in found]


def _doses_in(enrollment_ids: Sequence[int], first: date, last: date) -> list[ColumnElement[bool]]:
    """Dose rows of these enrollments planned for first..last (voided ones included)."""
    return [
        col(DoseLog.enrollment_id).in_(enrollment_ids),
        col(DoseLog.plan_date) >= first,
        col(DoseLog.plan_date) <= last,
    ]


def skip_counts(
    session: Session, *, enrollment_ids: Sequence[int], first: date, last: date
) -> list[tuple[str | None, int]]:
    """Skipped dose rows (one per leg) per reason, in no particular order; undone ones left
    out. A reason of None: none was given."""
    if not enrollment_ids:
        return []
    found = session.execute(
        columns(col(DoseLog.reason), func.count())
        .where(
            *_doses_in(enrollment_ids, first, last),
            col(DoseLog.status) == "skipped",
            col(DoseLog.voided_at).is_(None),
        )
        .group_by(col(DoseLog.reason))
    ).all()
    return [(reason, int(n)) for reason, n in found]


def notes(
    session: Session,
    *,
    patient_id: int,
    enrollment_ids: Sequence[int],
    first: date,
    last: date,
) -> list[Entry]:
    """What the patient wrote on check-offs, pain scores and symptom checks (not undone),
    by day. An empty note is left out."""
    found: list[Entry] = []
    if enrollment_ids:
        for eid, day, exercise_id, note in session.execute(
            columns(
                col(DoseLog.enrollment_id),
                col(DoseLog.plan_date),
                col(DoseLog.exercise_id),
                col(DoseLog.note),
            ).where(
                *_doses_in(enrollment_ids, first, last),
                col(DoseLog.note).is_not(None),
                col(DoseLog.voided_at).is_(None),
            )
        ).all():
            found.append(Entry("dose", day, note, enrollment_id=eid, exercise_id=exercise_id))
    for table in (_PAIN, _CHECK):
        note = table.model.note
        found += _dated(
            session,
            table,
            patient_id=patient_id,
            first=first,
            last=last,
            fields={"note": note},
            where=[col(note).is_not(None), col(table.model.voided_at).is_(None)],
        )
    return sorted((e for e in found if e.note), key=lambda e: e.day)


def voided(
    session: Session,
    *,
    patient_id: int,
    enrollment_ids: Sequence[int],
    first: date,
    last: date,
) -> list[Entry]:
    """Entries taken back: check-offs and skips (one entry per command, `entries` rows),
    pain scores, symptom checks and questionnaires, in the order they were taken back."""
    found: list[Entry] = []
    if enrollment_ids:
        for eid, day, exercise_id, status, entries, logged_at, voided_at in session.execute(
            columns(
                func.min(DoseLog.enrollment_id),
                func.min(DoseLog.plan_date),
                func.min(DoseLog.exercise_id),
                func.min(DoseLog.status),
                func.count(),
                func.min(DoseLog.logged_at),
                func.max(DoseLog.voided_at),
            )
            .where(*_doses_in(enrollment_ids, first, last), col(DoseLog.voided_at).is_not(None))
            .group_by(col(DoseLog.action))
        ).all():
            found.append(
                Entry(
                    "dose",
                    day,
                    enrollment_id=eid,
                    exercise_id=exercise_id,
                    status=status,
                    entries=int(entries),
                    # min() and max() lose the column type: parse what the database gives
                    logged_at=instant(logged_at),
                    voided_at=instant(voided_at),
                )
            )
    for table in (_PAIN, _CHECK, _VISA):
        found += _dated(
            session,
            table,
            patient_id=patient_id,
            first=first,
            last=last,
            fields={"logged_at": table.model.logged_at, "voided_at": table.model.voided_at},
            where=[col(table.model.voided_at).is_not(None)],
        )
    return sorted(found, key=lambda e: (e.voided_at, e.day))


def raised_flags(session: Session, *, patient_id: int, first: date, last: date) -> list[RaisedFlag]:
    """Red flags raised on days first..last, each with the pause it opened and who cleared
    it, oldest first."""
    found = session.execute(
        columns(
            col(RedFlagEntry.raised_on),
            col(RedFlagEntry.raised_at),
            col(RedFlagEntry.flag),
            col(RedFlagEntry.source),
            col(RedFlagEntry.detail),
            col(RedFlagEntry.cleared_by),
            col(RedFlagEntry.cleared_on),
            col(Pause.start_date),
            col(Pause.end_date),
            col(SymptomCheck.voided_at),
            col(PainEntry.voided_at),
        )
        .select_from(RedFlagEntry)
        .outerjoin(Pause, col(Pause.id) == col(RedFlagEntry.pause_id))
        .outerjoin(SymptomCheck, col(SymptomCheck.id) == col(RedFlagEntry.check_id))
        .outerjoin(PainEntry, col(PainEntry.id) == col(RedFlagEntry.pain_id))
        .where(
            col(RedFlagEntry.patient_id) == patient_id,
            col(RedFlagEntry.raised_on) >= first,
            col(RedFlagEntry.raised_on) <= last,
        )
        .order_by(col(RedFlagEntry.raised_on), col(RedFlagEntry.id))
    ).all()
    groups: dict[tuple[date, datetime, str], list[Any]] = {}
    for row in found:
        groups.setdefault((row[0], row[1], row[3]), []).append(row)
    flags = []
    for (day, _, origin), members in groups.items():
        one = members[0]
        flags.append(
            RaisedFlag(
                day=day,
                ids=tuple(m[2] for m in members),
                source=str(origin),
                detail=one[4],
                voided=one[9] is not None or one[10] is not None,
                paused_from=one[7],
                paused_to=one[8],
                cleared_by=one[5],
                cleared_on=one[6],
            )
        )
    return flags
