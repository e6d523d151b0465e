"""`rehab chart` and `rehab summary`: the weekly and daily aggregates against numbers worked
out by hand, the charts as plain text, and the promise that a chart reads only its window.

The history is built through the real CLI on the Alfredson program (left leg, from Monday
2026-03-02), with a week's pause, an undone check-off, an undone pain score and VISA-A
scores (written straight into the table: there is no command for them yet).
"""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from sqlalchemy import Engine, event
from sqlmodel import Session

from rehab import charts
from rehab.core import series
from rehab.store import trends
from tests.conftest import Rehab

LISBON = ZoneInfo("Europe/Lisbon")
START = date(2026, 3, 2)
TODAY = date(2026, 3, 20)
NOW = datetime(2026, 3, 20, 19, 0, tzinfo=LISBON)
PROGRAM = "achilles-midportion-alfredson"

# Counted doses a day on the left leg: two heel drops morning and evening (4), the calf
# stretch on each leg (2) and the massage stick (1); ice is as needed and not counted.
PER_DAY = 7


def d(day: int) -> date:
    return date(2026, 3, day)


def ok(rehab: Rehab, *args: str) -> None:
    result = rehab(*args)
    assert result.code == 0, (args, result.err)


def build_history(rehab: Rehab) -> None:
    """Week 1 (2 to 8 March): both morning heel drops every day, 14 of 49 doses. Paused from
    9 to 15 March. Week 2 (16 to 20 March, today): calf stretch every day (2 doses), massage
    skipped on the 16th and done on the 17th to 20th, straight-knee drops with weight on
    the 18th (twice) and 19th: 10 + 4 + 3 = 17 of 35 doses. One more check-off is undone."""
    ok(rehab, "start", PROGRAM, "--side", "left", "--start", str(START))
    with time_machine.travel(datetime(2026, 3, 9, 8, 0, tzinfo=LISBON), tick=False):
        ok(rehab, "pause", "--reason", "travel")
    with time_machine.travel(datetime(2026, 3, 16, 8, 0, tzinfo=LISBON), tick=False):
        ok(rehab, "resume")
    for day in range(2, 9):
        pain = {5: ["--pain", "2"], 6: ["--pain", "6"]}.get(day, [])
        ok(rehab, "done", "heel-drop-straight-knee", "--date", str(d(day)), *pain)
        ok(rehab, "done", "heel-drop-bent-knee", "--date", str(d(day)))
    for day in range(16, 21):
        pain = ["--pain", "1"] if day == 17 else []
        ok(rehab, "done", "calf-stretch", "--date", str(d(day)), *pain)
    ok(rehab, "skip", "massage-stick", "--date", str(d(16)), "--reason", "no time")
    for day in range(17, 21):
        ok(rehab, "done", "massage-stick", "--date", str(d(day)))
    ok(rehab, "done", "heel-drop-straight-knee", "--date", str(d(17)), "--pain", "9")
    assert "Undone: done heel-drop-straight-knee on 2026-03-17" in rehab("undo").out
    ok(rehab, "done", "heel-drop-straight-knee", "--date", str(d(18)), "--load", "5")
    ok(rehab, "done", "heel-drop-straight-knee#2", "--date", str(d(18)), "--load", "7.5")
    ok(rehab, "done", "heel-drop-straight-knee", "--date", str(d(19)), "--load", "5")

    morning = [("03-05T07:30", 3), ("03-05T09:00", 5), ("03-06T07:30", 2), ("03-08T07:30", 4),
               ("03-10T07:30", 6), ("03-16T07:30", 1), ("03-18T07:30", 3)]  # fmt: skip
    for at, score in morning:
        ok(rehab, "pain", str(score), "--context", "morning", "--at", f"2026-{at}")
    ok(rehab, "pain", "4", "--context", "during", "--at", "2026-03-05T08:00")
    ok(rehab, "pain", "3", "--context", "during", "--at", "2026-03-06T08:00")
    ok(rehab, "pain", "1", "--context", "after", "--at", "2026-03-06T10:00")
    ok(rehab, "pain", "2", "--context", "rest", "--at", "2026-03-06T12:00")  # not charted
    ok(rehab, "check", "--date", str(d(5)), "--stiffness", "10")
    ok(rehab, "check", "--date", str(d(6)), "--stiffness", "20")
    with time_machine.travel(datetime(2026, 3, 20, 19, 5, tzinfo=LISBON), tick=False):
        ok(rehab, "pain", "9", "--context", "morning", "--at", "2026-03-07T07:30")
        assert "pain 9/10" in rehab("undo").out

    with sqlite3.connect(rehab.db) as con:
        patient = con.execute("SELECT id FROM patient").fetchone()[0]
        con.executemany(
            "INSERT INTO assessment (patient_id, instrument, taken_on, answers_json, score, "
            "logged_at, voided_at) VALUES (?, 'visa-a', ?, '{}', ?, '2026-03-20 18:00:00', ?)",
            [
                (patient, "2026-03-02", 50, None),
                (patient, "2026-03-16", 60, None),
                (patient, "2026-03-19", 90, "2026-03-19 18:00:00"),  # undone
            ],
        )


