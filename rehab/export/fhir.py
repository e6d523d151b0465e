"""FHIR R4 (R4B-valid) Bundle of type `collection` for an electronic health record, written
resource by resource so a ten-year history never sits in memory. docs/export-fhir.md has
the mapping in a table.

Why each resource looks the way it does:

- Pain scores are Observations coded LOINC 72514-3. The value is a `valueCodeableConcept`
  holding the LOINC answer code (LA6111-4 for 0 … LA13942-0 for 10, CLINICAL.md) with the
  number as its display and text and as an `ordinalValue` extension. R4 allows integer or
  coded values; the coded one was chosen because the answer codes name the scale itself
  (0–10, verbal numeric), so a receiver cannot mistake a 7 for a 7 on another scale, while
  `ordinalValue` still gives a number to chart.
- VISA-A has no LOINC code: an Observation with a text code, `valueInteger` = the 0–100
  score, the eight items' points as components. Not a QuestionnaireResponse: that needs a
  published Questionnaire to point at, and the item wording is not ours to publish
  (rehab.core.visa); an Observation also trends in an EHR like any other score.
- Each program (enrollment) is a CarePlan with one activity per exercise: SNOMED CT
  229065009 "Exercise therapy" plus the exercise's name, a Timing (how often, the patient's
  reminder times for its slots, bounded by the phase or program period) and the dose in
  words as `Dose.describe` words it. An unverified dose says "ask your clinician for the
  dose" and never a number. Phase changes and pauses are CarePlan notes, dated when they
  were decided: that is where a clinician reading the plan looks, and it keeps one plan per
  program rather than a chain of revised plans.
- Each check-off or skip is a Procedure (code 229065009, `basedOn` its CarePlan): an EHR
  lists Procedures as things done, with `status` completed / not-done (a skip, with its
  reason) / entered-in-error (a voided row, kept as the audit trail). The amounts, the pain
  during it and the planned day go in a note, since Procedure has no fields for sets or
  reps; the leg is `bodySite` text. Symptom checks are not exported here (CSV and JSON have
  them).

`fullUrl`s are `urn:uuid:` with uuid5 from the database ids, so a re-export of the same
database gives the same ids. Instants are ISO 8601 in the patient's zone with the offset.
"""

from __future__ import annotations

import hashlib
import html
import json
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, TextIO, cast

from sqlmodel import Session

from rehab.core import visa
from rehab.core.schedule import (
    EnrollmentSide,
    Progression,
    current_phase,
    current_progression,
    plan_day,
)
from rehab.core.template import Exercise, Phase, Program
from rehab.export import DISCLAIMER, files
from rehab.export.scope import Enrolled, Scope
from rehab.store import journal, rows, settings
from rehab.store.models import PrescriptionRow
from rehab.store.prescriptions import as_prescription, prescription_rows

LOINC = "http://loinc.org"
SNOMED = "http://snomed.info/sct"
CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
ORDINAL = "http://hl7.org/fhir/StructureDefinition/ordinalValue"
PAIN_CODE = "72514-3"
PAIN_DISPLAY = "Pain severity - 0-10 verbal numeric rating [Score] - Reported"
PAIN_ANSWERS = (
    "LA6111-4", "LA6112-2", "LA6113-0", "LA6114-8", "LA6115-5", "LA10137-0",
    "LA10138-8", "LA10139-6", "LA10140-4", "LA10141-2", "LA13942-0",
)  # fmt: skip
EXERCISE_CODE = "229065009"
EXERCISE_DISPLAY = "Exercise therapy"
INSTRUMENTS = {"visa-a": "VISA-A (Victorian Institute of Sport Assessment - Achilles) score"}
# Fixed for rehab; each database's ids are further scoped by its patient row (see _Ids).
NAMESPACE = uuid.UUID("3ba5dd4a-ea95-4262-b718-3cf4d447a5c0")
RHYTHMS = {  # days rule: Timing period, its unit, days in one period, in words
    "daily": (1, "d", 1, "every day"),
    "every-other-day": (2, "d", 1, "every other day"),
    "3-per-week": (1, "wk", 3, "3 days a week"),
}


