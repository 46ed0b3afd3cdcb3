"""hours overrides: a number's or a department's own business hours; agents' last-seen

Revision ID: 0020_hours_overrides
Revises: 0023_automation_files
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0020_hours_overrides"
down_revision: str | None = "0023_automation_files"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _tenant() -> sa.Column[int]:
    return sa.Column(
        "tenant_id",
        sa.Integer(),
        sa.ForeignKey("tenants.id", ondelete="CASCADE"),
        nullable=False,
    )


def upgrade() -> None:
    op.create_table(
        "automation_hours_overrides",
        sa.Column("id", sa.Integer(), primary_key=True),
        _tenant(),
        sa.Column(
            "number_id",
            sa.Integer(),
            sa.ForeignKey("whatsapp_numbers.id", ondelete="CASCADE"),
            nullable=True,
        ),
        sa.Column(
            "department_id",
            sa.Integer(),
            sa.ForeignKey("departments.id", ondelete="CASCADE"),
            nullable=True,
        ),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("weekly_hours", sa.JSON(), nullable=False),
        sa.Column("holidays", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("number_id", name="uq_hours_overrides_number"),
        sa.UniqueConstraint("department_id", name="uq_hours_overrides_department"),
    )
    op.create_index(
        "ix_automation_hours_overrides_tenant_id", "automation_hours_overrides", ["tenant_id"]
    )
    op.create_table(
        "agent_presence",
        sa.Column(
            "user_id",
            sa.Integer(),
            sa.ForeignKey("users.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        _tenant(),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_agent_presence_tenant_id", "agent_presence", ["tenant_id"])


def downgrade() -> None:
    op.drop_index("ix_agent_presence_tenant_id", table_name="agent_presence")
    op.drop_table("agent_presence")
    op.drop_index(
        "ix_automation_hours_overrides_tenant_id", table_name="automation_hours_overrides"
    )
    op.drop_table("automation_hours_overrides")
