"""The incoming-post capability's tables: items, routing rules, delegations and checked rule
imports waiting for confirmation."""

from __future__ import annotations

import sqlalchemy as sa

from bot.domain.post.items import PostState
from bot.store.columns import BigId, JsonDocument, UtcDateTime
from bot.store.metadata import metadata

# One row per scanned item: the scanner's metadata as columns (the register and the desk filter
# on them), where the scan lives, and the item's routing state. `search_text` holds the folded
# sender name, organisation and subject (bot.domain.platform.text.fold), written with every save, so
# "search" is a plain LIKE on one column that behaves the same on SQLite and PostgreSQL; at the
# volumes of one administration's post (thousands a day) the scan over one destination's rows it
# costs is small, and no dialect-specific full-text index has to be kept in step.

POST_SCAN_KEPT_PREDICATE = "scan_deleted_at IS NULL"
POST_STATE_CHECK = "state IN ({})".format(", ".join(f"'{state.value}'" for state in PostState))

post_items = sa.Table(
    "post_items",
    metadata,
    sa.Column("id", BigId, sa.Identity(), primary_key=True),
    sa.Column("reference", sa.String(32), nullable=False),  # POST-2026-000123
    sa.Column("tenant_id", sa.String(64), nullable=False),
    # the intake token's name; "" for items stored before it was kept (see migration 0006)
    sa.Column("scanner", sa.String(64), nullable=False, server_default=""),
    sa.Column("external_id", sa.String(255), nullable=False),  # the scanner's own id
    sa.Column("received_at", UtcDateTime(), nullable=False),
    sa.Column("scanned_at", UtcDateTime(), nullable=False),
    sa.Column("sender_name", sa.Text(), nullable=False, server_default=""),
    sa.Column("sender_organisation", sa.Text(), nullable=False, server_default=""),
    sa.Column("addressee_text", sa.Text(), nullable=False, server_default=""),  # the envelope
    sa.Column("entity", sa.String(128), nullable=False, server_default=""),
    sa.Column("subject", sa.Text(), nullable=False, server_default=""),
    sa.Column("document_type", sa.String(32), nullable=False),
    sa.Column("registered", sa.Boolean(), nullable=False, server_default=sa.false()),
    sa.Column("tracking_number", sa.String(128), nullable=False, server_default=""),
    sa.Column("pages", sa.Integer(), nullable=False, server_default="0"),
    sa.Column("confidential", sa.Boolean(), nullable=False, server_default=sa.false()),
    sa.Column("ocr_text", sa.Text(), nullable=False, server_default=""),
    sa.Column("search_text", sa.Text(), nullable=False, server_default=""),
    sa.Column("document_key", sa.String(1024), nullable=False),
    sa.Column("document_sha256", sa.String(64), nullable=False),
    sa.Column("document_size", sa.BigInteger(), nullable=False),
    sa.Column("document_content_type", sa.String(128), nullable=False),
    sa.Column("state", sa.String(16), nullable=False),
    sa.Column("destination_kind", sa.String(16), nullable=False),
    sa.Column("destination_target", sa.String(512), nullable=False, server_default=""),
    sa.Column("addressee_id", sa.String(64), nullable=False, server_default=""),
    sa.Column("rule_id", sa.String(64), nullable=False, server_default=""),
    sa.Column("delegated_from", sa.String(64), nullable=False, server_default=""),
    sa.Column("triage_reason", sa.Text(), nullable=False, server_default=""),
    sa.Column("forwarded_by", sa.String(64), nullable=False, server_default=""),
    sa.Column("note", sa.Text(), nullable=False, server_default=""),
    sa.Column("acknowledged_by", sa.String(64), nullable=False, server_default=""),
    sa.Column("acknowledged_at", UtcDateTime(), nullable=True),
    sa.Column("handled_by", sa.String(64), nullable=False, server_default=""),
    sa.Column("handled_at", UtcDateTime(), nullable=True),
    sa.Column("original_requested_by", sa.String(64), nullable=False, server_default=""),
    sa.Column("original_requested_at", UtcDateTime(), nullable=True),
    sa.Column("reminders_sent", sa.Integer(), nullable=False, server_default="0"),
    sa.Column("card_version", sa.Integer(), nullable=False, server_default="0"),
    sa.Column("last_reminded_at", UtcDateTime(), nullable=True),
    sa.Column("scan_deleted_at", UtcDateTime(), nullable=True),
    sa.Column("created_at", UtcDateTime(), nullable=False),
    sa.Column("updated_at", UtcDateTime(), nullable=False),
    sa.Column("version", sa.Integer(), nullable=False),
    sa.UniqueConstraint("reference", name="uq_post_items_reference"),
    # the same scan sent again by its scanner is the same item: the database, not a
    # read-then-write, decides; two scanners may number their scans alike
    sa.UniqueConstraint("scanner", "external_id", name="uq_post_items_scanner_external_id"),
    sa.CheckConstraint(POST_STATE_CHECK, name="state"),
    # "my post", a team's or an entity's queue, the triage queue: newest received first
    sa.Index(
        "ix_post_items_destination",
        "destination_kind",
        "destination_target",
        "state",
        "received_at",
    ),
    sa.Index("ix_post_items_state_updated_at", "state", "updated_at"),  # reminders
    # retention: handled items whose scan still exists (purged rows leave the index)
    sa.Index(
        "ix_post_items_purge",
        "state",
        "handled_at",
        postgresql_where=sa.text(POST_SCAN_KEPT_PREDICATE),
        sqlite_where=sa.text(POST_SCAN_KEPT_PREDICATE),
    ),
    sa.Index("ix_post_items_received_at", "received_at"),  # the register by period
    sqlite_autoincrement=True,
)

