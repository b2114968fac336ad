"""imports: import batches, their uploaded files and staged rows

Revision ID: 0002
Revises: 0001
"""
from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('import_batches',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('org_id', sa.Integer(), nullable=False),
    sa.Column('admin_id', sa.Integer(), nullable=True),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('encoding', sa.String(length=20), nullable=False),
    sa.Column('encoding_detected', sa.String(length=20), nullable=False),
    sa.Column('delimiter', sa.String(length=2), nullable=True),
    sa.Column('delimiter_detected', sa.String(length=2), nullable=True),
    sa.Column('headers', sa.JSON(), nullable=False),
    sa.Column('column_map', sa.JSON(), nullable=False),
    sa.Column('rows_read', sa.Integer(), nullable=False),
    sa.Column('created_count', sa.Integer(), nullable=False),
    sa.Column('failed_count', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=False),
    sa.Column('job_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=True),
    sa.Column('finished_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['admin_id'], ['users.id'], name=op.f('fk_import_batches_admin_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['job_id'], ['jobs.id'], name=op.f('fk_import_batches_job_id_jobs'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['org_id'], ['organisations.id'], name=op.f('fk_import_batches_org_id_organisations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_import_batches'))
    )
    with op.batch_alter_table('import_batches', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_import_batches_expires_at'), ['expires_at'], unique=False)
        batch_op.create_index('ix_import_batches_org_created', ['org_id', 'created_at'], unique=False)

    op.create_table('import_uploads',
    sa.Column('batch_id', sa.Integer(), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.ForeignKeyConstraint(['batch_id'], ['import_batches.id'], name=op.f('fk_import_uploads_batch_id_import_batches'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('batch_id', name=op.f('pk_import_uploads'))
    )
    op.create_table('staged_rows',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('batch_id', sa.Integer(), nullable=False),
    sa.Column('line', sa.Integer(), nullable=False),
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
    sa.Column('duplicate_of', sa.Integer(), nullable=True),
    sa.Column('conflict_with', sa.Integer(), nullable=True),
    sa.Column('failure_reason', sa.Text(), nullable=True),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['batch_id'], ['import_batches.id'], name=op.f('fk_staged_rows_batch_id_import_batches'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_staged_rows_user_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_staged_rows')),
    postgresql_with={'fillfactor': 40},
    )
    with op.batch_alter_table('staged_rows', schema=None) as batch_op:
        batch_op.create_index('ix_staged_rows_batch_email_line', ['batch_id', 'email', 'line'], unique=False)
        batch_op.create_index('ix_staged_rows_batch_line', ['batch_id', 'line'], unique=False)
        batch_op.create_index('ix_staged_rows_batch_status_line', ['batch_id', 'status', 'line'], unique=False)



def downgrade():
    with op.batch_alter_table('staged_rows', schema=None) as batch_op:
        batch_op.drop_index('ix_staged_rows_batch_status_line')
        batch_op.drop_index('ix_staged_rows_batch_line')
        batch_op.drop_index('ix_staged_rows_batch_email_line')

    op.drop_table('staged_rows')
    op.drop_table('import_uploads')
    with op.batch_alter_table('import_batches', schema=None) as batch_op:
        batch_op.drop_index('ix_import_batches_org_created')
        batch_op.drop_index(batch_op.f('ix_import_batches_expires_at'))

    op.drop_table('import_batches')
