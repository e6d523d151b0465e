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
from typing import Any, NamedTuple, Protocol, TypeVar
from zoneinfo import ZoneInfo

from rehab.errors import UsageProblem
from rehab.store.plain import instant


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


_UNKNOWN: Any = object()
_TWO = [f"{n:02d}" for n in range(60)]
_CLOCK = frozenset([":" + m + ":" + s for m in _TWO for s in _TWO])  # ':00:00'..':59:59'


def stored_local(zone: ZoneInfo) -> Callable[[Any], str]:
    """`local_iso` for an instant as the database stores it ('2026-04-26 08:15:03.123456',
    naive UTC), for the long tables: no datetime work per value.

    Each UTC hour is worked out once. On a day whose offset stays the same whole number of
    minutes (all days but a few a year), its local text is the hour moved by the offset, the
    stored minutes (moved too, for offsets such as +05:30) and seconds following; days with
    a change go hour by hour (`_hour`), with datetime. Anything else takes
    the exact way, value by value: values that are not text (PostgreSQL gives datetimes),
    and text in any other shape, which the exact way reads or refuses."""
    hours: dict[str, Any] = {}  # 'YYYY-MM-DD HH' (UTC) -> how to show it, or None: exactly
    days: dict[str, _Day | None] = {}  # UTC day -> its offset, None if it varies

    def exact(value: Any) -> str:
        return local_iso(instant(value), zone)

    def work_out(hour: str) -> Any:
        if hour[10] != " " or not hour[11:13].isdigit() or int(hour[11:13]) > 23:
            return None
        day = hour[:10]
        known = days.get(day, _UNKNOWN)
        if known is _UNKNOWN:
            known = days[day] = _Day.of(day, zone)
        if known is None:
            return _hour(hour, zone)
        return known.hour(int(hour[11:13]))

    def convert(value: Any) -> str:
        if type(value) is not str:
            return "" if value is None else exact(value)
        clock = value[13:19]  # ':MM:SS'
        size = len(value)
        if clock not in _CLOCK or not (
            size == 19 or (size == 26 and value[19] == "." and value[20:].isdigit())
        ):
            return exact(value)
        known = hours.get(value[:13], _UNKNOWN)
        if known is _UNKNOWN:
            known = hours[value[:13]] = work_out(value[:13])
        if known is None:
            return exact(value)
        if len(known) == 2:  # a whole-hour offset: minutes and seconds as stored
            return known[0] + clock + known[1]  # type: ignore[no-any-return]
        before, after, limit, moved, offset = known
        minute = int(value[14:16])
        if minute < limit:
            return before + _TWO[minute + moved] + value[16:19] + offset  # type: ignore[no-any-return]
        return after + _TWO[minute + moved - 60] + value[16:19] + offset  # type: ignore[no-any-return]

    return convert


class _Day(NamedTuple):
    """A UTC day whose offset stays `shift` minutes from start to end, and the texts of the
    local days its hours can fall on (the day before, itself, the day after)."""

    shift: int
    offset: str  # '+05:30'
    texts: tuple[str, str, str]

    @classmethod
    def of(cls, day: str, zone: ZoneInfo) -> _Day | None:
        try:
            this = date.fromisoformat(day)
            start = datetime(this.year, this.month, this.day, tzinfo=UTC)
            first = start.astimezone(zone).utcoffset()
            last = (start + _LAST_SECOND).astimezone(zone).utcoffset()
            texts = ((this - _ONE_DAY).isoformat(), day, (this + _ONE_DAY).isoformat())
        except (OverflowError, ValueError):
            return None
        if first is None or first != last or first % _MINUTE:
            return None
        shift = first // _MINUTE
        hours, minutes = divmod(abs(shift), 60)
        offset = f"{'-' if shift < 0 else '+'}{hours:02d}:{minutes:02d}"
        return cls(shift, offset, texts)

    def hour(self, hour: int) -> tuple[Any, ...]:
        """How to show UTC hour `hour`: ('2026-04-26T09', '+01:00') when the offset is whole
        hours; else (the local hour's text before the minutes carry, after, the first minute
        that carries, the minutes to add, the offset), as for +05:30 ('…T13:', '…T14:', 30,
        30, '+05:30')."""
        whole, moved = divmod(self.shift, 60)
        if moved == 0:
            return self.text(hour + whole), self.offset
        before, after = self.text(hour + whole), self.text(hour + whole + 1)
        return before + ":", after + ":", 60 - moved, moved, self.offset

    def text(self, hour: int) -> str:
        """'2026-04-27T01' for hour 25 (hours past either end fall on the next or last day)."""
        days, hour = divmod(hour, 24)
        return f"{self.texts[days + 1]}T{hour:02d}"


_ONE_DAY = timedelta(days=1)
_LAST_SECOND = timedelta(hours=23, minutes=59, seconds=59)
_MINUTE = timedelta(minutes=1)


def _hour(hour: str, zone: ZoneInfo) -> tuple[str, str] | None:
    """('2026-03-29T02', '+01:00') for the UTC hour '2026-03-29 01' in Lisbon; None when
    the offset changes inside that hour or is not whole hours."""
    try:
        start = datetime.fromisoformat(hour + ":00").replace(tzinfo=UTC)
        begin = start.astimezone(zone)
        end = (start + timedelta(minutes=59, seconds=59)).astimezone(zone)
    except (OverflowError, ValueError):
        return None
    offset = begin.utcoffset()
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
