"""`rehab import`: a patient's JSON export read back into a database.

The round trip (export, import into an empty database, export again) must give the same
document apart from `generated_at`, on the known export history (voided entries, a pause,
a red flag and its clearance) and on a long generated one. A second import changes
nothing; a newer export adds what is new and its corrections. Bad input is one line naming
the file, exit 2, and the database as it was (its bytes, or no file at all). Documents are
compared through the json module; row counts come from plain sqlite3.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import REPO, Rehab
from tests.export_history import History, at, module_history

TABLES = ("patient", "enrollment", "doselog", "painentry", "symptomcheck", "assessment",
          "phasechange", "pause", "redflagentry")  # fmt: skip


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> Iterator[History]:
    yield from module_history(tmp_path_factory)


def export(db: Path, out: Path, *args: str, day: Any = None, patient: str | None = None) -> Any:
    rehab = Rehab(db)
    who = ("--patient", patient) if patient else ()
    if day is None:
        result = rehab(*who, "export", "json", "--out", str(out), "--force", *args)
    else:
        with at(day):
            result = rehab(*who, "export", "json", "--out", str(out), "--force", *args)
    assert result.code == 0, result.err
    document = json.loads(out.read_text(encoding="utf-8"))
    document.pop("generated_at")
    return document


def counts(db: Path) -> dict[str, int]:
    with sqlite3.connect(db) as conn:
        return {t: conn.execute(f"select count(*) from {t}").fetchone()[0] for t in TABLES}


def import_file(db: Path, file: Path, *args: str) -> Any:
    return Rehab(db)("import", str(file), *args)


def test_export_import_export_is_the_same_document(history: History, tmp_path: Path) -> None:
    first = export(history.path, tmp_path / "a.json", day=history.today)
    assert first["red_flags"] and first["pauses"] and first["assessments"]
    assert any(d["voided_at"] for d in first["doses"])
    assert any(p["voided_at"] for p in first["pain"])
    target = tmp_path / "clinic.db"
    result = import_file(target, tmp_path / "a.json")
    assert result.code == 0, result.err
    assert result.out.startswith(f"Imported {tmp_path / 'a.json'} for demo (new patient): ")
    assert result.out.count("\n") == 1 and ", 0 unchanged." in result.out
    again = export(target, tmp_path / "b.json", day=history.today)
    assert again == first
    # what the app counts from the rows is the same too
    source_counts, target_counts = counts(history.path), counts(target)
    assert target_counts == source_counts


def test_uids_are_unique_and_references_are_numbers_in_the_document(
    history: History, tmp_path: Path
) -> None:
    doc = export(history.path, tmp_path / "a.json", day=history.today)
    for section in ("enrollments", "doses", "pain", "symptoms", "assessments", "pauses"):
        entries = doc[section]
        assert [e["id"] for e in entries] == list(range(1, len(entries) + 1)), section
        uids = [e["uid"] for e in entries]
        assert len(set(uids)) == len(uids) and all(len(u) == 24 for u in uids), section
    numbers = {e["id"] for e in doc["enrollments"]}
    assert {d["enrollment_id"] for d in doc["doses"]} <= numbers
    (flag,) = doc["red_flags"]
    pause = doc["pauses"][flag["pause_id"] - 1]
    assert pause["reason"].startswith("red flag") and pause["start_date"] == flag["raised_on"]


def test_as_imports_under_another_name(history: History, tmp_path: Path) -> None:
    first = export(history.path, tmp_path / "a.json", day=history.today)
    target = tmp_path / "clinic.db"
    assert import_file(target, tmp_path / "a.json", "--as", "Ana Lima").code == 0
    again = export(target, tmp_path / "b.json", day=history.today, patient="Ana Lima")
    assert again["patient"]["name"] == "Ana Lima"
    again["patient"]["name"] = first["patient"]["name"]
    assert again == first
    with sqlite3.connect(target) as conn:
        assert conn.execute("select name from patient").fetchall() == [("Ana Lima",)]


def test_importing_twice_changes_nothing(history: History, tmp_path: Path) -> None:
    export(history.path, tmp_path / "a.json", day=history.today)
    target = tmp_path / "clinic.db"
    assert import_file(target, tmp_path / "a.json").code == 0
    before = counts(target)
    result = import_file(target, tmp_path / "a.json")
    assert result.code == 0, result.err
    assert " 0 added, 0 voided, 0 updated, " in result.out
    assert counts(target) == before


def test_a_newer_export_adds_what_is_new_and_its_corrections(
    history: History, tmp_path: Path
) -> None:
    source = tmp_path / "patient.db"
    source.write_bytes(history.path.read_bytes())
    older = export(source, tmp_path / "old.json", day=history.today)
    target = tmp_path / "clinic.db"
    assert import_file(target, tmp_path / "old.json").code == 0
    # on the patient's machine, later the same day: one more pain score, then the last
    # check-off is taken back
    patient = Rehab(source)
    with at(history.today, 19):
        assert patient("pain", "2", "--context", "after").code == 0
        assert patient("undo").code == 0  # the pain score
        assert patient("undo").code == 0  # the day's check-off
    newer = export(source, tmp_path / "new.json", day=history.today)
    assert len(newer["pain"]) == len(older["pain"]) + 1
    result = import_file(target, tmp_path / "new.json")
    assert result.code == 0, result.err
    # the new pain score comes in voided already; the check-off's rows are voided here
    voided = sum(1 for d in newer["doses"] if d["voided_at"]) - sum(
        1 for d in older["doses"] if d["voided_at"]
    )
    assert voided >= 1
    assert f"1 added (pain 1), {voided} voided, 0 updated" in result.out, result.out
    assert export(target, tmp_path / "b.json", day=history.today) == newer
    # the older file again: nothing comes back to life
    result = import_file(target, tmp_path / "old.json")
    assert " 0 added, 0 voided, 0 updated, " in result.out, result.out
    assert export(target, tmp_path / "c.json", day=history.today) == newer


def test_a_pretty_printed_export_imports_the_same(history: History, tmp_path: Path) -> None:
    first = export(history.path, tmp_path / "a.json", day=history.today)
    pretty = tmp_path / "pretty.json"
    pretty.write_text(json.dumps(json.loads((tmp_path / "a.json").read_text()), indent=2))
    target = tmp_path / "clinic.db"
    assert import_file(target, pretty).code == 0
    assert export(target, tmp_path / "b.json", day=history.today) == first


def test_a_long_generated_history_round_trips(tmp_path: Path) -> None:
    """A year of benchmarks/make_history.py: 4 programs back to back, pauses, decisions,
    set-by-set check-offs and voided ones, exported whole."""
    source = tmp_path / "year.db"
    subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / "make_history.py"), "--db", str(source),
         "--years", "1"],
        check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    with sqlite3.connect(source) as conn:
        first_day = conn.execute("select min(start_date) from enrollment").fetchone()[0]
    first = export(source, tmp_path / "a.json", "--from", first_day)
    assert len(first["doses"]) > 5000 and len(first["enrollments"]) > 3
    target = tmp_path / "clinic.db"
    result = import_file(target, tmp_path / "a.json")
    assert result.code == 0, result.err
    assert export(target, tmp_path / "b.json", "--from", first_day) == first
    assert counts(target) == counts(source)


# --- bad input --------------------------------------------------------------------------


def _edited(doc: dict[str, Any], change: str) -> dict[str, Any]:
    if change == "pain score 11":
        doc["pain"][0]["score"] = 11
    elif change == "side":
        doc["doses"][0]["side"] = "middle"
    elif change == "missing field":
        del doc["symptoms"][0]["check_date"]
    elif change == "bad date":
        doc["doses"][3]["plan_date"] = "2026-02-30"
    elif change == "no offset":
        doc["doses"][3]["logged_at"] = "2026-02-10T08:00:00"
    elif change == "edited uid":
        doc["doses"][5]["seq"] = 99
    elif change == "unknown enrollment":
        doc["doses"][0]["enrollment_id"] = 99
    elif change == "two-line reason":
        doc["pauses"][0]["reason"] = "travel\nabroad"
    elif change == "reference not a number":
        doc["red_flags"][0]["pause_id"] = [1]
    elif change == "hash":
        doc["enrollments"][0]["template_hash"] = "0" * 16
    elif change == "active with an end":
        doc["enrollments"][0]["ended_at"] = doc["enrollments"][0]["created_at"]
    elif change == "note too long":
        doc["doses"][0]["note"] = "x" * 501
    elif change == "template":
        doc["enrollments"][0]["program"]["weeks"] = "many"
    elif change == "format":
        doc["format"] = "something-else"
    elif change == "version":
        doc["version"] = 2
    return doc


BAD_ROWS = [
    ("pain score 11", "pain[0]: score: 11 is out of range (allowed: 0 to 10)"),
    ("side", "doses[0]: side: \"middle\" (allowed: '', 'left', 'right')"),
    ("missing field", "symptoms[0]: check_date: missing"),
    ("bad date", 'doses[3]: plan_date: "2026-02-30" is not a date'),
    ("no offset", "doses[3]: logged_at: 2026-02-10T08:00:00 has no offset"),
    ("edited uid", "doses[5]: uid "),
    ("unknown enrollment", "doses[0]: enrollment_id: 99 is not in enrollments"),
    ("two-line reason", 'pauses[0]: reason: "travel\\nabroad" is not one line'),
    ("reference not a number", "red_flags[0]: pause_id: [1] is not a number"),
    ("hash", "enrollments[0]: template_hash does not match its program"),
    ("active with an end", "enrollments[0]: ended_at: active does not go with an end"),
    ("note too long", "doses[0]: note: 501 characters is too long (allowed: up to 500)"),
    ("template", "enrollments[0]: program: not a valid template"),
    ("format", "is not a rehab export (format 'something-else'"),
    ("version", "is rehab-export version 2, which this rehab cannot read"),
]


@pytest.fixture
def clinic(history: History, tmp_path: Path) -> Path:
    """A database that already holds someone, whose bytes must not change."""
    target = tmp_path / "clinic.db"
    rehab = Rehab(target)
    assert rehab("--patient", "bo", "start", "plantar-fasciitis", "--side", "left").code == 0
    return target


def _refused(target: Path, file: Path, expected: str, *args: str) -> None:
    before = target.read_bytes() if target.exists() else None
    result = import_file(target, file, *args)
    assert result.code == 2, (result.out, result.err)
    assert result.err.startswith(f"rehab: {file}: "), result.err
    assert expected in result.err and result.err.count("\n") == 1, result.err
    assert result.out == ""
    if before is None:
        assert not target.exists() and not Path(f"{target}-wal").exists()
    else:
        assert target.read_bytes() == before


@pytest.mark.parametrize(("change", "expected"), BAD_ROWS, ids=[c for c, _ in BAD_ROWS])
def test_a_bad_entry_is_one_line_and_nothing_is_written(
    history: History, clinic: Path, tmp_path: Path, change: str, expected: str
) -> None:
    doc = export(history.path, tmp_path / "a.json", day=history.today)
    doc["generated_at"] = "2026-04-26T12:00:00+01:00"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(_edited(doc, change)), encoding="utf-8")
    _refused(clinic, bad, expected)


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", "ends before the document does"),
        (b"hello", "is not JSON"),
        (b"[1, 2]", "is not a rehab export (allowed: one JSON object)"),
        (b'{"format": "rehab-export", "version": 1}', "has no patient or enrollments"),
        (
            b'{"format": "rehab-export", "version": 1, "patient": {"name": "x", "timezone": '
            b'"UTC"}, "enrollments": []} {}',
            "has more after the end of the document",
        ),
        (b"\xff\xfe{}", "is not"),
    ],
)
def test_a_file_that_is_no_export_is_one_line(clinic: Path, tmp_path: Path, content: bytes,
                                              expected: str) -> None:  # fmt: skip
    bad = tmp_path / "bad.json"
    bad.write_bytes(content)
    _refused(clinic, bad, expected)


def test_a_cut_file_changes_nothing_even_after_entries_were_read(
    history: History, clinic: Path, tmp_path: Path
) -> None:
    export(history.path, tmp_path / "a.json", day=history.today)
    whole = (tmp_path / "a.json").read_bytes()
    cut = tmp_path / "cut.json"
    cut.write_bytes(whole[: len(whole) * 3 // 4])  # deep in the entries
    _refused(clinic, cut, "ends before the document does (cut short?)")


def test_a_failed_import_into_a_new_database_leaves_no_file(
    history: History, tmp_path: Path
) -> None:
    doc = export(history.path, tmp_path / "a.json", day=history.today)
    doc["pain"][-1]["score"] = -1  # found after every dose was read
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(doc), encoding="utf-8")
    _refused(tmp_path / "new" / "rehab.db", bad, "score: -1 is out of range")


def test_a_missing_file_or_a_folder(clinic: Path, tmp_path: Path) -> None:
    _refused(clinic, tmp_path / "nothing.json", "no such file")
    _refused(clinic, tmp_path, "is a folder")


def test_a_patient_in_another_time_zone_is_someone_else(
    history: History, clinic: Path, tmp_path: Path
) -> None:
    doc = export(history.path, tmp_path / "a.json", day=history.today)
    assert import_file(clinic, tmp_path / "a.json").code == 0
    doc["patient"]["timezone"] = "America/New_York"
    other = tmp_path / "other.json"
    other.write_text(json.dumps(doc), encoding="utf-8")
    _refused(clinic, other, "demo in this database lives in Europe/Lisbon, the file's patient")
    # under another name it is a new patient
    assert import_file(clinic, other, "--as", "demo in New York").code == 0


def test_a_program_that_ran_at_the_same_time_is_someone_elses(
    history: History, clinic: Path, tmp_path: Path
) -> None:
    """bo started a program here today; a file of someone also called bo whose program
    is still running cannot be bo's history."""
    doc = export(history.path, tmp_path / "a.json", day=history.today)
    doc["patient"]["name"] = "bo"
    other = tmp_path / "bo.json"
    other.write_text(json.dumps(doc), encoding="utf-8")
    _refused(clinic, other, "bo in this database ran plantar-fasciitis")


