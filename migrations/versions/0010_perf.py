"""perf: a bulk change's undo values kept in the staged row itself

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
    with op.batch_alter_table('staged_rows', schema=None) as batch_op:
        for name, kind in UNDO_COLUMNS:
            batch_op.add_column(sa.Column(name, kind, nullable=True))


def downgrade():
    with op.batch_alter_table('staged_rows', schema=None) as batch_op:
        for name, _ in reversed(UNDO_COLUMNS):
            batch_op.drop_column(name)
