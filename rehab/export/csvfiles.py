"""CSV: one file per table, for a spreadsheet.

Header row, ISO 8601 dates, instants in the patient's zone with their offset, UTF-8 with a
byte-order mark (so spreadsheet programs read accents right), CRLF line ends as RFC 4180
says. Voided rows stay, with `voided` = yes and when. A text cell that a spreadsheet would
take as a formula (it starts with = + - @, a tab or a carriage return) gets a leading
apostrophe, so a note like "=HYPERLINK(...)" is shown, never run.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, TextIO

from sqlmodel import Session

from rehab.export import files, source
from rehab.export.scope import Scope

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"


def neutralise(text: str) -> str:
    return "'" + text if text.startswith(FORMULA_START) else text


def cell(value: Any) -> str:
    """How one value is written: numbers plain (30, not 30.0), booleans yes/no."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, int | date):
        return str(value)
    return neutralise(str(value))


@dataclass(frozen=True)
class Table:
    name: str  # the file is NAME.csv
    header: tuple[str, ...]
    rows: Callable[[Session, Scope], Iterator[tuple[Any, ...]]]


def _voided(moment: datetime | None) -> str:
    return "yes" if moment is not None else ""


def _doses(session: Session, scope: Scope) -> Iterator[tuple[Any, ...]]:
    for r in source.doses(session, scope):
        yield (
            r.plan_date, r.slot, r.exercise, r.side, r.status, r.sets, r.reps, r.hold_seconds,
            r.minutes, r.load_kg, r.pain_during, r.reason, r.note, scope.local(r.logged_at),
            _voided(r.voided_at), scope.local(r.voided_at), r.program_id, r.exercise_id,
            r.item_key, r.seq, r.id,
        )  # fmt: skip


def _pain(session: Session, scope: Scope) -> Iterator[tuple[Any, ...]]:
    for r in source.pain(session, scope):
        yield (
            r.local_date, scope.local(r.at), r.context, r.score, r.site, r.note,
            scope.local(r.logged_at), _voided(r.voided_at), scope.local(r.voided_at), r.id,
        )  # fmt: skip


def _symptoms(session: Session, scope: Scope) -> Iterator[tuple[Any, ...]]:
    for r in source.symptoms(session, scope):
        yield (
            r.check_date, r.stiffness_minutes, r.swelling, r.redness, r.tiptoe_pain, r.note,
            scope.local(r.logged_at), _voided(r.voided_at), scope.local(r.voided_at), r.id,
        )  # fmt: skip


def _assessments(session: Session, scope: Scope) -> Iterator[tuple[Any, ...]]:
    for r in source.assessments(session, scope):
        answers = json.dumps(r.answers, sort_keys=True, separators=(",", ":"))
        yield (
            r.taken_on, r.instrument, r.score, answers, scope.local(r.logged_at),
            _voided(r.voided_at), scope.local(r.voided_at), r.id,
        )  # fmt: skip


def _phases(session: Session, scope: Scope) -> Iterator[tuple[Any, ...]]:
    programs = {item.id: item.program.id for item in scope.enrollments}
    for r in source.phases(session, scope):
        yield (
            r.effective_date, r.decision, r.from_phase, r.to_phase, r.load_level, r.reason,
            r.decided_by, scope.local(r.accepted_at), _voided(r.voided_at),
            scope.local(r.voided_at), programs.get(r.enrollment_id, ""), r.id,
        )  # fmt: skip


def _pauses(session: Session, scope: Scope) -> Iterator[tuple[Any, ...]]:
    programs = {item.id: item.program.id for item in scope.enrollments}
    for r in source.pauses(session, scope):
        yield (
            r.start_date, r.end_date, r.reason, scope.local(r.created_at),
            scope.local(r.ended_at), programs.get(r.enrollment_id, ""), r.id,
        )  # fmt: skip


HEADERS = {
    "doses": ("date", "slot", "exercise", "side", "status", "sets", "reps", "hold_seconds",
              "minutes", "load_kg", "pain_during", "reason", "note", "logged_at", "voided",
              "voided_at", "program", "exercise_id", "item_key", "seq", "entry_id"),
    "pain": ("date", "at", "context", "score", "site", "note", "logged_at", "voided",
             "voided_at", "entry_id"),
    "symptoms": ("date", "stiffness_minutes", "swelling", "redness", "tiptoe_pain", "note",
                 "logged_at", "voided", "voided_at", "entry_id"),
    "assessments": ("date", "instrument", "score", "answers", "logged_at", "voided",
                    "voided_at", "entry_id"),
    "phases": ("effective_date", "decision", "from_phase", "to_phase", "load_level", "reason",
               "decided_by", "accepted_at", "voided", "voided_at", "program", "entry_id"),
    "pauses": ("start_date", "resumed_on", "reason", "paused_at", "resumed_at", "program",
               "entry_id"),
}  # fmt: skip
ROWS = {
    "doses": _doses,
    "pain": _pain,
    "symptoms": _symptoms,
    "assessments": _assessments,
    "phases": _phases,
    "pauses": _pauses,
}
TABLES = {name: Table(name, header, ROWS[name]) for name, header in HEADERS.items()}
FILE_NAMES = tuple(f"{name}.csv" for name in TABLES)


def write_table(handle: TextIO, table: Table, rows: Iterable[tuple[Any, ...]]) -> int:
    """Write the header and rows; returns the number of rows."""
    writer = csv.writer(handle, lineterminator="\r\n")
    writer.writerow(table.header)
    count = 0
    for row in rows:
        writer.writerow([cell(value) for value in row])
        count += 1
    return count


def export_table(session: Session, scope: Scope, name: str, target: files.Target) -> int:
    table = TABLES[name]
    with files.open_text(target, newline="") as handle:
        if target.path is not None:
            handle.write(BOM)
        return write_table(handle, table, table.rows(session, scope))


def export_folder(session: Session, scope: Scope, target: files.Target) -> dict[str, int]:
    """Every table into the target folder; returns rows written per file."""
    counts: dict[str, int] = {}
    with files.staging_folder(target) as folder:
        for name, table in TABLES.items():
            path = Path(folder) / f"{name}.csv"
            with files.atomic_text(path, force=True, newline="") as handle:
                handle.write(BOM)
                counts[path.name] = write_table(handle, table, table.rows(session, scope))
    return counts
