"""Per-patient preferences and the reminder log."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Column, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from rehab.store.models import instant


class ReminderLog(SQLModel, table=True):
    """What reminder went out; the unique key decides who sends when two processes run."""

    __table_args__ = (UniqueConstraint("patient_id", "plan_date", "slot"),)

    id: int | None = Field(default=None, primary_key=True)
    patient_id: int = Field(foreign_key="patient.id")
    plan_date: date
    slot: str = Field(max_length=10)
    sent_at: datetime = instant()
    channel: str = Field(default="", max_length=20)
    text: str = Field(default="", sa_column=Column(Text, nullable=False))


class Setting(SQLModel, table=True):
    """A patient's preference (reminder times, quiet hours, time zone) as key and text."""

    __table_args__ = (UniqueConstraint("patient_id", "key"),)

    id: int | None = Field(default=None, primary_key=True)
    patient_id: int = Field(foreign_key="patient.id")
    key: str = Field(max_length=40)
    value: str = Field(max_length=200)
    updated_at: datetime = instant()
