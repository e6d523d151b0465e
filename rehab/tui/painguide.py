"""The 0–10 pain guide where pain is logged (CLINICAL.md, the pain-monitoring model, in the
templates' own words): 0–2 is safe, 3–5 is acceptable, above 5 is too much. Shown in the pain
dialog and meant for any "pain during" answer (the guided session uses `PainGuide` and
`pain_response` too), and a score above 5 gets a response in plain words after saving."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Label, Static

from rehab.core.progression import PAIN_DURING_LIMIT as ACCEPTABLE_MAX
from rehab.core.session import pain_band as band

GUIDE = (
    "Pain guide (0 = no pain, 10 = worst imaginable): pain during the exercises may reach "
    "5/10. 0–2 is safe, 3–5 is acceptable, above 5 is too much."
)
# Same rule as the command line: morning before noon (local time), after exercise from noon.
NOON = 12


def default_context(local_hour: int) -> str:
    """The pain context a dialog starts at: never rest or night, which are red flags."""
    return "morning" if local_hour < NOON else "after"


def guide_text(score: int | None = None) -> str:
    """The guide, and where a score falls on it."""
    if score is None:
        return GUIDE
    return f"{GUIDE}\nYour {score}: {band(score)}."


def pain_response(score: int, context: str) -> str | None:
    """What to do after a score above 5 (None at 5 or below). Pain at night or at rest is a
    red flag, answered by the red-flag screen instead."""
    if score <= ACCEPTABLE_MAX or context in ("rest", "night"):
        return None
    keep_watch = (
        "If pain stays above 5 on most days of a week even after doing less, stop the "
        "exercises and see a clinician."
    )
    if context == "morning":
        return (
            f"Morning pain {score}/10 is high. If the heel is worse than on other mornings, "
            "do less today: fewer sets or less load. " + keep_watch
        )
    return (
        f"Pain {score}/10 is too much: pain during the exercises may reach 5 at most. Do "
        "less next time: fewer sets or less load. Pain should settle by the next morning; "
        "if the heel is worse the next morning, do less again. " + keep_watch
    )


def respond(
    app: App[Any], score: int, context: str, then: Callable[[], None] | None = None
) -> None:
    """Call once a pain score is saved: above 5, the response on screen until the patient
    closes it, then `then` (e.g. the red-flag questions); otherwise `then` at once."""
    response = pain_response(score, context)
    if response is None:
        if then is not None:
            then()
        return
    app.push_screen(PainResponse(response), (lambda _: then()) if then is not None else None)


class PainGuide(Static):
    """The guide as a widget; `show(score)` marks where a score falls (None: no score)."""

    DEFAULT_CSS = """
    PainGuide {
        height: auto;
        width: 100%;
        color: $text-muted;
    }
    """

    def __init__(self, score: int | None = None, *, id: str | None = "pain-guide") -> None:
        super().__init__(guide_text(score), id=id)

    def show(self, score: int | None) -> None:
        self.update(guide_text(score))


class PainResponse(ModalScreen[None]):
    """After a score above 5: the response in plain words, until the patient presses enter."""

    BINDINGS = [
        Binding("escape", "close", "Close"),
        Binding("enter", "close", "OK", show=False),
    ]

    def __init__(self, message: str) -> None:
        super().__init__()
        self.message = message

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="pain-response"):
            yield Label("Pain above 5: what to do", classes="dialog-title")
            yield Static(self.message, id="pain-response-text")
            with Horizontal(classes="buttons"):
                yield Button("OK (enter)", variant="primary", id="ok")

    def on_mount(self) -> None:
        self.query_one("#ok", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(None)

    def action_close(self) -> None:
        self.dismiss(None)
