"""Bad templates: each mistake is ONE line naming the file, the field path and what is allowed."""

from __future__ import annotations

import copy
import json
import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from rehab.core.catalog import load_catalog
from rehab.core.template import (
    SLOTS,
    Exercise,
    Program,
    TemplateError,
    load_program_file,
    parse_program,
    program_from_snapshot,
)

REPO = Path(__file__).resolve().parents[1]
PROGRAMS = REPO / "programs"

BASE: dict[str, Any] = {
    "id": "test-prog",
    "name": "Test program",
    "summary": "A small valid program for tests.",
    "conditions": ["heel-pain"],
    "weeks": 6,
    "sources": ["test"],
    "phases": [
        {"id": "early", "name": "Early", "weeks": [1, 3]},
        {"id": "late", "name": "Late", "weeks": [4, 6]},
    ],
    "exercises": [
        {
            "id": "calf-stretch",
            "name": "Calf stretch",
            "kind": "stretch",
            "instructions": "Lean on a wall.",
            "side": "each",
            "sets": [2, 3],
            "hold_seconds": 30,
            "source": "test",
        },
        {
            "id": "heel-raise",
            "name": "Heel raise",
            "kind": "strengthen",
            "instructions": "Rise on both toes.",
            "phases": ["late"],
            "sets": 3,
            "reps": 15,
            "load_step_kg": 2.5,
            "times_per_day": 2,
            "slots": ["morning", "evening"],
            "by_week": [{"weeks": [4, 5], "sets": 3, "reps": [8, 12]}],
            "source": ["test"],
        },
    ],
}


# --- a tiny TOML writer (tomllib only reads) --------------------------------------------------


def _toml_key(key: str) -> str:
    return key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else json.dumps(key)


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value)  # JSON string escapes are valid TOML basic-string escapes
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        items = ", ".join(f"{_toml_key(k)} = {_toml_value(v)}" for k, v in value.items())
        return "{" + items + "}"
    raise TypeError(value)


def to_toml(data: dict[str, Any]) -> str:
    lines: list[str] = []
    tables: list[tuple[str, dict[str, Any]]] = []
    for key, value in data.items():
        if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            tables.extend((key, v) for v in value)
        else:
            lines.append(f"{_toml_key(key)} = {_toml_value(value)}")
    for key, table in tables:
        lines.append(f"\n[[{_toml_key(key)}]]")
        lines.extend(f"{_toml_key(k)} = {_toml_value(v)}" for k, v in table.items())
    return "\n".join(lines) + "\n"


def write_program(directory: Path, data: dict[str, Any], stem: str | None = None) -> Path:
    path = directory / f"{stem or data['id']}.toml"
    path.write_text(to_toml(data), encoding="utf-8")
    return path


def base() -> dict[str, Any]:
    return copy.deepcopy(BASE)


def assert_one_line(message: str) -> None:
    assert message
    assert "\n" not in message and "\r" not in message, message


# --- the valid base is valid -----------------------------------------------------------------


def test_base_is_valid_and_round_trips_through_a_file(tmp_path: Path) -> None:
    program = parse_program(base())
    assert isinstance(program, Program)
    assert program.exercise("heel-raise").slots == ["morning", "evening"]
    assert program.exercise("calf-stretch").source == ["test"]  # one string → list
    loaded = load_program_file(write_program(tmp_path, base()))
    assert loaded == program
    assert program_from_snapshot(program.snapshot()) == program
    assert loaded.snapshot_hash() == program.snapshot_hash()


def test_bundled_programs_are_valid() -> None:
    files = sorted(PROGRAMS.glob("*.toml"))
    assert files
    for path in files:
        assert load_program_file(path).id == path.stem


# --- table of bad templates, each through parse_program and through load_program_file --------

Mutation = Callable[[dict[str, Any]], None]


