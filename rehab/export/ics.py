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
    last start in UTC, as RFC 5545 requires with a TZID. The VTIMEZONE comes from icalendar
    (`Calendar.add_missing_timezones`, over the covered years), with one correction: its
    spring-forward onsets are written in the offset they change from, as RFC 5545 wants
    (`_onsets_before_the_gap`).

Alarms
    Each event's alarm rings when the reminder service would (`rings`): `fire_instant`,
    the scheduler's own function, puts a time inside a spring-forward gap at the first valid
    minute after it, and a time inside the quiet hours is held to their end
    (`QuietHours.held`); a time the service would not send that day (quiet hours running on
    past midnight) gets no alarm. On ordinary days the alarm is a trigger after the start
    (the all-day event's is the morning time after midnight, `PT8H`).

Days of their own
    A relative trigger is exact time (RFC 5545), so on a day with a clock change between the
    start and the alarm, `PT8H` after midnight is 07:00 or 09:00 to an exact client and 08:00
    to one that counts clock time (ical.js); a held 00:30 → 07:00 alarm moves the same way;
    and a start time that does not exist that day (01:30 when Lisbon jumps from 01:00 to
    02:00) is placed differently by each client. Such days (`exact_day`) are left out of the
    rules (an EXDATE where the rule's time exists that day, else the rule stops there) and
    each becomes an event of its own: its start is the first valid minute, and its alarm an
    absolute UTC time (`TRIGGER;VALUE=DATE-TIME`), which every client reads alike. That is
    one or two more events a year, rather than per-day alarms on every day or an all-day
    event turned into a timed one.

One ring
    The reminder service sends one reminder in a minute: when two slots ring together
    (morning 06:45 and another early slot both held to the end of the quiet hours, or the
    all-day event's alarm at the morning time beside the morning event's), it sends the
    timed slot whose own time is the latest, and a timed slot's reminder lists the 'any
    time' doses too. So on such a day only that event has an alarm; the others give way
    (`silent_slots`), in events of their own days where they differ from the rest.

Updates
    UIDs are stable: the enrollment, its creation, the slot and the first day. SEQUENCE
    says which version of an event is newer, so that a calendar re-imported after the plan
    changed updates the events it already has: it is the whole minutes from the
    enrollment's creation to the latest edit of what the events say (a phase change
    accepted or withdrawn, a pause begun or ended, the reminder times or quiet hours set;
    `revision`). It only grows, and the same data gives the same file.

The file is written with icalendar (Calendar, Event, Alarm, vRecur): escaping, folding at 75
octets and CRLF line ends are the library's. It is imported inside the writer only, so start-up
and the other exports do not pay for it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from sqlmodel import Session

from rehab import __version__
from rehab.core.checklist import counted
from rehab.core.reminder_times import QuietHours, fire_instant, parse_hhmm
from rehab.core.schedule import DayPlan, Dose
from rehab.core.template import SLOTS
from rehab.errors import UsageProblem
from rehab.export import DISCLAIMER, files
from rehab.export.scope import Enrolled, Scope
from rehab.store import journal, settings

if TYPE_CHECKING:  # icalendar itself is imported by the writer only (about 0.3 s)
    from icalendar import Calendar, Component, Event, vRecur

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
EVENT_LENGTH = timedelta(minutes=30)


@dataclass(frozen=True)
class Series:
    """One VEVENT: the days it happens on (all of them) and how it says so."""

    slot: str
    text: str
    days: tuple[date, ...]
    rule: str | None  # an RRULE without UNTIL; None: DTSTART and RDATEs
    exdates: tuple[date, ...] = ()
    exact: bool = False  # one day written as the app rings it (see "Days of their own")
    silent: bool = False  # no alarm: another slot's alarm rings that minute ("One ring")


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
    session: Session,
    scope: Scope,
    index: int,
    times: dict[str, str],
    quiet: QuietHours | None = None,
) -> list[Series]:
    window = _window(scope, index)
    if window is None:
        return []
    item: Enrolled = scope.enrollments[index]
    plans = journal.plans_between(
        session, enrollment=item.enrollment, first=window[0], last=window[1]
    )
    paused = {p.day for p in plans if p.status == "paused"}
    # per slot: (description, whether its alarm gives way to another's) -> days
    by_slot: dict[str, dict[tuple[str, bool], list[date]]] = {slot: {} for slot in SLOTS}
    for plan in plans:
        if plan.status != "active":
            continue
        texts = day_texts(plan, program=item.program.name, times=times)
        quiet_slots = silent_slots(plan.day, list(texts), zone=scope.zone, times=times, quiet=quiet)
        for slot, text in texts.items():
            by_slot[slot].setdefault((text, slot in quiet_slots), []).append(plan.day)
    found: list[Series] = []
    for slot in SLOTS:
        steppable = set(paused)
        ordinary: dict[bool, dict[str, list[date]]] = {False: {}, True: {}}
        for (text, silent), days in by_slot[slot].items():
            for day in days:
                if exact_day(slot, day, zone=scope.zone, times=times, quiet=quiet):
                    found.append(Series(slot, text, (day,), None, exact=True, silent=silent))
                    if slot == "any" or _exists(day, _start_at(slot, times), scope.zone):
                        steppable.add(day)  # an EXDATE of a time that exists is unambiguous
                else:
                    ordinary[silent].setdefault(text, []).append(day)
        for silent, days_by_text in ordinary.items():
            # the days the other group has are covered by its events: a rule may step them
            other = {d for days in ordinary[not silent].values() for d in days}
            made = series_of(slot, days_by_text, steppable | other)
            found += [replace(s, silent=silent) for s in made]
    return sorted(found, key=lambda s: (s.days[0], SLOTS.index(s.slot)))


