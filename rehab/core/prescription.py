"""A therapist's prescriptions: changes to one patient's program, each from a date on.

The template an enrollment started with is never rewritten. A prescription says, from
`effective` on: this exercise's dose is now this (`change`), this exercise joins the program
(`add`), or this one leaves it (`remove`). `tailor` applies the prescriptions in force on a
day to the template and returns the program as the therapist tailored it, which the schedule
expands like any other: the checklist, the reminders, the advice and the exports all read
the plan through it, and a day before a prescription's date keeps the plan it had.

A dose given by a clinician is theirs, not the app's: an exercise whose numbers a therapist
set is marked `prescribed` (by whom, from when, why), and an "ask your clinician" item with
a prescribed dose shows that dose.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from pydantic import ValidationError

from rehab.core.template import (
    DOSE_LIMITS,
    SLOTS,
    DoseRange,
    Exercise,
    Prescribed,
    Program,
    TemplateError,
    parse_program,
)

Action = Literal["change", "add", "remove"]
ACTIONS: tuple[Action, ...] = ("change", "add", "remove")

# The fields a prescription may set, with the words the app uses for them.
DOSE_FIELDS: tuple[str, ...] = ("sets", "reps", "hold_seconds", "minutes", "load_kg")
PLAN_FIELDS: tuple[str, ...] = ("times_per_day", "days")
FIELDS: tuple[str, ...] = DOSE_FIELDS + PLAN_FIELDS
FIELD_WORDS: dict[str, str] = {
    "sets": "sets",
    "reps": "repetitions",
    "hold_seconds": "hold (seconds)",
    "minutes": "minutes",
    "load_kg": "load (kg)",
    "times_per_day": "times a day",
    "days": "days",
}
MAX_BY = 60
MAX_REASON = 500


@dataclass(frozen=True)
class Prescription:
    """One change a therapist made, from `effective` on.

    `values` holds the fields set (JSON values: a number, a [min, max] pair, or a days
    rule); `exercise` is the added exercise's template JSON for an `add`.
    """

    effective: date
    action: Action
    exercise_id: str
    by: str
    values: tuple[tuple[str, Any], ...] = ()
    exercise: str | None = None
    reason: str = ""

    def value_map(self) -> dict[str, Any]:
        return {name: _thaw(value) for name, value in self.values}

    def text(self, name: str | None = None) -> str:
        """'calf-stretch: sets 3, hold (seconds) 45' in the app's words (`name` for the id)."""
        called = name or self.exercise_id
        if self.action == "remove":
            return f"{called}: removed"
        shown = ", ".join(
            f"{FIELD_WORDS[name]} {_shown(value)}" for name, value in self.value_map().items()
        )
        if self.action == "add":
            return f"{called}: added" + (f" ({shown})" if shown else "")
        return f"{called}: {shown}"


_RANGE = re.compile(r"([0-9]+(?:\.[0-9]+)?)(?:-([0-9]+(?:\.[0-9]+)?))?", re.ASCII)


def dose_value(text: str, *, whole: bool, unit: str = "") -> float | list[float]:
    """A dose typed by a therapist: a number, or a range MIN-MAX ('3', '2-3', '15-20'), in
    ASCII digits. ValueError with the one line to show otherwise."""
    text = text.strip()
    match = _RANGE.fullmatch(text)
    example = "3 or 2-3" if whole else "30, 2.5 or 15-20"
    if match is None:
        raise ValueError(
            f"{text[:40]!r} is not a number or a range (allowed: e.g. {example}{unit})"
        )
    low = float(match.group(1))
    high = float(match.group(2)) if match.group(2) is not None else low
    if whole and not (low.is_integer() and high.is_integer()):
        raise ValueError(f"{text} is not a whole number (allowed: e.g. {example})")
    if low > high:
        raise ValueError(f"{text}: min is greater than max (allowed: MIN-MAX with MIN ≤ MAX)")
    return low if low == high else [low, high]


