"""What a database file is, found without changing a byte of it (nor its mtime): before
SQLAlchemy opens a file (which already turns on WAL), and before `rehab demo` replaces one.
A file that is not ours must be refused as it was found, so these look through a read-only
sqlite3 connection.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal
from urllib.parse import quote

from rehab.store.schema import BUSY_TIMEOUT_MS, DEMO_MARKER_KEY, DEMO_MARKER_VALUE

SQLITE_HEADER = b"SQLite format 3\x00"


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


def patient_names(path: Path) -> set[str] | None:
    """The names of the patients in a rehab database, read-only; None if it cannot be read."""
    if inspect_file(path).kind != "rehab":
        return None
    try:
        with read_only(path) as conn:
            return {row[0] for row in conn.execute("SELECT name FROM patient")}
    except sqlite3.Error:
        return None
