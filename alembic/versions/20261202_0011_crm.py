"""crm: contact profile columns, tags, custom fields, notes, changes, segments, jobs, audit

Revision ID: 0011_crm
Revises: 0010_event_spine
Create Date: 2026-12-02 05:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0011_crm"
down_revision: str | None = "0010_event_spine"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Keep identical to whatsapp_saas.crm.search.DOCUMENT.
DOCUMENT = (
    "coalesce(name, '') || ' ' || coalesce(push_name, '') || ' ' || coalesce(phone, '') "
    "|| ' ' || coalesce(crm_text, '')"
)
# PostgreSQL keeps the folded document in a stored generated column, so a search reads
# (and rechecks) a column instead of folding every candidate row again.
SEARCH_COLUMN = (
    f"ALTER TABLE contacts ADD COLUMN crm_search text GENERATED ALWAYS AS (wa_fold({DOCUMENT})) "
    "STORED"
)
SEARCH_INDEX = "CREATE INDEX ix_contacts_crm_search ON contacts USING gin (crm_search gin_trgm_ops)"


def _id() -> sa.Column:
    return sa.Column("id", sa.Integer(), primary_key=True)


def _tenant() -> sa.Column:
    return sa.Column(
        "tenant_id", sa.Integer(), sa.ForeignKey("tenants.id", ondelete="CASCADE"), nullable=False
    )


def _user(name: str, ondelete: str = "SET NULL", nullable: bool = True) -> sa.Column:
    return sa.Column(
        name, sa.Integer(), sa.ForeignKey("users.id", ondelete=ondelete), nullable=nullable
    )


def _at(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _json(name: str, default: str) -> sa.Column:
    return sa.Column(name, sa.JSON(), nullable=False, server_default=default)


def upgrade() -> None:
    _contact_columns()
    _tags()
    _fields_notes_changes()
    _segments_jobs()
    if op.get_bind().dialect.name == "postgresql":
        op.execute(SEARCH_COLUMN)
        if _has_trigrams():
            op.execute(SEARCH_INDEX)


def _contact_columns() -> None:
    op.add_column("contacts", sa.Column("email", sa.String(length=254), nullable=True))
    op.add_column("contacts", sa.Column("company", sa.String(length=120), nullable=True))
    _add_user_column("contacts", "owner_user_id")
    op.add_column("contacts", _json("custom_fields", "{}"))
    op.add_column("contacts", sa.Column("crm_text", sa.Text(), nullable=True))
    op.create_index("ix_contacts_owner_user_id", "contacts", ["owner_user_id"])
    op.create_index("ix_contacts_tenant_created", "contacts", ["tenant_id", "created_at"])
    # Keep identical to whatsapp_saas.crm.listing.NAME_SORT.
    op.create_index(
        "ix_contacts_crm_name",
        "contacts",
        ["tenant_id", sa.text("lower(coalesce(name, push_name, phone, ''))"), "id"],
    )
    _add_user_column("contact_opt_outs", "by_user_id")
    _add_user_column("contact_opt_outs", "revoked_by_user_id")


def _add_user_column(table: str, name: str) -> None:
    """A nullable users FK. SQLite adds it in place (no table copy, which with foreign keys
    on would cascade-delete the table's dependents); ALTER TABLE supports REFERENCES there."""
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            f"ALTER TABLE {table} ADD COLUMN {name} INTEGER "
            "REFERENCES users (id) ON DELETE SET NULL"
        )
    else:
        op.add_column(table, _user(name))


def _tags() -> None:
    op.create_table(
        "crm_tags",
        _id(),
        _tenant(),
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("color", sa.String(length=16), nullable=False),
        _at("created_at"),
        sa.UniqueConstraint("tenant_id", "name", name="uq_crm_tags_name"),
    )
    op.create_index("ix_crm_tags_tenant_id", "crm_tags", ["tenant_id"])
    for table, column, target in (
        ("crm_contact_tags", "contact_id", "contacts.id"),
        ("crm_conversation_tags", "conversation_id", "conversations.id"),
    ):
        op.create_table(
            table,
            _tenant(),
            sa.Column(
                column,
                sa.Integer(),
                sa.ForeignKey(target, ondelete="CASCADE"),
                primary_key=True,
            ),
            sa.Column(
                "tag_id",
                sa.Integer(),
                sa.ForeignKey("crm_tags.id", ondelete="CASCADE"),
                primary_key=True,
            ),
        )
        op.create_index(f"ix_{table}_tenant_id", table, ["tenant_id"])
        op.create_index(f"ix_{table}_tag", table, ["tag_id", column])


