"""crm search indexes: what the contact list needs at 1,000,000 contacts

Revision ID: 0018_crm_search_indexes
Revises: 0017_automation_timers
Create Date: 2026-12-02 13:00:00

Keyset pages need (tenant, sort key, id) indexes for every sort. On PostgreSQL they also
carry the columns the list's filters test (INCLUDE), so a searched or filtered page is found
by an index-only scan that never visits the table for the rows it skips; the name sort reads a
stored generated column, ``contacts.crm_sort_name`` (an index-only scan cannot return an
expression's value). The pipeline and stage
filter needs deals by (pipeline, stage, contact); the custom-field filter a GIN index over
the values as jsonb (PostgreSQL only: SQLite reads its few rows without one); the search's
trigram index is made again where migration 0011 found pg_trgm missing but it can now be
created.
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0018_crm_search_indexes"
down_revision: str | None = "0017_automation_timers"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Keep identical to whatsapp_saas.crm.filters.FIELDS_DOCUMENT.
FIELDS_INDEX = (
    "CREATE INDEX IF NOT EXISTS ix_contacts_custom_fields ON contacts "
    "USING gin ((custom_fields::jsonb) jsonb_path_ops)"
)
SEARCH_INDEX = (
    "CREATE INDEX IF NOT EXISTS ix_contacts_crm_search ON contacts "
    "USING gin (crm_search gin_trgm_ops)"
)


# Keep identical to whatsapp_saas.crm.listing.NAME_SORT (and migration 0011's index).
SORT_COLUMN = (
    "ALTER TABLE contacts ADD COLUMN crm_sort_name text GENERATED ALWAYS AS "
    "(lower(coalesce(name, push_name, phone, ''))) STORED"
)
# What crm.query / crm.filters test on contacts themselves (visibility, merged, search).
COVERED = "INCLUDE (merged_into_id, owner_user_id, created_at, crm_search)"
SORT_INDEXES = {
    "ix_contacts_crm_name": f"(tenant_id, crm_sort_name, id) {COVERED}",
    "ix_contacts_tenant_created": f"(tenant_id, created_at, id) {COVERED}",
    "ix_contacts_tenant_updated": f"(tenant_id, updated_at, id) {COVERED}",
}


def upgrade() -> None:
    op.create_index("ix_deals_pipeline_contact", "deals", ["pipeline_id", "stage_id", "contact_id"])
    op.drop_index("ix_contacts_tenant_created", table_name="contacts")
    if op.get_bind().dialect.name != "postgresql":
        op.create_index("ix_contacts_tenant_created", "contacts", ["tenant_id", "created_at", "id"])
        op.create_index("ix_contacts_tenant_updated", "contacts", ["tenant_id", "updated_at", "id"])
        return
    op.execute(SORT_COLUMN)
    op.drop_index("ix_contacts_crm_name", table_name="contacts")
    for name, columns in SORT_INDEXES.items():
        op.execute(f"CREATE INDEX {name} ON contacts {columns}")
    op.execute(FIELDS_INDEX)
    if _trigrams():
        op.execute(SEARCH_INDEX)


def _trigrams() -> bool:
    """pg_trgm is there, or can be made now (a trusted extension: the database owner may)."""
    bind = op.get_bind()
    if bind.exec_driver_sql("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'").first():
        return True
    available = bind.exec_driver_sql(
        "SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm'"
    ).first()
    if available is None:
        return False
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    return True


def downgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    if postgres:
        op.execute("DROP INDEX IF EXISTS ix_contacts_custom_fields")
        op.drop_index("ix_contacts_crm_name", table_name="contacts")
        op.execute("ALTER TABLE contacts DROP COLUMN crm_sort_name")
        op.create_index(
            "ix_contacts_crm_name",
            "contacts",
            ["tenant_id", sa.text("lower(coalesce(name, push_name, phone, ''))"), "id"],
        )
    op.drop_index("ix_deals_pipeline_contact", table_name="deals")
    op.drop_index("ix_contacts_tenant_updated", table_name="contacts")
    op.drop_index("ix_contacts_tenant_created", table_name="contacts")
    op.create_index("ix_contacts_tenant_created", "contacts", ["tenant_id", "created_at"])
