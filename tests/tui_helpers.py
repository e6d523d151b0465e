"""Shared set-up for the TUI tests: a fake clock, an enrolled database, a ready app."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlmodel import Session

from rehab.core.catalog import load_catalog
from rehab.paths import builtin_programs_dir
from rehab.store import journal
from rehab.store.db import open_engine
from rehab.tui.app import RehabApp
from rehab.tui.backend import Backend

SIZE = (80, 24)
NOW = datetime(2026, 3, 10, 8, 30, tzinfo=UTC)  # Lisbon is UTC+0 in March


class FakeClock:
    def __init__(self, now: datetime = NOW) -> None:
        self._now = now
        self._mono = 1000.0

    def now(self) -> datetime:
        return self._now

    def monotonic(self) -> float:
        return self._mono

    def advance(self, seconds: float) -> None:
        self._now += timedelta(seconds=seconds)
        self._mono += seconds


def enroll(
    db: Path,
    program_id: str = "heel-pain-self-care",
    *,
    side: str = "right",
    start: date = date(2026, 3, 2),
) -> None:
    catalog = load_catalog(builtin_programs_dir(), None)
    engine = open_engine(f"sqlite:///{db}")
    with Session(engine) as session, session.begin():
        patient = journal.find_patient(session, name=None)
        journal.start_program(
            session,
            patient=patient,
            program=catalog.get(program_id),
            side="both" if side == "both" else "left" if side == "left" else "right",
            start=start,
            now=NOW,
        )
    engine.dispose()


def make(db: Path, clock: FakeClock | None = None) -> tuple[RehabApp, FakeClock]:
    fake = clock or FakeClock()
    backend = Backend(f"sqlite:///{db}", None, clock=fake)
    return RehabApp(backend, tick=False, reminders=False), fake
