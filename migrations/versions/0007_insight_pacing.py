"""insight and pacing (day start, calm mode, burst and daily caps, missed-days alerts, crash)

Revision ID: 0007
Revises: 0006
"""
import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("day_starts_at", sa.String(5), nullable=False, server_default="00:00"))
        batch.add_column(sa.Column("calm_mode", sa.Boolean(), nullable=False, server_default=sa.false()))
    with op.batch_alter_table("checkins") as batch:
        batch.add_column(sa.Column("crash", sa.Boolean(), nullable=True))
    with op.batch_alter_table("reminder_settings") as batch:
        batch.add_column(sa.Column("burst_enabled", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.add_column(sa.Column("burst_count", sa.Integer(), nullable=False, server_default="5"))
        batch.add_column(sa.Column("burst_minutes", sa.Integer(), nullable=False, server_default="15"))
        batch.add_column(sa.Column("max_per_day", sa.Integer(), nullable=False, server_default="12"))
    with op.batch_alter_table("shares") as batch:
        batch.add_column(sa.Column("quiet_alert_days", sa.Integer(), nullable=True))
        # set when the missed-days alert went out; cleared when the person logs again
        batch.add_column(sa.Column("quiet_alerted_at", sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table("shares") as batch:
        batch.drop_column("quiet_alerted_at")
        batch.drop_column("quiet_alert_days")
    with op.batch_alter_table("reminder_settings") as batch:
        batch.drop_column("max_per_day")
        batch.drop_column("burst_minutes")
        batch.drop_column("burst_count")
        batch.drop_column("burst_enabled")
    with op.batch_alter_table("checkins") as batch:
        batch.drop_column("crash")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("calm_mode")
        batch.drop_column("day_starts_at")
