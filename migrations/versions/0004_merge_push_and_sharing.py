"""merge the reminders (0002) and sharing (0003) branches into one head

Both grew from the core schema side by side; one head keeps `flask db upgrade` a single step.

Revision ID: 0004
Revises: 0002, 0003
"""

revision = "0004"
down_revision = ("0002", "0003")
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
