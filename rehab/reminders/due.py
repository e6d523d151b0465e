"""Which reminders are due, what they say, and who gets to send them.

Everything is read from the database when the check runs, so a reminder lists only what is
still open. A row in `reminderlog`, unique per patient, day and slot, is claimed before a
reminder goes out: when the TUI and `rehab remind` run together, the second claim fails and
that process stays quiet.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session

from rehab.core.checklist import DoseProgress, counted
from rehab.core.reminder_times import QuietHours, fire_instant, parse_hhmm
from rehab.core.vocabulary import SLOT_TITLES as _TITLES
from rehab.core.vocabulary import TIMED_SLOTS
from rehab.store import journal, reminder_log, settings
from rehab.store.models import Patient
from rehab.store.preferences import ReminderLog

# the slots that have a reminder, with their titles (core.vocabulary)
SLOT_TITLES: dict[str, str] = {slot: _TITLES[slot] for slot in TIMED_SLOTS}


@dataclass(frozen=True)
class Reminder:
    plan_date: date
    slot: str
    at: datetime  # the instant it was due
    lines: tuple[str, ...]
    catch_up: bool = False

    def text(self) -> str:
        title = SLOT_TITLES[self.slot]
        if self.catch_up:
            title += " (missed earlier)"
        return f"{title}: " + "; ".join(self.lines)


@dataclass(frozen=True)
class Plan:
    """A patient's reminder settings, resolved."""

    zone: ZoneInfo
    times: dict[str, str]
    quiet: QuietHours


def reminder_plan(session: Session, *, patient: Patient) -> Plan:
    times = settings.reminder_times(session, patient=patient)
    quiet = settings.quiet_hours(session, patient=patient)
    return Plan(journal.patient_zone(patient), times, quiet)


def _short(item: DoseProgress) -> str:
    dose = item.dose
    text = dose.describe(legs="each leg" if dose.side else None)
    return text[0].lower() + text[1:]


def open_lines(items: list[DoseProgress], slot: str) -> tuple[str, ...]:
    """Open doses of `slot`, plus open 'any time' doses; legs share a line. Optional doses
    (as needed, or unverified) are never nagged about."""
    lines: list[str] = []
    seen: set[str] = set()
    for item in items:
        dose = item.dose
        if item.status not in ("open", "partial") or not counted(dose):
            continue  # done, or optional (as needed, or dosed by the clinician)
        if dose.slot not in (slot, "any"):
            continue
        if dose.key in seen:
            continue
        seen.add(dose.key)
        legs = [i for i in items if i.dose.key == dose.key and i.dose.side]
        if legs and all(i.status in ("open", "partial") for i in legs) and len(legs) == 2:
            lines.append(_short(item))
        elif dose.side:
            lines.append(_short(item).replace("each leg", f"{dose.side} leg"))
        else:
            lines.append(_short(item))
    return tuple(lines)


ANY_TIME_SLOTS = ("morning", "evening")


def _reminds_in(items: list[DoseProgress], slot: str) -> bool:
    """A slot reminds when it has doses of its own. 'Any time' doses ride along with those;
    on a day that has only 'any time' doses (the Silbernagel and heavy slow resistance
    programs), they get a morning and an evening reminder instead of none."""
    required = [i.dose for i in items if counted(i.dose)]
    if any(dose.slot == slot for dose in required):
        return True
    timed = any(dose.slot != "any" for dose in required)
    return not timed and slot in ANY_TIME_SLOTS


def due(
    session: Session, *, patient: Patient, now: datetime, catch_up: bool = False
) -> list[Reminder]:
    """Reminders due at `now` that nobody has sent yet (nothing is claimed here).

    Normal checks send a slot from its time until the next slot's time; `catch_up` (at
    start-up) also sends earlier slots of today that are still open, marked as missed. A
    slot whose time came before the program was started is not due at all: a patient who
    starts at 17:30 missed no 08:00 reminder.
    """
    plan = reminder_plan(session, patient=patient)
    local_now = now.astimezone(plan.zone)
    if plan.quiet.covers(local_now.time().replace(second=0, microsecond=0)):
        return []
    enrollment = journal.active_enrollment(session, patient=patient)
    if enrollment is None:
        return []
    day = local_now.date()
    view = journal.load_day(session, patient=patient, day=day)
    if view.plan.status != "active":
        return []
    sent = reminder_log.slots_sent(session, patient=patient, day=day)
    instants = {
        slot: fire_instant(day, parse_hhmm(plan.times[slot]), plan.zone) for slot in SLOT_TITLES
    }
    latest_passed = max(
        (slot for slot, at in instants.items() if at <= now),
        key=lambda s: instants[s],
        default=None,
    )
    result = []
    for slot, at in sorted(instants.items(), key=lambda pair: pair[1]):
        if at > now or slot in sent or at < enrollment.created_at:
            continue
        missed = slot != latest_passed
        if missed and not catch_up:
            continue
        lines = open_lines(view.items, slot)
        if not lines or not _reminds_in(view.items, slot):
            continue  # nothing planned in that slot today, or all of it done
        result.append(Reminder(day, slot, at, lines, catch_up=missed))
    return result


def claim(session: Session, *, patient: Patient, reminder: Reminder, now: datetime) -> bool:
    """Record the reminder as sent; False if another process already did (nothing written)."""
    return reminder_log.claim_slot(
        session,
        patient=patient,
        day=reminder.plan_date,
        slot=reminder.slot,
        now=now,
        text=reminder.text(),
    )


def record_channel(session: Session, *, patient: Patient, reminder: Reminder, channel: str) -> None:
    reminder_log.set_channel(
        session, patient=patient, day=reminder.plan_date, slot=reminder.slot, channel=channel
    )


def next_check(session: Session, *, patient: Patient, now: datetime) -> datetime:
    """The next instant anything could become due: a slot time or the end of quiet hours."""
    plan = reminder_plan(session, patient=patient)
    local = now.astimezone(plan.zone)
    candidates = []
    for offset in (0, 1, 2):
        day = local.date() + timedelta(days=offset)
        for slot in SLOT_TITLES:
            at = fire_instant(day, parse_hhmm(plan.times[slot]), plan.zone)
            if at > now:
                candidates.append(at)
    candidates.append(plan.quiet.end_after(now, plan.zone))
    return min(candidates)


def sent_today(session: Session, *, patient: Patient, day: date) -> list[ReminderLog]:
    return reminder_log.sent_on(session, patient=patient, day=day)