def silent_slots(
    day: date,
    slots: Sequence[str],
    *,
    zone: ZoneInfo,
    times: dict[str, str],
    quiet: QuietHours | None,
) -> set[str]:
    """The slots among `slots` (those with an event on `day`) whose alarm would ring in the
    same minute as another's, and so give way (see "One ring"): the reminder service sends
    one reminder then, for the timed slot whose own time is the latest (the first of equal
    ones), and a timed slot's reminder already lists the 'any time' doses."""
    by_minute: dict[datetime, list[str]] = {}
    for slot in slots:
        ring = rings(day, parse_hhmm(times["morning" if slot == "any" else slot]), zone, quiet)
        if ring is not None:
            by_minute.setdefault(ring.replace(second=0, microsecond=0), []).append(slot)
    silent: set[str] = set()
    for together in by_minute.values():
        if len(together) < 2:
            continue
        timed = [s for s in TIMED if s in together]
        if timed:
            own = {s: fire_instant(day, parse_hhmm(times[s]), zone) for s in timed}
            keep = max(timed, key=lambda s: own[s])  # max keeps the first of equal ones
        else:
            keep = together[0]
        silent.update(s for s in together if s != keep)
    return silent


# --- when the app rings -------------------------------------------------------------------


def _exists(day: date, at: time, zone: ZoneInfo) -> bool:
    """Whether `at` happens on `day` in `zone` (not inside a spring-forward gap)."""
    local = datetime.combine(day, at, tzinfo=zone)
    return local.astimezone(UTC).astimezone(zone).replace(tzinfo=None) == local.replace(tzinfo=None)


def rings(day: date, at: time, zone: ZoneInfo, quiet: QuietHours | None) -> datetime | None:
    """The instant the reminder service sends a slot set for `at` on `day`, or None when it
    does not send it that day: `fire_instant` (a time in a spring-forward gap rings at the
    first valid minute after it), then held to the end of the quiet hours if they cover
    that local time (`QuietHours.held`)."""
    instant = fire_instant(day, at, zone)
    if quiet is None:
        return instant
    local = instant.astimezone(zone).time()
    held = quiet.held(local)
    if held is None:
        return None
    return instant if held == local else fire_instant(day, held, zone)


def _wall(at: time) -> timedelta:
    return timedelta(hours=at.hour, minutes=at.minute)


def _start_at(slot: str, times: dict[str, str]) -> time:
    return time(0) if slot == "any" else parse_hhmm(times[slot])


