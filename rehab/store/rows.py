"""The rows every export reads, streamed from the database in id order: the store's read
API for exports. `ExportSpan` says which (one patient, plan days `first`..`last`, the
enrollments with days in them); `rehab.export.scope.Scope.span` builds it.

Voided rows are included and marked (`voided_at`): the export is the audit trail, and a
therapist should see what was corrected and when. Each generator runs one query of plain,
portable SQL through a `Reader` on the session's connection (`session_reader`), the same
for SQLite and PostgreSQL. The long tables (doses, pain, symptom checks) are fetched in
batches, so memory stays flat however long the history is.

Rows are NamedTuples, and dates and instants come as the database stores them (text in
SQLite), parsed with `fromisoformat`: SQLAlchemy's own date processing and a frozen
dataclass per row cost more than writing the whole CSV file.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any, NamedTuple
from zoneinfo import ZoneInfo

if TYPE_CHECKING:
    from sqlmodel import Session

BATCH = 2000

# A query runner: portable SQL with :named parameters -> rows as tuples. Dates and instants
# come back as the database gives them (ISO text in SQLite); the parsers below read both.
Reader = Callable[[str, Mapping[str, Any]], Iterable[Sequence[Any]]]


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


@dataclass(frozen=True)
class ExportSpan:
    """What an export's rows cover: one patient, plan days `first`..`last` (both included),
    the enrollments with days in them, and the patient's zone."""

    patient_id: int
    first: date
    last: date
    zone: ZoneInfo
    # enrollment id -> the template snapshot (JSON) it ran, in start order
    snapshots: Mapping[int, str] = field(default_factory=dict)

    @property
    def enrollment_ids(self) -> list[int]:
        return list(self.snapshots)

    def local(self, moment: datetime | None) -> str:
        return local_iso(moment, self.zone)


def local_iso(moment: datetime | None, zone: ZoneInfo) -> str:
    """An instant as ISO 8601 in the patient's zone, with its offset ('' for none)."""
    if moment is None:
        return ""
    return moment.astimezone(zone).isoformat(timespec="seconds")


def stored_local_iso(value: Any, zone: ZoneInfo) -> str:
    """`local_iso` of an instant as the database gives it, for the long tables: the text
    SQLite stores ('2026-04-26 08:15:03.123456', naive UTC) is parsed once, to the second
    (offsets change on whole seconds, so the fraction cannot move the result); any other
    value takes `instant`."""
    if type(value) is str and len(value) == 26 and value[19] == "." and value[20:].isdigit():
        return _fromiso(value[:19] + "+00:00").astimezone(zone).isoformat()
    return local_iso(instant(value), zone)


_fromiso = datetime.fromisoformat


def iso_dates(params: Mapping[str, Any]) -> dict[str, Any]:
    """Query parameters for SQLite, where SQLAlchemy stores a date as ISO text."""
    return {k: v.isoformat() if type(v) is date else v for k, v in params.items()}


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
    decision: str  # progress | reduce
    from_phase: str | None
    to_phase: str | None
    load_level: int
    reason: str
    decided_by: str
    accepted_at: datetime
    voided_at: datetime | None
    set_cut: int  # sets off each strengthening exercise while the reduction holds
    week_cap: int | None  # a by-week table held at this program week's row


class RedFlagRow(NamedTuple):
    id: int
    enrollment_id: int | None
    raised_on: date
    flag: str
    source: str  # answer | log
    detail: str | None
    check_id: int | None
    pain_id: int | None
    pause_id: int | None
    cleared_by: str | None
    cleared_on: date | None
    raised_at: datetime
    cleared_at: datetime | None


class PauseRow(NamedTuple):
    id: int
    enrollment_id: int
    start_date: date
    end_date: date | None  # the day it was resumed (not paused itself); None: still paused
    reason: str
    created_at: datetime
    ended_at: datetime | None


