"""The app's handle on the database, light enough to build before the first frame.

`Backend` keeps the URL, the patient and the clock; the real work lives in
`rehab.tui.database.StoreBackend`, imported (with SQLAlchemy and SQLModel, most of a
second) on first use, which is in a worker thread while the frame is already on screen.
Type checkers see `StoreBackend` itself.

Start-up runs with Python's cyclic garbage collector paused (`pause_collector`, from
`run_app`): importing Textual and then SQLAlchemy, SQLModel and our tables allocates a few
hundred thousand long-lived objects, and the collector walked them all several times over
(about 10% of the start-up's CPU) to find almost nothing. Once the database layer is in,
those objects are frozen out of the collector's reach and it resumes.
"""

from __future__ import annotations

import gc
import threading
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

__all__ = ["Backend", "CheckedOff", "Clock", "DaySummary", "LogLine"]


class Clock:
    """Real time. Tests pass a fake with the same two methods."""

    def now(self) -> datetime:
        return datetime.now(UTC)

    def monotonic(self) -> float:
        import time

        return time.monotonic()


@dataclass(frozen=True)
class LogLine:
    """One entry of a day, as the history screen lists it."""

    kind: str  # dose | pain | check
    action: str  # dose action id, or "pain:ID" / "check:ID"
    text: str
    logged_at: datetime
    voided: bool


@dataclass(frozen=True)
class CheckedOff:
    """What a check-off wrote, as committed."""

    key: str
    side: str | None
    sets: int


@dataclass(frozen=True)
class DaySummary:
    day: date
    status: str  # active | paused | before-start | ended
    done: int
    planned: int
    started: int = 0


_collector_paused = False


def pause_collector() -> None:
    """Pause the cyclic collector until the database layer has loaded (see above)."""
    global _collector_paused
    if gc.isenabled():
        gc.disable()
        _collector_paused = True


def resume_collector() -> None:
    """Resume it (once); what start-up loaded is frozen first."""
    global _collector_paused
    if _collector_paused:
        _collector_paused = False
        gc.freeze()  # what start-up loaded lives as long as the app: never scan it again
        gc.enable()


class _LazyBackend:
    def __init__(self, url: str, patient: str | None, clock: Clock | None = None) -> None:
        self.url = url
        self.patient_name = patient
        self.clock = clock or Clock()
        self._store: Any = None
        self._loading = threading.Lock()

    def _real(self) -> Any:
        with self._loading:
            if self._store is None:
                try:
                    from rehab.tui.database import StoreBackend
                finally:
                    resume_collector()
                self._store = StoreBackend(self.url, self.patient_name, self.clock)
        return self._store

    def close(self) -> None:
        if self._store is not None:
            self._store.close()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real(), name)


if TYPE_CHECKING:
    from rehab.tui.database import StoreBackend as Backend
else:
    Backend = _LazyBackend
