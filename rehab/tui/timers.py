"""The timers moved to `rehab.core.timers` (they import no Textual); this name stays for the
screens that import it from here."""

from rehab.core.timers import Event, HoldTimer, Leg, MinutesTimer, Timer, clock_text

__all__ = ["Event", "HoldTimer", "Leg", "MinutesTimer", "Timer", "clock_text"]
