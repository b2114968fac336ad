"""memory: uploaded files kept in parts of 1 MB, so storing or reading one never copies it whole

Revision ID: 0012_memory
Revises: 0011_stream
"""
from alembic import op
import sqlalchemy as sa


revision = '0012_memory'
down_revision = '0011_stream'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('import_upload_parts',
    sa.Column('batch_id', sa.Integer(), nullable=False),
    sa.Column('part', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.ForeignKeyConstraint(['batch_id'], ['import_batches.id'], name=op.f('fk_import_upload_parts_batch_id_import_batches'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('batch_id', 'part', name=op.f('pk_import_upload_parts'))
    )
    # Files kept before this stay whole, as their one part.
    op.execute("INSERT INTO import_upload_parts (batch_id, part, data) SELECT batch_id, 0, data FROM import_uploads")
    op.drop_table('import_uploads')


def downgrade():
    op.create_table('import_uploads',
    sa.Column('batch_id', sa.Integer(), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.ForeignKeyConstraint(['batch_id'], ['import_batches.id'], name=op.f('fk_import_uploads_batch_id_import_batches'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('batch_id', name=op.f('pk_import_uploads'))
    )
    parts = sa.table('import_upload_parts', sa.column('batch_id', sa.Integer), sa.column('part', sa.Integer),
                     sa.column('data', sa.LargeBinary))
    whole = sa.table('import_uploads', sa.column('batch_id', sa.Integer), sa.column('data', sa.LargeBinary))
    connection = op.get_bind()
    for (batch_id,) in connection.execute(sa.select(parts.c.batch_id).distinct()).all():
        data = b"".join(row.data for row in connection.execute(
            sa.select(parts.c.data).where(parts.c.batch_id == batch_id).order_by(parts.c.part)))
        connection.execute(whole.insert().values(batch_id=batch_id, data=data))
    op.drop_table('import_upload_parts')
