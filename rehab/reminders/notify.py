"""The delivery chain: desktop notification over the session bus → notify-send → in-app
toast and bell → a line on stderr. A missing bus or daemon is not an error; the chain moves
on quietly and the caller logs which way was used.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Sequence

TITLE = "rehab"
TIMEOUT_SECONDS = 3

Deliverer = Callable[[str, str], bool]


def _run(argv: Sequence[str]) -> bool:
    try:
        result = subprocess.run(
            list(argv),
            capture_output=True,
            text=True,
            timeout=TIMEOUT_SECONDS,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return False
    return result.returncode == 0


def session_bus(title: str, body: str) -> bool:
    """org.freedesktop.Notifications.Notify through gdbus; only where a session bus exists.

    gdbus prints the notification id and exits 0 only when the daemon took it, which is
    what "dispatched" means here.
    """
    if not os.environ.get("DBUS_SESSION_BUS_ADDRESS"):
        return False
    gdbus = shutil.which("gdbus")
    if gdbus is None:
        return False
    return _run(
        [
            gdbus,
            "call",
            "--session",
            "--dest=org.freedesktop.Notifications",
            "--object-path=/org/freedesktop/Notifications",
            "--method=org.freedesktop.Notifications.Notify",
            TITLE,
            "0",
            "",
            title,
            body,
            "[]",
            "{}",
            "10000",
        ]
    )


def notify_send(title: str, body: str) -> bool:
    if not (os.environ.get("DBUS_SESSION_BUS_ADDRESS") or os.environ.get("DISPLAY")):
        return False
    tool = shutil.which("notify-send")
    if tool is None:
        return False
    return _run([tool, "--app-name", TITLE, title, body])


def stderr_line(title: str, body: str) -> bool:
    print(f"\a{title}: {body}", file=sys.stderr, flush=True)
    return True


def deliver(
    title: str, body: str, *, in_app: Deliverer | None = None, last_resort: bool = True
) -> str:
    """Try each way in turn; return the name of the one that worked ("none" if none did).

    `last_resort=False` leaves out the stderr line (inside the TUI, which owns the terminal).
    """
    chain: list[tuple[str, Deliverer]] = [("desktop", session_bus), ("notify-send", notify_send)]
    if in_app is not None:
        chain.append(("in-app", in_app))
    if last_resort:
        chain.append(("stderr", stderr_line))
    for name, way in chain:
        if way(title, body):
            return name
    return "none"
