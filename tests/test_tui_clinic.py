"""The Clinic screen: the roster at 80×24 and 120×40, filters and find, a patient's own
screens read-only, accepting advice as their therapist, and every report at once."""

from __future__ import annotations

import sqlite3
from datetime import date
from pathlib import Path

import pytest
from textual.widgets import DataTable, Input

from rehab.tui.app import RehabApp, make_app
from rehab.tui.screens.clinic import (
    ClinicPatientScreen,
    ClinicScreen,
    FolderDialog,
    ReadOnlyHistory,
    ReadOnlyToday,
    ReadOnlyTrends,
    TherapistDialog,
)
from tests.clinic_history import generator
from tests.tui_helpers import NOW, SIZE, FakeClock, keep_toasts, settle, still

WIDE = (120, 40)
PATIENTS = 14


@pytest.fixture(scope="module")
def clinic_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("TZ", "Europe/Lisbon")
        mp.setenv("REHAB_HOME", str(tmp_path_factory.mktemp("home")))
        path = tmp_path_factory.mktemp("clinic") / "clinic.db"
        generator().build(f"sqlite:///{path}", patients=PATIENTS, days=42, seed=3, today=NOW.date())
        return path


@pytest.fixture
def db(clinic_db: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "clinic.db"
    copy.write_bytes(clinic_db.read_bytes())
    return copy


def clinic_app(db: Path) -> RehabApp:
    app = make_app(
        f"sqlite:///{db}",
        None,
        clock=FakeClock(),
        tick=False,
        reminders=False,
        watch=None,
        clinic=True,
    )
    keep_toasts(app)
    return app


def count(db: Path, sql: str) -> int:
    with sqlite3.connect(db) as conn:
        return int(conn.execute(sql).fetchone()[0])


@pytest.mark.parametrize("size", [SIZE, WIDE], ids=["80x24", "120x40"])
def test_roster_snapshot(snap_compare, db: Path, size: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(clinic_app(db), terminal_size=size, run_before=still)


@pytest.mark.parametrize("size", [SIZE, WIDE])
async def test_roster_fits_and_orders(db: Path, size: tuple[int, int]) -> None:
    app = clinic_app(db)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ClinicScreen)
        assert len(screen.shown) == PATIENTS
        ranks = [r.rank for r in screen.shown]
        assert ranks == sorted(ranks) and ranks[0] == 0
        table = screen.query_one("#roster", DataTable)
        assert table.virtual_size.width <= size[0]  # no sideways scrolling
        assert "need attention" in str(screen.query_one("#clinic-title").render())


async def test_filter_and_find(db: Path) -> None:
    app = clinic_app(db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ClinicScreen)
        await pilot.press("f")  # attention
        await settle(pilot)
        assert screen.kind == "attention" and all(r.rank < 3 for r in screen.shown)
        await pilot.press("f")  # red-flags
        await settle(pilot)
        assert screen.shown and all(r.rank == 0 for r in screen.shown)
        for _ in range(4):  # advice, inactive, back to all
            await pilot.press("f")
        await settle(pilot)
        assert screen.kind == "attention"
        await pilot.press("f", "f", "f", "f")
        assert screen.kind == "all"
        await pilot.press("slash", *"santos")
        await settle(pilot)
        assert screen.query_one("#clinic-find", Input).value == "santos"
        assert screen.shown and all("Santos" in r.patient for r in screen.shown)
        await pilot.press("enter")  # back to the table
        await settle(pilot)
        assert isinstance(app.focused, DataTable)


async def test_patient_records_are_read_only(db: Path) -> None:
    doses = count(db, "SELECT count(*) FROM doselog WHERE voided_at IS NULL")
    pains = count(db, "SELECT count(*) FROM painentry")
    app = clinic_app(db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ClinicScreen)
        target = next(r for r in screen.shown if r.status == "active")
        screen.query_one("#roster", DataTable).move_cursor(row=screen.shown.index(target))
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ClinicPatientScreen)
        assert app.read_only == target.patient
        await pilot.press("t")
        await settle(pilot)
        today = app.screen
        assert isinstance(today, ReadOnlyToday)
        assert "READ-ONLY" in str(today.query_one("#read-only").render())
        assert today.view is not None and target.patient in str(
            today.query_one("#read-only").render()
        )
        for key in ("space", "d", "s", "u", "p", "m", "P", "enter", "w"):
            app.clear_notifications()
            await pilot.press(key)
            await settle(pilot)
            assert isinstance(app.screen, ReadOnlyToday), key  # no dialog opened
            assert any("Read-only" in n.message for n in app._notifications), key
        await pilot.press("h")
        await settle(pilot)
        assert isinstance(app.screen, ReadOnlyHistory)
        app.clear_notifications()
        await pilot.press("u")
        await settle(pilot)
        assert any("Read-only" in n.message for n in app._notifications)
        await pilot.press("escape")
        await pilot.press("c")
        await settle(pilot)
        assert isinstance(app.screen, ReadOnlyTrends)
        await pilot.press("escape", "escape")
        await settle(pilot)
        assert isinstance(app.screen, ClinicPatientScreen)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, ClinicScreen) and app.read_only is None
    assert count(db, "SELECT count(*) FROM doselog WHERE voided_at IS NULL") == doses
    assert count(db, "SELECT count(*) FROM painentry") == pains


