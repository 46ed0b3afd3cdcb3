"""automation hooks: the inbound URL token and encrypted secret of "Webhook received" rules

Revision ID: 0019_automation_hooks
Revises: 0018_crm_search_indexes
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0019_automation_hooks"
down_revision: str | None = "0018_crm_search_indexes"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "automation_hooks",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "tenant_id",
            sa.Integer(),
            sa.ForeignKey("tenants.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column(
            "rule_id",
            sa.Integer(),
            sa.ForeignKey("automation_rules.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("token", sa.String(length=64), nullable=False),
        sa.Column("secret_ciphertext", sa.LargeBinary(), nullable=False),
        sa.Column("secret_hint", sa.String(length=8), nullable=False, server_default=""),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("rotated_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("token", name="uq_automation_hooks_token"),
        sa.UniqueConstraint("rule_id", name="uq_automation_hooks_rule"),
    )
    op.create_index("ix_automation_hooks_tenant_id", "automation_hooks", ["tenant_id"])


def downgrade() -> None:
    op.drop_index("ix_automation_hooks_tenant_id", table_name="automation_hooks")
    op.drop_table("automation_hooks")
