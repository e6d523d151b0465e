"""A therapist's prescriptions: a dose changed, an exercise added or removed, each from a date
on, through the CLI and the schedule; bad requests write nothing; the days before keep their
plan; an "ask your clinician" item shows the dose a clinician gave."""

from __future__ import annotations

import json
import sqlite3
import tomllib
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine

from rehab import paths
from rehab.core.prescription import Prescription, checked, frozen_values, tailor
from rehab.core.schedule import Progression, plan_day
from rehab.core.template import TemplateError, load_program_file, program_toml
from tests.conftest import Rehab

LISBON = ZoneInfo("Europe/Lisbon")
START = date(2026, 11, 2)
TODAY = datetime(2026, 12, 2, 10, 0, tzinfo=LISBON)


def _program(name: str = "achilles-midportion") -> Any:
    return load_program_file(paths.builtin_programs_dir() / f"{name}.toml")


def _today(rehab: Rehab, day: str | None = None) -> list[dict[str, Any]]:
    args = ["today", "--json"] + (["--date", day] if day else [])
    result = rehab(*args)
    assert result.code == 0, result.err
    doses: list[dict[str, Any]] = json.loads(result.out)
    return doses


def _rows(rehab: Rehab) -> int:
    con = sqlite3.connect(rehab.db)
    try:
        return int(con.execute("SELECT count(*) FROM prescription").fetchone()[0])
    finally:
        con.close()


@pytest.fixture
def patient(rehab: Rehab) -> Rehab:
    with time_machine.travel(TODAY, tick=False):
        result = rehab("start", "achilles-midportion", "--side", "left", "--start", str(START))
    assert result.code == 0, result.err
    return rehab


def test_a_dose_change_applies_from_tomorrow_and_today_keeps_its_plan(patient: Rehab) -> None:
    with time_machine.travel(TODAY, tick=False):
        result = patient("prescribe", "calf-stretch", "--sets", "3", "--hold", "45",
                         "--by", "A. Costa", "--reason", "tight calf")  # fmt: skip
        assert result.code == 0, result.err
        assert "from 2026-12-03" in result.out and "A. Costa" in result.out
        today = [d for d in _today(patient) if d["exercise"] == "calf-stretch"]
        tomorrow = [d for d in _today(patient, "2026-12-03") if d["exercise"] == "calf-stretch"]
    assert {(d["sets"], d["hold_seconds"], d["prescribed_by"]) for d in today} == {(3, 30, None)}
    assert {
        (d["sets"], d["sets_min"], d["hold_seconds"], d["prescribed_by"]) for d in tomorrow
    } == {(3, 3, 45, "A. Costa")}
    assert len(tomorrow) == 2  # still each leg


def test_add_and_remove_and_the_history(patient: Rehab) -> None:
    with time_machine.travel(TODAY, tick=False):
        added = patient("prescribe", "--add", "towel-curl", "--name", "Towel curl",
                        "--kind", "strengthen", "--instructions", "Scrunch a towel with your toes.",
                        "--sets", "2-3", "--reps", "10", "--by", "A. Costa",
                        "--from", "2026-12-02")  # fmt: skip
        assert added.code == 0, added.err
        taken = patient("prescribe", "--add", "pf-stretch", "--from-program",
                        "plantar-fasciitis", "--by", "A. Costa")  # fmt: skip
        removed = patient("prescribe", "menthol-gel", "--remove", "--by", "A. Costa",
                          "--reason", "not needed", "--from", "2026-12-02")  # fmt: skip
        ids_today = {d["exercise"] for d in _today(patient)}
        ids_tomorrow = {d["exercise"] for d in _today(patient, "2026-12-03")}
        ids_before = {d["exercise"] for d in _today(patient, "2026-12-01")}
        history = json.loads(patient("prescriptions", "--json").out)
    assert taken.code == 0, taken.err
    assert removed.code == 0, removed.err
    assert "towel-curl" in ids_today and "menthol-gel" not in ids_today
    assert "pf-stretch" in ids_tomorrow and "pf-stretch" not in ids_today
    assert "menthol-gel" in ids_before and "towel-curl" not in ids_before
    curl = next(d for d in _today(patient, "2026-12-02") if d["exercise"] == "towel-curl")
    assert (curl["sets_min"], curl["sets"], curl["reps"]) == (2, 3, 10)
    assert [(h["action"], h["exercise_id"], h["by"]) for h in history] == [
        ("add", "towel-curl", "A. Costa"),
        ("remove", "menthol-gel", "A. Costa"),
        ("add", "pf-stretch", "A. Costa"),
    ]
    assert history[1]["reason"] == "not needed" and history[0]["voided_at"] is None


