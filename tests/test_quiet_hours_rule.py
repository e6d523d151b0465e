"""One quiet-hours rule for every reminder: held to the end of the window, or not sent when
the window runs on past midnight; `rehab settings reminders` says so when a time falls in it."""

from __future__ import annotations

from datetime import time

from rehab.core.reminder_times import QuietHours
from tests.conftest import Rehab


def test_a_time_in_the_quiet_hours_is_held_to_their_end() -> None:
    quiet = QuietHours.parse("22:00-07:00")
    assert quiet.held(time(6, 45)) == time(7, 0)
    assert quiet.held(time(2, 30)) == time(7, 0)
    assert quiet.held(time(7, 0)) == time(7, 0)  # the window has ended
    assert quiet.held(time(8, 0)) == time(8, 0)
    assert quiet.held(time(22, 30)) is None  # runs past midnight: the day's slot is gone
    assert QuietHours.parse("13:00-14:00").held(time(13, 30)) == time(14, 0)
    assert QuietHours.parse("07:00-07:00").held(time(7, 0)) == time(7, 0)  # no window


def test_settings_warns_in_one_line_and_still_saves(rehab: Rehab) -> None:
    assert rehab("start", "plantar-fasciitis", "--side", "left").code == 0
    result = rehab("settings", "reminders", "--morning", "06:45", "--evening", "22:30")
    assert result.code == 0, result.err
    (line,) = [line for line in result.err.splitlines() if line.strip()]
    assert "quiet hours 22:00-07:00" in line
    assert "morning 06:45 rings at 07:00" in line and "evening 22:30 is not sent" in line
    assert "morning  06:45" in result.out and "evening  22:30" in result.out
    calm = rehab("settings", "reminders", "--morning", "08:00", "--evening", "20:00")
    assert calm.code == 0 and calm.err.strip() == ""
