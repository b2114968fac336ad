"""rewrite speed: a find and replace keeps the text it wrote, so its Undo finds those rows' search text by it

Revision ID: 0014_rewrite_speed
Revises: 0013_create_speed
"""
from alembic import op
import sqlalchemy as sa


revision = '0014_rewrite_speed'
down_revision = '0013_create_speed'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('bulk_undos', schema=None) as batch_op:
        batch_op.add_column(sa.Column('wrote', sa.Text(), nullable=True))


def downgrade():
    with op.batch_alter_table('bulk_undos', schema=None) as batch_op:
        batch_op.drop_column('wrote')
