"""`rehab export ics`: the calendar is parsed back with icalendar, its recurrences expanded
with dateutil (which icalendar depends on), and compared day by day with `plan_day`.

The built-in programs have timed slots only on daily exercises, and every-other-day and
three-a-week exercises only 'any time'. So both rhythms are checked twice: as the shipped
programs have them (all-day 'any time' events) and in variants that move them to a timed
slot, where the start time and the alarm matter.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
import pytest
import recurring_ical_events
import time_machine
from dateutil.rrule import rrulestr
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlmodel import Session

from rehab.core.catalog import load_catalog
from rehab.core.reminder_times import fire_instant
from rehab.core.schedule import DayPlan, end_of_program, plan_day
from rehab.core.template import Program, parse_program
from rehab.export import DISCLAIMER, ics
from rehab.paths import builtin_programs_dir
from rehab.store import journal
from rehab.store import settings as patient_settings
from rehab.store.db import open_engine
from rehab.store.models import PhaseChange
from tests.conftest import REPO, Rehab
from tests.export_history import build_history

LISBON = ZoneInfo("Europe/Lisbon")
NEW_YORK = ZoneInfo("America/New_York")
START = date(2026, 3, 2)  # a Monday; Lisbon's clocks go forward on 2026-03-29
TIMED = ("morning", "midday", "evening", "night")
SLOT_OF = {summary: slot for slot, summary in ics.SUMMARIES.items()}


# --- programs and patients -----------------------------------------------------------------


def builtin(program_id: str) -> Program:
    return load_catalog(builtin_programs_dir(), None).get(program_id)


def variant(program_id: str, slots: dict[str, list[str]], name: str | None = None) -> Program:
    """A built-in program with some exercises moved to other slots (and maybe renamed)."""
    data = builtin(program_id).model_dump(mode="json")
    for exercise in data["exercises"]:
        if exercise["id"] in slots:
            exercise["slots"] = slots[exercise["id"]]
    if name is not None:
        data["name"] = name
    return parse_program(data)


def moment(day: date, hour: int = 12, zone: ZoneInfo = LISBON) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=zone)


@dataclass(frozen=True)
class Enrolled:
    db: Path
    program: Program
    start: date
    zone: ZoneInfo
    times: dict[str, str]
    patient: str | None = None

    def plans(self) -> list[DayPlan]:
        """Every plan day from the start to the program's end, straight from plan_day."""
        engine = open_engine(f"sqlite:///{self.db}")
        try:
            with Session(engine) as session:
                patient = journal.find_patient(session, name=self.patient)
                row = journal.active_enrollment(session, patient=patient)
                assert row is not None
                side: Any = row.side
                pauses = journal.pauses_of(session, enrollment=row)
                changes = journal.progressions_of(session, enrollment=row)
        finally:
            engine.dispose()
        end = end_of_program(self.program, start=self.start, pauses=pauses)
        assert end is not None
        days = [self.start + timedelta(days=n) for n in range((end - self.start).days + 1)]
        return [
            plan_day(
                self.program,
                start=self.start,
                side=side,
                day=day,
                pauses=pauses,
                progressions=changes,
            )
            for day in days
        ]

    def planned(self) -> dict[str, list[date]]:
        """Per slot, the days that have a dose in it with an established dose that is not
        'as needed' (an unverified rhythm is a placeholder, not an appointment)."""
        result: dict[str, list[date]] = defaultdict(list)
        for plan in self.plans():
            for slot in {d.slot for d in plan.doses if not d.as_needed and not d.unverified}:
                result[slot].append(plan.day)
        return dict(result)


def enroll(
    db: Path,
    program: Program,
    *,
    start: date = START,
    zone: ZoneInfo = LISBON,
    times: dict[str, str] | None = None,
    pauses: tuple[tuple[date, date], ...] = (),
    changes: tuple[tuple[date, str], ...] = (),
) -> Enrolled:
    """A fresh patient on `program` (left leg), as `rehab start` does, with past pauses
    and accepted phase changes."""
    engine = open_engine(f"sqlite:///{db}")
    try:
        with Session(engine, expire_on_commit=False) as session, session.begin():
            patient = journal.find_patient(session, name=None)
            patient_settings.set_timezone(session, patient=patient, name=zone.key)
            if times:
                patient_settings.set_reminder_times(session, patient=patient, times=times)
            row = journal.start_program(
                session,
                patient=patient,
                program=program,
                side="left",
                start=start,
                now=moment(start, 7, zone),
            )
            for first, end in pauses:
                journal.pause_program(
                    session, patient=patient, reason="flu", now=moment(first, 7, zone)
                )
                journal.resume_program(session, patient=patient, now=moment(end, 7, zone))
            for effective, phase in changes:
                session.add(
                    PhaseChange(
                        enrollment_id=row.id or 0,
                        effective_date=effective,
                        to_phase=phase,
                        accepted_at=moment(effective - timedelta(days=1), 20, zone),
                    )
                )
            chosen = patient_settings.reminder_times(session, patient=patient)
    finally:
        engine.dispose()
    return Enrolled(db, program, start, zone, chosen)


def export_text(rehab: Rehab, today: date, *args: str, zone: ZoneInfo = LISBON) -> str:
    with time_machine.travel(moment(today, 12, zone), tick=False):
        result = rehab("export", "ics", "--out", "-", *args)
    assert result.code == 0, result.err
    return result.out


# --- reading the calendar back ---------------------------------------------------------------


def parse(text: str) -> icalendar.Calendar:
    return icalendar.Calendar.from_ical(text)