def _set(path: str, value: Any) -> Mutation:
    """`_set("exercises.0.sets", 3)` sets a nested value; missing keys are created."""

    def mutate(data: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        node: Any = data
        for part in parents:
            node = node[int(part)] if isinstance(node, list) else node[part]
        if isinstance(node, list):
            node[int(last)] = value
        else:
            node[last] = value

    return mutate


def _drop(path: str) -> Mutation:
    def mutate(data: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        node: Any = data
        for part in parents:
            node = node[int(part)] if isinstance(node, list) else node[part]
        del node[last]

    return mutate


def _both(*mutations: Mutation) -> Mutation:
    def mutate(data: dict[str, Any]) -> None:
        for m in mutations:
            m(data)

    return mutate


EXERCISE_FIELDS = ", ".join(Exercise.model_fields)
SLOT_LIST = "'morning', 'midday', 'evening', 'night' or 'any'"

# (case id, mutation, field path the line must name, fragments that must appear in it)
BAD: list[tuple[str, Mutation, str, list[str]]] = [
    (
        "wrong-type-int",
        _set("exercises.0.times_per_day", "twice"),
        "exercises[0].times_per_day",
        ["valid integer"],
    ),
    (
        "wrong-type-span",
        _set("exercises.0.sets", "two"),
        "exercises[0].sets",
        ["expected a number or a pair [min, max] of numbers"],
    ),
    (
        "wrong-type-bool-span",
        _set("exercises.0.hold_seconds", True),
        "exercises[0].hold_seconds",
        ["got true/false"],
    ),
    (
        "wrong-type-span-triple",
        _set("exercises.0.sets", [1, 2, 3]),
        "exercises[0].sets",
        ["pair [min, max]"],
    ),
    (
        "wrong-type-list",
        _set("exercises", {"id": "x"}),
        "exercises",
        ["valid list"],
    ),
    (
        "unknown-field-exercise",
        _set("exercises.0.repetitions", 10),
        "exercises[0].repetitions",
        ["unknown field 'repetitions'", f"(allowed: {EXERCISE_FIELDS})"],
    ),
    (
        "unknown-field-top",
        _set("duration", 6),
        "duration",
        ["unknown field 'duration'", "allowed: id, name, summary, conditions, weeks"],
    ),
    (
        "unknown-field-phase",
        _set("phases.1.length", 3),
        "phases[1].length",
        ["unknown field 'length'", "allowed: id, name, weeks, goal, advance_when"],
    ),
    (
        "unknown-field-by-week",
        _set("exercises.1.by_week.0.tempo", "3-0-3"),
        "exercises[1].by_week[0].tempo",
        [
            "unknown field 'tempo'",
            "(allowed: weeks, sets, reps, hold_seconds, minutes, load, load_kg)",
        ],
    ),
    (
        "unknown-field-with-line-break",
        _set("a\nb", 1),
        "a\\nb",
        ["unknown field 'a\\nb'"],
    ),
    (
        "range-min-over-max",
        _set("exercises.0.sets", [3, 2]),
        "exercises[0].sets",
        ["min 3 is greater than max 2", "allowed: [min, max] with min ≤ max"],
    ),
    (
        "range-min-over-max-by-week",
        _set("exercises.1.by_week.0.reps", [12, 8]),
        "exercises[1].by_week[0].reps",
        ["min 12 is greater than max 8"],
    ),
    (
        "negative-span",
        _set("exercises.0.hold_seconds", -30),
        "exercises[0].hold_seconds",
        ["-30 is negative", "allowed: 0 or more"],
    ),
    (
        "negative-range-low",
        _set("exercises.0.sets", [-1, 2]),
        "exercises[0].sets",
        ["-1 is negative", "allowed: 0 or more"],
    ),
    (
        "negative-load",
        _set("exercises.1.load_kg", -5),
        "exercises[1].load_kg",
        ["greater than or equal to 0"],
    ),
    (
        "nan-span",
        _set("exercises.0.sets", float("nan")),
        "exercises[0].sets",
        ["not a finite number"],
    ),
    (
        "nan-phase-weeks",
        _set("phases.0.weeks", [1, float("nan")]),
        "phases[0].weeks",
        ["not a finite number"],
    ),
    (
        "rest-too-long",
        _set("exercises.0.rest_seconds", 601),
        "exercises[0].rest_seconds",
        ["less than or equal to 600"],
    ),
    (
        "unknown-phase",
        _set("exercises.1.phases", ["late", "middle"]),
        "exercises[1].phases[1]",
        ["no phase 'middle' in this program", "(allowed: early, late)"],
    ),
    (
        "unknown-slot",
        _set("exercises.0.slots", ["dawn"]),
        "exercises[0].slots[0]",
        [SLOT_LIST],
    ),
    (
        "unknown-kind",
        _set("exercises.0.kind", "yoga"),
        "exercises[0].kind",
        ["'stretch'", "'comfort'"],
    ),
    (
        "unknown-days",
        _set("exercises.0.days", "weekly"),
        "exercises[0].days",
        ["'daily', 'every-other-day' or '3-per-week'"],
    ),
    (
        "slots-count-mismatch",
        _both(
            _set("exercises.0.times_per_day", 3), _set("exercises.0.slots", ["morning", "night"])
        ),
        "exercises[0].slots",
        ["2 slots for times_per_day = 3", "(allowed: one slot, or exactly 3)"],
    ),
    (
        "duplicate-exercise-id",
        _set("exercises.1.id", "calf-stretch"),
        "exercises[1].id",
        ["'calf-stretch' is used twice", "ids must be unique"],
    ),
    (
        "duplicate-phase-id",
        _both(_set("phases.1.id", "early"), _set("exercises.1.phases", ["early"])),
        "phases[1].id",
        ["'early' is used twice"],
    ),
    (
        "phase-weeks-past-end",
        _set("phases.1.weeks", [4, 8]),
        "phases[1].weeks",
        ["4–8 is outside the program", "(allowed: weeks 1 to 6)"],
    ),
    (
        "phase-weeks-before-start",
        _set("phases.0.weeks", [0, 3]),
        "phases[0].weeks",
        ["0–3 is outside the program", "(allowed: weeks 1 to 6)"],
    ),
    (
        "by-week-past-end",
        _set("exercises.1.by_week.0.weeks", [5, 7]),
        "exercises[1].by_week[0].weeks",
        ["5–7 is outside the program", "(allowed: weeks 1 to 6)"],
    ),
    (
        "by-week-week-zero",
        _set("exercises.1.by_week.0.weeks", 0),
        "exercises[1].by_week[0].weeks",
        ["0 is outside the program", "(allowed: weeks 1 to 6)"],
    ),
    (
        "missing-required-top",
        _drop("summary"),
        "summary",
        ["required field is missing"],
    ),
    (
        "missing-required-exercise",
        _drop("exercises.1.source"),
        "exercises[1].source",
        ["required field is missing"],
    ),
    (
        "missing-required-phase",
        _drop("phases.0.weeks"),
        "phases[0].weeks",
        ["required field is missing"],
    ),
    (
        "bad-id-pattern",
        _set("exercises.0.id", "Calf Stretch"),
        "exercises[0].id",
        ["lower-case letters, digits and dashes"],
    ),
    (
        "load-step-on-stretch",
        _set("exercises.0.load_step_kg", 1),
        "exercises[0].load_step_kg",
        ["only strengthening exercises take load steps", "'stretch'"],
    ),
    (
        "unknown-condition",
        _set("conditions", ["heel-pain", "knee-pain"]),
        "conditions[1]",
        ["'heel-pain'", "'plantar-fasciitis'"],
    ),
    (
        "empty-exercises",
        _set("exercises", []),
        "exercises",
        ["at least 1"],
    ),
    (
        "visa-a-not-a-bool",
        _set("visa_a", "yes"),
        "visa_a",
        ["valid boolean"],
    ),
    (
        "visa-a-on-plantar-fascia-only",
        _both(_set("conditions", ["plantar-fasciitis"]), _set("visa_a", True)),
        "visa_a",
        ["only plantar fasciitis", "(allowed: false, or leave it out)"],
    ),
    # doses no clinician would write: each bound is in the line
    ("sets-absurd", _set("exercises.0.sets", 1000000), "exercises[0].sets", ["up to 20"]),
    ("sets-range-absurd", _set("exercises.0.sets", [2, 21]), "exercises[0].sets", ["up to 20"]),
    ("reps-absurd", _set("exercises.1.reps", 101), "exercises[1].reps", ["up to 100"]),
    (
        "hold-absurd",
        _set("exercises.0.hold_seconds", 100000000),
        "exercises[0].hold_seconds",
        ["up to 600"],
    ),
    ("minutes-absurd", _set("exercises.0.minutes", 121), "exercises[0].minutes", ["up to 120"]),
    ("load-absurd", _set("exercises.1.load_kg", 201), "exercises[1].load_kg", ["200"]),
    ("load-step-absurd", _set("exercises.1.load_step_kg", 21), "exercises[1].load_step_kg", ["20"]),
    (
        "week-sets-absurd",
        _set("exercises.1.by_week.0.sets", 50),
        "exercises[1].by_week[0].sets",
        ["up to 20"],
    ),
    (
        "week-load-absurd",
        _set("exercises.1.by_week.0.load_kg", 1e9),
        "exercises[1].by_week[0].load_kg",
        ["200"],
    ),
]


@pytest.mark.parametrize(
    ("mutation", "field", "fragments"),
    [pytest.param(m, f, fr, id=name) for name, m, f, fr in BAD],
)
def test_parse_program_rejects_with_one_line(
    mutation: Mutation, field: str, fragments: list[str]
) -> None:
    data = base()
    mutation(data)
    with pytest.raises(TemplateError) as info:
        parse_program(data)
    message = str(info.value)
    assert_one_line(message)
    assert message.startswith(f"{field}: "), message
    for fragment in fragments:
        assert fragment in message, (fragment, message)


@pytest.mark.parametrize(
    ("mutation", "field", "fragments"),
    [pytest.param(m, f, fr, id=name) for name, m, f, fr in BAD],
)
def test_load_program_file_rejects_with_one_line_naming_the_file(
    tmp_path: Path, mutation: Mutation, field: str, fragments: list[str]
) -> None:
    data = base()
    mutation(data)
    path = write_program(tmp_path, data, stem="test-prog")
    with pytest.raises(TemplateError) as info:
        load_program_file(path)
    message = str(info.value)
    assert_one_line(message)
    assert message.startswith(f"{path}: {field}: "), message
    for fragment in fragments:
        assert fragment in message, (fragment, message)
    # the file's line is the template's line with the file in front
    with pytest.raises(TemplateError) as direct:
        parse_program(data)
    assert message == f"{path}: {direct.value}"


def test_only_the_first_error_is_reported() -> None:
    data = base()
    data["exercises"][0]["sets"] = [3, 2]
    data["exercises"][1]["reps"] = -1
    with pytest.raises(TemplateError) as info:
        parse_program(data)
    assert_one_line(str(info.value))
    assert str(info.value).startswith("exercises[0].sets: ")


# --- errors only a file can have ------------------------------------------------------------


def test_id_not_matching_file_name(tmp_path: Path) -> None:
    path = write_program(tmp_path, base(), stem="other-name")
    with pytest.raises(TemplateError) as info:
        load_program_file(path)
    message = str(info.value)
    assert_one_line(message)
    assert message == (
        f"{path}: id: 'test-prog' does not match the file name (allowed: id = 'other-name')"
    )


def test_non_utf8_file(tmp_path: Path) -> None:
    path = tmp_path / "test-prog.toml"
    path.write_bytes(to_toml(base()).replace("Lean", "L\xe9an").encode("latin-1"))
    with pytest.raises(TemplateError) as info:
        load_program_file(path)
    message = str(info.value)
    assert_one_line(message)
    assert message == f"{path}: not UTF-8 text (allowed: a TOML file)"


@pytest.mark.parametrize(
    "text",
    [
        'id = "test-prog"\nname = \n',
        'id = "test-prog"\n[[exercises]\n',
        'id = "a"\nid = "b"\n',
        'weeks = [1, 2\nname = "x"\n',
    ],
)
def test_invalid_toml(tmp_path: Path, text: str) -> None:
    path = tmp_path / "test-prog.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(TemplateError) as info:
        load_program_file(path)
    message = str(info.value)
    assert_one_line(message)
    assert message.startswith(f"{path}: not valid TOML (")
    assert "line" in message  # tomllib says where


def test_a_template_nested_50000_deep_is_one_line(tmp_path: Path) -> None:
    path = tmp_path / "test-prog.toml"
    path.write_text("id = " + "[" * 50_000 + "]" * 50_000 + "\n", encoding="utf-8")
    with pytest.raises(TemplateError) as info:
        load_program_file(path)
    assert str(info.value).startswith(f"{path}: not usable TOML (arrays or tables nested")


def test_a_5000_digit_number_is_one_line(tmp_path: Path) -> None:
    path = tmp_path / "test-prog.toml"
    path.write_text("weeks = " + "9" * 5000 + "\n", encoding="utf-8")
    with pytest.raises(TemplateError) as info:
        load_program_file(path)
    assert str(info.value).startswith(f"{path}: not usable TOML (a number with too many digits")


def test_a_template_that_never_ends_is_refused(tmp_path: Path) -> None:
    import os

    fifo = tmp_path / "fifo.toml"
    os.mkfifo(fifo)  # opening it to read would wait for a writer forever
    with pytest.raises(TemplateError, match="not a regular file"):
        load_program_file(fifo)
    big = tmp_path / "big.toml"
    big.write_bytes(b"# " + b"x" * (1 << 20) + b"\n")
    with pytest.raises(TemplateError, match="larger than 1 MiB"):
        load_program_file(big)


def test_the_dose_bounds_fit_every_built_in_program() -> None:
    """The limits are generous: the largest built-in doses are well inside them."""
    for path in sorted(PROGRAMS.glob("*.toml")):
        program = load_program_file(path)
        for exercise in program.exercises:
            for dose in [exercise, *exercise.by_week]:
                assert dose.sets is None or dose.sets.high <= 20
                assert dose.reps is None or dose.reps.high <= 100
                assert dose.hold_seconds is None or dose.hold_seconds.high <= 600
                assert dose.minutes is None or dose.minutes.high <= 120


def test_a_stored_snapshot_beyond_the_bounds_still_reads() -> None:
    """An enrollment started before the bounds existed is read back as it was stored."""
    data = base()
    data["exercises"][0]["sets"] = 30
    with pytest.raises(TemplateError, match="up to 20"):
        parse_program(data)
    snapshot = parse_program(base()).snapshot().replace('"high":3.0', '"high":30.0')
    assert program_from_snapshot(snapshot).exercises[0].sets.high == 30  # type: ignore[union-attr]


def test_unreadable_file(tmp_path: Path) -> None:
    path = tmp_path / "missing.toml"
    with pytest.raises(TemplateError) as info:
        load_program_file(path)
    message = str(info.value)
    assert_one_line(message)
    assert message.startswith(f"{path}: cannot read (")


def test_missing_required_field_in_file(tmp_path: Path) -> None:
    data = base()
    del data["weeks"]
    path = write_program(tmp_path, data)
    with pytest.raises(TemplateError) as info:
        load_program_file(path)
    assert str(info.value) == f"{path}: weeks: required field is missing"


def test_every_slot_is_accepted() -> None:
    data = base()
    data["exercises"][0]["times_per_day"] = len(SLOTS)
    data["exercises"][0]["slots"] = list(SLOTS)
    assert parse_program(data).exercise("calf-stretch").slots == list(SLOTS)


# --- the catalog ----------------------------------------------------------------------------


@pytest.fixture
def builtin_dir(tmp_path: Path) -> Path:
    directory = tmp_path / "builtin"
    directory.mkdir()
    shutil.copy(PROGRAMS / "heel-pain-self-care.toml", directory)
    write_program(directory, base())
    return directory


def test_catalog_lists_builtins_and_a_good_user_program(builtin_dir: Path, tmp_path: Path) -> None:
    user = tmp_path / "user"
    user.mkdir()
    mine = base()
    mine["id"] = "my-routine"
    mine_path = write_program(user, mine)
    catalog = load_catalog(builtin_dir, user)
    assert catalog.problems == []
    assert set(catalog.entries) == {"heel-pain-self-care", "test-prog", "my-routine"}
    assert catalog.entries["heel-pain-self-care"].builtin is True
    assert catalog.entries["test-prog"].builtin is True
    entry = catalog.entries["my-routine"]
    assert entry.builtin is False
    assert entry.path == mine_path
    assert catalog.get("my-routine").id == "my-routine"


def test_catalog_refuses_a_user_file_with_a_builtin_id(builtin_dir: Path, tmp_path: Path) -> None:
    user = tmp_path / "user"
    user.mkdir()
    copy_data = base()
    copy_data["name"] = "My edited copy"
    path = write_program(user, copy_data)  # test-prog.toml, id test-prog: a built-in's id
    catalog = load_catalog(builtin_dir, user)
    assert len(catalog.problems) == 1
    problem = catalog.problems[0]
    assert_one_line(problem)
    assert problem.startswith(f"{path}: id: 'test-prog' is a built-in program")
    assert "allowed: a new id" in problem
    entry = catalog.entries["test-prog"]
    assert entry.builtin is True
    assert entry.program.name == "Test program"  # the built-in was not replaced


def test_catalog_turns_a_broken_user_file_into_a_problem_line(
    builtin_dir: Path, tmp_path: Path
) -> None:
    user = tmp_path / "user"
    user.mkdir()
    broken = base()
    broken["id"] = "broken"
    broken["exercises"][0]["sets"] = [3, 2]
    broken_path = write_program(user, broken)
    (user / "garbage.toml").write_text("this is = = not toml\n", encoding="utf-8")
    good = base()
    good["id"] = "fine"
    write_program(user, good)
    catalog = load_catalog(builtin_dir, user)
    assert len(catalog.problems) == 2
    for problem in catalog.problems:
        assert_one_line(problem)
    assert catalog.problems[0].startswith(f"{broken_path}: exercises[0].sets: min 3 is greater")
    assert catalog.problems[1].startswith(f"{user / 'garbage.toml'}: not valid TOML")
    assert "broken" not in catalog.entries and "garbage" not in catalog.entries
    assert catalog.entries["fine"].builtin is False


def test_catalog_without_a_user_dir(builtin_dir: Path, tmp_path: Path) -> None:
    for user in (None, tmp_path / "does-not-exist"):
        catalog = load_catalog(builtin_dir, user)
        assert catalog.problems == []
        assert set(catalog.entries) == {"heel-pain-self-care", "test-prog"}


def test_catalog_get_unknown_lists_known_ids(builtin_dir: Path) -> None:
    catalog = load_catalog(builtin_dir, None)
    with pytest.raises(KeyError) as info:
        catalog.get("nope")
    assert "no program 'nope' (allowed: heel-pain-self-care, test-prog)" in str(info.value)


def test_catalog_lets_a_broken_builtin_raise(builtin_dir: Path) -> None:
    (builtin_dir / "bad.toml").write_text("nonsense\n", encoding="utf-8")
    with pytest.raises(TemplateError):
        load_catalog(builtin_dir, None)


# --- which programs offer the VISA-A (an Achilles questionnaire) ------------------------------


@pytest.mark.parametrize(
    ("conditions", "visa_a", "offers", "reminds"),
    [
        (["achilles-midportion"], None, True, True),
        (["achilles-insertional"], None, True, True),
        (["heel-spur", "retrocalcaneal-bursitis"], None, True, True),
        (["plantar-fasciitis"], None, False, False),
        (["heel-pain"], None, False, False),  # heel pain in general: not by itself
        # a mixed program: on offer for its Achilles patients, no two-weekly reminder
        (["heel-pain", "achilles-midportion", "plantar-fasciitis"], None, True, False),
        (["heel-pain"], True, True, True),  # the template decides
        (["achilles-midportion"], False, False, False),
        (["plantar-fasciitis"], False, False, False),
    ],
)
def test_visa_a_is_offered_by_the_conditions_unless_the_template_says(
    conditions: list[str], visa_a: bool | None, offers: bool, reminds: bool
) -> None:
    data = base()
    data["conditions"] = conditions
    if visa_a is not None:
        data["visa_a"] = visa_a
    program = parse_program(data)
    assert (program.offers_visa_a, program.reminds_visa_a) == (offers, reminds)


def test_visa_a_in_the_bundled_programs() -> None:
    offered = {path.stem: load_program_file(path).offers_visa_a for path in PROGRAMS.glob("*.toml")}
    assert [k for k, v in offered.items() if not v] == ["plantar-fasciitis"]


def test_a_snapshot_from_before_the_visa_a_field_gets_the_same_answer() -> None:
    """Enrollments store the template as it was: an old plantar-fascia snapshot has no
    `visa_a`, and its conditions still keep the VISA-A off it."""
    program = load_program_file(PROGRAMS / "plantar-fasciitis.toml")
    assert program.visa_a is False
    old = json.loads(program.snapshot())
    del old["visa_a"]
    restored = program_from_snapshot(json.dumps(old))
    assert restored.visa_a is None and not restored.offers_visa_a
    achilles = json.loads(load_program_file(PROGRAMS / "achilles-midportion.toml").snapshot())
    del achilles["visa_a"]
    assert program_from_snapshot(json.dumps(achilles)).offers_visa_a
