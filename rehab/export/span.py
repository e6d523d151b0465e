"""What an export's rows cover, in plain values: one patient, plan days `first`..`last`
(both included), the enrollments with days in them, and the patient's zone.

`scope.Scope` builds one of these; the rules for the default range and its errors are here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Protocol, TypeVar
from zoneinfo import ZoneInfo

from rehab.errors import UsageProblem


@dataclass(frozen=True)
class Span:
    patient_id: int
    first: date
    last: date
    zone: ZoneInfo
    # enrollment id -> the template snapshot (JSON) it ran, in start order
    snapshots: Mapping[int, str] = field(default_factory=dict)

    @property
    def enrollment_ids(self) -> list[int]:
        return list(self.snapshots)

    def local(self, moment: datetime | None) -> str:
        return local_iso(moment, self.zone)


def local_iso(moment: datetime | None, zone: ZoneInfo) -> str:
    """An instant as ISO 8601 in the patient's zone, with its offset ('' for none)."""
    if moment is None:
        return ""
    return moment.astimezone(zone).isoformat(timespec="seconds")


class Dated(Protocol):
    """What the range rules read of an enrollment."""

    @property
    def start_date(self) -> date: ...
    @property
    def status(self) -> str: ...
    @property
    def ended_at(self) -> datetime | None: ...


E = TypeVar("E", bound=Dated)


def choose(
    rows: Sequence[E],
    *,
    patient_name: str,
    zone: ZoneInfo,
    today: date,
    first: date | None,
    last: date | None,
) -> tuple[date, date, list[E]]:
    """(first, last, the enrollments with days in the range) from the patient's enrollments
    in start order. The default range is the current enrollment (the active one, else the
    latest) from its start to today. A range that cannot be is one line (exit 2)."""
    first_given = first is not None
    if first is None:
        if not rows:
            raise UsageProblem(
                f"{patient_name!r} has no program yet, so there is nothing to export "
                "(start one with 'rehab start', or give --from and --to)"
            )
        current = next((r for r in reversed(rows) if r.status == "active"), rows[-1])
        first = current.start_date
    if last is None:
        last = max(today, first)
    if first > last and not first_given:
        raise UsageProblem(
            f"--to {last} is before the program started on {first} "
            "(allowed: a day from the start on, or give --from as well)"
        )
    if first > last:
        raise UsageProblem(
            f"--from {first} is after --to {last} (allowed: --from on or before --to)"
        )
    chosen = []
    for row in rows:
        if row.start_date > last:
            continue
        ended = row.ended_at if row.status != "active" else None
        if ended is not None and ended.astimezone(zone).date() < first:
            continue
        chosen.append(row)
    return first, last, chosen
