"""The CLI as a patient uses it: start, see today, check off, undo, log pain, and get a clear
one-line error (and nothing written) for every kind of bad input."""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine

from tests.conftest import Rehab, Result

LISBON = ZoneInfo("Europe/Lisbon")
NOW = datetime(2026, 3, 10, 9, 30, tzinfo=LISBON)  # a Tuesday


@pytest.fixture(autouse=True)
def fixed_clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def enrolled(rehab: Rehab) -> Rehab:
    result = rehab("start", "heel-pain-self-care", "--side", "right", "--start", "2026-03-02")
    assert result.code == 0, result.err
    return rehab


def rows(db: Path, table: str, where: str = "1=1") -> list[sqlite3.Row]:
    con = sqlite3.connect(db)
    con.row_factory = sqlite3.Row
    try:
        return con.execute(f"SELECT * FROM {table} WHERE {where} ORDER BY id").fetchall()
    finally:
        con.close()


def one_line_error(result: Result, code: int = 2) -> str:
    assert result.code == code, (result.code, result.out, result.err)
    assert result.err.count("\n") == 1, result.err
    assert "Traceback" not in result.err
    return result.err


def test_first_run_without_a_program_welcomes_and_explains(rehab: Rehab) -> None:
    result = rehab(db=False)  # the default database in the data folder is made on first use
    assert result.code == 0
    assert "Not medical advice; follow your clinician." in result.out
    assert "rehab start ID --side left|right|both" in result.out


def test_programs_list_and_show(rehab: Rehab) -> None:
    listing = rehab("programs", "list", db=False)
    assert listing.code == 0
    for program_id in ("heel-pain-self-care", "achilles-midportion", "plantar-fasciitis"):
        assert program_id in listing.out
    shown = rehab("programs", "show", "heel-pain-self-care", db=False)
    assert shown.code == 0
    assert "Calf stretch, 30 s hold × 2–3, each leg" in shown.out
    assert "How: Hands on a wall" in shown.out
    assert "! Not over numb skin" in shown.out
    # a seed by its title, not its hashed file name
    assert 'Seed document 000, "What Causes Pain in Back of Heel When Walking?"' in shown.out
    assert "000_4546d74372f3ff20.txt" not in shown.out
    assert "Not medical advice" in shown.out
    phased = rehab("programs", "show", "achilles-midportion", db=False).out
    assert "when your pain allows it" in phased and "so they overlap" in phased
    assert "Phase 2: heel raises on a step edge (usually weeks 2–5)" in phased
    assert "Phase Phase" not in phased


def test_unknown_program_is_a_usage_error(rehab: Rehab) -> None:
    err = one_line_error(rehab("start", "no-such-program", "--side", "left"))
    assert "no-such-program" in err and "heel-pain-self-care" in err
    assert not rehab.db.exists() or rows(rehab.db, "enrollment") == []


def test_today_lists_doses_by_slot_with_status(enrolled: Rehab) -> None:
    result = enrolled("today")
    assert result.code == 0
    out = result.out
    assert "week 2 of 6" in out
    assert out.index("Morning") < out.index("Night") < out.index("Any time")
    assert "[ ] calf-stretch" in out and "(sets: left 0/3, right 0/3)" in out
    assert "Not medical advice; follow your clinician." in out


def test_today_json_has_the_documented_fields(enrolled: Rehab) -> None:
    result = enrolled("today", "--json")
    data = json.loads(result.out)
    assert isinstance(data, list) and data
    required = {
        "key", "exercise", "kind", "slot", "side", "sets", "reps",
        "hold_seconds", "minutes", "load_kg", "status",
    }  # fmt: skip
    for item in data:
        assert required <= set(item)
    calf = [d for d in data if d["key"] == "calf-stretch"]
    assert [d["side"] for d in calf] == ["left", "right"]
    assert calf[0]["hold_seconds"] == 30 and calf[0]["sets"] == 3 and calf[0]["sets_min"] == 2
    ice = [d["key"] for d in data if d["exercise"] == "ice"]
    assert ice == ["ice", "ice#2", "ice#3"]
    # how to do each dose and its cautions, whole, as the template says them
    from rehab.core.catalog import load_catalog
    from rehab.paths import builtin_programs_dir

    program = load_catalog(builtin_programs_dir(), None).get("heel-pain-self-care")
    for item in data:
        exercise = program.exercise(item["exercise"])
        assert item["instructions"] == exercise.instructions
        assert item["cautions"] == list(exercise.cautions)
    assert any(item["cautions"] for item in data)


