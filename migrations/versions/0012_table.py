"""table: each batch keeps its rows' counts by status, so the staged table does not count 100,000 rows per request

Revision ID: 0012_table
Revises: 0011_stream
"""
from alembic import op
import sqlalchemy as sa


revision = '0012_table'
down_revision = '0011_stream'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('import_batches', schema=None) as batch_op:
        batch_op.add_column(sa.Column('row_counts', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('counts_version', sa.Integer(), server_default='0', nullable=False))


def downgrade():
    with op.batch_alter_table('import_batches', schema=None) as batch_op:
        batch_op.drop_column('counts_version')
        batch_op.drop_column('row_counts')
