"""Opening the database for one command: one session, one transaction, one patient."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

import click
from sqlalchemy import event
from sqlmodel import Session

from rehab.cli import Options
from rehab.core import clock
from rehab.store.db import transaction
from rehab.store.journal import patient_zone
from rehab.store.models import Patient
from rehab.store.patients import patient_ids, pick_patient
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
        before = patient_ids(session)
        patient = pick_patient(session, name=options.patient, create=create_patient)
        created = patient.id not in before
        wrote: list[object] = []
        event.listen(session, "before_flush", lambda s, *_: wrote.extend(_changed(s)))
        yield Action(session, patient, patient_zone(patient), created)
        session.flush()
        if created and not create_patient and not wrote:
            # the default patient made on first use, and nothing else written: a command
            # that only looked leaves the database as it was
            session.rollback()


def _changed(session: Session) -> list[object]:
    return [*(row for row in session.new if not isinstance(row, Patient)), *session.dirty]