def test_patient_names_whose_records_as_as_does(history: History, tmp_path: Path) -> None:
    export(history.path, tmp_path / "a.json", day=history.today)
    target = tmp_path / "clinic.db"
    result = Rehab(target)("--patient", "Ana", "import", str(tmp_path / "a.json"))
    assert result.code == 0 and " for Ana (new patient): " in result.out, result
    with sqlite3.connect(target) as conn:
        assert conn.execute("select name from patient").fetchall() == [("Ana",)]


def test_as_and_patient_must_agree(history: History, clinic: Path, tmp_path: Path) -> None:
    export(history.path, tmp_path / "a.json", day=history.today)
    result = Rehab(clinic)("--patient", "x", "import", str(tmp_path / "a.json"), "--as", "y")
    assert result.code == 2 and "--as and --patient" in result.err


def test_import_is_in_the_help() -> None:
    rehab = Rehab(Path("unused"))
    assert "import" in rehab("--help", db=False).out
    text = " ".join(rehab("import", "--help", db=False).out.split())
    assert "--as PATIENT" in text and "one transaction" in text


def test_corrections_are_carried_over_and_never_taken_back(
    history: History, tmp_path: Path
) -> None:
    """The same history as it stood before its corrections (the file edited back: nothing
    voided, the pauses still open, the red flag not cleared), then as it is."""
    newer = export(history.path, tmp_path / "new.json", day=history.today)
    older = json.loads((tmp_path / "new.json").read_text(encoding="utf-8"))
    for section in ("doses", "pain", "symptoms", "assessments", "phase_changes"):
        for entry in older[section]:
            entry["voided_at"] = None
    for pause in older["pauses"]:
        pause.update(end_date=None, ended_at=None)
    older["pauses"] = older["pauses"][-1:]  # one open pause (two open ones could not be)
    older["pauses"][0]["id"] = 1
    for flag in older["red_flags"]:
        flag.update(cleared_by=None, cleared_on=None, cleared_at=None, pause_id=1)
    (tmp_path / "old.json").write_text(json.dumps(older), encoding="utf-8")
    target = tmp_path / "clinic.db"
    assert import_file(target, tmp_path / "old.json").code == 0
    result = import_file(target, tmp_path / "new.json")
    assert result.code == 0, result.err
    voided = sum(1 for s in newer.values() if isinstance(s, list) for e in s
                 if isinstance(e, dict) and e.get("voided_at"))  # fmt: skip
    # one pause was new; the open one ended; the red flag was cleared
    assert f"1 added (pauses 1), {voided} voided, 2 updated," in result.out, result.out
    with sqlite3.connect(target) as conn:
        assert (
            conn.execute("select count(*) from redflagentry where cleared_at is null").fetchone()[0]
            == 0
        )
        assert conn.execute("select count(*) from pause where end_date is null").fetchone()[0] == 0
    assert import_file(target, tmp_path / "old.json").code == 0  # the older file again
    assert export(target, tmp_path / "b.json", day=history.today) == newer


