"""Generate a realistic rehab history database, fast (plain SQL, a few transactions).

    python benchmarks/make_history.py --db benchmarks/.data/10y.db --years 10
    python benchmarks/make_history.py --db benchmarks/.data/1w.db --weeks 1

One patient 'me' (zone Europe/Lisbon). The active enrollment (plantar-fasciitis, both legs)
always starts 7 days before today, so `rehab today` shows the same day in every database; the
rest of the period is filled back to back with ended 12-week enrollments. Each day gets dose
rows for the doses `plan_day` plans (about 85% done, some skipped with a reason, a few undone
and re-logged as voided rows; many multi-set doses checked off one set at a time), a morning
pain score most days, some symptom checks and the occasional pause.

Randomness is seeded per calendar day, so the last week looks the same whichever period is
generated. The schema comes from rehab.store.db.open_engine (the app's own migrations).
"""

from __future__ import annotations

import argparse
import json
import random
import sqlite3
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from rehab.core.checklist import target_sets  # noqa: E402
from rehab.core.schedule import (  # noqa: E402
    DayPlan,
    Dose,
    EnrollmentSide,
    PauseDays,
    Progression,
    plan_day,
)
from rehab.core.template import Program, load_program_file  # noqa: E402

ZONE_NAME = "Europe/Lisbon"
ZONE = ZoneInfo(ZONE_NAME)
ACTIVE: tuple[str, EnrollmentSide] = ("plantar-fasciitis", "both")
ACTIVE_DAYS_AGO = 7
# History rotation: 12-week programs, mostly both legs.
ROTATION: tuple[tuple[str, EnrollmentSide], ...] = (
    ("posterior-heel-spur", "both"),
    ("achilles-midportion-alfredson", "both"),
    ("retrocalcaneal-bursitis", "both"),
    ("plantar-fasciitis", "both"),
    ("achilles-insertional", "both"),
    ("achilles-midportion-hsr", "left"),
    ("plantar-fasciitis", "right"),
)
SKIP_REASONS = ("too painful", "no time", "no equipment", "other")
PAUSE_REASONS = ("illness", "travel", "injury", "flare-up")
SLOT_HOURS = {"morning": (7, 9), "midday": (12, 14), "evening": (18, 21), "night": (22, 23)}

P_DAY_MISSED = 0.03  # nothing logged that day
P_DONE = 0.85
P_SKIPPED = 0.06  # the rest stays open
P_AS_NEEDED = 0.55  # an as-needed dose (extra icing) is done
P_PER_SET = 0.85  # a multi-set dose (up to MAX_PER_SET sets) is checked off set by set
MAX_PER_SET = 10
P_PARTIAL = 0.05  # fewer sets than planned
P_VOIDED = 0.015  # a check-off undone and logged again
P_PAIN_MORNING = 0.92
P_PAIN_AFTER = 0.12
P_CHECK = 0.3
P_PAUSE = 0.25  # an ended enrollment had a pause


def ts(moment: datetime, plus_seconds: int = 0) -> str:
    """Naive UTC text, as SQLAlchemy writes DateTime on SQLite."""
    moment += timedelta(seconds=plus_seconds)
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def local(day: date, hour: int, minute: int, second: int = 0, micro: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, second, micro, tzinfo=ZONE)


def load_programs() -> dict[str, Program]:
    wanted = {p for p, _ in ROTATION} | {ACTIVE[0]}
    return {p: load_program_file(REPO / "programs" / f"{p}.toml") for p in sorted(wanted)}


class Plan:
    """One enrollment to generate: its program, span, pause and progression."""

    def __init__(
        self,
        program: Program,
        side: EnrollmentSide,
        start: date,
        status: str,
        pause: PauseDays | None = None,
        progression: Progression | None = None,
    ) -> None:
        self.program = program
        self.side = side
        self.start = start
        self.status = status
        self.pause = pause
        self.progression = progression
        paused = (pause.end - pause.start).days if pause and pause.end else 0
        self.last = start + timedelta(days=program.weeks * 7 + paused - 1)


