"""Start the app from the command line; a fatal database problem ends it with one line."""

from __future__ import annotations

from rehab.errors import EnvironmentProblem


def run_app(*, db: str | None, patient: str | None) -> None:
    from rehab.tui.app import make_app

    app = make_app(db, patient)
    app.run()
    if app.fatal is not None:
        raise EnvironmentProblem(app.fatal)
