"""push abuse kept out (subscription caps, delivery lanes)

No schema change: the subscription cap, lanes and per-origin caps work on the existing columns.
Revision ID: 0006
Revises: 0005
"""
import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