def test_done_checks_off_every_open_leg_then_refuses_a_second_time(enrolled: Rehab) -> None:
    result = enrolled("done", "calf-stretch")
    assert result.code == 0, result.err
    logged = rows(enrolled.db, "doselog")
    assert [(r["item_key"], r["side"], r["sets"]) for r in logged] == [
        ("calf-stretch", "left", 3),
        ("calf-stretch", "right", 3),
    ]
    again = one_line_error(enrolled("done", "calf-stretch"))
    assert "already done" in again
    assert len(rows(enrolled.db, "doselog")) == 2


def test_partial_sets_then_the_rest(enrolled: Rehab) -> None:
    assert enrolled("done", "hamstring-stretch", "--side", "left", "--sets", "1").code == 0
    data = json.loads(enrolled("today", "--json").out)
    left = next(d for d in data if d["key"] == "hamstring-stretch" and d["side"] == "left")
    assert left["sets_done"] == 1 and left["status"] == "partial"
    err = one_line_error(enrolled("done", "hamstring-stretch", "--side", "left", "--sets", "5"))
    assert "allowed: 1 to 2" in err
    assert enrolled("done", "hamstring-stretch", "--side", "left").code == 0
    data = json.loads(enrolled("today", "--json").out)
    left = next(d for d in data if d["key"] == "hamstring-stretch" and d["side"] == "left")
    assert left["sets_done"] == 3 and left["status"] == "done"


def test_as_needed_icing_moves_to_the_next_occurrence(enrolled: Rehab) -> None:
    assert "Done: ice on" in enrolled("done", "ice", "--minutes", "15").out
    assert "Done: ice#2 on" in enrolled("done", "ice").out
    assert "Done: ice#3 on" in enrolled("done", "ice").out
    one_line_error(enrolled("done", "ice"))
    logged = rows(enrolled.db, "doselog")
    assert [r["item_key"] for r in logged] == ["ice", "ice#2", "ice#3"]
    assert logged[0]["minutes"] == 15


def test_undo_voids_the_last_action_and_keeps_history(enrolled: Rehab) -> None:
    enrolled("done", "foot-massage")
    enrolled("done", "calf-stretch")
    result = enrolled("undo")
    assert result.code == 0 and "calf-stretch" in result.out
    logged = rows(enrolled.db, "doselog")
    assert len(logged) == 3  # nothing deleted
    assert [r["voided_at"] is not None for r in logged] == [False, True, True]
    listing = json.loads(enrolled("today", "--json").out)
    today = {(d["key"], d["side"]): d["status"] for d in listing}
    assert today[("calf-stretch", "left")] == "open"
    assert today[("foot-massage", "right")] == "done"
    # and the dose can be checked off again after the undo
    assert enrolled("done", "calf-stretch").code == 0


def test_undo_with_nothing_to_undo(enrolled: Rehab) -> None:
    assert "nothing to undo" in one_line_error(enrolled("undo"))


def test_skip_needs_a_reason_and_is_recorded(enrolled: Rehab) -> None:
    one_line_error(enrolled("skip", "gentle-walk"))
    one_line_error(enrolled("skip", "gentle-walk", "--reason", "   "))
    assert enrolled("skip", "gentle-walk", "--reason", "too painful").code == 0
    (row,) = rows(enrolled.db, "doselog")
    assert row["status"] == "skipped" and row["reason"] == "too painful"
    assert "[-] gentle-walk" in enrolled("today").out


