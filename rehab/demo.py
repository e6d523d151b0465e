"""A demo history: a patient ten weeks into `achilles-midportion`, made with the same journal
functions as real use, into a separate database (never the user's own).

The story, seeded so it is the same every time: morning pain falls from about 5/10 to 2/10;
a few days are missed and a few doses skipped with reasons; the move to phase 2 is accepted
after two good weeks; a flare-up in week 6 (pain during exercise 6–7/10) brings a reduce
decision back to phase 1, then phase 2 again; three VISA-A scores, weeks 0, 5 and 9.
"""

from __future__ import annotations

import json
import os
import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from rehab import paths
from rehab.core.catalog import load_catalog
from rehab.core.visa import Answers, score
from rehab.errors import UsageProblem
from rehab.store import dbfile, journal, schema
from rehab.store.db import transaction
from rehab.store.journal import Amounts
from rehab.store.models import PhaseChange
from rehab.store.observations import Assessment
from rehab.store.preferences import Setting
from rehab.store.url import sqlite_url

PROGRAM = "achilles-midportion"
PATIENT = "demo"
WEEKS_IN = 10
SEED = 7
FLARE_WEEK = 6  # 1-based program week of the flare-up


def demo_path() -> Path:
    return paths.data_dir() / "demo.db"


@dataclass(frozen=True)
class Built:
    path: Path
    doses: int
    pain_entries: int
    visa: tuple[int, ...]


def _at(day: date, hour: int, zone: ZoneInfo, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=zone).astimezone(UTC)


def _visa(stiffness: int, pain: int, hops: int, level: int, minutes: int) -> Answers:
    return Answers(
        morning_stiffness=stiffness,
        stretch_pain=pain,
        walking_pain=pain,
        downstairs_pain=pain,
        heel_raise_pain=pain,
        pain_free_hops=hops,
        activity_level=level,
        training_branch="B",
        training_minutes=minutes,
    )


VISA_STEPS = {  # program day: answers (scores come out near 55, 68, 80)
    0: _visa(5, 6, 4, 4, 15),
    35: _visa(6, 7, 6, 7, 25),
    63: _visa(8, 8, 7, 7, 35),
}


def _journals(path: Path) -> tuple[Path, ...]:
    return tuple(path.with_name(path.name + end) for end in ("-wal", "-shm", "-journal"))


def check_target(path: Path, *, flag: str = "--db") -> None:
    """The demo may write only a new file or replace an earlier demo (a database carrying
    the demo marker), checked read-only: anything else stays exactly as it is.

    One exception, for demos made before the marker existed: the default demo.db in
    rehab's own data folder (a name only `rehab demo` writes) whose only patient is the
    demo patient."""
    allowed = "allowed: a new file, or a database an earlier rehab demo wrote"
    if os.path.lexists(path) and not path.exists():
        raise UsageProblem(f"{flag}: {path} is a broken symbolic link ({allowed})")
    found = dbfile.inspect_file(path)
    if found.kind == "missing":
        leftover = [p for p in _journals(path) if os.path.lexists(p)]
        if leftover:
            raise UsageProblem(
                f"{flag}: {leftover[0]} is there, the journal of another database ({allowed})"
            )
        return
    if found.kind == "special":
        raise UsageProblem(f"{flag}: {path} is {found.problem}, not a rehab demo ({allowed})")
    if not dbfile.is_demo(path) and not _earlier_default_demo(path):
        what = {"rehab": "a rehab database", "foreign": "another program's database"}.get(
            found.kind, "a file"
        )
        raise UsageProblem(f"{flag}: {path} is {what}, not a rehab demo ({allowed})")


def _earlier_default_demo(path: Path) -> bool:
    default = demo_path().expanduser().resolve()
    if path.expanduser().resolve() != default:
        return False
    return dbfile.patient_names(path) == {PATIENT}


