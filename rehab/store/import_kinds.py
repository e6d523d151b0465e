"""The entry kinds `rehab import` reads, one table row each: the export section, the table,
the rules of each field (the same bounds and words the journal's actions hold to, the
lengths of the table's columns), and what a later export may correct. A new section of
the export is one more `Kind` here (its uid fields are in `rehab.core.uids`).

A field rule turns the file's value into the column's, or raises ValueError with what is
wrong and what is allowed.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from pydantic import ValidationError
from sqlalchemy import Table

from rehab.core.prescription import ACTIONS, exercise_json, prescribed_problem
from rehab.core.prescription import FIELDS as PRESCRIPTION_FIELDS
from rehab.core.template import Exercise
from rehab.core.typed import CALENDAR_TEXT, in_calendar, unstorable
from rehab.core.vocabulary import PAIN_CONTEXTS
from rehab.errors import FieldProblem
from rehab.store import rows
from rehab.store.inputs import REASON_MAX, one_line_reason
from rehab.store.models import DoseLog, Enrollment, Pause, PhaseChange, PrescriptionRow
from rehab.store.observations import Assessment, PainEntry, RedFlagEntry, SymptomCheck

Rule = Callable[[Any], Any]


def text(limit: int, *, null: bool = True) -> Rule:
    def read(value: Any) -> str | None:
        if value is None and null:
            return None
        if not isinstance(value, str):
            raise ValueError(f"{_shown(value)} is not text (allowed: a string{_or_null(null)})")
        if len(value) > limit:
            raise ValueError(f"{len(value)} characters is too long (allowed: up to {limit})")
        if unstorable(value):
            raise ValueError("is not valid Unicode text (a lone surrogate escape)")
        return value

    return read


def reason(limit: int, *, null: bool = True) -> Rule:
    """A reason as the journal takes one (`one_line_reason`): one line, not empty."""
    as_text = text(limit, null=null)

    def read(value: Any) -> str | None:
        found: str | None = as_text(value)
        if found is None:
            return None
        try:
            folded = one_line_reason(found, examples="no time, travel")
        except FieldProblem as exc:
            raise ValueError(exc.detail) from None
        if folded != found:
            raise ValueError(f"{_shown(found)} is not one line (allowed: one line of text)")
        return found

    return read


def one_of(*allowed: str) -> Rule:
    def read(value: Any) -> str:
        if value not in allowed:
            raise ValueError(f"{_shown(value)} (allowed: {', '.join(map(repr, allowed))})")
        return str(value)

    return read


def integer(low: int, high: int, *, null: bool = True) -> Rule:
    def read(value: Any) -> int | None:
        if value is None and null:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError(f"{_shown(value)} is not a whole number{_range(low, high, null)}")
        if not low <= value <= high:
            raise ValueError(f"{value} is out of range{_range(low, high, null)}")
        return value

    return read


def number(low: float, high: float, *, null: bool = True) -> Rule:
    def read(value: Any) -> float | None:
        if value is None and null:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueError(f"{_shown(value)} is not a number{_range(low, high, null)}")
        if not math.isfinite(value) or not low <= value <= high:
            raise ValueError(f"{value} is out of range{_range(low, high, null)}")
        return float(value)

    return read


def boolean(value: Any) -> bool | None:
    if value is None or isinstance(value, bool):
        return value
    raise ValueError(f"{_shown(value)} (allowed: true, false or null)")


def day(*, null: bool = False) -> Rule:
    def read(value: Any) -> date | None:
        if value is None and null:
            return None
        try:
            if not isinstance(value, str) or len(value) != 10:
                raise ValueError
            found = date.fromisoformat(value)
        except ValueError:
            raise ValueError(f"{_shown(value)} is not a date (allowed: YYYY-MM-DD)") from None
        if not in_calendar(found):
            raise ValueError(f"{value} is outside the dates rehab handles ({CALENDAR_TEXT})")
        return found

    return read


def instant(*, null: bool = False) -> Rule:
    def read(value: Any) -> datetime | None:
        if value is None and null:
            return None
        allowed = "allowed: ISO 8601 with its offset, e.g. 2026-04-20T19:00:00+01:00"
        try:
            if not isinstance(value, str) or not value.isascii():
                raise ValueError
            found = datetime.fromisoformat(value)
        except ValueError:
            raise ValueError(f"{_shown(value)} is not an instant ({allowed})") from None
        if found.tzinfo is None:
            raise ValueError(f"{value} has no offset ({allowed})")
        if not in_calendar(found.date()):
            raise ValueError(f"{value} is outside the dates rehab handles ({CALENDAR_TEXT})")
        return found.astimezone(UTC)

    return read


def answers(value: Any) -> str:
    if not isinstance(value, dict):
        raise ValueError(f"{_shown(value)} is not the questionnaire's answers (an object)")
    return json.dumps(value)


def prescribed_values(value: Any) -> str:
    """A prescription's fields: an object of the fields a therapist may set, each a dose the
    template validator takes (checked again with the program when imported)."""
    if not isinstance(value, dict):
        raise ValueError(f"{_shown(value)} is not the prescription's values (an object)")
    unknown = sorted(set(value) - set(PRESCRIPTION_FIELDS))
    if unknown:
        raise ValueError(
            f"{_shown(unknown[0])} is not a field a prescription sets "
            f"(allowed: {', '.join(PRESCRIPTION_FIELDS)})"
        )
    for name, given in value.items():
        problem = prescribed_problem(name, given)
        if problem:
            raise ValueError(f"values.{name}: {problem}")
    return json.dumps(value, sort_keys=True)


def added_exercise(value: Any) -> str | None:
    """An added exercise's template (an object the template schema takes), or null."""
    if value is None:
        return None
    if not isinstance(value, dict):
        raise ValueError(f"{_shown(value)} is not an exercise (an object, or null)")
    try:
        exercise = Exercise.model_validate(value)
    except ValidationError as exc:
        error = exc.errors()[0]
        where = ".".join(str(part) for part in error["loc"]) or "exercise"
        raise ValueError(f"{where}: {error['msg']}") from None
    return exercise_json(exercise)