def _trigger(slot: str, times: dict[str, str], quiet: QuietHours | None) -> timedelta | None:
    """The alarm of an ordinary day, after the event's start (None: no alarm)."""
    at = parse_hhmm(times["morning" if slot == "any" else slot])
    held = quiet.held(at) if quiet else at
    if held is None:
        return None
    return _wall(held) - _wall(_start_at(slot, times))


def exact_day(
    slot: str, day: date, *, zone: ZoneInfo, times: dict[str, str], quiet: QuietHours | None
) -> bool:
    """Whether `day` needs an event of its own (see the module docstring): its local start
    time does not exist, or the ordinary relative alarm would not ring when the app does, or
    a time-zone change falls between the start and the alarm (clients then disagree)."""
    at = _start_at(slot, times)
    if not _exists(day, at, zone):
        return True
    start = datetime.combine(day, at, tzinfo=zone)
    ring = rings(day, parse_hhmm(times["morning" if slot == "any" else slot]), zone, quiet)
    after = _trigger(slot, times, quiet)
    if ring is None or after is None:
        return (ring is None) != (after is None)
    exact = start.astimezone(UTC) + after  # RFC 5545: a duration in hours is exact time
    return ring != exact or ring.astimezone(zone).utcoffset() != start.utcoffset()


# --- the file, with icalendar ----------------------------------------------------------------


def _rule(series: Series, until: date | datetime) -> vRecur:
    from icalendar import vRecur

    assert series.rule is not None
    recur: vRecur = vRecur.from_ical(series.rule)
    recur["UNTIL"] = until
    return recur


def make_event(
    series: Series,
    *,
    uid: str,
    zone: ZoneInfo,
    times: dict[str, str],
    stamp: datetime,
    quiet: QuietHours | None = None,
    sequence: int = 0,
) -> Event:
    """One VEVENT. Its alarm rings when the reminder service would (`rings`)."""
    from icalendar import Alarm, Event

    trigger: timedelta | datetime | None
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", stamp.astimezone(UTC))
    event.add("sequence", sequence)
    first = series.days[0]
    value: Callable[[date], date | datetime]
    if series.slot == "any":

        def value(day: date) -> date | datetime:
            return day

        event.add("dtstart", first)
        event.add("duration", timedelta(days=1))
        until: date | datetime = series.days[-1]
    else:
        at = parse_hhmm(times[series.slot])

        def value(day: date) -> date | datetime:
            return datetime.combine(day, at, tzinfo=zone)

        start = value(first)
        if series.exact:  # the first valid minute, as the app rings on a gap day
            start = fire_instant(first, at, zone).astimezone(zone)
        event.add("dtstart", start)
        event.add("duration", EVENT_LENGTH)
        until = datetime.combine(series.days[-1], at, tzinfo=zone).astimezone(UTC)
    if series.rule is not None:
        event.add("rrule", _rule(series, until))
        if series.exdates:
            event.add("exdate", [value(d) for d in series.exdates])
    elif len(series.days) > 1:
        event.add("rdate", [value(d) for d in series.days[1:]])
    summary = SUMMARIES[series.slot]
    event.add("summary", summary)
    event.add("description", series.text)
    event.add("categories", ["Rehab"])
    event.add("transp", "TRANSPARENT")
    morning = parse_hhmm(times["morning" if series.slot == "any" else series.slot])
    if series.silent:
        trigger = None
    elif series.exact:
        ring = rings(first, morning, zone, quiet)
        trigger = None if ring is None else ring.astimezone(UTC)
    else:
        trigger = _trigger(series.slot, times, quiet)
    if trigger is not None:
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", summary)
        if isinstance(trigger, datetime):
            alarm.add("trigger", trigger, parameters={"VALUE": "DATE-TIME"})
        else:
            alarm.add("trigger", trigger, parameters={"RELATED": "START"})
        event.add_component(alarm)
    return event


