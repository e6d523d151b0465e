"""iCalendar (RFC 5545): the schedule as recurring events with alarms, so that a phone
calendar reminds a patient who does not keep the app open.

Which events
    A slot (morning, midday, evening, night) gets an event on the plan days on which it
    holds a dose that is not "as needed". The plan comes from `plan_day`, day by day, so
    phases, accepted phase changes, load steps, by-week doses and pauses (which shift the
    program days) are what the app itself shows. Each such day's slot is described in
    words; days with the same description are one group, and a change of the doses ends
    one event and starts another. This is finer than cutting the plan into program weeks:
    a change in the middle of a week, or a pause that moves every other day onto the other
    parity, still gives events that match the plan, and an unchanged slot stays one event.

    A group is covered greedily from its first day by whichever rule reaches furthest:
    FREQ=DAILY, FREQ=DAILY;INTERVAL=2, or FREQ=WEEKLY on the weekdays the group uses in its
    first seven days (three a week: where the 0/2/4 program-day offsets fall). A rule may
    step over paused days, which become EXDATEs; it stops at any other day it would wrongly
    produce, and ends (UNTIL) on its last true day. Days that no rule covers twice go into
    one event of RDATEs. So the expanded events give exactly the plan's days, nothing on a
    paused day, nothing after the program's end.

'Any time' doses
    One all-day event, "Rehab: any time today", grouped and ruled the same way, with an
    alarm at the morning reminder time. The reminders fold 'any time' doses into each slot's
    message, but a calendar shows the day's events side by side, so that would repeat them
    three or four times; and a program whose doses are all 'any time' (Silbernagel, heavy
    slow resistance) would have no event at all.

As needed, unverified
    As-needed items (icing up to 3 times a day, a night splint) never make an event. They
    are listed once a day under "Optional, as needed": in the 'any time' event when the day
    has one, else in each timed event of that day. A dose without an established dose
    (unverified: Silbernagel's later phases) makes no event either: its rhythm in the
    template is a placeholder, and a recurring event would state it as fact. It is listed
    the same way under "When your clinician says so", reading "ask your clinician for the
    dose" (`Dose.describe`), never numbers. Templates hold no medication, so no medication
    dose can appear.

Time zone
    A timed event starts at the patient's reminder time for its slot, as local time with
    TZID = the patient's zone, so the wall-clock time holds across DST changes; UNTIL is the
    last start in UTC, as RFC 5545 requires with a TZID. The VTIMEZONE is generated from the
    zone's own transitions (zoneinfo) over the covered years: one observance per transition
    with its own DTSTART, from the change that put 1 January's offset of the first year in
    force. Explicit transitions rather than RRULE-based observances: they state what tzdata
    says for exactly those years and cannot disagree with it.

Alarms
    Each event's alarm rings when the reminder service would: a reminder time inside the
    quiet hours is held to their end (`QuietHours.held`, the app's rule), and a time the
    service would not send that day (quiet hours running on past midnight) gets no alarm.

The file is written here, not with the icalendar package (a test dependency only, which
parses it back): CRLF line ends, lines folded at 75 octets, TEXT escaped.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session

from rehab import __version__
from rehab.core.checklist import counted
from rehab.core.reminder_times import QuietHours, parse_hhmm
from rehab.core.schedule import DayPlan, Dose
from rehab.core.template import SLOTS
from rehab.errors import UsageProblem
from rehab.export import DISCLAIMER, files
from rehab.export.scope import Enrolled, Scope
from rehab.store import journal, settings

TIMED = ("morning", "midday", "evening", "night")
SUMMARIES = {
    "morning": "Rehab: morning",
    "midday": "Rehab: midday",
    "evening": "Rehab: evening",
    "night": "Rehab: night",
    "any": "Rehab: any time today",
}
WHEN = {
    "morning": "in the morning",
    "midday": "at midday",
    "evening": "in the evening",
    "night": "at night",
}
WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
EVENT_LENGTH = "PT30M"
CRLF = "\r\n"


@dataclass(frozen=True)
class Series:
    """One VEVENT: the days it happens on (all of them) and how it says so."""

    slot: str
    text: str
    days: tuple[date, ...]
    rule: str | None  # an RRULE without UNTIL; None: DTSTART and RDATEs
    exdates: tuple[date, ...] = ()


# --- the plan in words ------------------------------------------------------------------


def _dose_lines(doses: Sequence[Dose], suffix: str = "") -> list[str]:
    """One line per dose; the two legs of a dose share a line, repeats are counted."""
    lines: list[str] = []
    repeats: dict[str, int] = {}
    for dose in doses:
        pair = {d.side for d in doses if d.key == dose.key}
        if dose.side == "right" and "left" in pair:
            continue  # said with the left leg, as "each leg"
        text = dose.describe(legs="each leg" if {"left", "right"} <= pair else None) + suffix
        if text in repeats:
            repeats[text] += 0 if dose.as_needed else 1
            continue
        repeats[text] = 1
        lines.append(text)
    return [t if repeats[t] == 1 else f"{t} ({repeats[t]} times)" for t in lines]


def day_texts(plan: DayPlan, *, program: str, times: dict[str, str]) -> dict[str, str]:
    """The description of each slot that gets an event on this plan day."""
    planned = {s: [d for d in plan.doses if d.slot == s and counted(d)] for s in SLOTS}
    slots = [s for s in SLOTS if planned[s]]
    optional: list[str] = []
    clinician: list[str] = []
    for slot in SLOTS:
        when = f" ({WHEN[slot]})" if slot in WHEN else ""
        extra = [d for d in plan.doses if d.slot == slot and d.as_needed and not d.unverified]
        optional += _dose_lines(extra, when)
        clinician += _dose_lines([d for d in plan.doses if d.slot == slot and d.unverified])
    texts: dict[str, str] = {}
    for slot in slots:
        head = "any time today" if slot == "any" else f"{slot}, {times[slot]}"
        lines = [f"{program} — {head}", *(f"• {line}" for line in _dose_lines(planned[slot]))]
        if slot == "any" or "any" not in slots:
            if optional:
                lines += ["Optional, as needed:", *(f"• {line}" for line in optional)]
            if clinician:
                lines += ["When your clinician says so:", *(f"• {line}" for line in clinician)]
        lines.append(DISCLAIMER)
        texts[slot] = "\n".join(lines)
    return texts


# --- days → recurring events --------------------------------------------------------------


def _every(start: date, step: int) -> Iterator[date]:
    day = start
    while True:
        yield day
        day += timedelta(days=step)


def _rules(start: date, wanted: set[date]) -> Iterator[tuple[str, Iterator[date]]]:
    yield "FREQ=DAILY", _every(start, 1)
    yield "FREQ=DAILY;INTERVAL=2", _every(start, 2)
    week = [start + timedelta(days=i) for i in range(7)]
    weekdays = sorted({d.weekday() for d in week if d in wanted})
    if len(weekdays) < 7:
        byday = ",".join(WEEKDAYS[w] for w in weekdays)
        days = (d for d in _every(start, 1) if d.weekday() in weekdays)
        yield f"FREQ=WEEKLY;BYDAY={byday}", days


def _reach(
    days: Iterator[date], wanted: set[date], paused: set[date], last: date
) -> tuple[list[date], list[date]]:
    """The wanted days a rule produces before it produces a wrong one, and the paused days
    it steps over on the way (to exclude)."""
    covered: list[date] = []
    skipped: list[date] = []
    pending: list[date] = []
    for day in days:
        if day > last:
            break
        if day in wanted:
            covered.append(day)
            skipped += pending
            pending = []
        elif day in paused:
            pending.append(day)
        else:
            break
    return covered, skipped


def series_of(slot: str, days_by_text: dict[str, list[date]], paused: set[date]) -> list[Series]:
    """Events that produce exactly each text's days (see the module docstring)."""
    result: list[Series] = []
    for text, days in days_by_text.items():
        wanted = set(days)
        singles: list[date] = []
        while wanted:
            start = min(wanted)
            last = max(wanted)
            best: tuple[str, list[date], list[date]] | None = None
            for rule, produced in _rules(start, wanted):
                covered, skipped = _reach(produced, wanted, paused, last)
                if best is None or len(covered) > len(best[1]):
                    best = (rule, covered, skipped)
            assert best is not None
            rule, covered, skipped = best
            if len(covered) > 1:
                result.append(Series(slot, text, tuple(covered), rule, tuple(skipped)))
            else:
                singles.append(start)
            wanted.difference_update(covered)
        if singles:
            result.append(Series(slot, text, tuple(singles), None))
    return result


