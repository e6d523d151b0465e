"""Shared set-up for the TUI tests: a fake clock, an enrolled database, a ready app."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlmodel import Session
from textual.pilot import Pilot

from rehab.core.catalog import load_catalog
from rehab.paths import builtin_programs_dir
from rehab.store import journal
from rehab.store.db import open_engine
from rehab.tui.app import RehabApp, make_app

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
    """The app as `rehab` builds it (the real factory), with a fake clock and nothing that
    moves on its own: no ticking timer, no reminders, no watch for others' writes."""
    fake = clock or FakeClock()
    app = make_app(f"sqlite:///{db}", None, clock=fake, tick=False, reminders=False, watch=None)
    keep_toasts(app)
    return app, fake


def keep_toasts(app: RehabApp) -> None:
    """Toasts stay until a test clears them: they expire on the wall clock, and a busy
    machine can take longer than their few seconds between a key and the test's look.
    Snapshots clear them (`still`)."""
    shown = app.notify

    def notify(message: str, *, title: str = "", severity: Any = "information",
               timeout: float | None = None, markup: bool = True) -> None:  # fmt: skip
        shown(message, title=title, severity=severity, timeout=24 * 3600, markup=markup)

    app.notify = notify  # type: ignore[method-assign]


async def settle(pilot: Pilot[None]) -> None:
    """Let workers finish and the screen catch up (three rounds: a write, its reload, and
    what the reload starts)."""
    for _ in range(3):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()


async def still(pilot: Pilot[None]) -> None:
    """Settle, then take away what depends on how fast the machine is, for a snapshot:
    toasts (they expire on the wall clock) and the blinking cursor."""
    await settle(pilot)
    pilot.app.clear_notifications()
    for widget in pilot.app.screen.query("Input"):
        widget.cursor_blink = False  # type: ignore[attr-defined]
    await pilot.pause()
