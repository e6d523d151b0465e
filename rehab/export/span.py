"""What an export's rows cover, in plain values: one patient, plan days `first`..`last`
(both included), the enrollments with days in them, and the patient's zone.

Kept free of SQLAlchemy and the template schema, so that `rehab export csv` can read through
the standard library (see `rehab.store.plain`); `scope.Scope` builds one of these for the
other formats. The rules for the default range and its errors are here, for both.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any, Protocol, TypeVar
from zoneinfo import ZoneInfo

from rehab.errors import UsageProblem
from rehab.store.plain import instant


@dataclass(frozen=True)
class Span:
    patient_id: int
    first: date
    last: date
    zone: ZoneInfo
    # enrollment id -> the template snapshot (JSON) it ran, and the program's id; start order
    snapshots: Mapping[int, str] = field(default_factory=dict)
    programs: Mapping[int, str] = field(default_factory=dict)

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


_UNKNOWN: Any = object()


def stored_local(zone: ZoneInfo) -> Callable[[Any], str]:
    """`local_iso` for an instant as the database stores it ('2026-04-26 08:15:03.123456',
    naive UTC), for the long tables: no datetime work per value.

    On a UTC day whose offset is the same whole number of hours from start to end (all days
    but a few a year, in most zones), an hour's local text is the UTC hour moved by that
    offset, and the stored minutes and seconds follow. Other days go hour by hour
    (`_hour`), and values that are not text (PostgreSQL gives datetimes) take the exact way."""
    days: dict[str, int | None] = {}  # UTC day -> its offset in hours, None if it varies
    hours: dict[str, Any] = {}  # UTC hour -> (local text to the hour, offset text) or None

    def exact(value: Any) -> str:
        return local_iso(instant(value), zone)

    def prefix(hour: str) -> tuple[str, str] | None:
        day = hour[:10]
        shift = days.get(day, _UNKNOWN)
        if shift is _UNKNOWN:
            shift = days[day] = _day_offset(day, zone)
        if shift is None:
            return _hour(hour, zone)
        sign = "-" if shift < 0 else "+"
        offset = f"{sign}{abs(shift):02d}:00"
        local = int(hour[11:13]) + shift
        if 0 <= local < 24:
            return f"{day}T{local:02d}", offset
        moved = date.fromisoformat(day) + timedelta(days=local // 24)
        return f"{moved.isoformat()}T{local % 24:02d}", offset

    def convert(value: Any) -> str:
        if value is None:
            return ""
        if not isinstance(value, str) or len(value) < 19 or value[10] != " ":
            return exact(value)
        hour = value[:13]
        known: tuple[str, str] | None = hours.get(hour, _UNKNOWN)
        if known is _UNKNOWN:
            known = hours[hour] = prefix(hour)
        if known is None:
            return exact(value)
        return known[0] + value[13:19] + known[1]

    return convert


def _day_offset(day: str, zone: ZoneInfo) -> int | None:
    """The zone's offset in whole hours through the UTC day, or None if it is not one."""
    try:
        start = datetime.fromisoformat(day).replace(tzinfo=UTC)
    except ValueError:
        return None
    first = start.astimezone(zone).utcoffset()
    last = (start + timedelta(hours=23, minutes=59, seconds=59)).astimezone(zone).utcoffset()
    if first is None or first != last or first % timedelta(hours=1):
        return None
    return first // timedelta(hours=1)


def _hour(hour: str, zone: ZoneInfo) -> tuple[str, str] | None:
    """('2026-03-29T02', '+01:00') for the UTC hour '2026-03-29 01' in Lisbon; None when
    the offset changes inside that hour or is not whole hours."""
    try:
        start = datetime.fromisoformat(hour + ":00").replace(tzinfo=UTC)
    except ValueError:
        return None
    begin = start.astimezone(zone)
    offset = begin.utcoffset()
    end = (start + timedelta(minutes=59, seconds=59)).astimezone(zone)
    if offset is None or offset != end.utcoffset() or offset % timedelta(hours=1):
        return None
    text = begin.isoformat(timespec="seconds")  # 2026-03-29T02:00:00+01:00
    return text[:13], text[19:]


class Dated(Protocol):
    """What the range rules read of an enrollment (a table row or a plain row)."""

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
