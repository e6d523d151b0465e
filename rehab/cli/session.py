"""Opening the database for one command: one session, one transaction, one patient."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

import click
from sqlmodel import Session

from rehab.cli import Options
from rehab.core import clock
from rehab.store.db import transaction
from rehab.store.journal import find_patient, patient_zone
from rehab.store.models import Patient, utcnow
from rehab.store.url import database_url, is_default


@dataclass
class Action:
    session: Session
    patient: Patient
    zone: ZoneInfo
    created_patient: bool

    @property
    def today(self) -> date:
        return clock.today_in(self.zone)


@contextmanager
def action(
    ctx: click.Context, *, create_patient: bool = False, writes: bool = True
) -> Iterator[Action]:
    """Run one user action in one transaction: all of it is written, or none.

    `writes=False` (exports) reads one snapshot without holding the write lock."""
    options = ctx.find_object(Options)
    assert options is not None
    with transaction(
        database_url(options.db),
        create=create_patient or is_default(options.db),
        writes=writes,
        expire_on_commit=False,
    ) as session:
        began = utcnow()
        patient = find_patient(session, name=options.patient, create=create_patient)
        created = patient.created_at >= began
        yield Action(session, patient, patient_zone(patient), created)
