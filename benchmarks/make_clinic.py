"""Generate a clinic: many patients in one database, each with months of history, fast.

    python benchmarks/make_clinic.py --db benchmarks/.data/clinic.db [--patients 2000]
    python benchmarks/make_clinic.py --db postgresql+psycopg://... [--days 182]

Each patient gets back-to-back enrollments over `--days` days, the last one active and
part-way through (one in ten past its end; programs and sides in rotation), with the
day-by-day check-offs, pain scores and symptom checks of `make_history.py` (seeded per
patient and day). On top of that, in a fixed pattern by the patient's number: an open red
flag (with its pause), a pause still open, patients who stopped logging 8 to 20 days ago,
low adherers, morning pain that falls or rises over the weeks, VISA-A every four weeks on
Achilles programs, and an accepted phase change. The schema comes from the app's own
migrations; rows go in with `executemany` (SQLite) or `COPY` (PostgreSQL), a few hundred
patients per transaction.
"""

from __future__ import annotations

import argparse
import json
import random
import sqlite3
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
for where in (str(REPO), str(HERE)):
    if where not in sys.path:
        sys.path.insert(0, where)

import make_history as mh  # noqa: E402

from rehab.core.schedule import EnrollmentSide, PauseDays, Progression  # noqa: E402
from rehab.core.template import Program  # noqa: E402

FIRST = ("Ana", "Bo", "Carla", "Duarte", "Eva", "Filipe", "Gil", "Helena", "Ines", "Joao")
LAST = ("Silva", "Santos", "Ferreira", "Pereira", "Costa", "Martins", "Sousa", "Lopes")
PROGRAMS: tuple[tuple[str, EnrollmentSide], ...] = (
    ("achilles-midportion", "left"),
    ("plantar-fasciitis", "both"),
    ("achilles-midportion-alfredson", "right"),
    ("achilles-midportion-hsr", "left"),
    ("retrocalcaneal-bursitis", "both"),
    ("achilles-insertional", "right"),
    ("posterior-heel-spur", "both"),
    ("haglunds-deformity", "left"),
)
BATCH = 200  # patients per transaction


def patient_name(i: int) -> str:
    return f"{FIRST[i % len(FIRST)]} {LAST[(i // len(FIRST)) % len(LAST)]} {i + 1:04d}"


@dataclass
class Rows:
    patients: list[tuple[Any, ...]] = field(default_factory=list)
    enrollments: list[tuple[Any, ...]] = field(default_factory=list)
    pauses: list[tuple[Any, ...]] = field(default_factory=list)
    changes: list[tuple[Any, ...]] = field(default_factory=list)
    doses: list[tuple[Any, ...]] = field(default_factory=list)
    pains: list[tuple[Any, ...]] = field(default_factory=list)
    checks: list[tuple[Any, ...]] = field(default_factory=list)
    visas: list[tuple[Any, ...]] = field(default_factory=list)
    flags: list[tuple[Any, ...]] = field(default_factory=list)

    def count(self) -> dict[str, int]:
        return {k: len(v) for k, v in self.__dict__.items()}


COLUMNS = {
    "patients": ("patient", "id, name, timezone, created_at"),
    "enrollments": (
        "enrollment",
        "id, patient_id, program_id, program_name, template_json, template_hash, side,"
        " start_date, status, created_at, ended_at",
    ),
    "pauses": ("pause", "id, enrollment_id, start_date, end_date, reason, created_at, ended_at"),
    "changes": (
        "phasechange",
        "enrollment_id, effective_date, from_phase, to_phase, load_level, set_cut, decision,"
        " reason, decided_by, accepted_at",
    ),
    "doses": (
        "doselog",
        "enrollment_id, plan_date, item_key, exercise_id, occurrence, side, seq, action,"
        " status, sets, reps, hold_seconds, minutes, load_kg, pain_during, reason, note,"
        " logged_at, voided_at",
    ),
    "pains": (
        "painentry",
        "patient_id, enrollment_id, at, local_date, context, score, site, note, logged_at,"
        " voided_at",
    ),
    "checks": (
        "symptomcheck",
        "patient_id, enrollment_id, check_date, stiffness_minutes, swelling, redness,"
        " tiptoe_pain, note, logged_at, voided_at",
    ),
    "visas": (
        "assessment",
        "patient_id, enrollment_id, instrument, taken_on, answers_json, score, logged_at",
    ),
    "flags": (
        "redflagentry",
        "patient_id, enrollment_id, flag, source, raised_on, raised_at, detail, pause_id",
    ),
}
ORDER = ("patients", "enrollments", "pauses", "changes", "doses", "pains", "checks", "visas")
ORDER += ("flags",)


