"""sync: upload modes, planned changes per staged row, import effects and undos

Revision ID: 0004_sync
Revises: 0003
"""
from alembic import op
import sqlalchemy as sa


revision = '0004_sync'
down_revision = '0004_pipeline'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('import_batches', schema=None) as batch_op:
        batch_op.add_column(sa.Column('mode', sa.String(length=12), server_default='add', nullable=False))
        batch_op.add_column(sa.Column('deactivate_missing', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('create_missing_groups', sa.Boolean(), server_default=sa.false(), nullable=False))

    op.create_table('staged_changes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('batch_id', sa.Integer(), nullable=False),
    sa.Column('row_id', sa.Integer(), nullable=False),
    sa.Column('line', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=12), nullable=False),
    sa.Column('changes', sa.JSON(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('group_ids', sa.JSON(), nullable=False),
    sa.Column('series_ids', sa.JSON(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=True),
    sa.ForeignKeyConstraint(['batch_id'], ['import_batches.id'], name=op.f('fk_staged_changes_batch_id_import_batches'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['row_id'], ['staged_rows.id'], name=op.f('fk_staged_changes_row_id_staged_rows'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_staged_changes'))
    )
    with op.batch_alter_table('staged_changes', schema=None) as batch_op:
        batch_op.create_index('ix_staged_changes_batch_action_line', ['batch_id', 'action', 'line'], unique=False)
        batch_op.create_index(batch_op.f('ix_staged_changes_row_id'), ['row_id'], unique=False)

    op.create_table('import_effects',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('batch_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('group_id', sa.Integer(), nullable=True),
    sa.Column('series_id', sa.Integer(), nullable=True),
    sa.Column('field', sa.String(length=20), nullable=True),
    sa.Column('old_value', sa.String(length=320), nullable=True),
    sa.Column('new_value', sa.String(length=320), nullable=True),
    sa.ForeignKeyConstraint(['batch_id'], ['import_batches.id'], name=op.f('fk_import_effects_batch_id_import_batches'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_import_effects'))
    )
    with op.batch_alter_table('import_effects', schema=None) as batch_op:
        batch_op.create_index('ix_import_effects_batch_kind', ['batch_id', 'kind'], unique=False)

    op.create_table('import_undos',
    sa.Column('batch_id', sa.Integer(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('undone_at', sa.DateTime(), nullable=False),
    sa.Column('report', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_import_undos_actor_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['batch_id'], ['import_batches.id'], name=op.f('fk_import_undos_batch_id_import_batches'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('batch_id', name=op.f('pk_import_undos'))
    )

    # Removing many users at once: every table pointing at users needs an index on that column.
    op.create_index('ix_staged_rows_user_id', 'staged_rows', ['user_id'], unique=False)
    op.create_index('ix_outbox_messages_to_user_id', 'outbox_messages', ['to_user_id'], unique=False)
    op.create_index('ix_users_created_by_id', 'users', ['created_by_id'], unique=False)
    op.create_index('ix_enrolments_user_id', 'enrolments', ['user_id'], unique=False)
    op.create_index('ix_enrolments_enrolled_by_id', 'enrolments', ['enrolled_by_id'], unique=False)


def downgrade():
    op.drop_index('ix_enrolments_enrolled_by_id', table_name='enrolments')
    op.drop_index('ix_enrolments_user_id', table_name='enrolments')
    op.drop_index('ix_users_created_by_id', table_name='users')
    op.drop_index('ix_outbox_messages_to_user_id', table_name='outbox_messages')
    op.drop_index('ix_staged_rows_user_id', table_name='staged_rows')
    op.drop_table('import_undos')
    with op.batch_alter_table('import_effects', schema=None) as batch_op:
        batch_op.drop_index('ix_import_effects_batch_kind')
    op.drop_table('import_effects')
    with op.batch_alter_table('staged_changes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_staged_changes_row_id'))
        batch_op.drop_index('ix_staged_changes_batch_action_line')
    op.drop_table('staged_changes')
    with op.batch_alter_table('import_batches', schema=None) as batch_op:
        batch_op.drop_column('create_missing_groups')
        batch_op.drop_column('deactivate_missing')
        batch_op.drop_column('mode')
