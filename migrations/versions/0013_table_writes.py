"""table writes: a find and replace or suggested fix keeps the text it replaced in the row itself

Revision ID: 0013_table_writes
Revises: 0012_table
"""
from alembic import op
import sqlalchemy as sa


revision = '0013_table_writes'
down_revision = '0012_table'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('staged_rows', schema=None) as batch_op:
        batch_op.add_column(sa.Column('undo_text', sa.String(length=320), nullable=True))
    with op.batch_alter_table('bulk_undos', schema=None) as batch_op:
        batch_op.add_column(sa.Column('rewrote', sa.String(length=20), nullable=True))


def downgrade():
    with op.batch_alter_table('bulk_undos', schema=None) as batch_op:
        batch_op.drop_column('rewrote')
    with op.batch_alter_table('staged_rows', schema=None) as batch_op:
        batch_op.drop_column('undo_text')