def plan_enrollments(programs: dict[str, Program], today: date, days: int, seed: int) -> list[Plan]:
    """Back to back from `today - days` on; the last one active and started 7 days ago."""
    rng = random.Random(seed)
    active_start = today - timedelta(days=ACTIVE_DAYS_AGO)
    plans = [Plan(programs[ACTIVE[0]], ACTIVE[1], active_start, "active")]
    first_day = today - timedelta(days=days)
    next_start = active_start
    i = 0
    while next_start > first_day:
        program_id, side = ROTATION[i % len(ROTATION)]
        i += 1
        program = programs[program_id]
        pause_len = rng.randint(3, 14) if rng.random() < P_PAUSE else 0
        start = next_start - timedelta(days=program.weeks * 7 + pause_len)
        pause = None
        if pause_len:
            p_start = start + timedelta(days=rng.randint(7, program.weeks * 7 - 7))
            pause = PauseDays(p_start, p_start + timedelta(days=pause_len))
        progression = None
        if len(program.phases) > 1:  # accepted move to the next phase after two weeks
            eff = start + timedelta(days=14)
            if pause is not None and pause.start <= eff:
                eff += timedelta(days=pause_len)
            progression = Progression(eff, program.phases[1].id, 0)
        plans.append(Plan(program, side, start, "ended", pause, progression))
        next_start = start
    plans.reverse()
    return plans


class Writer:
    def __init__(self) -> None:
        self.doses: list[tuple[object, ...]] = []
        self.pains: list[tuple[object, ...]] = []
        self.checks: list[tuple[object, ...]] = []
        self.n_void = 0


def slot_time(rng: random.Random, day: date, slot: str) -> datetime:
    lo, hi = SLOT_HOURS.get(slot, (8, 21))
    hour = rng.randint(lo, hi - 1)
    return local(day, hour, rng.randint(0, 59), rng.randint(0, 59), rng.randint(0, 999_999))


def commands_for(rng: random.Random, first: Dose) -> list[tuple[str, int | None]]:
    """The check-offs a patient makes for one planned dose: (status, sets) per command."""
    if first.as_needed:
        outcome = "done" if rng.random() < P_AS_NEEDED else None
    else:
        r = rng.random()
        outcome = "done" if r < P_DONE else "skipped" if r < P_DONE + P_SKIPPED else None
    if outcome is None:
        return []
    if outcome == "skipped":
        return [("skipped", None)]
    target = target_sets(first)
    if 1 < target <= MAX_PER_SET and rng.random() < P_PER_SET:
        return [("done", 1)] * target
    partial = target > 1 and rng.random() < P_PARTIAL
    return [("done", target - 1 if partial else target)]


def gen_doses(w: Writer, enr_id: int, plan: DayPlan, is_today: bool, rng: random.Random) -> None:
    groups: dict[str, list[Dose]] = {}  # the legs of one dose: one command checks off both
    for dose in plan.doses:
        groups.setdefault(dose.key, []).append(dose)
    seqs: dict[tuple[str, str], int] = {}
    day = plan.day.isoformat()
    for key, legs in groups.items():
        first = legs[0]
        if is_today and first.slot != "morning":
            continue  # the rest of today is still ahead
        when = slot_time(rng, plan.day, first.slot)
        commands = commands_for(rng, first)
        reason = rng.choice(SKIP_REASONS) if commands[:1] == [("skipped", None)] else None
        for status, sets in commands:
            voided = rng.random() < P_VOIDED  # logged, undone, logged again
            for attempt in range(2 if voided else 1):
                action = f"{rng.getrandbits(128):032x}"
                void_at = None
                if voided and attempt == 0:
                    void_at = ts(when + timedelta(seconds=40))
                    w.n_void += 1
                for dose in legs:
                    side = dose.side or ""
                    seq = seqs[(key, side)] = seqs.get((key, side), 0) + 1
                    strength = dose.kind == "strengthen"
                    pain = rng.randint(0, 5) if strength and rng.random() < 0.3 else None
                    note = "felt tight" if rng.random() < 0.01 else None
                    load = dose.load_kg if status == "done" else None
                    row = (enr_id, day, key, dose.exercise_id, dose.occurrence, side, seq)
                    amounts = (
                        sets,
                        None,
                        None,
                        None,
                        load,
                        pain,
                    )  # reps, hold, minutes: as planned
                    w.doses.append(
                        (*row, action, status, *amounts, reason, note, ts(when), void_at)
                    )
                when += timedelta(minutes=1, seconds=rng.randint(0, 59))