def test_the_file_is_read_as_it_is_imported(history: History, tmp_path: Path) -> None:
    """The header and the first entries come before most of the file has been read: a
    file far larger than memory is never held whole."""
    from rehab.export import jsonread

    export(history.path, tmp_path / "a.json", day=history.today)
    size = (tmp_path / "a.json").stat().st_size
    assert size > 4 * 65536
    with open(tmp_path / "a.json", "rb") as handle:
        header, entries = jsonread.read(handle, "a.json")
        assert header.name == "demo" and handle.tell() <= 65536
        first = [next(entries) for _ in range(20)]
        assert handle.tell() <= 2 * 65536
        assert [section for section, _, _ in first] == ["doses"] * 20
        assert sum(1 for _ in entries) > 600


def test_a_program_the_newer_file_leaves_out_is_asked_for(history: History, tmp_path: Path) -> None:
    """The patient started a new program; their export of it alone does not say the old
    one ended, so the old one would keep running here: the line says what to export."""
    source = tmp_path / "patient.db"
    source.write_bytes(history.path.read_bytes())
    export(source, tmp_path / "old.json", day=history.today)
    target = tmp_path / "clinic.db"
    assert import_file(target, tmp_path / "old.json").code == 0
    later = history.today + timedelta(days=1)
    ahead = str(later + timedelta(days=30))  # a program may start up to a year ahead
    with at(later):
        started = Rehab(source)("--patient", "demo", "start", "plantar-fasciitis", "--side",
                                "both", "--replace", "--start", ahead)  # fmt: skip
    assert started.code == 0, started.err
    newer = export(
        source, tmp_path / "new.json", "--to", str(later + timedelta(days=30)), day=later
    )
    assert [e["program_id"] for e in newer["enrollments"]] == ["plantar-fasciitis"]
    _refused(target, tmp_path / "new.json", "is still running in this database")
    whole = export(source, tmp_path / "whole.json", "--from", str(history.start), "--to",
                   str(later + timedelta(days=30)), day=later)  # fmt: skip
    assert len(whole["enrollments"]) == 2
    result = import_file(target, tmp_path / "whole.json")
    assert result.code == 0 and "1 updated" in result.out, result
