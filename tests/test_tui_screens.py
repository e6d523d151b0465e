"""The screens that make the app readable: help (every key), the advice in full, one
exercise in full, and header lines that condense instead of being cut off."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console
from textual.screen import Screen

import rehab.tui.screens as screens_package
from rehab.core.catalog import load_catalog
from rehab.paths import builtin_programs_dir
from rehab.tui.app import RehabApp
from rehab.tui.screens.advice import AdviceScreen
from rehab.tui.screens.base import RehabScreen, bindings_of, commands_of
from rehab.tui.screens.dose import DoseScreen
from rehab.tui.screens.help import HelpScreen, screen_classes
from rehab.tui.screens.today import TodayScreen
from tests.tui_helpers import SIZE, enroll, make, settle

WIDE = (120, 40)


def rendered(widget: Any, width: int) -> str:
    """What a Static shows, wrapped at `width` columns, as plain text."""
    console = Console(width=width, record=True, color_system=None)
    content = widget.content
    console.print(content)
    return console.export_text()


@pytest.fixture
def enrolled(tmp_path: Path) -> Path:
    db = tmp_path / "rehab.db"
    enroll(db)
    return db


def all_screens() -> list[type[Screen[Any]]]:
    """Every full screen class in rehab.tui.screens with keys of its own."""
    found = []
    for info in pkgutil.iter_modules(screens_package.__path__):
        module = importlib.import_module(f"rehab.tui.screens.{info.name}")
        for _, kind in inspect.getmembers(module, inspect.isclass):
            if (
                issubclass(kind, RehabScreen)
                and kind is not RehabScreen
                and kind.__module__ == module.__name__
                and bindings_of(kind)
            ):
                found.append(kind)
    return found


def test_every_screen_with_keys_is_in_the_help() -> None:
    listed = set(screen_classes())
    missing = [k.__name__ for k in all_screens() if k not in listed]
    assert not missing, f"add these to rehab.tui.screens.help.SCREENS: {missing}"


async def test_help_lists_every_key_of_every_screen(enrolled: Path) -> None:
    app, _ = make(enrolled)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        text = rendered(app.screen.query_one("#help-text"), 200)
        for kind in screen_classes():
            for binding, _ in commands_of(kind):
                assert (binding.tooltip or binding.description) in text, binding
        assert "Not medical advice" in text
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, TodayScreen)
        await pilot.press("f1")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        # opened from Today, the Today keys come first
        assert text.lstrip().startswith("Today")


async def test_the_palette_offers_every_key_of_the_screen(enrolled: Path) -> None:
    app, _ = make(enrolled)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        titles = {c.title for c in app.get_system_commands(screen)}
        for binding, _ in commands_of(TodayScreen):
            if binding.action.startswith("app."):
                continue
            if screen.check_action(binding.action.split("(")[0], ()) is False:
                continue  # hidden here (the VISA-A on a program without it)
            assert (binding.tooltip or binding.description) in titles, binding.action
        # Export was once missing from the palette: it is there, and runs
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"progress log")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await settle(pilot)
        assert type(app.screen).__name__ == "ExportDialog"


async def test_every_key_has_words_for_the_help_and_palette() -> None:
    for kind in all_screens():
        for binding in bindings_of(kind):
            assert binding.description, (kind.__name__, binding.key)
    for binding in bindings_of(RehabApp):
        assert binding.description


@pytest.mark.parametrize("size", [SIZE, WIDE])
async def test_header_lines_fit_the_terminal(tmp_path: Path, size: tuple[int, int]) -> None:
    db = tmp_path / "rehab.db"
    enroll(db, "achilles-midportion", side="left")
    app, _ = make(db)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, TodayScreen) and screen.view is not None
        for line in ("#title", "#stats", "#advice"):
            text = str(screen.query_one(line).render())
            assert len(text) <= size[0] - 2, (line, text)
            assert not text.endswith("…")
        title = str(screen.query_one("#title").render())
        assert "wk 2/26" in title or "week 2 of 26" in title
        if size == WIDE:
            assert title.startswith(screen.view.program_name)


async def test_a_long_header_condenses_instead_of_being_cut(enrolled: Path) -> None:
    app, _ = make(enrolled)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, TodayScreen) and screen.view is not None
        long = replace(
            screen.view, red_flag=True, program_name="A" * 60, phase="Phase 3: " + "b" * 40
        )
        screen._headers(long)
        stats = str(screen.query_one("#stats").render())
        title = str(screen.query_one("#title").render())
        assert "PAUSED: red flag" in stats and "see a clinician" in stats and "P once" in stats
        assert len(stats) <= 78 and len(title) <= 78
        assert "Phase 3" in title


PROGRAMS = sorted(load_catalog(builtin_programs_dir(), None).entries)


@pytest.mark.parametrize("program_id", PROGRAMS)
async def test_i_shows_the_whole_exercise_and_its_cautions(tmp_path: Path, program_id: str) -> None:
    """Every built-in exercise's instructions and every caution, whole, at 80 columns (23
    of the 75 once did not fit the Today pane)."""
    db = tmp_path / "rehab.db"
    enroll(db, program_id, side="left")
    app, _ = make(db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, TodayScreen) and screen.view is not None
        seen = 0
        for row in screen.view.rows:
            index = screen.query_one("#doses").get_option_index(screen._option_id(row))  # type: ignore[attr-defined]
            screen.query_one("#doses").highlighted = index  # type: ignore[attr-defined]
            await pilot.pause()
            await pilot.press("i")
            await settle(pilot)
            assert isinstance(app.screen, DoseScreen)
            text = " ".join(rendered(app.screen.query_one("#dose-text"), 78).split())
            dose = row.first.dose
            assert " ".join(dose.instructions.split()) in text
            for caution in dose.cautions:
                assert " ".join(caution.split()) in text
            assert "Not medical advice" in text
            await pilot.press("escape")
            await settle(pilot)
            assert isinstance(app.screen, TodayScreen)
            seen += 1
        assert seen >= 1


async def test_the_detail_pane_wraps_the_whole_caution(tmp_path: Path) -> None:
    """The ice caution once ended at '…between ice and': now the pane holds it all."""
    db = tmp_path / "rehab.db"
    enroll(db, "achilles-midportion", side="left")
    app, _ = make(db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, TodayScreen) and screen.view is not None
        ice = next(r for r in screen.view.rows if r.first.dose.exercise_id == "ice")
        doses = screen.query_one("#doses")
        doses.highlighted = doses.get_option_index(screen._option_id(ice))  # type: ignore[attr-defined]
        await settle(pilot)
        pane = screen.query_one("#detail")
        assert pane.size.height >= 3
        text = " ".join(rendered(pane, pane.size.width).split())
        for caution in ice.first.dose.cautions:
            assert " ".join(caution.split()) in text
        box = screen.query_one("#detail-box")
        assert box.size.height >= pane.size.height  # all of it on screen, nothing cut


async def test_advice_screen_shows_every_reason_and_accepts_with_y(enrolled: Path) -> None:
    app, _ = make(enrolled)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, TodayScreen) and screen.view is not None
        view = replace(
            screen.view,
            advice_decision="progress",
            advice_reasons=("pain during exercise 2/10 on 6 of 7 days", "morning pain settled"),
            advice_would_change=("pain above 5 during",),
            plan_change="Phase 2 from tomorrow",
        )
        results: list[bool | None] = []
        app.push_screen(AdviceScreen(view), results.append)
        await settle(pilot)
        text = rendered(app.screen.query_one("#advice-text"), 78)
        assert "Pain during exercise 2/10 on 6 of 7 days" in text
        assert "Morning pain settled" in text
        assert "What would change it" in text and "Phase 2 from tomorrow" in text
        await pilot.press("y")
        await settle(pilot)
        assert results == [True]
        accepted = replace(view, advice_accepted=True)
        app.push_screen(AdviceScreen(accepted), results.append)
        await settle(pilot)
        assert "Accepted: from tomorrow" in rendered(app.screen.query_one("#advice-text"), 78)
        await pilot.press("y")  # nothing more to accept
        await settle(pilot)
        assert isinstance(app.screen, AdviceScreen)
        await pilot.press("escape")
        await settle(pilot)
        assert results == [True, False]


async def test_a_opens_the_advice_and_a_hold_cannot_be_accepted(enrolled: Path) -> None:
    app, _ = make(enrolled)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        assert isinstance(app.screen, AdviceScreen)
        text = rendered(app.screen.query_one("#advice-text"), 78)
        assert "Hold" in text or "No advice today" in text
        await pilot.press("y")
        await settle(pilot)
        assert isinstance(app.screen, AdviceScreen)  # nothing to accept: it stays


async def test_the_demo_is_marked_as_a_demo(tmp_path: Path) -> None:
    from rehab.demo import PATIENT, build
    from rehab.tui.app import make_app
    from tests.tui_helpers import NOW, FakeClock

    demo = tmp_path / "demo.db"
    build(demo, today=NOW.date())
    app = make_app(
        f"sqlite:///{demo}", PATIENT, clock=FakeClock(), tick=False, reminders=False, watch=None
    )
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        title = app.screen.query_one("#title")
        assert str(title.render()).startswith("DEMO · ")
        assert title.has_class("demo")


async def test_your_own_data_is_not_marked_as_a_demo(enrolled: Path) -> None:
    app, _ = make(enrolled)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        title = app.screen.query_one("#title")
        assert "DEMO" not in str(title.render()) and not title.has_class("demo")


async def test_several_patients_and_no_name_ask_whose_records(tmp_path: Path) -> None:
    """Never the first-run set-up (which would add a patient) and never a guess."""
    import sqlite3

    from sqlmodel import Session

    from rehab.core.catalog import load_catalog
    from rehab.store import journal
    from rehab.store.db import open_engine
    from tests.tui_helpers import NOW

    db = tmp_path / "rehab.db"
    catalog = load_catalog(builtin_programs_dir(), None)
    engine = open_engine(f"sqlite:///{db}")
    with Session(engine) as session, session.begin():
        for name, program in (("Ana", "plantar-fasciitis"), ("Rui", "achilles-midportion")):
            patient = journal.find_patient(session, name=name, create=True)
            journal.start_program(
                session, patient=patient, program=catalog.get(program), side="left",
                start=NOW.date(), now=NOW,
            )  # fmt: skip
    engine.dispose()
    app, _ = make(db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert type(app.screen).__name__ == "ChoiceDialog"
        await pilot.press("down", "enter")  # Rui
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, TodayScreen) and screen.view is not None
        assert "Mid-portion Achilles" in screen.view.program_name
    with sqlite3.connect(db) as con:
        assert sorted(r[0] for r in con.execute("SELECT name FROM patient")) == ["Ana", "Rui"]


# --- the stylesheet is scoped by screen type --------------------------------------------


def test_every_id_rule_in_the_stylesheet_is_scoped_by_a_screen_type() -> None:
    """A bare `#title` would style every screen that has one; each id rule names the
    screen (or dialog) type it is for, and that type exists."""
    import re

    from rehab.tui import painguide

    sheet = (Path(screens_package.__file__).parent.parent / "rehab.tcss").read_text()
    sheet = re.sub(r"/\*.*?\*/", "", sheet, flags=re.S)
    selectors = [
        part.strip() for head in re.findall(r"([^{}]+)\{", sheet) for part in head.split(",")
    ]
    known = {"RehabScreen", "ModalScreen", "PainResponse"}
    for module in _screen_modules():
        known |= {name for name, value in vars(module).items() if isinstance(value, type)}
    assert painguide.PainResponse  # a modal of its own, outside the screens package
    for selector in selectors:
        if "#" not in selector:
            continue  # the shared dialog classes
        first = selector.split()[0]
        assert first in known, f"{selector!r}: scope it by its screen type"


def _screen_modules() -> list[object]:
    return [
        importlib.import_module(f"rehab.tui.screens.{info.name}")
        for info in pkgutil.iter_modules(screens_package.__path__)
    ]


async def test_a_scoped_rule_reaches_its_dialog(tmp_path: Path) -> None:
    from textual.widgets import OptionList

    from rehab.tui.screens.dialogs import SkipDialog

    db = tmp_path / "rehab.db"
    enroll(db)
    app, _ = make(db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.push_screen(SkipDialog("Calf stretch"))
        await pilot.pause()
        choices = app.screen.query_one("#choices", OptionList)
        assert choices.styles.max_height is not None and choices.styles.max_height.value == 8