def _shown(value: Any) -> str:
    shown = json.dumps(value, ensure_ascii=False) if not isinstance(value, float) else str(value)
    return shown if len(shown) <= 40 else shown[:40] + "…"


def _range(low: float, high: float, null: bool) -> str:
    return f" (allowed: {low} to {high}{_or_null(null)})"


def _or_null(null: bool) -> str:
    return " or null" if null else ""


def _length(table: Table, column: str) -> int:
    length = getattr(table.c[column].type, "length", None)
    assert isinstance(length, int), column
    return length


@dataclass(frozen=True)
class Kind:
    """One section of the export as `rehab import` reads it into one table."""

    section: str
    table: Table
    fields: dict[str, Rule]  # file field -> rule (the column has the same name)
    rows: Callable[[rows.Reader, rows.ExportSpan], Iterator[Any]]  # the export's own rows
    enrollment: str  # "required" or "optional": its enrollment_id
    patient: bool  # the table has a patient_id
    # a correction: the column that a later export sets (None -> a value), and the
    # columns taken from the file with it
    corrected_by: str | None = None
    corrects: tuple[str, ...] = ()
    check: tuple[str, ...] = ()  # fields that must agree when the uid is the same
    columns: dict[str, str] | None = None  # file field -> column where they differ

    def column(self, field: str) -> str:
        return (self.columns or {}).get(field, field)


def _table(model: Any) -> Table:
    table = model.__table__
    assert isinstance(table, Table)
    return table


VOIDED = ("voided_at",)
_dose, _pain, _check = _table(DoseLog), _table(PainEntry), _table(SymptomCheck)
_assessment, _phase, _pause = _table(Assessment), _table(PhaseChange), _table(Pause)
_flag = _table(RedFlagEntry)
_prescription = _table(PrescriptionRow)

