"""A known history for the export tests: the demo generator (fixed seed) ten weeks into
achilles-midportion in Europe/Lisbon, across the spring DST change, plus what the demo does
not write: a load used, a note that looks like a spreadsheet formula, a voided check-off and
a voided pain score, a pause and its resume, a red flag and its clearance.

    history = build_history(tmp_path / "history.db")
    with at(history.today): ...   # the clock on the history's last day

Counts and sums to compare with come from the database through plain sqlite3, never from
the code under test.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from sqlmodel import Session

from rehab import demo
from rehab.store import journal, redflags
from rehab.store.db import open_engine
from rehab.store.journal import Amounts

LISBON = ZoneInfo("Europe/Lisbon")
DEMO_TODAY = date(2026, 4, 20)  # the demo starts 70 days earlier: 2026-02-09, before DST
TODAY = date(2026, 4, 26)  # the history's last day, after the pause and the red flag
PATIENT = "demo"
FORMULA_NOTE = '=HYPERLINK("http://example.invalid","click")'
CLEARED_BY = "Dr Silva"


@dataclass(frozen=True)
class History:
    path: Path
    patient: str
    today: date
    start: date

    @property
    def url(self) -> str:
        return f"sqlite:///{self.path}"

    def query(self, sql: str, *args: object) -> list[tuple[object, ...]]:
        with sqlite3.connect(self.path) as conn:
            return list(conn.execute(sql, args).fetchall())

    def scalar(self, sql: str, *args: object) -> object:
        return self.query(sql, *args)[0][0]


def moment(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=LISBON)


def module_history(factory: pytest.TempPathFactory) -> Iterator[History]:
    """For a module-scoped fixture: the history built once, with the test environment the
    autouse fixture gives each test (its own REHAB_HOME, Europe/Lisbon)."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("TZ", "Europe/Lisbon")
        mp.setenv("REHAB_HOME", str(factory.mktemp("home")))
        mp.delenv("REHAB_DB", raising=False)
        yield build_history(factory.mktemp("history") / "history.db")


@contextmanager
def at(day: date, hour: int = 12) -> Iterator[None]:
    with time_machine.travel(moment(day, hour), tick=False):
        yield


def build_history(path: Path) -> History:
    with at(DEMO_TODAY):
        demo.build(path, today=DEMO_TODAY)
    engine = open_engine(f"sqlite:///{path}")
    try:
        _extras(engine)
    finally:
        engine.dispose()
    return History(path, PATIENT, TODAY, DEMO_TODAY - timedelta(days=7 * demo.WEEKS_IN))


def _extras(engine: object) -> None:
    def session() -> Session:
        return Session(engine, expire_on_commit=False)  # type: ignore[arg-type]

    day = DEMO_TODAY
    with at(day, 19), session() as s, s.begin():
        patient = journal.find_patient(s, name=PATIENT)
        view = journal.load_day(s, patient=patient, day=day)
        strengthen = next(i.dose.key for i in view.items if i.dose.kind == "strengthen")
        journal.record_done(
            s,
            patient=patient,
            day=day,
            key=strengthen,
            amounts=Amounts(load_kg=7.5, pain_during=3, note=FORMULA_NOTE),
            now=moment(day, 19),
        )
        stretch = next(i.dose.key for i in view.items if i.dose.kind == "stretch")
        rows = journal.record_done(s, patient=patient, day=day, key=stretch, now=moment(day, 19))
        journal.void_action(s, action=rows[0].action)  # a check-off taken back
        journal.record_pain(
            s,
            patient=patient,
            score=4,
            context="after",
            note="+1 after the stairs",
            at=moment(day, 19, 30),
            now=moment(day, 19, 31),
        )
        journal.record_pain(
            s, patient=patient, score=9, context="rest", at=moment(day, 20), now=moment(day, 20)
        )
    with at(day, 20), session() as s, s.begin():
        patient = journal.find_patient(s, name=PATIENT)
        journal.undo_last(s, patient=patient)  # the 9/10 was a typo
    with at(day + timedelta(days=1), 8), session() as s, s.begin():
        patient = journal.find_patient(s, name=PATIENT)
        journal.pause_program(
            s, patient=patient, reason="travel", now=moment(day + timedelta(days=1), 8)
        )
    with at(day + timedelta(days=3), 9), session() as s, s.begin():
        patient = journal.find_patient(s, name=PATIENT)
        journal.resume_program(s, patient=patient, now=moment(day + timedelta(days=3), 9))
    flagged = day + timedelta(days=4)
    with at(flagged, 8), session() as s, s.begin():
        patient = journal.find_patient(s, name=PATIENT)
        redflags.record_red_flags(
            s, patient=patient, flag_ids=["pop"], day=flagged, now=moment(flagged, 8)
        )
    with at(flagged + timedelta(days=1), 10), session() as s, s.begin():
        patient = journal.find_patient(s, name=PATIENT)
        redflags.clear_red_flags(
            s, patient=patient, cleared_by=CLEARED_BY, now=moment(flagged + timedelta(days=1), 10)
        )
    with at(TODAY, 18), session() as s, s.begin():
        patient = journal.find_patient(s, name=PATIENT)
        view = journal.load_day(s, patient=patient, day=TODAY)
        key = next(i.dose.key for i in view.items if not i.dose.as_needed)
        journal.record_done(s, patient=patient, day=TODAY, key=key, now=moment(TODAY, 18))
