"""Per-patient settings: reminder times by slot (issue: editable at first run and later)."""

from __future__ import annotations

import re

from sqlmodel import Session, select

from rehab.errors import UsageProblem
from rehab.store.models import Patient, utcnow
from rehab.store.preferences import Setting

REMINDER_SLOTS = ("morning", "midday", "evening", "night")
DEFAULT_REMINDERS = {"morning": "08:00", "midday": "13:00", "evening": "20:00", "night": "21:30"}
_HHMM = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")


def check_time(slot: str, value: str) -> str:
    text = value.strip()
    if len(text) == 4 and text[1] == ":":
        text = "0" + text  # 8:00 → 08:00
    if not _HHMM.match(text):
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
