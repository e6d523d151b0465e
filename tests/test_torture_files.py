"""Torture tests of the file and concurrency rules, sized for CI (a few seconds each).
The long versions are marked `torture`, deselected by default: `pytest -m torture`.

- every special file (FIFO, device node, socket, links to them) at --out, for every format,
  with and without --force; and in the user's programs folder;
- a database someone else owns (mode 0444 in a 0555 folder, run as another user);
- concurrent writers of one dose on SQLite and on PostgreSQL, started together at a
  barrier: whatever the interleaving, a dose is never logged past its sets."""

from __future__ import annotations

import contextlib
import io
import multiprocessing
import os
import shutil
import socket
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Rehab, Result
from tests.test_not_ours import fingerprint, one_line

EXPORTS = (
    ("json", "x.json", ()),
    ("report", "x.html", ()),
    ("fhir", "x.fhir.json", ()),
    ("ics", "x.ics", ()),
    ("csv", "pain.csv", ("--table", "pain")),
    ("csv", "log", ()),
)
NOBODY = 65534


def make_specials(folder: Path) -> dict[str, Path]:
    """Every kind of file that is not a regular file or a folder, as far as we may."""
    made: dict[str, Path] = {}
    os.mkfifo(folder / "fifo")
    made["fifo"] = folder / "fifo"
    with contextlib.suppress(OSError):
        os.mknod(folder / "null", 0o600 | 0o020000, os.makedev(1, 3))
        made["char device"] = folder / "null"
    with contextlib.suppress(OSError):
        os.mknod(folder / "loop", 0o600 | 0o060000, os.makedev(7, 200))
        made["block device"] = folder / "loop"
    if len(str(folder / "sock")) < 100:
        server = socket.socket(socket.AF_UNIX)
        server.bind(str(folder / "sock"))
        server.close()  # the socket file stays
        made["socket"] = folder / "sock"
    for kind, target in list(made.items()):
        link = folder / f"link-to-{target.name}"
        link.symlink_to(target)
        made[f"link to {kind}"] = link
    return made


@pytest.fixture
def patient(rehab: Rehab) -> Rehab:
    assert rehab("start", "heel-pain-self-care", "--side", "both").code == 0
    assert rehab("pain", "4").code == 0
    assert rehab("done", "calf-stretch").code == 0
    return rehab


def check_specials_at_out(patient: Rehab, folder: Path, exports: Any) -> None:
    specials = make_specials(folder)
    before = {p: fingerprint(p) for p in specials.values()}
    listing = sorted(folder.iterdir())
    for fmt, _, extra in exports:
        for kind, path in specials.items():
            for force in ((), ("--force",)):
                result = patient("export", fmt, *extra, "--out", str(path), *force)
                one_line(result, 2)
                assert str(path) in result.err, (fmt, kind)
    assert {p: fingerprint(p) for p in specials.values()} == before
    assert sorted(folder.iterdir()) == listing


def test_special_files_at_out_for_json_and_csv(patient: Rehab, tmp_path: Path) -> None:
    chosen = [e for e in EXPORTS if e[0] in ("json", "csv")]
    check_specials_at_out(patient, tmp_path, chosen)


@pytest.mark.torture
def test_special_files_at_out_for_every_format(patient: Rehab, tmp_path: Path) -> None:
    check_specials_at_out(patient, tmp_path, EXPORTS)


def test_special_files_inside_a_csv_folder_with_force(patient: Rehab, tmp_path: Path) -> None:
    folder = tmp_path / "log"
    assert patient("export", "csv", "--out", str(folder)).code == 0
    for name, make in (("pain.csv", os.mkfifo), ("doses.csv", None)):
        (folder / name).unlink()
        if make is not None:
            make(folder / name)
        else:
            (folder / name).symlink_to("/dev/null")
        before = {p.name: fingerprint(p) for p in folder.iterdir()}
        result = patient("export", "csv", "--out", str(folder), "--force")
        one_line(result, 2)
        assert {p.name: fingerprint(p) for p in folder.iterdir()} == before


