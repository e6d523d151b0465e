"""SVG snapshots of the screens that matter, at 80×24 with a fake clock.

Update them deliberately with `python -m pytest tests/test_snapshots.py --snapshot-update`
and look at the SVGs in tests/__snapshots__/ before committing.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.pilot import Pilot

from tests.tui_helpers import SIZE, enroll, make, settle, still


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "rehab.db"


def test_first_run(snap_compare, db: Path) -> None:  # type: ignore[no-untyped-def]
    app, _ = make(db)
    assert snap_compare(app, terminal_size=SIZE, run_before=still)


def test_today(snap_compare, db: Path) -> None:  # type: ignore[no-untyped-def]
    enroll(db)
    app, _ = make(db)

    async def run_before(pilot: Pilot[None]) -> None:
        await settle(pilot)
        await pilot.press("space", "space", "down", "space")
        await still(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_today_light_theme(snap_compare, db: Path) -> None:  # type: ignore[no-untyped-def]
    enroll(db)
    app, _ = make(db)

    async def run_before(pilot: Pilot[None]) -> None:
        pilot.app.theme = "textual-light"
        await still(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_timer(snap_compare, db: Path) -> None:  # type: ignore[no-untyped-def]
    enroll(db)
    app, clock = make(db)

    async def run_before(pilot: Pilot[None]) -> None:
        await settle(pilot)
        await pilot.press("down", "down", "t")
        clock.advance(12)
        app.tick_timer()
        await still(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_pain_dialog(snap_compare, db: Path) -> None:  # type: ignore[no-untyped-def]
    enroll(db)
    app, _ = make(db)

    async def run_before(pilot: Pilot[None]) -> None:
        await settle(pilot)
        await pilot.press("p", "4")
        await still(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_history(snap_compare, db: Path) -> None:  # type: ignore[no-untyped-def]
    enroll(db)
    app, _ = make(db)

    async def run_before(pilot: Pilot[None]) -> None:
        await settle(pilot)
        await pilot.press("space", "space")
        await settle(pilot)
        await pilot.press("left_square_bracket", "space")
        await settle(pilot)
        await pilot.press("g", "h")
        await still(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_readme_shows_the_apps_own_screenshot() -> None:
    readme = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    picture = Path(__file__).parents[1] / "docs" / "today.svg"
    assert "](docs/today.svg)" in readme
    svg = picture.read_text(encoding="utf-8")
    assert svg.lstrip().startswith("<svg") and "Plantar" in svg and "Check" in svg


WIDE = (120, 40)


def test_today_wide(snap_compare, db: Path) -> None:  # type: ignore[no-untyped-def]
    enroll(db, "achilles-midportion", side="left")
    app, _ = make(db)
    assert snap_compare(app, terminal_size=WIDE, run_before=still)


def test_help(snap_compare, db: Path) -> None:  # type: ignore[no-untyped-def]
    enroll(db)
    app, _ = make(db)

    async def run_before(pilot: Pilot[None]) -> None:
        await settle(pilot)
        await pilot.press("question_mark")
        await still(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


@pytest.mark.parametrize("size", [SIZE, WIDE], ids=["80x24", "120x40"])
def test_advice(snap_compare, db: Path, size: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    enroll(db, "achilles-midportion", side="left")
    app, _ = make(db)

    async def run_before(pilot: Pilot[None]) -> None:
        await settle(pilot)
        await pilot.press("a")
        await still(pilot)

    assert snap_compare(app, terminal_size=size, run_before=run_before)


def test_exercise_in_full(snap_compare, db: Path) -> None:  # type: ignore[no-untyped-def]
    enroll(db, "achilles-insertional", side="left")
    app, _ = make(db)

    async def run_before(pilot: Pilot[None]) -> None:
        await settle(pilot)
        await pilot.press("i")
        await still(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)
