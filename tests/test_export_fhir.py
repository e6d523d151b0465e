"""`rehab export fhir`: the bundle is read back with fhir.resources (R4B) and every entry
validated; codes, counts, values and references are then checked by this file's own code
against the database (plain sqlite3), never against the code under test."""

from __future__ import annotations

import json
import re
import uuid
from collections import Counter
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from fhir.resources.R4B import get_fhir_model_class
from fhir.resources.R4B.bundle import Bundle

from tests.conftest import Rehab, Result
from tests.export_history import FORMULA_NOTE, History, at, module_history

LOINC = "http://loinc.org"
SNOMED = "http://snomed.info/sct"
# CLINICAL.md, "Codes for exchange": the LOINC answer code of each 0-10 pain score.
LA_CODES = {
    0: "LA6111-4", 1: "LA6112-2", 2: "LA6113-0", 3: "LA6114-8", 4: "LA6115-5", 5: "LA10137-0",
    6: "LA10138-8", 7: "LA10139-6", 8: "LA10140-4", 9: "LA10141-2", 10: "LA13942-0",
}  # fmt: skip
OFFSET = re.compile(r"T\d\d:\d\d:\d\d([+-]\d\d:\d\d|Z)$")
Entry = dict[str, Any]


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> Iterator[History]:
    yield from module_history(tmp_path_factory)


def export(history: History, *args: str) -> Result:
    with at(history.today):
        return Rehab(history.path)("--patient", history.patient, "export", "fhir", *args)


