"""Small widget helpers shared by the screens."""

from __future__ import annotations

from textual.widgets import Checkbox, RadioButton, RadioSet


def choice_button(value: str, *, chosen: bool = False) -> RadioButton:
    """A radio button whose label says whether it is chosen (◉/○), not only its colour."""
    return RadioButton(_label(value, chosen), value=chosen, id=f"choice-{value}")


def _label(value: str, chosen: bool) -> str:
    return f"{'◉' if chosen else '○'} {value}"


def chosen_value(radios: RadioSet, default: str) -> str:
    button = radios.pressed_button
    if button is None or button.id is None:
        return default
    return button.id.removeprefix("choice-")


def mark_choices(radios: RadioSet) -> None:
    """Call on RadioSet.Changed: relabel every button with its state."""
    for button in radios.query(RadioButton):
        if button.id is not None:
            button.label = _label(button.id.removeprefix("choice-"), button.value)


def tick_box(label: str, box_id: str) -> Checkbox:
    """A checkbox whose label says yes/no in words, not only by colour."""
    box = Checkbox(f"{label}: no", id=box_id)
    box.tooltip = label
    return box


def mark_box(box: Checkbox) -> None:
    """Call on Checkbox.Changed."""
    label = str(box.tooltip or "")
    box.label = f"{label}: {'yes' if box.value else 'no'}"
