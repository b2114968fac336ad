"""table search: staged rows' search text in a narrow table of its own

Revision ID: 0013_table_search
Revises: 0013_table_writes
"""
from alembic import op
import sqlalchemy as sa


revision = '0013_table_search'
down_revision = '0013_table_writes'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'staged_search',
        sa.Column('batch_id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('line', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('row_id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('search', sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint('batch_id', 'line', 'row_id', name=op.f('pk_staged_search')),
        **({'sqlite_with_rowid': False} if op.get_bind().dialect.name == 'sqlite' else {}),
    )
    op.execute("INSERT INTO staged_search (batch_id, line, row_id, search) "
               "SELECT batch_id, line, id, lower(first_name || ' ' || last_name || ' ' || email) FROM staged_rows")


def downgrade():
    op.drop_table('staged_search')
