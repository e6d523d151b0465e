"""JSON: the whole history of the range in one document (format `rehab-export`, version 1),
written row by row so a ten-year history never sits in memory. docs/export-json.md
describes every field.

Each enrollment carries the template snapshot it was run with (`program`), so the plan of
any day can be rebuilt from this file alone: `rehab.core.template.program_from_snapshot`
on `json.dumps(program)` and `rehab.core.schedule.plan_day` with the pauses and the
accepted phase changes.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import date, datetime
from typing import Any, TextIO

from sqlmodel import Session

from rehab import __version__
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


def _header(scope: Scope) -> dict[str, Any]:
    enrollments = []
    for item in scope.enrollments:
        row = item.enrollment
        enrollments.append(
            {
                "id": item.id,
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
}


def write(session: Session, scope: Scope, handle: TextIO) -> dict[str, int]:
    """Write the document; returns the number of entries per section."""
    header = _dumps(_header(scope))
    handle.write(header[:-1])  # leave the object open for the sections
    counts: dict[str, int] = {}
    read, span = source.session_reader(session), scope.span
    for name, generator in SECTIONS.items():
        rows: Callable[[source.Reader, ExportSpan], Iterator[Any]] = getattr(source, generator)
        handle.write(f',\n"{name}":[')
        count = 0
        for row in rows(read, span):
            record = {key: _value(scope, value) for key, value in row._asdict().items()}
            handle.write(("\n" if count == 0 else ",\n") + _dumps(record))
            count += 1
        handle.write("]")
        counts[name] = count
    handle.write("}\n")
    return counts


def export(session: Session, scope: Scope, target: files.Target) -> dict[str, int]:
    with files.open_text(target) as handle:
        return write(session, scope, handle)