def prescribed_problem(name: str, value: Any) -> str | None:
    """Why `value` cannot be what a prescription sets for field `name` (None: it can): the
    template validator's rules for one dose, for a value read from a file."""
    if name == "days":
        allowed = ("daily", "every-other-day", "3-per-week")
        return None if value in allowed else f"{value!r} is not one of {', '.join(allowed)}"
    if name == "times_per_day":
        ok = isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 6
        return None if ok else f"{value!r} is not a whole number from 1 to 6"
    if name == "load_kg":
        ok = isinstance(value, int | float) and not isinstance(value, bool)
        return (
            None
            if ok and 0 <= value <= DOSE_LIMITS[name][0]
            else (f"{value!r} is not a load from 0 to {DOSE_LIMITS[name][0]:g} kg")
        )
    try:
        dose = DoseRange.model_validate(value)
    except ValidationError as exc:
        return str(exc.errors()[0]["msg"]).removeprefix("Value error, ")
    limit, unit = DOSE_LIMITS[name]
    if dose.high > limit:
        return (
            f"{dose.text()}{unit} is too much for a home program (allowed: up to {limit:g}{unit})"
        )
    if name in ("sets", "reps") and not (
        float(dose.low).is_integer() and float(dose.high).is_integer() and dose.low >= 1
    ):
        return f"{dose.text()} is not a whole number of 1 or more"
    if dose.low <= 0:
        return f"{dose.text()} is not above 0"
    return None


def frozen_values(values: Mapping[str, Any]) -> tuple[tuple[str, Any], ...]:
    """`values` in field order, hashable (lists become tuples)."""
    return tuple((name, _freeze(values[name])) for name in FIELDS if name in values)


