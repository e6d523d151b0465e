"""What the database is at, in constants every layer may read without importing a database
library: the schema revision this code writes, the revisions it can upgrade from, how long
SQLite waits for a lock, the default patient's name, the demo marker, and how a database
fault is explained in one line.

A new Alembic migration edits HEAD_REVISION and KNOWN_REVISIONS here
(`tests/test_store.py` checks them against the migration scripts).
"""

from __future__ import annotations

from rehab.store.url import sqlite_path

HEAD_REVISION = "0005"
KNOWN_REVISIONS = ("0001", "0002", "0003", "0004", "0005")
BUSY_TIMEOUT_MS = 5000
DEFAULT_PATIENT = "me"
# What `rehab demo` writes into its database (a setting of the demo patient), and the only
# sign that lets a later `rehab demo` replace the file.
DEMO_MARKER_KEY = "rehab.demo"
DEMO_MARKER_VALUE = "built by rehab demo; the next rehab demo may replace this file"


def locked(message: str) -> bool:
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
    if locked(lowered):
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
