"""The whole program of one patient, phase by phase, as their therapist tailored it: what the
app's Program screen shows (and what a therapist checks before changing a dose)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlmodel import Session

from rehab.core.prescription import Prescription, tailor
from rehab.core.schedule import (
    EnrollmentSide,
    Progression,
    current_phase,
    current_progression,
    plan_day,
)
from rehab.core.template import Exercise, Phase, Program
from rehab.store.enrollments import program_of, progressions_of, require_enrollment
from rehab.store.models import Patient
from rehab.store.prescriptions import as_prescription, prescription_rows

_ANCHOR = date(2001, 1, 1)  # a plan drawn on its own calendar: only weeks and phases matter


@dataclass(frozen=True)
class ExerciseLine:
    exercise_id: str
    name: str
    dose: str  # the dose in the app's words, or "ask your clinician for the dose"
    tailored: str | None  # "tailored by A. Costa from 2026-12-03 (why)"


@dataclass(frozen=True)
class PhaseView:
    name: str
    weeks: str
    goal: str
    current: bool
    exercises: tuple[ExerciseLine, ...]


@dataclass(frozen=True)
class ProgramView:
    program: str
    patient: str
    start: date
    phases: tuple[PhaseView, ...]
    every_phase: tuple[ExerciseLine, ...]  # exercises that run through the whole program
    removed: tuple[str, ...]  # "Menthol gel: taken out by A. Costa from 2026-12-03"
    history: tuple[str, ...]  # one line per prescription, oldest first
    changeable: tuple[tuple[str, str], ...]  # (id, name) of what a dose change can reach
    dose_now: dict[str, str]  # exercise id -> its dose in the phase in force (or the first)


def _describe(program: Program, exercise: Exercise, phase: Phase, level: int,
              side: EnrollmentSide) -> str:  # fmt: skip
    pday = (int(phase.weeks.low) - 1) * 7
    if exercise.days == "every-other-day" and pday % 2:
        pday += 1
    plan = plan_day(program, start=_ANCHOR, side=side, day=_ANCHOR + timedelta(days=pday),
                    progressions=[Progression(_ANCHOR, phase.id, level)])  # fmt: skip
    doses = [d for d in plan.doses if d.exercise_id == exercise.id and d.occurrence == 1]
    if not doses:
        return exercise.name
    return doses[0].describe("each leg" if len(doses) > 1 else None)


def _tailored_note(exercise: Exercise) -> str | None:
    given = exercise.prescribed
    if given is None:
        return None
    why = f" ({given.reason})" if given.reason else ""
    return f"tailored by {given.by} from {given.since}{why}"


def program_view(session: Session, *, patient: Patient, today: date) -> ProgramView:
    enrollment = require_enrollment(session, patient=patient)
    base = program_of(enrollment)
    rows = prescription_rows(session, enrollment=enrollment, voided=True)
    given: list[Prescription] = [as_prescription(r) for r in rows if r.voided_at is None]
    program = tailor(base, given)  # as it stands: changes from a later day too
    changes = progressions_of(session, enrollment=enrollment)
    now = current_phase(base, changes, today)
    change = current_progression(changes, today)
    level = change.load_level if change is not None else 0
    side: EnrollmentSide = (
        "left" if enrollment.side == "left" else "right" if enrollment.side == "right" else "both"
    )

    def line(exercise: Exercise, phase: Phase) -> ExerciseLine:
        dose = _describe(program, exercise, phase, level if phase.id == now.id else 0, side)
        return ExerciseLine(exercise.id, exercise.name, dose, _tailored_note(exercise))

    phases = tuple(
        PhaseView(
            name=phase.name,
            weeks=f"weeks {phase.weeks.text()}",
            goal=phase.goal,
            current=phase.id == now.id,
            exercises=tuple(
                line(e, phase) for e in program.exercises if e.phases and phase.id in e.phases
            ),
        )
        for phase in program.phases
    )
    every = tuple(line(e, now) for e in program.exercises if not e.phases)
    names = {e.id: e.name for e in base.exercises} | {e.id: e.name for e in program.exercises}
    removed = tuple(
        f"{names.get(p.exercise_id, p.exercise_id)}: taken out by {p.by} from {p.effective}"
        + (f" ({p.reason})" if p.reason else "")
        for p in given
        if p.action == "remove"
    )
    history = []
    for row in rows:
        item = as_prescription(row)
        undone = " [undone]" if row.voided_at is not None else ""
        why = f"; why: {row.reason}" if row.reason else ""
        history.append(
            f"from {row.effective_date}: {item.text(names.get(item.exercise_id))} "
            f"(by {row.prescribed_by}{why}){undone}"
        )
    return ProgramView(
        program=program.name,
        patient=patient.name,
        start=enrollment.start_date,
        phases=phases,
        every_phase=every,
        removed=removed,
        history=tuple(history),
        changeable=tuple((e.id, e.name) for e in program.exercises),
        dose_now={e.id: _dose_now(program, e, now, level, side) for e in program.exercises},
    )


def _dose_now(program: Program, exercise: Exercise, now: Phase, level: int,
              side: EnrollmentSide) -> str:  # fmt: skip
    if not exercise.phases or now.id in exercise.phases:
        return _describe(program, exercise, now, level, side)
    return _describe(program, exercise, program.phase(exercise.phases[0]), 0, side)