def test_undo_keeps_the_history_and_restores_the_plan(patient: Rehab) -> None:
    with time_machine.travel(TODAY, tick=False):
        assert patient("prescribe", "ice", "--remove", "--by", "B").code == 0
        assert "ice" not in {d["exercise"] for d in _today(patient, "2026-12-03")}
        undone = patient("prescriptions", "--undo", "1")
        assert undone.code == 0, undone.err
        assert "ice" in {d["exercise"] for d in _today(patient, "2026-12-03")}
        again = patient("prescriptions", "--undo", "1")
        listing = patient("prescriptions")
    assert again.code == 2 and "no prescription 1" in again.err
    assert "[undone]" in listing.out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nope", "--sets", "3"], "no exercise 'nope' in the program"),
        (["calf-stretch", "--sets", "0"], "sets: 0 is less than 1"),
        (["calf-stretch", "--sets", "30"], "too much for a home program (allowed: up to 20)"),
        (["calf-stretch", "--reps", "2.5"], "not a whole number"),
        (["calf-stretch", "--sets", "3-2"], "3-2: min is greater than max"),
        (["calf-stretch", "--hold", "abc"], "is not a number or a range"),
        (["calf-stretch", "--sets", "3", "--from", "2026-10-01"],
         "--from: 2026-10-01 is before the program started (allowed: 2026-11-02 or later)"),
        (["calf-stretch"], "say what changes"),
        (["calf-stretch", "--sets", "3", "--by", " "], "--by: give the therapist's name"),
        (["calf-stretch", "--remove", "--sets", "3"], "--remove takes no dose options"),
        (["calf-stretch", "--add"], "already in the program"),
        (["calf-stretch", "--name", "X"], "--name: only with --add"),
        (["new-one", "--add", "--name", "X"], "a new exercise needs --kind, --instructions too"),
        (["Bad Id", "--add", "--name", "X", "--kind", "walk", "--instructions", "Walk."],
         "EXERCISE: use lower-case letters"),
        (["x", "--add", "--from-program", "nope"], "--from-program"),
        (["calf-stretch", "--per-day", "9"], "9 is not in the range 1<=x<=6"),
    ],
)  # fmt: skip
def test_a_bad_request_is_one_line_exit_2_and_writes_nothing(
    patient: Rehab, args: list[str], message: str
) -> None:
    if "--by" not in args:
        args = [*args, "--by", "A. Costa"]
    with time_machine.travel(TODAY, tick=False):
        result = patient("prescribe", *args)
    assert result.code == 2, (result.out, result.err)
    assert message in result.err
    assert len(result.err.strip().splitlines()) == 1
    assert "Traceback" not in result.err
    assert _rows(patient) == 0


def test_a_later_prescription_guards_an_earlier_removal(patient: Rehab) -> None:
    with time_machine.travel(TODAY, tick=False):
        assert patient("prescribe", "ice", "--minutes", "15", "--by", "A", "--from",
                       "2026-12-10").code == 0  # fmt: skip
        result = patient("prescribe", "ice", "--remove", "--by", "A", "--from", "2026-12-05")
    assert result.code == 2 and "undo that one first" in result.err
    assert _rows(patient) == 1


def test_ask_your_clinician_items_show_a_clinicians_dose() -> None:
    program = _program()
    start = date(2026, 1, 5)
    day = date(2026, 3, 2)  # week 9, in phase 3 (unverified numbers)
    changes = [Progression(date(2026, 2, 1), "phase-3")]
    plain = plan_day(program, start=start, side="left", day=day, progressions=changes)
    loaded = [d for d in plain.doses if d.exercise_id == "loaded-one-leg-raise"]
    assert loaded and all(d.unverified for d in loaded)
    assert "ask your clinician" in loaded[0].describe()
    given = Prescription(
        effective=date(2026, 3, 1),
        action="change",
        exercise_id="loaded-one-leg-raise",
        by="A. Costa",
        values=frozen_values({"sets": 3, "reps": 15, "load_kg": 5.0}),
    )
    tailored = plan_day(program, start=start, side="left", day=day, progressions=changes,
                        prescriptions=[given])  # fmt: skip
    dose = next(d for d in tailored.doses if d.exercise_id == "loaded-one-leg-raise")
    assert not dose.unverified and dose.prescribed_by == "A. Costa"
    assert dose.describe() == "One-leg heel raise with added load, 3 × 15, +5 kg, left leg"
    # the other unverified items stay unverified: only what a clinician gave is shown
    other = next(d for d in tailored.doses if d.exercise_id == "loaded-eccentric-raise")
    assert other.unverified
    # and the day before the prescription keeps its plan
    before = plan_day(program, start=start, side="left", day=date(2026, 2, 28),
                      progressions=changes, prescriptions=[given])  # fmt: skip
    assert all(d.unverified for d in before.doses if d.exercise_id == "loaded-one-leg-raise")