def read_bundle(history: History, out: Path, *args: str) -> dict[str, Any]:
    result = export(history, "--out", str(out), *args)
    assert result.code == 0, result.err
    assert "fhir export" in result.out
    data = json.loads(out.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


@pytest.fixture(scope="module")
def bundle(history: History, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    out = tmp_path_factory.mktemp("fhir") / "bundle.json"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("TZ", "Europe/Lisbon")
        mp.setenv("REHAB_HOME", str(tmp_path_factory.mktemp("home")))
        return read_bundle(history, out)


def resources(bundle: dict[str, Any], kind: str) -> list[Entry]:
    return [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == kind]


def pain_observations(bundle: dict[str, Any]) -> list[Entry]:
    return [
        r
        for r in resources(bundle, "Observation")
        if any(c.get("code") == "72514-3" for c in r["code"].get("coding", []))
    ]


def visa_observations(bundle: dict[str, Any]) -> list[Entry]:
    return [r for r in resources(bundle, "Observation") if "VISA-A" in r["code"].get("text", "")]


def references(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "reference" and isinstance(item, str):
                yield item
            else:
                yield from references(item)
    elif isinstance(value, list):
        for item in value:
            yield from references(item)


def snomed_exercise(concept: dict[str, Any]) -> bool:
    return any(
        c.get("system") == SNOMED and c.get("code") == "229065009" for c in concept["coding"]
    )


# --- the bundle as a whole ---------------------------------------------------------------


def test_bundle_and_every_entry_validate_as_r4b(bundle: dict[str, Any]) -> None:
    parsed = Bundle.model_validate(bundle)
    assert parsed.type == "collection"
    assert bundle["type"] == "collection"
    assert OFFSET.search(bundle["timestamp"])
    kinds = Counter(e["resource"]["resourceType"] for e in bundle["entry"])
    assert set(kinds) == {"Patient", "CarePlan", "Observation", "Procedure"}
    assert kinds["Patient"] == 1
    for entry in bundle["entry"]:
        model = get_fhir_model_class(entry["resource"]["resourceType"])
        model.model_validate(entry["resource"])


def test_full_urls_are_unique_uuids_and_every_reference_resolves(bundle: dict[str, Any]) -> None:
    urls = [e["fullUrl"] for e in bundle["entry"]]
    assert len(urls) == len(set(urls))
    for entry in bundle["entry"]:
        assert re.fullmatch(r"urn:uuid:[0-9a-f-]{36}", entry["fullUrl"])
        assert entry["fullUrl"] == f"urn:uuid:{entry['resource']['id']}"
    by_url = {e["fullUrl"]: e["resource"] for e in bundle["entry"]}
    found = list(references(bundle["entry"]))
    assert found
    assert all(ref in by_url for ref in found)
    patient = resources(bundle, "Patient")[0]
    for resource in (r for e in bundle["entry"] if (r := e["resource"]) is not patient):
        assert by_url[resource["subject"]["reference"]] is patient
    for procedure in resources(bundle, "Procedure"):
        assert by_url[procedure["basedOn"][0]["reference"]]["resourceType"] == "CarePlan"


def test_every_instant_carries_its_offset(bundle: dict[str, Any]) -> None:
    keys = {"effectiveDateTime", "issued", "performedDateTime", "created", "time"}

    def walk(value: Any) -> Iterator[tuple[str, str]]:
        if isinstance(value, dict):
            for key, item in value.items():
                if key in keys and isinstance(item, str):
                    yield key, item
                yield from walk(item)
        elif isinstance(value, list):
            for item in value:
                yield from walk(item)

    seen = list(walk(bundle["entry"]))
    assert {key for key, _ in seen} == keys
    for key, text in seen:
        if "T" in text:
            assert OFFSET.search(text), (key, text)
        else:
            date.fromisoformat(text)  # a plain date (an assessment's day)


def test_a_re_export_is_the_same_bundle_and_stdout_parses(
    history: History, bundle: dict[str, Any]
) -> None:
    result = export(history, "--out", "-")
    assert result.code == 0, result.err
    again = json.loads(result.out)
    Bundle.model_validate(again)
    assert again == bundle  # the same uuids, the same order, the same clock


# --- pain --------------------------------------------------------------------------------


def test_pain_scores_are_loinc_observations_with_the_database_values(
    history: History, bundle: dict[str, Any]
) -> None:
    pain = pain_observations(bundle)
    for obs in pain:
        assert obs["code"]["coding"] == [
            {
                "system": LOINC,
                "code": "72514-3",
                "display": "Pain severity - 0-10 verbal numeric rating [Score] - Reported",
            }
        ]
        assert OFFSET.search(obs["effectiveDateTime"])
    live = [o for o in pain if o["status"] == "final"]
    voided = [o for o in pain if o["status"] == "entered-in-error"]
    assert len(live) + len(voided) == len(pain)
    assert len(live) == history.scalar("select count(*) from painentry where voided_at is null")
    assert len(voided) == history.scalar(
        "select count(*) from painentry where voided_at is not null"
    )
    assert len(voided) == 1  # the 9/10 typo taken back

    def score(obs: Entry) -> int:
        value = obs["valueCodeableConcept"]
        (coding,) = value["coding"]
        number = int(value["text"])
        assert coding["system"] == LOINC
        assert coding["code"] == LA_CODES[number]
        assert int(coding["display"]) == number
        ordinal = [x for x in coding["extension"] if x["url"].endswith("/ordinalValue")]
        assert [x["valueDecimal"] for x in ordinal] == [number]
        return number

    assert sum(score(o) for o in live) == history.scalar(
        "select sum(score) from painentry where voided_at is null"
    )
    assert Counter(score(o) for o in pain) == dict(
        history.query("select score, count(*) from painentry group by score")
    )
    assert [score(o) for o in voided] == [9]


def test_every_la_answer_code_maps_its_own_score() -> None:
    from rehab.export import fhir

    assert dict(enumerate(fhir.PAIN_ANSWERS)) == LA_CODES


# --- VISA-A ------------------------------------------------------------------------------


def test_visa_a_scores_are_observations_with_the_database_values(
    history: History, bundle: dict[str, Any]
) -> None:
    scores = visa_observations(bundle)
    expected = history.query(
        "select taken_on, score from assessment where instrument = 'visa-a' "
        "and voided_at is null order by taken_on, id"
    )
    assert len(expected) == 3
    assert [(o["effectiveDateTime"], o["valueInteger"]) for o in scores] == expected
    for obs in scores:
        assert obs["status"] == "final"
        assert "coding" not in obs["code"]  # no LOINC code exists for VISA-A
        assert 0 <= obs["valueInteger"] <= 100
        assert len(obs["component"]) == 8
        assert sum(c["valueInteger"] for c in obs["component"]) == obs["valueInteger"]


# --- the care plan -----------------------------------------------------------------------


def test_the_program_is_a_care_plan_with_one_coded_activity_per_exercise(
    history: History, bundle: dict[str, Any]
) -> None:
    (plan,) = resources(bundle, "CarePlan")
    (row,) = history.query("select template_json, start_date, status from enrollment")
    template = json.loads(str(row[0]))
    assert plan["status"] == "active" and row[2] == "active"
    assert plan["intent"] == "plan"
    assert plan["title"] == template["name"]
    assert plan["period"]["start"] == row[1]
    assert plan["note"][0]["text"] == "Not medical advice; follow your clinician."
    activities = [a["detail"] for a in plan["activity"]]
    assert [a["code"]["text"] for a in activities] == [e["name"] for e in template["exercises"]]
    assert all(snomed_exercise(a["code"]) for a in activities)
    for detail in activities:
        repeat = detail["scheduledTiming"]["repeat"]
        assert repeat["boundsPeriod"]["start"] >= plan["period"]["start"]
        assert repeat["boundsPeriod"]["end"] <= plan["period"]["end"]
    unverified_phases = {p["id"] for p in template["phases"] if p["unverified"]}
    for exercise, detail in zip(template["exercises"], activities, strict=True):
        dose = detail["description"].split("\n")
        if exercise["unverified"]:
            assert dose[0] == f"{exercise['name']}: ask your clinician for the dose"
        elif exercise["phases"] and set(exercise["phases"]) <= unverified_phases:
            assert "ask your clinician for the dose" in dose[0]
        if "ask your clinician" in dose[0] and len(dose) == 2:
            assert not re.search(r"\d", dose[0])  # never a number beside the advice
        timing = detail["scheduledTiming"]
        withheld = exercise["unverified"] or (
            exercise["phases"] and set(exercise["phases"]) <= unverified_phases
        )
        if withheld:  # the template's rhythm is a placeholder: no frequency stated as fact
            assert timing["code"]["text"] == "as your clinician sets it"
            assert not {"frequency", "period", "periodUnit"} & set(timing.get("repeat", {}))
        elif not exercise["as_needed"]:
            assert timing["repeat"]["frequency"] >= 1
    stretch = next(a for a in activities if a["code"]["text"] == "Calf stretch")
    assert stretch["description"].startswith("Calf stretch, 30 s hold × 2–3, each leg")
    assert "In force" not in stretch["description"]  # every phase: one unbroken run
    step = next(a for a in activities if a["code"]["text"] == "Two-leg heel raise (step edge)")
    # phase 2 from 23 Feb, back to phase 1 on 21 Mar (a reduce), phase 2 again from 30 Mar
    assert "In force: 2026-02-23 to 2026-03-20, 2026-03-30 to " in step["description"]
    assert stretch["status"] == "in-progress"


def test_phase_changes_and_pauses_are_care_plan_notes(
    history: History, bundle: dict[str, Any]
) -> None:
    (plan,) = resources(bundle, "CarePlan")
    notes = [n["text"] for n in plan["note"][1:]]
    decisions = [n for n in notes if n.startswith("Phase decision")]
    pauses = [n for n in notes if n.startswith("Paused")]
    assert len(decisions) == history.scalar("select count(*) from phasechange")
    assert len(pauses) == history.scalar("select count(*) from pause")
    for (day, decision), text in zip(
        history.query("select effective_date, decision from phasechange order by effective_date"),
        decisions,
        strict=True,
    ):
        assert f"({decision}) from {day}" in text
    assert any("travel" in n for n in pauses)
    times = [n["time"] for n in plan["note"][1:]]
    assert all(OFFSET.search(t) for t in times)


def test_timing_uses_the_patients_reminder_times_for_the_slots(rehab: Rehab) -> None:
    day = date(2026, 3, 9)
    with at(day):
        assert rehab("start", "achilles-insertional", "--side", "left").code == 0
        changed = rehab("settings", "reminders", "--morning", "07:15", "--evening", "19:45")
        assert changed.code == 0, changed.err
        result = rehab("export", "fhir", "--out", "-")
    assert result.code == 0, result.err
    data = json.loads(result.out)
    Bundle.model_validate(data)
    (plan,) = resources(data, "CarePlan")
    details = [a["detail"] for a in plan["activity"]]
    drop = next(d for d in details if d["code"]["text"].startswith("Heel drop"))
    timing = drop["scheduledTiming"]["repeat"]
    assert timing["timeOfDay"] == ["07:15:00", "19:45:00"]
    assert (timing["frequency"], timing["period"], timing["periodUnit"]) == (2, 1, "d")
    assert timing["boundsPeriod"]["start"] == str(day)
    assert drop["description"].startswith("Heel drop on flat ground, 3 × 15, left leg")
    assert resources(data, "Procedure") == []


def test_a_program_replaced_while_paused_was_stopped_early(rehab: Rehab) -> None:
    day = date(2026, 3, 9)
    with at(day):
        assert rehab("start", "plantar-fasciitis", "--side", "left").code == 0
        assert rehab("pause", "--reason", "travel").code == 0
        replaced = rehab("start", "achilles-insertional", "--side", "left", "--replace")
        assert replaced.code == 0, replaced.err
        result = rehab("export", "fhir", "--from", str(day), "--out", "-")
    assert result.code == 0, result.err
    data = json.loads(result.out)
    Bundle.model_validate(data)
    old, new = resources(data, "CarePlan")
    assert old["title"].startswith("Plantar") and new["title"].startswith("Insertional")
    assert old["status"] == "revoked"  # day 1 of 12 weeks: not "completed"
    assert new["status"] == "active"


# --- doses -------------------------------------------------------------------------------


def test_doses_are_procedures_done_skipped_or_entered_in_error(
    history: History, bundle: dict[str, Any]
) -> None:
    procedures = resources(bundle, "Procedure")
    assert len(procedures) == history.scalar("select count(*) from doselog")
    statuses = Counter(p["status"] for p in procedures)
    assert statuses == {
        "completed": history.scalar(
            "select count(*) from doselog where status = 'done' and voided_at is null"
        ),
        "not-done": history.scalar(
            "select count(*) from doselog where status = 'skipped' and voided_at is null"
        ),
        "entered-in-error": history.scalar(
            "select count(*) from doselog where voided_at is not null"
        ),
    }
    assert statuses["entered-in-error"] == 2  # the calf stretch taken back, both legs
    assert statuses["not-done"] > 0
    for procedure in procedures:
        assert snomed_exercise(procedure["code"])
        assert procedure["code"]["text"]
        if procedure["status"] == "completed":
            assert OFFSET.search(procedure["performedDateTime"])
        if procedure["status"] == "not-done":
            assert procedure["statusReason"]["text"]
            assert "performedDateTime" not in procedure
    voided = [p for p in procedures if p["status"] == "entered-in-error"]
    assert {p["code"]["text"] for p in voided} == {"Calf stretch"}
    assert {p["bodySite"][0]["text"] for p in voided} == {"left leg", "right leg"}
    assert all(any(n["text"].startswith("Voided") for n in p["note"]) for p in voided)
    loaded = [p for p in procedures if any(n["text"] == FORMULA_NOTE for n in p["note"])]
    assert len(loaded) == 1
    assert "load 7.5 kg" in loaded[0]["note"][0]["text"]
    assert "pain during 3/10" in loaded[0]["note"][0]["text"]


# --- the range ---------------------------------------------------------------------------


def test_from_and_to_limit_the_entries(history: History, tmp_path: Path) -> None:
    march = read_bundle(
        history, tmp_path / "march.json", "--from", "2026-03-01", "--to", "2026-03-31"
    )
    Bundle.model_validate(march)
    procedures = resources(march, "Procedure")
    assert len(procedures) == history.scalar(
        "select count(*) from doselog where plan_date between '2026-03-01' and '2026-03-31'"
    )
    assert {p["note"][0]["text"].split(" for ")[1][:7] for p in procedures} == {"2026-03"}
    pain = pain_observations(march)
    assert len(pain) == history.scalar(
        "select count(*) from painentry where local_date between '2026-03-01' and '2026-03-31'"
    )
    assert {o["effectiveDateTime"][:7] for o in pain} == {"2026-03"}
    assert [o["valueInteger"] for o in visa_observations(march)] == [
        s for (s,) in history.query(
            "select score from assessment where taken_on between '2026-03-01' and '2026-03-31'"
        )
    ]  # fmt: skip
    (plan,) = resources(march, "CarePlan")
    notes = [n["text"] for n in plan["note"]]
    assert not any(n.startswith("Paused") for n in notes)  # the pauses were in April
    assert sum(n.startswith("Phase decision") for n in notes) == 2


def test_ids_are_the_standard_uuid5_of_each_row(bundle: dict[str, Any]) -> None:
    from rehab.export import fhir

    ids = fhir._Ids.__new__(fhir._Ids)
    for ids.space in (fhir.NAMESPACE, uuid.uuid5(fhir.NAMESPACE, "patient/1/x")):
        for key in (*range(1, 300), "2026-02-09/2026-04-26"):
            assert ids.of("dose", key) == str(uuid.uuid5(ids.space, f"dose/{key}"))
    assert all(uuid.UUID(e["resource"]["id"]).version == 5 for e in bundle["entry"])


# --- defects found with outside validators -----------------------------------------------


def test_every_resource_has_a_generated_xhtml_narrative(bundle: dict[str, Any]) -> None:
    """dom-6: a resource should have a narrative; the div is XHTML and holds plain text."""
    for entry in bundle["entry"]:
        resource = entry["resource"]
        if resource["resourceType"] == "Bundle":
            continue
        narrative = resource["text"]
        assert narrative["status"] == "generated"
        div = narrative["div"]
        assert div.startswith('<div xmlns="http://www.w3.org/1999/xhtml">') and div.endswith(
            "</div>"
        )
        inner = div.removeprefix('<div xmlns="http://www.w3.org/1999/xhtml">')[: -len("</div>")]
        assert inner.strip() and "<" not in inner  # escaped text, no markup
    model = get_fhir_model_class("Patient").model_validate(resources(bundle, "Patient")[0])
    assert model.text is not None and model.text.status == "generated"


def test_a_program_that_ran_to_its_end_is_completed(rehab: Rehab) -> None:
    day = date(2026, 3, 9)
    with at(day):
        assert rehab("start", "heel-pain-self-care", "--side", "left").code == 0
    with at(date(2026, 5, 1)):  # six weeks later and more
        result = rehab("export", "fhir", "--from", str(day), "--out", "-")
    assert result.code == 0, result.err
    data = json.loads(result.out)
    Bundle.model_validate(data)
    (plan,) = resources(data, "CarePlan")
    assert plan["status"] == "completed"
    assert plan["period"] == {"start": "2026-03-09", "end": "2026-04-19"}
    statuses = {a["detail"]["status"] for a in plan["activity"]}
    assert statuses <= {"completed", "cancelled"} and "completed" in statuses


def test_a_pause_cancelled_the_day_it_started_reads_forwards(rehab: Rehab) -> None:
    day = date(2026, 3, 9)
    with at(day):
        assert rehab("start", "plantar-fasciitis", "--side", "left").code == 0
    with at(date(2026, 3, 12)):
        assert rehab("pause", "--reason", "travel").code == 0
        assert rehab("resume").code == 0
        result = rehab("export", "fhir", "--from", str(day), "--out", "-")
    assert result.code == 0, result.err
    data = json.loads(result.out)
    Bundle.model_validate(data)
    (plan,) = resources(data, "CarePlan")
    (note,) = [n["text"] for n in plan["note"] if "2026-03-12" in n["text"]]
    assert "2026-03-11" not in note
    assert note.startswith("Pause from 2026-03-12 cancelled the same day (no day paused)")


def test_a_replaced_plan_ends_the_day_before_its_successor_starts(rehab: Rehab) -> None:
    day = date(2026, 3, 9)
    with at(day):
        assert rehab("start", "plantar-fasciitis", "--side", "left").code == 0
    with at(date(2026, 3, 19)):
        replaced = rehab("start", "achilles-insertional", "--side", "left", "--replace")
        assert replaced.code == 0, replaced.err
        result = rehab("export", "fhir", "--from", str(day), "--out", "-")
    assert result.code == 0, result.err
    data = json.loads(result.out)
    Bundle.model_validate(data)
    old, new = resources(data, "CarePlan")
    assert old["status"] == "revoked"
    assert old["period"]["end"] == "2026-03-18" and new["period"]["start"] == "2026-03-19"
    for activity in old["activity"]:
        bounds = activity["detail"]["scheduledTiming"]["repeat"]["boundsPeriod"]
        assert bounds.get("end", "2026-03-18") <= "2026-03-18"
