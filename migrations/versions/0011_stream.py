"""stream: outbox attachments stored gzip-compressed (a million people's summary CSV)

Revision ID: 0011_stream
Revises: 0010_perf
"""
import gzip

from alembic import op
import sqlalchemy as sa


revision = '0011_stream'
down_revision = '0010_perf'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('outbox_attachments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('compressed', sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade():
    # Files stored compressed go back to plain bytes, so the older code still sends and shows them.
    attachments = sa.table('outbox_attachments', sa.column('id', sa.Integer), sa.column('data', sa.LargeBinary),
                           sa.column('redacted_data', sa.LargeBinary), sa.column('compressed', sa.Boolean))
    connection = op.get_bind()
    for row in connection.execute(sa.select(attachments).where(attachments.c.compressed)).all():
        connection.execute(attachments.update().where(attachments.c.id == row.id).values(
            data=gzip.decompress(row.data),
            redacted_data=gzip.decompress(row.redacted_data) if row.redacted_data is not None else None))
    with op.batch_alter_table('outbox_attachments', schema=None) as batch_op:
        batch_op.drop_column('compressed')
