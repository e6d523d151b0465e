"""Guided timers as clock-driven state machines, so they can run while the patient looks at
another screen, and tests can drive them with a fake clock instead of waiting.

`tick(now)` returns what happened since the last tick: a bell, a set to log, minutes to log.
The app turns those into check-offs; the timer itself never touches the database (and this
module imports no UI: it is part of the headless core).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True)
class Event:
    kind: str  # bell | log-set | log-minutes | finished
    side: str | None = None
    minutes: int = 0


@dataclass
class Leg:
    side: str | None
    sets_left: int
    sets_total: int


@dataclass
class HoldTimer:
    """Holds of `hold_seconds`, `reps` per set, rest between, leg after leg."""

    day: date
    key: str
    name: str
    legs: list[Leg]
    hold_seconds: float
    rest_seconds: float
    reps: int
    started: float
    kind: str = "hold"
    phase: str = "hold"  # hold | rest | finished | stopped
    leg_index: int = 0
    rep: int = 1
    sets_logged: dict[str | None, int] = field(default_factory=dict)
    _phase_started: float = 0.0
    _paused_at: float | None = None

    def __post_init__(self) -> None:
        self._phase_started = self.started
        while self.leg_index < len(self.legs) and self.legs[self.leg_index].sets_left <= 0:
            self.leg_index += 1
        if self.leg_index >= len(self.legs):
            self.phase = "finished"

    @property
    def leg(self) -> Leg:
        return self.legs[min(self.leg_index, len(self.legs) - 1)]

    @property
    def running(self) -> bool:
        return self.phase in ("hold", "rest")

    @property
    def paused(self) -> bool:
        return self._paused_at is not None

    def set_number(self) -> int:
        leg = self.leg
        return leg.sets_total - leg.sets_left + 1

    def remaining(self, now: float) -> float:
        if not self.running:
            return 0.0
        at = self._paused_at if self._paused_at is not None else now
        length = self.hold_seconds if self.phase == "hold" else self.rest_seconds
        return max(0.0, length - (at - self._phase_started))

    def toggle_pause(self, now: float) -> None:
        if not self.running:
            return
        if self._paused_at is None:
            self._paused_at = now
        else:
            self._phase_started += now - self._paused_at
            self._paused_at = None

    def stop(self, now: float) -> list[Event]:
        """Stop early: finished sets are already logged; a hold cut short is not."""
        if self.running:
            self.phase = "stopped"
        return [Event("finished")]

    def tick(self, now: float) -> list[Event]:
        events: list[Event] = []
        while self.running and self._paused_at is None and self.remaining(now) <= 0:
            length = self.hold_seconds if self.phase == "hold" else self.rest_seconds
            ended_at = self._phase_started + length
            if self.phase == "hold":
                events.append(Event("bell"))
                if self.rep < self.reps:
                    self.rep += 1
                    self._begin("rest", ended_at)
                    continue
                leg = self.leg
                leg.sets_left -= 1
                self.sets_logged[leg.side] = self.sets_logged.get(leg.side, 0) + 1
                events.append(Event("log-set", side=leg.side))
                self.rep = 1
                if leg.sets_left <= 0:
                    self.leg_index += 1
                    if self.leg_index >= len(self.legs):
                        self.phase = "finished"
                        events.append(Event("finished"))
                        break
                self._begin("rest", ended_at)
            else:
                self._begin("hold", ended_at)
        return events

    def _begin(self, phase: str, at: float) -> None:
        self.phase = phase
        self._phase_started = at
        if phase == "rest" and self.rest_seconds <= 0:
            self.phase = "hold"

    def status(self, now: float) -> str:
        leg = f"{self.leg.side} leg · " if self.leg.side else ""
        if self.phase == "finished":
            return f"{self.name}: all done"
        if self.phase == "stopped":
            return f"{self.name}: stopped"
        counter = f"set {self.set_number()} of {self.leg.sets_total}"
        if self.reps > 1:
            counter += f" · hold {self.rep} of {self.reps}"
        what = "Hold" if self.phase == "hold" else "Rest"
        pause = " (paused)" if self.paused else ""
        return f"{what}{pause} · {leg}{counter}"


@dataclass
class MinutesTimer:
    """A timed dose (ice, walking): runs to the top of its range, logs minutes when it ends."""

    day: date
    key: str
    name: str
    target_minutes: int
    least_minutes: int
    started: float
    exercise_kind: str = "ice"
    kind: str = "minutes"
    phase: str = "run"  # run | finished | stopped
    _paused_total: float = 0.0
    _paused_at: float | None = None

    @property
    def running(self) -> bool:
        return self.phase == "run"

    @property
    def paused(self) -> bool:
        return self._paused_at is not None

    def elapsed(self, now: float) -> float:
        at = self._paused_at if self._paused_at is not None else now
        return max(0.0, at - self.started - self._paused_total)

    def remaining(self, now: float) -> float:
        return max(0.0, self.target_minutes * 60 - self.elapsed(now))

    def toggle_pause(self, now: float) -> None:
        if not self.running:
            return
        if self._paused_at is None:
            self._paused_at = now
        else:
            self._paused_total += now - self._paused_at
            self._paused_at = None

    def tick(self, now: float) -> list[Event]:
        if self.running and self.remaining(now) <= 0:
            self.phase = "finished"
            return [
                Event("bell"),
                Event("log-minutes", minutes=self.target_minutes),
                Event("finished"),
            ]
        return []

    def stop(self, now: float) -> list[Event]:
        if not self.running:
            return [Event("finished")]
        minutes = int(self.elapsed(now) // 60)
        self.phase = "stopped"
        events = [Event("finished")]
        if minutes >= 1:
            events.insert(0, Event("log-minutes", minutes=minutes))
        return events

    def status(self, now: float) -> str:
        done = int(self.elapsed(now) // 60)
        if self.phase == "finished":
            return f"{self.name}: {self.target_minutes} min done"
        if self.phase == "stopped":
            return f"{self.name}: stopped after {done} min"
        pause = " (paused)" if self.paused else ""
        goal = (
            f"{self.least_minutes}–{self.target_minutes}"
            if self.least_minutes != self.target_minutes
            else f"{self.target_minutes}"
        )
        return f"Running{pause} · {done} of {goal} min"


Timer = HoldTimer | MinutesTimer


def clock_text(seconds: float) -> str:
    whole = int(seconds + 0.999)  # show 30 until a full second has gone
    return f"{whole // 60}:{whole % 60:02d}"


# --- the tempo guide (strengthening) --------------------------------------------------------

_TEMPO_PART = re.compile(
    r"(\d{1,2}(?:\.\d)?)\s*(?:s|sec|secs|second|seconds)\s+([a-z][a-z ]{0,19})", re.IGNORECASE
)


@dataclass(frozen=True)
class TempoStep:
    word: str  # as the template says it: up, hold, down
    seconds: float


def parse_tempo(text: str | None) -> tuple[TempoStep, ...] | None:
    """The template's tempo as steps: '3 s up, 2 s hold, 3 s down' gives three. None when the
    dose has no tempo, or one not written as 'N s word, …': no guide is ever made up."""
    if not text or not text.strip():
        return None
    steps = []
    for part in text.split(","):
        match = _TEMPO_PART.fullmatch(part.strip())
        if match is None:
            return None
        seconds = float(match.group(1))
        if not 0 < seconds <= 60:
            return None
        steps.append(TempoStep(" ".join(match.group(2).lower().split()), seconds))
    return tuple(steps)


@dataclass
class TempoGuide:
    """Repetitions at the prescribed tempo, `reps` to a set, set after set, leg after leg.

    It waits in `ready` until `go` (the patient is in position). Between sets it rests: for
    `rest_seconds` if the template prescribes a rest (then it goes on by itself, with a
    bell), otherwise until the patient goes on, counting the rest up (no rest is made up).
    Each finished set is a `log-set` event; a set cut short is not logged."""

    name: str
    legs: list[Leg]
    reps: int
    steps: tuple[TempoStep, ...]
    rest_seconds: float | None = None
    kind: str = "tempo"
    phase: str = "ready"  # ready | move | rest | finished | stopped
    leg_index: int = 0
    rep: int = 1
    step_index: int = 0
    sets_logged: dict[str | None, int] = field(default_factory=dict)
    _phase_started: float = 0.0
    _paused_at: float | None = None

    def __post_init__(self) -> None:
        if not self.steps or self.reps < 1:
            raise ValueError("a tempo guide needs a tempo and at least one repetition")
        self._skip_done_legs()

    def _skip_done_legs(self) -> None:
        while self.leg_index < len(self.legs) and self.legs[self.leg_index].sets_left <= 0:
            self.leg_index += 1
        if self.leg_index >= len(self.legs):
            self.phase = "finished"

    @property
    def leg(self) -> Leg:
        return self.legs[min(self.leg_index, len(self.legs) - 1)]

    @property
    def running(self) -> bool:
        return self.phase in ("ready", "move", "rest")

    @property
    def moving(self) -> bool:
        return self.phase == "move"

    @property
    def paused(self) -> bool:
        return self._paused_at is not None

    @property
    def waiting(self) -> bool:
        """Waiting for the patient to go on: before the first set, or an open-ended rest."""
        return self.phase == "ready" or (self.phase == "rest" and self.rest_seconds is None)

    @property
    def step(self) -> TempoStep:
        return self.steps[self.step_index]

    def set_number(self) -> int:
        return self.leg.sets_total - self.leg.sets_left + 1

    def go(self, now: float) -> None:
        """Start the next set (from ready or a rest); while moving, pause or resume."""
        if self.waiting or self.phase == "rest":
            self.phase = "move"
            self.rep, self.step_index = 1, 0
            self._phase_started = now
            self._paused_at = None
        elif self.phase == "move":
            self.toggle_pause(now)

    def toggle_pause(self, now: float) -> None:
        if self.phase != "move":
            return
        if self._paused_at is None:
            self._paused_at = now
        else:
            self._phase_started += now - self._paused_at
            self._paused_at = None

    def _length(self) -> float:
        if self.phase == "move":
            return self.step.seconds
        return self.rest_seconds or 0.0

    def remaining(self, now: float) -> float:
        """Seconds left of the current tempo step, or of a prescribed rest."""
        if self.phase == "move" or (self.phase == "rest" and self.rest_seconds is not None):
            at = self._paused_at if self._paused_at is not None else now
            return max(0.0, self._length() - (at - self._phase_started))
        return 0.0

    def rested(self, now: float) -> float:
        """Seconds rested so far (an open-ended rest counts up)."""
        return max(0.0, now - self._phase_started) if self.phase == "rest" else 0.0

    def stop(self, now: float) -> list[Event]:
        if self.running:
            self.phase = "stopped"
        return [Event("finished")]

    def tick(self, now: float) -> list[Event]:
        events: list[Event] = []
        while self._paused_at is None and self._due(now):
            ended_at = self._phase_started + self._length()
            if self.phase == "rest":
                events.append(Event("bell"))
                self.phase, self.rep, self.step_index = "move", 1, 0
                self._phase_started = ended_at
                continue
            self._phase_started = ended_at
            if self.step_index + 1 < len(self.steps):
                self.step_index += 1
                continue
            self.step_index = 0
            events.append(Event("rep", side=self.leg.side))
            if self.rep < self.reps:
                self.rep += 1
                continue
            leg = self.leg
            leg.sets_left -= 1
            self.sets_logged[leg.side] = self.sets_logged.get(leg.side, 0) + 1
            events += [Event("bell"), Event("log-set", side=leg.side)]
            self.rep = 1
            if leg.sets_left <= 0:
                self.leg_index += 1
                self._skip_done_legs()
                if self.phase == "finished":
                    events.append(Event("finished"))
                    break
            self.phase = "rest"
            if self.rest_seconds is not None and self.rest_seconds <= 0:
                self.phase = "move"
        return events

    def _due(self, now: float) -> bool:
        if self.phase == "move":
            return self.remaining(now) <= 0
        if self.phase == "rest" and self.rest_seconds is not None:
            return self.remaining(now) <= 0
        return False

    def status(self, now: float) -> str:
        if self.phase == "finished":
            return f"{self.name}: all sets done"
        if self.phase == "stopped":
            return f"{self.name}: stopped"
        leg = f"{self.leg.side} leg · " if self.leg.side else ""
        counter = f"set {self.set_number()} of {self.leg.sets_total}"
        if self.phase == "ready":
            return f"Ready · {leg}{counter}"
        if self.phase == "rest":
            return f"Rest · next: {leg}{counter}"
        pause = " (paused)" if self.paused else ""
        return (
            f"{self.step.word.capitalize()}{pause} · {leg}rep {self.rep} of {self.reps} · {counter}"
        )
