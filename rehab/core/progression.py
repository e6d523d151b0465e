"""The pain-monitoring model: progress, hold or reduce, and whether the course is on track.

Silbernagel's model lets the next-day response decide the next step, so the advice reads the
patient's own log, never the calendar alone: a phase's `min_weeks` only says when a move may
first be considered. Every rule and number comes from CLINICAL.md ("Progression rules",
"Expected course"); where it gives none, the constant says so. Safety comes first: a sign of
too much load reduces even when the log is thin, while a step up needs a well-filled week.

Windows are *active* days: a paused day is left out, as the schedule leaves it out of the
program, so a week's comparison reaches back past a pause instead of shrinking. Advice is a
suggestion with its reasons in words and numbers; a change takes effect only once someone
accepts it (a `Progression`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from rehab.core.schedule import Pause, Progression
from rehab.core.template import Phase, Program

Decision = Literal["progress", "hold", "reduce"]
CourseStatus = Literal["on track", "not on track", "too early to tell", "not enough data"]

# CLINICAL.md, pain-monitoring model: "Pain during exercise may reach 5/10 (0–2 safe, 3–5
# acceptable, above 5 too much)". A phase may set a lower ceiling, never a higher one.
PAIN_DURING_LIMIT = 5
# CLINICAL.md, Alfredson variant: "when the exercise is pain-free, add load".
PAIN_FREE = 0
# CLINICAL.md: "Morning pain and stiffness must not rise from week to week": weeks of 7 days.
WEEK_DAYS = 7
# Not a CLINICAL.md number: the least logging we act on for a step *up* (more than half of
# the week). Signs of too much load are acted on however few days were logged.
MIN_LOGGED_DAYS = 4
# CLINICAL.md, expected course: "the pain model is breached on 2+ days in a week". Used both
# for "not on track" and for a flare-up (pain during exercise above the limit on 2+ days).
BREACH_DAYS = 2
# CLINICAL.md, red flags: "Pain above 5/10 on most days of a week despite reduced load": most
# of 7 days is 4.
MOST_DAYS = 4
# CLINICAL.md, Alfredson: "one trial protocol: +5 kg a week": at most one load step a week.
LOAD_STEP_DAYS = 7
# CLINICAL.md, expected course: "most improve over 12 weeks of loading"; "not on track" after
# 12 weeks without an important change.
COURSE_WEEKS = 12
# CLINICAL.md: a clinically important change on the NRS is about 2 points or 30% (Farrar
# 2001). The smallest detectable change is 1 point (Salaffi 2004), the resolution of the
# whole-number scores taken here.
NRS_IMPORTANT_POINTS = 2.0
NRS_IMPORTANT_FRACTION = 0.30
# Not a clinical number: how far back a window may reach past pauses (ten years).
MAX_LOOKBACK_DAYS = 3660


@dataclass(frozen=True)
class DayObservation:
    """What was logged on one plan day; None means not logged.

    With several entries on a day, pass the day's worst. A paused day is left out of every
    window, and so is any day a `Pause` given to `advise`/`on_track` covers.
    """

    day: date
    morning_pain: int | None = None
    pain_during: int | None = None  # the highest during the day's exercises
    pain_after: int | None = None
    stiffness_minutes: int | None = None
    paused: bool = False

    def __post_init__(self) -> None:
        for name in ("morning_pain", "pain_during", "pain_after"):
            value = getattr(self, name)
            if value is not None and (not _is_int(value) or not 0 <= value <= 10):
                raise ValueError(
                    f"{name.replace('_', ' ')} on {self.day.isoformat()}: {value!r} is not "
                    "allowed (allowed: a whole number from 0 to 10)"
                )
        minutes = self.stiffness_minutes
        if minutes is not None and (not _is_int(minutes) or minutes < 0):
            raise ValueError(
                f"stiffness minutes on {self.day.isoformat()}: {minutes!r} is not allowed "
                "(allowed: whole minutes, 0 or more)"
            )


@dataclass(frozen=True)
class Advice:
    """`next_phase` is the phase to move to (None: stay); `next_load_level` the level to use."""

    decision: Decision
    reasons: list[str]
    next_phase: str | None
    next_load_level: int
    would_change: list[str]

    def progression(self, effective: date) -> Progression:
        """The change to record when the advice is accepted."""
        return Progression(effective, self.next_phase, self.next_load_level)


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _d(day: date) -> str:
    """'Tue 5 Mar', whatever the locale."""
    return f"{_WEEKDAYS[day.weekday()]} {day.day} {_MONTHS[day.month - 1]}"


def _days(days: Sequence[date]) -> str:
    return ", ".join(_d(d) for d in days)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _kg(value: float) -> str:
    return f"{value:g} kg"


class _Log:
    """Observations by day, with paused days known, up to `today`."""

    def __init__(self, days: Iterable[DayObservation], today: date, pauses: Sequence[Pause]):
        self.by_day: dict[date, DayObservation] = {}
        for obs in days:
            if obs.day > today:
                continue
            if obs.day in self.by_day:
                raise ValueError(
                    f"two observations for {obs.day.isoformat()} (allowed: one per day, "
                    "with the day's worst scores)"
                )
            self.by_day[obs.day] = obs
        self.pauses = pauses
        self.today = today

    def paused(self, day: date) -> bool:
        obs = self.by_day.get(day)
        return (obs is not None and obs.paused) or any(p.covers(day) for p in self.pauses)

    def active_back(self, count: int) -> list[date]:
        """Up to `count` active days ending today, oldest first; days before any record are
        unlogged, not paused."""
        found: list[date] = []
        day = self.today
        for _ in range(MAX_LOOKBACK_DAYS):
            if len(found) == count:
                break
            if not self.paused(day):
                found.append(day)
            day -= timedelta(days=1)
        return found[::-1]

    def active_between(self, first: date, end: date) -> list[date]:
        """Active days from `first` up to, not including, `end`."""
        count = max(0, (end - first).days)
        return [d for d in (first + timedelta(n) for n in range(count)) if not self.paused(d)]

    def values(self, days: Iterable[date], field: str) -> list[tuple[date, int]]:
        found = []
        for day in days:
            obs = self.by_day.get(day)
            value = getattr(obs, field) if obs is not None else None
            if value is not None:
                found.append((day, value))
        return found

    def next_morning(
        self, days: Sequence[date], window: Sequence[date]
    ) -> tuple[date, date] | None:
        """The latest (previous, next) pair of active days, the later one in `window`, that
        both have morning pain logged."""
        mornings = {d for d, _ in self.values(days, "morning_pain")}
        for i in range(len(days) - 1, 0, -1):
            if days[i] in window and days[i] in mornings and days[i - 1] in mornings:
                return days[i - 1], days[i]
        return None


def _mean(values: Sequence[tuple[date, int]]) -> float:
    return sum(v for _, v in values) / len(values)


@dataclass(frozen=True)
class _Trend:
    label: str  # "morning pain", "morning stiffness"
    minutes: bool  # stiffness in whole minutes; pain to 0.1
    this_week: float | None
    last_week: float | None
    missing: str  # why there is no comparison

    @property
    def rising(self) -> bool:
        return (
            self.this_week is not None
            and self.last_week is not None
            and self.this_week > self.last_week
        )

    def show(self, value: float) -> str:
        return f"{value:.0f} minutes" if self.minutes else f"{value:.1f}"

    def text(self) -> str:
        if self.this_week is None or self.last_week is None:
            return f"{self.label} not compared with last week ({self.missing})"
        now, before = self.show(self.this_week), self.show(self.last_week)
        if self.rising:
            return f"{self.label} rising: {now} this week vs {before} last week"
        if self.this_week == self.last_week:
            return f"{self.label} this week {now}, the same as last week"
        return f"{self.label} this week {now} vs {before} last week"


def _trend(
    log: _Log, this_week: Sequence[date], last_week: Sequence[date], field: str, label: str
) -> _Trend:
    """Weekly means compared at the precision shown (pain 0.1, stiffness 1 minute), so that
    the words and the decision agree; equal weeks are not rising."""
    now, before = log.values(this_week, field), log.values(last_week, field)
    minutes = field == "stiffness_minutes"
    missing = []
    if len(now) < MIN_LOGGED_DAYS:
        missing.append(f"logged on {len(now)} of the last 7 days, need {MIN_LOGGED_DAYS}")
    if len(before) < MIN_LOGGED_DAYS:
        missing.append(f"logged on {len(before)} days of the week before, need {MIN_LOGGED_DAYS}")
    if missing:
        return _Trend(label, minutes, None, None, "; ".join(missing))
    digits = 0 if minutes else 1
    return _Trend(label, minutes, round(_mean(now), digits), round(_mean(before), digits), "")


def _phase(program: Program, phase_id: str) -> tuple[int, Phase]:
    for i, phase in enumerate(program.phases):
        if phase.id == phase_id:
            return i, phase
    allowed = ", ".join(p.id for p in program.phases)
    raise ValueError(f"phase {phase_id!r} is not in program {program.id!r} (allowed: {allowed})")


def _load_steps(program: Program, phase: Phase) -> list[float]:
    return sorted(
        {
            ex.load_step_kg
            for ex in program.exercises
            if ex.load_step_kg is not None and (not ex.phases or phase.id in ex.phases)
        }
    )


def _steps_text(steps: Sequence[float]) -> str:
    if len(steps) == 1:
        return f"+{_kg(steps[0])}"
    return f"+{steps[0]:g} to {_kg(steps[-1])}"


def advise(
    program: Program,
    days: Iterable[DayObservation],
    *,
    phase_id: str,
    phase_start: date,
    load_level: int,
    today: date,
    load_since: date | None = None,
    pauses: Sequence[Pause] = (),
) -> Advice:
    """Apply the pain-monitoring model to the last 7 active days of the log.

    Reduce, however little was logged: pain during exercise above the limit at the latest
    session, or on 2+ days (a flare-up, which goes back a phase when there is no load to take
    off); next-morning pain higher than the morning before; morning pain or stiffness higher
    on average than the week before. Hold: too little logged, no two mornings in a row, or one
    earlier day above the limit. Progress: the next phase once `min_weeks` of active days have
    passed; otherwise one load step after a pain-free week at the current load, which took
    effect on `load_since` (default: the phase start).
    """
    index, phase = _phase(program, phase_id)
    if not _is_int(load_level) or load_level < 0:
        raise ValueError(f"load level {load_level!r} is not allowed (allowed: 0 or more)")
    for name, first in (("phase start", phase_start), ("load since", load_since)):
        if first is not None and first > today:
            raise ValueError(
                f"{name} {first.isoformat()} is after today {today.isoformat()} "
                "(allowed: a date on or before today)"
            )
    log = _Log(days, today, pauses)
    if log.paused(today):
        return Advice(
            "hold",
            ["the program is paused today: no change while it is paused"],
            None,
            load_level,
            ["the advice resumes on the first day back"],
        )
    recent = log.active_back(2 * WEEK_DAYS)
    this_week, last_week = recent[-WEEK_DAYS:], recent[:-WEEK_DAYS]
    limit = min(phase.max_pain_during, PAIN_DURING_LIMIT)
    week = "the last 7 days"
    if any(log.paused(d) for d in _calendar(this_week[0], today)):
        week += " (paused days left out)"

    # Signs of too much load: act on them however little was logged.
    reasons: list[str] = []
    undo: list[str] = []  # what would lift the reduce
    during = log.values(this_week, "pain_during")
    over = [(d, p) for d, p in during if p > limit]
    flare = len(over) >= BREACH_DAYS
    if flare:
        reasons.append(
            f"flare-up: pain during exercise above {limit}/10 on {len(over)} of {week} "
            f"({', '.join(f'{p}/10 on {_d(d)}' for d, p in over)})"
        )
        undo.append(f"pain during exercise at {limit}/10 or less for a week")
    elif during and during[-1][1] > limit:
        day, pain = during[-1]
        reasons.append(f"pain during exercise {pain}/10 on {_d(day)}, above the {limit}/10 limit")
        undo.append(f"pain during exercise back to {limit}/10 or less")
    if len(over) >= MOST_DAYS:
        reasons.append(
            f"pain above {limit}/10 on most days of the week: if it stays there after cutting "
            "back, stop the exercises and see a clinician"
        )
    pair = log.next_morning(recent, this_week)
    pair_text, worse_morning = _next_morning_text(log, pair)
    if worse_morning:
        reasons.append(pair_text)
        undo.append("next-morning pain no higher than the morning before")
    trends = [
        _trend(log, this_week, last_week, "morning_pain", "morning pain"),
        _trend(log, this_week, last_week, "stiffness_minutes", "morning stiffness"),
    ]
    for trend in trends:
        if trend.rising:
            assert trend.last_week is not None
            reasons.append(trend.text())
            undo.append(f"{trend.label} no higher than last week's {trend.show(trend.last_week)}")
    if reasons:
        next_phase, level, step = _step_down(program, index, load_level, flare)
        return Advice("reduce", [*reasons, step], next_phase, level, undo)

    # No sign of too much load: say what holds, then look for a step up.
    if during:
        top = max(p for _, p in during)
        how = "pain-free (0/10)" if top == 0 else f"{top}/10 or less"
        reasons.append(f"pain during exercise {how} on {len(during)} of {week}")
    if pair_text:
        reasons.append(pair_text)
    reasons.append(trends[0].text())
    if log.values(this_week, "stiffness_minutes"):  # say nothing where none is logged
        reasons.append(trends[1].text())
    todo = [*(m[1] for m in _missing(log, this_week, week, pair))]
    missing = [m[0] for m in _missing(log, this_week, week, pair)]
    if over:  # one day above the limit, the latest session within it: wait for a good week
        day, pain = over[-1]
        missing.append(f"pain during exercise was {pain}/10 on {_d(day)}, above {limit}/10")
        todo.append(f"a week after {_d(day)} with pain during exercise at {limit}/10 or less")
    if missing:
        return Advice("hold", [*missing, *reasons], None, load_level, todo)
    return _step_up(
        program,
        log,
        index,
        phase,
        during,
        reasons,
        phase_start=phase_start,
        load_level=load_level,
        load_since=load_since or phase_start,
    )


def _next_morning_text(log: _Log, pair: tuple[date, date] | None) -> tuple[str, bool]:
    """The next-morning check in words, and whether the morning was worse."""
    if pair is None:
        return "", False
    before, after = pair
    m0, m1 = log.by_day[before].morning_pain, log.by_day[after].morning_pain
    assert m0 is not None and m1 is not None
    if m1 <= m0:
        return (
            f"next-morning pain not higher: {m1}/10 on {_d(after)} vs {m0}/10 the day before",
            False,
        )
    text = f"next-morning pain higher: {m1}/10 on {_d(after)} vs {m0}/10 the day before"
    pain_after = log.by_day[before].pain_after
    if pain_after is not None:
        text += f" (pain after exercise {pain_after}/10 had not settled)"
    return text, True


def _calendar(first: date, last: date) -> list[date]:
    return [first + timedelta(n) for n in range((last - first).days + 1)]


def _missing(
    log: _Log, this_week: Sequence[date], week: str, pair: tuple[date, date] | None
) -> list[tuple[str, str]]:
    """(what is missing, what to log) for a step up."""
    found = []
    for field, words in (("morning_pain", "morning pain"), ("pain_during", "pain during exercise")):
        logged = {d for d, _ in log.values(this_week, field)}
        if len(logged) < MIN_LOGGED_DAYS:
            gaps = [d for d in this_week if d not in logged]
            more = MIN_LOGGED_DAYS - len(logged)
            found.append(
                (
                    f"too little data: {words} logged on {len(logged)} of {week} (need "
                    f"{MIN_LOGGED_DAYS}); not logged on {_days(gaps)}",
                    f"log {words} on {_plural(more, 'more day')}",
                )
            )
    if pair is None and not found:
        found.append(
            (
                "too little data: no two mornings in a row logged, so the next-morning response "
                "is unknown",
                "log morning pain on two mornings in a row",
            )
        )
    return found


def _step_down(
    program: Program, index: int, level: int, flare: bool
) -> tuple[str | None, int, str]:
    """One step down: a lighter load first; back a phase for a flare-up; never below level 0
    or the first phase."""
    if level > 0:
        return None, level - 1, f"reduce: back to load level {level - 1} (from {level})"
    if flare and index > 0:
        previous = program.phases[index - 1]
        return previous.id, 0, f"reduce: back to {previous.name}"
    where = "already at the first phase with no added load" if index == 0 else "no added load"
    return None, 0, f"reduce: do fewer sets or repetitions ({where})"


def _step_up(
    program: Program,
    log: _Log,
    index: int,
    phase: Phase,
    during: Sequence[tuple[date, int]],
    reasons: list[str],
    *,
    phase_start: date,
    load_level: int,
    load_since: date,
) -> Advice:
    today = log.today
    reduce_if = (
        "pain during exercise above the limit, a worse next morning, or morning pain or "
        "stiffness rising week over week would mean reduce instead"
    )
    hold: list[str] = []
    in_phase = len(log.active_between(phase_start, today))
    needed = phase.min_weeks * WEEK_DAYS
    if index + 1 < len(program.phases):
        nxt = program.phases[index + 1]
        if in_phase >= needed:
            reasons.append(
                f"{_plural(in_phase, 'day')} in {phase.name} (at least "
                f"{_plural(phase.min_weeks, 'week')} needed) and the pain guide kept"
            )
            if nxt.unverified:
                reasons.append(f"{nxt.name}: your clinician sets the doses")
            return Advice("progress", reasons, nxt.id, 0, [reduce_if])
        earliest = _nth_active(log, today, needed - in_phase)
        hold.append(
            f"{nxt.name} from {_d(earliest)} at the earliest, if the pain guide still holds "
            f"({_plural(in_phase, 'day')} of {needed} in this phase so far)"
        )
    else:
        reasons.append(f"{phase.name} is the last phase")

    steps = _load_steps(program, phase)
    if steps:
        at_load = len(log.active_between(max(load_since, phase_start), today))
        top = max(p for _, p in during)
        if top <= PAIN_FREE and at_load >= LOAD_STEP_DAYS:
            reasons.append(
                f"pain-free exercise ({PAIN_FREE}/10 during) on all {len(during)} logged days of "
                f"a week at load level {load_level}: add one load step ({_steps_text(steps)})"
            )
            return Advice("progress", reasons, None, load_level + 1, [reduce_if])
        if top > PAIN_FREE:
            hold.append(
                f"pain-free exercise ({PAIN_FREE}/10 during) for a week would add one load step "
                f"({_steps_text(steps)}); the highest this week was {top}/10"
            )
        else:
            earliest = _nth_active(log, today, LOAD_STEP_DAYS - at_load)
            hold.append(
                f"one load step ({_steps_text(steps)}) from {_d(earliest)} if exercise stays "
                f"pain-free: at most one step a week ({_plural(at_load, 'day')} at this load)"
            )
    hold.append(reduce_if)
    return Advice("hold", [*reasons, "keep the current phase and load"], None, load_level, hold)


def _nth_active(log: _Log, today: date, n: int) -> date:
    """The date on which `n` more active days will have passed (pauses as known now)."""
    day = today
    while n > 0:
        if not log.paused(day):
            n -= 1
        day += timedelta(days=1)
    return day
