"""stage speed: staged rows indexed by user_id only once they have one (staging no longer indexes a NULL per row)

Revision ID: 0013_stage_speed
Revises: 0013_table_search
"""
from alembic import op
import sqlalchemy as sa


revision = '0013_stage_speed'
down_revision = '0013_table_search'
branch_labels = None
depends_on = None

NOT_NULL = sa.text('user_id IS NOT NULL')


def upgrade():
    op.drop_index('ix_staged_rows_user_id', table_name='staged_rows')
    op.create_index('ix_staged_rows_user_id', 'staged_rows', ['user_id'], unique=False,
                    postgresql_where=NOT_NULL, sqlite_where=NOT_NULL)


def downgrade():
    op.drop_index('ix_staged_rows_user_id', table_name='staged_rows')
    op.create_index('ix_staged_rows_user_id', 'staged_rows', ['user_id'], unique=False)
