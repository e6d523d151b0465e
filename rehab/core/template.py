"""Program templates: the schema a clinician writes in TOML, and its validator.

A template is data, so every mistake in one must come back as a single line that names the
file, the field path, what is wrong and what is allowed. Pydantic does the type checks; the
cross-references (a phase an exercise names, week ranges inside the program) are checked
afterwards so that their errors can point at the exact field too.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import stat
from datetime import date
from pathlib import Path
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from rehab.core.vocabulary import SLOTS as SLOTS
from rehab.core.vocabulary import Slot as Slot

Kind = Literal[
    "stretch", "strengthen", "ice", "massage", "walk", "mobility", "splint", "footwear", "comfort"
]
DaysRule = Literal["daily", "every-other-day", "3-per-week"]
SideRule = Literal["each", "affected", "none"]
Condition = Literal[
    "heel-pain",
    "achilles-midportion",
    "achilles-insertional",
    "heel-spur",
    "retrocalcaneal-bursitis",
    "haglunds-deformity",
    "plantar-fasciitis",
]
CONDITION_NAMES: dict[str, str] = {
    "heel-pain": "posterior heel pain (general)",
    "achilles-midportion": "mid-portion Achilles tendinopathy",
    "achilles-insertional": "insertional Achilles tendinopathy",
    "heel-spur": "posterior heel spur / calcification",
    "retrocalcaneal-bursitis": "retrocalcaneal bursitis",
    "haglunds-deformity": "Haglund's deformity",
    "plantar-fasciitis": "plantar fasciitis",
}
# The conditions of the Achilles tendon and of the back of the heel where it joins the bone.
# The VISA-A questionnaire is an Achilles one: a program offers it when it serves one of these
# (or when its template says `visa_a = true`), never for the plantar fascia alone.
ACHILLES_CONDITIONS: frozenset[str] = frozenset(
    {
        "achilles-midportion",
        "achilles-insertional",
        "heel-spur",
        "retrocalcaneal-bursitis",
        "haglunds-deformity",
    }
)

_SLUG = r"^[a-z0-9][a-z0-9-]*$"


class TemplateError(ValueError):
    """A template file that cannot be used; `str()` is the one line to show."""


class DoseRange(BaseModel):
    """A dose that is either one number or a range such as 2–3 sets or 15–20 minutes."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    low: float
    high: float

    @model_validator(mode="before")
    @classmethod
    def _from_toml(cls, value: Any) -> Any:
        if isinstance(value, bool):
            raise ValueError("expected a number or [min, max], got true/false")
        if isinstance(value, int | float):
            return {"low": value, "high": value}
        if isinstance(value, list | tuple):
            if len(value) != 2 or not all(
                isinstance(v, int | float) and not isinstance(v, bool) for v in value
            ):
                raise ValueError("expected a number or a pair [min, max] of numbers")
            return {"low": value[0], "high": value[1]}
        if isinstance(value, dict) and set(value) == {"low", "high"}:
            return value
        raise ValueError("expected a number or a pair [min, max] of numbers")

    @model_validator(mode="after")
    def _ordered(self) -> DoseRange:
        if not (math.isfinite(self.low) and math.isfinite(self.high)):
            raise ValueError("not a finite number (allowed: a number or [min, max] of numbers)")
        if self.low < 0:
            raise ValueError(f"{_num(self.low)} is negative (allowed: 0 or more)")
        if self.low > self.high:
            raise ValueError(
                f"min {_num(self.low)} is greater than max {_num(self.high)} "
                "(allowed: [min, max] with min ≤ max)"
            )
        return self

    @property
    def is_range(self) -> bool:
        return self.low != self.high

    def text(self, sep: str = "–") -> str:
        """`30`, or `2–3` for a range."""
        if self.is_range:
            return f"{_num(self.low)}{sep}{_num(self.high)}"
        return _num(self.low)


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _whole_count(value: DoseRange | None) -> DoseRange | None:
    """Sets and repetitions are counted: whole numbers, at least 1."""
    if value is None:
        return None
    if not (float(value.low).is_integer() and float(value.high).is_integer()):
        raise ValueError(f"{value.text()} is not a whole number (allowed: 1 or more, e.g. 3)")
    if value.low < 1:
        raise ValueError(f"{value.text()} is less than 1 (allowed: 1 or more)")
    return value


