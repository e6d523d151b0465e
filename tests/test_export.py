"""`rehab export csv|json` and what every format shares: the range, where files go, and
that nothing is ever half-written. CSV is read back with the csv module, JSON with json;
the numbers to compare with come from the database through plain sqlite3."""

from __future__ import annotations

import csv
import io
import json
import os
import stat
from collections import Counter
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from rehab.core.adherence import tally
from rehab.core.checklist import Logged
from rehab.core.schedule import PauseDays, Progression, plan_day
from rehab.core.template import program_from_snapshot
from tests.conftest import Rehab, Result
from tests.export_history import CLEARED_BY, FORMULA_NOTE, History, at, module_history

TABLES = ("doses", "pain", "symptoms", "assessments", "phases", "pauses", "red_flags")


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> Iterator[History]:
    yield from module_history(tmp_path_factory)


@pytest.fixture
def run(history: History) -> Rehab:
    return Rehab(history.path)


def export(run: Rehab, history: History, *args: str) -> Result:
    with at(history.today):
        return run("--patient", history.patient, "export", *args)


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


# --- CSV ----------------------------------------------------------------------------------


def test_csv_folder_has_every_table_with_the_database_counts(
    run: Rehab, history: History, tmp_path: Path
) -> None:
    out = tmp_path / "log"
    result = export(run, history, "csv", "--out", str(out))
    assert result.code == 0, result.err
    assert str(out) in result.out
    assert sorted(p.name for p in out.iterdir()) == sorted(f"{t}.csv" for t in TABLES)
    assert mode(out) == 0o700
    assert all(mode(p) == 0o600 for p in out.iterdir())

    doses = read_csv(out / "doses.csv")
    assert len(doses) == history.scalar("select count(*) from doselog")
    assert Counter(r["status"] for r in doses) == dict(
        history.query("select status, count(*) from doselog group by status")
    )
    voided = [r for r in doses if r["voided"] == "yes"]
    assert len(voided) == history.scalar("select count(*) from doselog where voided_at is not null")
    assert all(r["voided_at"] for r in voided)
    live_sets = sum(int(r["sets"]) for r in doses if r["sets"] and not r["voided"])
    assert live_sets == history.scalar(
        "select sum(sets) from doselog where voided_at is null and sets is not null"
    )
    loads = [float(r["load_kg"]) for r in doses if r["load_kg"]]
    assert sum(loads) == pytest.approx(
        history.scalar("select sum(load_kg) from doselog where load_kg is not null")
    )
    assert {r["slot"] for r in doses} <= {"morning", "midday", "evening", "night", "any"}
    assert all(r["exercise"] and r["date"] for r in doses)

    pain = read_csv(out / "pain.csv")
    assert len(pain) == history.scalar("select count(*) from painentry")
    assert sum(int(r["score"]) for r in pain if not r["voided"]) == history.scalar(
        "select sum(score) from painentry where voided_at is null"
    )
    assert [r["score"] for r in pain if r["voided"]] == ["9"]
    assert len(read_csv(out / "symptoms.csv")) == history.scalar(
        "select count(*) from symptomcheck"
    )
    assessments = read_csv(out / "assessments.csv")
    assert [int(r["score"]) for r in assessments] == [
        row[0] for row in history.query("select score from assessment order by taken_on")
    ]
    assert all(json.loads(r["answers"]) for r in assessments)


def test_csv_shows_pauses_and_phase_changes(run: Rehab, history: History, tmp_path: Path) -> None:
    out = tmp_path / "log"
    assert export(run, history, "csv", "--out", str(out)).code == 0
    pauses = read_csv(out / "pauses.csv")
    assert [(p["start_date"], p["resumed_on"]) for p in pauses] == [
        ("2026-04-21", "2026-04-23"),
        ("2026-04-24", "2026-04-25"),
    ]
    assert pauses[0]["reason"] == "travel"
    assert pauses[1]["reason"].startswith("red flag: pop") and CLEARED_BY in pauses[1]["reason"]
    phases = read_csv(out / "phases.csv")
    assert [(p["decision"], p["from_phase"], p["to_phase"]) for p in phases] == [
        ("progress", "phase-1", "phase-2"),
        ("reduce", "phase-2", "phase-1"),
        ("progress", "phase-1", "phase-2"),
    ]
    symptoms = read_csv(out / "symptoms.csv")
    assert [s["note"] for s in symptoms if s["note"]] == []  # the flag is a row of its own
    (flag,) = read_csv(out / "red_flags.csv")
    assert (flag["flag"], flag["source"]) == ("pop", "answer")
    assert CLEARED_BY in flag["cleared_by"] and flag["cleared_on"] == "2026-04-25"


