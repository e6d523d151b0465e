"""VISA-A questionnaires in the journal: store one, list them, and say when one is due.

Whether one may be filled in at all is decided here, for the CLI and the app alike
(`visa_refusal`): not on a program that does not use it (the plantar fascia: the VISA-A is an
Achilles questionnaire), and not while a red flag is open, since it asks for one-leg heel
raises and hops. Scores already stored stay in the history, charts and exports either way.

Each is an Assessment row (instrument "visa-a"): the answers as JSON, so a stored
questionnaire can always be re-scored and re-validated, and the total score, which the
charts and the weekly summary read.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import Date, column, func, table
from sqlalchemy import select as aggregate
from sqlmodel import Session, col, select

from rehab.core import clock
from rehab.core.visa import Answers, score
from rehab.errors import Refused, UsageProblem
from rehab.store import inputs, journal
from rehab.store.models import Patient

if TYPE_CHECKING:
    from rehab.store.observations import Assessment

VISA_INSTRUMENT = "visa-a"  # the same as rehab.store.trends.VISA_INSTRUMENT
# How often `rehab today` offers the questionnaire on an Achilles program.
VISA_EVERY_DAYS = 14
RED_FLAG_REFUSAL = (
    "the program is paused for a red flag: the VISA-A asks for hops and heel raises; "
    "a clinician must clear the red flag first"
)

# `rehab today` asks only for the newest date: a bare table clause spares it building the
# observation models (rehab.store.models explains the cost).
_ASSESSMENT = table(
    "assessment",
    column("patient_id"),
    column("instrument"),
    column("taken_on", Date),
    column("voided_at"),
)


@dataclass(frozen=True)
class VisaEntry:
    id: int
    taken_on: date
    score: int
    answers: dict[str, object]


@dataclass(frozen=True)
class VisaRecorded:
    entry: VisaEntry
    first: VisaEntry | None  # the earliest score before this one (None: this is the first)
    previous: VisaEntry | None  # the score just before this one


def visa_history(session: Session, *, patient: Patient) -> list[VisaEntry]:
    """Every VISA-A score, oldest first (by the day taken, then the order entered)."""
    from rehab.store.observations import Assessment

    rows = session.exec(
        select(Assessment)
        .where(
            col(Assessment.patient_id) == patient.id,
            col(Assessment.instrument) == VISA_INSTRUMENT,
            col(Assessment.voided_at).is_(None),
        )
        .order_by(col(Assessment.taken_on), col(Assessment.id))
    ).all()
    return [_entry(row) for row in rows]


def _entry(row: Assessment) -> VisaEntry:
    assert row.id is not None
    return VisaEntry(row.id, row.taken_on, row.score, json.loads(row.answers_json))


def visa_refusal(session: Session, *, patient: Patient) -> str | None:
    """Why the VISA-A may not be filled in now, as one line; None when it may. With no active
    program it may (it is the patient's own record)."""
    from rehab.store.redflags import open_red_flags

    enrollment = journal.active_enrollment(session, patient=patient)
    if enrollment is None:
        return None
    program = journal.program_of(enrollment)
    if not program.offers_visa_a:
        return (
            "the VISA-A questionnaire is for Achilles problems; "
            f"the {program.name} program does not use it"
        )
    if open_red_flags(session, patient=patient) is not None:
        return RED_FLAG_REFUSAL
    return None


def refuse_visa_if_not_offered(session: Session, *, patient: Patient) -> None:
    """Raise the one-line refusal (nothing written) when the VISA-A is not offered: exit 2
    for a program without it, 1 while a red flag is open."""
    reason = visa_refusal(session, patient=patient)
    if reason == RED_FLAG_REFUSAL:
        raise Refused(reason, cli_hint=journal.CLEARED_CLI, app_hint=journal.CLEARED_APP)
    if reason is not None:
        raise UsageProblem(reason)


def check_visa_date(patient: Patient, taken_on: date, *, now: datetime | None = None) -> None:
    """Today or earlier, and not more than a year back (one line otherwise)."""
    today = (now or clock.now_utc()).astimezone(journal.patient_zone(patient)).date()
    inputs.not_future(taken_on, today, "date")
    inputs.not_too_old(taken_on, today, "date")


def record_visa(
    session: Session,
    *,
    patient: Patient,
    answers: Answers,
    taken_on: date,
    now: datetime | None = None,
) -> VisaRecorded:
    """Store a completed questionnaire and return it with the scores it compares against."""
    from rehab.store.observations import Assessment

    moment = now or clock.now_utc()
    refuse_visa_if_not_offered(session, patient=patient)
    check_visa_date(patient, taken_on, now=moment)
    enrollment = journal.active_enrollment(session, patient=patient)
    row = Assessment(
        patient_id=_patient_id(patient),
        enrollment_id=enrollment.id if enrollment else None,
        instrument=VISA_INSTRUMENT,
        taken_on=taken_on,
        answers_json=json.dumps(answers.to_dict()),
        score=score(answers),
        logged_at=moment,
    )
    session.add(row)
    session.flush()
    history = visa_history(session, patient=patient)
    at = next(i for i, item in enumerate(history) if item.id == row.id)
    before = history[:at]
    return VisaRecorded(history[at], before[0] if before else None, before[-1] if before else None)


def _patient_id(patient: Patient) -> int:
    assert patient.id is not None, "patient not flushed"
    return patient.id


def last_visa_day(session: Session, *, patient: Patient) -> date | None:
    day = session.execute(
        aggregate(func.max(_ASSESSMENT.c.taken_on)).where(
            _ASSESSMENT.c.patient_id == patient.id,
            _ASSESSMENT.c.instrument == VISA_INSTRUMENT,
            _ASSESSMENT.c.voided_at.is_(None),
        )
    ).scalar()
    return day if isinstance(day, date) else None


def visa_due(session: Session, *, patient: Patient, today: date) -> bool:
    """No score yet, or the last one is VISA_EVERY_DAYS days old or more."""
    last = last_visa_day(session, patient=patient)
    return last is None or today - last >= timedelta(days=VISA_EVERY_DAYS)


def visa_reminder_due(session: Session, *, patient: Patient, today: date) -> bool:
    """Whether to say "VISA-A due": the program reminds of it (rehab.core.template,
    `reminds_visa_a`), it may be filled in now (no red flag open), and one is due."""
    enrollment = journal.active_enrollment(session, patient=patient)
    if enrollment is None or not journal.program_of(enrollment).reminds_visa_a:
        return False
    if visa_refusal(session, patient=patient) is not None:
        return False
    return visa_due(session, patient=patient, today=today)