def build(path: Path, *, today: date) -> Built:
    """Write the demo history into `path`: a new file, or over an earlier demo there."""
    check_target(path)
    if path.exists():
        path.unlink()
        for extra in _journals(path):
            extra.unlink(missing_ok=True)
    rng = random.Random(SEED)
    program = load_catalog(paths.builtin_programs_dir(), None).get(PROGRAM)
    start = today - timedelta(days=7 * WEEKS_IN)
    doses = pains = 0
    visa_scores: list[int] = []
    with transaction(sqlite_url(path)) as session:
        patient = journal.find_patient(session, name=PATIENT, create=True)
        session.add(
            Setting(
                patient_id=patient.id or 0,
                key=schema.DEMO_MARKER_KEY,
                value=schema.DEMO_MARKER_VALUE,
            )
        )
        zone = journal.patient_zone(patient)
        enrollment = journal.start_program(
            session,
            patient=patient,
            program=program,
            side="left",
            start=start,
            now=_at(start, 8, zone),
        )
        changes = {14: ("phase-1", "phase-2", "progress"), 40: ("phase-2", "phase-1", "reduce"),
                   49: ("phase-1", "phase-2", "progress")}  # fmt: skip
        for offset in range((today - start).days + 1):
            day = start + timedelta(days=offset)
            week = offset // 7 + 1
            flare = week == FLARE_WEEK
            if offset in changes:
                before, after, decision = changes[offset]
                session.add(
                    PhaseChange(
                        enrollment_id=enrollment.id or 0,
                        effective_date=day,
                        from_phase=before,
                        to_phase=after,
                        load_level=0,
                        decision=decision,
                        reason=(
                            "pain during exercise above 5/10 on 2+ days this week"
                            if decision == "reduce"
                            else "pain during exercise 5/10 or less on 7 of the last 7 days"
                        ),
                        decided_by="patient",
                        accepted_at=_at(day - timedelta(days=1), 20, zone),
                    )
                )
                session.flush()
            if offset in VISA_STEPS:
                answers = VISA_STEPS[offset]
                visa_scores.append(score(answers))
                session.add(
                    Assessment(
                        patient_id=patient.id or 0,
                        enrollment_id=enrollment.id,
                        instrument="visa-a",
                        taken_on=day,
                        answers_json=json.dumps(answers.to_dict()),
                        score=visa_scores[-1],
                        logged_at=_at(day, 9, zone),
                    )
                )
            if day < today and rng.random() < 0.08:
                continue  # a missed day: nothing logged
            morning = max(0, round(5 - 3 * offset / (7 * WEEKS_IN) + rng.uniform(-0.7, 0.7)))
            if flare:
                morning = min(10, morning + 2)
            journal.record_pain(
                session,
                patient=patient,
                score=morning,
                context="morning",
                at=_at(day, 7, zone, 30),
                now=_at(day, 7, zone, 31),
            )
            pains += 1
            if day == today:
                continue  # today is left to do
            view = journal.load_day(session, patient=patient, day=day)
            logged = _at(day, 18, zone)
            for key in dict.fromkeys(i.dose.key for i in view.items if not i.dose.as_needed):
                if rng.random() < 0.06:
                    reason = rng.choice(("no time", "too painful", "no equipment"))
                    journal.record_skip(
                        session, patient=patient, day=day, key=key, reason=reason, now=logged
                    )
                    continue
                during = rng.randint(6, 7) if flare else rng.randint(1, 4)
                rows = journal.record_done(
                    session,
                    patient=patient,
                    day=day,
                    key=key,
                    amounts=Amounts(pain_during=during),
                    now=logged,
                )
                doses += len(rows)
            if rng.random() < 0.5:
                journal.record_check(
                    session,
                    patient=patient,
                    day=day,
                    stiffness_minutes=max(0, round(25 - offset / 3 + rng.uniform(-4, 4))),
                    swelling=offset < 20 and rng.random() < 0.4,
                    tiptoe_pain=offset < 35,
                    now=_at(day, 7, zone, 40),
                )
    return Built(path, doses, pains, tuple(visa_scores))