def run_rehab(*args: str, env: dict[str, str] | None = None, user: int | None = None) -> Result:
    command = [sys.executable, "-m", "rehab", *args]
    if user is not None:
        command = ["setpriv", f"--reuid={user}", f"--regid={user}", "--clear-groups", *command]
    proc = subprocess.run(
        command,
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=120,
        cwd="/",
    )
    return Result(proc.returncode, proc.stdout, proc.stderr)


def test_special_files_in_the_programs_folder_never_block_programs_or_start(
    rehab_home: Path, tmp_path: Path
) -> None:
    folder = rehab_home / "config" / "programs"
    folder.mkdir(parents=True)
    made = make_specials(folder)
    for path in list(made.values()):  # the loader reads *.toml only
        path.rename(path.with_name(path.name + ".toml"))
    (folder / "zero.toml").symlink_to("/dev/zero")
    (folder / "urandom.toml").symlink_to("/dev/urandom")
    env = {"REHAB_HOME": str(rehab_home)}
    listing = run_rehab("programs", env=env)
    assert listing.code == 0, listing
    assert len(listing.err.splitlines()) == len(list(folder.iterdir())), listing.err
    assert all(line.startswith("rehab: skipped") for line in listing.err.splitlines())
    started = run_rehab("--db", str(tmp_path / "x.db"), "start", "heel-pain-self-care", "--side",
                        "left", env=env)  # fmt: skip
    assert started.code == 0, started


# --- a database someone else owns ---------------------------------------------------------


@pytest.fixture
def other_users_database(tmp_path: Path) -> Iterator[tuple[Path, dict[str, str]]]:
    """A rehab database owned by root, mode 0444 in a 0555 folder, and an environment in
    which the user `nobody` runs rehab on it."""
    if os.geteuid() != 0:
        pytest.skip("needs root to make a database another user sees as read-only")
    if shutil.which("setpriv") is None:
        pytest.skip("setpriv (util-linux) is not installed")
    probe = subprocess.run(
        [
            "setpriv",
            f"--reuid={NOBODY}",
            f"--regid={NOBODY}",
            "--clear-groups",
            sys.executable,
            "-c",
            "import rehab.cli",
        ],
        capture_output=True,
        timeout=60,
    )
    if probe.returncode != 0:
        pytest.skip("the user nobody cannot run this Python and rehab")
    base = Path(tempfile.mkdtemp(prefix="rehab-owned-", dir="/tmp"))
    try:
        base.chmod(0o711)
        shared, home = base / "shared", base / "home"
        shared.mkdir()
        home.mkdir()
        os.chown(home, NOBODY, NOBODY)
        db = shared / "rehab.db"
        owner = Rehab(db)
        assert owner("start", "heel-pain-self-care", "--side", "left").code == 0
        assert owner("pain", "3").code == 0
        db.chmod(0o444)
        shared.chmod(0o555)
        yield db, {"REHAB_HOME": str(home)}
    finally:
        with contextlib.suppress(OSError):
            (base / "shared").chmod(0o755)
        shutil.rmtree(base, ignore_errors=True)


def test_a_database_someone_else_owns_is_one_line_and_untouched(
    other_users_database: tuple[Path, dict[str, str]],
) -> None:
    db, env = other_users_database
    before, listing = fingerprint(db), sorted(db.parent.iterdir())
    commands = [
        ["today"],
        ["pain", "3"],
        ["done", "calf-stretch"],
        ["export", "json", "--out", "-"],
        ["export", "csv", "--out", "-"],
        ["demo", "--no-open", "--db", str(db)],
    ]
    for args in commands:
        result = run_rehab("--db", str(db), *args, env=env, user=NOBODY)
        assert result.code in (0, 1, 2), (args, result)
        if result.code != 0:
            one_line(result, result.code)
        assert fingerprint(db) == before, args
        assert sorted(db.parent.iterdir()) == listing, args


# --- concurrent writers of one dose -------------------------------------------------------


