"""`rehab demo` builds a separate, realistic, repeatable history."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from tests.conftest import Rehab


def test_demo_builds_ten_weeks_apart_from_the_users_data(rehab: Rehab, tmp_path: Path) -> None:
    target = tmp_path / "demo.db"
    result = rehab("demo", "--db", str(target), "--no-open")
    assert result.code == 0, result.err
    assert "Not medical advice" in result.out and str(target) in result.out
    assert not rehab.db.exists()  # the user's own database was not touched
    with sqlite3.connect(target) as con:
        ((program,),) = con.execute("SELECT program_id FROM enrollment")
        assert program == "achilles-midportion"
        decisions = [r[0] for r in con.execute("SELECT decision FROM phasechange ORDER BY id")]
        assert decisions == ["progress", "reduce", "progress"]
        scores = [r[0] for r in con.execute("SELECT score FROM assessment ORDER BY taken_on")]
        assert len(scores) == 3 and scores[0] < scores[1] < scores[2]
        mornings = [
            r[0]
            for r in con.execute(
                "SELECT score FROM painentry WHERE context = 'morning' ORDER BY local_date"
            )
        ]
        assert sum(mornings[:7]) / 7 > sum(mornings[-7:]) / 7 + 1.5  # pain falls
        skipped = con.execute("SELECT count(*) FROM doselog WHERE status = 'skipped'").fetchone()
        assert skipped[0] > 0
    demo = ["--db", str(target), "--patient", "demo"]
    advice = json.loads(rehab(*demo, "advice", "--json", db=False).out)
    assert advice["decision"] in ("progress", "hold", "reduce")
    # the same every time
    again = tmp_path / "again.db"
    assert rehab("demo", "--db", str(again), "--no-open").code == 0
    with sqlite3.connect(target) as a, sqlite3.connect(again) as b:
        query = "SELECT plan_date, item_key, side, status, pain_during FROM doselog ORDER BY id"
        assert a.execute(query).fetchall() == b.execute(query).fetchall()


def test_demo_refuses_the_users_own_database(rehab: Rehab) -> None:
    assert rehab("start", "plantar-fasciitis", "--side", "left").code == 0
    result = rehab("demo", "--db", str(rehab.db), "--no-open")
    assert result.code == 2 and "your own database" in result.err
    with sqlite3.connect(rehab.db) as con:
        assert con.execute("SELECT count(*) FROM enrollment").fetchone() == (1,)
