"""The app and other writers: a check-off made by the CLI (another connection) shows in the
open app after its next check for changes, with the cursor where it was; a dose finished
elsewhere is never shown as checked off by a press that wrote nothing."""

from __future__ import annotations

import sqlite3
from datetime import date
from pathlib import Path

import pytest
from sqlmodel import Session
from textual.pilot import Pilot
from textual.widgets import OptionList

from rehab.store import journal
from rehab.store.db import open_engine
from rehab.store.journal import Amounts
from rehab.tui.app import WATCH_SECONDS, RehabApp, make_app
from rehab.tui.screens.history import HistoryScreen
from rehab.tui.screens.today import TodayScreen
from tests.tui_helpers import NOW, SIZE, enroll, make, settle

DAY = date(2026, 3, 10)


@pytest.fixture
def enrolled(tmp_path: Path) -> Path:
    db = tmp_path / "rehab.db"
    enroll(db)
    return db


def elsewhere_done(db: Path, key: str, sets: int | None = None, side: str | None = None) -> None:
    """What `rehab done KEY` in another shell does: its own engine, its own transaction."""
    engine = open_engine(f"sqlite:///{db}")
    try:
        with Session(engine) as session, session.begin():
            patient = journal.find_patient(session, name=None)
            journal.record_done(
                session,
                patient=patient,
                day=DAY,
                key=key,
                side=side,
                amounts=Amounts(sets=sets),
                now=NOW,
            )
    finally:
        engine.dispose()


def elsewhere_pain(db: Path, score: int) -> None:
    engine = open_engine(f"sqlite:///{db}")
    try:
        with Session(engine) as session, session.begin():
            patient = journal.find_patient(session, name=None)
            journal.record_pain(session, patient=patient, score=score, context="morning", now=NOW)
    finally:
        engine.dispose()


def stored_sets(db: Path, key: str) -> int:
    with sqlite3.connect(db) as con:
        row = con.execute(
            "SELECT coalesce(sum(sets), 0) FROM doselog WHERE item_key = ? AND voided_at IS NULL",
            (key,),
        ).fetchone()
    return int(row[0])


async def poll(pilot: Pilot[None]) -> None:
    """One tick of the app's check for changes (its timer is off in tests), then settle."""
    app = pilot.app
    assert isinstance(app, RehabApp)
    app.check_for_changes()
    await settle(pilot)


def today(app: RehabApp) -> TodayScreen:
    assert isinstance(app.screen, TodayScreen)
    return app.screen


def label(app: RehabApp, key: str) -> str:
    doses = app.screen.query_one("#doses", OptionList)
    option = next(o for o in doses.options if o.id and o.id.endswith(f":{key}"))
    return str(option.prompt)


def highlighted(app: RehabApp) -> str | None:
    option = app.screen.query_one("#doses", OptionList).highlighted_option
    return option.id if option else None


def notices(app: RehabApp) -> list[str]:
    return [str(n.message) for n in app._notifications]


async def test_a_check_off_from_the_cli_shows_after_the_next_check(enrolled: Path) -> None:
    app, _ = make(enrolled)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "left 0/3" in label(app, "calf-stretch")
        assert "[done]" not in label(app, "calf-stretch")
        await pilot.press("down", "down")  # the patient is looking at another row
        await settle(pilot)
        where = highlighted(app)
        assert where is not None and not where.endswith(":calf-stretch")

        elsewhere_done(enrolled, "calf-stretch")
        assert "[done]" not in label(app, "calf-stretch")  # not seen until the next check
        await poll(pilot)
        assert "[done]" in label(app, "calf-stretch")
        assert highlighted(app) == where  # the cursor stayed on its row
        assert "done" in str(today(app).query_one("#stats").render())


async def test_the_cursor_stays_on_a_row_finished_elsewhere(enrolled: Path) -> None:
    app, _ = make(enrolled)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        first = highlighted(app)
        assert first is not None
        key = first.split(":", 1)[1]
        elsewhere_done(enrolled, key)
        await poll(pilot)
        assert highlighted(app) == first
        assert "[done]" in label(app, key)


