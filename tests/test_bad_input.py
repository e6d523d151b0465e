"""Every bad input a person or a file can give ends in one line and exit status 2: what was
wrong and what is allowed. No "internal error", no traceback, nothing written, no file made.

The cases are the families a fuzz run found ending in "internal error" or read as numbers
they are not (`1_000`, `３`, `٣`): dates at the ends of the calendar, instants whose offset
runs past them, bytes that are not UTF-8 in an argument, `~nouser`, a 5,000-digit number,
a template or JSON nested 50,000 deep.
"""

from __future__ import annotations

import hashlib
import json
import re
import sqlite3
from pathlib import Path

import pytest
import time_machine

from tests.conftest import REPO, Rehab, Result

NOT_UTF8 = b"caf\xe9".decode("utf-8", "surrogateescape")  # what Python makes of argv bytes
ANSWERS = {
    "morning_stiffness": 6,
    "stretch_pain": 5,
    "walking_pain": 6,
    "downstairs_pain": 7,
    "heel_raise_pain": 5,
    "pain_free_hops": 4,
    "activity_level": 4,
    "training_branch": "B",
    "training_minutes": 20,
}


def _answers(**changes: object) -> str:
    return json.dumps({**ANSWERS, **changes})


def _huge_answers() -> str:
    text = _answers(training_minutes=0)
    return text.replace('"training_minutes": 0', '"training_minutes": ' + "9" * 5000)


# (case id, arguments, a phrase the one line must hold). Arguments starting with "@" name a
# file made by FILES below, in the working folder.
CASES: list[tuple[str, list[str], str]] = [
    # dates and instants at the ends of the calendar
    ("ics-to-9999", ["export", "ics", "--out", "-", "--to", "9999-12-31"], "2199-12-31"),
    (
        "ics-0001-9999",
        ["export", "ics", "--out", "-", "--from", "0001-01-01", "--to", "9999-12-31"],
        "1900-01-01 to 2199-12-31",
    ),
    (
        "report-0001-9999",
        ["export", "report", "--out", "-", "--from", "0001-01-01", "--to", "9999-12-31"],
        "1900-01-01 to 2199-12-31",
    ),
    ("json-from-1899", ["export", "json", "--out", "-", "--from", "1899-12-31"], "1900-01-01"),
    ("done-date-9999", ["done", "calf-stretch", "--date", "9999-12-31"], "2199-12-31"),
    (
        "start-0001",
        ["start", "plantar-fasciitis", "--side", "left", "--start", "0001-01-01"],
        "1900",
    ),
    ("pain-at-0001", ["pain", "3", "--at", "0001-01-01T00:00+14:00"], "1900-01-01 to 2199-12-31"),
    ("remind-at-0001", ["remind", "--once", "--at", "0001-01-01T00:00+14:00"], "2199-12-31"),
    ("pain-at-9999", ["pain", "3", "--at", "9999-12-31T23:59-12:00"], "2199-12-31"),
    ("pain-at-fullwidth", ["pain", "3", "--at", "２０２６-03-10T08:00"], "ISO 8601"),
    ("date-fullwidth", ["done", "calf-stretch", "--date", "２０２６-03-10"], "YYYY-MM-DD"),
    ("date-arabic", ["check", "--stiffness", "5", "--date", "٢٠٢٦-٠٣-١٠"], "YYYY-MM-DD"),
    # arguments that are not UTF-8
    ("pain-note", ["pain", "3", "--note", NOT_UTF8], "UTF-8"),
    ("done-note", ["done", "calf-stretch", "--note", NOT_UTF8], "UTF-8"),
    ("check-note", ["check", "--stiffness", "5", "--note", NOT_UTF8], "UTF-8"),
    ("skip-reason", ["skip", "calf-stretch", "--reason", NOT_UTF8], "UTF-8"),
    ("pause-reason", ["pause", "--reason", NOT_UTF8], "UTF-8"),
    ("patient", ["--patient", NOT_UTF8, "today"], "UTF-8"),
    (
        "patient-start",
        ["--patient", NOT_UTF8, "start", "plantar-fasciitis", "--side", "left"],
        "UTF-8",
    ),
    ("cleared-by", ["cleared", "--by", NOT_UTF8], "UTF-8"),
    ("accept-by", ["accept", "--by", NOT_UTF8], "UTF-8"),
    ("done-key", ["done", NOT_UTF8], "UTF-8"),
    ("programs-show", ["programs", "show", NOT_UTF8], "UTF-8"),
    ("timezone", ["settings", "reminders", "--timezone", NOT_UTF8], "time zone"),
    ("db-not-utf8", ["--db", NOT_UTF8 + ".db", "pain", "3"], "UTF-8"),
    # a home folder that cannot be found
    ("db-nouser-today", ["--db", "~no-such-user-rehab/x.db", "today"], "~no-such-user-rehab"),
    ("db-nouser-pain", ["--db", "~no-such-user-rehab/x.db", "pain", "3"], "no such user"),
    ("demo-db-nouser", ["demo", "--db", "~no-such-user-rehab/x.db", "--no-open"], "no such user"),
    # numbers Python reads but a person does not mean
    ("stiffness-underscore", ["check", "--stiffness", "1_000"], "whole number"),
    ("stiffness-fullwidth", ["check", "--stiffness", "３"], "whole number"),
    ("stiffness-arabic", ["check", "--stiffness", "٣"], "whole number"),
    ("pain-arabic", ["pain", "٣"], "whole number"),
    ("pain-superscript", ["pain", "²"], "whole number"),
    ("sets-fullwidth", ["done", "calf-stretch", "--sets", "１"], "whole number"),
    ("hold-underscore", ["done", "calf-stretch", "--hold", "1_0"], "number"),
    ("minutes-exponent", ["done", "ice", "--minutes", "1e1"], "number"),
    ("minutes-fullwidth", ["done", "ice", "--minutes", "１５"], "number"),
    ("load-nan", ["done", "calf-stretch", "--load", "nan"], "number"),
    ("load-infinity", ["done", "calf-stretch", "--load", "inf"], "number"),
    ("pain-5000-digits", ["pain", "9" * 5000], "whole number"),
    ("weeks-arabic", ["chart", "pain", "--weeks", "١٢"], "whole number"),
    ("morning-fullwidth", ["settings", "reminders", "--morning", "０８:００"], "HH:MM"),
    ("quiet-underscore", ["settings", "reminders", "--quiet", "2_2:00-07:00"], "HH:MM-HH:MM"),
    ("quiet-arabic", ["settings", "reminders", "--quiet", "٢٢:00-07:00"], "HH:MM-HH:MM"),
    ("evening-arabic-digit", ["settings", "reminders", "--evening", "1٩:00"], "HH:MM"),
    ("quiet-arabic-digit", ["settings", "reminders", "--quiet", "1٢:00-07:00"], "HH:MM-HH:MM"),
    # questionnaire answers and templates that break the parsers
    ("visa-5000-digits", ["visa", "--answers", _huge_answers()], "digits"),
    ("visa-5000-digits-file", ["visa", "--answers", "@huge.json"], "digits"),
    ("visa-deep-json", ["visa", "--answers", "@deep.json"], "nested"),
    ("visa-minutes-arabic", ["visa", "--answers", _answers(training_minutes="٣")], "allowed"),
    ("visa-minutes-superscript", ["visa", "--answers", _answers(training_minutes="²")], "allowed"),
    ("visa-minutes-1e30", ["visa", "--answers", _answers(training_minutes=10**30)], "1440"),
    ("toml-deep", ["programs", "check", "deep-template.toml"], "nested"),
    ("toml-5000-digits", ["programs", "check", "huge-template.toml"], "digits"),
    ("toml-sets-1000000", ["programs", "check", "my-sets.toml"], "(allowed: up to 20)"),
    ("toml-hold-100000000", ["programs", "check", "my-hold.toml"], "(allowed: up to 600 s)"),
]

