"""rewrite speed: a find and replace or suggested fix over few rows keeps every row's old checks, so its Undo finds
them by key; staged_search pages keep free room on PostgreSQL, so a rewritten search text is updated in place

Revision ID: 0015_rewrite_speed
Revises: 0014_stage_speed
"""
from alembic import op
import sqlalchemy as sa


revision = '0015_rewrite_speed'
down_revision = '0014_stage_speed'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('bulk_undos', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kept_all', sa.Boolean(), server_default=sa.false(), nullable=False))
    if op.get_bind().dialect.name == 'postgresql':
        # Pages already written keep their layout; those of batches staged from now on are filled to half.
        op.execute('ALTER TABLE staged_search SET (fillfactor = 50)')


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('ALTER TABLE staged_search RESET (fillfactor)')
    with op.batch_alter_table('bulk_undos', schema=None) as batch_op:
        batch_op.drop_column('kept_all')
