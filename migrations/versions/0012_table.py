"""table: kept row counts per batch; an account type or Send Invite set for every row kept in the batch

Revision ID: 0012_table
Revises: 0012_memory
"""
from alembic import op
import sqlalchemy as sa


revision = '0012_table'
down_revision = '0012_memory'
branch_labels = None
depends_on = None

BATCH_COLUMNS = (
    ('row_counts', sa.JSON(), None),
    ('counts_version', sa.Integer(), '0'),
    ('choice_gen', sa.Integer(), '0'),
    ('all_account_type', sa.String(length=20), None),
    ('all_type_gen', sa.Integer(), '0'),
    ('all_send_invite', sa.Boolean(), None),
    ('all_invite_gen', sa.Integer(), '0'),
)
ROW_COLUMNS = (
    ('type_gen', sa.Integer(), '0'),
    ('invite_gen', sa.Integer(), '0'),
    ('undo_type_gen', sa.Integer(), None),
    ('undo_invite_gen', sa.Integer(), None),
)


def _add(table, columns):
    with op.batch_alter_table(table, schema=None) as batch_op:
        for name, kind, default in columns:
            batch_op.add_column(sa.Column(name, kind, server_default=default, nullable=default is None))


def _drop(table, columns):
    with op.batch_alter_table(table, schema=None) as batch_op:
        for name, _, _ in reversed(columns):
            batch_op.drop_column(name)


def upgrade():
    _add('import_batches', BATCH_COLUMNS)
    _add('staged_rows', ROW_COLUMNS)
    _add('bulk_undos', (('batch_values', sa.JSON(), None),))


def downgrade():
    _drop('bulk_undos', (('batch_values', sa.JSON(), None),))
    _drop('staged_rows', ROW_COLUMNS)
    _drop('import_batches', BATCH_COLUMNS)