def session_reader(session: Session) -> Reader:
    """A Reader on the session's connection (and so in its transaction).

    On SQLite the rows come from the driver's cursor on that same connection: SQLAlchemy's
    result rows cost about a tenth of a long CSV export and give nothing a tuple does not.
    A driver error is raised as SQLAlchemy's, as from any other query."""
    from sqlalchemy import text

    conn = session.connection()
    if conn.dialect.name == "sqlite":
        driver = conn.connection.dbapi_connection
        assert driver is not None

        def read_sqlite(sql: str, params: Mapping[str, Any]) -> Iterator[Sequence[Any]]:
            values = iso_dates(params)
            try:
                cursor = driver.cursor()
                cursor.execute(sql, values)
            except sqlite3.Error as exc:
                raise _wrapped(exc, sql, values) from exc
            return _fetched(cursor, sql, values)

        return read_sqlite

    def read(sql: str, params: Mapping[str, Any]) -> Any:
        statement = text(sql).execution_options(yield_per=BATCH)
        return conn.execute(statement, dict(params))

    return read


def _fetched(cursor: Any, sql: str, values: Mapping[str, Any]) -> Iterator[Sequence[Any]]:
    """The cursor's rows, BATCH at a time, closed when done."""
    try:
        while batch := cursor.fetchmany(BATCH):
            yield from batch
    except sqlite3.Error as exc:
        raise _wrapped(exc, sql, values) from exc
    finally:
        cursor.close()


def _wrapped(exc: sqlite3.Error, sql: str, values: Mapping[str, Any]) -> Exception:
    """A sqlite3 error as the SQLAlchemy error the rest of rehab explains."""
    from sqlalchemy.exc import DBAPIError

    return DBAPIError.instance(sql, dict(values), exc, sqlite3.Error)


def _in(ids: list[int]) -> str:
    """An IN list of database ids (integers, so safe to write into the SQL)."""
    return ", ".join(str(int(i)) for i in ids)


DOSES = """
    SELECT id, enrollment_id, plan_date, exercise_id, occurrence, item_key, side, seq,
           status, sets, reps, hold_seconds, minutes, load_kg, pain_during, reason, note,
           logged_at, voided_at{action}
    FROM doselog
    WHERE enrollment_id IN ({ids}) AND plan_date >= :first AND plan_date <= :last
    ORDER BY plan_date, id"""


def dose_rows(read: Reader, span: ExportSpan, *, action: bool = True) -> Iterator[Any]:
    """Check-offs and skips with a plan day in the range, voided ones too, as stored: in
    DoseRow's column order except that `program_id`, `slot` and `exercise` are not there
    and `occurrence` follows `exercise_id` (callers look those up with `Names`). Without
    `action` (the CSV file has no use for it) the last column is left out."""
    if not span.snapshots:
        return iter(())
    params = {"first": span.first, "last": span.last}
    sql = DOSES.format(ids=_in(span.enrollment_ids), action=", action" if action else "")
    return iter(read(sql, params))


class Names:
    """(program id, slot, exercise name) of a logged dose, from its enrollment's template
    snapshot, worked out once per enrollment, exercise and occurrence."""

    def __init__(self, snapshots: Mapping[int, str]) -> None:
        self.snapshots = snapshots
        self.programs: dict[int, tuple[str, dict[str, tuple[str, list[str]]]]] = {}
        self.known: dict[tuple[int, str, int], tuple[str, str, str]] = {}

    def _program(self, enrollment_id: int) -> tuple[str, dict[str, tuple[str, list[str]]]]:
        found = self.programs.get(enrollment_id)
        if found is None:
            # the snapshot is Program.model_dump(mode="json"): every field is there
            data = json.loads(self.snapshots[enrollment_id])
            exercises = {e["id"]: (e["name"], e["slots"]) for e in data["exercises"]}
            found = self.programs[enrollment_id] = (data["id"], exercises)
        return found

    def program_id(self, enrollment_id: int) -> str:
        """The id of the program the enrollment ran ('' if it is not in the range)."""
        if enrollment_id not in self.snapshots:
            return ""
        return self._program(enrollment_id)[0]

    def __call__(
        self, enrollment_id: int, exercise_id: str, occurrence: int
    ) -> tuple[str, str, str]:
        key = (enrollment_id, exercise_id, occurrence)
        found = self.known.get(key)
        if found is None:
            program_id, exercises = self._program(enrollment_id)
            named = exercises.get(exercise_id)
            if named is None:  # not in the snapshot: show the id
                found = (program_id, "", exercise_id)
            else:
                name, slots = named
                slot = slots[0] if len(slots) == 1 else slots[min(occurrence, len(slots)) - 1]
                found = (program_id, slot, name)
            self.known[key] = found
        return found


