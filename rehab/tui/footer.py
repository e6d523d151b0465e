"""The key footer, rebuilt only when the keys it shows change, and only once it is needed.

Textual's footer rebuilds all its keys (a dozen widgets, each styled and laid out: about
90 ms) whenever the screen's bindings are refreshed: on mount, on a focus change, after a
worker, and once per refresh even when several arrive together. At start-up it rebuilt
three times, with the same keys, while the database layer was loading in a worker thread,
and each rebuild competed with that load for the interpreter. This one rebuilds only when
the keys, labels or enabled states differ from what it shows, at most once per refresh;
and a footer made with `held=True` shows no keys until `release()` (the Today screen
releases it once the checklist is on screen: until then no key has anything to act on).
"""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer


class KeyFooter(Footer):
    _shown: tuple[Any, ...] | None = None
    _rebuild_pending = False

    def __init__(self, *, held: bool = False, id: str | None = None) -> None:
        # compact, and ctrl+p left to the help screen: room for every daily key at 80 columns
        super().__init__(id=id, compact=True, show_command_palette=False)
        self._held = held

    def release(self) -> None:
        """Show the keys (once; later calls do nothing)."""
        if self._held:
            self._held = False
            if self.is_attached:  # in the footer's own context: its keys bind to it
                self.call_later(self.bindings_changed, self.screen)

    def compose(self) -> ComposeResult:
        self._rebuild_pending = False
        if self._held:
            return
        if self._bindings_ready:
            self._shown = _footer_keys(self.screen)
        yield from super().compose()

    def bindings_changed(self, screen: Screen[Any]) -> None:
        # Footer.bindings_changed, less the rebuilds that would change nothing.
        self._bindings_ready = True
        if self._held or not screen.app.app_focus:
            return
        if not (self.is_attached and screen is self.screen):
            return
        if self._rebuild_pending or _footer_keys(screen) == self._shown:
            return
        self._rebuild_pending = True
        self.call_after_refresh(self.recompose)


def _footer_keys(screen: Screen[Any]) -> tuple[Any, ...]:
    """What the footer shows: each shown binding's key, label, state and tooltip."""
    palette = screen.app.COMMAND_PALETTE_BINDING
    return tuple(
        (key, binding.key_display, binding.description, binding.action, enabled, tooltip)
        for key, (_, binding, enabled, tooltip) in screen.active_bindings.items()
        if binding.show or key == palette
    )
