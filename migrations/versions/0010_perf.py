"""perf: a bulk change's undo values kept in the staged row itself; rows with a refused account type indexed

Revision ID: 0010_perf
Revises: 0004_table
"""
from alembic import op
import sqlalchemy as sa


revision = '0010_perf'
down_revision = '0004_table'
branch_labels = None
depends_on = None

UNDO_COLUMNS = (
    ('undo_token', sa.Integer()),
    ('undo_account_type', sa.String(length=20)),
    ('undo_account_type_error', sa.Text()),
    ('undo_send_invite', sa.Boolean()),
    ('undo_status', sa.String(length=10)),
)


def upgrade():
    with op.batch_alter_table('bulk_undos', schema=None) as batch_op:
        batch_op.add_column(sa.Column('undone', sa.Boolean(), nullable=False, server_default=sa.false()))
    with op.batch_alter_table('staged_rows', schema=None) as batch_op:
        for name, kind in UNDO_COLUMNS:
            batch_op.add_column(sa.Column(name, kind, nullable=True))
        batch_op.create_index('ix_staged_rows_batch_type_error', ['batch_id'], unique=False,
                              postgresql_where=sa.text('account_type_error IS NOT NULL'),
                              sqlite_where=sa.text('account_type_error IS NOT NULL'))


def downgrade():
    with op.batch_alter_table('staged_rows', schema=None) as batch_op:
        batch_op.drop_index('ix_staged_rows_batch_type_error')
        for name, _ in reversed(UNDO_COLUMNS):
            batch_op.drop_column(name)
    with op.batch_alter_table('bulk_undos', schema=None) as batch_op:
        batch_op.drop_column('undone')