def _positive(value: DoseRange | None) -> DoseRange | None:
    """A hold or a timed dose must last some time."""
    if value is not None and value.low <= 0:
        raise ValueError(f"{value.text()} is not above 0 (allowed: more than 0)")
    return value


# The most a template may prescribe: generous (the built-in programs stay well inside:
# at most 10 sets, 20 repetitions, 30 s holds, 20 minutes, 5 kg steps), but a dose beyond
# these is a typo, not a program. They apply to template files (`parse_program`); an
# enrollment's stored snapshot is read back as it was written.
DOSE_LIMITS: dict[str, tuple[float, str]] = {
    "sets": (20, ""),
    "reps": (100, ""),
    "hold_seconds": (600, " s"),
    "minutes": (120, " min"),
    "load_kg": (200, " kg"),
    "load_step_kg": (20, " kg"),
}
_CHECK_LIMITS = "template-file"  # validation context key: set by parse_program


def _within_limit(value: DoseRange | float | None, info: ValidationInfo) -> None:
    if value is None or not (info.context or {}).get(_CHECK_LIMITS):
        return
    assert info.field_name is not None
    limit, unit = DOSE_LIMITS[info.field_name]
    high = value.high if isinstance(value, DoseRange) else value
    if high > limit:
        shown = value.text() if isinstance(value, DoseRange) else _num(value)
        raise ValueError(
            f"{shown}{unit} is too much for a home program (allowed: up to {_num(limit)}{unit})"
        )


class _DoseFields(_Strict):
    """Validators shared by an exercise's dose and a week's dose."""

    @field_validator("sets", "reps", check_fields=False)
    @classmethod
    def _counts(cls, value: DoseRange | None, info: ValidationInfo) -> DoseRange | None:
        _within_limit(value, info)
        return _whole_count(value)

    @field_validator("hold_seconds", "minutes", check_fields=False)
    @classmethod
    def _durations(cls, value: DoseRange | None, info: ValidationInfo) -> DoseRange | None:
        _within_limit(value, info)
        return _positive(value)

    @field_validator("load_kg", "load_step_kg", check_fields=False)
    @classmethod
    def _loads(cls, value: float | None, info: ValidationInfo) -> float | None:
        _within_limit(value, info)
        return value


class WeekDose(_DoseFields):
    """A dose that applies in some program weeks only (heavy slow resistance's table)."""

    weeks: DoseRange
    sets: DoseRange | None = None
    reps: DoseRange | None = None
    hold_seconds: DoseRange | None = None
    minutes: DoseRange | None = None
    load: str | None = None
    load_kg: float | None = Field(default=None, ge=0, allow_inf_nan=False)


class Prescribed(_Strict):
    """Who tailored an exercise for this patient, from when and why (rehab.core.prescription).

    `dose`: the numbers are the clinician's (an "ask your clinician" item then shows them),
    given from `dose_since`."""

    by: str = Field(min_length=1, max_length=60)
    since: date
    reason: str = Field(default="", max_length=500)
    dose: StrictBool = False
    dose_since: date | None = None


class Exercise(_DoseFields):
    id: str = Field(pattern=_SLUG, max_length=40)
    name: str = Field(min_length=1, max_length=80)
    kind: Kind
    instructions: str = Field(min_length=1)
    phases: list[str] = Field(default_factory=list)
    side: SideRule = "none"
    sets: DoseRange | None = None
    reps: DoseRange | None = None
    hold_seconds: DoseRange | None = None
    rest_seconds: int | None = Field(default=None, ge=0, le=600)
    minutes: DoseRange | None = None
    tempo: str | None = None
    load: str | None = None
    load_kg: float | None = Field(default=None, ge=0, allow_inf_nan=False)
    load_step_kg: float | None = Field(default=None, gt=0, allow_inf_nan=False)
    times_per_day: int = Field(default=1, ge=1, le=6)
    slots: list[Slot] = Field(default_factory=lambda: list[Slot](["any"]), min_length=1)
    days: DaysRule = "daily"
    as_needed: bool = False
    unverified: bool = False
    cautions: list[str] = Field(default_factory=list)
    source: list[str] = Field(min_length=1)
    by_week: list[WeekDose] = Field(default_factory=list)
    prescribed: Prescribed | None = None

    @field_validator("source", mode="before")
    @classmethod
    def _one_or_many(cls, value: Any) -> Any:
        return [value] if isinstance(value, str) else value


