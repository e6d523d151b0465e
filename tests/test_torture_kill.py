"""Reliability under kill -9: check-offs from the CLI and from the app, exports and a
schema upgrade, each SIGKILLed at random moments. Afterwards the database passes
`PRAGMA integrity_check`, every write that was acknowledged is there, no export is half
written, and the next ordinary start carries on.

Each test has a short form that runs in CI (a few seconds) and a long one marked
`torture` (`python -m pytest -m torture`), which is deselected by default. Kill moments
come from a seeded random generator; nothing asserts on timing.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from rehab.store import db as store_db
from tests.conftest import REPO, Rehab

ENV = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")])}
START = date.today() - timedelta(days=60)  # check-offs go on past days of the program
KEYS = ("foot-massage", "gentle-walk", "hamstring-stretch", "calf-stretch", "ice", "ice#2")


def integrity(db: Path) -> str:
    con = sqlite3.connect(db)
    try:
        return str(con.execute("PRAGMA integrity_check").fetchone()[0])
    finally:
        con.close()


def scalar(db: Path, sql: str, *args: object) -> object:
    con = sqlite3.connect(db)
    try:
        return con.execute(sql, args).fetchone()[0]
    finally:
        con.close()


def kill(proc: subprocess.Popen[str]) -> None:
    if proc.poll() is None:
        os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=60)


def rehab_process(*args: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "rehab", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env or ENV,
    )


@pytest.fixture
def enrolled(rehab: Rehab) -> Rehab:
    result = rehab("start", "heel-pain-self-care", "--side", "both", "--start", str(START))
    assert result.code == 0, result.err
    return rehab


# --- separate `rehab done` processes, some killed ------------------------------------------


def _cli_check_offs(db: Path, commands: int, seed: int) -> None:
    rng = random.Random(seed)
    acknowledged: list[str] = []
    for n in range(commands):
        day = date.fromordinal(START.toordinal() + n // len(KEYS))
        note = f"torture-{seed}-{n}"
        proc = rehab_process(
            "--db", str(db), "done", KEYS[n % len(KEYS)], "--date", str(day), "--note", note
        )
        if rng.random() < 0.4:  # kill this one at a random moment: start-up, write or exit
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=rng.uniform(0.05, 0.8))
            kill(proc)
            assert integrity(db) == "ok"
        else:
            _, err = proc.communicate(timeout=120)
            assert proc.returncode == 0, err
        if proc.returncode == 0:
            acknowledged.append(note)
    for note in set(acknowledged):
        rows = scalar(db, "SELECT count(*) FROM doselog WHERE note = ?", note)
        assert rows in (1, 2), (note, rows)  # one row per leg, all of the command or none
    partial = scalar(
        db,
        "SELECT count(*) FROM (SELECT action FROM doselog GROUP BY action"
        " HAVING count(*) NOT IN (1, 2))",
    )
    assert partial == 0
    assert integrity(db) == "ok"


def test_sigkill_during_cli_check_offs(enrolled: Rehab) -> None:
    _cli_check_offs(enrolled.db, commands=6, seed=1)


@pytest.mark.torture
def test_sigkill_during_cli_check_offs_long(enrolled: Rehab) -> None:
    _cli_check_offs(enrolled.db, commands=200, seed=2)


# --- the app, pressing space, killed --------------------------------------------------------

# Drives the app headless on DB: space on the current row PRESSES times, printing after
# each press (once the write and the reload are done) the sets the screen shows as done.
APP_WORKER = r"""
import asyncio, sys
from pathlib import Path
from tests.tui_helpers import SIZE, make

db, presses = Path(sys.argv[1]), int(sys.argv[2])

async def main() -> None:
    app, _ = make(db)
    async with app.run_test(size=SIZE) as pilot:
        async def settle() -> None:
            for _ in range(3):
                await app.workers.wait_for_complete()
                await pilot.pause()
        await settle()
        print("ready", flush=True)
        for _ in range(presses):
            await pilot.press("space")
            await settle()
            view = app.screen.view
            shown = sum(m.sets_done for row in view.rows for m in row.members)
            print(f"shown {shown}", flush=True)

