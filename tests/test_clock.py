"""The system time zone: $TZ when it names a zone, else what tzlocal finds, else UTC."""

from __future__ import annotations

import pytest
import tzlocal

from rehab.core import clock


def test_tz_names_the_zone(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tzlocal, "get_localzone_name", lambda: "Asia/Tokyo")
    monkeypatch.setenv("TZ", "America/St_Johns")
    assert clock.system_timezone_name() == "America/St_Johns"
    monkeypatch.setenv("TZ", ":Europe/Lisbon")
    assert clock.zone(None).key == "Europe/Lisbon"


@pytest.mark.parametrize("tz", [None, "", "Mars/Base"])
def test_without_a_zone_in_tz_the_system_setting_is_used(
    monkeypatch: pytest.MonkeyPatch, tz: str | None
) -> None:
    if tz is None:
        monkeypatch.delenv("TZ", raising=False)
    else:
        monkeypatch.setenv("TZ", tz)
    monkeypatch.setattr(tzlocal, "get_localzone_name", lambda: "Asia/Kathmandu")
    assert clock.system_timezone_name() == "Asia/Kathmandu"


def broken() -> str:
    raise LookupError("no time zone configuration found")


@pytest.mark.parametrize("found", [broken, lambda: None, lambda: "Not/AZone", lambda: "local"])
def test_no_usable_system_setting_falls_back_to_utc(
    monkeypatch: pytest.MonkeyPatch, found: object
) -> None:
    monkeypatch.delenv("TZ", raising=False)
    monkeypatch.setattr(tzlocal, "get_localzone_name", found)
    assert clock.system_timezone_name() == "UTC"
    assert clock.zone(None).key == "UTC"


def test_the_real_system_setting_is_a_zone(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TZ", raising=False)
    name = clock.system_timezone_name()
    assert clock.zone(name).key == name
