"""Stable identifiers for the entries of a `rehab-export` document (docs/export-json.md).

An entry's `uid` is derived from what can never change about it (which enrollment, which
plan day, dose, leg and set; when it was logged), never from a database id, and never from
what a correction changes (`voided_at`, a pause's end, a red flag's clearance). So the same
entry gets the same uid in every export, from the patient's database or from one that
imported it, and `rehab import` can tell an entry it already has from a new one without a
column of its own. Instants count to the second, as the export writes them.

Entries whose identity fields are all equal (two pain scores typed in the same second)
are told apart by their order: the second gets `#2` mixed in (`Uids`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any

# section -> the fields whose values make an entry's uid; "enrollment" is its enrollment's
# uid. A section added to the export adds its line here (and one in UNIQUE if its fields are
# a unique key of the table).
UID_FIELDS: dict[str, tuple[str, ...]] = {
    "enrollments": ("program_id", "side", "start_date", "created_at", "template_hash"),
    "doses": ("enrollment", "plan_date", "item_key", "side", "seq"),
    "pain": ("at", "logged_at", "context", "score"),
    "symptoms": ("check_date", "logged_at"),
    "assessments": ("instrument", "taken_on", "logged_at"),
    "phase_changes": ("enrollment", "effective_date", "decision", "accepted_at"),
    "pauses": ("enrollment", "start_date", "created_at"),
    "red_flags": ("flag", "raised_on", "raised_at", "source"),
    "prescriptions": ("enrollment", "effective_date", "action", "exercise_id", "created_at"),
}
# Sections whose uid fields are a unique key in the database: no order number needed.
UNIQUE = frozenset({"doses"})
# References between entries of one document, by the referenced entry's `id` there.
REFERENCES: dict[str, dict[str, str]] = {
    "red_flags": {"check_id": "symptoms", "pain_id": "pain", "pause_id": "pauses"},
}
LENGTH = 24  # hex digits: 96 bits


def instant_text(moment: datetime) -> str:
    """An instant as its uid counts it: UTC, to the second."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return instant_text(value)
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def uid(section: str, values: Mapping[str, Any], enrollment: str | None = None) -> str:
    """The uid of an entry of `section` from its field values (dates as dates, instants as
    aware datetimes) and its enrollment's uid."""
    parts = [section]
    for name in UID_FIELDS[section]:
        parts.append(enrollment or "" if name == "enrollment" else _text(values[name]))
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:LENGTH]


class Uids:
    """The uids of one section's entries in document order, with the order number mixed in
    for an entry whose identity fields repeat an earlier one's."""

    def __init__(self, section: str) -> None:
        self.section = section
        self.seen: dict[str, int] | None = None if section in UNIQUE else {}

    def __call__(self, values: Mapping[str, Any], enrollment: str | None = None) -> str:
        base = uid(self.section, values, enrollment)
        if self.seen is None:
            return base
        count = self.seen.get(base, 0) + 1
        self.seen[base] = count
        if count == 1:
            return base
        return hashlib.sha256(f"{base}#{count}".encode()).hexdigest()[:LENGTH]
