"""The app's Export action (`e`): asks format, weeks and folder, writes in a worker, says
where the file went, never overwrites. Driven by Pilot with a fake clock at 80×24."""

from __future__ import annotations

import csv
import json
import stat
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Input

from rehab.tui.app import RehabApp
from rehab.tui.exporting import TOAST_WIDTH, free_name
from rehab.tui.screens.export import ExportDialog
from rehab.tui.screens.today import TodayScreen
from tests.tui_helpers import SIZE, enroll, make, settle


@pytest.fixture
def enrolled(tmp_path: Path) -> Path:
    db = tmp_path / "rehab.db"
    enroll(db)
    return db


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    out = tmp_path / "exports"
    out.mkdir()
    return out


def notices(app: RehabApp) -> list[str]:
    return [str(n.message) for n in app._notifications]


async def export_with(pilot: Pilot[None], folder: Path, *keys: str) -> None:
    """Open the dialog, choose with `keys` (clicks on choice ids), set the folder, export."""
    await pilot.press("e")
    await pilot.pause()
    assert isinstance(pilot.app.screen, ExportDialog)
    for choice in keys:
        await pilot.click(f"#choice-{choice}")
        await pilot.pause()
    field = pilot.app.screen.query_one("#folder", Input)
    field.value = str(folder)
    field.focus()
    await pilot.press("enter")
    await settle(pilot)


async def test_export_a_report_from_the_app_and_say_where_it_went(
    enrolled: Path, folder: Path
) -> None:
    app, _ = make(enrolled)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("space")  # one check-off to report
        await settle(pilot)
        await export_with(pilot, folder)
        assert isinstance(app.screen, TodayScreen)
        (report,) = folder.iterdir()
        assert report.name == "rehab-me-2026-03-02-to-2026-03-10.html"
        assert stat.S_IMODE(report.stat().st_mode) == 0o600
        assert "Not medical advice; follow your clinician." in report.read_text(encoding="utf-8")
        said = "Printable report saved (2026-03-02 to 2026-03-10):\n"
        (toast,) = [n for n in notices(app) if said in n]
        # the path on lines of its own, broken only after a /, never inside a name
        where = toast.split(said, 1)[1].splitlines()
        assert "".join(where) == str(report)
        assert all(len(line) <= TOAST_WIDTH and line.endswith(("/", "-")) for line in where[:-1])
        assert where[-1].endswith(".html")

        await export_with(pilot, folder)  # the same again: a second file, not an overwrite
        names = sorted(p.name for p in folder.iterdir())
        assert names == [
            "rehab-me-2026-03-02-to-2026-03-10-2.html",
            "rehab-me-2026-03-02-to-2026-03-10.html",
        ]


def test_a_long_path_is_broken_between_names_and_at_hyphens() -> None:
    from rehab.tui.exporting import path_lines

    path = "/home/ana/My Documents/rehab exports/rehab-ana-maria-2026-03-02-to-2026-03-10.html"
    lines = path_lines(path, 24)
    assert "".join(lines) == path
    assert lines == [
        "/home/ana/My Documents/",
        "rehab exports/",
        "rehab-ana-maria-2026-03-",
        "02-to-2026-03-10.html",
    ]
    assert path_lines("/x/" + "a" * 30, 10) == ["/x/", "a" * 30]  # one long word: as it is


async def test_export_csv_for_the_last_4_weeks(enrolled: Path, folder: Path) -> None:
    app, _ = make(enrolled)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("space")
        await settle(pilot)
        await export_with(pilot, folder, "csv", "last-4-weeks")
    (out,) = folder.iterdir()
    assert out.is_dir() and out.name == "rehab-me-2026-02-11-to-2026-03-10-csv"
    with (out / "doses.csv").open(encoding="utf-8-sig", newline="") as handle:
        doses = list(csv.DictReader(handle))
    assert len(doses) >= 1 and doses[0]["date"] == "2026-03-10"


async def test_export_json_and_the_calendar(enrolled: Path, folder: Path) -> None:
    app, _ = make(enrolled)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await export_with(pilot, folder, "json")
        await export_with(pilot, folder, "ics")
    by_suffix = {p.suffix: p for p in folder.iterdir()}
    assert json.loads(by_suffix[".json"].read_text(encoding="utf-8"))["format"] == "rehab-export"
    assert by_suffix[".ics"].read_bytes().startswith(b"BEGIN:VCALENDAR\r\n")


async def test_a_folder_that_is_not_there_is_explained_and_nothing_is_written(
    enrolled: Path, tmp_path: Path
) -> None:
    app, _ = make(enrolled)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("e")
        await pilot.pause()
        field = app.screen.query_one("#folder", Input)
        field.value = str(tmp_path / "nowhere")
        field.focus()
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ExportDialog)  # still open, with the reason
        assert "is not a folder" in str(app.screen.query_one("#export-error").render())
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, TodayScreen)
    assert not (tmp_path / "nowhere").exists()


def test_free_name_adds_a_number_before_the_extension(tmp_path: Path) -> None:
    (tmp_path / "log.fhir.json").write_text("x", encoding="utf-8")
    (tmp_path / "log.fhir-2.json").write_text("x", encoding="utf-8")
    assert free_name(tmp_path, "log.fhir.json").name == "log-2.fhir.json"
    assert free_name(tmp_path, "log.html").name == "log.html"
    (tmp_path / "folder-csv").mkdir()
    assert free_name(tmp_path, "folder-csv").name == "folder-csv-2"


async def test_a_full_disk_is_a_notice_naming_the_file_and_the_app_stays_up(
    enrolled: Path, folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import errno

    from rehab.export import files

    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(files.os, "fsync", full)
    app, _ = make(enrolled)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await export_with(pilot, folder)
        assert app.is_running and app.fatal is None
        assert isinstance(app.screen, TodayScreen)
        target = folder / "rehab-me-2026-03-02-to-2026-03-10.html"
        assert any(f"cannot write {target}: no space left on device" in n for n in notices(app)), (
            notices(app)
        )
        assert list(folder.iterdir()) == []
