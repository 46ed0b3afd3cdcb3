"""crm fast search: custom field values in a side table, a last-contact sort, segment campaigns

Revision ID: 0021_crm_fast_search
Revises: 0020_hours_overrides
Create Date: 2026-12-02 18:30:00

- PostgreSQL only: ``crm_contact_field_values`` holds one row per (contact, custom field)
  with the value as text, kept by a trigger on ``contacts``. The planner keeps real
  statistics on it, so "cidade = Recife" (100,000 of a million) walks the sort index while a
  rare value starts from its few rows; the jsonb containment it replaces always got a fixed
  guess. Its GIN index goes. SQLite (embedded, small) keeps filtering the JSON itself.
- Both: ``contacts.crm_last_contact_at``, the newest ``last_message_at`` of the contact's
  conversations, kept by a trigger on ``conversations`` (the sort "last contact" needs a
  column to read keyset pages from an index). Never contacted is 1970-01-01, not NULL, so
  the keyset comparison needs no NULL cases.
- Both: ``campaigns.segment_id``: a campaign that targets a segment resolves it when it
  starts, not when the draft is made.
- pg_trgm is created if missing and possible (the trigram search index of 0011/0018), and
  the search document gets a larger statistics sample (see upgrade()).
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0021_crm_fast_search"
down_revision: str | None = "0020_hours_overrides"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

EPOCH_PG = "'1970-01-01 00:00:00+00'"
# SQLAlchemy's SQLite DATETIME text form: compared as text, so it must match it exactly.
EPOCH_SQLITE = "'1970-01-01 00:00:00.000000'"
# Keep identical to whatsapp_saas.crm.models.FIELD_VALUE_MAX / FIELD_KEY_MAX.
FIELD_ROWS = """
    SELECT c.id, c.tenant_id, left(f.key, 64), left(f.value, 256)
    FROM {source},
         json_each_text(CASE WHEN json_typeof(c.custom_fields) = 'object'
                             THEN c.custom_fields ELSE '{{}}'::json END) AS f
    WHERE f.value IS NOT NULL
"""
FIELD_TRIGGER_FUNCTION = f"""
CREATE OR REPLACE FUNCTION crm_sync_field_values() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        IF NEW.custom_fields::jsonb IS NOT DISTINCT FROM OLD.custom_fields::jsonb
           AND NEW.tenant_id = OLD.tenant_id THEN
            RETURN NEW;
        END IF;
        DELETE FROM crm_contact_field_values WHERE contact_id = NEW.id;
    END IF;
    INSERT INTO crm_contact_field_values (contact_id, tenant_id, field_key, value)
    {FIELD_ROWS.format(source="(SELECT NEW.id, NEW.tenant_id, NEW.custom_fields) AS c (id, tenant_id, custom_fields)")}
    ON CONFLICT DO NOTHING;
    RETURN NEW;
END $$
"""  # noqa: E501
# The column is indexed, so each write of it is a new row version with an entry in every
# index of contacts: a chatty conversation moves it at most once a minute (the sort may be a
# minute behind; the list shows the exact time, read from the conversations).
LAST_CONTACT_FUNCTION = """
CREATE OR REPLACE FUNCTION crm_touch_last_contact() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE contacts SET crm_last_contact_at = NEW.last_message_at
    WHERE id = NEW.contact_id
      AND crm_last_contact_at < NEW.last_message_at - interval '1 minute';
    RETURN NEW;
END $$
"""
SQLITE_LAST_CONTACT = """
CREATE TRIGGER crm_last_contact_{name} AFTER {event} ON conversations
BEGIN
    UPDATE contacts SET crm_last_contact_at = NEW.last_message_at
    WHERE id = NEW.contact_id AND crm_last_contact_at < NEW.last_message_at;
END
"""
LAST_CONTACT_BACKFILL = """
UPDATE contacts SET crm_last_contact_at = last.at
FROM (SELECT contact_id, max(last_message_at) AS at FROM conversations GROUP BY contact_id) last
WHERE last.contact_id = contacts.id AND last.at IS NOT NULL
"""
SQLITE_LAST_CONTACT_BACKFILL = """
UPDATE contacts SET crm_last_contact_at = (
    SELECT max(last_message_at) FROM conversations WHERE conversations.contact_id = contacts.id)
