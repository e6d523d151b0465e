"""A small clinic for the roster tests: benchmarks/make_clinic.py's generator (fixed seed),
26 patients with nine weeks each, plus entries made through the app's own functions: a
check-off and a pain score undone, a check-off taken back (voided) and one logged again.

The generator draws the same rows whatever the engine, so the same clinic can be built in
SQLite and in PostgreSQL.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

from sqlmodel import Session

from rehab.core import clock
from rehab.errors import UsageProblem
from rehab.store import journal
from rehab.store.db import open_engine

REPO = Path(__file__).resolve().parents[1]
PATIENTS = 26
DAYS = 63
UNDONE = 4  # the patient whose entries were undone and voided
TAILORED = (1, 5, 6, 9, 12)  # patients whose therapist changed a dose or removed an exercise


def generator() -> ModuleType:
    name = "make_clinic"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, REPO / "benchmarks" / "make_clinic.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def name_of(i: int) -> str:
    return str(generator().patient_name(i))


def _tailor(s: Session, name: str, *, remove: bool) -> None:
    """Fewer calf-stretch sets (or no calf stretch) from ten days ago, by a therapist."""
    from datetime import timedelta

    from rehab.store.prescriptions import Request, prescribe

    patient = journal.find_patient(s, name=name)
    enrollment = journal.require_enrollment(s, patient=patient)
    today = clock.today_in(journal.patient_zone(patient))
    ids = {e.id for e in journal.program_of(enrollment).exercises}
    if "calf-stretch" not in ids:
        return
    effective = max(enrollment.start_date, today - timedelta(days=10))
    request = Request(
        action="remove" if remove else "change",
        exercise_id="calf-stretch",
        values={} if remove else {"sets": 1},
        by="Dr Costa",
        reason="tight calf",
        effective=effective,
    )
    try:
        prescribe(s, patient=patient, request=request)
    except UsageProblem:  # a program that has ended: nothing to tailor
        return


def build_clinic(url: str) -> None:
    generator().build(url, patients=PATIENTS, days=DAYS, seed=3)
    engine = open_engine(url)
    try:
        with Session(engine, expire_on_commit=False) as s, s.begin():
            patient = journal.find_patient(s, name=name_of(UNDONE))
            zone = journal.patient_zone(patient)
            today = clock.today_in(zone)
            view = journal.load_day(s, patient=patient, day=today)
            keys = [i.dose.key for i in view.items if i.status == "open"]
            if view.plan.status == "active" and len(keys) >= 2:
                rows = journal.record_done(s, patient=patient, day=today, key=keys[0])
                journal.void_action(s, action=rows[0].action)
                journal.record_done(s, patient=patient, day=today, key=keys[1])
            journal.record_pain(s, patient=patient, score=9, context="morning")
        with Session(engine, expire_on_commit=False) as s, s.begin():
            patient = journal.find_patient(s, name=name_of(UNDONE))
            journal.undo_last(s, patient=patient)  # the 9/10 was a typo
        for n, i in enumerate(TAILORED):
            with Session(engine, expire_on_commit=False) as s, s.begin():
                _tailor(s, name_of(i), remove=n % 2 == 1)
    finally:
        engine.dispose()