def test_backfill_is_allowed_and_future_is_refused(enrolled: Rehab) -> None:
    assert enrolled("done", "gentle-walk", "--date", "2026-03-05").code == 0
    err = one_line_error(enrolled("done", "gentle-walk", "--date", "2026-03-11"))
    assert "future" in err
    err = one_line_error(enrolled("done", "gentle-walk", "--date", "2026-02-20"))
    assert "starts on 2026-03-02" in err


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["pain", "11"], "allowed: 0 to 10"),
        (["pain", "--", "-1"], "allowed: 0 to 10"),
        (["pain", "seven"], "not a whole number"),
        (["pain", "4", "--context", "sometimes"], "morning"),
        (["pain", "4", "--at", "2026-03-11T08:00"], "future"),
        (["pain", "4", "--at", "yesterday"], "ISO 8601"),
        (["done", "no-such-key"], "allowed: foot-massage"),
        (["done", "calf-stretch", "--date", "2026-02-30"], "not a real calendar date"),
        (["done", "calf-stretch", "--date", "10/03/2026"], "YYYY-MM-DD"),
        (["done", "foot-massage", "--side", "left"], "right leg only"),
        (["done", "gentle-walk", "--side", "left"], "not done per leg"),
        (["done", "calf-stretch", "--side", "middle"], "left"),
        (["done", "calf-stretch", "--sets", "0"], "allowed: 1 to 50"),
        (["done", "calf-stretch", "--load", "-3"], "allowed: 0 to 500"),
        (["done", "calf-stretch", "--pain", "12"], "allowed: 0 to 10"),
        (["check"], "at least one"),
        (["check", "--stiffness", "-5"], "allowed: 0 to 1440"),
        (["check", "--stiffness", "10", "--date", "2026-03-12"], "future"),
        (["start", "plantar-fasciitis", "--side", "left"], "--replace"),
        (["start", "plantar-fasciitis", "--side", "up"], "left"),
        (["resume"], "not paused"),
        (["--patient", "nobody", "today"], "no patient named 'nobody'"),
        (["bogus-command"], "No such command"),
    ],
)
def test_bad_input_is_one_line_exit_2_and_writes_nothing(
    enrolled: Rehab, args: list[str], expected: str
) -> None:
    before = {t: len(rows(enrolled.db, t)) for t in ("doselog", "painentry", "symptomcheck")}
    err = one_line_error(enrolled(*args), code=2)
    assert expected in err
    after = {t: len(rows(enrolled.db, t)) for t in ("doselog", "painentry", "symptomcheck")}
    assert before == after


def test_pain_and_morning_check_are_stored(enrolled: Rehab) -> None:
    assert enrolled("pain", "3", "--context", "morning", "--note", "stiff").code == 0
    assert enrolled("pain", "2", "--at", "2026-03-09T21:00").code == 0
    assert enrolled("check", "--stiffness", "20", "--swelling", "--no-tiptoe-pain").code == 0
    pain = rows(enrolled.db, "painentry")
    assert [(p["score"], p["context"], p["local_date"]) for p in pain] == [
        (3, "morning", "2026-03-10"),
        (2, "after", "2026-03-09"),
    ]
    assert pain[1]["at"].startswith("2026-03-09 21:00")  # Lisbon is UTC+0 in March
    (check,) = rows(enrolled.db, "symptomcheck")
    assert (check["stiffness_minutes"], check["swelling"], check["tiptoe_pain"]) == (20, 1, 0)
    assert check["redness"] is None


def test_pause_and_resume(enrolled: Rehab) -> None:
    assert enrolled("pause", "--reason", "flu").code == 0
    assert "paused" in enrolled("today").out
    assert "paused" in one_line_error(enrolled("done", "calf-stretch"))
    assert "already paused" in one_line_error(enrolled("pause", "--reason", "again"))
    with time_machine.travel(datetime(2026, 3, 13, 9, 0, tzinfo=LISBON), tick=False):
        assert enrolled("resume").code == 0
        out = enrolled("today").out
    # three paused days (10, 11, 12 March) move the program along: still week 2
    assert "week 2 of 6" in out
    (pause,) = rows(enrolled.db, "pause")
    assert (pause["start_date"], pause["end_date"], pause["reason"]) == (
        "2026-03-10",
        "2026-03-13",
        "flu",
    )