FILES = {
    "huge.json": lambda: _huge_answers(),
    "deep.json": lambda: "[" * 100_000 + "]" * 100_000,
    "deep-template.toml": lambda: "id = " + "[" * 50_000 + "]" * 50_000 + "\n",
    "huge-template.toml": lambda: "weeks = " + "9" * 5000 + "\n",
    "my-sets.toml": lambda: _builtin_as("my-sets", "sets = [2, 3]", "sets = 1000000"),
    "my-hold.toml": lambda: _builtin_as("my-hold", "hold_seconds = 30", "hold_seconds = 100000000"),
}


def _builtin_as(new_id: str, old: str, new: str) -> str:
    """The heel-pain template under another id, with one dose changed."""
    text = (REPO / "programs" / "heel-pain-self-care.toml").read_text(encoding="utf-8")
    assert old in text
    return text.replace('id = "heel-pain-self-care"', f'id = "{new_id}"').replace(old, new, 1)


ONE_LINE = re.compile(r"^rehab( [a-z-]+)*: \S.*\n$")


def _digest(db: Path) -> str:
    con = sqlite3.connect(db)
    try:
        return hashlib.sha256("\n".join(con.iterdump()).encode()).hexdigest()
    finally:
        con.close()


@pytest.fixture(scope="module")
def base_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An enrolled database with a few entries, copied for each case."""
    import os

    folder = tmp_path_factory.mktemp("base")
    db = folder / "rehab.db"
    os.environ["REHAB_HOME"] = str(folder / "home")
    try:
        rehab = Rehab(db)
        with time_machine.travel("2026-03-10 09:30 +00:00", tick=False):
            assert (
                rehab(
                    "start", "heel-pain-self-care", "--side", "both", "--start", "2026-03-02"
                ).code
                == 0
            )
            assert rehab("done", "calf-stretch", "--side", "left").code == 0
            assert rehab("pain", "3").code == 0
    finally:
        del os.environ["REHAB_HOME"]
    con = sqlite3.connect(db)
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()
    return db


def _run_case(
    args: list[str], base_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[Result, Path, str]:
    work = tmp_path / "work"
    work.mkdir()
    db = tmp_path / "rehab.db"
    db.write_bytes(base_db.read_bytes())
    for name, make in FILES.items():
        if name in args or f"@{name}" in args:
            (work / name).write_text(make(), encoding="utf-8")
    monkeypatch.chdir(work)
    before_files = sorted(p.name for p in work.iterdir())
    before_db = _digest(db)
    with time_machine.travel("2026-03-10 09:30 +00:00", tick=False):
        result = Rehab(db)(*args, db=not any(a == "--db" for a in args))
    assert sorted(p.name for p in work.iterdir()) == before_files, "a file was created"
    assert _digest(db) == before_db, "the database changed"
    return result, work, before_db


@pytest.mark.parametrize(("args", "phrase"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_input_is_one_line_and_exit_2(
    args: list[str], phrase: str, base_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    result, _, _ = _run_case(args, base_db, tmp_path, monkeypatch)
    assert result.code == 2, (result.code, result.err, result.out[:300])
    assert ONE_LINE.match(result.err), result.err
    assert "internal error" not in result.err and "Traceback" not in result.err
    assert phrase in result.err, result.err
    assert "allowed" in result.err or "use" in result.err or "give" in result.err, result.err
