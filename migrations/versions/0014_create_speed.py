"""create speed: on SQLite ix_users_search_text holds no row, as the Users search never reads it there

Revision ID: 0014_create_speed
Revises: 0013_create_speed
"""
import sqlalchemy as sa
from alembic import op


revision = '0014_create_speed'
down_revision = '0013_create_speed'
branch_labels = None
depends_on = None


def upgrade():
    # The search is LIKE '%word%', which a plain index cannot serve: on SQLite it was one index write per
    # account created, for no read. A partial index that holds nothing keeps the name the models declare.
    # PostgreSQL keeps its trigram index, which the search does use.
    if op.get_bind().dialect.name == 'sqlite':
        op.drop_index('ix_users_search_text', table_name='users')
        op.create_index('ix_users_search_text', 'users', ['search_text'], unique=False, sqlite_where=sa.text('0'))


def downgrade():
    if op.get_bind().dialect.name == 'sqlite':
        op.drop_index('ix_users_search_text', table_name='users')
        op.create_index('ix_users_search_text', 'users', ['search_text'], unique=False)
