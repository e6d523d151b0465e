"""The database: migrations match the models, upgrades keep rows, SQLite is set up safely,
and a damaged, locked or unwritable database is one clear line with nothing written."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, text
from sqlmodel import SQLModel

import rehab.store.models
import rehab.store.observations
import rehab.store.preferences  # noqa: F401
from rehab.errors import EnvironmentProblem, UsageProblem
from rehab.store import db as store_db
from tests.conftest import Rehab, run_process


def test_head_revision_constant_matches_the_migration_scripts(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'x.db'}")
    script = ScriptDirectory.from_config(store_db.alembic_config(engine))
    assert script.get_current_head() == store_db.HEAD_REVISION
    revisions = [r.revision for r in script.walk_revisions()]
    assert sorted(revisions) == sorted(store_db.KNOWN_REVISIONS)


def test_models_and_migrations_agree(tmp_path: Path) -> None:
    engine = store_db.open_engine(f"sqlite:///{tmp_path / 'x.db'}")
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        assert compare_metadata(context, SQLModel.metadata) == []


def test_upgrade_from_the_first_revision_keeps_every_row(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    engine = create_engine(f"sqlite:///{path}")
    store_db.upgrade(engine, "0001")
    with engine.begin() as conn:
        conn.execute(
            text("INSERT INTO patient (id, name, created_at) VALUES (1, 'me', '2026-01-01')")
        )
        conn.execute(
            text(
                "INSERT INTO enrollment (id, patient_id, program_id, program_name, template_json,"
                " template_hash, side, start_date, status, created_at) VALUES (1, 1, 'x', 'X',"
                " '{}', 'h', 'left', '2026-01-01', 'active', '2026-01-01')"
            )
        )
        for i in range(50):
            conn.execute(
                text(
                    "INSERT INTO doselog (enrollment_id, plan_date, item_key, exercise_id,"
                    " occurrence, side, seq, action, status, logged_at) VALUES (1, :d, 'k', 'k',"
                    " 1, 'left', 1, 'a', 'done', '2026-01-01')"
                ),
                {"d": f"2026-01-{1 + i % 28:02d}" if i < 28 else f"2026-02-{1 + i % 28:02d}"},
            )
        conn.execute(
            text(
                "INSERT INTO painentry (patient_id, at, local_date, context, score, logged_at)"
                " VALUES (1, '2026-01-02', '2026-01-02', 'morning', 4, '2026-01-02')"
            )
        )
    engine.dispose()
    with sqlite3.connect(path) as con:
        assert con.execute("SELECT version_num FROM alembic_version").fetchone() == ("0001",)

    upgraded = store_db.open_engine(f"sqlite:///{path}")
    with upgraded.connect() as conn:
        assert (
            conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
            == store_db.HEAD_REVISION
        )
        assert conn.execute(text("SELECT count(*) FROM doselog")).scalar() == 50
        assert conn.execute(text("SELECT count(*) FROM painentry")).scalar() == 1
        assert conn.execute(text("SELECT count(*) FROM assessment")).scalar() == 0
    upgraded.dispose()


def test_new_database_is_private_and_tuned(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "er" / "rehab.db"
    engine = store_db.open_engine(f"sqlite:///{path}")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == store_db.BUSY_TIMEOUT_MS
    engine.dispose()


def test_alembic_is_imported_only_when_the_database_is_behind(tmp_path: Path) -> None:
    path = tmp_path / "x.db"
    store_db.open_engine(f"sqlite:///{path}").dispose()
    code = (
        "import sys\n"
        "from rehab.store.db import open_engine\n"
        f"open_engine('sqlite:///{path}').dispose()\n"
        "assert 'alembic' not in sys.modules, 'alembic imported for a current database'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)


def test_database_url_choices(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert store_db.database_url(str(tmp_path / "a.db")) == f"sqlite:///{tmp_path / 'a.db'}"
    monkeypatch.setenv("REHAB_DB", str(tmp_path / "env.db"))
    assert store_db.database_url(None).endswith("env.db")
    monkeypatch.delenv("REHAB_DB")
    assert store_db.database_url(None).endswith(os.path.join("data", "rehab.db"))
    url = "postgresql+psycopg://u:p@localhost/rehab"
    assert store_db.database_url(url) == url
    with pytest.raises(UsageProblem, match="unsupported database URL scheme 'mysql'"):
        store_db.database_url("mysql://x")


def test_a_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "x.db"
    store_db.open_engine(f"sqlite:///{path}").dispose()
    with sqlite3.connect(path) as con:
        con.execute("UPDATE alembic_version SET version_num = '0099'")
    with pytest.raises(EnvironmentProblem, match="newer than this rehab knows"):
        store_db.open_engine(f"sqlite:///{path}")


def test_someone_elses_database_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    with sqlite3.connect(path) as con:
        con.execute("CREATE TABLE invoices (id INTEGER)")
    with pytest.raises(EnvironmentProblem, match="not a rehab database"):
        store_db.open_engine(f"sqlite:///{path}")
    with sqlite3.connect(path) as con:
        names = {r[0] for r in con.execute("SELECT name FROM sqlite_master")}
    assert names == {"invoices"}


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_corrupt_database_file_is_one_line_and_left_untouched(tmp_path: Path) -> None:
    path = tmp_path / "rehab.db"
    path.write_bytes(b"this is not sqlite at all" * 200)
    before = _digest(path)
    for args in (["today"], ["pain", "3"], ["done", "calf-stretch"]):
        result = run_process("--db", str(path), *args)
        assert result.code == 1, result
        assert result.err.count("\n") == 1 and "Traceback" not in result.err
        assert "damaged or not a rehab database" in result.err
    assert _digest(path) == before


def test_locked_database_is_one_line_and_nothing_written(tmp_path: Path, rehab: Rehab) -> None:
    assert rehab("start", "heel-pain-self-care", "--side", "left").code == 0
    holder = sqlite3.connect(rehab.db, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        result = run_process("--db", str(rehab.db), "pain", "4")
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert result.code == 1, result
    assert "locked by another program" in result.err and result.err.count("\n") == 1
    with sqlite3.connect(rehab.db) as con:
        assert con.execute("SELECT count(*) FROM painentry").fetchone() == (0,)


def test_unwritable_data_folder_is_one_line(tmp_path: Path) -> None:
    if os.geteuid() == 0:
        home = Path("/sys/rehab-test-home")  # not writable even for root
    else:
        home = tmp_path / "ro"
        home.mkdir()
        home.chmod(0o500)
    result = run_process("today", env={"REHAB_HOME": str(home)})
    assert result.code == 1, result
    assert "cannot create the database" in result.err and result.err.count("\n") == 1
    assert not (home / "data").exists()


def test_db_path_that_is_a_folder_is_a_usage_error(tmp_path: Path) -> None:
    result = run_process("--db", str(tmp_path), "today")
    assert result.code == 2 and "is a folder" in result.err


def test_two_writers_at_once_both_land(tmp_path: Path, rehab: Rehab) -> None:
    """busy_timeout lets concurrent commands wait their turn instead of failing."""
    assert rehab("start", "heel-pain-self-care", "--side", "left").code == 0
    results: list[int] = []

    def log(score: str) -> None:
        results.append(run_process("--db", str(rehab.db), "pain", score).code)

    threads = [threading.Thread(target=log, args=(str(n),)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [0, 0, 0, 0]
    with sqlite3.connect(rehab.db) as con:
        assert con.execute("SELECT count(*) FROM painentry").fetchone() == (4,)


def test_parallel_check_offs_never_overcount(rehab: Rehab) -> None:
    """Eight processes race to log one set each of a 2–3 set stretch: exactly three land,
    the rest are told it is done, and nobody sees a raw database error."""
    assert rehab("start", "heel-pain-self-care", "--side", "left").code == 0
    results: list[tuple[int, str]] = []

    def one() -> None:
        r = run_process(
            "--db", str(rehab.db), "done", "hamstring-stretch", "--side", "left", "--sets", "1"
        )
        results.append((r.code, r.err))

    threads = [threading.Thread(target=one) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    codes = sorted(code for code, _ in results)
    # On a machine busy enough that one waits longer than the lock timeout (5 s), it is told
    # the database is locked (exit 1, try again) and writes nothing: never a double count.
    locked = [err for code, err in results if code == 1]
    assert all("is locked by another program" in err and err.count("\n") == 1 for err in locked)
    landed = codes.count(0)
    assert landed == 3 or (locked and landed < 3), results
    assert codes.count(2) == 8 - landed - len(locked), results
    assert all("already done" in err for code, err in results if code == 2)
    with sqlite3.connect(rehab.db) as con:
        assert con.execute("SELECT sum(sets) FROM doselog").fetchone() == (landed,)
