"""Has another process changed the database? Cheap enough to ask every second or two.

- SQLite: `PRAGMA data_version` on one connection kept for asking. Its value changes when
  any other connection (another process, or this app's own pooled connections) commits,
  and it costs no query of the tables.
- PostgreSQL: the current snapshot's xmax, the first transaction id not yet ended. It moves
  on whenever a transaction that wrote something ends, anywhere on the server; reading
  never moves it (a read-only transaction gets no id).

A stamp is only compared with an earlier stamp from the same `ChangeWatch`. A change
elsewhere on a PostgreSQL server costs a needless reload, never a missed one.
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
from typing import Any

from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError

Stamp = int | str

_POSTGRES_STAMPS = (
    "SELECT pg_snapshot_xmax(pg_current_snapshot())::text",  # PostgreSQL 13 and later
    "SELECT txid_snapshot_xmax(txid_current_snapshot())::text",
)


class ChangeWatch:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._sqlite = engine.dialect.name == "sqlite"
        self._connection: Any = None  # SQLite: the DBAPI connection kept for asking
        self._query = 0  # PostgreSQL: which of _POSTGRES_STAMPS the server knows
        self._lock = threading.Lock()

    def stamp(self) -> Stamp | None:
        """The current stamp; None if the database cannot be asked just now."""
        with self._lock:
            try:
                return self._sqlite_stamp() if self._sqlite else self._postgres_stamp()
            except (DBAPIError, sqlite3.Error):
                self._drop()
                return None

    def _sqlite_stamp(self) -> int:
        if self._connection is None:
            self._connection = self.engine.raw_connection()
        cursor = self._connection.cursor()
        try:
            cursor.execute("PRAGMA data_version")
            return int(cursor.fetchone()[0])
        finally:
            cursor.close()

    def _postgres_stamp(self) -> str | None:
        while self._query < len(_POSTGRES_STAMPS):
            try:
                with self.engine.connect() as connection:
                    return str(connection.execute(text(_POSTGRES_STAMPS[self._query])).scalar())
            except DBAPIError as exc:
                if "does not exist" not in str(exc.orig):
                    raise
                self._query += 1  # an older server: try the older function
        return None

    def _drop(self) -> None:
        if self._connection is not None:
            with contextlib.suppress(DBAPIError, sqlite3.Error):
                self._connection.close()
            self._connection = None

    def close(self) -> None:
        with self._lock:
            self._drop()
