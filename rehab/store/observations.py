"""What the patient reports: pain scores, morning symptom checks, questionnaires."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Column, Index, Text
from sqlmodel import Field, SQLModel

from rehab.store.models import instant


class PainEntry(SQLModel, table=True):
    __table_args__ = (Index("ix_painentry_patient_day", "patient_id", "local_date"),)

    id: int | None = Field(default=None, primary_key=True)
    patient_id: int = Field(foreign_key="patient.id")
    enrollment_id: int | None = Field(default=None, foreign_key="enrollment.id")
    at: datetime = instant()
    local_date: date
    context: str = Field(max_length=10)
    score: int
    site: str | None = Field(default=None, max_length=60)
    note: str | None = Field(default=None, max_length=500)
    logged_at: datetime = instant()
    voided_at: datetime | None = instant(nullable=True)


class SymptomCheck(SQLModel, table=True):
    __table_args__ = (Index("ix_symptomcheck_patient_day", "patient_id", "check_date"),)

    id: int | None = Field(default=None, primary_key=True)
    patient_id: int = Field(foreign_key="patient.id")
    enrollment_id: int | None = Field(default=None, foreign_key="enrollment.id")
    check_date: date
    stiffness_minutes: int | None = None
    swelling: bool | None = None
    redness: bool | None = None
    tiptoe_pain: bool | None = None
    note: str | None = Field(default=None, max_length=500)
    logged_at: datetime = instant()
    voided_at: datetime | None = instant(nullable=True)


class Assessment(SQLModel, table=True):
    """Outcome questionnaires (VISA-A): answers as JSON and the total score."""

    __table_args__ = (Index("ix_assessment_patient_day", "patient_id", "taken_on"),)

    id: int | None = Field(default=None, primary_key=True)
    patient_id: int = Field(foreign_key="patient.id")
    enrollment_id: int | None = Field(default=None, foreign_key="enrollment.id")
    instrument: str = Field(max_length=20)
    taken_on: date
    answers_json: str = Field(sa_column=Column(Text, nullable=False))
    score: int
    logged_at: datetime = instant()
    voided_at: datetime | None = instant(nullable=True)


class RedFlagEntry(SQLModel, table=True):
    """One red flag raised: which, when, from what (an answer or the log), the pause it opened
    or joined, and who cleared it when. Rows are never voided: a mistaken answer is cleared by
    a clinician like any other, and both stay in the audit trail."""

    __table_args__ = (Index("ix_redflagentry_enrollment", "enrollment_id", "cleared_at"),)

    id: int | None = Field(default=None, primary_key=True)
    patient_id: int = Field(foreign_key="patient.id")
    enrollment_id: int | None = Field(default=None, foreign_key="enrollment.id")
    flag: str = Field(max_length=30)
    source: str = Field(default="answer", max_length=10)  # answer | log
    raised_on: date
    raised_at: datetime = instant()
    detail: str | None = Field(default=None, max_length=500)
    check_id: int | None = Field(default=None, foreign_key="symptomcheck.id")
    pain_id: int | None = Field(default=None, foreign_key="painentry.id")
    pause_id: int | None = Field(default=None, foreign_key="pause.id")
    cleared_by: str | None = Field(default=None, max_length=60)
    cleared_on: date | None = None
    cleared_at: datetime | None = instant(nullable=True)
