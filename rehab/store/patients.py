"""Which patient a command or the app works on when no name is given.

A database with one patient opens that patient; with several, the caller must say whose
records (one line naming them); with none, the default patient is made on first use. A
patient is never created in a database that already has others, except by `start` with a
name."""

from __future__ import annotations

from sqlmodel import Session, col, select

from rehab.errors import UsageProblem
from rehab.store import journal
from rehab.store.models import Patient
from rehab.store.schema import DEFAULT_PATIENT

LISTED = 8  # names shown in the one line; the rest are counted


def patient_names(session: Session) -> list[str]:
    return list(session.exec(select(Patient.name).order_by(col(Patient.name))).all())


def several(names: list[str]) -> str:
    """'ana, bo and cy', or the first LISTED and how many more."""
    shown = names[:LISTED]
    more = len(names) - len(shown)
    if more:
        return ", ".join(shown) + f" and {more} more"
    return ", ".join(shown[:-1]) + f" and {shown[-1]}" if len(shown) > 1 else shown[0]


class WhichPatient(UsageProblem):
    """Several patients and no name given: say which exist."""

    def __init__(self, names: list[str]) -> None:
        self.names = names
        super().__init__(
            f"--patient: this database has {len(names)} patients ({several(names)}); "
            "say whose records with --patient NAME"
        )


def pick_patient(session: Session, *, name: str | None, create: bool = False) -> Patient:
    """The named patient, else the only one, else (an empty database) the default one."""
    if name is not None:
        wanted = name.strip()
        if not create and wanted == DEFAULT_PATIENT:
            found = session.exec(select(Patient).where(Patient.name == wanted)).first()
            names = patient_names(session) if found is None else []
            if names:  # 'me' is made on first use only in a database with no one else
                raise UsageProblem(
                    f"--patient: no patient named {wanted!r} (known: {several(names)}; "
                    "`rehab start` creates one)"
                )
        return journal.find_patient(session, name=name, create=create)
    first_two = session.exec(select(Patient).order_by(col(Patient.id)).limit(2)).all()
    if len(first_two) == 1:
        return first_two[0]
    if len(first_two) > 1:
        raise WhichPatient(patient_names(session))
    return journal.find_patient(session, name=None, create=create)


def patient_ids(session: Session) -> set[int | None]:
    """The ids of every patient in the database (to tell whether one was just created)."""
    return set(session.exec(select(Patient.id)).all())
