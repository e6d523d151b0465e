"""`rehab import` into PostgreSQL (a throwaway server, tests/pg_server.py): the round trip,
a second import that changes nothing, and two imports of one file at once that leave every
entry once, neither lost nor doubled.

The race is made certain, not likely: the test holds the advisory lock an import takes
for its patient, starts both imports, waits until both are seen waiting for it in
pg_stat_activity, and lets go. Each is then inside its own transaction; the lock lets one
in first, and the second finds every entry already there.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Rehab
from tests.export_history import History, at, module_history
from tests.pg_server import new_database, plain_url, throwaway_server

TABLES = ("patient", "enrollment", "doselog", "painentry", "symptomcheck", "assessment",
          "phasechange", "pause", "redflagentry")  # fmt: skip


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    with throwaway_server() as url:
        yield url


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> Iterator[History]:
    yield from module_history(tmp_path_factory)


@pytest.fixture
def postgres(server: str, request: pytest.FixtureRequest) -> str:
    from rehab.store.db import open_engine

    url = new_database(server, f"import_{abs(hash(request.node.nodeid)) % 10**8}")
    open_engine(url).dispose()  # the schema, as a clinic's database already has it
    return url


def export(db: str, out: Path, day: Any) -> Any:
    with at(day):
        result = Rehab(Path("unused"))("--db", db, "export", "json", "--out", str(out),
                                       "--force", db=False)  # fmt: skip
    assert result.code == 0, result.err
    document = json.loads(out.read_text(encoding="utf-8"))
    document.pop("generated_at")
    return document


def counts(url: str) -> dict[str, int]:
    import psycopg

    with psycopg.connect(plain_url(url)) as conn:
        found = {}
        for table in TABLES:
            row = conn.execute(f"SELECT count(*) FROM {table}").fetchone()
            assert row is not None
            found[table] = int(row[0])
        return found


def test_import_round_trip_and_again_on_postgresql(
    history: History, postgres: str, tmp_path: Path
) -> None:
    first = export(str(history.path), tmp_path / "a.json", history.today)
    rehab = Rehab(Path("unused"))
    result = rehab("--db", postgres, "import", str(tmp_path / "a.json"), db=False)
    assert result.code == 0, result.err
    assert export(postgres, tmp_path / "b.json", history.today) == first
    before = counts(postgres)
    again = rehab("--db", postgres, "import", str(tmp_path / "a.json"), db=False)
    assert again.code == 0 and " 0 added, 0 voided, 0 updated, " in again.out, again
    assert counts(postgres) == before and before["doselog"] > 50


def test_a_bad_file_writes_nothing_on_postgresql(
    history: History, postgres: str, tmp_path: Path
) -> None:
    doc = export(str(history.path), tmp_path / "a.json", history.today)
    doc["red_flags"][0]["source"] = "rumour"  # the last section: everything else was read
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(doc), encoding="utf-8")
    before = counts(postgres)
    result = Rehab(Path("unused"))("--db", postgres, "import", str(bad), db=False)
    assert result.code == 2 and "red_flags[0]: source" in result.err, result
    assert counts(postgres) == before


def waiting_on_locks(conn: Any) -> int:
    row = conn.execute(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
        "AND pid <> pg_backend_pid() AND wait_event_type = 'Lock'"
    ).fetchone()
    return int(row[0])


def test_two_imports_of_one_file_at_once_leave_each_entry_once(
    history: History, postgres: str, tmp_path: Path
) -> None:
    import psycopg

    from rehab.store.importer import IMPORT_LOCK

    first = export(str(history.path), tmp_path / "a.json", history.today)
    key = zlib.crc32(history.patient.encode()) - 2**31
    holder = psycopg.connect(plain_url(postgres), autocommit=True)
    watcher = psycopg.connect(plain_url(postgres), autocommit=True)
    command = [sys.executable, "-m", "rehab", "--db", postgres, "import", str(tmp_path / "a.json")]
    procs: list[subprocess.Popen[str]] = []
    try:
        holder.execute("SELECT pg_advisory_lock(%s, %s)", (IMPORT_LOCK, key))
        procs = [
            subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            for _ in range(2)
        ]
        deadline = time.monotonic() + 120
        while waiting_on_locks(watcher) < 2:
            early = [p for p in procs if p.poll() is not None]
            assert not early, [p.communicate() for p in early]
            assert time.monotonic() < deadline, "the two imports never both reached the lock"
            time.sleep(0.05)
        holder.execute("SELECT pg_advisory_unlock(%s, %s)", (IMPORT_LOCK, key))
        outcomes = [(p.wait(timeout=120), *p.communicate()) for p in procs]
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        holder.close()
        watcher.close()
    assert [code for code, _, _ in outcomes] == [0, 0], outcomes
    added = sorted(" 0 added," in out for _, out, _ in outcomes)
    assert added == [False, True], outcomes  # one added everything, the other nothing
    assert counts(postgres)["patient"] == 1
    assert counts(postgres)["doselog"] == len(first["doses"])
    assert export(postgres, tmp_path / "b.json", history.today) == first