async def test_space_on_a_dose_finished_elsewhere_writes_nothing_and_says_so(
    enrolled: Path,
) -> None:
    app, _ = make(enrolled)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        doses = app.screen.query_one("#doses", OptionList)
        calf = next(o.id for o in doses.options if o.id and o.id.endswith(":calf-stretch"))
        doses.highlighted = doses.get_option_index(calf)
        await settle(pilot)
        assert "[done]" not in label(app, "calf-stretch")  # the list still says: to do

        elsewhere_done(enrolled, "calf-stretch")  # no check for changes in between
        before = stored_sets(enrolled, "calf-stretch")
        await pilot.press("space")
        await settle(pilot)
        assert stored_sets(enrolled, "calf-stretch") == before  # nothing written
        said = notices(app)
        assert not any(n.startswith("✔ Calf stretch") for n in said), said
        assert any("Calf stretch was already done (logged elsewhere)" in n for n in said), said
        assert "[done]" in label(app, "calf-stretch")  # the row as stored


async def test_a_check_off_in_the_app_shows_what_was_committed(enrolled: Path) -> None:
    app, _ = make(enrolled)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        doses = app.screen.query_one("#doses", OptionList)
        calf = next(o.id for o in doses.options if o.id and o.id.endswith(":calf-stretch"))
        doses.highlighted = doses.get_option_index(calf)
        await settle(pilot)
        assert "left 0/3" in label(app, "calf-stretch")
        # 1 of the left leg's 3 sets, done in another shell, unseen by the app
        elsewhere_done(enrolled, "calf-stretch", sets=1, side="left")
        await pilot.press("space")  # the app's set is the left leg's second one
        await settle(pilot)
        assert stored_sets(enrolled, "calf-stretch") == 2
        assert "left 2/3" in label(app, "calf-stretch")  # as committed, not 1/3
        assert any(n.startswith("✔ Calf stretch") for n in notices(app))


async def test_its_own_writes_cause_no_second_reload(
    enrolled: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app, _ = make(enrolled)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("space")
        await settle(pilot)
        reloads: list[bool] = []
        screen = today(app)
        real = screen.reload

        def counted(*, stay: bool = False) -> None:
            reloads.append(stay)
            real(stay=stay)

        monkeypatch.setattr(screen, "reload", counted)
        await poll(pilot)
        await poll(pilot)
        assert reloads == []  # nothing changed since the app's own reload
        elsewhere_pain(enrolled, 4)
        await poll(pilot)
        await poll(pilot)
        assert reloads == [True]  # once for the other process's write


async def test_the_history_screen_reloads_too(enrolled: Path) -> None:
    app, _ = make(enrolled)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("h")
        await settle(pilot)
        assert isinstance(app.screen, HistoryScreen)
        entries = app.screen.query_one("#entries", OptionList)
        assert "Nothing logged" in str(entries.get_option_at_index(0).prompt)
        elsewhere_pain(enrolled, 4)
        await poll(pilot)
        texts = [str(o.prompt) for o in entries.options]
        assert any("Pain 4/10 (morning)" in t for t in texts), texts


def test_the_app_checks_every_second_and_a_half_and_tests_do_not(enrolled: Path) -> None:
    assert make_app(str(enrolled), None)._watch == WATCH_SECONDS
    app, _ = make(enrolled)
    assert app._watch is None  # snapshots and Pilot tests stay deterministic


def test_the_sqlite_stamp_moves_on_a_commit_only(enrolled: Path) -> None:
    from rehab.store.watch import ChangeWatch

    engine = open_engine(f"sqlite:///{enrolled}")
    watch = ChangeWatch(engine)
    try:
        first = watch.stamp()
        with sqlite3.connect(enrolled) as con:
            con.execute("SELECT count(*) FROM doselog").fetchall()
        assert watch.stamp() == first  # reading changes nothing
        elsewhere_pain(enrolled, 2)
        second = watch.stamp()
        assert second is not None and second != first
        assert watch.stamp() == second
    finally:
        watch.close()
        engine.dispose()
