"""Prescriptions: a therapist's changes to one patient's program, each from a date on.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02
"""
from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('prescription',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('enrollment_id', sa.Integer(), nullable=False),
    sa.Column('effective_date', sa.Date(), nullable=False),
    sa.Column('action', sa.String(length=8), nullable=False),
    sa.Column('exercise_id', sa.String(length=40), nullable=False),
    sa.Column('values_json', sa.Text(), nullable=False),
    sa.Column('exercise_json', sa.Text(), nullable=True),
    sa.Column('prescribed_by', sa.String(length=60), nullable=False),
    sa.Column('reason', sa.String(length=500), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('voided_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['enrollment_id'], ['enrollment.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('prescription', schema=None) as batch_op:
        batch_op.create_index(
            'ix_prescription_enrollment', ['enrollment_id', 'effective_date'], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table('prescription', schema=None) as batch_op:
        batch_op.drop_index('ix_prescription_enrollment')
    op.drop_table('prescription')