def test_a_prescribed_load_counts_load_steps_only_from_its_date() -> None:
    program = _program("achilles-midportion-alfredson")
    ex = next(e for e in program.exercises if e.load_step_kg is not None)
    start = date(2026, 1, 5)
    steps = [Progression(date(2026, 1, 20), None, 2), Progression(date(2026, 2, 10), None, 3)]
    given = Prescription(date(2026, 2, 1), "change", ex.id, "A", frozen_values({"load_kg": 10}))

    def load_on(day: date) -> float | None:
        plan = plan_day(program, start=start, side="left", day=day, progressions=steps,
                        prescriptions=[given])  # fmt: skip
        return next(d.load_kg for d in plan.doses if d.exercise_id == ex.id)

    step = ex.load_step_kg or 0
    assert load_on(date(2026, 1, 31)) == (ex.load_kg or 0) + 2 * step
    assert load_on(date(2026, 2, 5)) == 10  # the therapist's load, not 10 + 2 steps
    assert load_on(date(2026, 2, 12)) == 10 + step  # one step accepted after it


def test_the_validator_checks_the_tailored_program() -> None:
    program = _program()
    too_many = Prescription(date(2026, 1, 1), "change", "ice", "A",
                            frozen_values({"minutes": 500}))  # fmt: skip
    with pytest.raises(TemplateError, match="ice: minutes: 500 min is too much"):
        checked(program, [too_many])
    assert tailor(program, []) is program
    per_day = Prescription(date(2026, 1, 1), "change", "calf-stretch", "A",
                           frozen_values({"times_per_day": 2}))  # fmt: skip
    tailored = checked(program, [per_day])
    assert tailored.exercise("calf-stretch").times_per_day == 2
    assert tailored.exercise("calf-stretch").prescribed is not None


def test_a_prescription_file_starts_the_tailored_program_elsewhere(
    patient: Rehab, tmp_path: Path
) -> None:
    out = tmp_path / "for-ana.toml"
    with time_machine.travel(TODAY, tick=False):
        given = patient("prescribe", "loaded-one-leg-raise", "--sets", "3", "--reps", "15",
                        "--load", "5", "--by", "A. Costa", "--reason", "ready")  # fmt: skip
        assert given.code == 0, given.err
        assert patient("prescribe", "menthol-gel", "--remove", "--by", "A. Costa").code == 0
        wrote = patient("programs", "export-prescription", "--out", str(out))
        again = patient("programs", "export-prescription", "--out", str(out))
    assert wrote.code == 0, wrote.err
    assert again.code == 2 and "already exists" in again.err
    text = out.read_text()
    assert "Not medical advice; follow your clinician." in text
    data = tomllib.loads(text)  # an independent reader
    assert data["id"] == "achilles-midportion-tailored"
    loaded = next(e for e in data["exercises"] if e["id"] == "loaded-one-leg-raise")
    assert (loaded["sets"], loaded["reps"], loaded["load_kg"]) == (3, 15, 5)
    assert loaded["prescribed"]["by"] == "A. Costa" and loaded["prescribed"]["dose"] is True
    assert "menthol-gel" not in {e["id"] for e in data["exercises"]}
    assert any("by A. Costa" in note and "ready" in note for note in data["notes"])

    other = Rehab(tmp_path / "other.db")
    with time_machine.travel(TODAY, tick=False):
        started = other("start", "--file", str(out), "--side", "right", "--start", "2026-01-05")
        assert started.code == 0, started.err
        assert "(tailored)" in started.out
    from rehab.core.schedule import Progression, plan_day
    from rehab.core.template import load_program_file

    # in phase 3 on the other machine: the clinician's dose, not "ask your clinician"
    program = load_program_file(out, named=False)
    plan = plan_day(program, start=date(2026, 1, 5), side="right", day=date(2026, 3, 2),
                    progressions=[Progression(date(2026, 2, 1), "phase-3")])  # fmt: skip
    dose = next(d for d in plan.doses if d.exercise_id == "loaded-one-leg-raise")
    assert dose.describe() == "One-leg heel raise with added load, 3 × 15, +5 kg, right leg"
    assert dose.prescribed_by == "A. Costa"


