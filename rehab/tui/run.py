"""Start the app from the command line. Options are checked before the screen is taken
over, and a fatal database problem ends the app with one line."""

from __future__ import annotations

from rehab.core.typed import unstorable
from rehab.errors import EnvironmentProblem, UsageProblem


def run_app(*, db: str | None, patient: str | None, clinic: bool = False) -> None:
    from rehab.tui.backend import pause_collector, resume_collector

    pause_collector()  # until the database layer has loaded (rehab.tui.backend)
    try:
        _run(db=db, patient=patient, clinic=clinic)
    finally:
        resume_collector()


def _run(*, db: str | None, patient: str | None, clinic: bool = False) -> None:
    from rehab.store.url import database_url, sqlite_path
    from rehab.tui.app import make_app

    path = sqlite_path(database_url(db))
    if path is not None and path.is_dir():
        raise UsageProblem(f"--db: {path} is a folder (allowed: a database file path)")
    if patient is not None and unstorable(patient):
        raise UsageProblem("--patient: the name is not valid UTF-8 text (allowed: text in UTF-8)")
    if patient is not None and not 0 < len(patient.strip()) <= 100:
        raise UsageProblem("--patient: name must be 1 to 100 characters")
    app = make_app(db, patient, clinic=clinic)
    app.run()
    if app.fatal is not None:
        raise EnvironmentProblem(app.fatal)
