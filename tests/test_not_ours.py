"""Files that are not rehab's stay as they are: a demo never replaces anything but a demo,
a database that is not ours (or an empty file) is refused before anything about it changes,
an in-memory URL is refused, and the folders rehab makes are private.

"Untouched" means the same bytes, the same mtime and the same inode, checked after the
command; every refusal is one line on stderr."""

from __future__ import annotations

import contextlib
import os
import sqlite3
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import Rehab, Result


def fingerprint(path: Path) -> tuple[object, ...]:
    info = os.lstat(path)
    content = path.read_bytes() if stat.S_ISREG(info.st_mode) else None
    return (info.st_mode, info.st_ino, info.st_mtime_ns, info.st_size, content)


def folder_listing(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def one_line(result: Result, code: int) -> None:
    assert result.code == code, result
    assert result.err.startswith("rehab: ") and result.err.count("\n") == 1, result.err
    assert "Traceback" not in result.err


def a_rehab_database(rehab: Rehab, path: Path) -> None:
    result = rehab("--db", str(path), "start", "heel-pain-self-care", "--side", "left", db=False)
    assert result.code == 0, result.err
    result = rehab("--db", str(path), "pain", "5", "--note", "real data", db=False)
    assert result.code == 0, result.err


# --- 1. rehab demo writes only a new file or an earlier demo --------------------------------


def test_demo_refuses_a_file_that_is_not_a_demo_and_leaves_it(rehab: Rehab, tmp_path: Path) -> None:
    thesis = tmp_path / "thesis.txt"
    thesis.write_text("important\n", encoding="utf-8")
    empty = tmp_path / "empty.db"
    empty.touch()
    before = {p: fingerprint(p) for p in (thesis, empty)}
    listing = folder_listing(tmp_path)
    for path in (thesis, empty):
        result = rehab("demo", "--no-open", "--db", str(path))
        one_line(result, 2)
        assert str(path) in result.err and "not a rehab demo" in result.err
        assert "allowed:" in result.err
    assert {p: fingerprint(p) for p in before} == before
    assert folder_listing(tmp_path) == listing


def test_demo_refuses_another_patients_database_even_when_rehab_db_points_elsewhere(
    rehab: Rehab, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = tmp_path / "data" / "rehab.db"
    real.parent.mkdir()
    a_rehab_database(rehab, real)
    monkeypatch.setenv("REHAB_DB", str(tmp_path / "other.db"))
    before, listing = fingerprint(real), folder_listing(real.parent)
    result = rehab("demo", "--no-open", "--db", str(real), db=False)
    one_line(result, 2)
    assert "not a rehab demo" in result.err
    assert fingerprint(real) == before and folder_listing(real.parent) == listing
    with sqlite3.connect(real) as con:
        assert con.execute("SELECT note FROM painentry").fetchall() == [("real data",)]


def test_demo_refuses_a_database_of_a_patient_named_demo(rehab: Rehab, tmp_path: Path) -> None:
    """The patient's name is not a marker: a real history may belong to 'demo'."""
    path = tmp_path / "demo-named.db"
    result = rehab("--db", str(path), "--patient", "demo", "start", "heel-pain-self-care",
                   "--side", "left", db=False)  # fmt: skip
    assert result.code == 0, result.err
    before = fingerprint(path)
    one_line(rehab("demo", "--no-open", "--db", str(path)), 2)
    assert fingerprint(path) == before


def test_demo_replaces_an_earlier_demo(rehab: Rehab, tmp_path: Path) -> None:
    target = tmp_path / "demo.db"
    assert rehab("demo", "--no-open", "--db", str(target)).code == 0
    with contextlib.closing(sqlite3.connect(target)) as con, con:
        con.execute("UPDATE painentry SET note = 'changed' WHERE id = 1")
    result = rehab("demo", "--no-open", "--db", str(target))
    assert result.code == 0, result.err
    with contextlib.closing(sqlite3.connect(target)) as con:
        changed = con.execute("SELECT count(*) FROM painentry WHERE note = 'changed'")
        assert changed.fetchone() == (0,)
    assert folder_listing(tmp_path) == ["demo.db"]


def test_an_earlier_default_demo_without_the_marker_is_still_replaced(
    rehab: Rehab, rehab_home: Path
) -> None:
    """Demos made before the marker: only the default demo.db, only the demo patient."""
    assert rehab("demo", "--no-open", db=False).code == 0
    default = rehab_home / "data" / "demo.db"
    with contextlib.closing(sqlite3.connect(default)) as con, con:
        con.execute("DELETE FROM setting WHERE key = 'rehab.demo'")
    assert rehab("demo", "--no-open", db=False).code == 0
    with contextlib.closing(sqlite3.connect(default)) as con, con:
        con.execute("DELETE FROM setting WHERE key = 'rehab.demo'")
        con.execute("INSERT INTO patient (name, created_at) VALUES ('me', '2026-01-01')")
    before = fingerprint(default)
    result = rehab("demo", "--no-open", db=False)
    one_line(result, 2)
    assert result.err.startswith("rehab: the demo database: ")
    assert fingerprint(default) == before


def test_demo_refuses_leftover_journal_files_of_another_database(
    rehab: Rehab, tmp_path: Path
) -> None:
    target = tmp_path / "new.db"
    wal = tmp_path / "new.db-wal"
    wal.write_bytes(b"someone's journal")
    before = fingerprint(wal)
    one_line(rehab("demo", "--no-open", "--db", str(target)), 2)
    assert fingerprint(wal) == before and not target.exists()


# --- 3. a database that is not ours is identified read-only, before anything changes -------


def test_someone_elses_sqlite_file_is_refused_byte_for_byte_untouched(
    rehab: Rehab, tmp_path: Path
) -> None:
    other = tmp_path / "other.db"
    with sqlite3.connect(other) as con:  # rollback-journal mode, as most programs leave it
        con.execute("CREATE TABLE invoices (id INTEGER, amount TEXT)")
        con.executemany("INSERT INTO invoices VALUES (?, ?)", [(i, "9.99") for i in range(100)])
    before, listing = fingerprint(other), folder_listing(tmp_path)
    commands = [["today"], ["pain", "3"], ["export", "json", "--out", "-"], ["settings", "show"]]
    for args in [*commands, ["export", "csv", "--out", str(tmp_path / "csv")]]:
        result = rehab("--db", str(other), *args, db=False)
        one_line(result, 1)
        assert "not a rehab database" in result.err and "invoices" in result.err
        assert str(other) in result.err and "sqlite:" not in result.err
        assert fingerprint(other) == before
        assert folder_listing(tmp_path) == listing


def test_an_empty_file_is_not_made_into_a_database_by_a_reading_command(
    rehab: Rehab, tmp_path: Path
) -> None:
    empty = tmp_path / "e.db"
    empty.touch()
    before, listing = fingerprint(empty), folder_listing(tmp_path)
    for args in (["today"], ["advice"], ["export", "json", "--out", "-"],
                 ["export", "csv", "--out", "-"], ["summary"]):  # fmt: skip
        result = rehab("--db", str(empty), *args, db=False)
        one_line(result, 2)
        assert "empty" in result.err and str(empty) in result.err
        assert fingerprint(empty) == before and folder_listing(tmp_path) == listing


def test_start_may_still_use_an_empty_file_rehab_left(rehab: Rehab, tmp_path: Path) -> None:
    """rehab creates the file empty (mode 0600) before SQLite writes it: a start killed in
    between leaves 0 bytes, which the next start fills in."""
    path = tmp_path / "new.db"
    path.touch(mode=0o600)
    a_rehab_database(rehab, path)
    assert path.stat().st_size > 0


# --- 4. in-memory databases lose every write: refused -------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "sqlite://",
        "sqlite:///:memory:",
        "sqlite:///file::memory:?uri=true",
        "sqlite:///x.db?mode=memory&uri=true",
    ],
)
def test_an_in_memory_database_is_refused(
    rehab: Rehab, tmp_path: Path, url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    for how in ("flag", "env"):
        if how == "env":
            monkeypatch.setenv("REHAB_DB", url)
            result = rehab("pain", "3", db=False)
        else:
            result = rehab("--db", url, "pain", "3", db=False)
        one_line(result, 2)
        assert "memory" in result.err and "allowed:" in result.err
    assert folder_listing(tmp_path) == []


# --- 8. folders rehab makes are 0700 whatever the umask; files 0600 -------------------------


@pytest.fixture(params=[0o000, 0o022])
def umask(request: pytest.FixtureRequest) -> Iterator[int]:
    old = os.umask(request.param)
    try:
        yield request.param
    finally:
        os.umask(old)


def mode(path: Path) -> int:
    return stat.S_IMODE(os.lstat(path).st_mode)


def test_every_folder_rehab_makes_is_private(rehab: Rehab, tmp_path: Path, umask: int) -> None:
    kept = tmp_path / "kept"
    kept.mkdir()
    kept.chmod(0o755)  # a folder that was there stays as it was
    db = kept / "new" / "deeper" / "x.db"
    a_rehab_database(rehab, db)
    assert mode(kept) == 0o755
    assert mode(kept / "new") == 0o700 and mode(kept / "new" / "deeper") == 0o700
    assert mode(db) == 0o600
    out = tmp_path / "exports"
    out.mkdir()
    for fmt, name in (("json", "x.json"), ("report", "x.html"), ("csv", "csv")):
        result = rehab("--db", str(db), "export", fmt, "--out", str(out / name), db=False)
        assert result.code == 0, result.err
    assert mode(out / "x.json") == 0o600 and mode(out / "x.html") == 0o600
    assert mode(out / "csv") == 0o700
    assert {mode(p) for p in (out / "csv").iterdir()} == {0o600}


def test_rehab_home_and_its_data_folder_are_private(
    rehab: Rehab, tmp_path: Path, umask: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "portable" / "rehab"
    monkeypatch.setenv("REHAB_HOME", str(home))
    result = rehab("start", "heel-pain-self-care", "--side", "left", db=False)
    assert result.code == 0, result.err
    for folder in (tmp_path / "portable", home, home / "data"):
        assert mode(folder) == 0o700, folder
    assert mode(home / "data" / "rehab.db") == 0o600
    demo = rehab("demo", "--no-open", db=False)
    assert demo.code == 0, demo.err
    assert mode(home / "data" / "demo.db") == 0o600


def test_the_databases_journal_files_are_private(rehab: Rehab, tmp_path: Path, umask: int) -> None:
    db = tmp_path / "x.db"
    a_rehab_database(rehab, db)
    holder = sqlite3.connect(db)  # keeps the -wal and -shm there while rehab writes
    try:
        holder.execute("SELECT count(*) FROM painentry").fetchone()
        assert rehab("--db", str(db), "pain", "2", db=False).code == 0
        journals = [tmp_path / "x.db-wal", tmp_path / "x.db-shm"]
        assert all(p.exists() for p in journals)
        assert {mode(p) for p in journals} == {0o600}
    finally:
        holder.close()


# --- 9. the systemd unit never holds a database password ------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "postgresql+psycopg://nurse:SECRETPW@db.clinic.example/rehab",
        "postgresql+psycopg://nurse@/rehab?host=/run/pg&password=SECRETPW",
        "postgresql://nurse:SECRETPW@localhost:5433/rehab?sslmode=require",
    ],
)
def test_the_systemd_unit_refers_to_the_password_instead_of_copying_it(
    rehab: Rehab, url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    for how in ("flag", "env"):
        if how == "env":
            monkeypatch.setenv("REHAB_DB", url)
            result = rehab("remind", "--print-systemd-unit", db=False)
        else:
            result = rehab("--db", url, "remind", "--print-systemd-unit", db=False)
        assert result.code == 0, result.err
        assert "SECRETPW" not in result.out + result.err
        lines = result.out.splitlines()
        assert any(line.startswith("EnvironmentFile=") for line in lines)
        assert any(line.startswith("#") and "password" in line for line in lines)
        (exec_start,) = [line for line in lines if line.startswith("ExecStart=")]
        assert "nurse@" in exec_start and "--db" in exec_start


def test_a_unit_for_a_file_database_needs_no_environment_file(rehab: Rehab) -> None:
    result = rehab("remind", "--print-systemd-unit")
    assert result.code == 0, result.err
    assert "EnvironmentFile=" not in result.out
    assert str(rehab.db) in result.out
