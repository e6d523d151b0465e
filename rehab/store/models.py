"""The tables that make up a plan day: patients, enrollments, pauses, dose logs, phase
changes. Instants are UTC (aware in Python, naive UTC on disk); plan days are dates.

Rows are never deleted by the app: undo sets `voided_at`, so the therapist's export can show
what was corrected and when. Tables that `rehab today` does not read live in
`observations.py` and `preferences.py`: each SQLModel table costs ~8 ms to build at import.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Column, DateTime, Index, Text, TypeDecorator, UniqueConstraint
from sqlmodel import Field, SQLModel


class UTCDateTime(TypeDecorator[datetime]):
    """Stores naive UTC, returns aware UTC: SQLite keeps no offsets, PostgreSQL gets the same."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


def instant(*, nullable: bool = False, index: bool = False) -> Any:
    column: Column[datetime] = Column(UTCDateTime(), nullable=nullable, index=index)
    if nullable:
        return Field(default=None, sa_column=column)
    return Field(default_factory=utcnow, sa_column=column)


class Patient(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(index=True, unique=True, max_length=100)
    timezone: str | None = Field(default=None, max_length=64)
    created_at: datetime = instant()


class Enrollment(SQLModel, table=True):
    __table_args__ = (Index("ix_enrollment_patient_status", "patient_id", "status"),)

    id: int | None = Field(default=None, primary_key=True)
    patient_id: int = Field(foreign_key="patient.id")
    program_id: str = Field(max_length=60)
    program_name: str = Field(max_length=100)
    template_json: str = Field(sa_column=Column(Text, nullable=False))
    template_hash: str = Field(max_length=64)
    side: str = Field(max_length=5)
    start_date: date
    status: str = Field(default="active", max_length=10)
    created_at: datetime = instant()
    ended_at: datetime | None = instant(nullable=True)


class Pause(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    enrollment_id: int = Field(foreign_key="enrollment.id", index=True)
    start_date: date
    end_date: date | None = None
    reason: str = Field(max_length=200)
    created_at: datetime = instant()
    ended_at: datetime | None = instant(nullable=True)


class DoseLog(SQLModel, table=True):
    """One row per check-off (some or all sets of a planned dose) or skip.

    `seq` numbers the rows of one planned dose; the unique key means two processes, or a
    retried command, cannot both write the same check-off.
    """

    __table_args__ = (
        UniqueConstraint("enrollment_id", "plan_date", "item_key", "side", "seq"),
        Index("ix_doselog_enrollment_date", "enrollment_id", "plan_date"),
        Index("ix_doselog_action", "action"),
    )

    id: int | None = Field(default=None, primary_key=True)
    enrollment_id: int = Field(foreign_key="enrollment.id")
    plan_date: date
    item_key: str = Field(max_length=50)
    exercise_id: str = Field(max_length=40)
    occurrence: int = 1
    side: str = Field(default="", max_length=5)
    seq: int = 1
    action: str = Field(default="", max_length=32)  # rows written by one command share it
    status: str = Field(max_length=8)  # done | skipped
    sets: int | None = None
    reps: int | None = None
    hold_seconds: float | None = None
    minutes: float | None = None
    load_kg: float | None = None
    pain_during: int | None = None
    reason: str | None = Field(default=None, max_length=200)
    note: str | None = Field(default=None, max_length=500)
    logged_at: datetime = instant()
    voided_at: datetime | None = instant(nullable=True)


class PhaseChange(SQLModel, table=True):
    """An accepted progression: a new phase and/or load level from `effective_date` on."""

    id: int | None = Field(default=None, primary_key=True)
    enrollment_id: int = Field(foreign_key="enrollment.id", index=True)
    effective_date: date
    from_phase: str | None = Field(default=None, max_length=40)
    to_phase: str | None = Field(default=None, max_length=40)
    load_level: int = 0
    # a reduction held from this change on (rehab.core.schedule.Progression)
    set_cut: int = 0
    week_cap: int | None = None
    decision: str = Field(default="progress", max_length=10)  # progress | reduce
    reason: str = Field(default="", max_length=1000)
    decided_by: str = Field(default="patient", max_length=60)
    accepted_at: datetime = instant()
    voided_at: datetime | None = instant(nullable=True)


class PrescriptionRow(SQLModel, table=True):
    """A therapist's change to the program from `effective_date` on (rehab.core.prescription):
    a new dose for an exercise, an exercise added, or one removed. Nothing earlier changes."""

    __tablename__ = "prescription"
    __table_args__ = (Index("ix_prescription_enrollment", "enrollment_id", "effective_date"),)

    id: int | None = Field(default=None, primary_key=True)
    enrollment_id: int = Field(foreign_key="enrollment.id")
    effective_date: date
    action: str = Field(max_length=8)  # change | add | remove
    exercise_id: str = Field(max_length=40)
    values_json: str = Field(default="{}", sa_column=Column(Text, nullable=False))
    exercise_json: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    prescribed_by: str = Field(max_length=60)
    reason: str = Field(default="", max_length=500)
    created_at: datetime = instant()
    voided_at: datetime | None = instant(nullable=True)