class _Ids:
    """Deterministic urn:uuid per database row. The patient's id and creation instant scope
    them, so two databases that both have a dose 1 still give different uuids."""

    def __init__(self, scope: Scope) -> None:
        patient = scope.patient
        self.space = uuid.uuid5(NAMESPACE, f"patient/{patient.id}/{patient.created_at.isoformat()}")

    def of(self, kind: str, key: object) -> str:
        """`str(uuid.uuid5(self.space, f"{kind}/{key}"))`, minus a costly UUID object."""
        raw = bytearray(hashlib.sha1(self.space.bytes + f"{kind}/{key}".encode()).digest()[:16])
        raw[6] = (raw[6] & 0x0F) | 0x50  # version 5
        raw[8] = (raw[8] & 0x3F) | 0x80  # RFC 4122 variant
        h = raw.hex()
        return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def _ref(rid: str) -> dict[str, str]:
    return {"reference": f"urn:uuid:{rid}"}


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def _snomed(text: str) -> dict[str, Any]:
    coding = {"system": SNOMED, "code": EXERCISE_CODE, "display": EXERCISE_DISPLAY}
    return {"coding": [coding], "text": text}


# --- the plan ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Span:
    """Days a phase was (or is) in force; `last` None: open-ended (a pause not yet ended)."""

    phase_id: str
    first: date
    last: date | None
    level: int


def _end_of(item: Enrolled, scope: Scope, successor: date | None = None) -> date | None:
    """The plan's last day: its planned end, or the day it ended early; a plan replaced by
    another ends the day before the new one starts, so the two never overlap."""
    row = item.enrollment
    if row.status != "active" and row.ended_at is not None:
        ended = max(row.ended_at.astimezone(scope.zone).date(), row.start_date)
        if successor is not None and successor > row.start_date:
            ended = min(ended, successor - timedelta(days=1))
        return ended if item.end is None else min(ended, item.end)
    return item.end


def _running(item: Enrolled, scope: Scope) -> bool:
    """Active and not yet past its planned end (a plan that ran to its end is completed)."""
    end = item.end
    return item.enrollment.status == "active" and (end is None or scope.today <= end)


def _cut_short(item: Enrolled, end: date | None) -> bool:
    """Ended before its planned end; a program replaced while paused never reached one."""
    return end is not None and (item.end is None or end < item.end)


def _joined(spans: list[_Span]) -> list[tuple[date, date | None]]:
    """The days as runs: spans that follow on from each other (a new load level, or another
    phase the exercise also belongs to) are one run."""
    runs: list[tuple[date, date | None]] = []
    for span in spans:
        if runs and runs[-1][1] is not None and span.first == runs[-1][1] + timedelta(days=1):
            runs[-1] = (runs[-1][0], span.last)
        else:
            runs.append((span.first, span.last))
    return runs


def _unverified(program: Program, exercise: Exercise) -> bool:
    """No established dose: the exercise says so, or every phase it belongs to does."""
    if exercise.unverified:
        return True
    return bool(exercise.phases) and all(program.phase(p).unverified for p in exercise.phases)


def _spans(item: Enrolled, changes: list[Progression], end: date | None) -> list[_Span]:
    start = item.enrollment.start_date
    days = sorted({start} | {c.effective for c in changes if c.effective > start})
    days = [d for d in days if end is None or d <= end]
    spans: list[_Span] = []
    for i, day in enumerate(days):
        phase = current_phase(item.program, changes, day).id
        change = current_progression(changes, day)
        level = change.load_level if change is not None else 0
        last = days[i + 1] - timedelta(days=1) if i + 1 < len(days) else end
        if spans and spans[-1].phase_id == phase:
            spans[-1] = _Span(phase, spans[-1].first, last, level)
        else:
            spans.append(_Span(phase, day, last, level))
    return spans


def _describe(program: Program, exercise: Exercise, phase: Phase, week: int, level: int,
              side: EnrollmentSide) -> str:  # fmt: skip
    """The dose in the app's words, from the same schedule expansion the checklist uses."""
    start = date(2001, 1, 1)
    pday = (week - 1) * 7
    if exercise.days == "every-other-day" and pday % 2:
        pday += 1
    plan = plan_day(
        program,
        start=start,
        side=side,
        day=start + timedelta(days=pday),
        progressions=[Progression(start, phase.id, level)],
    )
    doses = [d for d in plan.doses if d.exercise_id == exercise.id and d.occurrence == 1]
    if not doses:
        return f"{exercise.name}: not planned in {phase.name}"
    return doses[0].describe("each leg" if len(doses) > 1 else None)


