"""search removal: staged rows removed by a bulk remove of chosen rows kept in a narrow table of their own

Revision ID: 0015_search_removal
Revises: 0015_rewrite_speed
"""
from alembic import op
import sqlalchemy as sa


revision = '0015_search_removal'
down_revision = '0015_rewrite_speed'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'staged_removals',
        sa.Column('batch_id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('row_id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('token', sa.Integer(), nullable=False),
        sa.Column('status', sa.String(length=10), nullable=False),
        sa.PrimaryKeyConstraint('batch_id', 'row_id', name=op.f('pk_staged_removals')),
        **({'sqlite_with_rowid': False} if op.get_bind().dialect.name == 'sqlite' else {}),
    )
    with op.batch_alter_table('import_batches') as batch_op:
        batch_op.add_column(sa.Column('rows_apart', sa.Integer(), server_default='0', nullable=False))


def downgrade():
    with op.batch_alter_table('import_batches') as batch_op:
        batch_op.drop_column('rows_apart')
    op.drop_table('staged_removals')