def _fields_notes_changes() -> None:
    op.create_table(
        "crm_field_defs",
        _id(),
        _tenant(),
        sa.Column("entity", sa.String(length=8), nullable=False),
        sa.Column("key", sa.String(length=40), nullable=False),
        sa.Column("label", sa.String(length=80), nullable=False),
        sa.Column("type", sa.String(length=16), nullable=False),
        _json("options", "[]"),
        sa.Column("pattern", sa.String(length=200), nullable=True),
        sa.Column("min_value", sa.Float(), nullable=True),
        sa.Column("max_value", sa.Float(), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=False, server_default="BRL"),
        sa.Column("position", sa.Integer(), nullable=False, server_default="0"),
        _at("created_at"),
        sa.UniqueConstraint("tenant_id", "entity", "key", name="uq_crm_field_defs_key"),
    )
    op.create_index("ix_crm_field_defs_tenant_id", "crm_field_defs", ["tenant_id"])
    op.create_table(
        "crm_notes",
        _id(),
        _tenant(),
        sa.Column(
            "contact_id",
            sa.Integer(),
            sa.ForeignKey("contacts.id", ondelete="CASCADE"),
            nullable=False,
        ),
        _user("author_user_id"),
        sa.Column("body", sa.Text(), nullable=False),
        _at("created_at"),
    )
    op.create_index("ix_crm_notes_tenant_id", "crm_notes", ["tenant_id"])
    op.create_index("ix_crm_notes_contact_id", "crm_notes", ["contact_id"])
    op.create_table(
        "crm_changes",
        _id(),
        _tenant(),
        sa.Column(
            "contact_id",
            sa.Integer(),
            sa.ForeignKey("contacts.id", ondelete="CASCADE"),
            nullable=False,
        ),
        _user("user_id"),
        sa.Column("field", sa.String(length=60), nullable=False),
        sa.Column("old_value", sa.Text(), nullable=True),
        sa.Column("new_value", sa.Text(), nullable=True),
        _at("at"),
    )
    op.create_index("ix_crm_changes_tenant_id", "crm_changes", ["tenant_id"])
    op.create_index("ix_crm_changes_contact", "crm_changes", ["contact_id", "id"])


def _segments_jobs() -> None:
    op.create_table(
        "crm_segments",
        _id(),
        _tenant(),
        sa.Column("name", sa.String(length=80), nullable=False),
        _user("owner_user_id", "CASCADE", nullable=False),
        sa.Column("shared", sa.Boolean(), nullable=False, server_default=sa.false()),
        _json("filters", "{}"),
        _at("created_at"),
    )
    op.create_index("ix_crm_segments_tenant_id", "crm_segments", ["tenant_id"])
    op.create_index("ix_crm_segments_owner_user_id", "crm_segments", ["owner_user_id"])
    op.create_table(
        "crm_jobs",
        _id(),
        _tenant(),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("status", sa.String(length=8), nullable=False),
        _json("params", "{}"),
        _json("counts", "{}"),
        sa.Column("total", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("processed", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("cursor", sa.BigInteger(), nullable=False, server_default="0"),
        _user("created_by_user_id"),
        sa.Column("lease_holder", sa.String(length=120), nullable=True),
        _at("lease_until", nullable=True),
        sa.Column("error", sa.String(length=500), nullable=True),
        _at("created_at"),
        _at("finished_at", nullable=True),
    )
    op.create_index("ix_crm_jobs_tenant_id", "crm_jobs", ["tenant_id"])
    op.create_index("ix_crm_jobs_status", "crm_jobs", ["status", "id"])
    op.create_table(
        "crm_import_rows",
        sa.Column(
            "job_id",
            sa.Integer(),
            sa.ForeignKey("crm_jobs.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("row_number", sa.Integer(), primary_key=True),
        _tenant(),
        _json("cells", "[]"),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.String(length=200), nullable=True),
    )
    op.create_index("ix_crm_import_rows_tenant_id", "crm_import_rows", ["tenant_id"])
    op.create_table(
        "crm_audit",
        _id(),
        _tenant(),
        _user("user_id"),
        sa.Column("action", sa.String(length=20), nullable=False),
        _json("detail", "{}"),
        _at("at"),
    )
    op.create_index("ix_crm_audit_tenant_id", "crm_audit", ["tenant_id"])
    op.create_table(
        "crm_settings",
        _id(),
        _tenant(),
        sa.Column("agent_visibility", sa.String(length=8), nullable=False),
        sa.UniqueConstraint("tenant_id", name="uq_crm_settings_tenant"),
    )
    op.create_index("ix_crm_settings_tenant_id", "crm_settings", ["tenant_id"])


def _has_trigrams() -> bool:
    found = op.get_bind().exec_driver_sql("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")
    return found.first() is not None


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_contacts_crm_search")
        op.execute("ALTER TABLE contacts DROP COLUMN IF EXISTS crm_search")
    for table in (
        "crm_settings",
        "crm_audit",
        "crm_import_rows",
        "crm_jobs",
        "crm_segments",
        "crm_changes",
        "crm_notes",
        "crm_field_defs",
        "crm_conversation_tags",
        "crm_contact_tags",
        "crm_tags",
    ):
        op.drop_table(table)
    with op.batch_alter_table("contact_opt_outs") as batch_op:
        batch_op.drop_column("revoked_by_user_id")
        batch_op.drop_column("by_user_id")
    op.drop_index("ix_contacts_crm_name", "contacts")
    op.drop_index("ix_contacts_tenant_created", "contacts")
    op.drop_index("ix_contacts_owner_user_id", "contacts")
    with op.batch_alter_table("contacts") as batch_op:
        for column in ("crm_text", "custom_fields", "owner_user_id", "company", "email"):
            batch_op.drop_column(column)
