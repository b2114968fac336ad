"""remove speed: every row of a batch removed at once, kept in the batch instead of written to each row;
staged rows in a conflict indexed (few), so a removal checks only those again

Revision ID: 0014_remove_speed
Revises: 0014_create_speed
"""
from alembic import op
import sqlalchemy as sa


revision = '0014_remove_speed'
down_revision = '0014_create_speed'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('import_batches', schema=None) as batch_op:
        batch_op.add_column(sa.Column('all_removed', sa.JSON(), nullable=True))
    op.create_index('ix_staged_rows_batch_conflict', 'staged_rows', ['batch_id'], unique=False,
                    postgresql_where=sa.text('conflict_with IS NOT NULL'),
                    sqlite_where=sa.text('conflict_with IS NOT NULL'))


def downgrade():
    op.drop_index('ix_staged_rows_batch_conflict', table_name='staged_rows')
    with op.batch_alter_table('import_batches', schema=None) as batch_op:
        batch_op.drop_column('all_removed')
