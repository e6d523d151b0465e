"""Red flags from `rehab check` and `rehab pain`: the advice is printed first and plainly,
the flag is recorded, the program pauses, and nothing can be checked off, skipped or resumed
until `rehab cleared --by NAME` says a clinician has cleared it."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine

from rehab.core.redflags import FLAG_IDS
from tests.conftest import REPO, Rehab, Result

LISBON = ZoneInfo("Europe/Lisbon")
NOW = datetime(2026, 3, 10, 9, 30, tzinfo=LISBON)  # a Tuesday
BLOCKED = "a clinician must clear it first"


@pytest.fixture(autouse=True)
def fixed_clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def enrolled(rehab: Rehab) -> Rehab:
    result = rehab("start", "achilles-midportion", "--side", "left", "--start", "2026-03-02")
    assert result.code == 0, result.err
    return rehab


def rows(db: Path, table: str) -> list[sqlite3.Row]:
    con = sqlite3.connect(db)
    con.row_factory = sqlite3.Row
    try:
        return con.execute(f"SELECT * FROM {table} ORDER BY id").fetchall()
    finally:
        con.close()


def flags(db: Path) -> list[tuple[str, str, str | None, str | None]]:
    """(flag, source, cleared_by, cleared_on) of every red flag recorded, oldest first."""
    return [
        (r["flag"], r["source"], r["cleared_by"], r["cleared_on"]) for r in rows(db, "redflagentry")
    ]


def counts(db: Path) -> dict[str, int]:
    tables = ("doselog", "painentry", "symptomcheck", "pause", "enrollment")
    return {t: len(rows(db, t)) for t in tables}


def one_line_error(result: Result, code: int = 2) -> str:
    assert result.code == code, (result.code, result.out, result.err)
    assert result.err.count("\n") == 1, result.err
    assert "Traceback" not in result.err
    return result.err


def test_a_rupture_sign_says_same_day_records_it_and_pauses(enrolled: Rehab) -> None:
    result = enrolled("check", "--flag", "pop", "--note", "on the stairs")
    assert result.code == 0, result.err
    out = result.out
    assert "RED FLAG (pop)" in out
    assert "Stop the exercises and see a clinician the same day" in out
    assert "Being able to walk does not rule it out" in out
    assert out.index("RED FLAG") < out.index("paused")  # the advice comes first
    (check,) = rows(enrolled.db, "symptomcheck")
    assert check["note"] == "on the stairs"
    assert check["check_date"] == "2026-03-10"
    (pause,) = rows(enrolled.db, "pause")
    assert (pause["start_date"], pause["end_date"], pause["reason"]) == (
        "2026-03-10",
        None,
        "red flag: pop",
    )
    (entry,) = rows(enrolled.db, "redflagentry")
    assert (entry["flag"], entry["source"], entry["raised_on"]) == ("pop", "answer", "2026-03-10")
    assert (entry["check_id"], entry["pause_id"]) == (check["id"], pause["id"])
    assert "paused" in enrolled("today").out


def test_a_soon_flag_does_not_say_same_day(enrolled: Rehab) -> None:
    out = enrolled("check", "--flag", "nerve").out
    assert "see a clinician soon" in out and "same day" not in out


def test_done_skip_resume_and_friends_are_refused_until_cleared(enrolled: Rehab) -> None:
    assert enrolled("check", "--flag", "gap", "--flag", "infection").code == 0
    before = counts(enrolled.db)
    for args in (
        ["done", "seated-raise-phase-1"],
        ["done", "seated-raise-phase-1", "--date", "2026-03-09"],  # a day before the pause
        ["skip", "seated-raise-phase-1", "--reason", "no time", "--date", "2026-03-09"],
        ["resume"],
        ["pause", "--reason", "travel"],
        ["start", "plantar-fasciitis", "--side", "left", "--replace"],
    ):
        err = one_line_error(enrolled(*args), code=1)
        assert f"paused for a red flag (gap, infection) since 2026-03-10: {BLOCKED}" in err, args
        assert "rehab cleared --by NAME" in err
    # the answer that raised it stays: a clinician clears a mistaken one
    err = one_line_error(enrolled("undo"), code=1)
    assert "raised a red flag (gap) on 2026-03-10 that is not cleared yet" in err
    assert counts(enrolled.db) == before
    (pause,) = rows(enrolled.db, "pause")
    assert pause["end_date"] is None


def test_cleared_by_a_clinician_ends_the_pause(enrolled: Rehab) -> None:
    assert enrolled("check", "--flag", "pop").code == 0
    with time_machine.travel(datetime(2026, 3, 12, 18, 0, tzinfo=LISBON), tick=False):
        result = enrolled("cleared", "--by", "Dr  Sousa")
        assert result.code == 0, result.err
        assert "Cleared by Dr Sousa (pop)" in result.out
        (pause,) = rows(enrolled.db, "pause")
        assert (pause["start_date"], pause["end_date"]) == ("2026-03-10", "2026-03-12")
        assert pause["reason"] == "red flag: pop; cleared by Dr Sousa on 2026-03-12"
        assert flags(enrolled.db) == [("pop", "answer", "Dr Sousa", "2026-03-12")]
        assert enrolled("done", "seated-raise-phase-1").code == 0
        assert "not paused" in one_line_error(enrolled("resume"))
        assert "nothing to clear" in one_line_error(enrolled("cleared", "--by", "Dr Sousa"))


def test_cleared_needs_a_name(enrolled: Rehab) -> None:
    assert enrolled("check", "--flag", "pop").code == 0
    assert "--by" in one_line_error(enrolled("cleared"))
    assert "--by: give the name" in one_line_error(enrolled("cleared", "--by", "  "))
    assert "too long" in one_line_error(enrolled("cleared", "--by", "x" * 61))
    assert rows(enrolled.db, "pause")[0]["end_date"] is None


@pytest.mark.parametrize("command", [["check"], ["pain", "4"]])
def test_an_unknown_flag_is_one_line_listing_the_ids(enrolled: Rehab, command: list[str]) -> None:
    before = counts(enrolled.db)
    err = one_line_error(enrolled(*command, "--flag", "pop", "--flag", "ouch"))
    assert "'ouch' is not one of" in err
    assert all(flag_id in err for flag_id in FLAG_IDS)
    assert counts(enrolled.db) == before


def test_pain_with_a_flag_logs_both_and_pauses(enrolled: Rehab) -> None:
    result = enrolled("pain", "7", "--context", "night", "--flag", "rest-pain")
    assert result.code == 0, result.err
    assert "Pain 7/10 (night) logged" in result.out
    assert "see a clinician soon" in result.out
    (pain,) = rows(enrolled.db, "painentry")
    assert pain["score"] == 7
    (check,) = rows(enrolled.db, "symptomcheck")
    assert check["note"] is None
    (pause,) = rows(enrolled.db, "pause")
    assert pause["reason"] == "red flag: rest-pain"
    assert flags(enrolled.db) == [("rest-pain", "answer", None, None)]
    assert BLOCKED in one_line_error(enrolled("done", "seated-raise-phase-1"), code=1)


def test_a_check_with_values_and_a_flag_is_one_row(enrolled: Rehab) -> None:
    result = enrolled("check", "--stiffness", "30", "--swelling", "--flag", "infection")
    assert result.code == 0, result.err
    assert "Morning check logged for 2026-03-10" in result.out
    (check,) = rows(enrolled.db, "symptomcheck")
    assert (check["stiffness_minutes"], check["swelling"], check["note"]) == (30, 1, None)
    (entry,) = rows(enrolled.db, "redflagentry")
    assert (entry["flag"], entry["check_id"]) == ("infection", check["id"])


def test_a_second_flag_joins_the_open_red_flag_pause(enrolled: Rehab) -> None:
    assert enrolled("check", "--flag", "nerve").code == 0
    result = enrolled("pain", "5", "--flag", "pop")
    assert result.code == 0, result.err
    assert "stays paused" in result.out and "same day" in result.out
    (pause,) = rows(enrolled.db, "pause")
    assert pause["reason"] == "red flag: pop, nerve"
    assert [f[0] for f in flags(enrolled.db)] == ["nerve", "pop"]
    assert {r["pause_id"] for r in rows(enrolled.db, "redflagentry")} == {pause["id"]}


def test_a_flag_during_an_ordinary_pause_makes_it_a_red_flag_pause(enrolled: Rehab) -> None:
    assert enrolled("pause", "--reason", "travel").code == 0
    assert enrolled("check", "--flag", "both-heels").code == 0
    (pause,) = rows(enrolled.db, "pause")
    assert pause["reason"] == "red flag: both-heels; paused before for: travel"
    assert BLOCKED in one_line_error(enrolled("resume"), code=1)
    assert enrolled("cleared", "--by", "Dr Sousa").code == 0
    (pause,) = rows(enrolled.db, "pause")
    assert pause["reason"] == (
        "red flag: both-heels; cleared by Dr Sousa on 2026-03-10; paused before for: travel"
    )
    assert flags(enrolled.db) == [("both-heels", "answer", "Dr Sousa", "2026-03-10")]
    assert pause["end_date"] == "2026-03-10"


def test_without_a_program_the_flag_is_recorded_and_nothing_paused(rehab: Rehab) -> None:
    result = rehab("check", "--flag", "pop", db=False)
    assert result.code == 0, result.err
    assert "same day" in result.out and "No program is active" in result.out


def test_check_still_needs_something_to_log(enrolled: Rehab) -> None:
    err = one_line_error(enrolled("check"))
    assert "--red-flags" in err and "--flag" in err


def test_the_help_names_every_flag(enrolled: Rehab) -> None:
    out = enrolled("check", "--help").out
    assert all(flag_id in out for flag_id in FLAG_IDS)


def _run_with_input(db: Path, text: str, *args: str) -> Result:
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]),
    }
    proc = subprocess.run(
        [sys.executable, "-m", "rehab", "--db", str(db), *args],
        input=text,
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    return Result(proc.returncode, proc.stdout, proc.stderr)


def test_the_questions_are_asked_one_by_one(enrolled: Rehab) -> None:
    # pop: n; no-heel-raise: "maybe" (asked again), then y; the other five: n
    result = _run_with_input(enrolled.db, "n\nmaybe\ny\nn\nn\nn\nn\nn\n", "check", "--red-flags")
    assert result.code == 0, result.err
    assert "Did you feel a sudden pop" in result.out
    assert "'maybe' is not an answer here (allowed: y or n)" in result.out
    assert "RED FLAG (no-heel-raise)" in result.out and "same day" in result.out
    (check,) = rows(enrolled.db, "symptomcheck")
    assert check["note"] is None
    (pause,) = rows(enrolled.db, "pause")
    assert pause["reason"] == "red flag: no-heel-raise" and pause["end_date"] is None
    assert flags(enrolled.db) == [("no-heel-raise", "answer", None, None)]


def test_input_ending_before_the_last_answer_is_one_line_exit_2(enrolled: Rehab) -> None:
    before = counts(enrolled.db)
    result = _run_with_input(enrolled.db, "n\n", "check", "--red-flags")
    assert result.code == 2, result
    assert result.err == (
        "rehab: no answer to 'Standing on the painful leg alone, are you unable to rise onto "
        "your toes?' (end of input); answer y or n at a terminal, or give --flag ID for each "
        "yes (or --no-red-flags)\n"
    )
    assert counts(enrolled.db) == before


def test_all_no_writes_nothing(enrolled: Rehab) -> None:
    before = counts(enrolled.db)
    result = _run_with_input(enrolled.db, "n\n" * len(FLAG_IDS), "check", "--red-flags")
    assert result.code == 0, result.err
    assert "No red flags" in result.out
    assert counts(enrolled.db) == before


def test_today_says_a_clinician_must_clear_a_red_flag_pause(enrolled: Rehab) -> None:
    assert enrolled("pain", "4", "--flag", "both-heels").code == 0
    out = enrolled("today").out
    assert "paused for a red flag" in out and "rehab cleared --by NAME" in out
    assert "rehab resume" not in out