def _freeze(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value


def _thaw(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value


def _shown(value: Any) -> str:
    if isinstance(value, list | tuple):
        return DoseRange.model_validate(list(value)).text()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def in_force(prescriptions: Iterable[Prescription], day: date) -> tuple[Prescription, ...]:
    """The prescriptions that apply on `day`, in the order they were made."""
    return tuple(p for p in prescriptions if p.effective <= day)


def tailor(program: Program, prescriptions: Sequence[Prescription]) -> Program:
    """The program with `prescriptions` applied in order (all of them: pick the ones in force
    with `in_force`). Stored prescriptions were checked when made; this does not re-check."""
    if not prescriptions:
        return program
    return _tailored(program, tuple(prescriptions))


def tailor_on(program: Program, prescriptions: Sequence[Prescription], day: date) -> Program:
    return tailor(program, in_force(prescriptions, day))


# (id of the template, prescriptions) -> (the template, the tailored program). A template
# holds lists, so it cannot be a dict key itself; keeping it in the entry keeps its id unique.
_CACHE: dict[tuple[int, tuple[Prescription, ...]], tuple[Program, Program]] = {}
_CACHE_SIZE = 64


def _tailored(program: Program, prescriptions: tuple[Prescription, ...]) -> Program:
    key = (id(program), prescriptions)
    hit = _CACHE.get(key)
    if hit is not None and hit[0] is program:
        return hit[1]
    exercises = list(program.exercises)
    for item in prescriptions:
        exercises = _apply(exercises, item)
    tailored = program.model_copy(update={"exercises": exercises})
    if len(_CACHE) >= _CACHE_SIZE:
        _CACHE.pop(next(iter(_CACHE)))
    _CACHE[key] = (program, tailored)
    return tailored


def _index(exercises: list[Exercise], exercise_id: str) -> int:
    for i, exercise in enumerate(exercises):
        if exercise.id == exercise_id:
            return i
    raise KeyError(exercise_id)


def _apply(exercises: list[Exercise], item: Prescription) -> list[Exercise]:
    if item.action == "remove":
        i = _index(exercises, item.exercise_id)
        return exercises[:i] + exercises[i + 1 :]
    if item.action == "add":
        assert item.exercise is not None, "an added exercise carries its template"
        added = Exercise.model_validate_json(item.exercise)
        return [*exercises, _changed(added, item)]
    i = _index(exercises, item.exercise_id)
    return [*exercises[:i], _changed(exercises[i], item), *exercises[i + 1 :]]


def _changed(exercise: Exercise, item: Prescription) -> Exercise:
    values = item.value_map()
    update: dict[str, Any] = {}
    for name in DOSE_FIELDS:
        if name not in values:
            continue
        if name == "load_kg":
            update[name] = float(values[name])
        else:
            update[name] = DoseRange.model_validate(values[name])
    if "times_per_day" in values:
        count = int(values["times_per_day"])
        update["times_per_day"] = count
        update["slots"] = _slots_for(exercise.slots, count)
    if "days" in values:
        update["days"] = values["days"]
    dosed = any(name in values for name in DOSE_FIELDS)
    if dosed:
        # the therapist's numbers replace the by-week table's for the fields they set
        steps = [
            step.model_copy(update={name: None for name in DOSE_FIELDS if name in values})
            for step in exercise.by_week
        ]
        update["by_week"] = steps
        update["unverified"] = False
    earlier = exercise.prescribed
    update["prescribed"] = Prescribed(
        by=item.by,
        since=item.effective,
        reason=item.reason,
        dose=dosed or (earlier is not None and earlier.dose),
        dose_since=item.effective if dosed else (earlier.dose_since if earlier else None),
    )
    return exercise.model_copy(update=update)


def _slots_for(slots: Sequence[str], count: int) -> list[str]:
    """The slots for `count` doses a day: the first ones already used, then the rest of the
    day in order; one slot stays one slot (all of them then fall in it)."""
    if len(slots) == 1 or count == len(slots):
        return list(slots)
    if count < len(slots):
        return list(slots[:count])
    extra = [s for s in SLOTS if s not in slots and s != "any"]
    chosen = list(slots) + extra[: count - len(slots)]
    if len(chosen) < count:
        return ["any"]
    order: dict[str, int] = {s: i for i, s in enumerate(SLOTS)}
    return sorted(chosen, key=lambda s: order[s])


def checked(program: Program, prescriptions: Sequence[Prescription]) -> Program:
    """`tailor`, then the template validator on the result (its dose limits and cross
    checks), so an impossible dose is refused with the validator's one line."""
    for item in prescriptions:
        for name, value in item.value_map().items():
            if name in DOSE_FIELDS and name != "load_kg":
                try:
                    DoseRange.model_validate(value)
                except ValidationError as exc:
                    detail = str(exc.errors()[0]["msg"]).removeprefix("Value error, ")
                    raise TemplateError(f"{item.exercise_id}: {name}: {detail}") from None
    tailored = tailor(program, prescriptions)
    data = tailored.model_dump(mode="json")
    try:
        return parse_program(data)
    except TemplateError as exc:
        raise TemplateError(_readable(str(exc), tailored)) from None


def _readable(message: str, program: Program) -> str:
    """'exercises[3].sets: …' → 'calf-stretch: sets: …', the id the therapist typed."""
    if message.startswith("exercises["):
        index, _, rest = message[len("exercises[") :].partition("]")
        if index.isdigit() and int(index) < len(program.exercises):
            return f"{program.exercises[int(index)].id}: {rest.lstrip('.')}"
    return message


def exercise_json(exercise: Exercise) -> str:
    return json.dumps(exercise.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))


def handed_over(
    program: Program, prescriptions: Sequence[Prescription], *, patient: str
) -> Program:
    """The program as tailored by every prescription made (later ones too), as a template of
    its own: a new id and name, and a note per change (who, from when, what, why), so that
    another machine starts the program the therapist wrote. Checked by the validator."""
    tailored = checked(program, prescriptions)
    notes = list(program.notes)
    for item in prescriptions:
        why = f"; why: {item.reason}" if item.reason else ""
        notes.append(
            f"Tailored for {patient} by {item.by}, from {item.effective}: {item.text()}{why}."
        )
    suffix = "-tailored"
    new_id = program.id
    if not new_id.endswith(suffix):
        new_id = new_id[: 60 - len(suffix)] + suffix
    name = program.name if program.name.endswith("(tailored)") else f"{program.name} (tailored)"
    data = tailored.model_copy(update={"id": new_id, "name": name[:100], "notes": notes})
    return parse_program(data.model_dump(mode="json"))