@pytest.fixture(autouse=True)
def fixed_clock() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture(scope="module")
def history_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The history is built once; each test gets its own copy."""
    folder = tmp_path_factory.mktemp("history")
    with (
        pytest.MonkeyPatch.context() as mp,
        time_machine.travel(NOW, tick=False),
    ):
        mp.setenv("REHAB_HOME", str(folder / "home"))
        mp.setenv("TZ", "Europe/Lisbon")
        mp.delenv("REHAB_DB", raising=False)
        rehab = Rehab(folder / "rehab.db")
        build_history(rehab)
    return folder / "rehab.db"


@pytest.fixture
def history(history_file: Path, rehab: Rehab) -> Rehab:
    for suffix in ("", "-wal", "-shm"):
        source = Path(f"{history_file}{suffix}")
        if source.exists():
            shutil.copy(source, f"{rehab.db}{suffix}")
    return rehab


@contextmanager
def session_on(db: Path) -> Iterator[tuple[Session, Any]]:
    from rehab.store.db import open_engine
    from rehab.store.journal import find_patient
    from rehab.store.url import database_url

    engine = open_engine(database_url(str(db)), create=False)
    try:
        with Session(engine) as session:
            yield session, find_patient(session, name=None)
    finally:
        engine.dispose()


# --- the aggregates -----------------------------------------------------------------------


def test_moving_average_is_the_mean_of_the_last_seven_days_with_a_value() -> None:
    points = [(d(5), 5), (d(6), 2), (d(8), 4), (d(10), 6), (d(16), 1), (d(18), 3)]
    assert series.moving_average(points) == [
        (d(5), 5.0),
        (d(6), 3.5),
        (d(8), 11 / 3),
        (d(10), 17 / 4),  # 4 to 10 March: 5, 2, 4, 6
        (d(16), 3.5),  # 10 to 16 March: 6, 1
        (d(18), 2.0),  # 12 to 18 March: 1, 3
    ]
    assert series.moving_average([]) == []


def test_daily_pain_is_the_worst_of_each_day_without_undone_entries(history: Rehab) -> None:
    with session_on(history.db) as (session, patient):
        pain = trends.daily_pain(session, patient=patient, first=START, last=TODAY)
        assert pain.morning == [(d(5), 5), (d(6), 2), (d(8), 4), (d(10), 6), (d(16), 1), (d(18), 3)]
        # during: check-off --pain 2 and an entry of 4 on the 5th; --pain 6 and 3 on the 6th;
        # the undone check-off with --pain 9 on the 17th does not count, the stretch's 1 does
        assert pain.during == [(d(5), 4), (d(6), 6), (d(17), 1)]
        assert pain.after == [(d(6), 1)]
        narrow = trends.daily_pain(session, patient=patient, first=d(6), last=d(8))
        assert narrow.morning == [(d(6), 2), (d(8), 4)]


def test_weekly_adherence_counts_program_weeks_and_leaves_the_pause_out(history: Rehab) -> None:
    with session_on(history.db) as (session, patient):
        weeks = trends.weeks(session, patient=patient, first=d(1), last=TODAY)
    assert [(w.start, w.end, w.status, w.number) for w in weeks] == [
        (d(1), d(1), "off", None),  # the day before the program started
        (d(2), d(8), "active", 1),
        (d(9), d(15), "paused", None),
        (d(16), d(20), "active", 2),
    ]
    week1, paused, week2 = weeks[1:]
    assert (week1.done, week1.planned, week1.percent) == (14, 7 * PER_DAY, 29)
    assert (paused.done, paused.planned, paused.percent) == (0, 0, None)
    assert (week2.done, week2.planned, week2.percent) == (17, 5 * PER_DAY, 49)
    assert week1.phases == ("Eccentric heel drops",)


def test_the_window_cuts_weeks_and_all_starts_at_the_first_program(history: Rehab) -> None:
    with session_on(history.db) as (session, patient):
        one = trends.window(session, patient=patient, today=TODAY, weeks=1)
        assert (one.first, one.last, one.period) == (d(14), TODAY, "in the last week")
        whole = trends.window(session, patient=patient, today=TODAY, weeks=None)
        assert (whole.first, whole.period) == (START, "")
        weeks = trends.weeks(session, patient=patient, first=one.first, last=one.last)
    assert [(w.start, w.status, w.planned) for w in weeks] == [
        (d(14), "paused", 0),
        (d(16), "active", 5 * PER_DAY),
    ]


def test_load_is_the_heaviest_per_day_for_each_strengthening_exercise(history: Rehab) -> None:
    with session_on(history.db) as (session, patient):
        loads = trends.load_by_exercise(session, patient=patient, first=START, last=TODAY)
    by_id = {s.exercise_id: s for s in loads}
    assert set(by_id) == {"heel-drop-straight-knee", "heel-drop-bent-knee"}  # not the stretch
    straight = by_id["heel-drop-straight-knee"]
    assert straight.name == "Heel drop, straight knee"
    # body weight (0 kg) in week 1; 5 and 7.5 kg on the 18th; the undone 17th is left out
    assert straight.points == [(d(day), 0.0) for day in range(2, 9)] + [
        (d(18), 7.5),
        (d(19), 5.0),
    ]
    assert by_id["heel-drop-bent-knee"].points == [(d(day), 0.0) for day in range(2, 9)]


def test_visa_scores_leave_undone_ones_out(history: Rehab) -> None:
    with session_on(history.db) as (session, patient):
        assert trends.visa_scores(session, patient=patient, first=START, last=TODAY) == [
            (d(2), 50),
            (d(16), 60),
        ]
        spans = trends.stretches(session, patient=patient, first=START, last=TODAY)
        found = trends.markers(session, first=START, last=TODAY, spans=spans)
    assert found.pauses == [trends.PauseMark(d(9), d(16), "travel")]
    assert found.phase_changes == []


# --- the charts ---------------------------------------------------------------------------


def test_pain_chart_has_dates_on_the_x_axis_and_no_colour_when_piped(history: Rehab) -> None:
    result = history("chart", "pain")
    assert result.code == 0, result.err
    out = result.out
    assert "\x1b[" not in out
    assert "Pain 0–10 (0 = none), last 12 weeks" in out
    # the axis runs from the first score (the 5th) to today, with both ends labelled
    axis = next(line for line in out.splitlines() if "2026-03-20" in line)
    assert "2026-03-05" in axis
    assert "7-day average" in out and "during exercise" in out and "after exercise" in out
    assert "▀▀ paused" in out  # the pause from the 9th to the 15th is marked


def test_every_chart_kind_draws_plain_text(history: Rehab) -> None:
    adherence = history("chart", "adherence", "--all")
    assert adherence.code == 0 and "\x1b[" not in adherence.out
    assert "29%" in adherence.out and "49%" in adherence.out and "paused" in adherence.out
    assert "2026-03-02" in adherence.out
    load = history("chart", "load", "--weeks", "4")
    assert load.code == 0 and "Heel drop, straight knee" in load.out
    assert "Extra load in kg" in load.out
    visa = history("chart", "visa", "--weeks", "52")
    assert visa.code == 0 and "\x1b[" not in visa.out
    assert "first score 50 ± 14: outside it is a clinically important change" in visa.out


def test_charts_are_sized_and_coloured_only_when_asked() -> None:
    morning = [(d(5), 5), (d(6), 2), (d(8), 4)]
    plain = charts.pain_chart(morning=morning, last=TODAY, width=60, height=15)
    assert "\x1b[" not in plain
    assert max(len(line) for line in plain.splitlines()) <= 60
    assert len(plain.splitlines()) <= 15
    coloured = charts.pain_chart(morning=morning, last=TODAY, width=60, height=15, color=True)
    assert "\x1b[" in coloured
    marked = charts.pain_chart(
        morning=morning, last=TODAY, marks=charts.Marks(phases=[(d(7), "phase-2")])
    )
    assert "▸phase-2" in marked and "new phase" in marked


def test_empty_history_gives_a_sentence_not_empty_axes(rehab: Rehab) -> None:
    ok(rehab, "start", PROGRAM, "--side", "left")
    result = rehab("chart", "pain")
    assert result.code == 0
    assert result.out == (
        "No morning pain logged in the last 12 weeks yet: "
        "`rehab pain N --context morning` adds one.\n"
    )
    assert rehab("chart", "visa", "--weeks", "4").out.startswith(
        "No VISA-A scores in the last 4 weeks yet: "
    )
    assert rehab("chart", "load", "--all").out.startswith(
        "No strengthening exercises checked off yet: "
    )


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (("chart", "pain", "--weeks", "0"), "--weeks"),
        (("chart", "pain", "--weeks", "9999"), "1 to 520"),
        (("chart", "pain", "--weeks", "two"), "whole number"),
        (("chart", "mood"), "mood"),
        (("chart", "pain", "--weeks", "4", "--all"), "choose one"),
        (("summary", "--weeks", "521"), "--weeks"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(rehab: Rehab, args: tuple[str, ...], says: str) -> None:
    result = rehab(*args)
    assert result.code == 2
    assert result.out == ""
    assert len(result.err.strip().splitlines()) == 1
    assert says in result.err


# --- the summary --------------------------------------------------------------------------


def test_summary_has_a_row_per_week_with_the_right_numbers(history: Rehab) -> None:
    result = history("summary", "--weeks", "3")
    assert result.code == 0, result.err
    assert "\x1b[" not in result.out
    lines = result.out.splitlines()
    assert lines[0] == "Weekly summary, last 3 weeks (2026-02-28 to 2026-03-20)"
    header = next(i for i, line in enumerate(lines) if line.startswith("Week of"))
    rows = [line.split("  ") for line in lines[header + 1 : header + 4]]
    cells = [[cell.strip() for cell in row if cell.strip()] for row in rows]
    assert cells == [
        # week, number, adherence, morning mean (5, 2, 4), worst during, stiffness, VISA-A
        ["2026-03-02", "1", "29% (14/49)", "3.7", "6", "15.0", "50", "Eccentric heel drops"],
        ["2026-03-09", "-", "paused", "6.0", "-", "-", "-", "paused"],
        ["2026-03-16", "2", "49% (17/35)", "2.0", "1", "-", "60", "Eccentric heel drops"],
    ]
    assert lines[header + 4] == ""  # the day before the start had nothing: no row
    # the columns line up: each row's adherence starts under the header's
    start = lines[header].index("Adherence")
    assert all(line[start - 1] == " " != line[start] for line in lines[header + 1 : header + 4])


def test_summary_with_nothing_logged_says_how_to_begin(rehab: Rehab) -> None:
    ok(rehab, "--patient", "someone-else", "start", PROGRAM, "--side", "left")
    ok(rehab, "--patient", "me", "start", PROGRAM, "--side", "left", "--start", "2026-04-01")
    result = rehab("--patient", "me", "summary")
    assert result.code == 0
    assert result.out.startswith("Nothing planned or logged in the last 12 weeks yet: ")


# --- a chart reads only its window --------------------------------------------------------


def rows_fetched(rehab: Rehab, *args: str) -> tuple[int, list[str]]:
    """Run a command and count the rows its SELECTs return (re-run here on a plain sqlite3
    connection, since the app's cursors are consumed by the app)."""
    statements: list[tuple[str, Any]] = []

    def grab(conn: Any, cursor: Any, statement: str, params: Any, *_: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            statements.append((statement, params))

    event.listen(Engine, "after_cursor_execute", grab)
    try:
        result = rehab(*args)
    finally:
        event.remove(Engine, "after_cursor_execute", grab)
    assert result.code == 0, result.err
    with sqlite3.connect(rehab.db) as con:
        total = sum(len(con.execute(sql, params).fetchall()) for sql, params in statements)
    return total, [sql for sql, _ in statements]


def add_old_history(db: Path, *, days: int) -> None:
    """Years of dose rows and pain scores before the window (same patient and program)."""
    with sqlite3.connect(db) as con:
        enrollment, patient = con.execute("SELECT id, patient_id FROM enrollment").fetchone()
        first = date(2022, 1, 1)
        doses, pains = [], []
        for n in range(days):
            day = (first + timedelta(days=n)).isoformat()
            for key in ("heel-drop-straight-knee", "heel-drop-bent-knee", "calf-stretch"):
                for seq in (1, 2, 3):
                    doses.append((enrollment, day, key, key, seq, "old", 1, n % 6, day))
            for context in ("morning", "during", "after"):
                pains.append((patient, f"{day} 08:00:00", day, context, n % 11, day))
        con.executemany(
            "INSERT INTO doselog (enrollment_id, plan_date, item_key, exercise_id, occurrence, "
            "side, seq, action, status, sets, pain_during, logged_at) "
            "VALUES (?, ?, ?, ?, 1, 'left', ?, ?, 'done', ?, ?, ?)",
            doses,
        )
        con.executemany(
            "INSERT INTO painentry (patient_id, at, local_date, context, score, logged_at) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            pains,
        )


def test_a_52_week_chart_reads_the_same_rows_with_years_of_older_history(history: Rehab) -> None:
    before, _ = rows_fetched(history, "chart", "pain", "--weeks", "52")
    add_old_history(history.db, days=3 * 365)  # ~10k dose rows and ~3k pain scores
    after, statements = rows_fetched(history, "chart", "pain", "--weeks", "52")
    assert after == before
    assert before < 60  # a row per day and series at most, plus the patient and program
    assert any("doselog" in sql for sql in statements)
    assert any("painentry" in sql for sql in statements)


def test_each_exercise_in_the_load_chart_has_its_own_marker() -> None:
    days = [date(2026, 3, 2) + timedelta(days=i) for i in range(8)]
    series = {f"Exercise {n}": [(day, 0.0) for day in days] for n in range(8)}
    text = charts.load_chart(series=series, last=days[-1], width=120, height=30)
    legend = [line for line in text.splitlines() if "Exercise 0" in line or "Exercise 7" in line]
    markers = [
        entry.split(" ", 1)[0]
        for line in text.splitlines()
        for entry in line.split("   ")
        if entry.strip().split(" ", 1)[-1].startswith("Exercise")
    ]
    assert legend and len(markers) == 8 and len(set(markers)) == 8, markers
    # all at body weight: whole-kilogram ticks and a line that says so
    assert "0.83" not in text and "1.67" not in text
    assert "every session so far was at body weight (0 kg extra)" in text


def test_the_app_is_told_keys_and_the_cli_commands_for_a_first_entry() -> None:
    last = date(2026, 3, 20)
    for draw in (
        lambda app: charts.pain_chart(morning=[], during=[], after=[], last=last, for_app=app),
        lambda app: charts.load_chart(series={}, last=last, for_app=app),
        lambda app: charts.adherence_chart(weeks=[(last, None)], for_app=app),
    ):
        assert "`rehab" in draw(False)
        in_app = draw(True)
        assert "rehab" not in in_app and "--" not in in_app and in_app.startswith("No ")


def test_phase_markers_show_the_phase_name_not_its_id() -> None:
    days = [date(2026, 3, 2) + timedelta(days=i) for i in range(10)]
    marks = charts.Marks(phases=[(days[5], "phase-2")], names={"phase-2": "Phase 2"})
    with charts.DRAWING:
        text = charts.pain_chart(
            morning=[(d, 3) for d in days], during=[], after=[], marks=marks, last=days[-1]
        )
    assert "▸Phase 2" in text and "phase-2" not in text
