"""automation timers: the time-based triggers' scan state, an index for "no agent reply"

Revision ID: 0017_automation_timers
Revises: 0016_automation_delays
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0017_automation_timers"
down_revision: str | None = "0016_automation_delays"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "automation_timer_state",
        sa.Column(
            "rule_id",
            sa.Integer(),
            sa.ForeignKey("automation_rules.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column(
            "tenant_id",
            sa.Integer(),
            sa.ForeignKey("tenants.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("cursor_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("cursor_id", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("period_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("period_cursor_id", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("period_done", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    op.create_index("ix_automation_timer_state_tenant_id", "automation_timer_state", ["tenant_id"])
    op.create_index(
        "ix_conversations_tenant_inbound",
        "conversations",
        ["tenant_id", "last_inbound_at", "id"],
    )


def downgrade() -> None:
    op.drop_index("ix_conversations_tenant_inbound", table_name="conversations")
    op.drop_index("ix_automation_timer_state_tenant_id", table_name="automation_timer_state")
    op.drop_table("automation_timer_state")