asyncio.run(main())
"""


def _app_check_offs(db: Path, trials: int, seed: int) -> None:
    rng = random.Random(seed)
    from tests.tui_helpers import enroll

    enroll(db, side="both")
    for _ in range(trials):
        proc = subprocess.Popen(
            [sys.executable, "-c", APP_WORKER, str(db), "40"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=ENV,
        )
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "ready", proc.stderr.read() if proc.stderr else ""
        target = rng.randint(1, 8)
        shown = None
        for line in proc.stdout:
            shown = int(line.split()[1])
            target -= 1
            if target <= 0:
                break
        time.sleep(rng.uniform(0, 0.05))  # a press may be in flight
        kill(proc)
        assert integrity(db) == "ok"
        stored = scalar(
            db,
            "SELECT coalesce(sum(sets), 0) FROM doselog"
            " WHERE voided_at IS NULL AND status = 'done'",
        )
        assert shown is not None and isinstance(stored, int) and stored >= shown


def test_sigkill_during_an_app_check_off(tmp_path: Path) -> None:
    _app_check_offs(tmp_path / "rehab.db", trials=1, seed=3)


@pytest.mark.torture
def test_sigkill_during_an_app_check_off_long(tmp_path: Path) -> None:
    _app_check_offs(tmp_path / "rehab.db", trials=12, seed=4)


# --- exports --------------------------------------------------------------------------------

# `rehab export` in-process, with the final sync slowed down when SLOW is set, so that a
# kill lands while the export is written but not yet in place.
EXPORT_WORKER = r"""
import os, sys, time
from rehab.export import files
if os.environ.get("SLOW"):
    real = os.fsync
    def slow(fd):
        print("syncing", flush=True)
        time.sleep(60)
        real(fd)
    files.os.fsync = slow
