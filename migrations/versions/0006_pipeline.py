"""pipeline: staged rows' extra values, how a batch was read, and remembered column mappings

Revision ID: 0004_pipeline
Revises: 0003
"""
from alembic import op
import sqlalchemy as sa


revision = '0004_pipeline'
down_revision = '0004_signin'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('import_mappings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('org_id', sa.Integer(), nullable=False),
    sa.Column('headers_key', sa.String(length=64), nullable=False),
    sa.Column('mapping', sa.JSON(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['org_id'], ['organisations.id'], name=op.f('fk_import_mappings_org_id_organisations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_import_mappings')),
    sa.UniqueConstraint('org_id', 'headers_key', name='uq_import_mappings_org_headers')
    )
    with op.batch_alter_table('import_batches', schema=None) as batch_op:
        batch_op.add_column(sa.Column('read_info', sa.JSON(), nullable=True))
    with op.batch_alter_table('staged_rows', schema=None) as batch_op:
        batch_op.add_column(sa.Column('extra', sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table('staged_rows', schema=None) as batch_op:
        batch_op.drop_column('extra')
    with op.batch_alter_table('import_batches', schema=None) as batch_op:
        batch_op.drop_column('read_info')
    op.drop_table('import_mappings')