def test_a_bad_prescription_file_is_refused_and_starts_nothing(tmp_path: Path) -> None:
    program = _program()
    bad = tmp_path / "bad.toml"
    text = program_toml(program).replace("minutes = [\n    15,\n    20,\n]", "minutes = 500", 1)
    assert "minutes = 500" in text
    bad.write_text(text)
    other = Rehab(tmp_path / "other.db")
    result = other("start", "--file", str(bad), "--side", "left")
    assert result.code == 2
    assert "bad.toml" in result.err and "500 min is too much" in result.err
    assert len(result.err.strip().splitlines()) == 1
    assert not (tmp_path / "other.db").exists()
    neither = other("start", "--side", "left")
    assert neither.code == 2 and "give a program ID or --file" in neither.err


def test_the_exports_follow_the_prescriptions(patient: Rehab, tmp_path: Path) -> None:
    import icalendar
    import recurring_ical_events
    from fhir.resources.R4B.bundle import Bundle

    with time_machine.travel(TODAY, tick=False):
        assert patient("prescribe", "--add", "towel-curl", "--name", "Towel curl", "--kind",
                       "strengthen", "--instructions", "Scrunch a towel.", "--sets", "3",
                       "--reps", "12", "--by", "A. Costa", "--reason", "toe strength",
                       "--slot", "evening").code == 0  # fmt: skip
        ics_out, fhir_out = tmp_path / "plan.ics", tmp_path / "plan.json"
        cal = patient("export", "ics", "--out", str(ics_out))
        fhir = patient("export", "fhir", "--out", str(fhir_out))
    assert cal.code == 0, cal.err
    assert fhir.code == 0, fhir.err
    calendar = icalendar.Calendar.from_ical(ics_out.read_bytes())
    evenings: dict[date, str] = {}
    for event in recurring_ical_events.of(calendar).between(date(2026, 11, 25), date(2026, 12, 10)):
        start = event["DTSTART"].dt
        evenings.setdefault(start.date() if isinstance(start, datetime) else start, "")
        evenings[start.date() if isinstance(start, datetime) else start] += str(
            event.get("DESCRIPTION", "")
        )
    assert "Towel curl, 3 × 12" in evenings[date(2026, 12, 3)]
    assert all(
        "Towel curl" not in text for day, text in evenings.items() if day < date(2026, 12, 3)
    )
    bundle = json.loads(fhir_out.read_text())
    Bundle.model_validate(bundle)
    plan = next(
        e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "CarePlan"
    )
    described = [a["detail"]["description"] for a in plan["activity"]]
    assert any(text.startswith("Towel curl, 3 × 12") for text in described), described
    assert any(
        "Prescription from 2026-12-03 by A. Costa: towel-curl: added" in n["text"]
        and "toe strength" in n["text"]
        for n in plan["note"]
    )


def test_a_dose_of_an_added_exercise_is_named_in_the_csv(patient: Rehab, tmp_path: Path) -> None:
    import csv

    with time_machine.travel(TODAY, tick=False):
        assert patient("prescribe", "--add", "towel-curl", "--name", "Towel curl", "--kind",
                       "strengthen", "--instructions", "Scrunch a towel.", "--sets", "3",
                       "--by", "A. Costa", "--from", "2026-12-02").code == 0  # fmt: skip
        done = patient("done", "towel-curl")
        assert done.code == 0, done.err
        out = patient("export", "csv", "--table", "doses", "--out", "-")
    assert out.code == 0, out.err
    rows = list(csv.DictReader(out.out.lstrip("\ufeff").splitlines()))
    curls = [r for r in rows if "Towel" in (r.get("exercise") or "")]
    assert curls and curls[0]["exercise"] == "Towel curl", rows[-1]