def gen_notes(w: Writer, enr_id: int, day: date, is_today: bool, rng: random.Random) -> None:
    """Pain scores and symptom checks: logged whatever the plan says (also while paused)."""
    iso = day.isoformat()
    if rng.random() < P_PAIN_MORNING:
        at = local(day, 7, rng.randint(0, 59), rng.randint(0, 59))
        score = max(0, min(10, int(rng.gauss(3, 1.5))))
        if rng.random() < 0.01:  # a typo, undone
            typo = min(10, score + 5)
            w.pains.append((enr_id, ts(at), iso, "morning", typo, None, ts(at), ts(at, 30)))
        w.pains.append((enr_id, ts(at), iso, "morning", score, None, ts(at, 50), None))
    if not is_today and rng.random() < P_PAIN_AFTER:
        at = local(day, 19, rng.randint(0, 59))
        note = "sore after the heel drops" if rng.random() < 0.2 else None
        w.pains.append((enr_id, ts(at), iso, "after", rng.randint(0, 6), note, ts(at), None))
    if rng.random() < P_CHECK:
        at = local(day, 7, 30, rng.randint(0, 59))
        swelling, redness, tiptoe = rng.random() < 0.2, rng.random() < 0.05, rng.random() < 0.3
        stiffness = rng.randint(0, 30)
        w.checks.append((enr_id, iso, stiffness, swelling, redness, tiptoe, None, ts(at), None))


def gen_day(w: Writer, enr_id: int, plan: Plan, day: date, today: date, seed: int) -> None:
    rng = random.Random(seed * 1_000_003 + day.toordinal())  # the same day, the same history
    day_plan = plan_day(
        plan.program,
        start=plan.start,
        side=plan.side,
        day=day,
        pauses=[plan.pause] if plan.pause else [],
        progressions=[plan.progression] if plan.progression else [],
    )
    if day_plan.status == "active" and rng.random() >= P_DAY_MISSED:
        gen_doses(w, enr_id, day_plan, day == today, rng)
    gen_notes(w, enr_id, day, day == today, rng)