def _window(scope: Scope, index: int) -> tuple[date, date] | None:
    """The plan days of one enrollment inside the range: not past its end, nor into the
    next enrollment."""
    item = scope.enrollments[index]
    row = item.enrollment
    first = max(scope.first, row.start_date)
    last = scope.last if item.end is None else min(scope.last, item.end)
    if row.status != "active" and row.ended_at is not None:
        last = min(last, row.ended_at.astimezone(scope.zone).date())
    if index + 1 < len(scope.enrollments):
        following = scope.enrollments[index + 1].enrollment.start_date
        last = min(last, following - timedelta(days=1))
    return (first, last) if first <= last else None


def enrollment_series(
    session: Session, scope: Scope, index: int, times: dict[str, str]
) -> list[Series]:
    window = _window(scope, index)
    if window is None:
        return []
    item: Enrolled = scope.enrollments[index]
    plans = journal.plans_between(
        session, enrollment=item.enrollment, first=window[0], last=window[1]
    )
    paused = {p.day for p in plans if p.status == "paused"}
    by_slot: dict[str, dict[str, list[date]]] = {slot: {} for slot in SLOTS}
    for plan in plans:
        if plan.status != "active":
            continue
        for slot, text in day_texts(plan, program=item.program.name, times=times).items():
            by_slot[slot].setdefault(text, []).append(plan.day)
    found = [s for slot in SLOTS for s in series_of(slot, by_slot[slot], paused)]
    return sorted(found, key=lambda s: (s.days[0], SLOTS.index(s.slot)))