def _dose_text(item: Enrolled, exercise: Exercise, spans: list[_Span]) -> str:
    program = item.program
    side = cast(EnrollmentSide, item.enrollment.side)
    if exercise.phases:
        phases = [program.phase(p) for p in exercise.phases]
    else:
        phases = [program.phase(spans[-1].phase_id) if spans else program.phases[0]]
    weeks = [
        (f"week{'s' if s.weeks.is_range else ''} {s.weeks.text()}", int(s.weeks.low))
        for s in exercise.by_week
    ]
    lines: list[tuple[str, str]] = []
    for phase in phases:
        reached = [s.level for s in spans if s.phase_id == phase.id]
        level = reached[-1] if reached else 0
        for label, week in weeks or [("", int(phase.weeks.low))]:
            where = ", ".join(x for x in (phase.name if len(phases) > 1 else "", label) if x)
            lines.append((where, _describe(program, exercise, phase, week, level, side)))
    if len({text for _, text in lines}) == 1:
        return lines[0][1]
    return "\n".join(f"{where}: {text}" for where, text in lines)


def _timing(
    exercise: Exercise, times: dict[str, str], bounds: dict[str, str], *, unverified: bool
) -> dict[str, Any]:
    clock = list(dict.fromkeys(times[s] + ":00" for s in exercise.slots if s in times))
    slots = [s for s in exercise.slots if s != "any"]
    repeat: dict[str, Any] = {"boundsPeriod": bounds} if bounds else {}
    if unverified:  # the template's rhythm is a placeholder: state none as fact
        return {
            "code": {"text": "as your clinician sets it"},
            **({"repeat": repeat} if repeat else {}),
        }
    if exercise.as_needed:
        up_to = exercise.times_per_day
        text = "as needed" + (f", up to {up_to} times a day" if up_to > 1 else "")
    else:
        period, unit, days, words = RHYTHMS[exercise.days]
        repeat.update(frequency=exercise.times_per_day * days, period=period, periodUnit=unit)
        text = f"{exercise.times_per_day}× a day, {words}"
    if slots:
        text += " (" + ", ".join(dict.fromkeys(slots)) + ")"
    if clock:
        repeat["timeOfDay"] = clock
    timing: dict[str, Any] = {"code": {"text": text}}
    if repeat:
        timing["repeat"] = repeat
    return timing


def _period(first: date | None, last: date | None) -> dict[str, str]:
    named = {"start": first, "end": last}
    return {key: day.isoformat() for key, day in named.items() if day is not None}


def _activity(item: Enrolled, exercise: Exercise, spans: list[_Span], scope: Scope,
              times: dict[str, str], end: date | None) -> dict[str, Any]:  # fmt: skip
    active = _running(item, scope)
    mine = [s for s in spans if not exercise.phases or s.phase_id in exercise.phases]
    start = item.enrollment.start_date
    if not mine:  # a phase not reached: the weeks the template plans for it
        phases = [item.program.phase(p) for p in exercise.phases] or item.program.phases
        first = start + timedelta(days=7 * (int(min(p.weeks.low for p in phases)) - 1))
        last: date | None = start + timedelta(days=7 * int(max(p.weeks.high for p in phases)) - 1)
        status = "not-started" if active else "cancelled"
    else:
        first, last = mine[0].first, mine[-1].last
        current = mine[-1] is spans[-1]
        if active and scope.today < first:
            status = "not-started"
        elif active and current:
            paused = any(p.covers(scope.today) for p in item.pauses)
            status = "on-hold" if paused else "in-progress"
        elif current and _cut_short(item, end):
            status = "stopped"
        else:
            status = "completed"
    description = _dose_text(item, exercise, spans) + "\n" + exercise.instructions
    runs = _joined(mine)
    if len(runs) > 1:  # phases can go back (a reduce decision): bounds alone would hide it
        description += "\nIn force: " + ", ".join(f"{a} to {b or 'open'}" for a, b in runs)
    detail = {
        "code": _snomed(exercise.name),
        "status": status,
        "scheduledTiming": _timing(
            exercise,
            times,
            _period(first, last),
            unverified=_unverified(item.program, exercise),
        ),
        "description": description,
    }
    return {"detail": detail}


