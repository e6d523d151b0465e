"""The clinic roster: its numbers are the app's own per-patient numbers, its order and
filters, `rehab clinic --json`, and every patient's report exported at once."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path

import pytest
from sqlmodel import Session, col, select

from rehab.core import clock
from rehab.core.adherence import tally
from rehab.core.clinic import RANKS, RosterRow, check_filter, select_rows, sort_key
from rehab.store import journal, trends
from rehab.store.assessments import visa_history
from rehab.store.db import open_engine
from rehab.store.models import DoseLog, Enrollment, Patient
from rehab.store.prescriptions import prescriptions_of
from rehab.store.progress import accept, todays_advice
from rehab.store.roster import roster
from tests.clinic_history import PATIENTS, UNDONE, build_clinic, name_of
from tests.conftest import Rehab


@pytest.fixture(scope="module")
def clinic(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("TZ", "Europe/Lisbon")
        mp.setenv("REHAB_HOME", str(tmp_path_factory.mktemp("home")))
        mp.delenv("REHAB_DB", raising=False)
        path = tmp_path_factory.mktemp("clinic") / "clinic.db"
        build_clinic(f"sqlite:///{path}")
        yield path


def _rows(path: Path) -> dict[str, RosterRow]:
    engine = open_engine(f"sqlite:///{path}")
    try:
        with Session(engine) as s:
            return {r.patient: r for r in roster(s)}
    finally:
        engine.dispose()


def _mean(values: list[int]) -> float | None:
    return round(sum(values) / len(values), 1) if values else None


def test_roster_numbers_are_the_apps_own(clinic: Path) -> None:
    rows = _rows(clinic)
    assert len(rows) == PATIENTS
    engine = open_engine(f"sqlite:///{clinic}")
    seen = {"paused": 0, "stop": 0, "waiting": 0, "voided": 0, "course": 0, "tailored": 0}
    try:
        with Session(engine) as s:
            for patient in s.exec(select(Patient)).all():
                row = rows[patient.name]
                today = clock.today_in(journal.patient_zone(patient))
                enrollment = journal.require_enrollment(s, patient=patient)
                for days, got in ((7, row.last7), (28, row.last28)):
                    first = today - timedelta(days=days - 1)
                    plans = journal.plans_between(s, enrollment=enrollment, first=first, last=today)
                    logs = journal.logs_between(s, enrollment=enrollment, first=first, last=today)
                    want = tally(plans, logs)
                    assert (got.done, got.planned) == (want.done, want.planned), patient.name
                advice = todays_advice(s, patient=patient, today=today)
                assert row.advice == advice.decision, patient.name
                (plan,) = journal.plans_between(s, enrollment=enrollment, first=today, last=today)
                assert row.status == plan.status and row.week == plan.week
                pain = trends.daily_pain(
                    s, patient=patient, first=today - timedelta(days=6), last=today
                )
                assert row.pain_now == _mean([v for _, v in pain.morning]), patient.name
                start = enrollment.start_date
                first_week = trends.daily_pain(
                    s, patient=patient, first=start, last=start + timedelta(days=6)
                )
                assert row.pain_start == _mean([v for _, v in first_week.morning]), patient.name
                scores = [e.score for e in visa_history(s, patient=patient)]
                assert (row.visa_first, row.visa_latest) == (
                    (scores[0], scores[-1]) if scores else (None, None)
                )
                flags = journal.open_flags(s, enrollment=enrollment)
                assert row.red_flags == tuple(dict.fromkeys(f.flag for f in flags))
                seen["paused"] += row.status == "paused"
                seen["tailored"] += bool(prescriptions_of(s, enrollment=enrollment))
                # from week 12 on, the red-flag check reads the whole course so far
                seen["course"] += bool(row.week and row.weeks and 12 <= row.week <= row.weeks)
                seen["stop"] += row.advice == "stop"
                seen["waiting"] += row.advice_waiting
                seen["voided"] += bool(
                    s.exec(
                        select(DoseLog.id).where(
                            DoseLog.enrollment_id == enrollment.id,
                            col(DoseLog.voided_at).is_not(None),
                            DoseLog.plan_date >= today - timedelta(days=27),
                        )
                    ).first()
                )
    finally:
        engine.dispose()
    assert all(seen.values()), seen  # the cases that matter were all there


def test_last_entry_skips_undone_entries(clinic: Path) -> None:
    row = _rows(clinic)[name_of(UNDONE)]
    assert row.last_entry == row.today  # a check-off today stays, the undone 9/10 does not
    assert row.pain_now is None or row.pain_now < 9


def test_accepting_advice_clears_waiting(clinic: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copy.db"
    copy.write_bytes(clinic.read_bytes())
    rows = _rows(copy)
    waiting = next(r for r in rows.values() if r.advice_waiting)
    engine = open_engine(f"sqlite:///{copy}")
    try:
        with Session(engine) as s, s.begin():
            patient = journal.find_patient(s, name=waiting.patient)
            _, change = accept(s, patient=patient, today=waiting.today, decided_by="Dr Costa")
            assert change.decided_by == "Dr Costa"
    finally:
        engine.dispose()
    assert not _rows(copy)[waiting.patient].advice_waiting


def test_order_puts_who_needs_attention_first(clinic: Path) -> None:
    ordered = select_rows(list(_rows(clinic).values()))
    keys = [sort_key(r) for r in ordered]
    assert keys == sorted(keys)
    ranks = [r.rank for r in ordered]
    assert ranks[0] == 0 and ranks == sorted(ranks)
    assert {RANKS[r] for r in ranks} >= {"red flag", "advice", "check", "ok"}
    for row in ordered:
        if row.rank == 0:
            assert row.red_flags or row.advice == "stop"
        elif row.rank == 1:
            assert row.advice_waiting and row.advice in ("progress", "reduce")
        elif row.rank == 2:
            assert row.checks()


@pytest.mark.parametrize("kind", ["all", "attention", "red-flags", "advice", "inactive"])
def test_filters(clinic: Path, kind: str) -> None:
    rows = list(_rows(clinic).values())
    kept = select_rows(rows, kind=kind)
    want = {
        "all": lambda r: True,
        "attention": lambda r: r.rank < 3,
        "red-flags": lambda r: bool(r.red_flags) or r.advice == "stop",
        "advice": lambda r: r.advice_waiting,
        "inactive": lambda r: (
            r.running and (r.last_entry is None or (r.today - r.last_entry).days >= 7)
        ),
    }[kind]
    assert {r.patient for r in kept} == {r.patient for r in rows if want(r)}
    assert kept, kind


def test_name_filter_is_a_case_blind_substring(clinic: Path) -> None:
    rows = list(_rows(clinic).values())
    assert {r.patient for r in select_rows(rows, name="silva")} == {
        r.patient for r in rows if "Silva" in r.patient
    }


def test_check_filter_names_the_allowed_values() -> None:
    assert check_filter(" Advice ") == "advice"
    with pytest.raises(ValueError, match="allowed: all, attention, red-flags, advice, inactive"):
        check_filter("urgent")


def test_cli_bad_filter_is_one_line_exit_2(clinic: Path) -> None:
    result = Rehab(clinic)("clinic", "--filter", "urgent")
    assert result.code == 2
    assert result.err.count("\n") == 1
    assert "allowed: all, attention, red-flags, advice, inactive" in result.err


def test_cli_json_schema(clinic: Path) -> None:
    result = Rehab(clinic)("clinic", "--json")
    assert result.code == 0, result.err
    doc = json.loads(result.out)
    assert doc["format"] == "rehab-clinic v1" and doc["filter"] == "all"
    assert len(doc["patients"]) == PATIENTS
    for p in doc["patients"]:
        assert set(p) == {
            "patient", "today", "program", "status", "week", "adherence", "morning_pain",
            "last_entry", "days_since_entry", "red_flags", "advice", "visa_a", "attention",
        }  # fmt: skip
        for span in ("last_7_days", "last_28_days"):
            count = p["adherence"][span]
            assert isinstance(count["done"], int) and isinstance(count["planned"], int)
            assert count["percent"] is None or 0 <= count["percent"] <= 100
        assert p["attention"]["group"] in RANKS
        assert p["advice"]["decision"] in (None, "progress", "hold", "reduce", "stop")
    groups = [RANKS.index(p["attention"]["group"]) for p in doc["patients"]]
    assert groups == sorted(groups)
    few = json.loads(Rehab(clinic)("clinic", "--json", "--filter", "red-flags").out)
    assert few["patients"] and all(p["attention"]["group"] == "red flag" for p in few["patients"])


def test_cli_table_fits_and_ends_with_the_note(clinic: Path) -> None:
    result = Rehab(clinic)("clinic", "--name", "silva")
    assert result.code == 0, result.err
    lines = result.out.splitlines()
    assert lines[0].split()[:3] == ["need", "patient", "program"]
    assert lines[-1].endswith("Not medical advice; follow your clinician.")
    assert all("Silva" in line for line in lines[1:-1])


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.text: list[str] = []
        self.tags = 0

    def handle_starttag(self, tag: str, attrs: object) -> None:
        self.tags += 1

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def test_export_every_report(clinic: Path, tmp_path: Path) -> None:
    out = tmp_path / "reports"
    result = Rehab(clinic)("clinic", "--export-reports", str(out))
    assert result.code == 0, result.err
    files = sorted(out.iterdir())
    assert len(files) == PATIENTS
    assert result.out.startswith(f"Wrote {PATIENTS} reports to {out}")
    names = set()
    for path in files:
        assert path.suffix == ".html" and " " not in path.name
        assert path.stat().st_mode & 0o777 == 0o600
        page = _Text()
        page.feed(path.read_text(encoding="utf-8"))
        page.close()
        text = " ".join(" ".join(page.text).split())
        assert page.tags > 20
        assert "Not medical advice; follow your clinician" in text
        names.add(next(name_of(i) for i in range(PATIENTS) if name_of(i) in text))
    assert len(names) == PATIENTS
    again = Rehab(clinic)("clinic", "--export-reports", str(out))
    assert again.code == 2 and "already exists" in again.err


def test_export_every_report_all_or_nothing(
    clinic: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from rehab.export import report

    real = report.export
    made: list[int] = []

    def failing(session: object, scope: object, target: object) -> dict[str, int]:
        made.append(1)
        if len(made) == 3:
            raise OSError(28, "No space left on device")
        return real(session, scope, target)  # type: ignore[arg-type]

    monkeypatch.setattr(report, "export", failing)
    out = tmp_path / "reports"
    result = Rehab(clinic)("clinic", "--export-reports", str(out))
    assert result.code != 0 and result.err.count("\n") == 1
    assert not out.exists()
    assert [p.name for p in tmp_path.iterdir()] == []  # no temporary folder left either
    out.mkdir()
    (out / "keep.txt").write_text("x")
    made.clear()
    result = Rehab(clinic)("clinic", "--export-reports", str(out), "--filter", "attention")
    assert result.code != 0
    assert [p.name for p in out.iterdir()] == ["keep.txt"]


def test_export_reports_names_are_distinct_and_safe() -> None:
    from datetime import date

    from rehab.export.clinic import unique_names

    span = (date(2026, 1, 1), date(2026, 2, 1))
    names = unique_names(["Ana B", "Ana/B", "../x"], [span] * 3)
    assert len(set(names)) == 3
    assert all("/" not in n and not n.startswith(".") for n in names)


def test_empty_database_roster(tmp_path: Path) -> None:
    rehab = Rehab(tmp_path / "new.db")
    assert rehab("start", "plantar-fasciitis", "--side", "left").code == 0
    doc = json.loads(rehab("clinic", "--json").out)
    (only,) = doc["patients"]
    assert only["adherence"]["last_7_days"]["done"] == 0
    engine = open_engine(f"sqlite:///{tmp_path / 'new.db'}")
    try:
        with Session(engine) as s:
            assert s.exec(select(Enrollment)).first() is not None
    finally:
        engine.dispose()


def test_export_reports_default_folder(
    clinic: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = Rehab(clinic)("clinic", "--name", name_of(UNDONE), "--export-reports")
    assert result.code == 0, result.err
    (folder,) = tmp_path.glob("rehab-reports-*")
    assert len(list(folder.iterdir())) == 1
    (tmp_path / "file").write_text("x")
    bad = Rehab(clinic)("clinic", "--export-reports", str(tmp_path / "file"))
    assert bad.code == 2 and "is not a folder" in bad.err and bad.err.count("\n") == 1