def test_program_not_started_yet(rehab: Rehab) -> None:
    rehab("start", "plantar-fasciitis", "--side", "both", "--start", "2026-03-20")
    assert "starts on 2026-03-20" in rehab("today").out


def test_replace_ends_the_old_program(enrolled: Rehab) -> None:
    result = enrolled("start", "plantar-fasciitis", "--side", "left", "--replace")
    assert result.code == 0, result.err
    statuses = [(r["program_id"], r["status"]) for r in rows(enrolled.db, "enrollment")]
    assert statuses == [("heel-pain-self-care", "ended"), ("plantar-fasciitis", "active")]


def test_patients_are_kept_apart(enrolled: Rehab) -> None:
    assert enrolled("--patient", "Ana", "start", "plantar-fasciitis", "--side", "left").code == 0
    enrolled("--patient", "Ana", "pain", "6")
    enrolled("--patient", "me", "pain", "1")
    assert "Plantar" in enrolled("--patient", "Ana", "today").out
    assert "Heel pain self-care" in enrolled("--patient", "me", "today").out
    names = {r["name"] for r in rows(enrolled.db, "patient")}
    assert names == {"me", "Ana"}


def test_with_several_patients_a_command_without_patient_names_them(enrolled: Rehab) -> None:
    assert enrolled("--patient", "Ana", "start", "plantar-fasciitis", "--side", "left").code == 0
    before = rows(enrolled.db, "painentry")
    for args in (["today"], ["pain", "3"], ["start", "plantar-fasciitis", "--side", "left"]):
        result = enrolled(*args)
        assert result.code == 2, (args, result.err)
        assert result.err == (
            "rehab: --patient: this database has 2 patients (Ana and me); "
            "say whose records with --patient NAME\n"
        )
    assert rows(enrolled.db, "painentry") == before
    assert {r["name"] for r in rows(enrolled.db, "patient")} == {"me", "Ana"}


def test_a_database_with_one_patient_opens_that_patient(rehab: Rehab) -> None:
    assert rehab("--patient", "Ana", "start", "plantar-fasciitis", "--side", "left").code == 0
    assert "Plantar" in rehab("today").out
    assert rehab("pain", "2").code == 0
    (pain,) = rows(rehab.db, "painentry")
    (ana,) = rows(rehab.db, "patient")
    assert (ana["name"], pain["patient_id"]) == ("Ana", ana["id"])  # no 'me' made


def test_a_command_that_only_looks_writes_no_patient(rehab: Rehab) -> None:
    def patients() -> list[str]:
        if not rehab.db.exists() or rehab.db.stat().st_size == 0:
            return []
        con = sqlite3.connect(rehab.db)
        try:
            found = con.execute("SELECT name FROM sqlite_master WHERE name = 'patient'")
            if found.fetchone() is None:
                return []
            return [name for (name,) in con.execute("SELECT name FROM patient")]
        finally:
            con.close()

    for args in (["today"], ["advice"], ["summary"], ["chart", "pain"], ["settings"]):
        rehab(*args)
        assert patients() == [], args
    assert rehab("start", "plantar-fasciitis", "--side", "left").code == 0
    assert patients() == ["me"]  # `start` makes the default patient


def _user_template(home: Path, name: str, body: str) -> Path:
    folder = home / "config" / "programs"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.toml"
    path.write_text(body, encoding="utf-8")
    return path