def doses(read: Reader, span: ExportSpan) -> Iterator[DoseRow]:
    """Every check-off and skip with a plan day in the range, voided ones too."""
    names = Names(span.snapshots)
    for row in dose_rows(read, span):
        (rid, eid, plan_date, exercise_id, occurrence, key, side, seq, status, sets, reps, hold,
         minutes, load, pain_during, reason, note, logged_at, voided_at, action) = row  # fmt: skip
        program_id, slot, name = names(eid, exercise_id, occurrence)
        yield DoseRow(
            rid, eid, program_id, day(plan_date), slot, exercise_id, name, key, side, seq,
            status, sets, reps, hold, minutes, load, pain_during, reason, note,
            instant(logged_at), maybe_instant(voided_at), action,
        )  # fmt: skip


PAIN = """
    SELECT id, enrollment_id, local_date, at, context, score, site, note, logged_at, voided_at
    FROM painentry
    WHERE patient_id = :patient AND local_date >= :first AND local_date <= :last
    ORDER BY at, id"""


def pain(read: Reader, span: ExportSpan) -> Iterator[PainRow]:
    params = {"patient": span.patient_id, "first": span.first, "last": span.last}
    for rid, eid, local, at, context, score, site, note, logged, voided in read(PAIN, params):
        yield PainRow(
            rid, eid, day(local), instant(at), context, score, site, note, instant(logged),
            maybe_instant(voided),
        )  # fmt: skip


SYMPTOMS = """
    SELECT id, enrollment_id, check_date, stiffness_minutes, swelling, redness, tiptoe_pain,
           note, logged_at, voided_at
    FROM symptomcheck
    WHERE patient_id = :patient AND check_date >= :first AND check_date <= :last
    ORDER BY check_date, id"""


def _flag(value: Any) -> bool | None:
    """A boolean column: SQLite gives 0 or 1."""
    return None if value is None else bool(value)


def symptoms(read: Reader, span: ExportSpan) -> Iterator[SymptomRow]:
    params = {"patient": span.patient_id, "first": span.first, "last": span.last}
    for row in read(SYMPTOMS, params):
        rid, eid, checked, stiffness, swelling, redness, tiptoe, note, logged, voided = row
        yield SymptomRow(
            rid, eid, day(checked), stiffness, _flag(swelling), _flag(redness), _flag(tiptoe),
            note, instant(logged), maybe_instant(voided),
        )  # fmt: skip


ASSESSMENTS = """
    SELECT id, enrollment_id, instrument, taken_on, score, answers_json, logged_at, voided_at
    FROM assessment
    WHERE patient_id = :patient AND taken_on >= :first AND taken_on <= :last
    ORDER BY taken_on, id"""


def assessments(read: Reader, span: ExportSpan) -> Iterator[AssessmentRow]:
    params = {"patient": span.patient_id, "first": span.first, "last": span.last}
    for rid, eid, instrument, taken_on, score, answers, logged, voided in read(ASSESSMENTS, params):
        yield AssessmentRow(
            rid, eid, instrument, day(taken_on), score, json.loads(answers), instant(logged),
            maybe_instant(voided),
        )  # fmt: skip


PHASES = """
    SELECT id, enrollment_id, effective_date, decision, from_phase, to_phase, load_level,
           reason, decided_by, accepted_at, voided_at, set_cut, week_cap
    FROM phasechange
    WHERE enrollment_id IN ({ids}) AND effective_date >= :first AND effective_date <= :last
    ORDER BY effective_date, id"""