def _phase_note(scope: Scope, program: Program | None, row: rows.PhaseRow) -> dict[str, str]:
    def name(phase_id: str | None) -> str:
        if phase_id is None:
            return "no phase"
        try:
            return program.phase(phase_id).name if program else phase_id
        except KeyError:
            return phase_id

    text = (
        f"Phase decision ({row.decision}) from {row.effective_date}: {name(row.from_phase)} "
        f"→ {name(row.to_phase)}, load level {row.load_level}; decided by {row.decided_by}"
    )
    if row.reason:
        text += f"; reason: {row.reason}"
    if row.voided_at is not None:
        text += f". Voided at {scope.local(row.voided_at)}"
    return {"time": scope.local(row.accepted_at), "text": text}


def _prescription_note(scope: Scope, row: PrescriptionRow) -> dict[str, str]:
    given = as_prescription(row)
    text = f"Prescription from {row.effective_date} by {row.prescribed_by}: {given.text()}"
    if row.reason:
        text += f"; reason: {row.reason}"
    if row.voided_at is not None:
        text += f". Voided at {scope.local(row.voided_at)}"
    return {"time": scope.local(row.created_at), "text": text}


def _pause_note(scope: Scope, row: rows.PauseRow) -> dict[str, str]:
    if row.end_date is None:
        text = f"Paused from {row.start_date}, not resumed yet"
    else:
        last = row.end_date - timedelta(days=1)
        if last < row.start_date:  # resumed the day it was to start: no day was paused
            text = f"Pause from {row.start_date} cancelled the same day (no day paused)"
        else:
            days = f"on {last}" if last == row.start_date else f"{row.start_date} to {last}"
            text = f"Paused {days} (resumed {row.end_date})"
    if row.reason:
        text += f": {row.reason}"
    return {"time": scope.local(row.created_at), "text": text}


def _care_plan(session: Session, scope: Scope, item: Enrolled, ids: _Ids, patient: str,
               times: dict[str, str], notes: list[dict[str, str]],
               successor: date | None = None) -> dict[str, Any]:  # fmt: skip
    row = item.enrollment
    end = _end_of(item, scope, successor)
    spans = _spans(item, journal.progressions_of(session, enrollment=row), end)
    if row.status == "active" and not _running(item, scope):
        status = "completed"  # ran to its planned end
    elif row.status == "active":
        status = "on-hold" if any(p.covers(scope.today) for p in item.pauses) else "active"
    else:  # ended before its planned end: revoked (stopped early)
        status = "revoked" if _cut_short(item, end) else "completed"
    legs = {"both": "both legs", "left": "left leg", "right": "right leg"}.get(row.side, row.side)
    return {
        "resourceType": "CarePlan",
        "id": ids.of("careplan", item.id),
        "status": status,
        "intent": "plan",
        "title": item.program.name,
        "description": f"{item.program.summary} Side: {legs}.",
        "subject": _ref(patient),
        "period": _period(row.start_date, end),
        "created": scope.local(row.created_at),
        "activity": [
            _activity(item, exercise, spans, scope, times, end)
            for exercise in item.program.exercises
        ],
        "note": [{"text": DISCLAIMER}, *notes],
    }


# --- the records ---------------------------------------------------------------------------


def _observation(rid: str, patient: str, voided: bool, code: dict[str, Any]) -> dict[str, Any]:
    return {
        "resourceType": "Observation",
        "id": rid,
        "status": "entered-in-error" if voided else "final",
        "category": [{"coding": [{"system": CATEGORY, "code": "survey", "display": "Survey"}]}],
        "code": code,
        "subject": _ref(patient),
    }


