"""Prescriptions on PostgreSQL, the clinic's engine: the same plan as on SQLite, and two
therapists prescribing at the same moment are checked one after the other.

The race is made certain, as in tests/test_concurrent_writers.py: the test holds `LOCK TABLE
prescription IN SHARE MODE`, so both `rehab prescribe` processes get as far as writing and
wait. One removes the ice from 5 days on; the other changes the ice's dose from 10 days on,
which needs the ice. Checked against the same empty history both would pass, and the
program would then change the dose of an exercise that is no longer in it. Serialised, the
second sees the first and is refused (exit 2); two changes that do not clash both land."""

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
from tests.test_concurrent_writers import waiting_on_locks

START = date.today() - timedelta(days=10)


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    with throwaway_server() as url:
        yield url


@pytest.fixture
def postgres(server: str, request: pytest.FixtureRequest) -> str:
    url = new_database(server, f"rx_{abs(hash(request.node.nodeid)) % 10**8}")
    result = Rehab(Path("unused"))(
        "--db",
        url,
        "start",
        "heel-pain-self-care",
        "--side",
        "both",
        "--start",
        str(START),
        db=False,
    )
    assert result.code == 0, result.err
    return url


def prescribe(url: str, *args: str) -> list[str]:
    return [sys.executable, "-m", "rehab", "--db", url, "prescribe", *args]


def rows(url: str) -> list[tuple[str, str, str]]:
    import psycopg

    with psycopg.connect(plain_url(url)) as conn:
        found = conn.execute(
            "SELECT action, exercise_id, prescribed_by FROM prescription ORDER BY id"
        ).fetchall()
    return [(str(a), str(b), str(c)) for a, b, c in found]


def race(url: str, first: list[str], second: list[str]) -> list[tuple[int, str, str]]:
    import psycopg

    holder = psycopg.connect(plain_url(url))
    watcher = psycopg.connect(plain_url(url), autocommit=True)
    procs: list[subprocess.Popen[str]] = []
    try:
        holder.execute("LOCK TABLE prescription IN SHARE MODE")  # reads pass, writes wait
        for command in (first, second):
            procs.append(
                subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            )
            deadline = time.monotonic() + 120
            while waiting_on_locks(watcher) < len(procs):
                early = [p for p in procs if p.poll() is not None]
                assert not early, [p.communicate() for p in early]
                assert time.monotonic() < deadline, "the prescriptions never reached the lock"
                time.sleep(0.05)
        holder.commit()
        return [(p.wait(timeout=120), *p.communicate()) for p in procs]
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        holder.close()
        watcher.close()


def test_two_therapists_at_once_are_checked_one_after_the_other(postgres: str) -> None:
    soon = date.today() + timedelta(days=5)
    later = date.today() + timedelta(days=10)
    outcomes = race(
        postgres,
        prescribe(postgres, "ice", "--remove", "--by", "A. Costa", "--from", str(soon)),
        prescribe(postgres, "ice", "--minutes", "15", "--by", "B. Silva", "--from", str(later)),
    )
    codes = sorted(code for code, _, _ in outcomes)
    assert codes == [0, 2], outcomes
    (refused,) = [err for code, _, err in outcomes if code == 2]
    assert refused.count("\n") == 1 and "Traceback" not in refused
    assert len(rows(postgres)) == 1  # one landed, the other wrote nothing


def test_two_changes_that_do_not_clash_both_land(postgres: str) -> None:
    outcomes = race(
        postgres,
        prescribe(postgres, "calf-stretch", "--sets", "3", "--by", "A. Costa"),
        prescribe(postgres, "ice", "--minutes", "15", "--by", "B. Silva"),
    )
    assert [code for code, _, _ in outcomes] == [0, 0], outcomes
    assert sorted(rows(postgres)) == [
        ("change", "calf-stretch", "A. Costa"),
        ("change", "ice", "B. Silva"),
    ]
    shown = Rehab(Path("unused"))(
        "--db",
        postgres,
        "today",
        "--json",
        "--date",
        str(date.today() + timedelta(days=1)),
        db=False,
    )
    assert shown.code == 0, shown.err
    assert '"prescribed_by": "B. Silva"' in shown.out and '"prescribed_by": "A. Costa"' in shown.out
