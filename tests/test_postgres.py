"""The same history in PostgreSQL: every export writes the same bytes as from SQLite.

A throwaway server is started from the machine's PostgreSQL binaries (Debian's `postgresql`
package; `.ci/run` installs it where it is missing). The known export history is built in
SQLite, copied row by row into PostgreSQL through the SQLModel tables, and exported from
both; the files must be identical. That checks the export SQL is portable and that nothing
depends on how a database returns dates, instants and booleans.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlmodel import SQLModel

import rehab.store.observations
import rehab.store.preferences
from rehab.store import db as store_db
from rehab.store import models
from tests.conftest import Rehab
from tests.export_history import History, at, module_history
from tests.pg_server import throwaway_server

del models, rehab.store.observations, rehab.store.preferences  # imported for their tables


@pytest.fixture(scope="module")
def postgres() -> Iterator[str]:
    """A URL for an empty database on a server that lives as long as this module."""
    with throwaway_server() as url:
        yield url


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> Iterator[History]:
    yield from module_history(tmp_path_factory)


@pytest.fixture(scope="module")
def copied(history: History, postgres: str) -> str:
    """The history's rows in PostgreSQL, ids and all, at the head schema revision."""
    store_db.open_engine(postgres).dispose()  # migrations create the tables
    source, target = create_engine(history.url), create_engine(postgres)
    try:
        with source.connect() as reading, target.begin() as writing:
            for table in SQLModel.metadata.sorted_tables:
                rows = [dict(row) for row in reading.execute(table.select()).mappings()]
                if rows:
                    writing.execute(table.insert(), rows)
                if "id" in table.c and rows:
                    writing.execute(
                        text(
                            f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                            f"(SELECT max(id) FROM {table.name}))"
                        )
                    )
        with target.connect() as reading:
            count = reading.execute(text("SELECT count(*) FROM doselog")).scalar_one()
        assert count == history.scalar("select count(*) from doselog") and count > 50
    finally:
        source.dispose()
        target.dispose()
    return postgres


@pytest.mark.parametrize(
    ("fmt", "name"),
    [
        ("csv", "log"),
        ("json", "log.json"),
        ("report", "log.html"),
        ("fhir", "log.fhir.json"),
        ("ics", "log.ics"),
    ],
)
def test_every_export_is_the_same_from_postgresql(
    history: History, copied: str, tmp_path: Path, fmt: str, name: str
) -> None:
    rehab, outputs = Rehab(history.path), []
    for label, db in (("sqlite", str(history.path)), ("postgresql", copied)):
        out = tmp_path / label / name
        out.parent.mkdir()
        with at(history.today):
            args = ("--db", db, "--patient", history.patient, "export", fmt, "--out", str(out))
            result = rehab(*args, db=False)
        assert result.code == 0, result.err
        outputs.append(out)
    sqlite_out, postgres_out = outputs
    if fmt == "csv":
        files = sorted(p.name for p in sqlite_out.iterdir())
        assert files == sorted(p.name for p in postgres_out.iterdir()) and len(files) == 7
        for file in files:
            assert (sqlite_out / file).read_bytes() == (postgres_out / file).read_bytes(), file
    else:
        assert sqlite_out.stat().st_size > 1000
        assert sqlite_out.read_bytes() == postgres_out.read_bytes()


def test_the_app_notices_a_write_by_another_connection(postgres: str) -> None:
    """The app's check for others' writes works on PostgreSQL too (rehab.store.watch)."""
    from sqlmodel import Session

    from rehab.store import journal
    from rehab.store.watch import ChangeWatch

    engine = store_db.open_engine(postgres)
    watch = ChangeWatch(engine)
    try:
        before = watch.stamp()
        assert before is not None
        other = create_engine(postgres)
        try:
            with Session(other) as session, session.begin():
                journal.find_patient(session, name="watched", create=True)
        finally:
            other.dispose()
        after = watch.stamp()
        assert after is not None and after != before
    finally:
        watch.close()
        engine.dispose()