def test_the_report_lists_the_prescriptions_escaped(patient: Rehab, tmp_path: Path) -> None:
    from html.parser import HTMLParser

    with time_machine.travel(TODAY, tick=False):
        assert patient("prescribe", "calf-stretch", "--sets", "3", "--by", "A. Costa",
                       "--reason", "<b>tight</b> calf").code == 0  # fmt: skip
        assert patient("prescribe", "ice", "--remove", "--by", "B. Silva").code == 0
        assert patient("prescriptions", "--undo", "2").code == 0
        out = tmp_path / "r.html"
        assert patient("export", "report", "--out", str(out)).code == 0
    html = out.read_text()
    assert "<b>tight</b>" not in html and "&lt;b&gt;tight&lt;/b&gt; calf" in html

    class Items(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.inside, self.items = False, []

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            if tag == "ul" and ("id", "prescriptions") in attrs:
                self.inside = True
            elif self.inside and tag == "li":
                self.items.append("")

        def handle_endtag(self, tag: str) -> None:
            if tag == "ul":
                self.inside = False

        def handle_data(self, data: str) -> None:
            if self.inside and self.items:
                self.items[-1] += data

    parsed = Items()
    parsed.feed(html)
    items = [" ".join(i.split()) for i in parsed.items]
    first = "from 3 Dec 2026 Calf stretch: sets 3, by A. Costa: <b>tight</b> calf"
    assert items[0].startswith(first)
    assert items[1].startswith("from 3 Dec 2026 Ice: removed, by B. Silva") and "undone" in items[1]
    assert "Not medical advice; follow your clinician." in html


def test_prescriptions_round_trip_through_the_json_export_and_import(
    patient: Rehab, tmp_path: Path
) -> None:
    with time_machine.travel(TODAY, tick=False):
        assert patient("prescribe", "--add", "towel-curl", "--name", "Towel curl", "--kind",
                       "strengthen", "--instructions", "Scrunch a towel.", "--sets", "3",
                       "--by", "A. Costa", "--reason", "toes").code == 0  # fmt: skip
        assert patient("prescribe", "calf-stretch", "--hold", "45", "--by", "A. Costa").code == 0
        assert patient("prescribe", "ice", "--remove", "--by", "B. Silva").code == 0
        assert patient("prescriptions", "--undo", "3").code == 0
        first = tmp_path / "first.json"
        assert patient("export", "json", "--out", str(first)).code == 0
        other = Rehab(tmp_path / "other.db")
        imported = other("import", str(first))
        assert imported.code == 0, imported.err
        again = other("import", str(first))
        assert again.code == 0, again.err
        second = tmp_path / "second.json"
        assert other("export", "json", "--out", str(second)).code == 0
        mine = _today(patient, "2026-12-03")
        theirs = _today(other, "2026-12-03")
    one, two = json.loads(first.read_text()), json.loads(second.read_text())
    one.pop("generated_at"), two.pop("generated_at")
    assert one == two
    given = one["prescriptions"]
    assert [(p["action"], p["exercise_id"], p["prescribed_by"]) for p in given] == [
        ("add", "towel-curl", "A. Costa"),
        ("change", "calf-stretch", "A. Costa"),
        ("remove", "ice", "B. Silva"),
    ]
    assert given[0]["exercise"]["name"] == "Towel curl" and given[1]["values"] == {
        "hold_seconds": 45
    }
    assert given[2]["voided_at"] is not None and given[0]["voided_at"] is None
    assert len({p["uid"] for p in given}) == 3
    assert mine == theirs  # the plan the import rebuilds is the patient's own
    assert any(d["exercise"] == "towel-curl" for d in theirs)


def test_an_import_refuses_a_prescription_that_breaks_the_rules(
    patient: Rehab, tmp_path: Path
) -> None:
    with time_machine.travel(TODAY, tick=False):
        assert patient("prescribe", "calf-stretch", "--hold", "45", "--by", "A. Costa").code == 0
        good = tmp_path / "good.json"
        assert patient("export", "json", "--out", str(good)).code == 0
    for values, said in (
        ({"colour": "red"}, "'colour'"),
        ({"sets": 500}, "500 is too much for a home program"),
        ({"hold_seconds": [40, 30]}, "min 40 is greater than max 30"),
        ({"times_per_day": 9}, "9 is not a whole number from 1 to 6"),
    ):
        doc = json.loads(good.read_text())
        doc["prescriptions"][0]["values"] = values
        bad = tmp_path / "bad.json"
        bad.write_text(json.dumps(doc))
        other = Rehab(tmp_path / "other.db")
        result = other("import", str(bad))
        assert result.code == 2, (result.out, result.err)
        assert "bad.json" in result.err and said in result.err.replace('"', "'"), result.err
        assert len(result.err.strip().splitlines()) == 1
        assert not (tmp_path / "other.db").exists()
