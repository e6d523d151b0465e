"""The export rows' local times: the quick parse of SQLite's stored text gives exactly what
the general conversion gives, in zones with odd offsets, across DST changes, for
PostgreSQL's datetimes and for text in any other shape."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rehab.store.rows import instant, local_iso, stored_local_iso

ZONES = [
    "Europe/Lisbon",
    "America/New_York",
    "Asia/Kolkata",
    "Asia/Kathmandu",
    "Australia/Lord_Howe",  # moves by half an hour
    "America/St_Johns",
    "Pacific/Kiritimati",  # +14: the local day is the next one
    "Pacific/Pago_Pago",
    "Africa/Casablanca",
    "UTC",
]


def stored(moment: datetime) -> str:
    """As SQLAlchemy stores a UTC instant in SQLite."""
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def exactly(value: object, zone: ZoneInfo) -> str:
    try:
        return local_iso(instant(value), zone)
    except (ValueError, OverflowError) as exc:
        return type(exc).__name__


@settings(max_examples=300, deadline=None)
@given(
    zone=st.sampled_from(ZONES),
    moments=st.lists(
        st.datetimes(min_value=datetime(1800, 1, 1), max_value=datetime(2200, 12, 31)),
        min_size=1,
        max_size=20,
    ),
)
def test_stored_text_gives_the_exact_local_time(zone: str, moments: list[datetime]) -> None:
    tz = ZoneInfo(zone)
    for naive in moments:
        moment = naive.replace(tzinfo=UTC)
        assert stored_local_iso(stored(moment), tz) == local_iso(moment, tz)
        assert stored_local_iso(naive, tz) == local_iso(moment, tz)  # PostgreSQL: datetimes


def test_across_a_dst_change_second_by_second() -> None:
    lisbon = ZoneInfo("Europe/Lisbon")
    start = datetime(2026, 3, 29, 0, 59, 58, 999999, tzinfo=UTC)
    seen = [stored_local_iso(stored(start + timedelta(seconds=i)), lisbon) for i in range(4)]
    assert seen == [
        "2026-03-29T00:59:58+00:00",
        "2026-03-29T00:59:59+00:00",
        "2026-03-29T02:00:00+01:00",
        "2026-03-29T02:00:01+01:00",
    ]


@pytest.mark.parametrize("zone", ["Asia/Tokyo", "America/St_Johns"])
@pytest.mark.parametrize(
    "value",
    [
        "2026-04-26 08:15:03+02:00",  # an offset: read, not cut off
        "2026-04-26 08:15:03.1+0200",  # 26 characters, but not SQLite's shape
        "2026-04-26 24:15:03.000000",
        "2026-04-26 08:15:03garbage",
        "2026-04-26T08:15:03.000000",
        "9999-12-31 23:59:59.999999",
        "0001-01-01 00:00:00.000000",
    ],
)
def test_any_other_text_is_read_the_exact_way(zone: str, value: str) -> None:
    tz = ZoneInfo(zone)
    try:
        got = stored_local_iso(value, tz)
    except (ValueError, OverflowError) as exc:
        got = type(exc).__name__
    assert got == exactly(value, tz)