def build(db: Path, days: int, seed: int) -> dict[str, int]:
    from rehab.store.db import open_engine

    today = datetime.now(UTC).astimezone(ZONE).date()
    programs = load_programs()
    plans = plan_enrollments(programs, today, days, seed)

    engine = open_engine(f"sqlite:///{db.resolve()}")  # creates the schema (migrations)
    engine.dispose()

    con = sqlite3.connect(db)
    con.execute("PRAGMA journal_mode = WAL")
    con.execute("PRAGMA synchronous = OFF")
    w = Writer()
    with con:
        created = ts(local(plans[0].start - timedelta(days=1), 20, 0))
        cur = con.execute(
            "INSERT INTO patient (name, timezone, created_at) VALUES (?, ?, ?)",
            ("me", ZONE_NAME, created),
        )
        patient_id = cur.lastrowid
        snapshots: dict[str, tuple[str, str]] = {}
        n_pauses = n_changes = 0
        for plan in plans:
            prog = plan.program
            if prog.id not in snapshots:
                snapshots[prog.id] = (prog.snapshot(), prog.snapshot_hash())
            snap, digest = snapshots[prog.id]
            ended = plan.status == "ended"
            cur = con.execute(
                "INSERT INTO enrollment (patient_id, program_id, program_name, template_json,"
                " template_hash, side, start_date, status, created_at, ended_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    patient_id,
                    prog.id,
                    prog.name,
                    snap,
                    digest,
                    plan.side,
                    plan.start.isoformat(),
                    plan.status,
                    ts(local(plan.start - timedelta(days=1), 20, 5)),
                    ts(local(plan.last + timedelta(days=1), 20, 10)) if ended else None,
                ),
            )
            enr_id = int(cur.lastrowid or 0)
            if plan.pause is not None:
                p = plan.pause
                assert p.end is not None
                con.execute(
                    "INSERT INTO pause (enrollment_id, start_date, end_date, reason, created_at,"
                    " ended_at) VALUES (?, ?, ?, ?, ?, ?)",
                    (
                        enr_id,
                        p.start.isoformat(),
                        p.end.isoformat(),
                        PAUSE_REASONS[enr_id % len(PAUSE_REASONS)],
                        ts(local(p.start, 9, 0)),
                        ts(local(p.end, 8, 0)),
                    ),
                )
                n_pauses += 1
            if plan.progression is not None:
                ch = plan.progression
                con.execute(
                    "INSERT INTO phasechange (enrollment_id, effective_date, from_phase, to_phase,"
                    " load_level, decision, reason, decided_by, accepted_at, voided_at)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, NULL)",
                    (
                        enr_id,
                        ch.effective.isoformat(),
                        prog.phases[0].id,
                        ch.phase_id,
                        ch.load_level,
                        "progress",
                        "pain settled",
                        "patient",
                        ts(local(ch.effective - timedelta(days=1), 20, 0)),
                    ),
                )
                n_changes += 1
            day = max(plan.start, today - timedelta(days=days))
            while day <= min(plan.last, today):
                gen_day(w, enr_id, plan, day, today, seed)
                day += timedelta(days=1)

        con.executemany(
            "INSERT INTO doselog (enrollment_id, plan_date, item_key, exercise_id, occurrence,"
            " side, seq, action, status, sets, reps, hold_seconds, minutes, load_kg, pain_during,"
            " reason, note, logged_at, voided_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            w.doses,
        )
        con.executemany(
            "INSERT INTO painentry (patient_id, enrollment_id, at, local_date, context, score,"
            " site, note, logged_at, voided_at)"
            f" VALUES ({patient_id}, ?, ?, ?, ?, ?, NULL, ?, ?, ?)",
            w.pains,
        )
        con.executemany(
            "INSERT INTO symptomcheck (patient_id, enrollment_id, check_date, stiffness_minutes,"
            " swelling, redness, tiptoe_pain, note, logged_at, voided_at)"
            f" VALUES ({patient_id}, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            w.checks,
        )
    con.execute("ANALYZE")
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()
    return {
        "enrollments": len(plans),
        "dose rows": len(w.doses),
        "voided dose commands": w.n_void,
        "pain entries": len(w.pains),
        "symptom checks": len(w.checks),
        "pauses": n_pauses,
        "phase changes": n_changes,
        "first day": plans[0].start.toordinal(),
        "today": today.toordinal(),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True, type=Path, help="database file to create")
    period = parser.add_mutually_exclusive_group(required=True)
    period.add_argument("--years", type=float, help="years of history (e.g. 10)")
    period.add_argument("--weeks", type=int, help="weeks of history (e.g. 1)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--force", action="store_true", help="replace an existing file")
    args = parser.parse_args(argv)

    days = round(args.years * 365.25) if args.years is not None else args.weeks * 7
    if days < 1:
        parser.error("the period must be at least one day")
    db: Path = args.db
    if db.exists() or Path(f"{db}-wal").exists():
        if not args.force:
            parser.error(f"{db} exists (add --force to replace it)")
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)
    db.parent.mkdir(parents=True, exist_ok=True)

    began = time.perf_counter()
    counts = build(db, days, args.seed)
    elapsed = time.perf_counter() - began
    first = date.fromordinal(counts.pop("first day"))
    today = date.fromordinal(counts.pop("today"))
    print(f"{db}: {first} .. {today} ({days} days) in {elapsed:.1f} s")
    print("  " + json.dumps(counts))
    return 0


if __name__ == "__main__":
    sys.exit(main())
