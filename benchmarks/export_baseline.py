"""The floor for `rehab export csv`: the same rows read with plain sqlite3 and written with
the csv module, one file per table, nothing else (no names from the template, no time
zones, no checks). benchmarks/export.py divides the export's time by this one's.

    python benchmarks/export_baseline.py DB OUT_FOLDER FIRST LAST
"""

from __future__ import annotations

import csv
import sqlite3
import sys
from pathlib import Path

QUERIES = {
    "doses": """select d.plan_date, d.exercise_id, d.side, d.status, d.sets, d.reps,
                  d.hold_seconds, d.minutes, d.load_kg, d.pain_during, d.reason, d.note,
                  d.logged_at, d.voided_at, e.program_id, d.item_key, d.seq, d.id
           from doselog d join enrollment e on e.id = d.enrollment_id
           where e.patient_id = :patient and d.plan_date between :first and :last
           order by d.plan_date, d.id""",
    "pain": """select local_date, at, context, score, site, note, logged_at, voided_at, id
           from painentry where patient_id = :patient and local_date between :first and :last
           order by at, id""",
    "symptoms": """select check_date, stiffness_minutes, swelling, redness, tiptoe_pain, note,
                  logged_at, voided_at, id
           from symptomcheck
           where patient_id = :patient and check_date between :first and :last
           order by check_date, id""",
    "assessments": """select taken_on, instrument, score, answers_json, logged_at, voided_at, id
           from assessment where patient_id = :patient and taken_on between :first and :last
           order by taken_on, id""",
    "phases": """select p.effective_date, p.decision, p.from_phase, p.to_phase, p.load_level,
                  p.reason, p.decided_by, p.accepted_at, p.voided_at, e.program_id, p.id
           from phasechange p join enrollment e on e.id = p.enrollment_id
           where e.patient_id = :patient and p.effective_date between :first and :last
           order by p.effective_date, p.id""",
    "pauses": """select p.start_date, p.end_date, p.reason, p.created_at, p.ended_at,
                  e.program_id, p.id
           from pause p join enrollment e on e.id = p.enrollment_id
           where e.patient_id = :patient and p.start_date <= :last
             and (p.end_date is null or p.end_date > :first)
           order by p.start_date, p.id""",
}


def main() -> None:
    db, out, first, last = sys.argv[1:5]
    folder = Path(out)
    folder.mkdir(exist_ok=True)
    conn = sqlite3.connect(db)
    (patient,) = conn.execute("select id from patient where name = 'me'").fetchone()
    params = {"patient": patient, "first": first, "last": last}
    for name, query in QUERIES.items():
        cursor = conn.execute(query, params)
        with (folder / f"{name}.csv").open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow([column[0] for column in cursor.description])
            writer.writerows(cursor)
    conn.close()


if __name__ == "__main__":
    main()