def test_csv_dates_are_iso_and_instants_carry_the_zone_offset(
    run: Rehab, history: History, tmp_path: Path
) -> None:
    out = tmp_path / "log"
    assert export(run, history, "csv", "--out", str(out)).code == 0
    pain = read_csv(out / "pain.csv")
    for row in pain:
        at_time = datetime.fromisoformat(row["at"])
        assert date.fromisoformat(row["date"]) == at_time.date()
        assert at_time.strftime("%H:%M") in ("07:30", "19:30", "20:00")  # wall-clock times
    offsets = {datetime.fromisoformat(r["at"]).utcoffset() for r in pain}
    assert offsets == {timedelta(0), timedelta(hours=1)}  # winter and summer time in Lisbon


def test_csv_neutralises_formulas_but_keeps_the_text(
    run: Rehab, history: History, tmp_path: Path
) -> None:
    out = tmp_path / "log"
    assert export(run, history, "csv", "--out", str(out)).code == 0
    notes = [r["note"] for r in read_csv(out / "doses.csv") if r["note"]]
    assert notes == ["'" + FORMULA_NOTE]
    pain_notes = [r["note"] for r in read_csv(out / "pain.csv") if r["note"]]
    assert pain_notes == ["'+1 after the stairs"]
    for path in out.iterdir():
        for row in csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))):
            assert not any(cell.startswith(("=", "+", "-", "@")) for cell in row), row


def test_csv_one_table_to_standard_output(run: Rehab, history: History) -> None:
    result = export(run, history, "csv", "--table", "pain", "--out", "-")
    assert result.code == 0, result.err
    assert not result.out.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(result.out)))
    assert len(rows) == history.scalar("select count(*) from painentry")
    doses = export(run, history, "csv", "--out", "-")  # stdout without --table: the doses
    assert len(list(csv.DictReader(io.StringIO(doses.out)))) == history.scalar(
        "select count(*) from doselog"
    )


def test_csv_range_limits_every_table(run: Rehab, history: History, tmp_path: Path) -> None:
    out = tmp_path / "march"
    result = export(
        run, history, "csv", "--from", "2026-03-01", "--to", "2026-03-31", "--out", str(out)
    )
    assert result.code == 0, result.err
    doses = read_csv(out / "doses.csv")
    assert {r["date"][:7] for r in doses} == {"2026-03"}
    assert len(doses) == history.scalar(
        "select count(*) from doselog where plan_date between '2026-03-01' and '2026-03-31'"
    )
    assert len(read_csv(out / "pain.csv")) == history.scalar(
        "select count(*) from painentry where local_date between '2026-03-01' and '2026-03-31'"
    )
    assert [p["effective_date"] for p in read_csv(out / "phases.csv")] == [
        "2026-03-21",
        "2026-03-30",
    ]
    assert read_csv(out / "pauses.csv") == []
    assert "2026-03-01 to 2026-03-31" in result.out


# --- JSON ---------------------------------------------------------------------------------


def load_json(run: Rehab, history: History, tmp_path: Path, *args: str) -> dict[str, object]:
    out = tmp_path / "log.json"
    result = export(run, history, "json", "--out", str(out), *args)
    assert result.code == 0, result.err
    assert mode(out) == 0o600
    document = json.loads(out.read_text(encoding="utf-8"))
    assert isinstance(document, dict)
    return document


