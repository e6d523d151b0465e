"""Time zones and 'today'. Instants are UTC; a plan day is a date in the patient's zone."""

from __future__ import annotations

import os
import warnings
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


def system_timezone_name() -> str:
    """The machine's IANA zone name: $TZ when it names a zone (read on every call), else the
    system's setting as tzlocal finds it (/etc/timezone or /etc/localtime, systemd, macOS,
    the Windows registry), else UTC."""
    env = os.environ.get("TZ", "").lstrip(":")
    if env and _valid(env):
        return env
    name = _tzlocal_name()
    if name and _valid(name):
        return name
    return "UTC"


def _tzlocal_name() -> str | None:
    """tzlocal's answer (it reads the system once per process), or None when the system's
    settings are missing or disagree: the caller falls back to UTC."""
    import tzlocal

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # tzlocal warns about conflicting settings
            return tzlocal.get_localzone_name()
    except Exception:  # tzlocal raises several kinds here (no zone, conflicting files)
        return None


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
