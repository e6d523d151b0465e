"""Every key of the app, screen by screen (`?` or F1): read from the screens' own bindings,
so a key added to a screen is listed here without anyone remembering to."""

from __future__ import annotations

from importlib import import_module
from typing import Any

from rich.console import Group, RenderableType
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Static

from rehab.tui.prose import heading, keyed, page
from rehab.tui.screens.base import RehabScreen, commands_of

# Every full screen with keys of its own, in the order a patient meets them.
SCREENS = (
    "rehab.tui.screens.today:TodayScreen",
    "rehab.tui.screens.session:SessionScreen",
    "rehab.tui.screens.dose:DoseScreen",
    "rehab.tui.screens.advice:AdviceScreen",
    "rehab.tui.screens.program:ProgramScreen",
    "rehab.tui.screens.timer:TimerScreen",
    "rehab.tui.screens.history:HistoryScreen",
    "rehab.tui.screens.trends:TrendsScreen",
    "rehab.tui.screens.help:HelpScreen",
)

EVERYWHERE = (
    ("? or F1", "Help: this list of keys"),
    ("ctrl+p", "Commands: search every action by name"),
    ("tab, shift+tab", "Move between the fields and buttons of a dialog"),
    ("enter", "Choose the selected item, or press the focused button"),
    ("escape", "Close a dialog without saving, or go back"),
    ("q", "Quit (work in progress is kept)"),
)


def screen_classes() -> list[type[Screen[Any]]]:
    """The screens of SCREENS that exist in this build, imported on demand."""
    found: list[type[Screen[Any]]] = []
    for path in SCREENS:
        module, name = path.split(":")
        try:
            found.append(getattr(import_module(module), name))
        except (ImportError, AttributeError):
            continue  # a screen this build does not have
    return found


def key_text(app: App[Any], bindings: list[Binding]) -> str:
    return ", ".join(dict.fromkeys(app.get_key_display(b) for b in bindings))


def describe(binding: Binding) -> str:
    """A binding in words: its tooltip if it has one, else its footer label."""
    return binding.tooltip or binding.description


def sections(
    app: App[Any], first: type[Screen[Any]] | None = None
) -> list[tuple[str, list[tuple[str, str]]]]:
    """(screen title, [(keys, what they do)]) for every screen; `first` leads."""
    kinds = screen_classes()
    if first in kinds:
        kinds.remove(first)
        kinds.insert(0, first)
    result = []
    for kind in kinds:
        title = getattr(kind, "KEYS_TITLE", "") or kind.__name__
        rows = [(key_text(app, keys), describe(binding)) for binding, keys in commands_of(kind)]
        result.append((title, rows))
    result.append(("Everywhere", list(EVERYWHERE)))
    return result


class HelpScreen(RehabScreen):
    KEYS_TITLE = "This help"
    BINDINGS = [
        Binding("escape", "close", "Close", tooltip="Close the help and go back"),
        Binding("question_mark", "close", "Close", show=False),
        Binding("f1", "close", "Close", show=False),
    ]

    def __init__(self, came_from: type[Screen[Any]] | None = None) -> None:
        super().__init__()
        self._first = came_from

    def compose(self) -> ComposeResult:
        yield Static("rehab · keys, screen by screen", id="title")
        with VerticalScroll(id="help-body"):
            yield Static(self._text(), id="help-text")
        yield Footer()

    def _text(self) -> Group:
        parts: list[RenderableType] = []
        for title, rows in sections(self.app, self._first):
            parts += [heading(title), keyed(rows)]
        return page(parts)

    def on_mount(self) -> None:
        self.query_one("#help-body").focus()

    def action_close(self) -> None:
        self.dismiss()
