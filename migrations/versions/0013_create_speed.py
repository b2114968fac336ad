"""create speed: users loses ix_users_org_id, which every (org_id, ...) index of users already covers

Revision ID: 0013_create_speed
Revises: 0013_stage_speed
"""
from alembic import op


revision = '0013_create_speed'
down_revision = '0013_stage_speed'
branch_labels = None
depends_on = None


def upgrade():
    # uq_users_org_email (org_id, email) and the Users list's (org_id, ...) indexes serve every lookup by
    # organisation; one index fewer to write for each of 100,000 people created at once.
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_index('ix_users_org_id')


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.create_index('ix_users_org_id', ['org_id'], unique=False)