def _pain(scope: Scope, row: rows.PainRow, rid: str, patient: str) -> dict[str, Any]:
    answer = {
        "extension": [{"url": ORDINAL, "valueDecimal": row.score}],
        "system": LOINC,
        "code": PAIN_ANSWERS[row.score],
        "display": str(row.score),
    }
    code = {"coding": [{"system": LOINC, "code": PAIN_CODE, "display": PAIN_DISPLAY}]}
    resource = _observation(rid, patient, row.voided_at is not None, code | {"text": "Pain (0-10)"})
    resource["effectiveDateTime"] = scope.local(row.at)
    resource["issued"] = scope.local(row.logged_at)
    resource["valueCodeableConcept"] = {"coding": [answer], "text": str(row.score)}
    if row.site:
        resource["bodySite"] = {"text": row.site}
    notes = [{"text": f"Context: {row.context}"}]
    if row.note:
        notes.append({"text": row.note})
    if row.voided_at is not None:
        notes.append({"text": f"Voided at {scope.local(row.voided_at)}"})
    resource["note"] = notes
    return resource


def _assessment(scope: Scope, row: rows.AssessmentRow, rid: str, patient: str) -> dict[str, Any]:
    code = {"text": INSTRUMENTS.get(row.instrument, row.instrument)}
    resource = _observation(rid, patient, row.voided_at is not None, code)
    resource["effectiveDateTime"] = row.taken_on.isoformat()
    resource["issued"] = scope.local(row.logged_at)
    resource["valueInteger"] = row.score
    if row.instrument == "visa-a":
        resource["referenceRange"] = [
            {"low": {"value": 0}, "high": {"value": 100}, "text": "0-100; 100 = no symptoms"}
        ]
        try:
            answers = visa.Answers.from_dict(row.answers)
            resource["interpretation"] = [{"text": visa.interpret(row.score)}]
        except ValueError:
            answers = None
        if answers is not None:
            resource["component"] = [
                {"code": {"text": f"VISA-A item {item.number}: {item.topic}"}, "valueInteger": n}
                for item, n in zip(visa.ITEMS, visa.item_scores(answers), strict=True)
            ]
    if row.voided_at is not None:
        resource["note"] = [{"text": f"Voided at {scope.local(row.voided_at)}"}]
    return resource


def _amounts(row: rows.DoseRow) -> str:
    parts = []
    if row.sets is not None:
        parts.append(f"{row.sets} set" + ("s" if row.sets != 1 else ""))
    if row.reps is not None:
        parts.append(f"{row.reps} rep" + ("s" if row.reps != 1 else ""))
    if row.hold_seconds is not None:
        parts.append(f"{_num(row.hold_seconds)} s hold")
    if row.minutes is not None:
        parts.append(f"{_num(row.minutes)} min")
    if row.load_kg is not None:
        parts.append(f"load {_num(row.load_kg)} kg")
    if row.pain_during is not None:
        parts.append(f"pain during {row.pain_during}/10")
    return ", ".join(parts)


def _dose(scope: Scope, row: rows.DoseRow, rid: str, plan: str, patient: str) -> dict[str, Any]:
    logged = scope.local(row.logged_at)
    done = "completed" if row.status == "done" else "not-done"
    status = done if row.voided_at is None else "entered-in-error"
    resource: dict[str, Any] = {
        "resourceType": "Procedure",
        "id": rid,
        "basedOn": [_ref(plan)],
        "status": status,
        "code": _snomed(row.exercise),
        "subject": _ref(patient),
    }
    if row.status == "done":
        resource["performedDateTime"] = logged
        resource["performer"] = [{"actor": _ref(patient)}]
    else:
        resource["statusReason"] = {"text": row.reason or "skipped"}
    if row.side:
        resource["bodySite"] = [{"text": f"{row.side} leg"}]
    slot = f" ({row.slot})" if row.slot and row.slot != "any" else ""
    what = f"{row.status.capitalize()} for {row.plan_date}{slot}"
    amounts = _amounts(row)
    notes = [{"time": logged, "text": what + (f": {amounts}" if amounts else "")}]
    if row.note:
        notes.append({"text": row.note})
    if row.voided_at is not None:
        notes.append({"time": scope.local(row.voided_at), "text": "Voided (taken back)"})
    resource["note"] = notes
    return resource


# --- writing -------------------------------------------------------------------------------


XHTML = "http://www.w3.org/1999/xhtml"
STATUS_WORDS = {"entered-in-error": "voided", "not-done": "not done"}


