"""what each person sees (display name, share acceptance)

Revision ID: 0008
Revises: 0007
"""
import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade():
    # The name the person wants on reports (§16); null until they give one.
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("display_name", sa.String(100), nullable=True))


def downgrade():
    with op.batch_alter_table("users") as batch:
        batch.drop_column("display_name")
