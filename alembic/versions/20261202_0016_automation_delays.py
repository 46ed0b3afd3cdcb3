"""automation delays: durable rows for delayed actions, snoozes and outbound webhooks;
the bot ignore list and burst limit in the automation settings

Revision ID: 0016_automation_delays
Revises: 0015_automation_menus
Create Date: 2026-12-02 13:05:00
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0016_automation_delays"
down_revision: str | None = "0015_automation_menus"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_NOW = sa.text("CURRENT_TIMESTAMP")


def upgrade() -> None:
    op.create_table(
        "automation_jobs",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "tenant_id",
            sa.Integer(),
            sa.ForeignKey("tenants.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("idempotency_key", sa.String(length=160), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("rule_name", sa.String(length=120), nullable=False, server_default=""),
        sa.Column(
            "conversation_id",
            sa.Integer(),
            sa.ForeignKey("conversations.id", ondelete="CASCADE"),
            nullable=True,
        ),
        sa.Column("action", sa.JSON(), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False, server_default=_NOW),
        sa.Column("status", sa.String(length=10), nullable=False, server_default="pending"),
        sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("last_error", sa.String(length=500), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=_NOW),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.UniqueConstraint("idempotency_key", name="uq_automation_jobs_key"),
    )
    op.create_index("ix_automation_jobs_tenant_id", "automation_jobs", ["tenant_id"])
    op.create_index("ix_automation_jobs_due", "automation_jobs", ["status", "due_at"])
    with op.batch_alter_table("automation_settings") as batch_op:
        batch_op.add_column(
            sa.Column("bot_ignore_phones", sa.JSON(), nullable=False, server_default="[]")
        )
        batch_op.add_column(
            sa.Column("bot_max_per_minute", sa.Integer(), nullable=False, server_default="8")
        )


def downgrade() -> None:
    with op.batch_alter_table("automation_settings") as batch_op:
        batch_op.drop_column("bot_max_per_minute")
        batch_op.drop_column("bot_ignore_phones")
    op.drop_table("automation_jobs")
