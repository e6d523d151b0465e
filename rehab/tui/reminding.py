"""What the app's reminder toast says: short, since the checklist is on screen behind it.
The desktop notification and the reminder log keep the full list of doses."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from rehab.core.vocabulary import SLOT_TITLES

if TYPE_CHECKING:
    from rehab.reminders.service import Sent

LISTED_AT_MOST = 60  # characters of dose lines a toast lists; more are counted instead


def short_lines(lines: Sequence[str]) -> str:
    """The doses themselves when they are few and short, else how many."""
    joined = "; ".join(lines)
    if len(joined) <= LISTED_AT_MOST:
        return joined
    return f"{len(lines)} on your list still to do"


def toast_text(sent: Sequence[Sent]) -> tuple[str, str | None]:
    """(the toast, the slot z snoozes) for what one check sent: the missed slots first in
    one clause, then the slot due now; each dose counted once."""
    missed = [s.reminder for s in sent if s.reminder.catch_up]
    now = [s.reminder for s in sent if not s.reminder.catch_up]
    parts: list[str] = []
    seen: set[str] = set()
    if missed:
        lines = [line for r in missed for line in r.lines]
        fresh = list(dict.fromkeys(lines))
        seen.update(fresh)
        titles = " and ".join(dict.fromkeys(SLOT_TITLES[r.slot] for r in missed))
        parts.append(f"Missed earlier: {titles}, {short_lines(fresh)}")
    for reminder in now:
        fresh = [line for line in dict.fromkeys(reminder.lines) if line not in seen]
        seen.update(fresh)
        what = short_lines(fresh) if fresh else "the same as above"
        parts.append(f"{SLOT_TITLES[reminder.slot]}: {what}")
    last = (now or missed)[-1].slot if (now or missed) else None
    return " · ".join(parts), last
