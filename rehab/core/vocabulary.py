"""The app's words for its fixed lists, in one place: the parts of the day, the contexts a
pain score is given in, the reasons to skip or pause, and the disclaimer. The store checks
against these, the CLI offers them as choices, the app lists them in its dialogs.

Nothing is imported here, so the app can read it before its first frame."""

from __future__ import annotations

from typing import Literal

Slot = Literal["morning", "midday", "evening", "night", "any"]
SLOTS: tuple[Slot, ...] = ("morning", "midday", "evening", "night", "any")
TIMED_SLOTS: tuple[Slot, ...] = ("morning", "midday", "evening", "night")  # with a reminder
SLOT_TITLES: dict[str, str] = {
    "morning": "Morning",
    "midday": "Midday",
    "evening": "Evening",
    "night": "Night",
    "any": "Any time",
}

# When a pain score was felt. Night and rest pain are red flags (CLINICAL.md).
PAIN_CONTEXTS = ("morning", "rest", "during", "after", "night")
SKIP_REASONS = ("too painful", "no time", "no equipment", "other")
PAUSE_REASONS = ("injury", "illness", "travel", "other")

DISCLAIMER = "Not medical advice; follow your clinician."
