"""The Clinic screen's side of the database: the roster, accepting a patient's advice as
their therapist, and every report at once. Each runs in a worker thread, in one
transaction, on the app's engine; imported by the worker (it loads SQLAlchemy)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from sqlmodel import Session

from rehab.core.clinic import RosterRow
from rehab.export.clinic import Written, export_all
from rehab.store import journal
from rehab.store.progress import accept
from rehab.store.roster import roster
from rehab.tui.backend import Backend


def load_roster(backend: Backend) -> list[RosterRow]:
    with Session(backend.engine()) as session, session.begin():
        return roster(session, now=backend.clock.now())


def accept_as_therapist(backend: Backend, patient_name: str, therapist: str) -> str:
    """Today's advice for the patient, accepted in the therapist's name (from tomorrow)."""
    from rehab.store.inputs import one_line_reason

    who = one_line_reason(therapist, examples="a therapist's name")[:60]
    now = backend.clock.now()
    with Session(backend.engine(), expire_on_commit=False) as session, session.begin():
        patient = journal.find_patient(session, name=patient_name)
        today = now.astimezone(journal.patient_zone(patient)).date()
        advice, change = accept(session, patient=patient, today=today, decided_by=who)
    return (
        f"Accepted for {patient_name} by {who} ({advice.decision}), from {change.effective_date}."
    )


def export_reports(backend: Backend, patients: list[str], folder: Path) -> Written:
    from rehab.export.clinic import check_folder

    now: datetime = backend.clock.now()
    target = check_folder(str(folder), now.date())
    with Session(backend.engine()) as session, session.begin():
        return export_all(session, patients=patients, folder=target, generated_at=now)