class Phase(_Strict):
    id: str = Field(pattern=_SLUG, max_length=40)
    name: str = Field(min_length=1)
    weeks: DoseRange
    goal: str = ""
    advance_when: str = ""
    min_weeks: int = Field(default=1, ge=0, le=104)
    max_pain_during: int = Field(default=5, ge=0, le=10)
    unverified: bool = False


class Program(_Strict):
    id: str = Field(pattern=_SLUG, max_length=60)
    name: str = Field(min_length=1, max_length=100)
    summary: str = Field(min_length=1)
    conditions: list[Condition] = Field(min_length=1)
    weeks: int = Field(ge=1, le=104)
    visa_a: StrictBool | None = None  # absent: decided by the conditions (offers_visa_a)
    sources: list[str] = Field(min_length=1)
    notes: list[str] = Field(default_factory=list)
    cautions: list[str] = Field(default_factory=list)
    phases: list[Phase] = Field(min_length=1)
    exercises: list[Exercise] = Field(min_length=1)

    @property
    def offers_visa_a(self) -> bool:
        """Whether the VISA-A questionnaire belongs to this program: what `visa_a` says, or
        without it, whether the program serves an Achilles condition. Worked out from the
        conditions, so an enrollment's snapshot from before the field existed agrees."""
        if self.visa_a is not None:
            return self.visa_a
        return any(c in ACHILLES_CONDITIONS for c in self.conditions)

    @property
    def reminds_visa_a(self) -> bool:
        """Whether "VISA-A due" is worth saying every two weeks: on a program that serves only
        Achilles conditions (or says `visa_a = true`), not on a mixed one that is also for the
        plantar fascia or heel pain in general, where it stays on offer without a reminder."""
        if self.visa_a is not None:
            return self.visa_a
        return all(c in ACHILLES_CONDITIONS for c in self.conditions)

    def phase(self, phase_id: str) -> Phase:
        for phase in self.phases:
            if phase.id == phase_id:
                return phase
        raise KeyError(phase_id)

    def exercise(self, exercise_id: str) -> Exercise:
        for exercise in self.exercises:
            if exercise.id == exercise_id:
                return exercise
        raise KeyError(exercise_id)

    def snapshot(self) -> str:
        """Canonical JSON of the template, stored with each enrollment."""
        data = self.model_dump(mode="json")
        for exercise in data["exercises"]:
            if exercise["prescribed"] is None:  # as before the field existed: same bytes
                del exercise["prescribed"]
        return json.dumps(data, sort_keys=True, separators=(",", ":"))

    def snapshot_hash(self) -> str:
        return hashlib.sha256(self.snapshot().encode()).hexdigest()[:16]


def _path_text(loc: tuple[int | str, ...]) -> str:
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        elif part in (
            "function-after[_ordered(), DoseRange]",
            "function-before[_from_toml(), DoseRange]",
        ):
            continue
        else:
            part = repr(str(part))[1:-1]  # a quoted TOML key may hold a line break
            text += f".{part}" if text else part
    return text or "(top level)"


def _allowed_fields(model: type[BaseModel]) -> str:
    return ", ".join(model.model_fields)


def _model_at(loc: tuple[int | str, ...]) -> type[BaseModel]:
    model: type[BaseModel] = Program
    children: dict[str, type[BaseModel]] = {
        "phases": Phase,
        "exercises": Exercise,
        "by_week": WeekDose,
        "prescribed": Prescribed,
    }
    for part in loc:
        if isinstance(part, str) and part in children:
            model = children[part]
    return model


