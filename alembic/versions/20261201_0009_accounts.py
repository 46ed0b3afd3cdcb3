"""accounts hardening: atomic throttle counters, one-time sign-in codes, one person in many companies

Revision ID: 0007_accounts
Revises: 0006
Create Date: 2026-12-01 22:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007_accounts"
down_revision: str | None = "0007_voice_seconds"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "throttle_counters",
        sa.Column("key", sa.String(length=320), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("expires_at", sa.BigInteger(), nullable=False, server_default="0"),
        sa.Column("not_before", sa.BigInteger(), nullable=False, server_default="0"),
        sa.PrimaryKeyConstraint("key"),
    )
    op.create_table(
        "sign_in_codes",
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("code_hash"),
    )
    # A users row is a membership: the same email may appear once per company.
    with op.batch_alter_table("users") as batch_op:
        batch_op.drop_index("ix_users_email")
        batch_op.create_index("ix_users_email", ["email"], unique=False)
        batch_op.create_index("uq_users_tenant_email", ["tenant_id", "email"], unique=True)


def downgrade() -> None:
    # Fails, as it should, once someone belongs to two companies.
    with op.batch_alter_table("users") as batch_op:
        batch_op.drop_index("uq_users_tenant_email")
        batch_op.drop_index("ix_users_email")
        batch_op.create_index("ix_users_email", ["email"], unique=True)
    op.drop_table("sign_in_codes")
    op.drop_table("throttle_counters")
