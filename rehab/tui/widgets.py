"""Small widget helpers shared by the screens."""

from __future__ import annotations

from typing import Any, Self

from rich.text import Text
from textual.widgets import Checkbox, OptionList, RadioButton, RadioSet


def fitting(width: int, forms: list[str]) -> str:
    """The first of `forms` (longest first) that fits in `width` cells: a line condenses
    as the terminal narrows instead of being cut off. The last form is meant to fit; if
    even it does not, it wraps (the line's widget is one row, so keep it short)."""
    from rich.cells import cell_len

    for form in forms:
        if cell_len(form) <= width:
            return form
    return forms[-1] if forms else ""


class ChoiceButton(RadioButton):
    """A radio button drawn only by its label's ◉/○: Textual's own button (a dot told apart
    by colour alone) is left out, so each option shows one marker, not two."""

    BUTTON_LEFT = ""
    BUTTON_INNER = ""
    BUTTON_RIGHT = ""


class TickBox(Checkbox):
    """A checkbox drawn only by its label's ☐/☒ and yes/no (no second, colour-only box)."""

    BUTTON_LEFT = ""
    BUTTON_INNER = ""
    BUTTON_RIGHT = ""


def choice_button(value: str, *, chosen: bool = False) -> RadioButton:
    """A radio button whose label says whether it is chosen (◉/○), not only its colour."""
    return ChoiceButton(_label(value, chosen), value=chosen, id=f"choice-{value}")


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
    """A checkbox whose label gives its state in a symbol and a word (☐ … no / ☒ … yes), not
    only by colour; a long label wraps."""
    box = TickBox(_box_label(label, False), id=box_id)
    box.tooltip = label
    return box


def _box_label(label: str, ticked: bool) -> str:
    return f"{'☒' if ticked else '☐'} {label}: {'yes' if ticked else 'no'}"


def mark_box(box: Checkbox) -> None:
    """Call on Checkbox.Changed."""
    box.label = _box_label(str(box.tooltip or ""), box.value)


class PointerList(OptionList):
    """An option list whose highlighted option also carries a ›, not only a colour."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._plain: dict[int, Any] = {}
        self._pointed: int | None = None

    def clear_options(self) -> Self:
        self._plain = {}
        self._pointed = None
        return super().clear_options()

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        if event.option_list is not self:
            return
        previous, self._pointed = self._pointed, event.option_index
        if previous is not None and previous in self._plain and previous < self.option_count:
            self.replace_option_prompt_at_index(previous, self._plain[previous])
        index = event.option_index
        if index not in self._plain:
            self._plain[index] = event.option.prompt
        self.replace_option_prompt_at_index(index, Text("› ") + _as_text(self._plain[index]))


def _as_text(prompt: Any) -> Text:
    return prompt if isinstance(prompt, Text) else Text(str(prompt))