def _explain(error: Any) -> str:
    loc: tuple[int | str, ...] = tuple(error["loc"])
    kind = error["type"]
    if kind == "extra_forbidden":
        parent = _model_at(loc[:-1])
        return f"{_path_text(loc)}: unknown field {loc[-1]!r} (allowed: {_allowed_fields(parent)})"
    if kind == "missing":
        return f"{_path_text(loc)}: required field is missing"
    message = str(error["msg"]).removeprefix("Value error, ")
    if kind == "string_pattern_mismatch":
        message = "must be lower-case letters, digits and dashes, starting with a letter or digit"
    return f"{_path_text(loc)}: {message}"


def _cross_check(program: Program) -> None:
    if program.visa_a and set(program.conditions) == {"plantar-fasciitis"}:
        raise TemplateError(
            "visa_a: true, but the VISA-A is an Achilles questionnaire and this program serves "
            "only plantar fasciitis (allowed: false, or leave it out)"
        )
    phase_ids = [p.id for p in program.phases]
    _unique(phase_ids, "phases")
    _unique([e.id for e in program.exercises], "exercises")
    for i, phase in enumerate(program.phases):
        if phase.weeks.high > program.weeks or phase.weeks.low < 1:
            raise TemplateError(
                f"phases[{i}].weeks: {phase.weeks.text()} is outside the program "
                f"(allowed: weeks 1 to {program.weeks})"
            )
    for i, ex in enumerate(program.exercises):
        where = f"exercises[{i}]"
        for j, ref in enumerate(ex.phases):
            if ref not in phase_ids:
                raise TemplateError(
                    f"{where}.phases[{j}]: no phase {ref!r} in this program "
                    f"(allowed: {', '.join(phase_ids)})"
                )
        if len(ex.slots) not in (1, ex.times_per_day):
            raise TemplateError(
                f"{where}.slots: {len(ex.slots)} slots for times_per_day = {ex.times_per_day} "
                f"(allowed: one slot, or exactly {ex.times_per_day})"
            )
        if ex.load_step_kg is not None and ex.kind != "strengthen":
            raise TemplateError(
                f"{where}.load_step_kg: only strengthening exercises take load steps "
                f"(this one is kind {ex.kind!r})"
            )
        for k, step in enumerate(ex.by_week):
            if step.weeks.low < 1 or step.weeks.high > program.weeks:
                raise TemplateError(
                    f"{where}.by_week[{k}].weeks: {step.weeks.text()} is outside the program "
                    f"(allowed: weeks 1 to {program.weeks})"
                )
            for m, earlier in enumerate(ex.by_week[:k]):
                if step.weeks.low <= earlier.weeks.high and earlier.weeks.low <= step.weeks.high:
                    raise TemplateError(
                        f"{where}.by_week[{k}].weeks: {step.weeks.text()} overlaps "
                        f"by_week[{m}] ({earlier.weeks.text()}) (allowed: week ranges that "
                        "do not overlap)"
                    )


def _unique(ids: list[str], field: str) -> None:
    seen: set[str] = set()
    for i, item in enumerate(ids):
        if item in seen:
            raise TemplateError(f"{field}[{i}].id: {item!r} is used twice (ids must be unique)")
        seen.add(item)


def parse_program(data: dict[str, Any]) -> Program:
    """Validate template data; raise TemplateError with one line (no file name)."""
    try:
        program = Program.model_validate(data, context={_CHECK_LIMITS: True})
    except ValidationError as exc:
        raise TemplateError(_explain(exc.errors()[0])) from None
    _cross_check(program)
    return program


MAX_TEMPLATE_BYTES = 1 << 20  # the largest built-in is about 10 KiB
_TEMPLATE_ALLOWED = "allowed: a regular TOML file up to 1 MiB"


def _special(mode: int) -> str | None:
    if stat.S_ISREG(mode):
        return None
    for test, name in ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a FIFO (named pipe)"),
                       (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
                       (stat.S_ISSOCK, "a socket")):  # fmt: skip
        if test(mode):
            return name
    return "not a regular file"


