"""Is the course on track? The log compared with the expected course in CLINICAL.md
("Expected course"): not on track when morning pain has not fallen by 2 points (or VISA-A by
14) after 12 weeks, or when the pain model is breached on 2+ days in a week.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from itertools import pairwise

from rehab.core.progression import (
    BREACH_DAYS,
    COURSE_WEEKS,
    MIN_LOGGED_DAYS,
    NRS_IMPORTANT_FRACTION,
    NRS_IMPORTANT_POINTS,
    PAIN_DURING_LIMIT,
    WEEK_DAYS,
    CourseStatus,
    DayObservation,
    _d,
    _is_int,
    _Log,
    _mean,
    _plural,
)
from rehab.core.schedule import PauseDays
from rehab.core.visa import CLINICALLY_IMPORTANT_CHANGE, FULL_RECOVERY_SCORE, VISA_MAX


@dataclass(frozen=True)
class CourseCheck:
    status: CourseStatus
    sentence: str
    reasons: list[str]
    # "not on track" because the course's end came without an important improvement (a red
    # flag: see your clinician), not because of this week's breaches
    no_improvement: bool = False


# --- expected course ----------------------------------------------------------------------


def course_end_due(program_weeks: int, program_day: int | None) -> bool:
    """Whether a program day (0 = the first) is at or past the course's end, where the
    course check can say 'no important improvement': 12 weeks, or the last day of a shorter
    program; and still within the program."""
    if program_day is None:
        return False
    return min(COURSE_WEEKS, program_weeks) * 7 - 1 <= program_day < program_weeks * 7


def on_track(
    days: Iterable[DayObservation],
    *,
    start: date,
    today: date,
    visa_scores: Iterable[tuple[date, int]] = (),
    pauses: Sequence[PauseDays] = (),
    max_pain_during: int = PAIN_DURING_LIMIT,
    course_weeks: int = COURSE_WEEKS,
    visa_offered: bool = True,
) -> CourseCheck:
    """Compare the log with the expected course (CLINICAL.md, "Expected course").

    Not on track: the pain guide broken on 2+ of the last 7 days (pain during exercise above
    the limit, or a morning worse than the one before), or no clinically important improvement
    after 12 weeks: morning pain down 2 points or 30% from the first well-logged week, or
    VISA-A up 14 (or at about full recovery). Either measure improving is enough. An important
    improvement is on track at any time; without one, before 12 weeks it is too early to tell.

    Weeks count the program days done *including today*, so the last day of a 12-week program
    is its 12th week's end: a program that ends without an important improvement says so on
    its last day. `course_weeks` is 12, or the program's length when it is shorter.
    `visa_offered=False` (a program without the VISA-A, or a red flag open): scores already
    taken still count, but the sentence does not ask for another questionnaire.
    """
    log = _Log(days, today, pauses)
    limit = min(max_pain_during, PAIN_DURING_LIMIT)
    before_today = log.active_between(start, today)
    program_days = [*before_today, today] if today >= start and not log.paused(today) else []
    program_days = program_days or before_today
    weeks = len(program_days) // WEEK_DAYS
    course_weeks = max(1, min(course_weeks, COURSE_WEEKS))
    this_week = program_days[-WEEK_DAYS:]

    breaches = _breaches(log, program_days, this_week, limit)
    if len(breaches) >= BREACH_DAYS:
        return CourseCheck(
            "not on track",
            f"Not on track: the pain guide was broken on {len(breaches)} of the last 7 days. "
            "Cut back, and talk to your clinician if it keeps happening.",
            [f"{_d(d)}: {why}" for d, why in breaches],
        )

    reasons: list[str] = []
    improved: list[str] = []  # the clauses that show an important improvement
    measured = False
    pain = _pain_change(log, program_days, this_week)
    if pain is not None:
        measured = True
        first_week, now = pain
        fall = round(first_week - now, 1)
        change = f"down {fall:.1f}" if fall > 0 else f"up {-fall:.1f}" if fall < 0 else "no fall"
        clause = f"morning pain {now:.1f} this week vs {first_week:.1f} at the start ({change})"
        reasons.append(
            f"{clause}; an important fall is {NRS_IMPORTANT_POINTS:.0f} points or "
            f"{NRS_IMPORTANT_FRACTION:.0%}"
        )
        # compared at the precision shown: 30% of 3.0 is 0.9
        relative = first_week > 0 and fall >= round(first_week * NRS_IMPORTANT_FRACTION, 1)
        if fall >= NRS_IMPORTANT_POINTS or relative or first_week == now == 0:
            improved.append(clause)
    else:
        reasons.append(
            f"morning pain: not enough logged to compare (at least {MIN_LOGGED_DAYS} days in "
            "an earlier week and in the last 7 days)"
        )

    scores = sorted((d, s) for d, s in visa_scores if d <= today)
    for day, score in scores:
        if not _is_int(score) or not 0 <= score <= VISA_MAX:
            raise ValueError(
                f"VISA-A score on {day.isoformat()}: {score!r} is not allowed "
                f"(allowed: a whole number from 0 to {VISA_MAX})"
            )
    if scores:
        (first_day, first), (last_day, last) = scores[0], scores[-1]
        clause = f"VISA-A {last} on {_d(last_day)}"
        if len(scores) >= 2:
            clause += f" vs {first} on {_d(first_day)}"
        reasons.append(
            f"{clause}; an important change is {CLINICALLY_IMPORTANT_CHANGE} points, about "
            f"{FULL_RECOVERY_SCORE} is full recovery"
        )
        if len(scores) >= 2 or last >= FULL_RECOVERY_SCORE:
            measured = True
            if last - first >= CLINICALLY_IMPORTANT_CHANGE or last >= FULL_RECOVERY_SCORE:
                improved.append(clause)

    if improved:
        return CourseCheck("on track", f"On track: {'; '.join(improved)}.", reasons)
    if weeks < course_weeks:
        return CourseCheck(
            "too early to tell",
            f"Too early to tell: {_plural(weeks, 'week')} of {course_weeks} done; most people "
            f"improve over {COURSE_WEEKS} weeks of loading.",
            reasons,
        )
    if not measured:
        visa = ", or fill in the VISA-A questionnaire again" if visa_offered else ""
        return CourseCheck(
            "not enough data",
            f"Cannot tell after {weeks} weeks: log morning pain on at least {MIN_LOGGED_DAYS} "
            f"days a week{visa}.",
            reasons,
        )
    return CourseCheck(
        "not on track",
        f"Not on track: no important improvement after {_plural(weeks, 'week')}. See your "
        "clinician.",
        reasons,
        no_improvement=True,
    )


def _breaches(
    log: _Log, program_days: Sequence[date], this_week: Sequence[date], limit: int
) -> list[tuple[date, str]]:
    """Days of this week that broke the pain guide: pain during exercise above the limit, or
    a morning worse than the one before."""
    found: dict[date, list[str]] = {}
    for day, pain in log.values(this_week, "pain_during"):
        if pain > limit:
            found.setdefault(day, []).append(f"pain during exercise {pain}/10 (above {limit}/10)")
    mornings = dict(log.values(program_days, "morning_pain"))
    for before, after in pairwise(program_days):
        if after not in this_week or before not in mornings or after not in mornings:
            continue
        if mornings[after] > mornings[before]:
            found.setdefault(after, []).append(
                f"morning pain up from {mornings[before]}/10 to {mornings[after]}/10"
            )
    return [(d, "; ".join(found[d])) for d in sorted(found)]


def _pain_change(
    log: _Log, program_days: Sequence[date], this_week: Sequence[date]
) -> tuple[float, float] | None:
    """(baseline, now): the first program week with enough morning pain logged, before this
    week, and this week; means rounded to 0.1 as shown."""
    now = log.values(this_week, "morning_pain")
    if len(now) < MIN_LOGGED_DAYS:
        return None
    earlier = [d for d in program_days if d < this_week[0]]
    for i in range(0, len(earlier) - WEEK_DAYS + 1, WEEK_DAYS):
        week = log.values(earlier[i : i + WEEK_DAYS], "morning_pain")
        if len(week) >= MIN_LOGGED_DAYS:
            return round(_mean(week), 1), round(_mean(now), 1)
    return None