def _summary(resource: dict[str, Any]) -> str:
    """One line a person can read, from the resource's own fields (dom-6: a narrative)."""
    kind = resource["resourceType"]
    status = STATUS_WORDS.get(resource.get("status", ""), resource.get("status", ""))
    if kind == "Patient":
        return f"Patient: {resource['name'][0]['text']}"
    if kind == "CarePlan":
        period = resource.get("period", {})
        days = f"{period.get('start', '?')} to {period.get('end', 'open')}"
        return f"Exercise plan {resource['title']}, {days}: {status}"
    if kind == "Observation":
        value = resource.get("valueCodeableConcept", {}).get("text", resource.get("valueInteger"))
        when = resource.get("effectiveDateTime", "")
        return f"{resource['code']['text']}: {value}, {when} ({status})"
    notes = resource.get("note", [])
    what = notes[0]["text"] if notes else ""
    return f"{resource['code']['text']}: {status}. {what}".rstrip(". ")


def _narrative(resource: dict[str, Any]) -> dict[str, str]:
    text = html.escape(_summary(resource), quote=False)
    return {"status": "generated", "div": f'<div xmlns="{XHTML}">{text}</div>'}


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


class _Writer:
    """Entries one by one, counted by kind (the counts `rehab export` reports)."""

    def __init__(self, handle: TextIO) -> None:
        self.handle = handle
        self.counts: dict[str, int] = {}

    def entry(self, kind: str, resource: dict[str, Any]) -> None:
        resource = {"resourceType": resource["resourceType"], "id": resource["id"],
                    "text": _narrative(resource), **resource}  # fmt: skip
        text = _dumps({"fullUrl": f"urn:uuid:{resource['id']}", "resource": resource})
        self.handle.write(",\n" + text if self.counts else "\n" + text)
        self.counts[kind] = self.counts.get(kind, 0) + 1


def _grouped(found: Iterable[Any]) -> dict[int, list[Any]]:
    groups: dict[int, list[Any]] = {}
    for row in found:
        groups.setdefault(row.enrollment_id, []).append(row)
    return groups


def write(session: Session, scope: Scope, handle: TextIO) -> dict[str, int]:
    """Write the bundle; returns the number of resources by kind."""
    ids = _Ids(scope)
    patient = ids.of("patient", scope.patient_id)
    bundle = {
        "resourceType": "Bundle",
        "id": ids.of("bundle", f"{scope.first}/{scope.last}"),
        "type": "collection",
        "timestamp": scope.local(scope.generated_at),
    }
    handle.write(_dumps(bundle)[:-1] + ',"entry":[')
    out = _Writer(handle)
    name = [{"text": scope.patient.name}]
    out.entry("patient", {"resourceType": "Patient", "id": patient, "active": True, "name": name})

    times = settings.reminder_times(session, patient=scope.patient)
    read, span = rows.session_reader(session), scope.span
    phases = _grouped(rows.phases(read, span))
    pauses = _grouped(rows.pauses(read, span))
    plans: dict[int, str] = {}
    starts = sorted(item.enrollment.start_date for item in scope.enrollments)
    for item in scope.enrollments:
        successor = next((d for d in starts if d > item.enrollment.start_date), None)
        dated = [
            (r.accepted_at, _phase_note(scope, item.program, r)) for r in phases.get(item.id, [])
        ]
        dated += [(r.created_at, _pause_note(scope, r)) for r in pauses.get(item.id, [])]
        dated += [
            (r.created_at, _prescription_note(scope, r))
            for r in prescription_rows(session, enrollment=item.enrollment, voided=True)
        ]
        notes = [note for _, note in sorted(dated, key=lambda pair: pair[0])]
        plan = _care_plan(session, scope, item, ids, patient, times, notes, successor)
        plans[item.id] = plan["id"]
        out.entry("care plans", plan)
    for row in rows.pain(read, span):
        out.entry("pain scores", _pain(scope, row, ids.of("pain", row.id), patient))
    for taken in rows.assessments(read, span):
        rid = ids.of("assessment", taken.id)
        out.entry("assessments", _assessment(scope, taken, rid, patient))
    for dose in rows.doses(read, span):
        rid = ids.of("dose", dose.id)
        out.entry("doses", _dose(scope, dose, rid, plans[dose.enrollment_id], patient))
    handle.write("\n]}\n")
    return out.counts


def export(session: Session, scope: Scope, target: files.Target) -> dict[str, int]:
    with files.open_text(target) as handle:
        return write(session, scope, handle)
