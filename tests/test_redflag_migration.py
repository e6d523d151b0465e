"""Migration 0004 carries red flags kept as text (a check note and a pause reason starting
"red flag: ") over to rows, so an existing database keeps its open flags blocking and its
clearances in the report."""

from __future__ import annotations

import sqlite3
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import time_machine
from sqlalchemy import create_engine, text

from rehab.store import db as store_db
from rehab.store.schema import HEAD_REVISION
from tests.conftest import Rehab

LISBON = ZoneInfo("Europe/Lisbon")


def _old_database(path: Path, template_json: str) -> None:
    """A revision-0003 database: one enrollment, a cleared red flag, then an open one, and
    a flag answered with no program running; all written the way 0003's code wrote them."""
    engine = create_engine(f"sqlite:///{path}")
    store_db.upgrade(engine, "0003")
    with engine.begin() as conn:
        run = conn.execute
        run(text("INSERT INTO patient (id, name, created_at) VALUES (1, 'me', '2026-03-01')"))
        run(
            text(
                "INSERT INTO enrollment (id, patient_id, program_id, program_name, template_json,"
                " template_hash, side, start_date, status, created_at) VALUES (1, 1,"
                " 'achilles-midportion', 'Mid-portion', :t, 'h', 'left', '2026-03-02', 'active',"
                " '2026-03-02 08:00:00')"
            ),
            {"t": template_json},
        )
        checks = [
            (1, None, "2026-03-01", "red flag: nerve", "2026-03-01 09:00:00"),  # no program yet
            (2, 1, "2026-03-05", "red flag: pop; on the stairs", "2026-03-05 09:00:00"),
            (3, 1, "2026-03-10", "red flag: gap, infection", "2026-03-10 09:00:00"),
            (4, 1, "2026-03-11", "felt fine", "2026-03-11 09:00:00"),
        ]
        for cid, eid, day, note, at in checks:
            run(
                text(
                    "INSERT INTO symptomcheck (id, patient_id, enrollment_id, check_date, note,"
                    " logged_at) VALUES (:id, 1, :e, :d, :n, :at)"
                ),
                {"id": cid, "e": eid, "d": day, "n": note, "at": at},
            )
        pauses = [
            (1, "2026-03-06", "2026-03-08", "red flag: pop; cleared by Dr Sousa on 2026-03-08",
             "2026-03-05 09:00:00", "2026-03-08 10:00:00"),
            (2, "2026-03-10", None, "red flag: gap, infection", "2026-03-10 09:00:00", None),
        ]  # fmt: skip
        for pid, start, end, reason, created, ended in pauses:
            run(
                text(
                    "INSERT INTO pause (id, enrollment_id, start_date, end_date, reason,"
                    " created_at, ended_at) VALUES (:id, 1, :s, :e, :r, :c, :x)"
                ),
                {"id": pid, "s": start, "e": end, "r": reason, "c": created, "x": ended},
            )
    engine.dispose()


def _template_json() -> str:
    from rehab import paths
    from rehab.core.template import load_program_file

    program = load_program_file(paths.builtin_programs_dir() / "achilles-midportion.toml")
    return program.snapshot()


def test_text_red_flags_become_rows_and_keep_blocking(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    _old_database(path, _template_json())
    rehab = Rehab(path)
    with time_machine.travel(datetime(2026, 3, 12, 9, 0, tzinfo=LISBON), tick=False):
        result = rehab("done", "massage-stick")
    assert result.code == 1, result.err  # migrated, and the open flags still block
    assert "paused for a red flag (gap, infection) since 2026-03-10" in result.err
    con = sqlite3.connect(path)
    con.row_factory = sqlite3.Row
    try:
        assert con.execute("SELECT version_num FROM alembic_version").fetchone()[0] == HEAD_REVISION
        got = [
            (r["flag"], r["enrollment_id"], r["raised_on"], r["check_id"], r["pause_id"],
             r["cleared_by"], r["cleared_on"])
            for r in con.execute("SELECT * FROM redflagentry ORDER BY id")
        ]  # fmt: skip
        notes = [r[0] for r in con.execute("SELECT note FROM symptomcheck ORDER BY id")]
    finally:
        con.close()
    assert got == [
        ("nerve", None, "2026-03-01", 1, None, "not recorded", "2026-03-01"),
        ("pop", 1, "2026-03-05", 2, 1, "Dr Sousa", "2026-03-08"),
        ("gap", 1, "2026-03-10", 3, 2, None, None),
        ("infection", 1, "2026-03-10", 3, 2, None, None),
    ]
    assert notes[3] == "felt fine"  # history is kept as written
    with time_machine.travel(datetime(2026, 3, 12, 9, 0, tzinfo=LISBON), tick=False):
        cleared = rehab("cleared", "--by", "Dr Lopes")
        assert cleared.code == 0, cleared.err
        assert "Cleared by Dr Lopes (gap, infection)" in cleared.out
        report = tmp_path / "report.html"
        assert rehab("export", "report", "--out", str(report)).code == 0
    html = report.read_text(encoding="utf-8")
    assert "cleared by Dr Sousa on" in html and "cleared by Dr Lopes on" in html


def test_a_flag_raised_the_day_another_was_cleared_goes_to_its_own_pause(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    engine = create_engine(f"sqlite:///{path}")
    store_db.upgrade(engine, "0003")
    with engine.begin() as conn:
        run = conn.execute
        run(text("INSERT INTO patient (id, name, created_at) VALUES (1, 'me', '2026-01-01')"))
        run(
            text(
                "INSERT INTO enrollment (id, patient_id, program_id, program_name, template_json,"
                " template_hash, side, start_date, status, created_at) VALUES (1, 1,"
                " 'achilles-midportion', 'Mid-portion', :t, 'h', 'left', '2026-01-05', 'active',"
                " '2026-01-05 08:00:00')"
            ),
            {"t": _template_json()},
        )
        for cid, day, note in (
            (1, "2026-01-15", "red flag: pop"),
            (2, "2026-01-17", "red flag: gap"),
        ):
            run(
                text(
                    "INSERT INTO symptomcheck (id, patient_id, enrollment_id, check_date, note,"
                    " logged_at) VALUES (:id, 1, 1, :d, :n, :d)"
                ),
                {"id": cid, "d": day, "n": note},
            )
        run(
            text(
                "INSERT INTO pause (id, enrollment_id, start_date, end_date, reason, created_at,"
                " ended_at) VALUES (1, 1, '2026-01-15', '2026-01-17', 'red flag: pop; cleared by"
                " Dr A on 2026-01-17', '2026-01-15', '2026-01-17 10:00:00'), (2, 1, '2026-01-17',"
                " NULL, 'red flag: gap', '2026-01-17 11:00:00', NULL)"
            )
        )
    engine.dispose()
    store_db.open_engine(f"sqlite:///{path}").dispose()  # migrates
    with sqlite3.connect(path) as con:
        got = con.execute(
            "SELECT flag, check_id, pause_id, cleared_by FROM redflagentry ORDER BY id"
        ).fetchall()
    assert got == [("pop", 1, 1, "Dr A"), ("gap", 2, 2, None)]
