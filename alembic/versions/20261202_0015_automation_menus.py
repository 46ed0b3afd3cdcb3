"""automation menus: numbered chatbot menus and one menu session per conversation

Revision ID: 0015_automation_menus
Revises: 0014_automations
Create Date: 2026-12-02 13:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0015_automation_menus"
down_revision: str | None = "0014_automations"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_NOW = sa.text("CURRENT_TIMESTAMP")


def _tenant() -> sa.Column:
    return sa.Column(
        "tenant_id", sa.Integer(), sa.ForeignKey("tenants.id", ondelete="CASCADE"), nullable=False
    )


def _stamp(name: str, nullable: bool = False) -> sa.Column:
    default = None if nullable else _NOW
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable, server_default=default)


def upgrade() -> None:
    op.create_table(
        "automation_menus",
        sa.Column("id", sa.Integer(), primary_key=True),
        _tenant(),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False, server_default=sa.true()),
        sa.Column("tree", sa.JSON(), nullable=False),
        sa.Column("keywords", sa.JSON(), nullable=False),
        sa.Column("reprompt_limit", sa.Integer(), nullable=False, server_default="2"),
        sa.Column("reprompt_message", sa.Text(), nullable=False, server_default=""),
        sa.Column("handoff_message", sa.Text(), nullable=False, server_default=""),
        sa.Column("timeout_minutes", sa.Integer(), nullable=False, server_default="30"),
        sa.Column("timeout_action", sa.String(length=10), nullable=False, server_default="human"),
        sa.Column("expiry_minutes", sa.Integer(), nullable=False, server_default="1440"),
        sa.Column(
            "start_on_new_conversation", sa.Boolean(), nullable=False, server_default=sa.false()
        ),
        _stamp("created_at"),
        _stamp("updated_at"),
        sa.UniqueConstraint("tenant_id", "name", name="uq_automation_menus_name"),
    )
    op.create_index("ix_automation_menus_tenant_id", "automation_menus", ["tenant_id"])
    op.create_table(
        "automation_menu_sessions",
        sa.Column("id", sa.Integer(), primary_key=True),
        _tenant(),
        sa.Column(
            "conversation_id",
            sa.Integer(),
            sa.ForeignKey("conversations.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column(
            "menu_id",
            sa.Integer(),
            sa.ForeignKey("automation_menus.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("node", sa.String(length=40), nullable=False, server_default=""),
        sa.Column("reprompts", sa.Integer(), nullable=False, server_default="0"),
        _stamp("started_at"),
        _stamp("prompted_at"),
        _stamp("timeout_at"),
        _stamp("expires_at"),
        _stamp("ended_at", nullable=True),
        sa.Column("end_reason", sa.String(length=20), nullable=False, server_default=""),
        sa.UniqueConstraint("conversation_id", name="uq_automation_menu_sessions_conversation"),
    )
    op.create_index(
        "ix_automation_menu_sessions_tenant_id", "automation_menu_sessions", ["tenant_id"]
    )
    op.create_index(
        "ix_automation_menu_sessions_timeout", "automation_menu_sessions", ["timeout_at"]
    )


def downgrade() -> None:
    op.drop_table("automation_menu_sessions")
    op.drop_table("automation_menus")
