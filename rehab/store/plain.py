"""The database without SQLAlchemy: the schema revision this code is at, how to explain a
database fault in one line, and a plain sqlite3 connection for long reads.

Importing SQLAlchemy and SQLModel costs about as much CPU as reading and writing 100,000
dose rows, so `rehab export csv` reads through the standard library when it can: the
database is an existing SQLite file, already at `HEAD_REVISION`, and the patient is there.
In any other case `connect` and `find_patient` give None and the caller takes the ordinary path
(`db.open_engine`), which creates, migrates and explains. Both paths run the same portable
SQL (`rehab.export.source`), and a test compares their files byte for byte.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, date, datetime
from typing import Any, NamedTuple
from urllib.parse import quote

from rehab.errors import EnvironmentProblem
from rehab.store.dbfile import inspect_file
from rehab.store.schema import BUSY_TIMEOUT_MS, DEFAULT_PATIENT, HEAD_REVISION, explain
from rehab.store.schema import locked as _locked
from rehab.store.url import sqlite_path

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


def iso_dates(params: Mapping[str, Any]) -> dict[str, Any]:
    """Query parameters for SQLite, where SQLAlchemy stores a date as ISO text."""
    return {k: v.isoformat() if type(v) is date else v for k, v in params.items()}


class PatientRow(NamedTuple):
    id: int
    name: str
    timezone: str | None


class EnrollmentRow(NamedTuple):
    """The columns of an enrollment that an export's scope needs."""

    id: int
    template_json: str
    start_date: date
    status: str
    ended_at: datetime | None  # aware UTC


def connect(url: str) -> sqlite3.Connection | None:
    """A connection reading one snapshot (a deferred transaction: no write lock), or None
    when the ordinary path must run: not SQLite, no such file, not at HEAD_REVISION, or a
    file SQLite cannot read (the ordinary path then says what is wrong). A database locked
    past the busy timeout is an EnvironmentProblem here: the other path would wait again."""
    path = sqlite_path(url)
    if path is None:
        return None
    found = inspect_file(path)
    if isinstance(found.error, sqlite3.OperationalError) and _locked(found.problem.lower()):
        raise EnvironmentProblem(explain(found.error, url))
    if found.kind != "rehab" or found.revision != HEAD_REVISION:
        return None  # only our own file is opened for writing (its close may checkpoint)
    try:
        # mode=rw: never create a file (a mistyped --db is the ordinary path's to explain)
        conn = sqlite3.connect(
            f"file:{quote(str(path))}?mode=rw",
            uri=True,
            timeout=BUSY_TIMEOUT_MS / 1000,
            isolation_level=None,
        )
    except sqlite3.Error:
        return None
    try:
        conn.execute("PRAGMA query_only = ON")
        conn.execute("BEGIN")
        row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.Error as exc:
        conn.close()
        if isinstance(exc, sqlite3.OperationalError) and _locked(str(exc).lower()):
            raise EnvironmentProblem(explain(exc, url)) from None
        return None
    if row is None or row[0] != HEAD_REVISION:
        conn.close()
        return None
    return conn


def find_patient(conn: sqlite3.Connection, name: str | None) -> PatientRow | None:
    """The named patient (default 'me'), or None: the ordinary path explains a name it does
    not know, and creates the default patient on first use."""
    wanted = (name or DEFAULT_PATIENT).strip()
    row = conn.execute(
        "SELECT id, name, timezone FROM patient WHERE name = :name", {"name": wanted}
    ).fetchone()
    return None if row is None else PatientRow(*row)


def enrollments(conn: sqlite3.Connection, patient_id: int) -> list[EnrollmentRow]:
    """The patient's enrollments in start order."""
    rows = conn.execute(
        "SELECT id, template_json, start_date, status, ended_at FROM enrollment "
        "WHERE patient_id = :patient ORDER BY start_date, id",
        {"patient": patient_id},
    )
    return [
        EnrollmentRow(rid, snapshot, day(start), status, maybe_instant(ended))
        for rid, snapshot, start, status, ended in rows
    ]


def reader(conn: sqlite3.Connection) -> Reader:
    """A Reader on this connection."""

    def read(sql: str, params: Mapping[str, Any]) -> Iterable[Sequence[Any]]:
        return conn.execute(sql, iso_dates(params))

    return read
