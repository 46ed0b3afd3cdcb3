"""lifecycles: a merged contact stays as a row that points at its survivor

Revision ID: 0013_lifecycles
Revises: 0012_deals
Create Date: 2026-12-02 06:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013_lifecycles"
down_revision: str | None = "0012_deals"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Plain ADD COLUMNs, no batch copy: on SQLite a copy would drop and re-create ``contacts``,
    # and dropping a table other tables reference is not something to do to customer data.
    if op.get_bind().dialect.name == "sqlite":
        # SQLite takes a REFERENCES clause in ADD COLUMN (alembic only offers a table copy).
        op.execute(
            "ALTER TABLE contacts ADD COLUMN merged_into_id INTEGER "
            "REFERENCES contacts (id) ON DELETE SET NULL"
        )
    else:
        op.add_column("contacts", sa.Column("merged_into_id", sa.Integer(), nullable=True))
        op.create_foreign_key(
            "fk_contacts_merged_into_id_contacts",
            "contacts",
            "contacts",
            ["merged_into_id"],
            ["id"],
            ondelete="SET NULL",
        )
    op.add_column("contacts", sa.Column("merged_at", sa.DateTime(timezone=True), nullable=True))
    op.create_index("ix_contacts_merged_into_id", "contacts", ["merged_into_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_contacts_merged_into_id", table_name="contacts")
    with op.batch_alter_table("contacts") as batch_op:
        batch_op.drop_column("merged_at")
        batch_op.drop_column("merged_into_id")
