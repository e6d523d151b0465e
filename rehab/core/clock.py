"""Time zones and 'today'. Instants are UTC; a plan day is a date in the patient's zone."""

from __future__ import annotations

import os
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


def system_timezone_name() -> str:
    """The machine's IANA zone name: $TZ, else /etc/localtime's target, else UTC."""
    env = os.environ.get("TZ", "").lstrip(":")
    if env and _valid(env):
        return env
    try:
        target = str(Path("/etc/localtime").resolve())
    except OSError:
        target = ""
    if "zoneinfo/" in target:
        name = target.split("zoneinfo/", 1)[1]
        if _valid(name):
            return name
    return "UTC"


def _valid(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def zone(name: str | None) -> ZoneInfo:
    """The patient's zone; a bad name raises ValueError with what is allowed."""
    chosen = name or system_timezone_name()
    try:
        return ZoneInfo(chosen)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            f"unknown time zone {chosen!r} (allowed: an IANA name such as Europe/Lisbon)"
        ) from None


def now_utc() -> datetime:
    return datetime.now(UTC)


def today_in(tz: ZoneInfo) -> date:
    return now_utc().astimezone(tz).date()
