"""Department extension: each person's department, in its own table.

Revision ID: d001_user_departments
Depends on the core head; its own branch ("department"), so `flask db upgrade heads` runs it.
"""
import sqlalchemy as sa
from alembic import op

revision = "d001_user_departments"
down_revision = None
branch_labels = ("department",)
depends_on = "0004_table"


def upgrade():
    op.create_table(
        "user_departments",
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("name", sa.String(100), nullable=False),
    )


def downgrade():
    op.drop_table("user_departments")