# --- the time zone ------------------------------------------------------------------------


def _state(zone: ZoneInfo, instant: datetime) -> tuple[timedelta, bool, str]:
    local = instant.astimezone(zone)
    return local.utcoffset() or timedelta(0), bool(local.dst()), local.tzname() or ""


def transitions(zone: ZoneInfo, begin: datetime, end: datetime) -> Iterator[datetime]:
    """The instants (UTC, to the second) at which the zone's offset or name changes."""
    step = timedelta(days=1)
    here = begin
    while here < end:
        after = min(here + step, end)
        if _state(zone, here) != _state(zone, after):
            low, high = here, after  # the change is in (low, high]
            while high - low > timedelta(seconds=1):
                middle = low + (high - low) / 2
                middle = middle.replace(microsecond=0)
                if _state(zone, middle) == _state(zone, low):
                    low = middle
                else:
                    high = middle
            yield high
        here = after


def _offset(delta: timedelta) -> str:
    seconds = int(delta.total_seconds())
    sign = "-" if seconds < 0 else "+"
    hours, rest = divmod(abs(seconds), 3600)
    minutes, seconds = divmod(rest, 60)
    return f"{sign}{hours:02d}{minutes:02d}" + (f"{seconds:02d}" if seconds else "")


def _observance(
    start: datetime, before: timedelta, state: tuple[timedelta, bool, str]
) -> list[str]:
    kind = "DAYLIGHT" if state[1] else "STANDARD"
    return [
        f"BEGIN:{kind}",
        f"DTSTART:{start:%Y%m%dT%H%M%S}",
        f"TZOFFSETFROM:{_offset(before)}",
        f"TZOFFSETTO:{_offset(state[0])}",
        f"TZNAME:{escape(state[2])}" if state[2] else "",
        f"END:{kind}",
    ]


def vtimezone(zone: ZoneInfo, first_year: int, last_year: int) -> list[str]:
    """A VTIMEZONE for `zone` from 1 January of `first_year` to the end of `last_year`.

    It opens with the transition that put the zone's offset of 1 January in force (up to a
    year earlier: the southern summer began in the year before), so that every observance
    is a real change with its true TZOFFSETFROM; a zone without one in that year gets a
    single observance that keeps its offset.
    """
    begin = datetime(first_year, 1, 1, tzinfo=UTC)
    end = datetime(last_year + 1, 1, 1, tzinfo=UTC)
    earlier = list(transitions(zone, begin - timedelta(days=366), begin))
    lines = ["BEGIN:VTIMEZONE", f"TZID:{escape(zone.key)}"]
    if not earlier:
        state = _state(zone, begin)
        lines += _observance((begin + state[0]).replace(tzinfo=None), state[0], state)
    for moment in [*earlier[-1:], *transitions(zone, begin, end)]:
        before = _state(zone, moment - timedelta(seconds=1))
        after = _state(zone, moment)
        lines += _observance((moment + before[0]).replace(tzinfo=None), before[0], after)
    lines.append("END:VTIMEZONE")
    return [line for line in lines if line]


# --- RFC 5545 text ------------------------------------------------------------------------


def escape(text: str) -> str:
    """A TEXT value: backslash, semicolon, comma and line breaks escaped."""
    text = text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return text.replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n")


def _param(value: str) -> str:
    return f'"{value}"' if any(c in value for c in ":;,") else value


def fold(line: str) -> str:
    """A content line folded at 75 octets, never inside a UTF-8 character, with CRLF."""
    parts: list[str] = []
    current: list[str] = []
    size, limit = 0, 75
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > limit:
            parts.append("".join(current))
            current, size, limit = [], 0, 74  # a continuation starts with a space
        current.append(char)
        size += width
    parts.append("".join(current))
    return (CRLF + " ").join(parts) + CRLF


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _duration(at: time) -> str:
    return f"PT{at.hour}H{at.minute}M" if at.minute else f"PT{at.hour}H"


