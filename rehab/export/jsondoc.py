"""JSON: the whole history of the range in one document (format `rehab-export`, version 1),
written row by row so a ten-year history never sits in memory. docs/export-json.md
describes every field.

Each enrollment carries the template snapshot it was run with (`program`), so the plan of
any day can be rebuilt from this file alone: `rehab.core.template.program_from_snapshot`
on `json.dumps(program)` and `rehab.core.schedule.plan_day` with the pauses and the
accepted phase changes.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Iterator
from datetime import date, datetime
from typing import Any, TextIO

from sqlmodel import Session

from rehab import __version__
from rehab.core.typed import FIRST_DAY, LAST_DAY
from rehab.core.uids import REFERENCES, Uids
from rehab.export import DISCLAIMER, files
from rehab.export.scope import Scope
from rehab.store import rows as source
from rehab.store.rows import ExportSpan

FORMAT = "rehab-export"
VERSION = 1


def _value(scope: Scope, value: Any) -> Any:
    if isinstance(value, datetime):
        return scope.local(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def enrollment_uids(scope: Scope) -> dict[int, str]:
    """Database id -> uid of each enrollment in the scope."""
    uids = Uids("enrollments")
    return {item.id: uids(item.enrollment.model_dump()) for item in scope.enrollments}


def _header(scope: Scope, uids: dict[int, str]) -> dict[str, Any]:
    enrollments = []
    for number, item in enumerate(scope.enrollments, 1):
        row = item.enrollment
        enrollments.append(
            {
                "id": number,
                "uid": uids[item.id],
                "program_id": row.program_id,
                "program_name": row.program_name,
                "side": row.side,
                "start_date": row.start_date.isoformat(),
                "planned_end": item.end.isoformat() if item.end else None,
                "status": row.status,
                "created_at": scope.local(row.created_at),
                "ended_at": scope.local(row.ended_at) or None,
                "template_hash": row.template_hash,
                "program": json.loads(row.template_json),
            }
        )
    return {
        "format": FORMAT,
        "version": VERSION,
        "generator": f"rehab {__version__}",
        "generated_at": scope.local(scope.generated_at),
        "disclaimer": DISCLAIMER,
        "patient": {"name": scope.patient.name, "timezone": scope.zone.key},
        "range": {"from": scope.first.isoformat(), "to": scope.last.isoformat()},
        "enrollments": enrollments,
    }


SECTIONS = {  # section: the `source` generator that fills it
    "doses": "doses",
    "pain": "pain",
    "symptoms": "symptoms",
    "assessments": "assessments",
    "phase_changes": "phases",
    "pauses": "pauses",
    "red_flags": "red_flags",
    "prescriptions": "prescriptions",
}
# Every one of these of the document's enrollments, also outside the range: a pause or an
# accepted decision before `from` still moves the plan of the days in it (and the end).
WHOLE_ENROLLMENT = frozenset({"phase_changes", "pauses", "prescriptions"})


def write(session: Session, scope: Scope, handle: TextIO) -> dict[str, int]:
    """Write the document; returns the number of entries per section.

    An entry's `id` is its number in its section of this document, and every reference
    (`enrollment_id`, a red flag's `check_id`...) is by those numbers: database ids differ
    from one database to the next, and the document must not (docs/export-json.md)."""
    uids = enrollment_uids(scope)
    header = _dumps(_header(scope, uids))
    handle.write(header[:-1])  # leave the object open for the sections
    enrollment_numbers = {item.id: n for n, item in enumerate(scope.enrollments, 1)}
    referenced = {target for refs in REFERENCES.values() for target in refs.values()}
    numbers: dict[str, dict[int, int]] = {name: {} for name in referenced}
    counts: dict[str, int] = {}
    read, span = source.session_reader(session), scope.span
    whole = dataclasses.replace(span, first=FIRST_DAY, last=LAST_DAY)
    for name, generator in SECTIONS.items():
        rows: Callable[[source.Reader, ExportSpan], Iterator[Any]] = getattr(source, generator)
        handle.write(f',\n"{name}":[')
        count = 0
        entry_uid = Uids(name)
        known = numbers.get(name)
        refs = REFERENCES.get(name, {})
        for row in rows(read, whole if name in WHOLE_ENROLLMENT else span):
            count += 1
            values = row._asdict()
            enrollment = values["enrollment_id"]
            record = {key: _value(scope, value) for key, value in values.items()}
            record["id"] = count
            record["enrollment_id"] = enrollment_numbers.get(enrollment)
            for key, target in refs.items():
                record[key] = numbers[target].get(record[key])
            if known is not None:
                known[row.id] = count
            entry = {"id": count, "uid": entry_uid(values, uids.get(enrollment)), **record}
            handle.write(("\n" if count == 1 else ",\n") + _dumps(entry))
        handle.write("]")
        counts[name] = count
    handle.write("}\n")
    return counts


def export(session: Session, scope: Scope, target: files.Target) -> dict[str, int]:
    with files.open_text(target) as handle:
        return write(session, scope, handle)