def test_json_is_one_versioned_document_with_every_entry(
    run: Rehab, history: History, tmp_path: Path
) -> None:
    doc = load_json(run, history, tmp_path)
    assert doc["format"] == "rehab-export" and doc["version"] == 1
    assert doc["disclaimer"] == "Not medical advice; follow your clinician."
    assert doc["patient"] == {"name": "demo", "timezone": "Europe/Lisbon"}
    assert doc["range"] == {"from": str(history.start), "to": str(history.today)}
    counts = {
        "doses": "doselog",
        "pain": "painentry",
        "symptoms": "symptomcheck",
        "assessments": "assessment",
        "phase_changes": "phasechange",
        "pauses": "pause",
    }
    for section, table in counts.items():
        entries = doc[section]
        assert isinstance(entries, list)
        assert len(entries) == history.scalar(f"select count(*) from {table}"), section
    doses = doc["doses"]
    assert isinstance(doses, list)
    assert sum(1 for d in doses if d["voided_at"]) == history.scalar(
        "select count(*) from doselog where voided_at is not null"
    )
    assert [d["note"] for d in doses if d["note"]] == [FORMULA_NOTE]  # JSON keeps the text as is


def test_json_is_enough_to_rebuild_the_weekly_adherence(
    run: Rehab, history: History, tmp_path: Path
) -> None:
    """From the file alone (the program snapshot, pauses, decisions and check-offs), the
    done/planned count of each day equals what the app's own tally says on the database."""
    from rehab.store import trends
    from rehab.store.db import open_engine
    from rehab.store.journal import find_patient

    doc = load_json(run, history, tmp_path)
    (enrollment,) = doc["enrollments"]  # type: ignore[misc]
    program = program_from_snapshot(json.dumps(enrollment["program"]))
    start = date.fromisoformat(enrollment["start_date"])
    pauses = [
        PauseDays(
            date.fromisoformat(p["start_date"]),
            date.fromisoformat(p["end_date"]) if p["end_date"] else None,
        )
        for p in doc["pauses"]  # type: ignore[attr-defined]
    ]
    changes = [
        Progression(
            date.fromisoformat(c["effective_date"]),
            c["to_phase"],
            c["load_level"],
            c["set_cut"],
            c["week_cap"],
            c["decision"],
        )
        for c in doc["phase_changes"]  # type: ignore[attr-defined]
        if not c["voided_at"]
    ]
    logs: dict[date, list[Logged]] = {}
    for d in doc["doses"]:  # type: ignore[attr-defined]
        if not d["voided_at"]:
            day = date.fromisoformat(d["plan_date"])
            logs.setdefault(day, []).append(
                Logged(d["item_key"], d["side"], d["status"], d["sets"])
            )
    plans = [
        plan_day(
            program,
            start=start,
            side=enrollment["side"],
            day=start + timedelta(days=n),
            pauses=pauses,
            progressions=changes,
        )
        for n in range((history.today - start).days + 1)
    ]
    rebuilt = tally(plans, logs)

    engine = open_engine(history.url, create=False)
    from sqlmodel import Session

    with Session(engine) as session:
        patient = find_patient(session, name=history.patient)
        weeks = trends.weeks(session, patient=patient, first=start, last=history.today)
    engine.dispose()
    assert rebuilt.planned == sum(w.planned for w in weeks) > 300
    assert rebuilt.done == sum(w.done for w in weeks) > 250


def test_json_to_standard_output_parses(run: Rehab, history: History) -> None:
    result = export(run, history, "json", "--from", "2026-04-01", "--out", "-")
    assert result.code == 0, result.err
    doc = json.loads(result.out)
    assert doc["range"]["from"] == "2026-04-01"
    assert all(d["plan_date"] >= "2026-04-01" for d in doc["doses"])


# --- where the file goes ------------------------------------------------------------------


def test_an_existing_file_is_kept_without_force(
    run: Rehab, history: History, tmp_path: Path
) -> None:
    target = tmp_path / "log.json"
    target.write_text("mine", encoding="utf-8")
    result = export(run, history, "json", "--out", str(target))
    assert result.code == 2
    assert result.err.count("\n") == 1 and "--force" in result.err
    assert target.read_text(encoding="utf-8") == "mine"
    result = export(run, history, "json", "--out", str(target), "--force")
    assert result.code == 0, result.err
    assert json.loads(target.read_text(encoding="utf-8"))["format"] == "rehab-export"
    assert mode(target) == 0o600


