"""table search: staged rows' search text in a narrow table of its own, kept by a trigger

Revision ID: 0013_table_search
Revises: 0012_table
"""
from alembic import op
import sqlalchemy as sa


revision = '0013_table_search'
down_revision = '0012_table'
branch_labels = None
depends_on = None

SEARCH_TEXT = "lower(NEW.first_name || ' ' || NEW.last_name || ' ' || NEW.email)"
THIS_ROW = "batch_id = NEW.batch_id AND line = NEW.line AND row_id = NEW.id"
# Only an update that names these columns fires it, and only a row whose text really changed runs it.
PG_TRIGGER = f"""
CREATE FUNCTION staged_search_keep() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE staged_search SET search = {SEARCH_TEXT} WHERE {THIS_ROW};
    RETURN NULL;
END $$;
CREATE TRIGGER staged_rows_search AFTER UPDATE OF first_name, last_name, email ON staged_rows
FOR EACH ROW WHEN (OLD.first_name IS DISTINCT FROM NEW.first_name OR OLD.last_name IS DISTINCT FROM NEW.last_name
                   OR OLD.email IS DISTINCT FROM NEW.email)
EXECUTE FUNCTION staged_search_keep();
"""
SQLITE_TRIGGER = f"""
CREATE TRIGGER staged_rows_search AFTER UPDATE OF first_name, last_name, email ON staged_rows
FOR EACH ROW WHEN OLD.first_name IS NOT NEW.first_name OR OLD.last_name IS NOT NEW.last_name
                  OR OLD.email IS NOT NEW.email
BEGIN
    UPDATE staged_search SET search = {SEARCH_TEXT} WHERE {THIS_ROW};
END
"""


def upgrade():
    op.create_table(
        'staged_search',
        sa.Column('batch_id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('line', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('row_id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('search', sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint('batch_id', 'line', 'row_id', name=op.f('pk_staged_search')),
        **({'sqlite_with_rowid': False} if op.get_bind().dialect.name == 'sqlite' else {}),
    )
    op.execute("INSERT INTO staged_search (batch_id, line, row_id, search) "
               "SELECT batch_id, line, id, lower(first_name || ' ' || last_name || ' ' || email) FROM staged_rows")
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(PG_TRIGGER)
    else:
        op.execute(SQLITE_TRIGGER)


def downgrade():
    op.execute("DROP TRIGGER IF EXISTS staged_rows_search" +
               (" ON staged_rows" if op.get_bind().dialect.name == 'postgresql' else ""))
    if op.get_bind().dialect.name == 'postgresql':
        op.execute("DROP FUNCTION IF EXISTS staged_search_keep()")
    op.drop_table('staged_search')