def _writer(db: str, days: list[str], barrier: Any, results: Any) -> None:
    """One process: at each day's barrier, check off the same dose as the others."""
    from rehab.cli import main

    for day in days:
        barrier.wait(timeout=120)
        err = io.StringIO()
        code = 0
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
            try:
                main(["--db", db, "done", "calf-stretch", "--side", "left", "--date", day])
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else 1
        results.put((day, code, err.getvalue()))


def race(db: str, *, writers: int, days: list[date]) -> list[tuple[str, int, str]]:
    """`writers` processes, each checking off calf-stretch (left) on each day, all
    released together per day by a barrier. Bounded: every wait has a timeout."""
    spawn = multiprocessing.get_context("spawn")
    barrier, results = spawn.Barrier(writers), spawn.Queue()
    shown = [str(d) for d in days]
    procs = [spawn.Process(target=_writer, args=(db, shown, barrier, results))
             for _ in range(writers)]  # fmt: skip
    for proc in procs:
        proc.start()
    try:
        outcomes = [results.get(timeout=180) for _ in range(writers * len(days))]
    finally:
        for proc in procs:
            proc.join(timeout=30)
            if proc.is_alive():
                proc.kill()
                proc.join()
    return outcomes


def sets_by_day(rows: list[tuple[Any, Any]]) -> dict[str, int]:
    return {str(day): int(total) for day, total in rows}


SETS_SQL = (
    "SELECT plan_date, sum(sets) FROM doselog WHERE item_key = 'calf-stretch' AND "
    "side = 'left' AND voided_at IS NULL GROUP BY plan_date"
)


def check_race(db: str, read: Any, *, writers: int, days: int) -> None:
    start = date.today() - timedelta(days=days + 2)
    rehab = Rehab(Path("unused"))
    started = rehab("--db", db, "start", "heel-pain-self-care", "--side", "both", "--start",
                    str(start), db=False)  # fmt: skip
    assert started.code == 0, started.err
    alone = start + timedelta(days=days + 1)
    assert rehab("--db", db, "done", "calf-stretch", "--side", "left", "--date", str(alone),
                 db=False).code == 0  # fmt: skip
    dose = sets_by_day(read(SETS_SQL))[str(alone)]
    raced = [start + timedelta(days=i) for i in range(days)]
    outcomes = race(db, writers=writers, days=raced)
    totals = sets_by_day(read(SETS_SQL))
    for day in raced:
        mine = [(code, err) for d, code, err in outcomes if d == str(day)]
        assert totals.get(str(day)) == dose, (day, mine)
        assert sorted(code for code, _ in mine) == [0] + [2] * (writers - 1), (day, mine)
        assert all("already done" in err for code, err in mine if code == 2), mine


def sqlite_reader(path: Path) -> Any:
    import sqlite3

    def read(sql: str) -> list[tuple[Any, Any]]:
        with contextlib.closing(sqlite3.connect(path)) as conn:
            return conn.execute(sql).fetchall()

    return read


def test_concurrent_writers_on_sqlite(tmp_path: Path) -> None:
    db = tmp_path / "race.db"
    check_race(str(db), sqlite_reader(db), writers=3, days=2)


@pytest.mark.torture
def test_concurrent_writers_on_sqlite_long(tmp_path: Path) -> None:
    db = tmp_path / "race.db"
    check_race(str(db), sqlite_reader(db), writers=6, days=25)


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    from tests.pg_server import throwaway_server

    with throwaway_server() as url:
        yield url


def postgres_reader(url: str) -> Any:
    from tests.pg_server import plain_url

    def read(sql: str) -> list[tuple[Any, Any]]:
        import psycopg

        with psycopg.connect(plain_url(url)) as conn:
            return conn.execute(sql).fetchall()  # type: ignore[arg-type]

    return read


def test_concurrent_writers_on_postgresql(server: str) -> None:
    from tests.pg_server import new_database

    url = new_database(server, "race_short")
    check_race(url, postgres_reader(url), writers=3, days=2)


@pytest.mark.torture
def test_concurrent_writers_on_postgresql_long(server: str) -> None:
    from tests.pg_server import new_database

    url = new_database(server, "race_long")
    check_race(url, postgres_reader(url), writers=6, days=25)
