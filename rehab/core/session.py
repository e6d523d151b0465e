"""The guided session's rules, without a screen: which doses a session takes, when to ask
about pain during an exercise, and what to say about the answer (CLINICAL.md: pain during
exercise may reach 5/10; 0–2 safe, 3–5 acceptable, above 5 too much)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import time

from rehab.core.progression import PAIN_DURING_LIMIT
from rehab.core.rows import Row
from rehab.core.vocabulary import TIMED_SLOTS as TIMED_SLOTS

# Exercises a patient does (and can hurt during); ice, a splint, shoes and comfort measures
# are not asked about.
PAIN_KINDS = frozenset({"stretch", "strengthen", "mobility", "walk", "massage"})
PAIN_GUIDE = "0–2 is safe · 3–5 is acceptable · above 5 is too much"


def slot_at(now: time, times: Mapping[str, str]) -> str:
    """The slot the time of day falls in: from a slot's reminder time until the next one's
    (before the morning time it is still morning)."""
    current = "morning"
    for slot in TIMED_SLOTS:
        text = times.get(slot)
        if text is None:
            continue
        hours, minutes = (int(part) for part in text.split(":"))
        if (now.hour, now.minute) >= (hours, minutes):
            current = slot
    return current


def session_rows(rows: Sequence[Row], slot: str | None) -> tuple[Row, ...]:
    """The open doses a session takes, in the checklist's order: those of `slot` and the
    'any time' ones. If none is open there, those of earlier slots still open (missed ones;
    never a later slot's: the midday stretch waits for midday). On a past day (`slot` None),
    every open dose. Optional doses (as needed, or dosed by a clinician) are left out."""
    wanted = [r for r in rows if r.is_open and not r.first.dose.as_needed]
    wanted = [r for r in wanted if not r.first.dose.unverified]
    if slot is None:
        return tuple(wanted)
    in_slot = [r for r in wanted if r.slot in (slot, "any")]
    if in_slot:
        return tuple(in_slot)
    now = TIMED_SLOTS.index(slot) if slot in TIMED_SLOTS else len(TIMED_SLOTS)
    return tuple(r for r in wanted if r.slot in TIMED_SLOTS[:now])


def asks_pain(row: Row) -> bool:
    return row.first.dose.kind in PAIN_KINDS


PAIN_SAFE_MAX = 2  # CLINICAL.md: 0–2 safe, 3–5 acceptable, above 5 too much


def pain_band(score: int) -> str:
    """'safe', 'acceptable' or 'too much' (CLINICAL.md's three bands); the one rule for the
    pain dialog and the guided session."""
    if score <= PAIN_SAFE_MAX:
        return "safe"
    if score <= PAIN_DURING_LIMIT:
        return "acceptable"
    return "too much"


def too_much(score: int) -> bool:
    return score > PAIN_DURING_LIMIT


def pain_response(score: int) -> str:
    """What the app says about a pain-during score, in plain words."""
    if score <= PAIN_SAFE_MAX:
        return f"Pain {score}/10 during the exercise: that is safe."
    if not too_much(score):
        return f"Pain {score}/10 during the exercise: acceptable (up to 5 is fine)."
    return (
        f"Pain {score}/10 is above 5: that is too much. Ease off for the rest of today and do "
        "less next time (fewer sets, or less weight). The pain should settle by the next "
        "morning; today's advice takes this score into account and may suggest cutting back. "
        "If pain stays above 5 on most days even after cutting back, see a clinician."
    )