# Replaced as a whole (an Excel import); `position` is the evaluation order.
post_rules = sa.Table(
    "post_rules",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),  # "R-012"
    sa.Column("position", sa.Integer(), nullable=False),
    sa.Column("entity", sa.String(128), nullable=False),  # an entity code or "*"
    sa.Column("conditions", JsonDocument, nullable=False),  # RuleConditions as a document
    sa.Column("destination_kind", sa.String(16), nullable=False),
    sa.Column("destination_target", sa.String(512), nullable=False, server_default=""),
    sa.Column("description", sa.Text(), nullable=False, server_default=""),
    sa.Column("active", sa.Boolean(), nullable=False, server_default=sa.true()),
)

post_delegations = sa.Table(
    "post_delegations",
    metadata,
    sa.Column("id", BigId, sa.Identity(), primary_key=True),
    sa.Column("user_id", sa.String(64), nullable=False),  # stored casefolded
    sa.Column("delegate_id", sa.String(64), nullable=False),
    sa.Column("starts", sa.Date(), nullable=False),
    sa.Column("ends", sa.Date(), nullable=False),  # inclusive
    sa.Column("created_by", sa.String(64), nullable=False),
    sa.Column("created_at", UtcDateTime(), nullable=False),
    # "whose post goes elsewhere today?" and "my delegations"
    sa.Index("ix_post_delegations_user_id_ends", "user_id", "ends"),
    sqlite_autoincrement=True,
)

# Routing rules checked in chat, waiting minutes for their uploader's confirmation: one per
# person (the unique key); taking one deletes it, so a second confirmation, on any replica, finds
# nothing. Rules are documents as bot/store/post/pending_imports.py writes them.
post_rule_imports = sa.Table(
    "post_rule_imports",
    metadata,
    sa.Column("id", sa.String(32), primary_key=True),
    sa.Column("tenant_id", sa.String(64), nullable=False),
    sa.Column("uploaded_by", sa.String(64), nullable=False),  # stored casefolded
    sa.Column("rules", JsonDocument, nullable=False),  # the checked rules
    sa.Column("against", JsonDocument, nullable=False),  # the rules as they were then
    sa.Column("scope", JsonDocument, nullable=True),  # entity codes; null: every rule
    sa.Column("created_at", UtcDateTime(), nullable=False),
    sa.Column("expires_at", UtcDateTime(), nullable=False),
    sa.UniqueConstraint("tenant_id", "uploaded_by"),
    sa.Index("ix_post_rule_imports_expires_at", "expires_at"),  # forgetting the expired ones
)
