"""What every full screen of the app shares: its handle on the app, and its keys in words.

A screen's `BINDINGS` are the one list of its keys: the footer shows the few marked
`show=True`, the help screen (`?`, F1) lists them all, and the command palette offers
each one (`RehabApp.get_system_commands`), so no key can be missing from either.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar, cast

from textual.binding import Binding, BindingType
from textual.screen import Screen

if TYPE_CHECKING:
    from rehab.tui.app import RehabApp


class RehabScreen(Screen[Any]):
    KEYS_TITLE: ClassVar[str] = ""  # the screen's name in the help screen

    @property
    def rehab(self) -> RehabApp:
        return cast("RehabApp", self.app)


def bindings_of(kind: type[Screen[Any]]) -> list[Binding]:
    """A screen class's own bindings, as Binding objects, in their order."""
    found: list[Binding] = []
    for item in cast("list[BindingType]", kind.__dict__.get("BINDINGS", [])):
        if isinstance(item, Binding):
            found.append(item)
        else:  # a (key, action, description) tuple
            key, action, *rest = item
            found.append(Binding(key, action, rest[0] if rest else ""))
    return found


def commands_of(kind: type[Screen[Any]]) -> list[tuple[Binding, list[Binding]]]:
    """Each action of a screen once, with every key that runs it (`h` and escape both go
    back): the first binding gives the words."""
    merged: dict[str, tuple[Binding, list[Binding]]] = {}
    for binding in bindings_of(kind):
        if binding.action in merged:
            merged[binding.action][1].append(binding)
        else:
            merged[binding.action] = (binding, [binding])
    return list(merged.values())