def phases(read: Reader, span: ExportSpan) -> Iterator[PhaseRow]:
    """Accepted decisions (progress, hold, reduce) taking effect in the range."""
    if not span.snapshots:
        return
    params = {"first": span.first, "last": span.last}
    for row in read(PHASES.format(ids=_in(span.enrollment_ids)), params):
        rid, eid, effective, decision, before, after, level, reason, by, accepted, voided = row[:11]
        cut, cap = row[11:]
        yield PhaseRow(
            rid, eid, day(effective), decision, before, after, level, reason, by,
            instant(accepted), maybe_instant(voided), int(cut or 0), cap,
        )  # fmt: skip


PAUSES = """
    SELECT id, enrollment_id, start_date, end_date, reason, created_at, ended_at
    FROM pause
    WHERE enrollment_id IN ({ids}) AND start_date <= :last
      AND (end_date IS NULL OR end_date > :first)
    ORDER BY start_date, id"""


def pauses(read: Reader, span: ExportSpan) -> Iterator[PauseRow]:
    """Pauses that overlap the range (an open pause runs to today)."""
    if not span.snapshots:
        return
    params = {"first": span.first, "last": span.last}
    for rid, eid, start, end, reason, created, ended in read(
        PAUSES.format(ids=_in(span.enrollment_ids)), params
    ):
        yield PauseRow(
            rid, eid, day(start), maybe_day(end), reason, instant(created), maybe_instant(ended)
        )


RED_FLAGS = """
    SELECT id, enrollment_id, raised_on, flag, source, detail, check_id, pain_id, pause_id,
           cleared_by, cleared_on, raised_at, cleared_at
    FROM redflagentry
    WHERE patient_id = :patient AND raised_on >= :first AND raised_on <= :last
    ORDER BY raised_on, id"""


def red_flags(read: Reader, span: ExportSpan) -> Iterator[RedFlagRow]:
    """Red flags raised in the range: which, from an answer or the log, and who cleared it."""
    params = {"patient": span.patient_id, "first": span.first, "last": span.last}
    for row in read(RED_FLAGS, params):
        rid, eid, raised, flag, origin, detail, check, pain, pause, by, cleared_on = row[:11]
        raised_at, cleared_at = row[11:]
        yield RedFlagRow(
            rid, eid, day(raised), flag, origin, detail, check, pain, pause, by,
            maybe_day(cleared_on), instant(raised_at), maybe_instant(cleared_at),
        )  # fmt: skip


class PrescriptionExportRow(NamedTuple):
    id: int
    enrollment_id: int
    effective_date: date
    action: str  # change | add | remove
    exercise_id: str
    values: dict[str, Any]  # the fields set (rehab.core.prescription.FIELDS)
    exercise: dict[str, Any] | None  # an added exercise's template
    prescribed_by: str
    reason: str
    created_at: datetime
    voided_at: datetime | None


PRESCRIPTIONS = """
    SELECT id, enrollment_id, effective_date, action, exercise_id, values_json, exercise_json,
           prescribed_by, reason, created_at, voided_at
    FROM prescription
    WHERE enrollment_id IN ({ids}) AND effective_date <= :last
    ORDER BY effective_date, id"""


def prescriptions(read: Reader, span: ExportSpan) -> Iterator[PrescriptionExportRow]:
    """A therapist's changes to the programs, taking effect by the range's last day."""
    if not span.snapshots:
        return
    params = {"last": span.last}
    for row in read(PRESCRIPTIONS.format(ids=_in(span.enrollment_ids)), params):
        rid, eid, effective, action, exercise_id, values, exercise, by, why = row[:9]
        created, voided = row[9:]
        yield PrescriptionExportRow(
            rid, eid, day(effective), action, exercise_id, json.loads(values),
            json.loads(exercise) if exercise else None, by, why, instant(created),
            maybe_instant(voided),
        )  # fmt: skip
