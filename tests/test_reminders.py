"""Reminders: on time, only what is open, never twice, quiet hours, catch-up, DST, delivery.

The clock is driven with time-machine and `scheduler.wakeup()`; nothing sleeps for minutes.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from apscheduler.schedulers.background import BackgroundScheduler
from sqlmodel import Session

from rehab.core.reminder_times import QuietHours, fire_instant
from rehab.reminders import notify
from rehab.reminders.service import ReminderRunner, Sent, check_once
from rehab.store import journal, settings
from rehab.store.db import open_engine
from tests.conftest import Rehab, run_process

LISBON = ZoneInfo("Europe/Lisbon")
NY = ZoneInfo("America/New_York")


@pytest.fixture(autouse=True)
def in_2026() -> object:
    """Enrollments are made as of March 2026 (a start more than a year back is refused)."""
    with time_machine.travel(datetime(2026, 3, 10, 6, 0, tzinfo=LISBON), tick=False):
        yield


@pytest.fixture
def db(rehab: Rehab) -> Path:
    assert rehab("start", "plantar-fasciitis", "--side", "left", "--start", "2026-03-02").code == 0
    return rehab.db


def sent_rows(db: Path) -> list[tuple[str, str, str]]:
    with sqlite3.connect(db) as con:
        return con.execute(
            "SELECT plan_date, slot, channel FROM reminderlog ORDER BY id"
        ).fetchall()


def at(day: date, hhmm: str, zone: ZoneInfo = LISBON) -> datetime:
    hours, minutes = map(int, hhmm.split(":"))
    return datetime.combine(day, clock_time(hours, minutes), tzinfo=zone)


def check(db: Path, when: datetime, *, catch_up: bool = False) -> list[Sent]:
    engine = open_engine(f"sqlite:///{db}")
    try:
        return check_once(
            engine, patient_name=None, now=when, catch_up=catch_up, send=lambda t, b: "test"
        )
    finally:
        engine.dispose()


DAY = date(2026, 3, 10)


# --- what is due ------------------------------------------------------------------------------


def test_fires_at_the_slot_time_with_only_open_items(db: Path, rehab: Rehab) -> None:
    assert check(db, at(DAY, "07:59")) == []
    with time_machine.travel(at(DAY, "07:30"), tick=False):
        assert rehab("done", "supportive-shoes", "--date", "2026-03-10").code == 0
    (sent,) = check(db, at(DAY, "08:00"))
    assert sent.text.startswith("Morning: ")
    assert "plantar fascia stretch (toes pulled back), 10 s hold × 10, left leg" in sent.text
    assert "supportive shoes" not in sent.text.lower()  # done already
    assert "ice" not in sent.text.lower()  # as needed: not nagged about
    assert sent_rows(db) == [("2026-03-10", "morning", "test")]
    assert check(db, at(DAY, "08:05")) == []  # never twice


def test_nothing_when_everything_is_done(db: Path, rehab: Rehab) -> None:
    with time_machine.travel(at(DAY, "07:30"), tick=False):
        planned = json.loads(rehab("today", "--json").out)
        for key in dict.fromkeys(d["key"] for d in planned if not d["as_needed"]):
            assert rehab("done", key).code == 0
    assert check(db, at(DAY, "08:00")) == []
    assert check(db, at(DAY, "20:00")) == []
    assert sent_rows(db) == []


def test_any_time_doses_ride_along_until_done(db: Path, rehab: Rehab) -> None:
    with time_machine.travel(at(DAY, "07:30"), tick=False):
        assert rehab("done", "pf-stretch").code == 0
        assert rehab("done", "supportive-shoes").code == 0
    (sent,) = check(db, at(DAY, "08:00"))
    assert "calf stretch, 30 s hold × 2–3, each leg" in sent.text
    assert "pf" not in sent.text and "plantar fascia stretch" not in sent.text


def test_nothing_while_paused(db: Path, rehab: Rehab) -> None:
    with time_machine.travel(at(DAY, "07:00"), tick=False):
        assert rehab("pause", "--reason", "travel").code == 0
    assert check(db, at(DAY, "08:00")) == []
    assert check(db, at(DAY, "20:00")) == []


def test_slot_with_nothing_planned_sends_nothing(rehab: Rehab) -> None:
    # heel-pain-self-care plans nothing at midday or in the evening
    start = ["start", "heel-pain-self-care", "--side", "left", "--start", "2026-03-02"]
    assert rehab(*start).code == 0
    assert check(rehab.db, at(DAY, "13:00")) == []
    assert check(rehab.db, at(DAY, "20:00")) == []
    # the night splint is optional ("if your podiatrist advised one"): no nagging about it
    assert check(rehab.db, at(DAY, "21:30")) == []


def test_a_program_of_any_time_doses_is_reminded_morning_and_evening(rehab: Rehab) -> None:
    # achilles-midportion (Silbernagel) plans every dose for "any time" of the day
    start = ["start", "achilles-midportion", "--side", "left", "--start", "2026-03-02"]
    assert rehab(*start).code == 0
    (morning,) = check(rehab.db, at(DAY, "08:00"))
    assert morning.text.startswith("Morning: ") and "calf stretch" in morning.text.lower()
    assert check(rehab.db, at(DAY, "13:00")) == []  # not every slot: twice a day
    (evening,) = check(rehab.db, at(DAY, "20:00"))
    assert "calf stretch" in evening.text.lower()
    assert check(rehab.db, at(DAY, "21:30")) == []
    with time_machine.travel(at(DAY, "20:30"), tick=False):
        planned = json.loads(rehab("today", "--json").out)
        for key in dict.fromkeys(d["key"] for d in planned if not d["as_needed"]):
            assert rehab("done", key).code == 0
    assert check(rehab.db, at(DAY + timedelta(days=1), "08:00")) != []  # a new day
    assert sent_rows(rehab.db) == [
        ("2026-03-10", "morning", "test"),
        ("2026-03-10", "evening", "test"),
        ("2026-03-11", "morning", "test"),
    ]


def test_quiet_hours_hold_a_reminder_until_they_end(db: Path, rehab: Rehab) -> None:
    assert rehab("settings", "reminders", "--morning", "06:30").code == 0
    assert check(db, at(DAY, "06:31")) == []  # 22:00-07:00 is quiet by default
    (sent,) = check(db, at(DAY, "07:00"))
    assert sent.reminder.slot == "morning"


def test_catch_up_after_downtime_is_one_summary(db: Path) -> None:
    sent = check(db, at(DAY, "13:30"), catch_up=True)
    texts = {s.text for s in sent}
    slots = sorted(s.reminder.slot for s in sent)
    assert slots == ["midday", "morning"]
    assert any(t.startswith("Catch-up: Morning (missed earlier)") for t in texts)
    assert any(t.startswith("Midday: ") for t in texts)
    assert check(db, at(DAY, "13:31"), catch_up=True) == []


def test_a_catch_up_lists_each_dose_once_and_prints_once(db: Path, rehab: Rehab) -> None:
    sent = check(db, at(DAY, "20:30"), catch_up=True)
    (summary,) = {s.text for s in sent if s.reminder.catch_up}
    assert summary.startswith("Catch-up: Morning")
    doses = [d.strip() for part in summary.split("(missed earlier): ")[1:] for d in part.split(";")]
    doses = [d for d in doses if d and not d.endswith(("Midday", "Evening"))]
    assert len(doses) == len(set(doses)), summary
    printed = rehab("remind", "--once", "--at", "2026-03-11T20:30")
    assert printed.code == 0, printed.err
    catch_up = [line for line in printed.out.splitlines() if "Catch-up" in line]
    assert len(catch_up) == 1 and " · morning, midday · " in catch_up[0], printed.out


def test_a_program_started_today_catches_up_on_nothing_from_before_it_began(
    rehab: Rehab,
) -> None:
    """Started at 17:30 (today is day one): the 08:00 and 13:00 reminders were never
    missed, so the first start of the app announces none of them; 20:00 still rings."""
    with time_machine.travel(at(DAY, "17:30"), tick=False):
        assert rehab("start", "plantar-fasciitis", "--side", "left").code == 0
    assert check(rehab.db, at(DAY, "17:31"), catch_up=True) == []
    (evening,) = check(rehab.db, at(DAY, "20:00"), catch_up=True)
    assert evening.reminder.slot == "evening" and not evening.reminder.catch_up


def test_a_missed_slot_is_not_sent_late_without_a_restart(db: Path) -> None:
    (sent,) = check(db, at(DAY, "13:05"))
    assert sent.reminder.slot == "midday"  # morning was missed: only a restart catches up


def test_yesterdays_reminders_are_not_caught_up(db: Path) -> None:
    next_day = date(2026, 3, 11)
    sent = check(db, at(next_day, "07:10"), catch_up=True)
    assert [s.reminder.plan_date for s in sent] == []  # 08:00 not yet; yesterday dropped


# --- never twice -----------------------------------------------------------------------------


def test_two_processes_at_once_send_one_reminder(db: Path) -> None:
    outputs: list[str] = []

    def run() -> None:
        result = run_process("--db", str(db), "remind", "--once", "--at", "2026-03-10T08:01")
        outputs.append(result.out)

    threads = [threading.Thread(target=run) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum("morning · via" in out for out in outputs) == 1
    assert sum("nothing due" in out for out in outputs) == 2
    assert [r[:2] for r in sent_rows(db)] == [("2026-03-10", "morning")]


def test_tui_and_service_share_the_log(db: Path) -> None:
    from tests.tui_helpers import FakeClock, make

    app, _ = make(db, FakeClock(at(DAY, "08:00").astimezone(UTC)))
    engine = app.backend.engine()
    shown: list[str] = []
    app.call_from_thread = lambda fn, *args: shown.append(args[0])  # type: ignore[method-assign,assignment]
    sent = check_once(engine, patient_name=None, now=at(DAY, "08:00"), send=app.send_reminder)
    assert [s.channel for s in sent] == ["in-app"]
    app._reminders_sent(sent)  # as the runner's on_sent calls it, from its thread
    assert shown and shown[0].startswith("Morning: ")
    app.backend.close()
    result = run_process("--db", str(db), "remind", "--once", "--at", "2026-03-10T08:02")
    assert result.out.strip() == "nothing due"


# --- the scheduler drives it ----------------------------------------------------------------


def test_scheduler_fires_on_time_when_the_clock_moves(db: Path) -> None:
    engine = open_engine(f"sqlite:///{db}")
    delivered: list[str] = []
    with time_machine.travel(at(DAY, "07:58"), tick=False) as traveller:
        scheduler = BackgroundScheduler(timezone="UTC")
        runner = ReminderRunner(
            scheduler,
            engine,
            patient_name=None,
            send=lambda title, body: delivered.append(body) or "test",
        )
        runner.start()
        scheduler.start()
        try:
            _wait_for(lambda: _next_run(scheduler) == at(DAY, "08:00"))
            assert delivered == []
            traveller.move_to(at(DAY, "08:00"))
            scheduler.wakeup()
            _wait_for(lambda: bool(delivered))
            assert delivered[0].startswith("Morning: ")
            _wait_for(lambda: _next_run(scheduler) == at(DAY, "13:00"))
        finally:
            scheduler.shutdown(wait=True)
            engine.dispose()


def _next_run(scheduler: BackgroundScheduler) -> datetime | None:
    jobs = scheduler.get_jobs()
    return jobs[0].next_run_time if jobs else None


def _wait_for(condition: object, seconds: float = 10) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():  # type: ignore[operator]
            return
        time.sleep(0.02)
    raise AssertionError("condition not met in time")


# --- DST -----------------------------------------------------------------------------------


def test_spring_forward_gap_fires_once_at_the_first_valid_minute() -> None:
    # Lisbon, 29 March 2026: 01:00 jumps to 02:00, so 01:30 does not exist.
    instant = fire_instant(date(2026, 3, 29), clock_time(1, 30), LISBON)
    assert instant == datetime(2026, 3, 29, 1, 0, tzinfo=UTC)
    assert instant.astimezone(LISBON).strftime("%H:%M %Z") == "02:00 WEST"
    # New York, 8 March 2026: 02:00 jumps to 03:00.
    ny = fire_instant(date(2026, 3, 8), clock_time(2, 15), NY)
    assert ny.astimezone(NY).strftime("%H:%M") == "03:00"


def test_fall_back_repeat_fires_once_at_the_first() -> None:
    # Lisbon, 25 October 2026: 02:00 goes back to 01:00, so 01:30 happens twice.
    instant = fire_instant(date(2026, 10, 25), clock_time(1, 30), LISBON)
    assert instant == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)


def test_daily_time_keeps_its_wall_clock_across_dst() -> None:
    before = fire_instant(date(2026, 3, 28), clock_time(8, 0), LISBON)
    after = fire_instant(date(2026, 3, 30), clock_time(8, 0), LISBON)
    assert before.astimezone(LISBON).hour == after.astimezone(LISBON).hour == 8
    assert before.hour == 8 and after.hour == 7  # in UTC


def test_dst_days_send_once_end_to_end(rehab: Rehab) -> None:
    assert rehab("start", "plantar-fasciitis", "--side", "left", "--start", "2026-03-20").code == 0
    assert rehab("settings", "reminders", "--morning", "01:30", "--quiet", "00:00-00:00").code == 0
    spring = date(2026, 3, 29)
    assert check(rehab.db, datetime(2026, 3, 29, 0, 59, tzinfo=UTC)) == []
    (sent,) = check(rehab.db, datetime(2026, 3, 29, 1, 0, tzinfo=UTC))
    assert sent.reminder.plan_date == spring and sent.reminder.slot == "morning"
    assert check(rehab.db, datetime(2026, 3, 29, 2, 30, tzinfo=UTC)) == []


def test_fall_back_day_sends_once_end_to_end(rehab: Rehab) -> None:
    assert rehab("start", "plantar-fasciitis", "--side", "left", "--start", "2026-10-20").code == 0
    assert rehab("settings", "reminders", "--morning", "01:30", "--quiet", "00:00-00:00").code == 0
    first = check(rehab.db, datetime(2026, 10, 25, 0, 30, tzinfo=UTC))
    assert [s.reminder.slot for s in first] == ["morning"]
    assert check(rehab.db, datetime(2026, 10, 25, 1, 30, tzinfo=UTC)) == []  # the repeat


# --- settings --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--timezone", "Mars/Olympus"], "unknown time zone 'Mars/Olympus'"),
        (["--evening", "19:75"], "allowed: HH:MM"),
        (["--quiet", "late"], "allowed: HH:MM-HH:MM"),
        ([], "give at least one"),
    ],
)
def test_bad_settings_are_one_line_and_change_nothing(
    db: Path, rehab: Rehab, args: list[str], expected: str
) -> None:
    result = rehab("settings", "reminders", *args)
    assert result.code == 2 and expected in result.err and result.err.count("\n") == 1
    with sqlite3.connect(db) as con:
        assert con.execute("SELECT count(*) FROM setting").fetchone() == (0,)
        assert con.execute("SELECT timezone FROM patient").fetchone() == (None,)


def test_settings_round_trip(db: Path, rehab: Rehab) -> None:
    result = rehab(
        "settings", "reminders", "--evening", "19:30", "--quiet", "23:00-06:30",
        "--timezone", "America/New_York",
    )  # fmt: skip
    assert result.code == 0
    assert "evening  19:30" in result.out and "quiet    23:00-06:30" in result.out
    assert "timezone America/New_York" in result.out
    engine = open_engine(f"sqlite:///{db}")
    with Session(engine) as session:
        patient = journal.find_patient(session, name=None)
        assert settings.quiet_hours(session, patient=patient) == QuietHours.parse("23:00-06:30")
    engine.dispose()


def test_remind_flags(db: Path, rehab: Rehab) -> None:
    unit = rehab("remind", "--print-systemd-unit")
    assert unit.code == 0 and "ExecStart=" in unit.out and "remind" in unit.out
    assert "[Install]" in unit.out
    assert rehab("remind", "--at", "2026-03-10T08:00").code == 2  # --at needs --once
    bad = rehab("remind", "--once", "--at", "tomorrow")
    assert bad.code == 2 and "ISO 8601" in bad.err


# --- delivery chain --------------------------------------------------------------------------


def test_no_bus_no_daemon_falls_through_to_stderr(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    monkeypatch.delenv("DBUS_SESSION_BUS_ADDRESS", raising=False)
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))  # no gdbus, no notify-send
    assert notify.deliver("rehab reminder", "Evening: calf stretch") == "stderr"
    assert "rehab reminder: Evening: calf stretch" in capsys.readouterr().err


def _fake_tool(folder: Path, name: str, code: int) -> None:
    tool = folder / name
    tool.write_text(f"#!/bin/sh\nexit {code}\n")
    tool.chmod(0o755)


def test_bus_that_refuses_moves_on_to_notify_send(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    _fake_tool(tmp_path, "gdbus", 1)  # a bus with no notification daemon
    _fake_tool(tmp_path, "notify-send", 0)
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent")
    assert notify.deliver("t", "b") == "notify-send"
    _fake_tool(tmp_path, "gdbus", 0)
    assert notify.deliver("t", "b") == "desktop"


def test_in_app_comes_before_stderr(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("DBUS_SESSION_BUS_ADDRESS", raising=False)
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))
    shown: list[str] = []
    assert notify.deliver("t", "b", in_app=lambda t, b: shown.append(b) or True) == "in-app"
    assert shown == ["b"]


def test_service_log_line_names_the_way(db: Path) -> None:
    result = run_process(
        "--db", str(db), "remind", "--once", "--at", "2026-03-10T08:00",
        env={"PATH": "/nonexistent", "DBUS_SESSION_BUS_ADDRESS": "", "DISPLAY": ""},
    )  # fmt: skip
    assert result.code == 0
    assert "morning · via stderr: Morning:" in result.out
    assert "rehab reminder: Morning:" in result.err
    assert sent_rows(db) == [("2026-03-10", "morning", "stderr")]