KINDS: tuple[Kind, ...] = (
    Kind(
        "doses",
        _dose,
        {
            "plan_date": day(),
            "item_key": text(_length(_dose, "item_key"), null=False),
            "exercise_id": text(_length(_dose, "exercise_id"), null=False),
            "side": one_of("", "left", "right"),
            "seq": integer(1, 100_000, null=False),
            "status": one_of("done", "skipped"),
            "sets": integer(0, 50),
            "reps": integer(0, 500),
            "hold_seconds": number(0, 3600),
            "minutes": number(0, 1440),
            "load_kg": number(0, 500),
            "pain_during": integer(0, 10),
            "reason": reason(REASON_MAX),
            "note": text(_length(_dose, "note")),
            "logged_at": instant(),
            "voided_at": instant(null=True),
            "action": text(_length(_dose, "action"), null=False),
        },
        rows.doses,
        enrollment="required",
        patient=False,
        corrected_by="voided_at",
        corrects=VOIDED,
        check=("logged_at",),
    ),
    Kind(
        "pain",
        _pain,
        {
            "local_date": day(),
            "at": instant(),
            "context": one_of(*PAIN_CONTEXTS),
            "score": integer(0, 10, null=False),
            "site": text(_length(_pain, "site")),
            "note": text(_length(_pain, "note")),
            "logged_at": instant(),
            "voided_at": instant(null=True),
        },
        rows.pain,
        enrollment="optional",
        patient=True,
        corrected_by="voided_at",
        corrects=VOIDED,
    ),
    Kind(
        "symptoms",
        _check,
        {
            "check_date": day(),
            "stiffness_minutes": integer(0, 1440),
            "swelling": boolean,
            "redness": boolean,
            "tiptoe_pain": boolean,
            "note": text(_length(_check, "note")),
            "logged_at": instant(),
            "voided_at": instant(null=True),
        },
        rows.symptoms,
        enrollment="optional",
        patient=True,
        corrected_by="voided_at",
        corrects=VOIDED,
    ),
    Kind(
        "assessments",
        _assessment,
        {
            "instrument": text(_length(_assessment, "instrument"), null=False),
            "taken_on": day(),
            "score": integer(0, 100, null=False),
            "answers": answers,
            "logged_at": instant(),
            "voided_at": instant(null=True),
        },
        rows.assessments,
        enrollment="optional",
        patient=True,
        corrected_by="voided_at",
        corrects=VOIDED,
        columns={"answers": "answers_json"},
    ),
    Kind(
        "phase_changes",
        _phase,
        {
            "effective_date": day(),
            "decision": one_of("progress", "reduce", "hold"),
            "from_phase": text(_length(_phase, "from_phase")),
            "to_phase": text(_length(_phase, "to_phase")),
            "load_level": integer(-1000, 1000, null=False),
            "reason": text(_length(_phase, "reason"), null=False),
            "decided_by": text(_length(_phase, "decided_by"), null=False),
            "accepted_at": instant(),
            "voided_at": instant(null=True),
            "set_cut": integer(0, 50, null=False),
            "week_cap": integer(0, 1000),
        },
        rows.phases,
        enrollment="required",
        patient=False,
        corrected_by="voided_at",
        corrects=VOIDED,
    ),
    Kind(
        "pauses",
        _pause,
        {
            "start_date": day(),
            "end_date": day(null=True),
            "reason": reason(_length(_pause, "reason"), null=False),
            "created_at": instant(),
            "ended_at": instant(null=True),
        },
        rows.pauses,
        enrollment="required",
        patient=False,
        corrected_by="end_date",
        corrects=("end_date", "ended_at", "reason"),
    ),
    Kind(
        "red_flags",
        _flag,
        {
            "raised_on": day(),
            "flag": text(_length(_flag, "flag"), null=False),
            "source": one_of("answer", "log"),
            "detail": text(_length(_flag, "detail")),
            "cleared_by": text(_length(_flag, "cleared_by")),
            "cleared_on": day(null=True),
            "raised_at": instant(),
            "cleared_at": instant(null=True),
        },
        rows.red_flags,
        enrollment="optional",
        patient=True,
        corrected_by="cleared_at",
        corrects=("cleared_by", "cleared_on", "cleared_at"),
    ),
    Kind(
        "prescriptions",
        _prescription,
        {
            "effective_date": day(),
            "action": one_of(*ACTIONS),
            "exercise_id": text(_length(_prescription, "exercise_id"), null=False),
            "values": prescribed_values,
            "exercise": added_exercise,
            "prescribed_by": text(_length(_prescription, "prescribed_by"), null=False),
            "reason": text(_length(_prescription, "reason"), null=False),
            "created_at": instant(),
            "voided_at": instant(null=True),
        },
        rows.prescriptions,
        enrollment="required",
        patient=False,
        corrected_by="voided_at",
        corrects=VOIDED,
        columns={"values": "values_json", "exercise": "exercise_json"},
    ),
)
BY_SECTION = {kind.section: kind for kind in KINDS}

ENROLLMENT_FIELDS: dict[str, Rule] = {
    "program_id": text(_length(_table(Enrollment), "program_id"), null=False),
    "program_name": text(_length(_table(Enrollment), "program_name"), null=False),
    "side": one_of("left", "right", "both"),
    "start_date": day(),
    "status": one_of("active", "ended"),
    "created_at": instant(),
    "ended_at": instant(null=True),
    "template_hash": text(_length(_table(Enrollment), "template_hash"), null=False),
}


def occurrence(item_key: str, exercise_id: str) -> int:
    """The occurrence of a dose key: `ice` is 1, `ice#2` is 2 (rehab.core.schedule)."""
    if item_key == exercise_id:
        return 1
    base, _, n = item_key.rpartition("#")
    if base != exercise_id or not n.isdigit() or n.startswith("0") or int(n) < 2:
        raise ValueError(
            f"{item_key!r} is not a dose of {exercise_id!r} "
            f"(allowed: {exercise_id!r} or {exercise_id + '#2'!r}, '#3'...)"
        )
    return int(n)