WHERE EXISTS (SELECT 1 FROM conversations WHERE conversations.contact_id = contacts.id)
"""
# Keep identical to migration 0018's COVERED (what the list's filters test on contacts).
COVERED = "INCLUDE (merged_into_id, owner_user_id, created_at, crm_search)"


def upgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    with op.batch_alter_table("campaigns") as batch:  # SQLite: a foreign key needs batch
        batch.add_column(
            sa.Column(
                "segment_id",
                sa.Integer(),
                sa.ForeignKey(
                    "crm_segments.id", name="fk_campaigns_segment_id", ondelete="SET NULL"
                ),
                nullable=True,
            )
        )
    _last_contact(postgres)
    if postgres:
        _field_values()
        _trigram_extension()
        # The planner estimates LIKE '%word%' by matching the pattern against the column's
        # histogram: 100 sampled documents say 0 or 5 for a word in 1 of 40, 1,000 say
        # about 25, so it chooses between walking the sort index (a common word) and the
        # trigram index (a rare one) well. ANALYZE samples more rows: seconds a million.
        op.execute("ALTER TABLE contacts ALTER COLUMN crm_search SET STATISTICS 1000")


def _last_contact(postgres: bool) -> None:
    epoch = EPOCH_PG if postgres else EPOCH_SQLITE
    op.add_column(
        "contacts",
        sa.Column(
            "crm_last_contact_at",
            sa.DateTime(timezone=True),
            nullable=False,
            server_default=sa.text(epoch),
        ),
    )
    if postgres:
        op.execute(LAST_CONTACT_BACKFILL)
        op.execute(
            "CREATE INDEX ix_contacts_tenant_last_contact ON contacts "
            f"(tenant_id, crm_last_contact_at, id) {COVERED}"
        )
        op.execute(LAST_CONTACT_FUNCTION)
        op.execute(
            "CREATE TRIGGER crm_last_contact AFTER INSERT OR UPDATE OF last_message_at, "
            "contact_id ON conversations FOR EACH ROW EXECUTE FUNCTION crm_touch_last_contact()"
        )
        return
    op.execute(SQLITE_LAST_CONTACT_BACKFILL)
    op.create_index(
        "ix_contacts_tenant_last_contact", "contacts", ["tenant_id", "crm_last_contact_at", "id"]
    )
    op.execute(SQLITE_LAST_CONTACT.format(name="insert", event="INSERT"))
    op.execute(
        SQLITE_LAST_CONTACT.format(name="update", event="UPDATE OF last_message_at, contact_id")
    )


def _field_values() -> None:
    op.create_table(
        "crm_contact_field_values",
        sa.Column(
            "contact_id",
            sa.Integer(),
            sa.ForeignKey("contacts.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("field_key", sa.String(64), primary_key=True),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
    )
    op.execute(
        "INSERT INTO crm_contact_field_values (contact_id, tenant_id, field_key, value) "
        + FIELD_ROWS.format(source="contacts c")
        + " ON CONFLICT DO NOTHING"
    )
    op.create_index(
        "ix_crm_contact_field_values_lookup",
        "crm_contact_field_values",
        ["tenant_id", "field_key", "value", "contact_id"],
    )
    op.execute(FIELD_TRIGGER_FUNCTION)
    op.execute(
        "CREATE TRIGGER crm_field_values AFTER INSERT OR UPDATE OF custom_fields, tenant_id "
        "ON contacts FOR EACH ROW EXECUTE FUNCTION crm_sync_field_values()"
    )
    op.execute("DROP INDEX IF EXISTS ix_contacts_custom_fields")


def _trigram_extension() -> None:
    """pg_trgm, where it is missing but may be made (a trusted extension)."""
    bind = op.get_bind()
    if bind.exec_driver_sql("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'").first():
        return
    if bind.exec_driver_sql(
        "SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm'"
    ).first():
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")


def downgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    if postgres:
        op.execute("ALTER TABLE contacts ALTER COLUMN crm_search SET STATISTICS -1")
        op.execute("DROP TRIGGER IF EXISTS crm_field_values ON contacts")
        op.execute("DROP FUNCTION IF EXISTS crm_sync_field_values()")
        op.drop_table("crm_contact_field_values")
        op.execute(
            "CREATE INDEX IF NOT EXISTS ix_contacts_custom_fields ON contacts "
            "USING gin ((custom_fields::jsonb) jsonb_path_ops)"
        )
        op.execute("DROP TRIGGER IF EXISTS crm_last_contact ON conversations")
        op.execute("DROP FUNCTION IF EXISTS crm_touch_last_contact()")
    else:
        op.execute("DROP TRIGGER IF EXISTS crm_last_contact_insert")
        op.execute("DROP TRIGGER IF EXISTS crm_last_contact_update")
    op.drop_index("ix_contacts_tenant_last_contact", table_name="contacts")
    # Not batch: a copied SQLite table would lose the expression index of the name sort.
    op.execute("ALTER TABLE contacts DROP COLUMN crm_last_contact_at")
    with op.batch_alter_table("campaigns") as batch:
        batch.drop_column("segment_id")
