"""audit targets: a person's history is read by target, now that an import records one event per person

Revision ID: 0016_audit_targets
Revises: 0015_search_removal
"""
from alembic import op


revision = '0016_audit_targets'
down_revision = '0015_search_removal'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('audit_events') as batch_op:
        batch_op.create_index('ix_audit_events_target', ['target_id', 'target_type'], unique=False)


def downgrade():
    with op.batch_alter_table('audit_events') as batch_op:
        batch_op.drop_index('ix_audit_events_target')
