"""`rehab export csv` through the standard library (rehab.store.plain): the same bytes as the
ordinary SQLAlchemy path, no SQLAlchemy imported, every unusual database handed to the
ordinary path (which migrates or explains), and the shortcut for local times."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import create_engine
from sqlmodel import Session

from rehab.core.catalog import load_catalog
from rehab.errors import EnvironmentProblem
from rehab.export import runner, source
from rehab.export.scope import resolve
from rehab.export.span import local_iso, stored_local
from rehab.paths import builtin_programs_dir
from rehab.store import db as store_db
from rehab.store import journal, plain
from rehab.store.plain import HEAD_REVISION
from tests.conftest import Rehab
from tests.export_history import History, at, module_history

TABLES = ("doses", "pain", "symptoms", "assessments", "phases", "pauses", "red_flags")


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> Iterator[History]:
    yield from module_history(tmp_path_factory)


def ordinary(
    history: History, out: str, *, first: date | None = None, table: str | None = None
) -> runner.Result:
    """The export the ordinary way: SQLAlchemy session, Scope, runner.run."""
    engine = store_db.open_engine(history.url, create=False, writes=False)
    try:
        with Session(engine) as session, session.begin():
            patient = journal.find_patient(session, name=history.patient)
            found = resolve(
                session,
                patient=patient,
                today=history.today,
                generated_at=datetime.now(UTC),
                first=first,
            )
            return runner.run(session, found, "csv", out=out, table=table)
    finally:
        engine.dispose()


def quick(
    history: History, out: str, *, first: date | None = None, table: str | None = None
) -> runner.Result:
    result = runner.plain_csv(
        history.url, patient=history.patient, first=first, last=None, out=out, table=table
    )
    assert result is not None, "the plain path declined an ordinary database"
    return result


@pytest.mark.parametrize("weeks", [None, 3])
def test_both_paths_write_the_same_bytes(history: History, tmp_path: Path, weeks: int) -> None:
    first = None if weeks is None else history.today - timedelta(days=7 * weeks)
    with at(history.today):
        a = ordinary(history, str(tmp_path / "a"), first=first)
        b = quick(history, str(tmp_path / "b"), first=first)
    assert a.counts == b.counts and (a.first, a.last) == (b.first, b.last)
    assert a.counts["doses.csv"] > 50 and a.counts["pauses.csv"] >= 1
    for table in TABLES:
        left = (tmp_path / "a" / f"{table}.csv").read_bytes()
        assert left == (tmp_path / "b" / f"{table}.csv").read_bytes(), table


def test_both_paths_write_the_same_table_to_standard_output(
    history: History, capsys: pytest.CaptureFixture[str]
) -> None:
    with at(history.today):
        ordinary(history, "-", table="pain")
        a = capsys.readouterr().out
        quick(history, "-", table="pain")
        b = capsys.readouterr().out
    assert a == b and a.count("\n") > 10


def test_the_csv_command_imports_no_sqlalchemy(history: History, tmp_path: Path) -> None:
    out = tmp_path / "log"
    code = (
        "import sys\n"
        "from rehab.cli import main\n"
        "try:\n"
        f"    main(['--db', {str(history.path)!r}, '--patient', 'demo', 'export', 'csv',"
        f" '--out', {str(out)!r}])\n"
        "except SystemExit as exc:\n"
        "    assert not exc.code, exc.code\n"
        "heavy = ('sqlalchemy', 'sqlmodel', 'pydantic', 'alembic')\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & set(heavy)))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "[]"
    assert sorted(p.name for p in out.iterdir()) == sorted(f"{t}.csv" for t in TABLES)


# --- what the plain path hands to the ordinary one ----------------------------------------


def copy_of(history: History, tmp_path: Path) -> Path:
    path = tmp_path / "copy.db"
    shutil.copy(history.path, path)
    return path


def test_only_an_existing_sqlite_file_at_the_head_revision_is_read_plainly(
    history: History, tmp_path: Path
) -> None:
    conn = plain.connect(history.url)
    assert conn is not None
    conn.close()
    assert plain.connect("postgresql+psycopg://u@localhost/rehab") is None
    assert plain.connect(f"sqlite:///{tmp_path / 'missing.db'}") is None
    assert not (tmp_path / "missing.db").exists()  # never created by a look
    assert plain.connect(f"sqlite:///{tmp_path}") is None  # a folder

    junk = tmp_path / "junk.db"
    junk.write_bytes(b"this is not a database at all" * 100)
    assert plain.connect(f"sqlite:///{junk}") is None

    other = tmp_path / "other.db"
    with sqlite3.connect(other) as c:
        c.execute("create table notes (x)")
    assert plain.connect(f"sqlite:///{other}") is None


def test_an_older_database_is_migrated_by_the_ordinary_path(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    engine = create_engine(f"sqlite:///{path}")
    store_db.upgrade(engine, "0002")
    engine.dispose()
    assert plain.connect(f"sqlite:///{path}") is None
    result = Rehab(path)("export", "csv", "--out", str(tmp_path / "log"))
    assert result.code == 2 and "no program yet" in result.err  # the ordinary path ran
    with sqlite3.connect(path) as conn:
        assert conn.execute("select version_num from alembic_version").fetchone() == (
            HEAD_REVISION,
        )


@pytest.mark.parametrize(
    ("change", "args", "code", "says"),
    [
        (None, ("--patient", "nobody"), 2, "no patient named 'nobody'"),
        ("update patient set timezone = 'Mars/Base'", (), 2, "unknown time zone 'Mars/Base'"),
        ("drop table doselog", (), 1, "no such table: doselog"),
    ],
)
def test_problems_are_one_line_whichever_path_meets_them(
    history: History,
    tmp_path: Path,
    change: str | None,
    args: tuple[str, ...],
    code: int,
    says: str,
) -> None:
    path = copy_of(history, tmp_path)
    if change is not None:
        with sqlite3.connect(path) as conn:
            conn.execute(change)
    patient = () if "--patient" in args else ("--patient", history.patient)
    with at(history.today):
        result = Rehab(path)(*patient, *args, "export", "csv", "--out", str(tmp_path / "log"))
    assert result.code == code, result
    assert says in result.err and result.err.count("\n") == 1
    assert not (tmp_path / "log").exists()


def test_a_file_name_with_url_characters_is_the_same_file_for_every_path(
    history: History, tmp_path: Path
) -> None:
    folder = tmp_path / "a?b"
    folder.mkdir()
    path = folder / "my?db%20#1.db"
    shutil.copy(history.path, path)
    rehab = Rehab(path)
    with at(history.today):
        csv = rehab("--patient", history.patient, "export", "csv", "--out", "-")
        json = rehab("--patient", history.patient, "export", "json", "--out", "-")
    assert csv.code == 0 and json.code == 0, (csv.err, json.err)
    assert csv.out.count("\n") > 50 and '"doses":[' in json.out
    assert not [p for p in tmp_path.rglob("*") if p.is_file() and "my?db%20#1.db" not in p.name]


def test_a_locked_database_is_one_line_after_one_wait(
    history: History, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = copy_of(history, tmp_path)
    monkeypatch.setattr(plain, "BUSY_TIMEOUT_MS", 300)
    holder = sqlite3.connect(path, isolation_level=None)
    try:
        holder.execute("PRAGMA locking_mode = EXCLUSIVE")
        holder.execute("BEGIN EXCLUSIVE")
        with pytest.raises(EnvironmentProblem, match="is locked by another program"):
            plain.connect(f"sqlite:///{path}")
    finally:
        holder.close()


def test_a_read_failing_half_way_is_one_line_and_leaves_nothing(
    history: History, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = source.pain

    def broken(*args: object, **kwargs: object) -> Iterator[object]:
        yield from list(real(*args, **kwargs))[:3]  # type: ignore[arg-type]
        raise sqlite3.DatabaseError("database disk image is malformed")

    monkeypatch.setattr(source, "pain", broken)
    with at(history.today):
        result = Rehab(history.path)(
            "--patient", history.patient, "export", "csv", "--out", str(tmp_path / "log")
        )
    assert result.code == 1, result
    assert "is damaged" in result.err and result.err.count("\n") == 1
    assert list(tmp_path.iterdir()) == []


# --- names and local times without the template schema or datetime per value -------------


def test_names_from_the_snapshot_match_the_template() -> None:
    catalog = load_catalog(builtin_programs_dir(), None)
    assert len(catalog.entries) >= 9
    for entry in catalog.entries.values():
        program = entry.program
        names = source.Names({7: program.snapshot()})
        for exercise in program.exercises:
            for occurrence in range(1, exercise.times_per_day + 1):
                slots = exercise.slots
                slot = slots[occurrence - 1] if len(slots) > 1 else slots[0]
                assert names(7, exercise.id, occurrence) == (program.id, slot, exercise.name)
        assert names(7, "not-there", 1) == (program.id, "", "not-there")


ZONES = [
    "Europe/Lisbon",
    "America/New_York",
    "Asia/Kolkata",  # +05:30: never the shortcut
    "Asia/Kathmandu",
    "Australia/Lord_Howe",  # moves by half an hour
    "America/St_Johns",
    "Pacific/Kiritimati",  # +14: the local day is the next one
    "Pacific/Pago_Pago",  # -11: the previous one
    "Africa/Casablanca",
    "UTC",
]


def stored(moment: datetime) -> str:
    """As SQLAlchemy stores a UTC instant in SQLite."""
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def exactly(value: object, zone: ZoneInfo) -> str:
    """The exact conversion, or the name of the error it raises."""
    try:
        return local_iso(plain.instant(value), zone)
    except (ValueError, OverflowError) as exc:
        return type(exc).__name__


@settings(max_examples=400, deadline=None)
@given(
    zone=st.sampled_from(ZONES),
    moments=st.lists(
        st.datetimes(min_value=datetime(1800, 1, 1), max_value=datetime(2200, 12, 31)),
        min_size=1,
        max_size=30,
    ),
)
def test_stored_local_equals_the_exact_conversion(zone: str, moments: list[datetime]) -> None:
    tz = ZoneInfo(zone)
    convert = stored_local(tz)
    for naive in moments:
        moment = naive.replace(tzinfo=UTC)
        assert convert(stored(moment)) == local_iso(moment, tz)
        assert convert(stored(moment)[:19]) == local_iso(moment.replace(microsecond=0), tz)
        assert convert(naive) == local_iso(moment, tz)  # PostgreSQL gives datetimes
    assert convert(None) == ""


@pytest.mark.parametrize("zone", [*ZONES, "Asia/Tokyo"])
@pytest.mark.parametrize(
    "value",
    [
        "2026-04-26 08:15:03+02:00",  # an offset: read, not cut off
        "2026-04-26 24:15:03.000000",  # no such hour
        "2026-04-26 08:75:03",  # no such minute
        "2026-04-26 08:15:03garbage",
        "2026-04-26 08:15:03.1234",
        "2026-04-26T08:15:03.000000",
        "2026-02-30 08:00:00.000000",
        "9999-12-31 23:59:59.999999",  # the last instant there is
        "0001-01-01 00:00:00.000000",
    ],
)
def test_stored_local_reads_any_other_text_the_exact_way(zone: str, value: str) -> None:
    tz = ZoneInfo(zone)
    try:
        got = stored_local(tz)(value)
    except (ValueError, OverflowError) as exc:
        got = type(exc).__name__
    assert got == exactly(value, tz)


def test_stored_local_across_a_dst_change_hour_by_hour() -> None:
    lisbon, convert = ZoneInfo("Europe/Lisbon"), stored_local(ZoneInfo("Europe/Lisbon"))
    start = datetime(2026, 3, 28, 22, 30, 15, 250000, tzinfo=UTC)
    seen = [convert(stored(start + timedelta(minutes=20 * i))) for i in range(12)]
    assert seen[0] == "2026-03-28T22:30:15+00:00"
    assert "2026-03-29T00:50:15+00:00" in seen and "2026-03-29T02:10:15+01:00" in seen
    assert seen == [local_iso(start + timedelta(minutes=20 * i), lisbon) for i in range(12)]