def events(calendar: icalendar.Calendar) -> list[icalendar.Event]:
    return list(calendar.walk("VEVENT"))


def _values(event: icalendar.Event, name: str) -> list[Any]:
    found = event.get(name)
    if found is None:
        return []
    lists = found if isinstance(found, list) else [found]
    return [item.dt for values in lists for item in values.dts]


def occurrences(event: icalendar.Event) -> list[Any]:
    """Every start of the event: DTSTART, RRULE (with UNTIL, never open-ended), RDATE,
    minus EXDATE."""
    start = event.decoded("DTSTART")
    produced: list[Any] = [start]
    if "RRULE" in event:
        rule = event["RRULE"]
        assert "UNTIL" in rule and "COUNT" not in rule
        text = rule.to_ical().decode()
        if isinstance(start, datetime):
            produced = list(rrulestr(text, dtstart=start))
        else:  # an all-day event
            produced = [d.date() for d in rrulestr(text, dtstart=datetime.combine(start, time()))]
    produced += _values(event, "RDATE")
    excluded = _values(event, "EXDATE")
    assert all(day in produced for day in excluded), "an EXDATE the rule never produces"
    return sorted(p for p in produced if p not in excluded)


def slot_of(event: icalendar.Event) -> str:
    return SLOT_OF[str(event["SUMMARY"])]


def by_slot(calendar: icalendar.Calendar) -> dict[str, list[Any]]:
    """Per slot, every occurrence of every event in it, in order (repeats kept)."""
    result: dict[str, list[Any]] = defaultdict(list)
    for event in events(calendar):
        result[slot_of(event)] += occurrences(event)
    return {slot: sorted(found) for slot, found in result.items()}


def day_of(value: Any, zone: ZoneInfo) -> date:
    return value.astimezone(zone).date() if isinstance(value, datetime) else value


def check_matches_plan(calendar: icalendar.Calendar, patient: Enrolled) -> None:
    planned = patient.planned()
    found = by_slot(calendar)
    assert set(found) == set(planned)
    for slot, days in planned.items():
        got = [day_of(v, patient.zone) for v in found[slot]]
        assert got == days, f"{slot}: the calendar's days differ from the plan's"
        for value in found[slot]:
            if slot == "any":
                assert type(value) is date
            else:
                local = value.astimezone(patient.zone)
                assert local.strftime("%H:%M") == first_valid(
                    local.date(), patient.times[slot], patient.zone
                ), (slot, value)
    paused = {p.day for p in patient.plans() if p.status == "paused"}
    end = max(p.day for p in patient.plans() if p.status == "active")
    every_day = {day_of(v, patient.zone) for values in found.values() for v in values}
    assert not every_day & paused
    assert max(every_day) <= end
    assert expanded_by_library(calendar, patient.zone) == {
        slot: [day_of(v, patient.zone) for v in values] for slot, values in found.items()
    }
    check_alarms(calendar, patient.zone, patient.times)


def first_valid(day: date, hhmm: str, zone: ZoneInfo) -> str:
    """The wall-clock time a reminder set for `hhmm` rings on `day`: itself, or, inside a
    spring-forward gap, the first minute after it (worked out here from zoneinfo alone)."""
    naive = datetime.combine(day, time.fromisoformat(hhmm))
    while naive.replace(tzinfo=zone).astimezone(UTC).astimezone(zone).replace(tzinfo=None) != naive:
        naive += timedelta(minutes=1)
    return naive.strftime("%H:%M")


def expanded_by_library(calendar: icalendar.Calendar, zone: ZoneInfo) -> dict[str, list[date]]:
    """The same occurrences, expanded by recurring-ical-events instead of dateutil."""
    result: dict[str, list[date]] = defaultdict(list)
    for event in recurring_ical_events.of(calendar).between(date(2000, 1, 1), date(2100, 1, 1)):
        result[slot_of(event)].append(day_of(event.decoded("DTSTART"), zone))
    return {slot: sorted(days) for slot, days in result.items()}


def alarm_times(event: icalendar.Event, zone: ZoneInfo) -> list[tuple[date, datetime, datetime]]:
    """(day, RFC 5545-exact instant, wall-clock reading) of the alarm of each occurrence.
    RFC-exact adds the trigger as exact time to the start (local midnight for an all-day
    event); the wall-clock reading adds it to the local clock, as ical.js does. A correct
    alarm gives the same instant both ways."""
    result = []
    for alarm in event.walk("VALARM"):
        trigger = alarm.decoded("TRIGGER")
        for start in occurrences(event):
            local = (
                datetime.combine(start, time(), tzinfo=zone)
                if type(start) is date
                else start.astimezone(zone)
            )
            if isinstance(trigger, datetime):
                assert len(occurrences(event)) == 1, "an absolute alarm on a repeating event"
                result.append((local.date(), trigger, trigger))
                continue
            exact = local.astimezone(UTC) + trigger
            wall = (local.replace(tzinfo=None) + trigger).replace(tzinfo=zone)
            result.append((local.date(), exact, wall))
    return result


def check_alarms(calendar: icalendar.Calendar, zone: ZoneInfo, times: dict[str, str]) -> None:
    """Every alarm rings at the app's wall-clock time (default quiet hours 22:00-07:00 hold
    an earlier morning to 07:00), whichever way a client reads it."""
    for event in events(calendar):
        slot = slot_of(event)
        hhmm = times["morning" if slot == "any" else slot]
        if hhmm >= "22:00" or hhmm < "07:00":
            continue  # quiet hours: checked on their own
        for day, exact, wall in alarm_times(event, zone):
            expected = first_valid(day, hhmm, zone)
            assert exact.astimezone(zone).strftime("%H:%M") == expected, (slot, day, exact)
            assert exact.astimezone(zone).date() == day
            assert wall.astimezone(UTC) == exact.astimezone(UTC), (slot, day)