MY_PROGRAM = """
id = "my-calf-routine"
name = "My calf routine"
summary = "A stretch my physio gave me."
conditions = ["heel-pain"]
weeks = 4
sources = ["000_4546d74372f3ff20.txt"]

[[phases]]
id = "only"
name = "Only"
weeks = [1, 4]

[[exercises]]
id = "calf-stretch"
name = "Calf stretch"
kind = "stretch"
instructions = "Lean into the wall."
side = "each"
sets = [2, 3]
hold_seconds = 30
slots = ["evening"]
source = "000_4546d74372f3ff20.txt"
"""


def test_user_templates_are_listed_checked_and_startable(rehab: Rehab, rehab_home: Path) -> None:
    path = _user_template(rehab_home, "my-calf-routine", MY_PROGRAM)
    checked = rehab("programs", "check", str(path), db=False)
    assert checked.code == 0 and "ok" in checked.out
    listing = rehab("programs", db=False).out
    assert "my-calf-routine" in listing and "(your template)" in listing
    assert rehab("start", "my-calf-routine", "--side", "left").code == 0
    assert "Evening" in rehab("today").out


def test_a_user_template_may_not_take_a_builtin_id(rehab: Rehab, rehab_home: Path) -> None:
    body = MY_PROGRAM.replace('id = "my-calf-routine"', 'id = "plantar-fasciitis"')
    path = _user_template(rehab_home, "plantar-fasciitis", body)
    err = one_line_error(rehab("programs", "check", str(path), db=False))
    assert "built-in" in err
    listing = rehab("programs", db=False)
    assert listing.code == 0 and "built-in" in listing.err
    assert "My calf routine" not in listing.out


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (("sets = [2, 3]", "sets = [3, 2]"), "exercises[0].sets: min 3 is greater than max 2"),
        (("sets = [2, 3]", 'sets = "three"'), "exercises[0].sets"),
        (('slots = ["evening"]', 'slots = ["teatime"]'), "exercises[0].slots[0]"),
        (('name = "Only"', 'name = "Only"\ncolour = "red"'), "unknown field 'colour'"),
        (('source = "000', 'phases = ["later"]\nsource = "000'), "no phase 'later'"),
    ],
)
def test_programs_check_names_file_field_and_allowed(
    rehab: Rehab, tmp_path: Path, change: tuple[str, str], expected: str
) -> None:
    path = tmp_path / "my-calf-routine.toml"
    path.write_text(MY_PROGRAM.replace(*change), encoding="utf-8")
    err = one_line_error(rehab("programs", "check", str(path), db=False))
    assert str(path) in err and expected in err


def test_programs_check_missing_file(rehab: Rehab, tmp_path: Path) -> None:
    err = one_line_error(rehab("programs", "check", str(tmp_path / "nope.toml"), db=False))
    assert "nope.toml" in err


def test_a_mistyped_db_on_a_read_is_an_error_not_a_new_file(rehab: Rehab, tmp_path: Path) -> None:
    missing = tmp_path / "nope" / "x.db"
    for args in (["today"], ["pain", "3"], ["remind", "--once"], ["settings", "show"]):
        err = one_line_error(rehab("--db", str(missing), *args, db=False))
        assert "no database at" in err
    assert not missing.parent.exists()
    err = one_line_error(rehab("--db", "", "today", db=False))
    assert "--db: empty" in err
    err = one_line_error(rehab("--db", "sqlitex://x", "today", db=False))
    assert "unsupported database URL scheme 'sqlitex'" in err
    # `start` may create it
    started = rehab(
        "--db", str(missing), "start", "heel-pain-self-care", "--side", "left", db=False
    )
    assert started.code == 0 and missing.exists()


def test_undo_does_not_reach_past_a_pause(enrolled: Rehab) -> None:
    assert enrolled("pain", "3").code == 0
    with time_machine.travel(datetime(2026, 3, 10, 9, 40, tzinfo=LISBON), tick=False):
        assert enrolled("pause", "--reason", "injury").code == 0
        err = one_line_error(enrolled("undo"))
    assert "pausing the program" in err and "rehab resume" in err
    assert rows(enrolled.db, "painentry", "voided_at IS NULL") != []


