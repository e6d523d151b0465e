"""How far a day's plan has got: each planned dose with the sets done and its status."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from rehab.core.schedule import DayPlan, Dose

DoseStatus = Literal["open", "partial", "done", "skipped", "paused"]


@dataclass(frozen=True)
class Logged:
    """A check-off or skip that still counts (not voided), as plain data."""

    item_key: str
    side: str  # "left", "right" or "" for a dose that is not per leg
    status: str  # "done" or "skipped"
    sets: int | None


def target_sets(dose: Dose) -> int:
    """Most sets the dose asks for (the top of a 2–3 range); one-shot items count as 1, and
    so does a dose whose numbers are unverified: it is done or not, never "3 sets"."""
    if dose.sets is None or dose.unverified:
        return 1
    return int(dose.sets.high)


def enough_sets(dose: Dose) -> int:
    """Fewest sets that complete the dose (the bottom of a 2–3 range)."""
    if dose.sets is None or dose.unverified:
        return 1
    return max(1, int(dose.sets.low))


def counted(dose: Dose) -> bool:
    """Whether a missed dose counts against adherence: optional (as-needed) doses and doses
    whose numbers and rhythm a clinician has yet to set (unverified) do not."""
    return not (dose.as_needed or dose.unverified)


@dataclass(frozen=True)
class DoseProgress:
    dose: Dose
    sets_done: int
    status: DoseStatus

    @property
    def sets_left(self) -> int:
        return max(0, target_sets(self.dose) - self.sets_done)


def paused_after(items: Iterable[DoseProgress]) -> list[DoseProgress]:
    """The day a pause began after some doses were done: what was done stays done, the rest
    is paused (not open, not missed)."""
    return [
        i if i.status in ("done", "skipped") else DoseProgress(i.dose, i.sets_done, "paused")
        for i in items
    ]


def progress(plan: DayPlan, logs: Iterable[Logged]) -> list[DoseProgress]:
    done: dict[tuple[str, str], int] = {}
    skipped: set[tuple[str, str]] = set()
    for log in logs:
        where = (log.item_key, log.side)
        if log.status == "skipped":
            skipped.add(where)
        else:
            # a check-off without a set count (an unverified dose) is the whole dose
            done[where] = done.get(where, 0) + (log.sets if log.sets is not None else 1)
    result = []
    for dose in plan.doses:
        where = (dose.key, dose.side_key)
        count = done.get(where, 0)
        status: DoseStatus
        if count >= enough_sets(dose):
            status = "done"
        elif where in skipped:
            status = "skipped"
        elif count > 0:
            status = "partial"
        else:
            status = "open"
        result.append(DoseProgress(dose, count, status))
    return result
