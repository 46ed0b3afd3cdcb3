"""search ignores accents and case, and covers attachment file names; agent signatures

Revision ID: 0007_inbox_view
Revises: 0006
Create Date: 2026-12-01 22:00:00

``wa_fold`` (lower case, no accents) and ``wa_message_document`` (body, caption and file name,
folded) are SQL functions declared immutable, so they can sit in an index. They fold with the
``unaccent`` extension (a trusted contrib module) where the server has it, and otherwise with
``translate`` over the letters of whatsapp_saas.text_fold (about five times slower per row,
which the "walk the list" search plan feels). Keep the index expressions identical to
whatsapp_saas.inbox.search.SEARCH_VECTOR and whatsapp_saas.contacts.search.
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0007_inbox_view"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Fallback fold where unaccent is missing (capitals too: a C-locale lower() is ASCII-only).
ACCENTED = "áàâãäåéèêëíìîïóòôõöúùûüçñýÿÁÀÂÃÄÅÉÈÊËÍÌÎÏÓÒÔÕÖÚÙÛÜÇÑÝ"
PLAIN = "aaaaaaeeeeiiiiooooouuuucnyyaaaaaaeeeeiiiiooooouuuucny"
TRANSLATE_FOLD = f"translate(lower({{}}), '{ACCENTED}', '{PLAIN}')"
# 'Nota_Fiscal-Março.pdf' -> 'Nota Fiscal Março pdf': each part becomes a word.
DOCUMENT = (
    "coalesce(body, '') || ' ' || coalesce(caption, '') || ' ' || "
    "translate(coalesce(filename, ''), '._-', '   ')"
)
OLD_INDEX = (
    "CREATE INDEX ix_messages_search ON messages USING gin "
    "(to_tsvector('simple', coalesce(body, '') || ' ' || coalesce(caption, '')))"
)
CONTACT_DOCUMENT = "coalesce(name, '') || ' ' || coalesce(push_name, '') || ' ' || coalesce(phone, '')"
OLD_CONTACT_INDEX = (
    f"CREATE INDEX ix_contacts_search ON contacts USING gin (({CONTACT_DOCUMENT}) gin_trgm_ops)"
)
# Keep identical to whatsapp_saas.contacts.search.contact_matches.
NEW_CONTACT_INDEX = (
    "CREATE INDEX ix_contacts_search ON contacts USING gin "
    f"(wa_fold({CONTACT_DOCUMENT}) gin_trgm_ops)"
)
NEW_INDEX = (
    "CREATE INDEX ix_messages_search ON messages USING gin "
    "(to_tsvector('simple', wa_message_document(body, caption, media_filename)))"
)


def upgrade() -> None:
    with op.batch_alter_table("users") as batch_op:
        batch_op.add_column(sa.Column("signature", sa.String(length=60), nullable=True))
    if op.get_bind().dialect.name != "postgresql":
        return  # SQLite: the app registers the same functions on each connection
    fold = _fold_template()
    op.execute(
        "CREATE OR REPLACE FUNCTION wa_fold(text) RETURNS text "
        "LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE "
        f"AS $$ SELECT {fold.format('$1')} $$"
    )
    # Self-contained (no call to wa_fold): an index expression runs with a restricted
    # search_path during maintenance, so every name in it is schema-qualified or built in.
    op.execute(
        "CREATE OR REPLACE FUNCTION wa_message_document(body text, caption text, filename text) "
        "RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE "
        f"AS $$ SELECT {fold.format(DOCUMENT)} $$"
    )
    op.execute("DROP INDEX IF EXISTS ix_messages_search")
    op.execute(NEW_INDEX)
    if _has_trigrams():
        op.execute("DROP INDEX IF EXISTS ix_contacts_search")
        op.execute(NEW_CONTACT_INDEX)


def _fold_template() -> str:
    """The SQL that folds ``{}``: unaccent where the server ships it, else translate."""
    bind = op.get_bind()
    available = bind.exec_driver_sql(
        "SELECT 1 FROM pg_available_extensions WHERE name = 'unaccent'"
    ).first()
    if not available:
        return TRANSLATE_FOLD
    op.execute("CREATE EXTENSION IF NOT EXISTS unaccent")
    schema = bind.exec_driver_sql(
        "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace "
        "WHERE e.extname = 'unaccent'"
    ).scalar_one()
    return f"{schema}.unaccent('{schema}.unaccent'::regdictionary, lower({{}}))"


def _has_trigrams() -> bool:
    """Migration 0003 made the contact index only where pg_trgm could be installed."""
    found = op.get_bind().exec_driver_sql("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")
    return found.first() is not None


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_messages_search")
        op.execute(OLD_INDEX)
        if _has_trigrams():
            op.execute("DROP INDEX IF EXISTS ix_contacts_search")
            op.execute(OLD_CONTACT_INDEX)
        op.execute("DROP FUNCTION IF EXISTS wa_message_document(text, text, text)")
        op.execute("DROP FUNCTION IF EXISTS wa_fold(text)")
    with op.batch_alter_table("users") as batch_op:
        batch_op.drop_column("signature")