class Ids:
    def __init__(self) -> None:
        self.enrollment = 0
        self.pause = 0


def gen_patient(
    i: int,
    rows: Rows,
    ids: Ids,
    programs: dict[str, Program],
    snaps: dict[str, tuple[str, str]],
    today: date,
    days: int,
    seed: int,
) -> None:
    rng = random.Random(seed * 7919 + i)
    pid = i + 1
    first_day = today - timedelta(days=days)
    active_id, active_side = PROGRAMS[i % len(PROGRAMS)]
    weeks = programs[active_id].weeks
    # most are part-way through their program; one in ten has finished it
    ago = rng.randint(3, weeks * 7 - 1) if i % 10 != 9 else rng.randint(weeks * 7, weeks * 7 + 30)
    active_start = today - timedelta(days=ago)
    spans: list[tuple[str, EnrollmentSide, date, str]] = [
        (active_id, active_side, active_start, "active")
    ]
    nxt = active_start
    k = i
    while nxt > first_day:
        k += 3
        pid_, side = PROGRAMS[k % len(PROGRAMS)]
        start = nxt - timedelta(days=programs[pid_].weeks * 7)
        spans.append((pid_, side, start, "ended"))
        nxt = start
    spans.reverse()
    rows.patients.append((pid, patient_name(i), mh.ZONE_NAME, mh.ts(mh.local(first_day, 9, 0))))
    stop_logging = today - timedelta(days=rng.randint(8, 20)) if i % 11 == 2 else None
    low = i % 7 == 3
    trend = (-0.03, 0.0, 0.02)[i % 3]  # morning pain per day: falling, flat, rising
    for n, (program_id, side, start, status) in enumerate(spans):
        program = programs[program_id]
        snap, digest = snaps[program_id]
        ids.enrollment += 1
        eid = ids.enrollment
        last = start + timedelta(days=program.weeks * 7 - 1)
        if n + 1 < len(spans):
            last = min(last, spans[n + 1][2] - timedelta(days=1))
        ended = mh.ts(mh.local(last, 20, 10)) if status == "ended" else None
        rows.enrollments.append(
            (
                eid,
                pid,
                program_id,
                program.name,
                snap,
                digest,
                side,
                start.isoformat(),
                status,
                mh.ts(mh.local(start - timedelta(days=1), 20, 5)),
                ended,
            )
        )
        pauses: list[PauseDays] = []
        progressions: list[Progression] = []
        active = status == "active"
        if active and i % 13 == 1 and (today - start).days > 5:  # paused now
            p_start = today - timedelta(days=rng.randint(1, 5))
            ids.pause += 1
            pauses.append(PauseDays(p_start, None))
            created = mh.ts(mh.local(p_start, 9, 0))
            rows.pauses.append((ids.pause, eid, p_start.isoformat(), None, "travel", created, None))
        if active and i % 25 == 0 and (today - start).days > 3:  # an open red flag
            flagged = today - timedelta(days=rng.randint(0, 2))
            ids.pause += 1
            pauses.append(PauseDays(flagged, None))
            created = mh.ts(mh.local(flagged, 8, 0))
            rows.pauses.append(
                (ids.pause, eid, flagged.isoformat(), None, "red flag: pain at rest", created, None)
            )
            rows.flags.append(
                (pid, eid, "rest-pain", "answer", flagged.isoformat(), created, None, ids.pause)
            )
        if len(program.phases) > 1 and (today - start).days > 20 and i % 2 == 0:
            eff = start + timedelta(days=14)
            progressions.append(Progression(eff, program.phases[1].id, 0))
            rows.changes.append(
                (
                    eid,
                    eff.isoformat(),
                    program.phases[0].id,
                    program.phases[1].id,
                    0,
                    0,
                    "progress",
                    "pain settled",
                    "patient",
                    mh.ts(mh.local(eff - timedelta(days=1), 20, 0)),
                )
            )
        plan = mh.Plan(
            program,
            side,
            start,
            status,
            pauses[0] if pauses else None,
            progressions[0] if progressions else None,
        )
        w = mh.Writer()
        day = max(start, first_day)
        while day <= min(last, today):
            if stop_logging is not None and day > stop_logging:
                break
            if low and rng.random() < 0.55:
                day += timedelta(days=1)
                continue
            before = len(w.pains)
            mh.gen_day(w, eid, plan, day, today, seed * 100_003 + i)
            offset = trend * (day - first_day).days
            for j in range(before, len(w.pains)):
                r = w.pains[j]
                if r[3] == "morning":
                    w.pains[j] = (*r[:4], max(0, min(10, round(r[4] + offset))), *r[5:])
            day += timedelta(days=1)
        paused_days = {d for p in pauses for d in _days(p, today)}
        for r in w.doses:
            if date.fromisoformat(r[1]) not in paused_days:
                rows.doses.append(r)
        for r in w.pains:
            rows.pains.append((pid, *r[:5], None, *r[5:]))
        for r in w.checks:
            rows.checks.append((pid, *r))
        if program.offers_visa_a:
            score = rng.randint(35, 65)
            taken = start
            while taken <= min(last, today):
                answers = json.dumps({"generated": True})
                logged = mh.ts(mh.local(taken, 10, 0))
                rows.visas.append((pid, eid, "visa-a", taken.isoformat(), answers, score, logged))
                score = max(0, min(100, score + rng.randint(-3, 12)))
                taken += timedelta(days=28)