def read_template_bytes(path: Path) -> bytes:
    """The file's bytes, read only from a regular file (after following links) of at most
    MAX_TEMPLATE_BYTES: a FIFO could block for ever and /dev/zero never ends. The type is
    checked with stat before opening, and again on the open file (O_NONBLOCK, so even a
    FIFO swapped in meanwhile cannot block the open)."""
    try:
        kind = _special(os.stat(path).st_mode)
        if kind is not None:
            raise TemplateError(f"{path}: is {kind}, not a regular file ({_TEMPLATE_ALLOWED})")
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
        try:
            info = os.fstat(fd)
            kind = _special(info.st_mode)
            if kind is not None:
                raise TemplateError(f"{path}: is {kind}, not a regular file ({_TEMPLATE_ALLOWED})")
            if info.st_size > MAX_TEMPLATE_BYTES:
                raise TemplateError(
                    f"{path}: is {info.st_size} bytes, larger than 1 MiB ({_TEMPLATE_ALLOWED})"
                )
            chunks, size = [], 0
            while size <= MAX_TEMPLATE_BYTES:
                chunk = os.read(fd, 1 << 16)
                if not chunk:
                    break
                chunks.append(chunk)
                size += len(chunk)
        finally:
            os.close(fd)
    except OSError as exc:
        raise TemplateError(f"{path}: cannot read ({exc.strerror or exc})") from None
    if size > MAX_TEMPLATE_BYTES:  # it grew while being read
        raise TemplateError(f"{path}: is larger than 1 MiB ({_TEMPLATE_ALLOWED})")
    return b"".join(chunks)


def load_program_file(path: Path, *, named: bool = True) -> Program:
    """Read and validate one TOML template; errors name the file. `named`: the id must be the
    file's name, as in a folder of templates (a prescription file handed over need not be)."""
    import tomllib

    raw = read_template_bytes(path)
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise TemplateError(f"{path}: not UTF-8 text (allowed: a TOML file)") from None
    except tomllib.TOMLDecodeError as exc:
        raise TemplateError(f"{path}: not valid TOML ({exc})") from None
    except RecursionError:
        raise TemplateError(
            f"{path}: not usable TOML (arrays or tables nested too deeply; allowed: the "
            "few levels a template has)"
        ) from None
    except ValueError:  # tomllib's int() refuses a number of thousands of digits
        raise TemplateError(
            f"{path}: not usable TOML (a number with too many digits; allowed: numbers "
            "such as 3, 30 or 2.5)"
        ) from None
    try:
        program = parse_program(data)
    except TemplateError as exc:
        raise TemplateError(f"{path}: {exc}") from None
    if named and program.id != path.stem:
        raise TemplateError(
            f"{path}: id: {program.id!r} does not match the file name (allowed: id = {path.stem!r})"
        )
    return program


def program_from_snapshot(snapshot: str) -> Program:
    """Rebuild the template stored with an enrollment (already validated once)."""
    return Program.model_validate_json(snapshot)


def _toml_ready(value: Any) -> Any:
    """A dumped template value as TOML writes it: a range as a number or [min, max], no
    None (TOML has no null: a field left out takes its default)."""
    if isinstance(value, dict):
        if set(value) == {"low", "high"}:
            low, high = (_toml_number(value["low"]), _toml_number(value["high"]))
            return low if low == high else [low, high]
        return {k: _toml_ready(v) for k, v in value.items() if v is not None}
    if isinstance(value, list | tuple):
        return [_toml_ready(v) for v in value]
    return _toml_number(value) if isinstance(value, float) else value


def _toml_number(value: float) -> int | float:
    return int(value) if float(value).is_integer() else value


def program_toml(program: Program, *, header: str = "") -> str:
    """The program as a template file (`rehab programs check` reads it back the same)."""
    import tomli_w

    data = _toml_ready(program.model_dump(mode="python"))
    lines = "".join(f"# {line}\n" if line else "#\n" for line in header.splitlines())
    return lines + tomli_w.dumps(data, multiline_strings=False)
