"""Red flags as data, and reductions that change the plan.

Red flags were text: a SymptomCheck note starting "red flag: pop, gap" and a pause whose
reason started the same way (with "; cleared by NAME on DATE" once cleared). They become rows
of `redflagentry` (which flag, when, the check and the pause, who cleared it and when), which
is all the code reads from now on; the texts stay as they were written, as history. A phase
change gains the reduction it holds (`set_cut`, `week_cap`).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02
"""
import re
from datetime import date, datetime

from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

PREFIX = "red flag: "
FLAG_IDS = ("pop", "no-heel-raise", "gap", "nerve", "infection", "rest-pain", "both-heels")
UNRECORDED = "not recorded"  # cleared_by of a flag whose pause ended with no clearance text
CLEARED = re.compile(r"cleared by (?P<who>.+?) on (?P<day>\d{4}-\d{2}-\d{2})")


def upgrade() -> None:
    op.create_table('redflagentry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('patient_id', sa.Integer(), nullable=False),
    sa.Column('enrollment_id', sa.Integer(), nullable=True),
    sa.Column('flag', sa.String(length=30), nullable=False),
    sa.Column('source', sa.String(length=10), nullable=False),
    sa.Column('raised_on', sa.Date(), nullable=False),
    sa.Column('raised_at', sa.DateTime(), nullable=False),
    sa.Column('detail', sa.String(length=500), nullable=True),
    sa.Column('check_id', sa.Integer(), nullable=True),
    sa.Column('pain_id', sa.Integer(), nullable=True),
    sa.Column('pause_id', sa.Integer(), nullable=True),
    sa.Column('cleared_by', sa.String(length=60), nullable=True),
    sa.Column('cleared_on', sa.Date(), nullable=True),
    sa.Column('cleared_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['check_id'], ['symptomcheck.id'], ),
    sa.ForeignKeyConstraint(['enrollment_id'], ['enrollment.id'], ),
    sa.ForeignKeyConstraint(['pain_id'], ['painentry.id'], ),
    sa.ForeignKeyConstraint(['patient_id'], ['patient.id'], ),
    sa.ForeignKeyConstraint(['pause_id'], ['pause.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('redflagentry', schema=None) as batch_op:
        batch_op.create_index(
            'ix_redflagentry_enrollment', ['enrollment_id', 'cleared_at'], unique=False
        )
    with op.batch_alter_table('phasechange', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('set_cut', sa.Integer(), nullable=False, server_default='0')
        )
        batch_op.add_column(sa.Column('week_cap', sa.Integer(), nullable=True))
    _carry_over(op.get_bind())


def _ids(text: str) -> tuple[list[str], str]:
    """The flag ids at the head of a 'red flag: pop, gap; rest' text, and the rest."""
    head, _, rest = text.removeprefix(PREFIX).partition(";")
    return [p.strip() for p in head.split(",") if p.strip() in FLAG_IDS], rest.strip()


def _as_date(value: object) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def _as_instant(value: object) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value))


def _carry_over(conn: sa.Connection) -> None:
    checks = conn.execute(sa.text(
        "SELECT id, patient_id, enrollment_id, check_date, note, logged_at FROM symptomcheck "
        "WHERE note LIKE 'red flag: %' ORDER BY id"
    )).all()
    pauses = conn.execute(sa.text(
        "SELECT p.id, p.enrollment_id, p.start_date, p.end_date, p.reason, p.created_at, "
        "p.ended_at, e.patient_id FROM pause p JOIN enrollment e ON e.id = p.enrollment_id "
        "WHERE p.reason LIKE 'red flag: %' ORDER BY p.id"
    )).all()
    insert = sa.text(
        "INSERT INTO redflagentry (patient_id, enrollment_id, flag, source, raised_on, "
        "raised_at, detail, check_id, pain_id, pause_id, cleared_by, cleared_on, cleared_at) "
        "VALUES (:patient, :enrollment, :flag, 'answer', :day, :at, NULL, :check, NULL, "
        ":pause, :who, :cleared_on, :cleared_at)"
    )
    pause_rows = [(p, *_ids(p.reason)) for p in pauses]
    covered: dict[int, set[str]] = {}
    for check in checks:
        ids, rest = _ids(check.note)
        day = _as_date(check.check_date)
        # the pause this check opened or joined: of the same enrollment, paused on that day
        # or starting the day after (a flag on a day with check-offs paused from the next
        # day); one that names these flags first, then the latest to start
        candidates = []
        for pause, pause_ids, _ in pause_rows:
            if pause.enrollment_id != check.enrollment_id:
                continue
            start = _as_date(pause.start_date)
            end = _as_date(pause.end_date) if pause.end_date is not None else None
            if start <= day + _one_day() and (end is None or end > day):
                candidates.append((bool(set(ids) & set(pause_ids)), start, pause))
        match = max(candidates, key=lambda c: (c[0], c[1]))[2] if candidates else None
        who = cleared_on = cleared_at = None
        if match is not None:
            found = CLEARED.search(match.reason)
            if found is not None:
                who, cleared_on = found["who"], date.fromisoformat(found["day"])
                cleared_at = _as_instant(match.ended_at)
        if who is None and (match is None or match.end_date is not None):
            # no open pause holds this flag (no program then, or a pause that ended with no
            # clearance written): it must not block the program now
            who = UNRECORDED
            cleared_on = _as_date(match.end_date) if match is not None else day
            cleared_at = _as_instant(match.ended_at if match is not None else check.logged_at)
        if match is not None:
            covered.setdefault(match.id, set()).update(ids)
        for flag in ids:
            conn.execute(insert, {
                "patient": check.patient_id, "enrollment": check.enrollment_id, "flag": flag,
                "day": day, "at": _as_instant(check.logged_at),
                "check": check.id, "pause": match.id if match is not None else None,
                "who": who, "cleared_on": cleared_on, "cleared_at": cleared_at,
            })
    for pause, ids, rest in pause_rows:
        found = CLEARED.search(pause.reason)
        for flag in ids:
            if flag in covered.get(pause.id, set()):
                continue
            # a flag named only on the pause (its check was undone or never written)
            conn.execute(insert, {
                "patient": pause.patient_id, "enrollment": pause.enrollment_id, "flag": flag,
                "day": _as_date(pause.start_date), "at": _as_instant(pause.created_at),
                "check": None, "pause": pause.id,
                "who": found["who"] if found else (
                    UNRECORDED if pause.end_date is not None else None
                ),
                "cleared_on": date.fromisoformat(found["day"]) if found else (
                    _as_date(pause.end_date) if pause.end_date is not None else None
                ),
                "cleared_at": _as_instant(pause.ended_at) if pause.end_date is not None else None,
            })


def _one_day():
    from datetime import timedelta

    return timedelta(days=1)


def downgrade() -> None:
    with op.batch_alter_table('phasechange', schema=None) as batch_op:
        batch_op.drop_column('week_cap')
        batch_op.drop_column('set_cut')
    with op.batch_alter_table('redflagentry', schema=None) as batch_op:
        batch_op.drop_index('ix_redflagentry_enrollment')
    op.drop_table('redflagentry')