def make_calendar(session: Session, scope: Scope) -> tuple[Calendar, int]:
    """The whole calendar, and the number of events in it."""
    from icalendar import Calendar, vText

    times = settings.reminder_times(session, patient=scope.patient)
    quiet = settings.quiet_hours(session, patient=scope.patient)
    programs = ", ".join(dict.fromkeys(item.program.name for item in scope.enrollments))
    name = f"Rehab: {scope.patient.name}"
    about = (
        f"Home rehab schedule for {scope.patient.name}, {scope.first} to {scope.last}"
        + (f" ({programs})" if programs else "")
        + f". {DISCLAIMER}"
    )
    calendar = Calendar()
    calendar.add("version", "2.0")
    calendar.add("prodid", f"-//rehab//rehab {__version__}//EN")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("name", name)
    calendar.add("x-wr-calname", vText(name))  # TEXT, escaped
    calendar.add("description", about)
    calendar.add("x-wr-caldesc", vText(about))  # TEXT, escaped
    calendar.add("x-wr-timezone", vText(scope.zone.key))  # TEXT, escaped
    count = 0
    reminders_set = settings.reminders_revised_at(session, patient=scope.patient)
    for index, item in enumerate(scope.enrollments):
        created = item.enrollment.created_at.astimezone(UTC)
        sequence = revision(
            created, journal.plan_revised_at(session, enrollment=item.enrollment), reminders_set
        )
        for series in enrollment_series(session, scope, index, times, quiet):
            uid = f"{item.id}-{created:%Y%m%dT%H%M%S}-{series.slot}-{series.days[0]:%Y%m%d}@rehab"
            calendar.add_component(
                make_event(
                    series,
                    uid=uid,
                    zone=scope.zone,
                    times=times,
                    stamp=scope.generated_at,
                    quiet=quiet,
                    sequence=sequence,
                )
            )
            count += 1
    calendar.add_missing_timezones(
        first_date=date(scope.first.year, 1, 1), last_date=date(scope.last.year + 1, 1, 1)
    )
    for component in calendar.walk("VTIMEZONE"):
        _onsets_before_the_gap(component, scope.zone)
    return calendar, count


def revision(created: datetime, *edits: datetime | None) -> int:
    """SEQUENCE (see "Updates"): whole minutes from the enrollment's creation to the latest
    edit of what its events say (the plan, the reminder times, the quiet hours); 0 if none
    came after it."""
    latest = max((e for e in edits if e is not None), default=None)
    if latest is None:
        return 0
    return max(0, int((latest.astimezone(UTC) - created.astimezone(UTC)).total_seconds() // 60))


def _onsets_before_the_gap(component: Component, zone: ZoneInfo) -> None:
    """RFC 5545 gives an observance's onset (DTSTART, RDATE) as local time in the offset it
    changes from: 02:00 for New York's spring change, as in the RFC's own examples.
    icalendar 7.3's `Timezone.from_tzinfo` writes the first wall-clock time after the gap
    (03:00), which a reader of the VTIMEZONE takes as one hour late: such an onset (one whose
    hour before lies in the gap) is moved back; a right one is left alone."""

    def late(onset: datetime, gap: timedelta) -> bool:
        return not _exists(onset.date(), (onset - gap).time(), zone) and (
            (onset - gap).date() == onset.date()
        )

    for observance in component.subcomponents:
        gap = observance.decoded("TZOFFSETTO") - observance.decoded("TZOFFSETFROM")
        if gap <= timedelta(0):
            continue
        start = observance.decoded("DTSTART")
        if late(start, gap):
            observance.DTSTART = start - gap  # type: ignore[attr-defined]
        if "RDATE" in observance:
            found = observance.pop("RDATE")
            onsets = [d.dt for v in (found if isinstance(found, list) else [found]) for d in v.dts]
            observance.add("RDATE", [o - gap if late(o, gap) else o for o in onsets])


def export(session: Session, scope: Scope, target: files.Target) -> dict[str, int]:
    calendar, count = make_calendar(session, scope)
    if count == 0:  # RFC 5545 wants at least one component; an empty calendar helps nobody
        raise UsageProblem(
            f"nothing is planned from {scope.first} to {scope.last}, so there is no calendar "
            "to write (allowed: a range with program days)"
        )
    with files.open_text(target, newline="") as handle:
        handle.write(calendar.to_ical().decode("utf-8"))
    return {"events": count}
