"""Opening the database: where it is, how SQLite is tuned, and whether it needs migrating.

Alembic costs about 0.4 s to import, so the schema version is read with one plain query and
Alembic is imported only when the database is behind the code (a new file, or an upgrade).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.exc import DBAPIError, OperationalError

from rehab.errors import EnvironmentProblem, UsageProblem
from rehab.paths import make_private_folders
from rehab.store.dbfile import inspect_file
from rehab.store.schema import BUSY_TIMEOUT_MS, HEAD_REVISION, KNOWN_REVISIONS, explain
from rehab.store.url import database_url, sqlite_path

if TYPE_CHECKING:
    from sqlmodel import Session

__all__ = [
    "BUSY_TIMEOUT_MS",
    "HEAD_REVISION",
    "KNOWN_REVISIONS",
    "database_url",
    "explain",
    "open_engine",
    "sqlite_path",
    "transaction",
    "upgrade",
]


def _prepare_file(path: Path) -> None:
    """Create the folders (0700) and an empty database file (0600) before SQLite does."""
    try:
        make_private_folders(path.parent)
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
        os.close(fd)
    except FileExistsError:
        return
    except OSError as exc:
        raise EnvironmentProblem(
            f"cannot create the database {path}: {exc.strerror or exc} "
            "(choose a writable place with --db PATH or REHAB_DB)"
        ) from None


def _check_file(path: Path, url: str, *, create: bool) -> None:
    """Refuse, before anything about it changes, a file that is not a rehab database.

    Opening the file through SQLAlchemy already changes it (the journal mode becomes WAL
    on connect), so the file is first read through a read-only connection that cannot."""
    found = inspect_file(path)
    if found.kind == "missing":
        if not create:
            raise UsageProblem(
                f"--db: no database at {path} (allowed: an existing rehab database; "
                "`rehab start` creates a new one)"
            )
        _prepare_file(path)
    elif found.kind == "special":
        raise UsageProblem(
            f"--db: {path} is {found.problem}, not a database file "
            "(allowed: a rehab database file, or a path for a new one)"
        )
    elif found.kind == "blank" and not create:
        raise UsageProblem(
            f"--db: {path} is empty, not a rehab database (allowed: an existing "
            "rehab database; `rehab start` makes a new one)"
        )
    elif found.kind == "unreadable":
        raise EnvironmentProblem(explain(found.error or OSError(found.problem), url))
    elif found.kind == "foreign":
        raise EnvironmentProblem(
            f"{path} is not a rehab database (it has other tables: "
            f"{', '.join(found.tables[:5])}); use --db to pick a rehab database or a new file"
        )
    elif found.kind == "rehab" and found.revision not in (None, *KNOWN_REVISIONS):
        raise EnvironmentProblem(_newer(found.revision))


def _newer(revision: str | None) -> str:
    return (
        f"the database is at schema revision {revision}, newer than this rehab "
        f"knows ({HEAD_REVISION}); upgrade rehab"
    )


def _tune_sqlite(dbapi_connection: Any, _record: Any) -> None:
    # SQLAlchemy, not pysqlite, decides when a transaction begins (see _begin_immediate)
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute("PRAGMA synchronous = NORMAL")
    cursor.close()


def _begin_immediate(conn: Any) -> None:
    """Take the write lock when a transaction starts, not at its first INSERT: an action's
    reads (how many sets are done?) and its write then see the same state, even with the
    app and a command writing at once. Readers are not blocked (WAL)."""
    conn.exec_driver_sql("BEGIN IMMEDIATE")


def _begin_deferred(conn: Any) -> None:
    """A reading transaction: one snapshot for all its queries, and no write lock held, so
    a long export does not make the app's check-offs wait."""
    conn.exec_driver_sql("BEGIN")


def open_engine(
    url: str, *, migrate: bool = True, create: bool = True, writes: bool = True
) -> Engine:
    """An engine on a database that is at the code's schema revision.

    With `create=False` a missing database file is an error rather than a new empty file:
    a mistyped --db on a command that only reads must not quietly start a new history.
    `writes=False` is for sessions that only read (exports): no write lock is taken.
    """
    path = sqlite_path(url)
    if path is not None:
        if path.is_dir():
            raise UsageProblem(f"--db: {path} is a folder (allowed: a database file path)")
        _check_file(path, url, create=create)
        engine = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000})
        event.listen(engine, "connect", _tune_sqlite)
        event.listen(engine, "begin", _begin_immediate if writes else _begin_deferred)
    else:
        try:
            engine = create_engine(url, pool_pre_ping=True)
        except ModuleNotFoundError as exc:
            raise EnvironmentProblem(
                f"the database driver {exc.name!r} is not installed "
                "(for PostgreSQL: pip install 'psycopg[binary]')"
            ) from None
    try:
        revision = _current_revision(engine)
        if revision != HEAD_REVISION and migrate:
            _check_known(revision, engine)
            upgrade(engine)
    except DBAPIError as exc:
        engine.dispose()
        raise EnvironmentProblem(explain(exc, url)) from None
    return engine


@contextmanager
def transaction(
    url: str,
    *,
    create: bool = True,
    writes: bool = True,
    expire_on_commit: bool = True,
) -> Iterator[Session]:
    """One session in one transaction on a database opened for this alone (`open_engine`),
    closed after: all of it is written, or none. For a command or an export; the app keeps
    its engine open instead."""
    from sqlmodel import Session

    engine = open_engine(url, create=create, writes=writes)
    try:
        with Session(engine, expire_on_commit=expire_on_commit) as session, session.begin():
            yield session
    finally:
        engine.dispose()


def _current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        try:
            row = conn.execute(text("SELECT version_num FROM alembic_version")).first()
        except OperationalError as exc:
            if "no such table" not in str(exc.orig):
                raise
            conn.rollback()
            return None
        except DBAPIError:
            # PostgreSQL: undefined table. Anything else is re-raised by the caller's check.
            conn.rollback()
            if inspect(conn).has_table("alembic_version"):
                raise
            return None
    return None if row is None else str(row[0])


def _check_known(revision: str | None, engine: Engine) -> None:
    if revision is None:
        tables = set(inspect(engine).get_table_names())
        if tables - {"alembic_version"}:
            raise EnvironmentProblem(
                f"{engine.url.render_as_string(hide_password=True)} is not a rehab database "
                f"(it has other tables: {', '.join(sorted(tables)[:5])})"
            )
        return
    if revision not in KNOWN_REVISIONS:
        raise EnvironmentProblem(_newer(revision))


def alembic_config(engine: Engine) -> Any:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(Path(__file__).parent / "migrations"))
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    from alembic import command

    command.upgrade(alembic_config(engine), revision)
