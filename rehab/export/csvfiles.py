"""CSV: one file per table, for a spreadsheet.

Header row, ISO 8601 dates, instants in the patient's zone with their offset, UTF-8 with a
byte-order mark (so spreadsheet programs read accents right), CRLF line ends as RFC 4180
says. Voided rows stay, with `voided` = yes and when. A text cell that a spreadsheet would
take as a formula (it starts with = + - @, a tab or a carriage return) gets a leading
apostrophe, so a note like "=HYPERLINK(...)" is shown, never run.
"""

from __future__ import annotations

import csv
import itertools
import json
import operator
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any, TextIO

from rehab.export import files
from rehab.store import rows as source
from rehab.store.rows import ExportSpan, Reader, stored_local_iso

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"


def neutralise(text: str) -> str:
    return "'" + text if text.startswith(FORMULA_START) else text


def free(text: str | None) -> str | None:
    """Text a person or a template wrote (notes, reasons, names): neutralised."""
    return None if text is None else neutralise(text)


def number(value: float | None) -> float | int | None:
    """30, not 30.0; 2.5 stays."""
    return int(value) if value is not None and value.is_integer() else value


def yes_no(value: bool | None) -> str | None:
    return None if value is None else ("yes" if value else "no")


# The csv module writes None as an empty cell and other values with str(): dates come out
# ISO 8601 and whole numbers plain. Each table's rows are made of such values already, so
# that only the free-text columns pay for a check.


@dataclass(frozen=True)
class Table:
    name: str  # the file is NAME.csv
    header: tuple[str, ...]
    rows: Callable[[Reader, ExportSpan], Iterator[tuple[Any, ...]]]


def _voided(moment: datetime | None) -> str:
    return "yes" if moment is not None else ""


def _doses(read: Reader, span: ExportSpan) -> Iterator[tuple[Any, ...]]:
    """Straight from the query, the hot path of a long history: no row objects between,
    names worked out once per exercise, checks inline."""
    names = source.Names(span.snapshots)
    shown: dict[tuple[int, str, int], tuple[str, str, str]] = {}
    zone = span.zone
    local = partial(stored_local_iso, zone=zone)
    for row in source.dose_rows(read, span, action=False):
        (rid, eid, plan_date, exercise_id, occurrence, key, side, seq, status, sets, reps, hold,
         minutes, load, pain_during, reason, note, logged_at, voided_at) = row  # fmt: skip
        named = shown.get((eid, exercise_id, occurrence))
        if named is None:
            program_id, slot, name = names(eid, exercise_id, occurrence)
            named = shown[(eid, exercise_id, occurrence)] = (program_id, slot, neutralise(name))
        yield (
            plan_date, named[1], named[2], side, status, sets, reps,
            hold if hold is None or hold % 1 else int(hold),
            minutes if minutes is None or minutes % 1 else int(minutes),
            load if load is None or load % 1 else int(load),
            pain_during,
            reason if reason is None else neutralise(reason),
            note if note is None else neutralise(note),
            local(logged_at), "" if voided_at is None else "yes",
            "" if voided_at is None else local(voided_at),
            named[0], exercise_id, key, seq, rid,
        )  # fmt: skip


def _pain(read: Reader, span: ExportSpan) -> Iterator[tuple[Any, ...]]:
    for r in source.pain(read, span):
        yield (
            r.local_date, span.local(r.at), r.context, r.score, free(r.site), free(r.note),
            span.local(r.logged_at), _voided(r.voided_at), span.local(r.voided_at), r.id,
        )  # fmt: skip


def _symptoms(read: Reader, span: ExportSpan) -> Iterator[tuple[Any, ...]]:
    for r in source.symptoms(read, span):
        yield (
            r.check_date, r.stiffness_minutes, yes_no(r.swelling), yes_no(r.redness),
            yes_no(r.tiptoe_pain), free(r.note),
            span.local(r.logged_at), _voided(r.voided_at), span.local(r.voided_at), r.id,
        )  # fmt: skip


