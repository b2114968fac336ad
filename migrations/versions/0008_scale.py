"""scale: search column, one index per Users list sort, trigram search on PostgreSQL

Revision ID: 0004_scale
Revises: 0003
"""
import sqlalchemy as sa
from alembic import op

from webapp.searchtext import search_text_for

revision = '0004_scale'
down_revision = '0004_sync'
branch_labels = None
depends_on = None

BACKFILL_BATCH = 10_000


def _backfill_search_text() -> None:
    """Fill search_text for existing users, a batch of ids at a time (one executemany each)."""
    bind = op.get_bind()
    users = sa.table("users", sa.column("id", sa.Integer), sa.column("first_name", sa.String),
                     sa.column("last_name", sa.String), sa.column("email", sa.String),
                     sa.column("search_text", sa.String))
    update = (sa.update(users).where(users.c.id == sa.bindparam("user_id"))
              .values(search_text=sa.bindparam("text")))
    last_id = 0
    while True:
        rows = bind.execute(
            sa.select(users.c.id, users.c.first_name, users.c.last_name, users.c.email)
            .where(users.c.id > last_id).order_by(users.c.id).limit(BACKFILL_BATCH)
        ).all()
        if not rows:
            return
        bind.execute(update, [{"user_id": row.id, "text": search_text_for(row.first_name, row.last_name, row.email)}
                              for row in rows])
        last_id = rows[-1].id


def upgrade():
    postgres = op.get_bind().dialect.name == 'postgresql'
    if postgres:
        op.execute('CREATE EXTENSION IF NOT EXISTS pg_trgm')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('search_text', sa.String(length=460), nullable=False,
                                      server_default=''))
    _backfill_search_text()
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.alter_column('search_text', server_default=None)
        batch_op.drop_index('ix_users_org_last_name')
        batch_op.drop_index('ix_users_org_created')
        batch_op.create_index('ix_users_org_last_name', ['org_id', 'last_name', 'first_name', 'id'], unique=False)
        batch_op.create_index('ix_users_org_created', ['org_id', 'created_at', 'id'], unique=False)
        batch_op.create_index('ix_users_org_type', ['org_id', 'account_type', 'id'], unique=False)
        batch_op.create_index('ix_users_org_status', ['org_id', 'invite_status', 'id'], unique=False)
        batch_op.create_index('ix_users_org_signed_in', ['org_id', 'signed_in_at', 'id'], unique=False)
        batch_op.create_index('ix_users_search_text', ['search_text'], unique=False,
                              postgresql_using='gin', postgresql_ops={'search_text': 'gin_trgm_ops'})
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.create_index('ix_outbox_messages_to_user', ['to_user_id', 'id'], unique=False)
        batch_op.create_index('ix_outbox_messages_org_status_user', ['org_id', 'status', 'to_user_id'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_messages_org_status_user')
        batch_op.drop_index('ix_outbox_messages_to_user')
    with op.batch_alter_table('users', schema=None) as batch_op:
        for name in ('ix_users_search_text', 'ix_users_org_signed_in', 'ix_users_org_status',
                     'ix_users_org_type', 'ix_users_org_created', 'ix_users_org_last_name'):
            batch_op.drop_index(name)
        batch_op.create_index('ix_users_org_last_name', ['org_id', 'last_name', 'first_name'], unique=False)
        batch_op.create_index('ix_users_org_created', ['org_id', 'created_at'], unique=False)
        batch_op.drop_column('search_text')
