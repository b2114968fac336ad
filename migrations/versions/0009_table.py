"""table: undo of the staged table's bulk changes, suggested email fixes

Revision ID: 0004_table
Revises: 0004_scale
"""
from alembic import op
import sqlalchemy as sa


revision = '0004_table'
down_revision = '0004_scale'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('bulk_undos',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('batch_id', sa.Integer(), nullable=False),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('columns', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['batch_id'], ['import_batches.id'], name=op.f('fk_bulk_undos_batch_id_import_batches'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bulk_undos'))
    )
    with op.batch_alter_table('bulk_undos', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_bulk_undos_batch_id'), ['batch_id'], unique=False)

    op.create_table('bulk_undo_rows',
    sa.Column('undo_id', sa.Integer(), nullable=False),
    sa.Column('row_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('first_name', sa.String(length=300), nullable=False),
    sa.Column('last_name', sa.String(length=300), nullable=False),
    sa.Column('email', sa.String(length=320), nullable=False),
    sa.Column('account_type', sa.String(length=20), nullable=False),
    sa.Column('send_invite', sa.Boolean(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('errors', sa.JSON(), nullable=False),
    sa.Column('fields_ok', sa.Boolean(), nullable=False),
    sa.Column('email_ok', sa.Boolean(), nullable=False),
    sa.Column('account_type_error', sa.Text(), nullable=True),
    sa.Column('suggested_email', sa.String(length=320), nullable=True),
    sa.ForeignKeyConstraint(['undo_id'], ['bulk_undos.id'], name=op.f('fk_bulk_undo_rows_undo_id_bulk_undos'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('undo_id', 'row_id', name=op.f('pk_bulk_undo_rows'))
    )
    with op.batch_alter_table('staged_rows', schema=None) as batch_op:
        batch_op.add_column(sa.Column('suggested_email', sa.String(length=320), nullable=True))
        batch_op.create_index('ix_staged_rows_batch_suggested', ['batch_id', 'status'], unique=False,
                              postgresql_where=sa.text('suggested_email IS NOT NULL'),
                              sqlite_where=sa.text('suggested_email IS NOT NULL'))


def downgrade():
    with op.batch_alter_table('staged_rows', schema=None) as batch_op:
        batch_op.drop_index('ix_staged_rows_batch_suggested')
        batch_op.drop_column('suggested_email')
    op.drop_table('bulk_undo_rows')
    with op.batch_alter_table('bulk_undos', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_bulk_undos_batch_id'))
    op.drop_table('bulk_undos')
