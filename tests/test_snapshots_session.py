"""SVG snapshots of the guided session at 80×24 and 120×40, with a fake clock and nothing
that moves on its own (no ticking timer, no toasts, no blinking cursor)."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.pilot import Pilot

from rehab.tui.screens.session import SessionScreen
from tests.tui_helpers import SIZE, FakeClock, enroll, make, settle, still

LARGE = (120, 40)


@pytest.fixture
def db(tmp_path: Path) -> Path:
    db = tmp_path / "rehab.db"
    enroll(db, "plantar-fasciitis", side="both")
    return db


def hold_run(clock: FakeClock):  # type: ignore[no-untyped-def]
    async def run_before(pilot: Pilot[None]) -> None:
        await settle(pilot)
        await pilot.press("w")
        await settle(pilot)
        await pilot.press("space")
        clock.advance(3)
        screen = pilot.app.screen
        assert isinstance(screen, SessionScreen)
        screen.tick()
        await still(pilot)

    return run_before


@pytest.mark.parametrize("size", [SIZE, LARGE], ids=["80x24", "120x40"])
def test_session_hold(snap_compare, db: Path, size: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    app, clock = make(db)
    assert snap_compare(app, terminal_size=size, run_before=hold_run(clock))


@pytest.mark.parametrize("size", [SIZE, LARGE], ids=["80x24", "120x40"])
def test_session_tempo(snap_compare, db: Path, size: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    app, clock = make(db)

    async def run_before(pilot: Pilot[None]) -> None:
        await settle(pilot)
        await pilot.press("w")
        await settle(pilot)
        await pilot.press("enter", "enter", "enter", "enter", "1", "enter")  # to the heel raise
        await settle(pilot)
        await pilot.press("space")
        clock.advance(4)
        screen = pilot.app.screen
        assert isinstance(screen, SessionScreen)
        screen.tick()
        await still(pilot)

    assert snap_compare(app, terminal_size=size, run_before=run_before)


def test_session_pain_question(snap_compare, db: Path) -> None:  # type: ignore[no-untyped-def]
    app, _ = make(db)

    async def run_before(pilot: Pilot[None]) -> None:
        await settle(pilot)
        await pilot.press("w")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("4")
        await still(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_session_too_much_pain(snap_compare, db: Path) -> None:  # type: ignore[no-untyped-def]
    app, _ = make(db)

    async def run_before(pilot: Pilot[None]) -> None:
        await settle(pilot)
        await pilot.press("w")
        await settle(pilot)
        await pilot.press("enter", "8", "enter")
        await still(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


@pytest.mark.parametrize("size", [SIZE, LARGE], ids=["80x24", "120x40"])
def test_session_summary(snap_compare, db: Path, size: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    app, _ = make(db)

    async def run_before(pilot: Pilot[None]) -> None:
        await settle(pilot)
        await pilot.press("w")
        await settle(pilot)
        await pilot.press("enter", "2", "enter", "s")
        await settle(pilot)
        await pilot.press("down", "enter", "escape")
        await still(pilot)

    assert snap_compare(app, terminal_size=size, run_before=run_before)