def test_a_csv_folder_with_exports_in_it_needs_force(
    run: Rehab, history: History, tmp_path: Path
) -> None:
    out = tmp_path / "log"
    out.mkdir()
    (out / "pain.csv").write_text("old", encoding="utf-8")
    (out / "mine.txt").write_text("keep", encoding="utf-8")
    result = export(run, history, "csv", "--out", str(out))
    assert result.code == 2 and "pain.csv" in result.err and "--force" in result.err
    assert (out / "pain.csv").read_text(encoding="utf-8") == "old"
    assert export(run, history, "csv", "--out", str(out), "--force").code == 0
    assert (out / "pain.csv").read_text(encoding="utf-8-sig").startswith("date,at,context")
    assert (out / "mine.txt").read_text(encoding="utf-8") == "keep"
    assert sorted(p.name for p in out.iterdir()) == sorted(
        [*(f"{t}.csv" for t in TABLES), "mine.txt"]
    )
    assert all(mode(p) == 0o600 for p in out.iterdir() if p.suffix == ".csv")
    assert [p for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no staging left


def test_force_into_a_folder_replaces_nothing_if_the_export_fails(
    run: Rehab, history: History, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from rehab.store import rows as source

    out = tmp_path / "log"
    out.mkdir()
    for table in TABLES:
        (out / f"{table}.csv").write_text("old", encoding="utf-8")

    def broken(*args: object, **kwargs: object) -> Iterator[object]:
        raise OSError(28, "No space left on device")
        yield

    monkeypatch.setattr(source, "symptoms", broken)  # after doses and pain are written
    result = export(run, history, "csv", "--out", str(out), "--force")
    assert result.code == 1
    assert f"cannot write {out}/symptoms.csv: no space left on device" in result.err
    assert {p.read_text(encoding="utf-8") for p in out.iterdir()} == {"old"}
    assert [p.name for p in tmp_path.iterdir()] == ["log"]


@pytest.mark.parametrize(
    ("fmt", "out", "says"),
    [
        ("json", "{tmp}/missing/log.json", "does not exist"),
        ("json", "{tmp}", "is a folder"),
        ("csv", "{tmp}/file.txt", "is a file"),
        ("report", "{tmp}/file.txt/inside.html", "is not a folder"),
    ],
)
def test_bad_places_are_one_line_and_write_nothing(
    run: Rehab, history: History, tmp_path: Path, fmt: str, out: str, says: str
) -> None:
    (tmp_path / "file.txt").write_text("x", encoding="utf-8")
    before = sorted(tmp_path.rglob("*"))
    result = export(run, history, fmt, "--out", out.format(tmp=tmp_path))
    assert result.code == 2
    assert says in result.err and result.err.count("\n") == 1
    assert "Traceback" not in result.err
    assert sorted(tmp_path.rglob("*")) == before


def test_a_read_only_place_is_one_line(run: Rehab, history: History, tmp_path: Path) -> None:
    if os.geteuid() == 0:  # root writes anywhere the permission bits say no; /proc says no
        target = "/proc/rehab-log.json"
    else:
        locked = tmp_path / "locked"
        locked.mkdir(mode=0o500)
        target = str(locked / "log.json")
    result = export(run, history, "json", "--out", target)
    assert result.code == 1  # the place, not the command, is wrong: an environment error
    assert "cannot write in" in result.err and result.err.count("\n") == 1
    assert not Path(target).exists()


def test_a_folder_without_write_permission_is_refused_before_any_work(
    run: Rehab, history: History, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_access = os.access
    locked = tmp_path / "locked"
    locked.mkdir()

    def access(path: object, mode: int, **kwargs: object) -> bool:
        if Path(str(path)) == locked:
            return False  # as a folder without write permission looks (root ignores chmod)
        return real_access(path, mode, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "access", access)
    for fmt, name in (("report", "r.html"), ("csv", "log")):
        result = export(run, history, fmt, "--out", str(locked / name))
        assert result.code == 1, result
        assert "permission denied" in result.err and result.err.count("\n") == 1
    assert list(locked.iterdir()) == []


def test_a_failure_half_way_leaves_nothing_behind(
    run: Rehab, history: History, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from rehab.store import rows as source

    real = source.pain

    def broken(*args: object, **kwargs: object) -> Iterator[object]:
        yield from list(real(*args, **kwargs))[:3]  # type: ignore[arg-type]
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(source, "pain", broken)
    for fmt, name in (("json", "log.json"), ("csv", "log")):
        result = export(run, history, fmt, "--out", str(tmp_path / name))
        assert result.code == 1, result.err
        assert f"cannot write {tmp_path / name}" in result.err, result.err
        assert "no space left on device" in result.err and result.err.count("\n") == 1
    assert list(tmp_path.iterdir()) == []  # no file, no folder, no temporary leftovers


def test_a_database_fault_half_way_is_one_line_and_leaves_nothing(
    run: Rehab, history: History, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sqlite3

    from sqlalchemy.exc import DatabaseError

    from rehab.store import rows as source

    real = source.pain

    def broken(*args: object, **kwargs: object) -> Iterator[object]:
        yield from list(real(*args, **kwargs))[:3]  # type: ignore[arg-type]
        raise DatabaseError("SELECT", {}, sqlite3.DatabaseError("database disk image is malformed"))

    monkeypatch.setattr(source, "pain", broken)
    result = export(run, history, "csv", "--out", str(tmp_path / "log"))
    assert result.code == 1, result
    assert "is damaged" in result.err and result.err.count("\n") == 1
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("change", "args", "code", "says"),
    [
        (None, ("--patient", "nobody"), 2, "no patient named 'nobody'"),
        ("update patient set timezone = 'Mars/Base'", (), 2, "unknown time zone 'Mars/Base'"),
        ("drop table doselog", (), 1, "no such table: doselog"),
    ],
)
def test_csv_problems_in_the_database_are_one_line(
    history: History,
    tmp_path: Path,
    change: str | None,
    args: tuple[str, ...],
    code: int,
    says: str,
) -> None:
    import shutil
    import sqlite3

    path = tmp_path / "copy.db"
    shutil.copy(history.path, path)
    if change is not None:
        with sqlite3.connect(path) as conn:
            conn.execute(change)
    patient = () if "--patient" in args else ("--patient", history.patient)
    with at(history.today):
        result = Rehab(path)(*patient, *args, "export", "csv", "--out", str(tmp_path / "log"))
    assert result.code == code, result
    assert says in result.err and result.err.count("\n") == 1
    assert not (tmp_path / "log").exists()


def test_an_older_database_is_migrated_before_an_export(tmp_path: Path) -> None:
    import sqlite3

    from sqlalchemy import create_engine

    from rehab.store import db as store_db

    path = tmp_path / "old.db"
    engine = create_engine(f"sqlite:///{path}")
    store_db.upgrade(engine, "0002")
    engine.dispose()
    result = Rehab(path)("export", "csv", "--out", str(tmp_path / "log"))
    assert result.code == 2 and "no program yet" in result.err  # opened, migrated, then told
    with sqlite3.connect(path) as conn:
        revision = conn.execute("select version_num from alembic_version").fetchone()
    assert revision == (store_db.HEAD_REVISION,)


def test_a_file_name_with_url_characters_is_the_same_file_for_every_format(
    history: History, tmp_path: Path
) -> None:
    import shutil

    folder = tmp_path / "a?b"
    folder.mkdir()
    path = folder / "my?db%20#1.db"
    shutil.copy(history.path, path)
    rehab = Rehab(path)
    with at(history.today):
        csv_out = rehab("--patient", history.patient, "export", "csv", "--out", "-")
        json_out = rehab("--patient", history.patient, "export", "json", "--out", "-")
    assert csv_out.code == 0 and json_out.code == 0, (csv_out.err, json_out.err)
    assert csv_out.out.count("\n") > 50 and '"doses":[' in json_out.out
    assert not [p for p in tmp_path.rglob("*") if p.is_file() and "my?db%20#1.db" not in p.name]


def test_exercise_names_from_the_snapshot_match_the_template() -> None:
    from rehab.core.catalog import load_catalog
    from rehab.paths import builtin_programs_dir
    from rehab.store import rows as source

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


def test_default_name_is_written_in_the_current_folder(
    run: Rehab, history: History, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = export(run, history, "json")
    assert result.code == 0, result.err
    expected = tmp_path / f"rehab-demo-{history.start}-to-{history.today}.json"
    assert expected.exists() and str(expected) in result.out


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (("json", "--from", "2026-02-30"), "not a real calendar date"),
        (("json", "--from", "2026-04-10", "--to", "2026-04-01"), "is after --to"),
        (("json", "--to", "2026-01-31"), "before the program started on 2026-02-09"),
        (("pdf",), "'report', 'csv', 'json', 'fhir', 'ics'"),
        (("json", "--table", "pain"), "--table is for csv only"),
        (("csv", "--table", "shoes", "--out", "-"), "shoes"),
    ],
)
def test_bad_arguments_exit_2_with_one_line(
    run: Rehab, history: History, args: tuple[str, ...], says: str
) -> None:
    result = export(run, history, *args)
    assert result.code == 2, result
    assert says in result.err and result.err.count("\n") == 1


def test_a_patient_without_a_program_is_told_so(rehab: Rehab) -> None:
    assert rehab("pain", "3", db=False).code == 0  # the default database; no program
    result = rehab("export", "json", "--out", "-", db=False)
    assert result.code == 2
    assert "no program yet" in result.err and result.err.count("\n") == 1


# --- a full disk, a file too large: the line names the file ------------------------------


def _failing_sync(monkeypatch: pytest.MonkeyPatch, code: int) -> None:
    """The disk fills (or the size limit is hit) as the export is written out."""
    from rehab.export import files

    def sync(fd: int) -> None:
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(files.os, "fsync", sync)


@pytest.mark.parametrize(
    ("fmt", "name", "extra"),
    [
        ("json", "log.json", []),
        ("report", "log.html", []),
        ("fhir", "log.fhir.json", []),
        ("ics", "log.ics", []),
        ("csv", "doses.csv", ["--table", "doses"]),
    ],
)
@pytest.mark.parametrize(
    ("code", "says"),
    [(28, "no space left on device"), (27, "the file is too large (a file size limit)")],
)
def test_a_full_disk_names_the_file(
    run: Rehab,
    history: History,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    fmt: str,
    name: str,
    extra: list[str],
    code: int,
    says: str,
) -> None:
    _failing_sync(monkeypatch, code)
    out = tmp_path / name
    result = export(run, history, fmt, "--out", str(out), *extra)
    assert result.code == 1, result
    assert result.err == (
        f"rehab: cannot write {out}: {says}; free some space, or choose another place with --out\n"
    )
    assert list(tmp_path.iterdir()) == []  # no file, no temporary leftovers


def test_a_full_disk_names_the_csv_folder(
    run: Rehab, history: History, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _failing_sync(monkeypatch, 28)
    out = tmp_path / "log"
    result = export(run, history, "csv", "--out", str(out))
    assert result.code == 1, result
    assert result.err.startswith(f"rehab: cannot write {out}/doses.csv: no space left on device;")
    assert result.err.count("\n") == 1
    assert list(tmp_path.iterdir()) == []


def test_a_full_standard_output_is_one_line(history: History, tmp_path: Path) -> None:
    import subprocess
    import sys

    with open("/dev/full", "w") as full:  # every write to it fails with ENOSPC
        proc = subprocess.run(
            [
                *(sys.executable, "-m", "rehab", "--db", str(history.path)),
                *("--patient", history.patient, "export", "json", "--out", "-"),
            ],
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            timeout=120,
        )
    assert proc.returncode == 1, proc.stderr
    assert proc.stderr == (
        "rehab: cannot write standard output: no space left on device; free some space, "
        "or choose another place with --out\n"
    )


def test_export_help_points_at_nothing_an_installed_app_lacks(rehab: Rehab) -> None:
    result = rehab("export", "--help", db=False)
    assert result.code == 0, result.err
    assert "docs/" not in result.out and ".md" not in result.out
    assert "ISO 8601" in result.out