def test_a_pause_after_todays_check_offs_starts_tomorrow(enrolled: Rehab) -> None:
    assert enrolled("done", "gentle-walk").code == 0
    result = enrolled("pause", "--reason", "travel")
    assert "Paused from 2026-03-11 (today's entries are kept)" in result.out
    assert "[x] gentle-walk" in enrolled("today").out


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["skip", "gentle-walk", "--reason", "x" * 201], "allowed: up to 200"),
        (["pause", "--reason", "y" * 500], "allowed: up to 200"),
        (["pain", "3", "--at", "2024-01-01T08:00"], "more than a year ago"),
        (["check", "--stiffness", "5", "--date", "2024-01-01"], "more than a year ago"),
        (
            ["start", "plantar-fasciitis", "--side", "left", "--replace", "--start", "1900-01-01"],
            "more than a year ago",
        ),
    ],
)
def test_long_reasons_and_ancient_dates_are_refused(
    enrolled: Rehab, args: list[str], expected: str
) -> None:
    assert expected in one_line_error(enrolled(*args))
    assert rows(enrolled.db, "enrollment", "status = 'active'")[0]["program_id"] == (
        "heel-pain-self-care"
    )


def test_reason_with_line_breaks_is_folded(enrolled: Rehab) -> None:
    assert enrolled("skip", "gentle-walk", "--reason", "rain\nand   wind").code == 0
    (row,) = rows(enrolled.db, "doselog")
    assert row["reason"] == "rain and wind"


def test_debug_only_counts_before_the_command(enrolled: Rehab) -> None:
    result = enrolled("done", "gentle-walk", "--note", "--debug")
    assert result.code == 0


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ([], {"db": None, "patient": None, "debug": None}),
        (["--db", "x.db", "--patient", "Ana"], {"db": "x.db", "patient": "Ana", "debug": None}),
        (["--db=x.db", "--debug"], {"db": "x.db", "patient": None, "debug": "1"}),
        (["today"], None),
        (["--db", "x.db", "pain", "3"], None),
        (["--version"], None),
        (["--db"], None),
    ],
)
def test_the_app_fast_path_takes_only_global_options(
    args: list[str], expected: dict[str, str | None] | None
) -> None:
    from rehab.entry import _app_options

    assert _app_options(args) == expected


def test_without_a_terminal_rehab_prints_today(enrolled: Rehab) -> None:
    from tests.conftest import run_process

    result = run_process("--db", str(enrolled.db))
    # a subprocess runs on the real clock: the March program may have ended by now
    assert result.code == 0 and result.out.startswith("Heel pain self-care")
    assert "Not medical advice; follow your clinician." in result.out


def test_resuming_a_pause_that_had_not_begun_says_it_was_cancelled(enrolled: Rehab) -> None:
    assert enrolled("done", "gentle-walk").code == 0
    assert "from 2026-03-11" in enrolled("pause", "--reason", "travel").out
    assert "Pause cancelled" in enrolled("resume").out
    assert "paused" not in enrolled("today", "--date", "2026-03-11").out.lower()


def test_settings_errors_name_the_flag_and_pause_help_says_from_when(enrolled: Rehab) -> None:
    bad = enrolled("settings", "reminders", "--timezone", "Mars/Base")
    assert bad.code == 2 and bad.err.startswith("rehab: --timezone: unknown time zone 'Mars/Base'")
    bad = enrolled("settings", "reminders", "--quiet", "late")
    assert bad.code == 2 and bad.err.startswith("rehab: --quiet: 'late' is not a range")
    helped = enrolled("pause", "--help")
    assert "or from tomorrow when today already has check" in " ".join(helped.out.split())


@pytest.mark.parametrize("group", ["programs", "settings"])
def test_group_help_lists_each_command_whole(rehab: Rehab, group: str) -> None:
    helped = rehab(group, "--help")
    assert helped.code == 0
    commands = helped.out.split("Commands:", 1)[1]
    assert "..." not in commands and "…" not in commands, commands
