"""Initial schema: patients, enrollments, dose logs, pain, symptoms, pauses, phase changes.

Revision ID: 0001
Revises: 
Create Date: 2026-11-21
"""
from alembic import op
import sqlalchemy as sa


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('patient',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('timezone', sa.String(length=64), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('patient', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_patient_name'), ['name'], unique=True)

    op.create_table('enrollment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('patient_id', sa.Integer(), nullable=False),
    sa.Column('program_id', sa.String(length=60), nullable=False),
    sa.Column('program_name', sa.String(length=100), nullable=False),
    sa.Column('template_json', sa.Text(), nullable=False),
    sa.Column('template_hash', sa.String(length=64), nullable=False),
    sa.Column('side', sa.String(length=5), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('ended_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['patient_id'], ['patient.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('enrollment', schema=None) as batch_op:
        batch_op.create_index('ix_enrollment_patient_status', ['patient_id', 'status'], unique=False)

    op.create_table('doselog',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('enrollment_id', sa.Integer(), nullable=False),
    sa.Column('plan_date', sa.Date(), nullable=False),
    sa.Column('item_key', sa.String(length=50), nullable=False),
    sa.Column('exercise_id', sa.String(length=40), nullable=False),
    sa.Column('occurrence', sa.Integer(), nullable=False),
    sa.Column('side', sa.String(length=5), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=32), nullable=False),
    sa.Column('status', sa.String(length=8), nullable=False),
    sa.Column('sets', sa.Integer(), nullable=True),
    sa.Column('reps', sa.Integer(), nullable=True),
    sa.Column('hold_seconds', sa.Float(), nullable=True),
    sa.Column('minutes', sa.Float(), nullable=True),
    sa.Column('load_kg', sa.Float(), nullable=True),
    sa.Column('pain_during', sa.Integer(), nullable=True),
    sa.Column('reason', sa.String(length=200), nullable=True),
    sa.Column('note', sa.String(length=500), nullable=True),
    sa.Column('logged_at', sa.DateTime(), nullable=False),
    sa.Column('voided_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['enrollment_id'], ['enrollment.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('enrollment_id', 'plan_date', 'item_key', 'side', 'seq')
    )
    with op.batch_alter_table('doselog', schema=None) as batch_op:
        batch_op.create_index('ix_doselog_enrollment_date', ['enrollment_id', 'plan_date'], unique=False)

    op.create_table('painentry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('patient_id', sa.Integer(), nullable=False),
    sa.Column('enrollment_id', sa.Integer(), nullable=True),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('local_date', sa.Date(), nullable=False),
    sa.Column('context', sa.String(length=10), nullable=False),
    sa.Column('score', sa.Integer(), nullable=False),
    sa.Column('site', sa.String(length=60), nullable=True),
    sa.Column('note', sa.String(length=500), nullable=True),
    sa.Column('logged_at', sa.DateTime(), nullable=False),
    sa.Column('voided_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['enrollment_id'], ['enrollment.id'], ),
    sa.ForeignKeyConstraint(['patient_id'], ['patient.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('painentry', schema=None) as batch_op:
        batch_op.create_index('ix_painentry_patient_day', ['patient_id', 'local_date'], unique=False)

    op.create_table('pause',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('enrollment_id', sa.Integer(), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('end_date', sa.Date(), nullable=True),
    sa.Column('reason', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('ended_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['enrollment_id'], ['enrollment.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('pause', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pause_enrollment_id'), ['enrollment_id'], unique=False)

    op.create_table('phasechange',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('enrollment_id', sa.Integer(), nullable=False),
    sa.Column('effective_date', sa.Date(), nullable=False),
    sa.Column('from_phase', sa.String(length=40), nullable=True),
    sa.Column('to_phase', sa.String(length=40), nullable=True),
    sa.Column('load_level', sa.Integer(), nullable=False),
    sa.Column('decision', sa.String(length=10), nullable=False),
    sa.Column('reason', sa.String(length=1000), nullable=False),
    sa.Column('decided_by', sa.String(length=60), nullable=False),
    sa.Column('accepted_at', sa.DateTime(), nullable=False),
    sa.Column('voided_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['enrollment_id'], ['enrollment.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('phasechange', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_phasechange_enrollment_id'), ['enrollment_id'], unique=False)

    op.create_table('symptomcheck',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('patient_id', sa.Integer(), nullable=False),
    sa.Column('enrollment_id', sa.Integer(), nullable=True),
    sa.Column('check_date', sa.Date(), nullable=False),
    sa.Column('stiffness_minutes', sa.Integer(), nullable=True),
    sa.Column('swelling', sa.Boolean(), nullable=True),
    sa.Column('redness', sa.Boolean(), nullable=True),
    sa.Column('tiptoe_pain', sa.Boolean(), nullable=True),
    sa.Column('note', sa.String(length=500), nullable=True),
    sa.Column('logged_at', sa.DateTime(), nullable=False),
    sa.Column('voided_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['enrollment_id'], ['enrollment.id'], ),
    sa.ForeignKeyConstraint(['patient_id'], ['patient.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('symptomcheck', schema=None) as batch_op:
        batch_op.create_index('ix_symptomcheck_patient_day', ['patient_id', 'check_date'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('symptomcheck', schema=None) as batch_op:
        batch_op.drop_index('ix_symptomcheck_patient_day')

    op.drop_table('symptomcheck')
    with op.batch_alter_table('phasechange', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_phasechange_enrollment_id'))

    op.drop_table('phasechange')
    with op.batch_alter_table('pause', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pause_enrollment_id'))

    op.drop_table('pause')
    with op.batch_alter_table('painentry', schema=None) as batch_op:
        batch_op.drop_index('ix_painentry_patient_day')

    op.drop_table('painentry')
    with op.batch_alter_table('doselog', schema=None) as batch_op:
        batch_op.drop_index('ix_doselog_enrollment_date')

    op.drop_table('doselog')
    with op.batch_alter_table('enrollment', schema=None) as batch_op:
        batch_op.drop_index('ix_enrollment_patient_status')

    op.drop_table('enrollment')
    with op.batch_alter_table('patient', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_patient_name'))

    op.drop_table('patient')
