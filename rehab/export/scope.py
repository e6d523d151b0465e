"""What an export covers: one patient, a date range (plan days, both ends included) and the
enrollments that have days in it, with their templates parsed and their pauses.

The range rules are `choose`'s. `--from`/`--to` may reach across several enrollments;
each one's template snapshot goes with it, so a dose logged under an older program still
reads right.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session

from rehab.core.prescription import Prescription, tailor_on
from rehab.core.schedule import PauseDays, end_of_program
from rehab.core.template import Program
from rehab.errors import UsageProblem
from rehab.store import journal
from rehab.store.models import Enrollment, Patient
from rehab.store.prescriptions import prescriptions_of
from rehab.store.rows import ExportSpan, local_iso


@dataclass(frozen=True)
class Enrolled:
    """An enrollment with its template snapshot parsed and its planned end. `program` is the
    template as the therapist's prescriptions tailored it by the range's last day (for a range
    that reaches today: every prescription made, those from a later day too)."""

    enrollment: Enrollment
    program: Program
    pauses: tuple[PauseDays, ...]
    end: date | None  # the last plan day of the program (moves later with each pause)
    prescriptions: tuple[Prescription, ...] = ()

    @property
    def id(self) -> int:
        assert self.enrollment.id is not None
        return self.enrollment.id

    @property
    def named_snapshot(self) -> str:
        """The template snapshot the rows take exercise names from: as stored, plus any
        exercise a therapist added (a dose logged for it is named, not shown by its id)."""
        added = [p.exercise for p in self.prescriptions if p.action == "add" and p.exercise]
        if not added:
            return self.enrollment.template_json
        data = json.loads(self.enrollment.template_json)
        known = {e["id"] for e in data["exercises"]}
        for text in added:
            exercise = json.loads(text)
            if exercise["id"] not in known:
                data["exercises"].append(exercise)
                known.add(exercise["id"])
        return json.dumps(data, sort_keys=True, separators=(",", ":"))


@dataclass(frozen=True)
class Scope:
    patient: Patient
    zone: ZoneInfo
    first: date
    last: date
    today: date
    generated_at: datetime
    enrollments: tuple[Enrolled, ...] = field(default=())

    @property
    def patient_id(self) -> int:
        assert self.patient.id is not None
        return self.patient.id

    @property
    def enrollment_ids(self) -> list[int]:
        return [e.id for e in self.enrollments]

    @property
    def current(self) -> Enrolled | None:
        """The enrollment the report is about: the active one, else the latest in range."""
        for item in reversed(self.enrollments):
            if item.enrollment.status == "active":
                return item
        return self.enrollments[-1] if self.enrollments else None

    def program_of(self, enrollment_id: int | None) -> Program | None:
        for item in self.enrollments:
            if item.id == enrollment_id:
                return item.program
        return None

    def local(self, moment: datetime | None) -> str:
        """An instant as ISO 8601 in the patient's zone, with its offset ('' for none)."""
        return local_iso(moment, self.zone)

    @property
    def span(self) -> ExportSpan:
        """The rows this scope covers, as `rehab.store.rows` reads them."""
        return ExportSpan(
            self.patient_id,
            self.first,
            self.last,
            self.zone,
            {item.id: item.named_snapshot for item in self.enrollments},
        )


def resolve(
    session: Session,
    *,
    patient: Patient,
    today: date,
    generated_at: datetime,
    first: date | None = None,
    last: date | None = None,
) -> Scope:
    """The scope for `patient`; a range that cannot be is one line (exit 2)."""
    rows = journal.enrollments_of(session, patient=patient)
    zone = journal.patient_zone(patient)
    first, last, chosen = choose(
        rows, patient_name=patient.name, zone=zone, today=today, first=first, last=last
    )
    enrolled = []
    for row in chosen:
        program = journal.program_of(row)
        pauses = tuple(journal.pauses_of(session, enrollment=row))
        end = end_of_program(program, start=row.start_date, pauses=pauses)
        given = tuple(prescriptions_of(session, enrollment=row))
        # a range that reaches today shows the plan as it stands, changes from tomorrow too
        upto = last if last < today else date.max
        tailored = tailor_on(program, given, upto if end is None else min(upto, end))
        enrolled.append(Enrolled(row, tailored, pauses, end, given))
    return Scope(
        patient=patient,
        zone=zone,
        first=first,
        last=last,
        today=today,
        generated_at=generated_at,
        enrollments=tuple(enrolled),
    )


def choose(
    rows: Sequence[Enrollment],
    *,
    patient_name: str,
    zone: ZoneInfo,
    today: date,
    first: date | None,
    last: date | None,
) -> tuple[date, date, list[Enrollment]]:
    """(first, last, the enrollments with days in the range) from the patient's enrollments
    in start order. The default range is the current enrollment (the active one, else the
    latest) from its start to today. A range that cannot be is one line (exit 2)."""
    first_given = first is not None
    if first is None:
        if not rows:
            raise UsageProblem(
                f"{patient_name!r} has no program yet, so there is nothing to export "
                "(start one with 'rehab start', or give --from and --to)"
            )
        current = next((r for r in reversed(rows) if r.status == "active"), rows[-1])
        first = current.start_date
    if last is None:
        last = max(today, first)
    if first > last and not first_given:
        raise UsageProblem(
            f"--to {last} is before the program started on {first} "
            "(allowed: a day from the start on, or give --from as well)"
        )
    if first > last:
        raise UsageProblem(
            f"--from {first} is after --to {last} (allowed: --from on or before --to)"
        )
    chosen = []
    for row in rows:
        if row.start_date > last:
            continue
        ended = row.ended_at if row.status != "active" else None
        if ended is not None and ended.astimezone(zone).date() < first:
            continue
        chosen.append(row)
    return first, last, chosen
