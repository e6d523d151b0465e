"""Store errors name the field in words ('quiet hours', 'time zone', 'date'), as the app
shows them; the command line names its option instead, as clearly as before."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import Session

from rehab.errors import FieldProblem
from rehab.store import db as store_db
from rehab.store import journal, settings
from rehab.store.models import Patient
from tests.conftest import Rehab

NOW = datetime(2026, 5, 4, 10, 0, tzinfo=UTC)


@pytest.fixture
def session(tmp_path: Path) -> Iterator[tuple[Session, Patient]]:
    with store_db.transaction(f"sqlite:///{tmp_path / 'r.db'}") as session:
        yield session, journal.find_patient(session, name=None, create=True)


def test_store_errors_name_fields_in_words(session: tuple[Session, Patient]) -> None:
    s, patient = session
    attempts = {
        "quiet hours": lambda: settings.set_quiet_hours(s, patient=patient, text="late"),
        "time zone": lambda: settings.set_timezone(s, patient=patient, name="Mars/Base"),
        "pain context": lambda: journal.record_pain(
            s, patient=patient, score=3, context="sideways", now=NOW
        ),
        "time": lambda: journal.record_pain(
            s, patient=patient, score=3, at=NOW + timedelta(hours=1), now=NOW
        ),
        "date": lambda: journal.record_check(
            s,
            patient=patient,
            day=date(2026, 5, 9),
            stiffness_minutes=5,
            swelling=False,
            tiptoe_pain=False,
            now=NOW,
        ),
        "reason": lambda: journal.one_line_reason("   ", examples="travel"),
        "patient": lambda: journal.find_patient(s, name="nobody"),
    }
    for field, attempt in attempts.items():
        with pytest.raises(FieldProblem) as caught:
            attempt()
        assert caught.value.field == field
        assert str(caught.value).startswith(f"{field}: ")
        assert "--" not in str(caught.value), str(caught.value)


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (("settings", "reminders", "--quiet", "late"), "rehab: --quiet: 'late' is not a range"),
        (("settings", "reminders", "--timezone", "Mars/Base"), "rehab: --timezone: "),
        (("pause", "--reason", "   "), "rehab: --reason: say why"),
        (("--patient", "nobody", "today"), "rehab: --patient: no patient named 'nobody'"),
    ],
)
def test_the_command_line_names_its_option(rehab: Rehab, args: tuple[str, ...], says: str) -> None:
    started = rehab("start", "plantar-fasciitis", "--side", "left")
    assert started.code == 0, started.err
    result = rehab(*args)
    assert result.code == 2, result
    assert result.err.startswith(says), result.err
    assert result.err.count("\n") == 1