def _days(pause: PauseDays, today: date) -> Iterator[date]:
    day = pause.start
    while day <= today and (pause.end is None or day < pause.end):
        yield day
        day += timedelta(days=1)


def write_sqlite(con: sqlite3.Connection, rows: Rows) -> None:
    with con:
        for name in ORDER:
            table, cols = COLUMNS[name]
            data = getattr(rows, name)
            if data:
                marks = ", ".join("?" * len(cols.split(",")))
                con.executemany(f"INSERT INTO {table} ({cols}) VALUES ({marks})", data)


def write_postgres(con: Any, rows: Rows) -> None:
    with con.transaction(), con.cursor() as cur:
        for name in ORDER:
            table, cols = COLUMNS[name]
            data = getattr(rows, name)
            if data:
                with cur.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
                    for row in data:
                        copy.write_row(row)


def build(
    url: str, *, patients: int, days: int, seed: int = 1, today: date | None = None
) -> dict[str, int]:
    """Create the clinic in an empty database at `url` (sqlite:///PATH or postgresql...),
    its last day `today` (default: today in Europe/Lisbon)."""
    from rehab.store.db import open_engine
    from rehab.store.url import sqlite_path

    open_engine(url).dispose()  # the schema, by the app's migrations
    today = today or datetime.now(UTC).astimezone(mh.ZONE).date()
    programs = {p: mh.load_program_file(REPO / "programs" / f"{p}.toml") for p, _ in set(PROGRAMS)}
    snaps = {p: (prog.snapshot(), prog.snapshot_hash()) for p, prog in programs.items()}
    path = sqlite_path(url)
    totals: dict[str, int] = {}
    ids = Ids()
    if path is not None:
        con: Any = sqlite3.connect(path)
        con.execute("PRAGMA synchronous = OFF")
        write = write_sqlite
    else:
        import psycopg

        con = psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"))
        write = write_postgres
    try:
        for start in range(0, patients, BATCH):
            rows = Rows()
            for i in range(start, min(start + BATCH, patients)):
                gen_patient(i, rows, ids, programs, snaps, today, days, seed)
            write(con, rows)
            for k, v in rows.count().items():
                totals[k] = totals.get(k, 0) + v
        if path is not None:
            con.execute("ANALYZE")
            con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        else:
            with con.transaction(), con.cursor() as cur:
                for table in ("patient", "enrollment", "pause"):
                    cur.execute(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                        f"(SELECT max(id) FROM {table}))"
                    )
                cur.execute("ANALYZE")
    finally:
        con.close()
    return totals


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True, help="a new database file, or a PostgreSQL URL")
    parser.add_argument("--patients", type=int, default=2000)
    parser.add_argument("--days", type=int, default=182, help="days of history per patient")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--force", action="store_true", help="replace an existing file")
    args = parser.parse_args(argv)
    if args.patients < 1 or args.days < 7:
        parser.error("--patients must be at least 1 and --days at least 7")
    url = args.db
    if "://" not in url:
        db = Path(url)
        if db.exists():
            if not args.force:
                parser.error(f"{db} exists (add --force to replace it)")
            for suffix in ("", "-wal", "-shm"):
                Path(f"{db}{suffix}").unlink(missing_ok=True)
        db.parent.mkdir(parents=True, exist_ok=True)
        url = f"sqlite:///{db.resolve()}"
    began = time.perf_counter()
    counts = build(url, patients=args.patients, days=args.days, seed=args.seed)
    print(
        f"built in {time.perf_counter() - began:.1f} s: "
        + ", ".join(f"{k} {v}" for k, v in counts.items())
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