def _after(at: time, later: time) -> str:
    minutes = (later.hour * 60 + later.minute) - (at.hour * 60 + at.minute)
    return _duration(time(minutes // 60, minutes % 60)) if minutes else "PT0S"


def event_lines(
    series: Series,
    *,
    uid: str,
    zone: ZoneInfo,
    times: dict[str, str],
    stamp: str,
    quiet: QuietHours | None = None,
) -> list[str]:
    """One VEVENT. Its alarm rings when the reminder service would: a time inside the quiet
    hours is held to their end (`QuietHours.held`), and one the service would not send that
    day (quiet hours running on past midnight) gets no alarm."""
    start = series.days[0]
    lines = ["BEGIN:VEVENT", f"UID:{uid}", f"DTSTAMP:{stamp}"]
    value: Callable[[date], str]
    if series.slot == "any":
        param = ";VALUE=DATE"

        def value(day: date) -> str:
            return f"{day:%Y%m%d}"

        until = value(series.days[-1])
        lines += [f"DTSTART{param}:{value(start)}", "DURATION:P1D"]
        morning = parse_hhmm(times["morning"])
        rings = quiet.held(morning) if quiet else morning
        trigger = _duration(rings) if rings is not None else None
    else:
        at = parse_hhmm(times[series.slot])
        param = f";TZID={_param(zone.key)}"

        def value(day: date) -> str:
            return f"{day:%Y%m%d}T{at:%H%M%S}"

        until = _utc(datetime.combine(series.days[-1], at, tzinfo=zone))
        lines += [f"DTSTART{param}:{value(start)}", f"DURATION:{EVENT_LENGTH}"]
        rings = quiet.held(at) if quiet else at
        trigger = _after(at, rings) if rings is not None else None
    if series.rule is not None:
        lines.append(f"RRULE:{series.rule};UNTIL={until}")
        if series.exdates:
            lines.append(f"EXDATE{param}:" + ",".join(value(d) for d in series.exdates))
    elif len(series.days) > 1:
        lines.append(f"RDATE{param}:" + ",".join(value(d) for d in series.days[1:]))
    summary = escape(SUMMARIES[series.slot])
    lines += [
        f"SUMMARY:{summary}",
        f"DESCRIPTION:{escape(series.text)}",
        "CATEGORIES:Rehab",
        "TRANSP:TRANSPARENT",
    ]
    if trigger is not None:
        lines += [
            "BEGIN:VALARM",
            "ACTION:DISPLAY",
            f"DESCRIPTION:{summary}",
            f"TRIGGER;RELATED=START:{trigger}",
            "END:VALARM",
        ]
    lines.append("END:VEVENT")
    return lines


def calendar_lines(session: Session, scope: Scope) -> tuple[list[str], int]:
    """The whole calendar, and the number of events in it."""
    times = settings.reminder_times(session, patient=scope.patient)
    quiet = settings.quiet_hours(session, patient=scope.patient)
    stamp = _utc(scope.generated_at)
    programs = ", ".join(dict.fromkeys(item.program.name for item in scope.enrollments))
    name = escape(f"Rehab: {scope.patient.name}")
    about = escape(
        f"Home rehab schedule for {scope.patient.name}, {scope.first} to {scope.last}"
        + (f" ({programs})" if programs else "")
        + f". {DISCLAIMER}"
    )
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:-//rehab//rehab {__version__}//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"NAME:{name}",
        f"X-WR-CALNAME:{name}",
        f"DESCRIPTION:{about}",
        f"X-WR-CALDESC:{about}",
        f"X-WR-TIMEZONE:{escape(scope.zone.key)}",
    ]
    lines += vtimezone(scope.zone, scope.first.year, scope.last.year)
    count = 0
    for index, item in enumerate(scope.enrollments):
        created = item.enrollment.created_at.astimezone(UTC)
        for series in enrollment_series(session, scope, index, times):
            uid = f"{item.id}-{created:%Y%m%dT%H%M%S}-{series.slot}-{series.days[0]:%Y%m%d}@rehab"
            lines += event_lines(
                series, uid=uid, zone=scope.zone, times=times, stamp=stamp, quiet=quiet
            )
            count += 1
    lines.append("END:VCALENDAR")
    return lines, count


def export(session: Session, scope: Scope, target: files.Target) -> dict[str, int]:
    lines, count = calendar_lines(session, scope)
    if count == 0:  # RFC 5545 wants at least one component; an empty calendar helps nobody
        raise UsageProblem(
            f"nothing is planned from {scope.first} to {scope.last}, so there is no calendar "
            "to write (allowed: a range with program days)"
        )
    with files.open_text(target, newline="") as handle:
        for line in lines:
            handle.write(fold(line))
    return {"events": count}
