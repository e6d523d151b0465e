"""The built-in program templates: they validate, carry the seeds' and papers' doses, and expand.

The doses asserted here are the ones in ../shared/CLINICAL.md. A template that drifts from
them (a typo in a table, a stretch that loses its 30 s hold) must fail here, not reach a
patient.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path

import pytest

from rehab.core.schedule import DayPlan, EnrollmentSide, Progression, plan_day
from rehab.core.template import DoseRange, Exercise, Program, load_program_file
from tests.conftest import Rehab

REPO = Path(__file__).parents[1]
PROGRAMS = REPO / "programs"
SEEDS = Path(__file__).parents[1].parent / "shared" / "seeds"
SEED_000 = "000_4546d74372f3ff20.txt"
SEED_001 = "001_e9ad59e2cb018b7e.txt"
SEED_002 = "002_c98f0c718b15c81d.txt"
SEED_NAME = re.compile(r"^\d{3}_[0-9a-f]{16}\.txt$")
MEDICATION_DOSE = re.compile(r"\d\s*mg\b|\bmg\b|milligram|tablet", re.IGNORECASE)

REQUIRED = {
    "heel-pain-self-care",
    "achilles-midportion",
    "achilles-midportion-alfredson",
    "achilles-midportion-hsr",
    "achilles-insertional",
    "posterior-heel-spur",
    "retrocalcaneal-bursitis",
    "haglunds-deformity",
    "plantar-fasciitis",
}
# Templates whose sources give a strengthening dose (Haglund's and first-line self-care don't).
STRENGTHENING = REQUIRED - {"heel-pain-self-care", "haglunds-deformity"}
START = date(2025, 1, 27)
SIDES: tuple[EnrollmentSide, ...] = ("left", "right", "both")

FILES = sorted(PROGRAMS.glob("*.toml"))


def _program(program_id: str) -> Program:
    return load_program_file(PROGRAMS / f"{program_id}.toml")


def _all() -> list[Program]:
    return [load_program_file(path) for path in FILES]


def _span(value: DoseRange | None) -> tuple[float, float] | None:
    return None if value is None else (value.low, value.high)


def _sources(program: Program) -> list[str]:
    return [*program.sources, *(s for e in program.exercises for s in e.source)]


def _plan(
    program: Program, week: int, *, phase: str | None = None, side: EnrollmentSide = "left"
) -> DayPlan:
    progressions = [Progression(START, phase)] if phase else []
    day = START + timedelta(days=(week - 1) * 7)
    return plan_day(program, start=START, side=side, day=day, progressions=progressions)


# --- Loading ---------------------------------------------------------------------------------


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_every_template_validates(path: Path) -> None:
    program = load_program_file(path)
    assert program.id == path.stem


def test_required_templates_exist() -> None:
    assert {path.stem for path in FILES} >= REQUIRED


# --- Sources ---------------------------------------------------------------------------------


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_template_cites_a_seed(path: Path) -> None:
    sources = _sources(load_program_file(path))
    assert any(SEED_NAME.match(s) for s in sources)


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_every_cited_seed_has_a_title_to_show(path: Path) -> None:
    """`rehab programs show` names a seed by its title, not its hashed file name."""
    from rehab.core.wording import SEED_TITLES, source_title

    for source in _sources(load_program_file(path)):
        if SEED_NAME.match(source):
            assert source in SEED_TITLES, f"{path.name}: no title for {source}"
            shown = source_title(source)
            assert SEED_TITLES[source] in shown and source not in shown


@pytest.mark.skipif(not SEEDS.is_dir(), reason="seed folder ../shared/seeds not present")
def test_seed_titles_are_the_documents_own() -> None:
    from rehab.core.wording import SEED_TITLES

    for name, title in SEED_TITLES.items():
        first = (SEEDS / name).read_text(encoding="utf-8").splitlines()[0].strip()
        assert first == title, name


@pytest.mark.skipif(not SEEDS.is_dir(), reason="seed folder ../shared/seeds not present")
@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_seed_sources_name_real_files(path: Path) -> None:
    for source in _sources(load_program_file(path)):
        if SEED_NAME.match(source):
            assert (SEEDS / source).is_file(), f"{path.name}: no seed file {source}"


# --- Safety text -----------------------------------------------------------------------------


def test_medication_pattern_catches_a_dose() -> None:
    assert MEDICATION_DOSE.search("take 400 mg")
    assert MEDICATION_DOSE.search("two tablets")
    assert not MEDICATION_DOSE.search("Gentle walk, 15 min")


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_no_medication_dose(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert not MEDICATION_DOSE.search(text), MEDICATION_DOSE.search(text)


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_anti_inflammatory_only_as_directed(path: Path) -> None:
    program = load_program_file(path)
    assert any(
        "anti-inflammatory" in note.lower() and "as directed by your clinician" in note
        for note in program.notes
    )
    for exercise in program.exercises:
        assert "anti-inflammatory" not in exercise.name.lower()


def test_unverified_exercises_carry_no_numbers() -> None:
    for program in _all():
        for e in program.exercises:
            if e.unverified:
                numbers = (e.sets, e.reps, e.hold_seconds, e.minutes, e.load_kg, e.load_step_kg)
                assert numbers == (None,) * 6, f"{program.id}/{e.id}"
                assert not e.by_week and e.load is None, f"{program.id}/{e.id}"


# --- The seeds' table ------------------------------------------------------------------------


def _find(program: Program, *, kind: str, name: str) -> Exercise:
    found = [e for e in program.exercises if e.kind == kind and name in e.name.lower()]
    assert found, f"{program.id}: no {kind} named like {name!r}"
    return found[0]


def test_morning_massage_then_gentle_walk() -> None:
    program = _program("heel-pain-self-care")
    massage = _find(program, kind="massage", name="morning foot massage")
    walk = _find(program, kind="walk", name="walk")
    assert massage.slots == ["morning"] and SEED_000 in massage.source
    assert _span(walk.minutes) == (15, 15)
    assert walk.slots == ["morning"] and SEED_000 in walk.source


@pytest.mark.parametrize("name", ["hamstring stretch", "calf stretch", "plantar fascia stretch"])
def test_seed_stretches_in_self_care(name: str) -> None:
    stretch = _find(_program("heel-pain-self-care"), kind="stretch", name=name)
    assert _span(stretch.hold_seconds) == (30, 30)
    assert _span(stretch.sets) == (2, 3)
    assert stretch.side == "each"
    assert SEED_000 in stretch.source


def test_every_seed_stretch_keeps_the_seed_dose() -> None:
    ids = {"hamstring-stretch", "calf-stretch", "plantar-fascia-stretch"}
    for program in _all():
        for e in program.exercises:
            if e.id in ids:
                assert _span(e.hold_seconds) == (30, 30), f"{program.id}/{e.id}"
                assert _span(e.sets) == (2, 3), f"{program.id}/{e.id}"
                assert e.side == "each" and SEED_000 in e.source, f"{program.id}/{e.id}"


def test_every_ice_dose_is_the_seed_dose() -> None:
    for program in _all():
        for e in program.exercises:
            if e.kind == "ice":
                assert _span(e.minutes) == (15, 20), program.id
                assert e.times_per_day == 3 and e.as_needed, program.id
                assert SEED_000 in e.source or SEED_002 in e.source, program.id


@pytest.mark.parametrize("program_id", sorted(REQUIRED))
def test_every_template_has_icing(program_id: str) -> None:
    assert any(e.kind == "ice" for e in _program(program_id).exercises)


def test_ice_and_compression_for_bursitis() -> None:
    ice = _find(_program("retrocalcaneal-bursitis"), kind="ice", name="compression")
    assert SEED_001 in ice.source
    assert _span(ice.minutes) == (15, 20)


@pytest.mark.parametrize("program_id", ["heel-pain-self-care", "plantar-fasciitis"])
def test_night_splint(program_id: str) -> None:
    splint = _find(_program(program_id), kind="splint", name="night splint")
    assert splint.slots == ["night"] and SEED_000 in splint.source
    assert "podiatrist" in splint.instructions


def test_rigid_arch_supports() -> None:
    supports = [
        e
        for program in _all()
        for e in program.exercises
        if e.kind == "footwear" and "rigid" in e.instructions and "not gel" in e.instructions
    ]
    assert supports and all(SEED_000 in e.source for e in supports)


def test_foam_roller_or_massage_stick_is_dose_free() -> None:
    rollers = [
        e
        for program in _all()
        for e in program.exercises
        if e.kind == "massage" and "massage stick" in e.name.lower()
    ]
    assert rollers
    for e in rollers:
        assert (e.sets, e.reps, e.minutes, e.hold_seconds) == (None, None, None, None)
        assert SEED_001 in e.source or SEED_002 in e.source


@pytest.mark.parametrize("name", ["menthol gel", "brace"])
def test_optional_comfort_measures(name: str) -> None:
    items = [
        e
        for program in _all()
        for e in program.exercises
        if e.kind == "comfort" and name in e.name.lower()
    ]
    assert items
    for e in items:
        assert e.as_needed and SEED_002 in e.source
        assert (e.sets, e.reps, e.minutes) == (None, None, None)


@pytest.mark.parametrize("program_id", ["haglunds-deformity", "retrocalcaneal-bursitis"])
def test_heel_lift_and_open_backed_shoes(program_id: str) -> None:
    program = _program(program_id)
    lift = _find(program, kind="footwear", name="heel lift")
    shoes = _find(program, kind="footwear", name="open-backed")
    assert SEED_002 in lift.source and SEED_002 in shoes.source


def test_functional_training_is_late_and_unverified() -> None:
    program = _program("achilles-midportion")
    training = _find(program, kind="strengthen", name="sport-specific")
    assert training.unverified and SEED_001 in training.source
    assert set(training.phases) <= {"phase-3", "phase-4"}


def test_progressive_strengthening() -> None:
    for program_id in STRENGTHENING:
        program = _program(program_id)
        strengthen = [e for e in program.exercises if e.kind == "strengthen"]
        assert strengthen, program_id
        steps = any(e.load_step_kg or len(e.by_week) > 1 for e in strengthen)
        phased = len({p for e in strengthen for p in e.phases}) > 1
        assert steps or phased, program_id


# --- Published protocols ---------------------------------------------------------------------


def test_silbernagel_phases() -> None:
    program = _program("achilles-midportion")
    expected = {
        "two-leg-raise-floor": ("phase-1", (10, 15)),
        "one-leg-raise-floor": ("phase-1", (10, 10)),
        "seated-raise-phase-1": ("phase-1", (10, 10)),
        "eccentric-raise-floor": ("phase-1", (10, 10)),
        "two-leg-raise-step": ("phase-2", (15, 15)),
        "one-leg-raise-step": ("phase-2", (10, 10)),
        "seated-raise-phase-2": ("phase-2", (15, 15)),
        "eccentric-raise-step": ("phase-2", (15, 15)),
        "quick-rebound-raise": ("phase-2", (20, 20)),
    }
    for exercise_id, (phase, reps) in expected.items():
        e = program.exercise(exercise_id)
        assert e.phases[0] == phase and e.days == "daily", exercise_id
        assert _span(e.sets) == (3, 3) and _span(e.reps) == reps, exercise_id
    weeks = {p.id: (_span(p.weeks), p.unverified) for p in program.phases}
    assert weeks == {
        "phase-1": ((1, 2), False),
        "phase-2": ((2, 5), False),
        "phase-3": ((3, 12), True),
        "phase-4": ((12, 26), True),
    }
    notes = " ".join(program.notes)
    assert "5/10" in notes and "next morning" in notes


def test_alfredson() -> None:
    program = _program("achilles-midportion-alfredson")
    assert program.weeks == 12
    for exercise_id in ("heel-drop-straight-knee", "heel-drop-bent-knee"):
        e = program.exercise(exercise_id)
        assert (_span(e.sets), _span(e.reps)) == ((3, 3), (15, 15))
        assert e.times_per_day == 2 and e.slots == ["morning", "evening"]
        assert e.days == "daily" and e.side == "affected" and e.load_step_kg == 5
        assert "Alfredson 1998, Am J Sports Med 26:360" in e.source
    plan = _plan(program, 1)
    reps = sum(d.sets.high * d.reps.high for d in plan.doses if d.sets and d.reps)
    assert reps == 180


def test_alfredson_load_step_is_applied_only_when_accepted() -> None:
    program = _program("achilles-midportion-alfredson")
    day = START + timedelta(days=20)
    before = plan_day(program, start=START, side="right", day=day)
    after = plan_day(
        program, start=START, side="right", day=day, progressions=[Progression(START, None, 2)]
    )
    assert {d.load_kg for d in before.doses if d.kind == "strengthen"} == {None}
    assert {d.load_kg for d in after.doses if d.kind == "strengthen"} == {10}


HSR_TABLE = [
    ((1, 1), (3, 3), (15, 15), "15RM"),
    ((2, 3), (3, 3), (12, 12), "12RM"),
    ((4, 5), (4, 4), (10, 10), "10RM"),
    ((6, 8), (4, 4), (8, 8), "8RM"),
    ((9, 12), (4, 4), (6, 6), "6RM"),
]


def test_heavy_slow_resistance_table() -> None:
    program = _program("achilles-midportion-hsr")
    assert program.weeks == 12
    ids = ["seated-calf-raise", "leg-press-calf-raise", "standing-calf-raise"]
    for exercise_id in ids:
        e = program.exercise(exercise_id)
        assert e.kind == "strengthen" and e.days == "3-per-week"
        assert e.tempo == "3 s up, 3 s down"
        table = [
            (_span(w.weeks), _span(w.sets), _span(w.reps), (w.load or "").split(" ")[0])
            for w in e.by_week
        ]
        assert table == HSR_TABLE, exercise_id
    for (first, last), sets, reps, _ in HSR_TABLE:
        for week in (first, last):
            doses = [d for d in _plan(program, week).doses if d.kind == "strengthen"]
            assert len(doses) == 3
            assert {(_span(d.sets), _span(d.reps)) for d in doses} == {(sets, reps)}


def test_rathleff_heel_raise() -> None:
    program = _program("plantar-fasciitis")
    e = program.exercise("high-load-heel-raise")
    assert e.days == "every-other-day" and e.side == "affected"
    assert e.tempo == "3 s up, 2 s hold, 3 s down"
    assert "towel" in e.instructions and "backpack" in (e.load or "")
    table = [(_span(w.weeks), _span(w.sets), _span(w.reps)) for w in e.by_week]
    assert table == [
        ((1, 2), (3, 3), (12, 12)),
        ((3, 4), (4, 4), (10, 10)),
        ((5, 12), (5, 5), (8, 8)),
    ]
    assert "Rathleff 2015, Scand J Med Sci Sports 25:e292" in e.source


def test_digiovanni_stretch() -> None:
    e = _program("plantar-fasciitis").exercise("pf-stretch")
    assert e.kind == "stretch"
    assert _span(e.hold_seconds) == (10, 10) and _span(e.sets) == (10, 10)
    assert e.times_per_day == 3 and e.slots[0] == "morning" and len(e.slots) == 3
    assert "before you stand up" in e.instructions
    assert any(s.startswith("DiGiovanni 2003") for s in e.source)


@pytest.mark.parametrize(
    "program_id", ["achilles-insertional", "posterior-heel-spur", "retrocalcaneal-bursitis"]
)
def test_jonsson_floor_level_eccentrics(program_id: str) -> None:
    program = _program(program_id)
    e = program.exercise("floor-heel-drop")
    assert (_span(e.sets), _span(e.reps)) == ((3, 3), (15, 15))
    assert e.times_per_day == 2 and e.side == "affected" and e.days == "daily"
    assert "Jonsson 2008, Br J Sports Med 42:746" in e.source
    assert program.weeks == 12
    caution = "do not let the heel drop below the floor"
    assert any(caution in c for c in program.cautions)
    assert any(caution in c for c in e.cautions)


# Templates for pain at the tendon's insertion: a calf stretch that goes to the end of
# dorsiflexion (heel pushed down, or hanging off a step) presses the insertion against the heel
# bone, which their floor-level heel drops avoid (Jonsson 2008: no dorsiflexion below floor
# level). Their stretch stays (seed 000 prescribes it) but on flat ground, short of end range.
INSERTION = [
    "achilles-insertional",
    "posterior-heel-spur",
    "retrocalcaneal-bursitis",
    "haglunds-deformity",
]
MIDPORTION = ["achilles-midportion", "achilles-midportion-alfredson", "achilles-midportion-hsr"]
MIDPORTION_STRETCH = (
    "Hands on a wall, back leg straight and heel down, lean in until the calf pulls. "
    "Hold still, do not bounce."
)
# Wording that would send the heel below the floor or push it down to the end of the range.
END_RANGE = re.compile(
    r"off (?:a|the) (?:step|stair|kerb|curb)|edge|hang|below|heel down|drop|"
    r"(?<!not )as far as (?:you|it) can|deeper",
    re.IGNORECASE,
)


def _calf_stretch(program_id: str) -> Exercise:
    return _program(program_id).exercise("calf-stretch")


@pytest.mark.parametrize("program_id", INSERTION)
def test_insertion_templates_stretch_the_calf_on_flat_ground_short_of_a_pinch(
    program_id: str,
) -> None:
    e = _calf_stretch(program_id)
    # still the seed's stretch, with its dose and sources
    assert e.kind == "stretch" and e.side == "each" and not e.unverified
    assert (_span(e.hold_seconds), _span(e.sets)) == ((30, 30), (2, 3))
    assert SEED_000 in e.source and "Bandy 1997, Phys Ther 77:1090" in e.source
    # how it is done: flat ground, the heel resting on the floor, stop before a pinch
    how = e.instructions
    assert how.startswith("On flat ground") and "flat ground" in e.name
    assert "heel resting on the floor, not pressed into it" in how
    assert "Stop before anything pinches at the back of the heel" in how
    assert "step" not in how.lower() and "kerb" not in how.lower()
    assert not END_RANGE.findall(how), f"{program_id}: {END_RANGE.findall(how)}"
    # the cautions say what not to do, and why
    cautions = " ".join(e.cautions)
    assert "Flat ground only: never let the heel hang off a step" in cautions
    assert "Stop before it pinches at the back of the heel" in cautions


def test_insertion_templates_share_one_calf_stretch() -> None:
    first, *others = [_calf_stretch(p) for p in INSERTION]
    for other in others:
        assert (other.name, other.instructions, other.cautions) == (
            first.name,
            first.instructions,
            first.cautions,
        )


@pytest.mark.parametrize("program_id", INSERTION)
def test_no_stretch_in_an_insertion_template_drops_the_heel_over_a_step(program_id: str) -> None:
    for e in _program(program_id).exercises:
        if e.kind in ("stretch", "mobility"):
            found = END_RANGE.findall(e.instructions)
            assert not found, f"{program_id}/{e.id}: {found}"


@pytest.mark.parametrize("program_id", INSERTION)
def test_the_flat_ground_calf_stretch_is_planned_for_both_legs(program_id: str) -> None:
    plan = plan_day(_program(program_id), start=START, side="left", day=START)
    doses = [d for d in plan.doses if d.exercise_id == "calf-stretch"]
    assert sorted(d.side or "" for d in doses) == ["left", "right"]
    assert doses[0].describe() == "Calf stretch on flat ground, 30 s hold × 2–3, left leg"


@pytest.mark.parametrize("program_id", MIDPORTION)
def test_midportion_templates_keep_the_usual_calf_stretch(program_id: str) -> None:
    e = _calf_stretch(program_id)
    assert (e.name, e.instructions, e.cautions) == ("Calf stretch", MIDPORTION_STRETCH, [])
    assert (_span(e.hold_seconds), _span(e.sets), e.side) == ((30, 30), (2, 3), "each")


@pytest.mark.parametrize("program_id", INSERTION)
def test_programs_show_prints_the_flat_ground_stretch(rehab: Rehab, program_id: str) -> None:
    result = rehab("programs", "show", program_id, db=False)
    assert result.code == 0, result.err
    e = _calf_stretch(program_id)
    assert "Calf stretch on flat ground, 30 s hold × 2–3, each leg" in result.out
    assert f"How: {e.instructions}" in result.out
    for caution in e.cautions:
        assert f"! {caution}" in result.out
    assert "heel down" not in result.out


def test_haglunds_tiptoe_note_and_nerve_caution() -> None:
    program = _program("haglunds-deformity")
    assert any("tiptoe" in n and "not painful" in n for n in program.notes)
    cautions = " ".join(program.cautions).lower()
    for word in ("numbness", "burning", "tingling", "clinician"):
        assert word in cautions


# --- Expansion -------------------------------------------------------------------------------


def _every_day(program: Program) -> list[DayPlan]:
    plans = []
    for phase in program.phases:
        progressions = [Progression(START, phase.id, 1)]
        for side in SIDES:
            for offset in range(program.weeks * 7):
                day = START + timedelta(days=offset)
                plan = plan_day(program, start=START, side=side, day=day, progressions=progressions)
                assert plan.status == "active" and plan.phase == phase
                for dose in plan.doses:
                    assert dose.describe().startswith(dose.name)
                    if side != "both" and program.exercise(dose.exercise_id).side == "affected":
                        assert dose.side == side
                plans.append(plan)
    return plans


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_expands_every_day_on_every_side(path: Path) -> None:
    program = load_program_file(path)
    plans = _every_day(program)
    kinds = {d.kind for plan in plans for d in plan.doses}
    assert "stretch" in kinds
    if program.id in STRENGTHENING:
        assert "strengthen" in kinds
    end = START + timedelta(days=program.weeks * 7)
    assert plan_day(program, start=START, side="both", day=end).status == "ended"


def test_unverified_phase_hides_numbers() -> None:
    program = _program("achilles-midportion")
    for phase in ("phase-3", "phase-4"):
        plan = _plan(program, 13, phase=phase)
        own = [d for d in plan.doses if phase in program.exercise(d.exercise_id).phases]
        assert own, phase
        for dose in own:
            assert dose.describe() == f"{dose.name}: ask your clinician for the dose"