async def test_accept_advice_as_therapist(db: Path) -> None:
    app = clinic_app(db)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ClinicScreen)
        waiting = next(r for r in screen.shown if r.advice_waiting)
        screen.query_one("#roster", DataTable).move_cursor(row=screen.shown.index(waiting))
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        assert isinstance(app.screen, TherapistDialog)
        await pilot.press("enter")  # no name: asked again
        await settle(pilot)
        assert isinstance(app.screen, TherapistDialog)
        await pilot.press(*"Dr Costa", "enter")
        await settle(pilot)
        assert isinstance(app.screen, ClinicPatientScreen)
        await pilot.press("escape")
        await settle(pilot)
        row = next(r for r in screen.rows if r.patient == waiting.patient)
        assert not row.advice_waiting  # read again on return
    with sqlite3.connect(db) as conn:
        (by, decision) = conn.execute(
            "SELECT decided_by, decision FROM phasechange ORDER BY id DESC LIMIT 1"
        ).fetchone()
    assert by == "Dr Costa" and decision == waiting.advice


async def test_export_every_report_from_the_screen(db: Path, tmp_path: Path) -> None:
    out = tmp_path / "reports"
    app = clinic_app(db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("E")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, FolderDialog)
        field = dialog.query_one("#folder", Input)
        assert field.value.endswith(f"rehab-reports-{date(2026, 3, 10)}")
        field.value = str(out)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ClinicScreen)
        assert any(f"Wrote {PATIENTS} reports" in n.message for n in app._notifications)
    assert len(list(out.glob("*.html"))) == PATIENTS


async def test_prescribe_for_a_patient_from_the_clinic(db: Path) -> None:
    from rehab.tui.screens.program import PrescribeDialog, ProgramScreen

    app = clinic_app(db)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ClinicScreen)
        chosen = next(r for r in screen.shown if r.status == "active")
        screen.query_one("#roster", DataTable).move_cursor(row=screen.shown.index(chosen))
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("p")
        await settle(pilot)
        assert isinstance(app.screen, ProgramScreen)
        await pilot.press("T")
        await settle(pilot)
        await pilot.press("enter")  # the first exercise
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, PrescribeDialog)
        dialog.query_one("#by", Input).value = "Dr Costa"
        dialog.query_one("#sets", Input).value = "2"
        dialog._save()
        await settle(pilot)
        assert isinstance(app.screen, ProgramScreen)
    with sqlite3.connect(db) as conn:
        found = conn.execute(
            "SELECT p.name, r.exercise_id, r.prescribed_by FROM prescription r"
            " JOIN enrollment e ON e.id = r.enrollment_id JOIN patient p ON p.id = e.patient_id"
        ).fetchall()
    assert found == [(chosen.patient, dialog.exercise_id, "Dr Costa")]
