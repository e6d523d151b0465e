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

import contextlib
import os
import sqlite3
import stat
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, Literal, NamedTuple
from urllib.parse import quote

from rehab.errors import EnvironmentProblem
from rehab.store.url import sqlite_path

HEAD_REVISION = "0004"
KNOWN_REVISIONS = ("0001", "0002", "0003", "0004")
BUSY_TIMEOUT_MS = 5000
DEFAULT_PATIENT = "me"
SQLITE_HEADER = b"SQLite format 3\x00"
# What `rehab demo` writes into its database (a setting of the demo patient), and the only
# sign that lets a later `rehab demo` replace the file.
DEMO_MARKER_KEY = "rehab.demo"
DEMO_MARKER_VALUE = "built by rehab demo; the next rehab demo may replace this file"

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


def _locked(message: str) -> bool:
    """A driver's message (lower case) that says another program holds the database."""
    return "locked" in message or "busy" in message


def explain(exc: BaseException, url: str | None = None) -> str:
    """One line for a database fault the user can act on."""
    where = ""
    if url is not None:
        path = sqlite_path(url)
        where = f" {path}" if path is not None else ""
    message = str(getattr(exc, "orig", exc)).strip().splitlines()[0]
    lowered = message.lower()
    if "unique constraint" in lowered:
        return "another rehab process logged the same thing at the same moment; try again"
    if _locked(lowered):
        return f"the database{where} is locked by another program; close it (or wait) and retry"
    if "not a database" in lowered or "malformed" in lowered or "corrupt" in lowered:
        return (
            f"the database{where} is damaged or not a rehab database ({message}); "
            "restore a backup or use --db to pick another file"
        )
    if "readonly" in lowered or "read-only" in lowered or "unable to open" in lowered:
        return (
            f"cannot write the database{where} ({message}); "
            "check the folder's permissions or use --db PATH"
        )
    return f"database error{where}: {message}"


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


@dataclass(frozen=True)
class Found:
    """What a database file is, found without changing it.

    kind: "missing" (nothing there), "blank" (0 bytes, or SQLite without tables: a file
    rehab may fill in when the command creates databases), "rehab" (our tables; `revision`
    may still be one this code does not know), "foreign" (another program's SQLite
    database: `tables` names some), "special" (not a regular file: `problem` says what),
    "unreadable" (not SQLite, or SQLite cannot read it: `problem` is its message)."""

    kind: Literal["missing", "blank", "rehab", "foreign", "special", "unreadable"]
    revision: str | None = None
    tables: tuple[str, ...] = ()
    problem: str = ""
    error: sqlite3.Error | None = None


def file_kind(mode: int) -> str:
    """'a FIFO (named pipe)', 'a character device'... for a message."""
    kinds = (
        (stat.S_ISDIR, "a folder"),
        (stat.S_ISFIFO, "a FIFO (named pipe)"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISSOCK, "a socket"),
        (stat.S_ISLNK, "a symbolic link"),
        (stat.S_ISREG, "a regular file"),
    )
    return next((name for test, name in kinds if test(mode)), "not a regular file")


@contextlib.contextmanager
def read_only(path: Path) -> Iterator[sqlite3.Connection]:
    """A connection that cannot change the file or leave anything beside it.

    `mode=ro` never writes the database, but on a WAL database it creates the -wal and
    -shm files and cannot remove them. Where no -wal file exists, no connection is open
    and nothing is pending in a journal, so `immutable=1` reads the file as it is, with
    no lock and no side file. Otherwise the side files are there already."""
    wal = path.with_name(path.name + "-wal")
    options = "mode=ro" if os.path.lexists(wal) else "mode=ro&immutable=1"
    conn = sqlite3.connect(
        f"file:{quote(str(path))}?{options}",
        uri=True,
        timeout=BUSY_TIMEOUT_MS / 1000,
        isolation_level=None,
    )
    try:
        yield conn
    finally:
        conn.close()


def inspect_file(path: Path) -> Found:
    """Whether `path` is a rehab database, read without changing a byte of it (nor its
    mtime): a file that is not ours must be refused as it was found."""
    try:
        info = os.stat(path)
    except FileNotFoundError:
        return Found("missing")
    except OSError as exc:
        return Found("unreadable", problem=exc.strerror or str(exc))
    if not stat.S_ISREG(info.st_mode):
        return Found("special", problem=file_kind(info.st_mode))
    if info.st_size == 0:
        return Found("blank")
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
        try:
            header = os.read(fd, len(SQLITE_HEADER))
        finally:
            os.close(fd)
    except OSError as exc:
        return Found("unreadable", problem=exc.strerror or str(exc))
    if header != SQLITE_HEADER:
        return Found("unreadable", problem="file is not a database")
    try:
        with read_only(path) as conn:
            tables = tuple(
                row[0]
                for row in conn.execute(
                    "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
                )
            )
            revision = None
            if "alembic_version" in tables:
                row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
                revision = None if row is None else str(row[0])
    except sqlite3.Error as exc:
        return Found("unreadable", problem=str(exc), error=exc)
    if not set(tables) - {"alembic_version"}:
        return Found("blank", revision, tables)
    if "alembic_version" in tables and "patient" in tables:
        return Found("rehab", revision, tables)
    return Found("foreign", revision, tuple(t for t in tables if not t.startswith("sqlite_")))


def is_demo(path: Path) -> bool:
    """True only for a database `rehab demo` wrote (its marker setting), read-only."""
    found = inspect_file(path)
    if found.kind != "rehab" or "setting" not in found.tables:
        return False
    try:
        with read_only(path) as conn:
            row = conn.execute(
                "SELECT count(*) FROM setting WHERE key = ? AND value = ?",
                (DEMO_MARKER_KEY, DEMO_MARKER_VALUE),
            ).fetchone()
    except sqlite3.Error:
        return False
    return bool(row and row[0])


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
