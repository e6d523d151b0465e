"""The pain-monitoring model: progress, hold, reduce or stop, and whether the course is on
track.

Silbernagel's model lets the next-day response decide the next step, so the advice reads the
patient's own log, never the calendar alone: a phase's `min_weeks` only says when a move may
first be considered. Every rule and number comes from CLINICAL.md ("Progression rules",
"Expected course"); where it gives none, the constant says so. Safety comes first: a sign of
too much load reduces even when the log is thin, while a step up needs a well-filled week.

Stop comes first: an open red flag, pain at night or at rest, pain above the limit on most
sessions of a week after a reduction was accepted, or no important improvement at the course's
end (CLINICAL.md, "Red flags"). A reduction changes the plan in the protocol's own way (the
previous load step, the previous row of a by-week table, the previous phase, or a set fewer),
and a later progress restores it one step at a time.

Rhythms count: the data a step up needs is counted over the sessions the protocol planned
(three a week, every other day), not over calendar days.

Windows are *active* days: a paused day is left out, as the schedule leaves it out of the
program, so a week's comparison reaches back past a pause instead of shrinking. Advice is a
suggestion with its reasons in words and numbers; a change takes effect only once someone
accepts it (a `Progression`).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from rehab.core.schedule import PauseDays, Progression, reducible_sets, week_row
from rehab.core.template import DoseRange, Exercise, Phase, Program

Decision = Literal["progress", "hold", "reduce", "stop"]
DECISIONS: tuple[Decision, ...] = ("progress", "hold", "reduce", "stop")
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
# CLINICAL.md: "1 point is the smallest detectable (Salaffi 2004): a weekly change below 1
# point is no change". Weekly morning-pain means are compared against this.
NRS_SMALLEST_CHANGE = 1.0
# CLINICAL.md gives no threshold for morning stiffness, so a rise in stiffness counts only
# when morning pain rises by NRS_SMALLEST_CHANGE too (it is then named as a second reason).
STIFFNESS_THRESHOLD: float | None = None
# Not a clinical number: how far back a window may reach past pauses (ten years).
MAX_LOOKBACK_DAYS = 3660


@dataclass(frozen=True)
class DayObservation:
    """What was logged on one plan day; None means not logged.

    With several entries on a day, pass the day's worst. A paused day is left out of every
    window, and so is any day a `PauseDays` given to `advise`/`on_track` covers.
    """

    day: date
    morning_pain: int | None = None
    pain_during: int | None = None  # the highest during the day's exercises
    pain_after: int | None = None
    stiffness_minutes: int | None = None
    paused: bool = False
    rest_pain: int | None = None  # the worst pain logged at rest or at night
    session: bool = False  # exercise was logged (a check-off of a loading dose)

    @property
    def exercised(self) -> bool:
        return self.session or self.pain_during is not None

    def __post_init__(self) -> None:
        for name in ("morning_pain", "pain_during", "pain_after", "rest_pain"):
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
    """`next_phase` is the phase to move to (None: stay); `next_load_level` the level to use;
    `set_cut` and `week_cap` the reduction to hold (see `Progression`). `plan_change` says in
    words what accepting changes in the plan; `flags` are the red flags a `stop` is for."""

    decision: Decision
    reasons: list[str]
    next_phase: str | None
    next_load_level: int
    would_change: list[str]
    set_cut: int = 0
    week_cap: int | None = None
    plan_change: str = ""
    flags: tuple[str, ...] = ()

    def progression(self, effective: date) -> Progression:
        """The change to record when the advice is accepted."""
        return Progression(
            effective,
            self.next_phase,
            self.next_load_level,
            self.set_cut,
            self.week_cap,
            self.decision,
        )


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

    def __init__(self, days: Iterable[DayObservation], today: date, pauses: Sequence[PauseDays]):
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
    def change(self) -> float | None:
        if self.this_week is None or self.last_week is None:
            return None
        return round(self.this_week - self.last_week, 0 if self.minutes else 1)

    @property
    def rising(self) -> bool:
        """Pain: up by the smallest detectable change (1 point) or more; stiffness: any rise
        (it is acted on only together with a pain rise, see STIFFNESS_THRESHOLD)."""
        change = self.change
        if change is None:
            return False
        return change > 0 if self.minutes else change >= NRS_SMALLEST_CHANGE

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
        change = self.change or 0.0
        if not self.minutes and 0 < change < NRS_SMALLEST_CHANGE:
            return (
                f"{self.label} this week {now} vs {before} last week: a rise below "
                f"{NRS_SMALLEST_CHANGE:g} point, which counts as no change"
            )
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


@dataclass(frozen=True)
class State:
    """Where the patient is in the program today, as the accepted changes left it."""

    phase_id: str
    phase_start: date
    load_level: int = 0
    load_since: date | None = None  # when the current load took effect (default: phase start)
    week: int = 1  # today's program week
    set_cut: int = 0
    week_cap: int | None = None
    reduced_since: date | None = None  # first day of the reduction in force, if any
    last_reduced: date | None = None  # the day the latest accepted reduction took effect


@dataclass(frozen=True)
class Safety:
    """What the log says about red flags.

    `open_flags`: flags raised and not yet cleared (the program is paused for them);
    `cleared_on`: the latest clearance, so evidence up to that day is not raised again;
    `no_improvement`: the course check's words when the course's end came without an
    important improvement (None: improving, too early, or already cleared once)."""

    open_flags: Sequence[tuple[str, date]] = ()
    cleared_on: date | None = None
    no_improvement: str | None = None
    details: Sequence[str] = ()  # what the log showed, for flags found in it


def most_of(sessions: int) -> int:
    """More than half of a week's planned sessions: 4 of 7 daily, 2 of 3 a week; never 1."""
    return max(2, sessions // 2 + 1)


def advise(
    program: Program,
    days: Iterable[DayObservation],
    *,
    phase_id: str,
    phase_start: date,
    load_level: int,
    today: date,
    load_since: date | None = None,
    pauses: Sequence[PauseDays] = (),
    state: State | None = None,
    sessions: Collection[date] | None = None,
    safety: Safety | None = None,
) -> Advice:
    """Apply the pain-monitoring model to the last 7 active days of the log.

    Stop: an open red flag; pain at night or at rest; pain during exercise above the limit on
    most of a week's sessions after a reduction was accepted; no important improvement at the
    course's end. Reduce, however little was logged: pain during exercise above the limit at
    the latest session, or on 2+ days (a flare-up); the morning after a session worse than the
    morning before it (pain after exercise that had not settled); morning pain up by 1 point
    or more on average from the week before. Hold: too little logged (counted over the
    sessions the protocol planned: `sessions`, default every active day), the morning after
    the last session unknown, or one earlier session above the limit. Progress: a reduction in
    force is restored one step first; then the next phase once `min_weeks` of active days have
    passed; otherwise one load step after a pain-free week at the current load.
    """
    state = state or State(phase_id, phase_start, load_level, load_since)
    safety = safety or Safety()
    index, phase = _phase(program, state.phase_id)
    if not _is_int(state.load_level) or state.load_level < 0:
        raise ValueError(f"load level {state.load_level!r} is not allowed (allowed: 0 or more)")
    for name, first in (("phase start", state.phase_start), ("load since", state.load_since)):
        if first is not None and first > today:
            raise ValueError(
                f"{name} {first.isoformat()} is after today {today.isoformat()} "
                "(allowed: a date on or before today)"
            )
    log = _Log(days, today, pauses)
    if safety.open_flags:
        return _stop_for_open(safety.open_flags, state, safety.details)
    if log.paused(today):
        return Advice(
            "hold",
            ["the program is paused today: no change while it is paused"],
            None,
            state.load_level,
            ["the advice resumes on the first day back"],
            set_cut=state.set_cut,
            week_cap=state.week_cap,
        )
    recent = log.active_back(2 * WEEK_DAYS)
    this_week, last_week = recent[-WEEK_DAYS:], recent[:-WEEK_DAYS]
    # today's session counts once it is logged: in the morning it has not happened yet
    logged_during = {d for d, _ in log.values(this_week, "pain_during")}
    planned = [
        d
        for d in this_week
        if (sessions is None or d in sessions) and (d < today or d in logged_during)
    ]
    most = most_of(len(planned))
    limit = min(phase.max_pain_during, PAIN_DURING_LIMIT)
    week = "the last 7 days"
    if any(log.paused(d) for d in _calendar(this_week[0], today)):
        week += " (paused days left out)"
    during = log.values(this_week, "pain_during")
    over = [(d, p) for d, p in during if p > limit]

    stop = _stop_signs(log, this_week, over, most, limit, state, safety)
    if stop:
        return Advice(
            "stop",
            [
                *(why for why, _ in stop),
                "stop the exercises and see a clinician: the program pauses until a "
                "clinician has cleared it",
            ],
            None,
            state.load_level,
            ["a clinician clears it (`rehab cleared --by NAME`)"],
            plan_change="the program pauses until a clinician clears it",
            flags=tuple(dict.fromkeys(f for _, f in stop)),
            set_cut=state.set_cut,
            week_cap=state.week_cap,
        )

    # Signs of too much load: act on them however little was logged. What came before the
    # latest accepted reduction was answered by it: only what followed can reduce again.
    since = state.last_reduced

    def after_reduction(day: date) -> bool:
        return since is None or day >= since

    reasons: list[str] = []
    undo: list[str] = []  # what would lift the reduce
    new_over = [(d, p) for d, p in over if after_reduction(d)]
    flare = len(new_over) >= BREACH_DAYS
    if flare:
        reasons.append(
            f"flare-up: pain during exercise above {limit}/10 on {len(new_over)} of {week} "
            f"({', '.join(f'{p}/10 on {_d(d)}' for d, p in new_over)})"
        )
        undo.append(f"pain during exercise at {limit}/10 or less for a week")
    elif during and during[-1][1] > limit and after_reduction(during[-1][0]):
        day, pain = during[-1]
        reasons.append(f"pain during exercise {pain}/10 on {_d(day)}, above the {limit}/10 limit")
        undo.append(f"pain during exercise back to {limit}/10 or less")
    if len(over) >= most and state.reduced_since is None:
        reasons.append(
            f"pain above {limit}/10 on most sessions of the week: if it stays there after "
            "cutting back, stop the exercises and see a clinician"
        )
    response = _response(log, recent, this_week)
    if response is not None and response.worse and after_reduction(response.session):
        reasons.append(response.text())
        undo.append("the morning after a session no worse than the morning before it")
    pain_trend = _trend(log, this_week, last_week, "morning_pain", "morning pain")
    stiff_trend = _trend(log, this_week, last_week, "stiffness_minutes", "morning stiffness")
    if pain_trend.rising and (since is None or since <= this_week[0]):
        assert pain_trend.last_week is not None
        reasons.append(pain_trend.text())
        undo.append(
            f"morning pain less than {NRS_SMALLEST_CHANGE:g} point above last week's "
            f"{pain_trend.show(pain_trend.last_week)}"
        )
        if stiff_trend.rising:
            reasons.append(stiff_trend.text())
    if reasons:
        step = _step_down(program, index, phase, state, flare)
        return Advice(
            "reduce",
            [*reasons, f"reduce: {step.text}"],
            step.phase,
            step.level,
            undo,
            set_cut=step.cut,
            week_cap=step.cap,
            plan_change=step.text,
        )

    # No sign of too much load: say what holds, then look for a step up.
    if during:
        top = max(p for _, p in during)
        how = "pain-free (0/10)" if top == 0 else f"{top}/10 or less"
        reasons.append(f"pain during exercise {how} on {len(during)} of {week}")
    if response is not None and response.after is not None:
        reasons.append(response.text())
    reasons.append(pain_trend.text())
    if stiff_trend.rising:
        reasons.append(
            f"{stiff_trend.text()} (stiffness alone is not acted on: CLINICAL.md gives no "
            "threshold for it, so it counts only with a rise in morning pain)"
        )
    elif log.values(this_week, "stiffness_minutes"):  # say nothing where none is logged
        reasons.append(stiff_trend.text())
    gaps = _missing(log, this_week, planned, week, response, recent)
    missing = [m[0] for m in gaps]
    todo = [m[1] for m in gaps]
    if over:  # one day above the limit, the latest session within it: wait for a good week
        day, pain = over[-1]
        missing.append(f"pain during exercise was {pain}/10 on {_d(day)}, above {limit}/10")
        todo.append(f"a week after {_d(day)} with pain during exercise at {limit}/10 or less")
    if missing:
        return Advice(
            "hold",
            [*missing, *reasons],
            None,
            state.load_level,
            todo,
            set_cut=state.set_cut,
            week_cap=state.week_cap,
        )
    return _step_up(program, log, index, phase, during, reasons, state)


def _stop_for_open(
    open_flags: Sequence[tuple[str, date]], state: State, details: Sequence[str] = ()
) -> Advice:
    from rehab.core.redflags import flag

    by_id = dict(open_flags)
    reasons = []
    for flag_id, raised in open_flags:
        item = flag(flag_id)
        reasons.append(f"red flag raised on {_d(raised)}: {item.label}")
    reasons.extend(dict.fromkeys(details))
    whys = dict.fromkeys(flag(f).advice for f in by_id)
    reasons.extend(whys)
    return Advice(
        "stop",
        [*reasons, "the program is paused until a clinician has cleared it"],
        None,
        state.load_level,
        ["a clinician clears it (`rehab cleared --by NAME`)"],
        plan_change="the program stays paused until a clinician clears it",
        flags=tuple(by_id),
        set_cut=state.set_cut,
        week_cap=state.week_cap,
    )


def _stop_signs(
    log: _Log,
    this_week: Sequence[date],
    over: Sequence[tuple[date, int]],
    most: int,
    limit: int,
    state: State,
    safety: Safety,
) -> list[tuple[str, str]]:
    """(reason, red-flag id) for each red flag the log shows (CLINICAL.md, "Red flags")."""
    after = safety.cleared_on

    def new(day: date) -> bool:
        return after is None or day > after

    found: list[tuple[str, str]] = []
    rest = [(d, p) for d, p in log.values(this_week, "rest_pain") if p > 0 and new(d)]
    if rest:
        found.append(
            (
                "pain at night or at rest: "
                + ", ".join(f"{p}/10 on {_d(d)}" for d, p in rest)
                + " (not the usual pattern of an overloaded tendon)",
                "rest-pain",
            )
        )
    if state.reduced_since is not None:
        since = state.reduced_since
        despite = [(d, p) for d, p in over if d >= since and new(d)]
        if len(despite) >= most:
            found.append(
                (
                    f"pain during exercise above {limit}/10 on {len(despite)} sessions of the "
                    f"last 7 days (most of the week's sessions: {most} or more) despite the "
                    f"reduction in force since {_d(since)}: "
                    + ", ".join(f"{p}/10 on {_d(d)}" for d, p in despite),
                    "pain-despite-reduction",
                )
            )
    if safety.no_improvement:
        found.append((safety.no_improvement, "no-improvement"))
    return found


@dataclass(frozen=True)
class _Response:
    """The next-day response to a session: the morning after against the morning before."""

    session: date
    before: int | None  # morning pain on the session day (or the latest morning before it)
    after: int | None  # morning pain on the next active day (None: not known yet)
    next_day: date
    pain_after: int | None  # pain after the session, if logged

    @property
    def known(self) -> bool:
        return self.after is not None and (self.before is not None or bool(self.pain_after))

    @property
    def worse(self) -> bool:
        if self.after is None:
            return False
        if self.before is not None:
            return self.after > self.before
        # no morning before the session: pain after exercise has not settled if the next
        # morning is as bad as it was right after
        return bool(self.pain_after) and self.after >= (self.pain_after or 0)

    def text(self) -> str:
        when = f"{_d(self.next_day)}, the morning after the session on {_d(self.session)}"
        if self.after is None:
            return f"the morning after the session on {_d(self.session)} is not known yet"
        settled = ""
        if self.pain_after is not None:
            settled = (
                f" (pain after exercise {self.pain_after}/10 had not settled)"
                if self.worse
                else f" (pain after exercise {self.pain_after}/10 had settled)"
            )
        if self.before is None:
            base = f"{self.after}/10 on {when}"
            return f"next-morning pain {'not settled' if self.worse else 'known'}: {base}{settled}"
        word = "higher" if self.worse else "not higher"
        return (
            f"next-morning pain {word}: {self.after}/10 on {when} vs {self.before}/10 before "
            f"it{settled}"
        )


def _response(log: _Log, recent: Sequence[date], this_week: Sequence[date]) -> _Response | None:
    """The response to the latest session before today (today's is judged tomorrow morning):
    the session's own morning, or the latest morning before it, against the next active
    day's morning."""
    mornings = dict(log.values(recent, "morning_pain"))
    for i in range(len(recent) - 1, -1, -1):
        day = recent[i]
        obs = log.by_day.get(day)
        if day >= log.today or day not in this_week or obs is None or not obs.exercised:
            continue
        next_day = recent[i + 1] if i + 1 < len(recent) else log.today
        before = mornings.get(day)
        if before is None:
            before = next((mornings[d] for d in reversed(recent[:i]) if d in mornings), None)
        return _Response(day, before, mornings.get(next_day), next_day, obs.pain_after)
    return None


def _calendar(first: date, last: date) -> list[date]:
    return [first + timedelta(n) for n in range((last - first).days + 1)]


def _missing(
    log: _Log,
    this_week: Sequence[date],
    planned: Sequence[date],
    week: str,
    response: _Response | None,
    recent: Sequence[date],
) -> list[tuple[str, str]]:
    """(what is missing, what to log) for a step up. Morning pain is a daily measure; pain
    during exercise is counted over the sessions the protocol planned."""
    found = []
    mornings = {d for d, _ in log.values(this_week, "morning_pain")}
    if len(mornings) < MIN_LOGGED_DAYS:
        gaps = [d for d in this_week if d not in mornings]
        more = MIN_LOGGED_DAYS - len(mornings)
        found.append(
            (
                f"too little data: morning pain logged on {len(mornings)} of {week} (need "
                f"{MIN_LOGGED_DAYS}); not logged on {_days(gaps)}",
                f"log morning pain on {_plural(more, 'more day')}",
            )
        )
    sessions = {d for d, _ in log.values(this_week, "pain_during")}
    need = min(most_of(len(planned)), len(planned)) if planned else 0
    logged = len(sessions)
    if logged < need:
        gaps = [d for d in planned if d not in sessions]
        found.append(
            (
                f"too little data: pain during exercise logged for {logged} of the "
                f"{_plural(len(planned), 'session')} planned in {week} (need {need}); not "
                f"logged on {_days(gaps)}",
                f"log pain during exercise (`--pain`) at {_plural(need - logged, 'more session')}",
            )
        )
    if found:
        return found
    if response is None:
        found.append(
            (
                "too little data: no session logged before today in the last 7 days, so the "
                "next-morning response is unknown",
                "log a session and the next morning's pain",
            )
        )
    elif response.after is None:
        found.append(
            (
                f"the morning after the session on {_d(response.session)} is not logged, so the "
                "next-morning response is unknown",
                f"log morning pain for {_d(response.next_day)}",
            )
        )
    elif response.before is None and not response.pain_after:
        found.append(
            (
                f"no morning pain before the session on {_d(response.session)} to compare "
                "the next morning with",
                "log morning pain on the day of a session and the morning after",
            )
        )
    return found


@dataclass(frozen=True)
class _Step:
    phase: str | None
    level: int
    cut: int
    cap: int | None
    text: str


def _strengthening(program: Program, phase: Phase) -> list[Exercise]:
    return [
        ex
        for ex in program.exercises
        if ex.kind == "strengthen" and (not ex.phases or phase.id in ex.phases)
    ]


def _row_text(exercise: Exercise, weeks: DoseRange) -> str:
    for step in exercise.by_week:
        if step.weeks == weeks:
            sets = step.sets or exercise.sets
            reps = step.reps or exercise.reps
            if sets is not None and reps is not None:
                return f"{sets.text()} × {reps.text()}"
    return "its dose"


def _week_text(weeks: DoseRange) -> str:
    return f"week {weeks.text()}" if not weeks.is_range else f"weeks {weeks.text()}"


def _step_down(program: Program, index: int, phase: Phase, state: State, flare: bool) -> _Step:
    """One step down, in the protocol's own way (CLINICAL.md, "Progression rules"): the
    previous load step; the previous (lighter) row of a by-week table, held there; back a
    phase for a flare-up; one set fewer of each strengthening exercise. Never below one set,
    level 0 or the first phase."""
    level, cut, cap = state.load_level, state.set_cut, state.week_cap
    if level > 0:
        steps = _load_steps(program, phase)
        less = f" ({_steps_text(steps).removeprefix('+')} less)" if steps else ""
        text = f"back to load level {level - 1} (from {level}){less}"
        return _Step(None, level - 1, cut, cap, text)
    tables = [ex for ex in _strengthening(program, phase) if ex.by_week]
    if tables:
        first = tables[0]
        row = week_row(first, state.week if cap is None else min(state.week, cap))
        earlier = [s.weeks for s in first.by_week if row is not None and s.weeks.high < row.low]
        if earlier:
            previous = max(earlier, key=lambda w: w.high)
            return _Step(
                None,
                level,
                cut,
                int(previous.high),
                f"back to {_week_text(previous)}'s lighter dose ({_row_text(first, previous)}"
                f" instead of {_row_text(first, row) if row else 'this week'}), with no step "
                "up while the reduction holds",
            )
    if flare and index > 0:
        previous_phase = program.phases[index - 1]
        return _Step(previous_phase.id, 0, 0, None, f"back to {previous_phase.name}")
    strong = _strengthening(program, phase)
    if any(reducible_sets(ex, cut) for ex in strong):
        if tables and cap is None:  # the first row: hold it there, a set fewer
            row = week_row(tables[0], state.week)
            cap = int(row.high) if row is not None else None
        return _Step(
            None,
            level,
            cut + 1,
            cap,
            f"one set fewer of each strengthening exercise ({_plural(cut + 1, 'set')} off the "
            "planned sets, never below one), with no step up while the reduction holds",
        )
    return _Step(
        None,
        level,
        cut,
        cap,
        "the plan is already at its lightest: keep the exercises gentle, within the pain "
        "guide, and talk to your clinician if it does not settle",
    )


def _restore(program: Program, phase: Phase, state: State) -> _Step | None:
    """One step back up from a reduction in force: a set back first, then the by-week table
    one row on (released once it reaches this week's row)."""
    level, cut, cap = state.load_level, state.set_cut, state.week_cap
    if cut > 0:
        return _Step(
            None,
            level,
            cut - 1,
            cap,
            f"one set back on each strengthening exercise "
            f"({_plural(cut - 1, 'set')} off the planned sets from tomorrow)",
        )
    if cap is None:
        return None
    if cap >= state.week:  # the held row is this week's: the table steps up again
        return _Step(None, level, cut, None, "the dose steps up with the weeks again")
    tables = [ex for ex in _strengthening(program, phase) if ex.by_week]
    if not tables:
        return _Step(None, level, cut, None, "back to this week's planned dose")
    first = tables[0]
    row = week_row(first, cap)
    later = [s.weeks for s in first.by_week if row is not None and s.weeks.low > row.high]
    nxt = min(later, key=lambda w: w.low) if later else None
    if nxt is None or nxt.high >= state.week or nxt.low > state.week:
        return _Step(None, level, cut, None, "back to this week's planned dose")
    return _Step(
        None,
        level,
        cut,
        int(nxt.high),
        f"one row up the table: {_week_text(nxt)}'s dose ({_row_text(first, nxt)}), still "
        "held below this week's",
    )


def _step_up(
    program: Program,
    log: _Log,
    index: int,
    phase: Phase,
    during: Sequence[tuple[date, int]],
    reasons: list[str],
    state: State,
) -> Advice:
    today = log.today
    reduce_if = (
        "pain during exercise above the limit, a worse morning after a session, or morning "
        f"pain up {NRS_SMALLEST_CHANGE:g} point or more on last week would mean reduce instead"
    )
    back = _restore(program, phase, state)
    if back is not None:
        reasons.append(f"the pain guide held at the lighter dose: {back.text}")
        return Advice(
            "progress",
            reasons,
            None,
            state.load_level,
            [reduce_if],
            set_cut=back.cut,
            week_cap=back.cap,
            plan_change=back.text,
        )
    hold: list[str] = []
    in_phase = len(log.active_between(state.phase_start, today))
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
            return Advice(
                "progress", reasons, nxt.id, 0, [reduce_if], plan_change=f"move on to {nxt.name}"
            )
        earliest = _nth_active(log, today, needed - in_phase)
        hold.append(
            f"{nxt.name} from {_d(earliest)} at the earliest, if the pain guide still holds "
            f"({_plural(in_phase, 'day')} of {needed} in this phase so far)"
        )
    else:
        reasons.append(f"{phase.name} is the last phase")

    steps = _load_steps(program, phase)
    if steps:
        load_since = state.load_since or state.phase_start
        at_load = len(log.active_between(max(load_since, state.phase_start), today))
        top = max(p for _, p in during) if during else PAIN_FREE
        if top <= PAIN_FREE and at_load >= LOAD_STEP_DAYS:
            reasons.append(
                f"pain-free exercise ({PAIN_FREE}/10 during) on all {len(during)} logged days of "
                f"a week at load level {state.load_level}: add one load step "
                f"({_steps_text(steps)})"
            )
            return Advice(
                "progress",
                reasons,
                None,
                state.load_level + 1,
                [reduce_if],
                plan_change=f"one load step ({_steps_text(steps)})",
                set_cut=state.set_cut,
                week_cap=state.week_cap,
            )
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
    return Advice(
        "hold",
        [*reasons, "keep the current phase and load"],
        None,
        state.load_level,
        hold,
        set_cut=state.set_cut,
        week_cap=state.week_cap,
    )


def _nth_active(log: _Log, today: date, n: int) -> date:
    """The date on which `n` more active days will have passed (pauses as known now)."""
    day = today
    while n > 0:
        if not log.paused(day):
            n -= 1
        day += timedelta(days=1)
    return day
