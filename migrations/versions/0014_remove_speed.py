"""remove speed: every row of a batch removed at once, kept in the batch instead of written to each row

Revision ID: 0014_remove_speed
Revises: 0013_create_speed
"""
from alembic import op
import sqlalchemy as sa


revision = '0014_remove_speed'
down_revision = '0013_create_speed'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('import_batches', schema=None) as batch_op:
        batch_op.add_column(sa.Column('all_removed', sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table('import_batches', schema=None) as batch_op:
        batch_op.drop_column('all_removed')