def _assessments(read: Reader, span: ExportSpan) -> Iterator[tuple[Any, ...]]:
    for r in source.assessments(read, span):
        answers = json.dumps(r.answers, sort_keys=True, separators=(",", ":"))
        yield (
            r.taken_on, r.instrument, r.score, answers, span.local(r.logged_at),
            _voided(r.voided_at), span.local(r.voided_at), r.id,
        )  # fmt: skip


def _phases(read: Reader, span: ExportSpan) -> Iterator[tuple[Any, ...]]:
    names = source.Names(span.snapshots)
    for r in source.phases(read, span):
        yield (
            r.effective_date, r.decision, r.from_phase, r.to_phase, r.load_level, free(r.reason),
            free(r.decided_by), span.local(r.accepted_at), _voided(r.voided_at),
            span.local(r.voided_at), names.program_id(r.enrollment_id), r.set_cut, r.week_cap,
            r.id,
        )  # fmt: skip


def _red_flags(read: Reader, span: ExportSpan) -> Iterator[tuple[Any, ...]]:
    names = source.Names(span.snapshots)
    for r in source.red_flags(read, span):
        program = names.program_id(r.enrollment_id) if r.enrollment_id is not None else None
        yield (
            r.raised_on, r.flag, r.source, free(r.detail), span.local(r.raised_at),
            free(r.cleared_by), r.cleared_on, span.local(r.cleared_at), program, r.id,
        )  # fmt: skip


def _pauses(read: Reader, span: ExportSpan) -> Iterator[tuple[Any, ...]]:
    names = source.Names(span.snapshots)
    for r in source.pauses(read, span):
        yield (
            r.start_date, r.end_date, free(r.reason), span.local(r.created_at),
            span.local(r.ended_at), names.program_id(r.enrollment_id), r.id,
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
               "decided_by", "accepted_at", "voided", "voided_at", "program", "set_cut",
               "week_cap", "entry_id"),
    "pauses": ("start_date", "resumed_on", "reason", "paused_at", "resumed_at", "program",
               "entry_id"),
    "red_flags": ("date", "flag", "source", "detail", "raised_at", "cleared_by", "cleared_on",
                  "cleared_at", "program", "entry_id"),
}  # fmt: skip
ROWS = {
    "doses": _doses,
    "pain": _pain,
    "symptoms": _symptoms,
    "assessments": _assessments,
    "phases": _phases,
    "pauses": _pauses,
    "red_flags": _red_flags,
}
TABLES = {name: Table(name, header, ROWS[name]) for name, header in HEADERS.items()}
FILE_NAMES = tuple(f"{name}.csv" for name in TABLES)


def write_table(handle: TextIO, table: Table, rows: Iterable[tuple[Any, ...]]) -> int:
    """Write the header and rows; returns the number of rows."""
    writer = csv.writer(handle, lineterminator="\r\n")
    writer.writerow(table.header)
    # counted as they pass, with no Python-level loop: zip takes a row, then a number
    numbers = itertools.count()
    writer.writerows(map(operator.itemgetter(0), zip(rows, numbers, strict=False)))
    return next(numbers)


def export_table(read: Reader, span: ExportSpan, name: str, target: files.Target) -> int:
    table = TABLES[name]
    with files.open_text(target, newline="") as handle:
        if target.path is not None:
            handle.write(BOM)
        return write_table(handle, table, table.rows(read, span))


def export_folder(read: Reader, span: ExportSpan, target: files.Target) -> dict[str, int]:
    """Every table into the target folder; returns rows written per file."""
    counts: dict[str, int] = {}
    with files.staging_folder(target, FILE_NAMES) as folder:
        for name, table in TABLES.items():
            path = Path(folder) / f"{name}.csv"
            with files.new_private_file(path) as handle:
                handle.write(BOM)
                counts[path.name] = write_table(handle, table, table.rows(read, span))
    return counts
