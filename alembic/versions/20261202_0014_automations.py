"""automations: rules, the run log, settings, the conversation owner, the automation badge

Revision ID: 0014_automations
Revises: 0013_lifecycles
Create Date: 2026-12-02 05:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0014_automations"
down_revision: str | None = "0013_lifecycles"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_NOW = sa.text("CURRENT_TIMESTAMP")


def upgrade() -> None:
    op.create_table(
        "automation_rules",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "tenant_id",
            sa.Integer(),
            sa.ForeignKey("tenants.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False, server_default=sa.true()),
        sa.Column("priority", sa.Integer(), nullable=False, server_default="100"),
        sa.Column("stop_after", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("trigger", sa.JSON(), nullable=False),
        sa.Column("conditions", sa.JSON(), nullable=False),
        sa.Column("actions", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=_NOW),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=_NOW),
    )
    op.create_index("ix_automation_rules_tenant_id", "automation_rules", ["tenant_id"])
    op.create_index(
        "ix_automation_rules_order", "automation_rules", ["tenant_id", "priority", "id"]
    )
    op.create_table(
        "automation_runs",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "tenant_id",
            sa.Integer(),
            sa.ForeignKey("tenants.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("idempotency_key", sa.String(length=120), nullable=False),
        sa.Column(
            "rule_id",
            sa.Integer(),
            sa.ForeignKey("automation_rules.id", ondelete="CASCADE"),
            nullable=True,
        ),
        sa.Column("rule_name", sa.String(length=120), nullable=False, server_default=""),
        sa.Column(
            "conversation_id",
            sa.Integer(),
            sa.ForeignKey("conversations.id", ondelete="CASCADE"),
            nullable=True,
        ),
        sa.Column("message_id", sa.Integer(), nullable=True),
        sa.Column("event", sa.String(length=40), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("results", sa.JSON(), nullable=False),
        sa.Column("error", sa.String(length=500), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=_NOW),
        sa.UniqueConstraint("idempotency_key", name="uq_automation_runs_key"),
    )
    op.create_index("ix_automation_runs_tenant_id", "automation_runs", ["tenant_id"])
    op.create_index(
        "ix_automation_runs_conversation", "automation_runs", ["conversation_id", "created_at"]
    )
    op.create_index("ix_automation_runs_rule", "automation_runs", ["rule_id", "id"])
    op.create_table(
        "automation_settings",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "tenant_id",
            sa.Integer(),
            sa.ForeignKey("tenants.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("hourly_cap", sa.Integer(), nullable=False, server_default="10"),
        sa.Column("pause_minutes", sa.Integer(), nullable=False, server_default="60"),
        sa.Column(
            "timezone", sa.String(length=64), nullable=False, server_default="America/Sao_Paulo"
        ),
        sa.Column("weekly_hours", sa.JSON(), nullable=False),
        sa.Column("holidays", sa.JSON(), nullable=False),
        sa.Column("out_of_hours_enabled", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("out_of_hours_message", sa.Text(), nullable=False, server_default=""),
        sa.Column("agent_grace_minutes", sa.Integer(), nullable=False, server_default="5"),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=_NOW),
        sa.UniqueConstraint("tenant_id", name="uq_automation_settings_tenant"),
    )
    op.create_index("ix_automation_settings_tenant_id", "automation_settings", ["tenant_id"])
    with op.batch_alter_table("conversations") as batch_op:
        batch_op.add_column(
            sa.Column("owner_kind", sa.String(length=8), nullable=False, server_default="flow")
        )
        batch_op.add_column(sa.Column("owner_since", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("messages") as batch_op:
        batch_op.add_column(sa.Column("automation_rule", sa.String(length=120), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("messages") as batch_op:
        batch_op.drop_column("automation_rule")
    with op.batch_alter_table("conversations") as batch_op:
        batch_op.drop_column("owner_since")
        batch_op.drop_column("owner_kind")
    op.drop_table("automation_settings")
    op.drop_table("automation_runs")
    op.drop_table("automation_rules")
