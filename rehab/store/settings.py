"""Per-patient settings: reminder times by slot, quiet hours and the time zone."""

from __future__ import annotations

import re
from datetime import datetime

from sqlmodel import Session, select

from rehab.core import clock
from rehab.core.reminder_times import QuietHours
from rehab.errors import FieldProblem, UsageProblem
from rehab.store.models import Patient, utcnow
from rehab.store.preferences import Setting

REMINDER_SLOTS = ("morning", "midday", "evening", "night")
DEFAULT_QUIET = "22:00-07:00"
DEFAULT_REMINDERS = {"morning": "08:00", "midday": "13:00", "evening": "20:00", "night": "21:30"}
_HHMM = re.compile(r"([01][0-9]|2[0-3]):([0-5][0-9])", re.ASCII)  # 0-9 only, not ３ or ٣


def check_time(slot: str, value: str) -> str:
    text = value.strip()
    if len(text) == 4 and text[1] == ":":
        text = "0" + text  # 8:00 → 08:00
    if not _HHMM.fullmatch(text):
        raise UsageProblem(
            f"{slot} reminder: {value!r} is not a time (allowed: HH:MM from 00:00 to 23:59)"
        )
    return text


def reminder_times(session: Session, *, patient: Patient) -> dict[str, str]:
    stored = {
        row.key.removeprefix("reminder."): row.value
        for row in session.exec(select(Setting).where(Setting.patient_id == patient.id)).all()
        if row.key.startswith("reminder.")
    }
    return {slot: stored.get(slot, DEFAULT_REMINDERS[slot]) for slot in REMINDER_SLOTS}


def set_reminder_times(session: Session, *, patient: Patient, times: dict[str, str]) -> None:
    checked = {}
    for slot, value in times.items():
        if slot not in REMINDER_SLOTS:
            raise UsageProblem(
                f"reminder slot {slot!r} is unknown (allowed: {', '.join(REMINDER_SLOTS)})"
            )
        checked[slot] = check_time(slot, value)
    existing = {
        row.key: row
        for row in session.exec(select(Setting).where(Setting.patient_id == patient.id)).all()
    }
    for slot, value in checked.items():
        key = f"reminder.{slot}"
        row = existing.get(key) or Setting(patient_id=patient.id or 0, key=key, value=value)
        row.value = value
        row.updated_at = utcnow()
        session.add(row)
    session.flush()


def _stored(session: Session, patient: Patient) -> dict[str, Setting]:
    rows = session.exec(select(Setting).where(Setting.patient_id == patient.id)).all()
    return {row.key: row for row in rows}


def _put(session: Session, patient: Patient, key: str, value: str) -> None:
    row = _stored(session, patient).get(key) or Setting(
        patient_id=patient.id or 0, key=key, value=value
    )
    row.value = value
    row.updated_at = utcnow()
    session.add(row)
    session.flush()


def reminders_revised_at(session: Session, *, patient: Patient) -> datetime | None:
    """When the reminder times or the quiet hours were last set (None: never, the defaults)."""
    rows = _stored(session, patient)
    moments = [row.updated_at for key, row in rows.items() if key.startswith("reminder.")]
    if "quiet" in rows:
        moments.append(rows["quiet"].updated_at)
    return max(moments, default=None)


def quiet_hours(session: Session, *, patient: Patient) -> QuietHours:
    row = _stored(session, patient).get("quiet")
    return QuietHours.parse(row.value if row else DEFAULT_QUIET)


def set_quiet_hours(session: Session, *, patient: Patient, text: str) -> QuietHours:
    try:
        parts = [check_time("quiet hours", p) for p in text.split("-")]
        if len(parts) != 2:
            raise ValueError
        quiet = QuietHours.parse("-".join(parts))
    except (ValueError, UsageProblem):
        raise FieldProblem(
            "quiet hours", f"{text!r} is not a range (allowed: HH:MM-HH:MM, e.g. 22:00-07:00)"
        ) from None
    _put(session, patient, "quiet", quiet.text())
    return quiet


def set_timezone(session: Session, *, patient: Patient, name: str) -> str:
    try:
        clock.zone(name)
    except ValueError as exc:
        raise FieldProblem("time zone", str(exc)) from None
    patient.timezone = name
    session.add(patient)
    session.flush()
    return name


def is_demo(session: Session, *, patient: Patient) -> bool:
    """Whether this patient is the one `rehab demo` made (its marker setting)."""
    from rehab.store.schema import DEMO_MARKER_KEY

    return DEMO_MARKER_KEY in _stored(session, patient)