from rehab.cli import main
main(sys.argv[1:])
"""


def _export_kills(db: Path, folder: Path, trials: int, seed: int) -> None:
    rng = random.Random(seed)
    good = folder / "kept.json"
    assert Rehab(db)("export", "json", "--out", str(good)).code == 0
    kept = good.read_bytes()
    for trial in range(trials):
        fmt = ("json", "report", "fhir", "ics", "csv")[trial % 5]
        force = trial % 3 == 0
        out = good if force and fmt == "json" else folder / f"new-{trial}.{fmt}"
        slow = trial % 2 == 0
        args = ["--db", str(db), "export", fmt, "--out", str(out)] + (["--force"] if force else [])
        proc = subprocess.Popen(
            [sys.executable, "-c", EXPORT_WORKER, *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**ENV, "SLOW": "1" if slow else ""},
        )
        assert proc.stdout is not None
        if slow:
            line = proc.stdout.readline()
            assert line.strip() == "syncing", proc.stderr.read() if proc.stderr else line
        else:
            time.sleep(rng.uniform(0.05, 1.0))
        kill(proc)
        if out == good and slow:
            assert good.read_bytes() == kept  # killed before the new one was in place
        elif out == good:  # the old file, or the new export whole: never a mix
            json.loads(good.read_text(encoding="utf-8"))
        elif slow:
            assert not out.exists(), "a half-written export is in place"
        elif out.exists() and out.is_file():  # the kill came after it was in place: whole
            if fmt in ("json", "fhir"):
                json.loads(out.read_text(encoding="utf-8"))
            elif fmt == "report":
                assert out.read_text(encoding="utf-8").rstrip().endswith("</html>")
            elif fmt == "ics":
                assert out.read_text(encoding="utf-8").rstrip().endswith("END:VCALENDAR")
        # what else is there is the kept file, whole exports, and hidden temporaries
        for path in folder.iterdir():
            assert path == good or path.name.startswith(("new-", ".")), path


def test_sigkill_during_an_export_leaves_no_partial_file(enrolled: Rehab, tmp_path: Path) -> None:
    assert enrolled("done", "calf-stretch", "--date", str(START)).code == 0
    folder = tmp_path / "out"
    folder.mkdir()
    _export_kills(enrolled.db, folder, trials=2, seed=5)


@pytest.mark.torture
def test_sigkill_during_an_export_long(enrolled: Rehab, tmp_path: Path) -> None:
    for n in range(30):
        day = date.fromordinal(START.toordinal() + n // len(KEYS))
        assert enrolled("done", KEYS[n % len(KEYS)], "--date", str(day)).code == 0
    folder = tmp_path / "out"
    folder.mkdir()
    _export_kills(enrolled.db, folder, trials=30, seed=6)


# --- a schema upgrade, interrupted ------------------------------------------------------------

UPGRADE_WORKER = r"""
import sys
from sqlalchemy import create_engine
from rehab.store import db
engine = create_engine(f"sqlite:///{sys.argv[1]}")
print("upgrading", flush=True)
db.upgrade(engine)
print("upgraded", flush=True)
"""


def _revision_one(path: Path, doses: int) -> None:
    """A database at the first schema revision, with rows, as tests/test_store.py makes."""
    from rehab.core.catalog import load_catalog
    from rehab.paths import builtin_programs_dir

    program = load_catalog(builtin_programs_dir(), None).get("heel-pain-self-care")
    engine = create_engine(f"sqlite:///{path}")
    store_db.upgrade(engine, "0001")
    with engine.begin() as conn:
        conn.execute(text("PRAGMA journal_mode = WAL"))
        conn.execute(
            text("INSERT INTO patient (id, name, created_at) VALUES (1, 'me', '2026-01-01')")
        )
        conn.execute(
            text(
                "INSERT INTO enrollment (id, patient_id, program_id, program_name, template_json,"
                " template_hash, side, start_date, status, created_at) VALUES (1, 1, :id, :name,"
                " :snapshot, :hash, 'left', '2026-01-01', 'active', '2026-01-01')"
            ),
            {
                "id": program.id,
                "name": program.name,
                "snapshot": program.snapshot(),
                "hash": program.snapshot_hash(),
            },
        )
        conn.execute(
            text(
                "INSERT INTO doselog (enrollment_id, plan_date, item_key, exercise_id,"
                " occurrence, side, seq, action, status, logged_at) VALUES (1, :d, :k, 'k',"
                " 1, 'left', 1, :k, 'done', '2026-01-01')"
            ),
            [{"d": f"2026-01-{1 + i % 28:02d}", "k": f"k{i}"} for i in range(doses)],
        )
    engine.dispose()


def _interrupted_upgrades(folder: Path, trials: int, doses: int, seed: int) -> None:
    rng = random.Random(seed)
    for trial in range(trials):
        path = folder / f"old-{trial}.db"
        _revision_one(path, doses)
        proc = subprocess.Popen(
            [sys.executable, "-c", UPGRADE_WORKER, str(path)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=ENV,
        )
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "upgrading"
        time.sleep(rng.uniform(0.0, 0.6))  # alembic loads, then each revision commits
        kill(proc)
        assert integrity(path) == "ok"
        # the next ordinary start upgrades whatever state the kill left
        result = Rehab(path)("today")
        assert result.code == 0, result.err
        assert scalar(path, "SELECT version_num FROM alembic_version") == store_db.HEAD_REVISION
        assert scalar(path, "SELECT count(*) FROM doselog") == doses
        assert integrity(path) == "ok"


def test_an_interrupted_upgrade_is_finished_by_the_next_start(tmp_path: Path) -> None:
    _interrupted_upgrades(tmp_path, trials=2, doses=200, seed=7)


@pytest.mark.torture
def test_an_interrupted_upgrade_long(tmp_path: Path) -> None:
    _interrupted_upgrades(tmp_path, trials=20, doses=20_000, seed=8)
