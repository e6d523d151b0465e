"""Adherence: done ÷ planned doses, with paused days and as-needed items left out."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from rehab.core.checklist import Logged, counted, progress
from rehab.core.schedule import DayPlan


@dataclass(frozen=True)
class Tally:
    done: int
    planned: int
    started: int = 0  # doses with some sets done but not yet enough

    @property
    def percent(self) -> int | None:
        """Whole percent, or None when nothing was planned (a paused week, say)."""
        if self.planned == 0:
            return None
        return round(100 * self.done / self.planned)


def tally(plans: Iterable[DayPlan], logs: Mapping[date, Iterable[Logged]]) -> Tally:
    """Count required doses planned on the given days and how many of them were done."""
    done = planned = started = 0
    for plan in plans:
        for item in progress(plan, logs.get(plan.day, ())):
            if not counted(item.dose):
                continue
            planned += 1
            done += item.status == "done"
            started += item.status == "partial"
    return Tally(done, planned, started)
