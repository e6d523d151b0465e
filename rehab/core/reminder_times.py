"""Wall-clock reminder times turned into instants, DST-correct, and quiet hours.

A daily reminder keeps its wall-clock time across DST changes. On a spring-forward day a
time that does not exist (02:30 when clocks jump from 02:00 to 03:00) fires once, at the
first valid minute after the gap; on a fall-back day a time that happens twice fires once,
the first time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

_HHMM = re.compile(r"([0-9]{1,2}):([0-9]{2})", re.ASCII)


def parse_hhmm(value: str) -> time:
    """'07:30' (or '7:30'); ASCII digits only. Raises ValueError."""
    found = _HHMM.fullmatch(value)
    if found is None:
        raise ValueError(f"{value!r} is not a time (allowed: HH:MM)")
    return time(int(found.group(1)), int(found.group(2)))


def fire_instant(day: date, at: time, zone: ZoneInfo) -> datetime:
    """The UTC instant when `at` on `day` first happens in `zone`."""
    local = datetime.combine(day, at, tzinfo=zone)  # fold=0: the first of two
    instant = local.astimezone(UTC)
    if instant.astimezone(zone).replace(tzinfo=None) != local.replace(tzinfo=None):
        # `at` falls in a spring-forward gap: walk to the first minute that exists.
        probe = datetime.combine(day, at)
        for _ in range(24 * 60):
            probe += timedelta(minutes=1)
            candidate = probe.replace(tzinfo=zone)
            if candidate.astimezone(UTC).astimezone(zone).replace(tzinfo=None) == probe:
                return candidate.astimezone(UTC)
    return instant


@dataclass(frozen=True)
class QuietHours:
    start: time
    end: time

    @classmethod
    def parse(cls, text: str) -> QuietHours:
        """'22:00-07:00'; raises ValueError with what is allowed."""
        try:
            first, second = text.split("-")
            return cls(parse_hhmm(first.strip()), parse_hhmm(second.strip()))
        except ValueError:
            raise ValueError(
                f"quiet hours {text!r} are not a range (allowed: HH:MM-HH:MM, e.g. 22:00-07:00)"
            ) from None

    def text(self) -> str:
        return f"{self.start:%H:%M}-{self.end:%H:%M}"

    def covers(self, local: time) -> bool:
        if self.start == self.end:
            return False  # an empty window: no quiet hours
        if self.start < self.end:
            return self.start <= local < self.end
        return local >= self.start or local < self.end  # across midnight

    def held(self, at: time) -> time | None:
        """When a reminder set for `at` rings under these quiet hours: at `at` itself, held to
        the end of the window when the window covers it, or None when the window runs on past
        midnight (the reminder service sends a slot only on its own day)."""
        if not self.covers(at):
            return at
        return self.end if self.end > at else None

    def end_after(self, now: datetime, zone: ZoneInfo) -> datetime:
        """The next instant the quiet window ends, after `now`."""
        local = now.astimezone(zone)
        for offset in (0, 1):
            candidate = fire_instant(local.date() + timedelta(days=offset), self.end, zone)
            if candidate > now:
                return candidate
        return fire_instant(local.date() + timedelta(days=2), self.end, zone)
