"""Two check-offs of the same dose at the same moment never count twice, on PostgreSQL as
on SQLite: the rule "no more sets than the dose" holds in the database, not by luck.

The race is made certain rather than likely: the test holds `LOCK TABLE doselog IN SHARE
MODE`, which lets both `rehab done` processes read (count the sets done) but stops both at
their INSERT. Once both are seen waiting in pg_stat_activity, the lock is released. Without
serialisation both have counted 0 sets and both insert: the dose is logged twice. With it,
the second waits for the first to commit, counts its sets, and says "already done"."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest

from tests.conftest import Rehab
from tests.pg_server import new_database, plain_url, throwaway_server

START = date.today() - timedelta(days=10)


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    with throwaway_server() as url:
        yield url


@pytest.fixture
def postgres(server: str, request: pytest.FixtureRequest) -> str:
    url = new_database(server, f"race_{abs(hash(request.node.nodeid)) % 10**8}")
    rehab = Rehab(Path("unused"))
    result = rehab("--db", url, "start", "heel-pain-self-care", "--side", "both", "--start",
                   str(START), db=False)  # fmt: skip
    assert result.code == 0, result.err
    return url


def done_command(db: str, day: date) -> list[str]:
    return [sys.executable, "-m", "rehab", "--db", db, "done", "calf-stretch", "--side", "left",
            "--date", str(day)]  # fmt: skip


def sets_logged(url: str, day: date) -> int:
    import psycopg

    with psycopg.connect(plain_url(url)) as conn:
        row = conn.execute(
            "SELECT coalesce(sum(sets), 0) FROM doselog WHERE plan_date = %s AND "
            "item_key = 'calf-stretch' AND side = 'left' AND voided_at IS NULL",
            (day,),
        ).fetchone()
    assert row is not None
    return int(row[0])


def one_dose(url: str) -> int:
    """The sets of one calf-stretch dose, from a check-off made alone on another day."""
    day = START + timedelta(days=5)
    result = subprocess.run(done_command(url, day), capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return sets_logged(url, day)


def waiting_on_locks(conn: object) -> int:
    row = conn.execute(  # type: ignore[attr-defined]
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
        "AND pid <> pg_backend_pid() AND wait_event_type = 'Lock'"
    ).fetchone()
    return int(row[0])


def test_two_check_offs_of_one_dose_at_once_count_once_on_postgresql(postgres: str) -> None:
    import psycopg

    dose = one_dose(postgres)
    assert dose > 0
    day = START + timedelta(days=1)
    holder = psycopg.connect(plain_url(postgres))
    watcher = psycopg.connect(plain_url(postgres), autocommit=True)
    procs: list[subprocess.Popen[str]] = []
    try:
        holder.execute("LOCK TABLE doselog IN SHARE MODE")  # reads pass, inserts wait
        procs = [
            subprocess.Popen(
                done_command(postgres, day),
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for _ in range(2)
        ]
        deadline = time.monotonic() + 120
        while waiting_on_locks(watcher) < 2:
            early = [p for p in procs if p.poll() is not None]
            assert not early, [p.communicate() for p in early]
            assert time.monotonic() < deadline, "the two check-offs never both reached the lock"
            time.sleep(0.05)
        holder.commit()  # both are now inside their transactions: let them race
        outcomes = [(p.wait(timeout=120), *p.communicate()) for p in procs]
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        holder.close()
        watcher.close()
    codes = sorted(code for code, _, _ in outcomes)
    assert sets_logged(postgres, day) == dose, outcomes
    assert codes == [0, 2], outcomes
    (refused,) = [err for code, _, err in outcomes if code == 2]
    assert "already done" in refused and refused.count("\n") == 1
