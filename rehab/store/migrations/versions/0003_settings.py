"""Per-patient settings (reminder times, quiet hours, time zone); an index for undo.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-21
"""
from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('setting',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('patient_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=40), nullable=False),
    sa.Column('value', sa.String(length=200), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['patient_id'], ['patient.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('patient_id', 'key')
    )
    with op.batch_alter_table('doselog', schema=None) as batch_op:
        batch_op.create_index('ix_doselog_action', ['action'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('doselog', schema=None) as batch_op:
        batch_op.drop_index('ix_doselog_action')
    op.drop_table('setting')