# --- the plan, day by day ---------------------------------------------------------------------

PF_TIMED = {"high-load-heel-raise": ["evening"]}  # every other day, at a time
HSR_TIMED = {
    "seated-calf-raise": ["midday"],
    "leg-press-calf-raise": ["midday"],
    "standing-calf-raise": ["evening"],
}  # three a week, at a time
PAUSE_3 = ((date(2026, 3, 20), date(2026, 3, 23)),)  # three days: shifts the rhythms
PAUSE_2 = ((date(2026, 4, 7), date(2026, 4, 9)),)  # two days: every other day keeps its parity

CASES = {
    "daily-timed": (lambda: builtin("heel-pain-self-care"), (), ()),
    "every-other-day-any": (lambda: builtin("plantar-fasciitis"), PAUSE_3, ()),
    "every-other-day-timed": (lambda: variant("plantar-fasciitis", PF_TIMED), PAUSE_3, ()),
    "every-other-day-timed-even-pause": (
        lambda: variant("plantar-fasciitis", PF_TIMED),
        PAUSE_2,
        (),
    ),
    "three-a-week-any": (lambda: builtin("achilles-midportion-hsr"), PAUSE_3, ()),
    "three-a-week-timed": (lambda: variant("achilles-midportion-hsr", HSR_TIMED), PAUSE_3, ()),
    "three-a-week-timed-two-pauses": (
        lambda: variant("achilles-midportion-hsr", HSR_TIMED),
        (*PAUSE_3, *PAUSE_2),
        (),
    ),
    "phases-and-unverified": (
        lambda: builtin("achilles-midportion"),
        PAUSE_3,
        ((date(2026, 3, 12), "phase-2"), (date(2026, 4, 13), "phase-3")),
    ),
    "phase-change-timed": (
        lambda: builtin("retrocalcaneal-bursitis"),
        PAUSE_2,
        ((date(2026, 3, 16), "load"),),
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_each_slot_happens_on_exactly_the_planned_days(rehab: Rehab, case: str) -> None:
    make, pauses, changes = CASES[case]
    patient = enroll(rehab.db, make(), pauses=pauses, changes=changes)
    calendar = parse(export_text(rehab, date(2026, 4, 20)))
    check_matches_plan(calendar, patient)


def test_the_known_history_with_its_pause(tmp_path: Path) -> None:
    history = build_history(tmp_path / "history.db")
    rehab = Rehab(history.path)
    with time_machine.travel(moment(history.today), tick=False):
        result = rehab("--patient", history.patient, "export", "ics", "--out", "-")
    assert result.code == 0, result.err
    calendar = parse(result.out)
    days = {day_of(v, LISBON) for values in by_slot(calendar).values() for v in values}
    assert date(2026, 4, 20) in days and date(2026, 4, 23) in days
    assert not days & {date(2026, 4, 21), date(2026, 4, 22)}  # the pause
    engine = open_engine(history.url)
    try:
        with Session(engine) as session:
            patient = journal.find_patient(session, name=history.patient)
            row = journal.active_enrollment(session, patient=patient)
            assert row is not None
            program = journal.program_of(row)
            times = patient_settings.reminder_times(session, patient=patient)
    finally:
        engine.dispose()
    check_matches_plan(
        calendar, Enrolled(history.path, program, row.start_date, LISBON, times, history.patient)
    )


def test_a_rhythm_after_a_pause_is_a_new_event(rehab: Rehab) -> None:
    """Three paused days put every other day on the other parity: the old rule must end."""
    enroll(rehab.db, variant("plantar-fasciitis", PF_TIMED), pauses=PAUSE_3)
    evening = [e for e in events(parse(export_text(rehab, START))) if slot_of(e) == "evening"]
    rules = [str(e["RRULE"].to_ical().decode()) for e in evening if "RRULE" in e]
    assert any("INTERVAL=2" in rule for rule in rules)
    starts = sorted(e.decoded("DTSTART").date() for e in evening)
    assert any(d > PAUSE_3[0][1] for d in starts)  # something starts after the pause


def test_three_a_week_falls_on_the_program_weekdays(rehab: Rehab) -> None:
    enroll(rehab.db, variant("achilles-midportion-hsr", HSR_TIMED), start=date(2026, 3, 4))
    midday = [e for e in events(parse(export_text(rehab, START))) if slot_of(e) == "midday"]
    rules = {e["RRULE"].to_ical().decode() for e in midday if "RRULE" in e}
    # program days 0, 2 and 4 of each week from a Wednesday start: Wednesday, Friday, Sunday
    weekly = {r for r in rules if "FREQ=WEEKLY" in r}
    assert len(weekly) >= 3  # the by-week doses change in weeks 2, 4, 6 and 9
    assert all("BYDAY=WE,FR,SU" in r for r in weekly), rules
    # week 1 alone (3 × 15) is Wednesday, Friday, Sunday: every other day says the same
    assert rules - weekly <= {"FREQ=DAILY;UNTIL=20260308T130000Z;INTERVAL=2"}, rules


# --- time zones ----------------------------------------------------------------------------


def test_the_reminder_time_holds_across_the_spring_change_in_lisbon(rehab: Rehab) -> None:
    times = {"morning": "07:15", "midday": "12:40", "evening": "21:45", "night": "22:30"}
    patient = enroll(rehab.db, builtin("plantar-fasciitis"), times=times)
    text = export_text(rehab, START)
    assert "DTSTART;TZID=Europe/Lisbon:20260302T071500" in text
    found = by_slot(parse(text))
    for slot in ("morning", "midday", "evening"):
        before = [v for v in found[slot] if v.date() < date(2026, 3, 29)]
        after = [v for v in found[slot] if v.date() >= date(2026, 3, 29)]
        assert before and after
        assert {v.utcoffset() for v in before} == {timedelta(0)}
        assert {v.utcoffset() for v in after} == {timedelta(hours=1)}
        assert {v.astimezone(LISBON).strftime("%H:%M") for v in found[slot]} == {times[slot]}
        utc = {v.astimezone(UTC).strftime("%H:%M") for v in found[slot]}
        assert len(utc) == 2  # the same wall-clock time is two UTC times
    check_matches_plan(parse(text), patient)


@pytest.mark.parametrize("start", [date(2026, 3, 2), date(2026, 9, 14)])
def test_new_york_spring_and_autumn(rehab: Rehab, start: date) -> None:
    patient = enroll(rehab.db, variant("plantar-fasciitis", PF_TIMED), start=start, zone=NEW_YORK)
    text = export_text(rehab, start, zone=NEW_YORK)
    assert "TZID:America/New_York" in text
    assert f"DTSTART;TZID=America/New_York:{start:%Y%m%d}T080000" in text
    calendar = parse(text)
    check_matches_plan(calendar, patient)
    morning = by_slot(calendar)["morning"]
    assert {v.astimezone(NEW_YORK).strftime("%H:%M") for v in morning} == {"08:00"}
    assert {v.astimezone(UTC).strftime("%H:%M") for v in morning} == {"12:00", "13:00"}


@pytest.mark.parametrize("zone", [LISBON, NEW_YORK, ZoneInfo("Australia/Sydney")])
def test_the_vtimezone_agrees_with_zoneinfo(rehab: Rehab, zone: ZoneInfo) -> None:
    enroll(rehab.db, builtin("plantar-fasciitis"), start=date(2026, 12, 14), zone=zone)
    calendar = parse(export_text(rehab, date(2026, 12, 14), zone=zone))
    (component,) = calendar.walk("VTIMEZONE")
    assert str(component["TZID"]) == zone.key
    built = component.to_tz(lookup_tzid=False)  # from the components, not by its name
    instant = datetime(2026, 1, 1, 1, tzinfo=UTC)
    changes = []
    while instant < datetime(2028, 1, 1, tzinfo=UTC):
        assert instant.astimezone(built).utcoffset() == instant.astimezone(zone).utcoffset()
        later = instant + timedelta(hours=5)
        if later.astimezone(zone).utcoffset() != instant.astimezone(zone).utcoffset():
            changes.append(later)
        instant = later
    assert len(changes) == 4  # two a year, 2026 and 2027
    for change in changes:  # the exact second of each change, found from zoneinfo
        low, high = change - timedelta(hours=5), change
        while high - low > timedelta(seconds=1):
            middle = (low + (high - low) / 2).replace(microsecond=0)
            same = middle.astimezone(zone).utcoffset() == low.astimezone(zone).utcoffset()
            low, high = (middle, high) if same else (low, middle)
        for delta in (-7200, -3601, -1, 0, 1, 1800, 3600, 7200):
            near = high + timedelta(seconds=delta)
            if ambiguous(near.astimezone(zone)):
                continue  # dateutil's reader guesses in the repeated hour: checked below
            assert near.astimezone(built).utcoffset() == near.astimezone(zone).utcoffset()
        wall = high.astimezone(zone).replace(tzinfo=None) - timedelta(hours=3)
        for _ in range(6 * 60):  # every local minute that exists once: the same instant
            wall += timedelta(minutes=1)
            local = wall.replace(tzinfo=zone)
            if local.astimezone(UTC).astimezone(zone).replace(tzinfo=None) != wall:
                continue  # in the spring gap
            if not ambiguous(local):
                assert wall.replace(tzinfo=built).utcoffset() == local.utcoffset(), wall


def ambiguous(local: datetime) -> bool:
    return local.replace(fold=0).utcoffset() != local.replace(fold=1).utcoffset()


# --- DST days: what the app does ------------------------------------------------------------


def set_quiet(db: Path, text: str) -> None:
    engine = open_engine(f"sqlite:///{db}")
    try:
        with Session(engine) as session, session.begin():
            patient = journal.find_patient(session, name=None)
            patient_settings.set_quiet_hours(session, patient=patient, text=text)
    finally:
        engine.dispose()


def library_starts(calendar: icalendar.Calendar, slot: str) -> dict[date, datetime]:
    """Each occurrence of a slot as recurring-ical-events expands it: day → start."""
    found: dict[date, datetime] = {}
    for event in recurring_ical_events.of(calendar).between(date(2026, 1, 1), date(2028, 1, 1)):
        if slot_of(event) == slot:
            start = event.decoded("DTSTART")
            found[start.date()] = start
    return found


@pytest.mark.parametrize(
    ("zone", "hhmm", "day", "first_minute"),
    [
        (LISBON, "01:30", date(2026, 3, 29), time(2, 0)),  # 01:00 WET → 02:00 WEST
        (NEW_YORK, "02:30", date(2026, 3, 8), time(3, 0)),  # 02:00 EST → 03:00 EDT
    ],
)
def test_a_time_missing_on_the_spring_day_starts_and_rings_at_the_first_valid_minute(
    rehab: Rehab, zone: ZoneInfo, hhmm: str, day: date, first_minute: time
) -> None:
    patient = enroll(rehab.db, builtin("heel-pain-self-care"), zone=zone, times={"morning": hhmm})
    set_quiet(rehab.db, "00:00-00:00")  # no quiet hours: the time itself rings
    text = export_text(rehab, START, zone=zone)
    assert f"T{hhmm.replace(':', '')}00" in text
    assert f"{day:%Y%m%d}T{hhmm.replace(':', '')}00" not in text  # never a time that is not
    calendar = parse(text)
    check_matches_plan(calendar, patient)
    starts = library_starts(calendar, "morning")
    assert starts[day].astimezone(zone).time() == first_minute
    assert starts[day].astimezone(UTC) == fire_instant(day, time.fromisoformat(hhmm), zone)
    others = {d: s for d, s in starts.items() if d != day}
    assert len(others) > 20
    assert {s.astimezone(zone).strftime("%H:%M") for s in others.values()} == {hhmm}
    (own,) = [e for e in events(calendar) if occurrences(e) == [starts[day]]]
    (alarm,) = own.walk("VALARM")
    assert alarm.decoded("TRIGGER") == fire_instant(day, time.fromisoformat(hhmm), zone)
    assert alarm["TRIGGER"].params.get("VALUE") == "DATE-TIME"


@pytest.mark.parametrize(
    ("zone", "start", "change"),
    [
        (LISBON, date(2026, 3, 3), date(2026, 3, 29)),
        (LISBON, date(2026, 9, 15), date(2026, 10, 25)),
        (NEW_YORK, date(2026, 3, 2), date(2026, 3, 8)),
        (NEW_YORK, date(2026, 9, 14), date(2026, 11, 1)),
    ],
)
def test_the_all_day_alarm_keeps_its_wall_clock_time_on_a_dst_day(
    rehab: Rehab, zone: ZoneInfo, start: date, change: date
) -> None:
    """'Any time' doses only (Silbernagel's first weeks, daily): the all-day alarm rings at
    the morning time, 08:00, on the change day too, read exactly or by the clock. (With a
    morning event beside it, as in plantar fasciitis, the morning event's alarm rings at
    that minute instead: `test_one_alarm_a_minute_as_the_app_rings_once`.)"""
    start = change - timedelta(days=9)  # in phase 1, whose doses are established
    patient = enroll(rehab.db, builtin("achilles-midportion"), start=start, zone=zone)
    calendar = parse(export_text(rehab, start, zone=zone))
    check_matches_plan(calendar, patient)
    assert change in patient.planned()["any"]
    rings: dict[date, set[str]] = defaultdict(set)
    for event in events(calendar):
        if slot_of(event) == "any":
            for day, exact, wall in alarm_times(event, zone):
                rings[day] |= {
                    exact.astimezone(zone).strftime("%Y-%m-%d %H:%M"),
                    wall.astimezone(zone).strftime("%Y-%m-%d %H:%M"),
                }
    assert rings[change] == {f"{change} 08:00"}
    assert set(rings) == set(patient.planned()["any"])
    assert all(found == {f"{day} 08:00"} for day, found in rings.items())


@pytest.mark.parametrize(
    ("zone", "hhmm", "start", "change"),
    [
        (LISBON, "00:30", date(2026, 3, 16), date(2026, 3, 29)),  # 6 h 30 by the clock, 5 h 30
        (NEW_YORK, "01:30", date(2026, 10, 19), date(2026, 11, 1)),  # 01:30 twice that night
    ],
)
def test_a_held_alarm_across_the_nights_change_rings_when_the_quiet_hours_end(
    rehab: Rehab, zone: ZoneInfo, hhmm: str, start: date, change: date
) -> None:
    """Quiet hours 22:00-07:00 (the default) hold a night-time morning reminder to 07:00,
    which the app sends at 07:00 on the change day as on any other."""
    patient = enroll(
        rehab.db, builtin("heel-pain-self-care"), start=start, zone=zone, times={"morning": hhmm}
    )
    calendar = parse(export_text(rehab, start, zone=zone))
    check_matches_plan(calendar, patient)
    rings: dict[date, set[str]] = defaultdict(set)
    for event in events(calendar):
        for day, exact, wall in alarm_times(event, zone):
            rings[day] |= {
                exact.astimezone(zone).strftime("%Y-%m-%d %H:%M"),
                wall.astimezone(zone).strftime("%Y-%m-%d %H:%M"),
            }
    assert change in rings and len(rings) > 20
    assert all(found == {f"{day} 07:00"} for day, found in rings.items()), rings[change]


# --- what the events say ----------------------------------------------------------------------


def test_descriptions_give_the_doses_in_words(rehab: Rehab) -> None:
    patient = enroll(rehab.db, variant("plantar-fasciitis", PF_TIMED))
    calendar = parse(export_text(rehab, START))
    plan = next(p for p in patient.plans() if p.day == START)
    for event in events(calendar):
        if event.decoded("DTSTART") not in (START, datetime.combine(START, time(8), LISBON)):
            continue
        slot = slot_of(event)
        text = str(event["DESCRIPTION"])
        for dose in plan.doses:
            if dose.slot == slot and not dose.as_needed:
                assert dose.describe() in text or dose.describe(legs="each leg") in text
    whole = [str(e["DESCRIPTION"]) for e in events(calendar)]
    assert all(text.endswith(DISCLAIMER) for text in whole)
    assert any("10 s hold × 10, left leg" in text for text in whole)
    assert DISCLAIMER in str(calendar["DESCRIPTION"])
    assert "Not medical advice\\; follow your clinician." in str(calendar["X-WR-CALDESC"])
    assert "NAME" in calendar and "X-WR-CALNAME" in calendar
    assert not re.search(r"\d\s*mg\b", "\n".join(whole))


def test_as_needed_items_are_optional_and_make_no_event(rehab: Rehab) -> None:
    """heel-pain-self-care: the night splint is the only night item, and it is as needed."""
    enroll(rehab.db, builtin("heel-pain-self-care"))
    calendar = parse(export_text(rehab, START))
    slots = {slot_of(e) for e in events(calendar)}
    assert slots == {"morning"}  # ice (any time) and the splint (night) are as needed
    (morning,) = events(calendar)
    text = str(morning["DESCRIPTION"])
    optional = text.split("Optional, as needed:")[1]
    assert "Ice, 15–20 min, up to 3×/day, as needed" in optional
    assert "Night splint" in optional and "(at night)" in optional
    assert "Night splint" not in text.split("Optional, as needed:")[0]


def test_unverified_doses_ask_the_clinician_and_give_no_numbers(rehab: Rehab) -> None:
    enroll(rehab.db, builtin("achilles-midportion"), changes=((date(2026, 3, 9), "phase-3"),))
    calendar = parse(export_text(rehab, START))
    lines = [
        line
        for event in events(calendar)
        for line in str(event["DESCRIPTION"]).splitlines()
        if "ask your clinician" in line
    ]
    assert any("with added load: ask your clinician" in line for line in lines), lines
    for line in lines:
        assert line.endswith(": ask your clinician for the dose")
        assert not re.search(r"\d", line), line
    for event in events(calendar):
        text = str(event["DESCRIPTION"])
        if "ask your clinician" in text:  # listed apart, never as one of the day's doses
            planned, listed = text.split("When your clinician says so:")
            assert "ask your clinician" not in planned
            assert "ask your clinician" in listed


def test_every_event_has_an_alarm_at_its_start(rehab: Rehab) -> None:
    """Except the all-day event: its alarm would ring at the morning time, with the morning
    event's (every day of plantar fasciitis has one), so it gives way."""
    enroll(rehab.db, variant("plantar-fasciitis", PF_TIMED), times={"morning": "07:50"})
    calendar = parse(export_text(rehab, START))
    assert any(slot_of(e) == "any" for e in events(calendar))
    for event in events(calendar):
        if slot_of(event) == "any":
            assert event.walk("VALARM") == []
            continue
        (alarm,) = event.walk("VALARM")
        assert str(alarm["ACTION"]) == "DISPLAY" and str(alarm["DESCRIPTION"])
        trigger = alarm.decoded("TRIGGER")
        if isinstance(trigger, datetime):  # a day of its own: 2026-03-29, the spring change
            (day,) = occurrences(event)
            assert day == date(2026, 3, 29)
            assert trigger == datetime(2026, 3, 29, 6, 50, tzinfo=UTC)  # 07:50 WEST
        else:
            assert trigger == timedelta(0)


def test_alarms_follow_the_quiet_hours_like_the_reminder_service(rehab: Rehab) -> None:
    """Default quiet hours 22:00-07:00: a 06:50 morning rings at 07:00, as the app holds it;
    a 22:30 evening is not sent by the app that day, so its event has no alarm."""
    times = {"morning": "06:50", "evening": "22:30"}
    enroll(rehab.db, variant("plantar-fasciitis", PF_TIMED), times=times)
    calendar = parse(export_text(rehab, START))
    seen = set()
    for event in events(calendar):
        slot = slot_of(event)
        seen.add(slot)
        alarms = event.walk("VALARM")
        if slot in ("evening", "any"):  # not sent; rings with the morning (one ring a minute)
            assert alarms == []
            continue
        (alarm,) = alarms
        if slot == "midday":  # 13:00, as set
            assert alarm.decoded("TRIGGER") == timedelta(0)
            continue
        assert slot == "morning"
        assert alarm.decoded("TRIGGER") == timedelta(minutes=10)
        assert event.decoded("DTSTART").time() == time(6, 50)  # the event keeps its time
    assert {"morning", "evening", "any"} <= seen


def rings_by_minute(calendar: icalendar.Calendar, zone: ZoneInfo) -> dict[datetime, list[str]]:
    """Every alarm of every occurrence (expanded with dateutil), by the minute it rings, with
    the slots that ring then. Read exactly and by the clock alike (check_alarms)."""
    found: dict[datetime, list[str]] = defaultdict(list)
    for event in events(calendar):
        for _, exact, wall in alarm_times(event, zone):
            assert exact.astimezone(UTC) == wall.astimezone(UTC)
            found[exact.astimezone(UTC).replace(second=0, microsecond=0)].append(slot_of(event))
    return dict(found)


def sent_by_the_app(db: Path, moments: list[datetime]) -> list[tuple[datetime, str]]:
    """What the reminder service sends when it checks at each of `moments`."""
    from rehab.reminders.service import check_once

    engine = open_engine(f"sqlite:///{db}")
    sent: list[tuple[datetime, str]] = []
    try:
        for moment_ in moments:
            with time_machine.travel(moment_, tick=False):
                for item in check_once(
                    engine, patient_name=None, now=moment_, send=lambda title, body: "test"
                ):
                    sent.append((moment_, item.reminder.slot))
    finally:
        engine.dispose()
    return sent


@pytest.mark.parametrize(
    ("zone", "start"),
    [(LISBON, START), (NEW_YORK, date(2026, 10, 26))],  # across a spring and an autumn change
)
def test_one_alarm_a_minute_as_the_app_rings_once(
    rehab: Rehab, zone: ZoneInfo, start: date
) -> None:
    """Morning 06:45 and midday 06:50 are both held to 07:00 by the quiet hours (22:00-07:00),
    and the all-day event's alarm follows the morning time: the app sends one reminder at
    07:00 (midday's, the latest slot due), so the calendar rings once then, from the midday
    event, and never twice in a minute."""
    times = {"morning": "06:45", "midday": "06:50"}
    patient = enroll(rehab.db, builtin("plantar-fasciitis"), start=start, zone=zone, times=times)
    calendar = parse(export_text(rehab, start, zone=zone))
    check_matches_plan(calendar, patient)
    rings = rings_by_minute(calendar, zone)
    assert all(len(slots) == 1 for slots in rings.values()), {
        m: s for m, s in rings.items() if len(s) > 1
    }
    planned = patient.planned()
    assert {"morning", "midday", "any"} <= set(planned)
    at_seven = {m.astimezone(zone).date(): s for m, s in rings.items()}
    for day in planned["midday"]:
        held = fire_instant(day, time(7), zone).replace(second=0)
        assert rings[held] == ["midday"], day
    assert {m.astimezone(zone).strftime("%H:%M") for m in rings} <= {"07:00", "20:00"}
    assert len(at_seven) == len(set(planned["midday"]) | set(planned["evening"]))
    # the app, checking every minute from 06:40 to 07:05 on two plan days
    for day in planned["midday"][1:3]:
        minutes = [
            datetime.combine(day, time(6, 40), tzinfo=zone) + timedelta(minutes=n)
            for n in range(26)
        ]
        sent = sent_by_the_app(rehab.db, minutes)
        assert [(m.astimezone(zone).strftime("%H:%M"), s) for m, s in sent] == [("07:00", "midday")]


def test_sequence_grows_with_each_change_and_uids_stay(rehab: Rehab) -> None:
    """SEQUENCE lets a calendar that imports the file again update the events it has: the
    same data gives the same file; a pause, its end and new reminder times each give every
    event of the enrollment a higher SEQUENCE, and the events that stay keep their UIDs."""
    with time_machine.travel(moment(START, 7), tick=False):  # created on its first day
        patient = enroll(rehab.db, builtin("heel-pain-self-care"))
    first = export_text(rehab, START)
    assert export_text(rehab, START) == first  # the same data, the same bytes
    before = {str(e["UID"]): int(e["SEQUENCE"]) for e in events(parse(first))}
    assert set(before.values()) == {0}

    def edit(day: date, hour: int, change: Any) -> dict[str, int]:
        engine = open_engine(f"sqlite:///{rehab.db}")
        try:
            with (
                time_machine.travel(moment(day, hour), tick=False),
                Session(engine) as session,
                session.begin(),
            ):
                change(session, journal.find_patient(session, name=None))
        finally:
            engine.dispose()
        found = {str(e["UID"]): int(e["SEQUENCE"]) for e in events(parse(export_text(rehab, day)))}
        assert len(set(found.values())) == 1  # one enrollment: one version for all its events
        return found

    paused = edit(START + timedelta(days=5), 9, lambda s, p: journal.pause_program(
        s, patient=p, reason="flu", now=moment(START + timedelta(days=5), 9)))  # fmt: skip
    assert set(before) & set(paused)  # the event that began before the pause keeps its UID
    resumed = edit(START + timedelta(days=8), 9, lambda s, p: journal.resume_program(
        s, patient=p, now=moment(START + timedelta(days=8), 9)))  # fmt: skip
    moved = edit(START + timedelta(days=9), 10, lambda s, p: patient_settings.set_reminder_times(
        s, patient=p, times={"morning": "07:30"}))  # fmt: skip

    def tailored(s: Session, p: Any) -> None:
        from rehab.store.prescriptions import Request, prescribe

        request = Request(action="change", exercise_id="calf-stretch", values={"sets": 3},
                          by="A. Costa")  # fmt: skip
        prescribe(s, patient=p, request=request, now=moment(START + timedelta(days=10), 11))

    prescribed = edit(START + timedelta(days=10), 11, tailored)
    steps = [max(v.values()) for v in (before, paused, resumed, moved, prescribed)]
    assert steps == sorted(steps) and len(set(steps)) == 5, steps
    assert set(before) <= set(moved)  # the first event is still the same event
    assert patient.program.id == "heel-pain-self-care"


# --- the file -------------------------------------------------------------------------------


def test_rfc5545_lines_escaping_and_stable_uids(rehab: Rehab) -> None:
    name = "Heel, calf; back\\slash – an ünusual name that is long enough to need folding"
    enroll(rehab.db, variant("plantar-fasciitis", PF_TIMED, name=name))
    text = export_text(rehab, START)
    raw = text.encode("utf-8")
    assert raw.startswith(b"BEGIN:VCALENDAR\r\n") and raw.endswith(b"END:VCALENDAR\r\n")
    assert b"\n" not in raw.replace(b"\r\n", b"")
    for line in raw.split(b"\r\n"):
        assert len(line) <= 75
        line.decode("utf-8")  # never folded inside a character
    assert "Heel\\, calf\\; back\\\\slash" in text
    unfolded = text.replace("\r\n ", "")
    for required in ("VERSION:2.0", "PRODID:-//rehab//", "TZID:Europe/Lisbon"):
        assert required in unfolded
    calendar = parse(text)
    for event in events(calendar):
        assert str(event["DESCRIPTION"]).startswith(f"{name} — ")
        assert re.fullmatch(r"\d{8}T\d{6}Z", event["DTSTAMP"].to_ical().decode())
    uids = [str(e["UID"]) for e in events(calendar)]
    assert len(uids) == len(set(uids))
    again = [str(e["UID"]) for e in events(parse(export_text(rehab, START + timedelta(days=3))))]
    assert again == uids


def test_written_to_a_private_file(rehab: Rehab, tmp_path: Path) -> None:
    enroll(rehab.db, builtin("plantar-fasciitis"))
    out = tmp_path / "plan.ics"
    with time_machine.travel(moment(START), tick=False):
        result = rehab("export", "ics", "--out", str(out))
    assert result.code == 0, result.err
    assert "ics export, 2026-03-02 to 2026-05-24" in result.out and "events" in result.out
    assert os.stat(out).st_mode & 0o777 == 0o600
    assert parse(out.read_text(encoding="utf-8")).walk("VEVENT")
    with time_machine.travel(moment(START), tick=False):
        again = rehab("export", "ics", "--out", str(out))
    assert again.code == 2 and "--force" in again.err


def test_to_narrows_the_calendar(rehab: Rehab) -> None:
    enroll(rehab.db, builtin("plantar-fasciitis"))
    text = export_text(rehab, START, "--from", "2026-03-10", "--to", "2026-03-20")
    found = by_slot(parse(text))
    days = {day_of(v, LISBON) for values in found.values() for v in values}
    assert min(days) == date(2026, 3, 10) and max(days) == date(2026, 3, 20)


def test_a_replaced_program_ends_where_the_next_begins(rehab: Rehab) -> None:
    first = builtin("plantar-fasciitis")
    enroll(rehab.db, first)
    second = builtin("heel-pain-self-care")
    switch = date(2026, 3, 16)
    engine = open_engine(f"sqlite:///{rehab.db}")
    try:
        with Session(engine) as session, session.begin():
            patient = journal.find_patient(session, name=None)
            journal.start_program(
                session,
                patient=patient,
                program=second,
                side="left",
                start=switch,
                replace=True,
                now=moment(switch, 7),
            )
    finally:
        engine.dispose()
    text = export_text(rehab, switch, "--from", "2026-03-02", "--to", "2026-04-10")
    days: dict[str, set[date]] = defaultdict(set)
    for event in events(parse(text)):
        program = str(event["DESCRIPTION"]).split(" — ")[0]
        days[program] |= {day_of(v, LISBON) for v in occurrences(event)}
    assert max(days[first.name]) == switch - timedelta(days=1)
    assert min(days[second.name]) == switch
    assert max(days[second.name]) == date(2026, 4, 10)


def test_icalendar_is_imported_by_the_export_only() -> None:
    code = (
        "import sys, rehab.cli, rehab.export.ics, rehab.export.formats\n"
        "assert 'icalendar' not in sys.modules, 'icalendar at start-up'"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=REPO)


# --- the rules themselves ---------------------------------------------------------------------


def _expand_series(found: list[ics.Series]) -> Iterator[Any]:
    times = {"morning": "08:00", "midday": "13:00", "evening": "20:00", "night": "21:30"}
    calendar = icalendar.Calendar()
    calendar.add("version", "2.0")
    calendar.add("prodid", "-//test//EN")
    for n, series in enumerate(found):
        stamp = datetime(2026, 1, 1, tzinfo=UTC)
        calendar.add_component(
            ics.make_event(series, uid=f"{n}@test", zone=LISBON, times=times, stamp=stamp)
        )
    calendar.add_missing_timezones(first_date=date(2026, 1, 1), last_date=date(2028, 1, 1))
    for event in events(parse(calendar.to_ical().decode())):
        yield from occurrences(event)


@settings(max_examples=60, deadline=None)
@given(
    offsets=st.sets(st.integers(0, 60), min_size=1, max_size=40),
    paused=st.sets(st.integers(0, 60), max_size=15),
    slot=st.sampled_from(["morning", "any"]),
)
def test_any_set_of_days_comes_back_exactly(offsets: set[int], paused: set[int], slot: str) -> None:
    """Irregular days that no rule fits fall back to RDATEs; paused days to EXDATEs."""
    first = date(2026, 3, 1)
    days = sorted(first + timedelta(days=n) for n in offsets - paused)
    if not days:
        return
    off = {first + timedelta(days=n) for n in paused}
    found = ics.series_of(slot, {"text": days}, off)
    got = sorted(day_of(v, LISBON) for v in _expand_series(found))
    assert got == days


def test_a_range_with_nothing_planned_writes_no_calendar(rehab: Rehab, tmp_path: Path) -> None:
    enroll(rehab.db, builtin("plantar-fasciitis"))
    out = tmp_path / "empty.ics"
    args = ("--from", "2026-01-01", "--to", "2026-01-31", "--out", str(out))
    with time_machine.travel(moment(START, 12, LISBON), tick=False):
        result = rehab("export", "ics", *args)
    assert result.code == 2
    assert "nothing is planned" in result.err and result.err.count("\n") == 1
    assert not out.exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".empty.ics")]
