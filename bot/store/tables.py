"""The schema as SQLAlchemy Core tables. Migrations create it; repositories query it.

Keep this in step with bot/store/migrations/versions: a test compares the two.
"""

from __future__ import annotations

import sqlalchemy as sa

from bot.domain.licences.requests import RequestState
from bot.domain.platform.outbox import OutboxStatus
from bot.domain.post.items import PostState
from bot.store.columns import BigId, JsonDocument, UtcDateTime

metadata = sa.MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

# The statuses a sender still has to look at. The literal text is shared by the partial index and
# the claim query: both SQLite and PostgreSQL only use a partial index when the query repeats its
# predicate with literal constants (a bound parameter does not count).
OUTBOX_ACTIVE_PREDICATE = "status IN ('pending', 'in_flight')"
OUTBOX_STATUS_CHECK = "status IN ({})".format(
    ", ".join(f"'{status.value}'" for status in OutboxStatus)
)

users = sa.Table(
    "users",
    metadata,
    sa.Column("user_id", sa.String(64), primary_key=True),  # Entra object id
    sa.Column("tenant_id", sa.String(64), nullable=False),
    sa.Column("user_principal_name", sa.String(320), nullable=False, server_default=""),
    sa.Column("display_name", sa.String(256), nullable=False, server_default=""),
    sa.Column("locale", sa.String(16), nullable=False, server_default="nl"),
    sa.Column("entity", sa.String(128), nullable=False, server_default=""),
    sa.Column("first_seen", UtcDateTime(), nullable=False),
    sa.Column("last_seen", UtcDateTime(), nullable=False),
    # announcements go to "everyone in entity X"
    sa.Index("ix_users_tenant_id_entity", "tenant_id", "entity"),
)

conversation_refs = sa.Table(
    "conversation_refs",
    metadata,
    sa.Column("tenant_id", sa.String(64), primary_key=True),
    sa.Column("user_id", sa.String(64), primary_key=True),
    sa.Column("service_url", sa.Text(), nullable=False),
    sa.Column("conversation_id", sa.String(512), nullable=False),
    sa.Column("bot_id", sa.String(128), nullable=False),
    sa.Column("channel_id", sa.String(32), nullable=False, server_default="msteams"),
    sa.Column("locale", sa.String(16), nullable=False, server_default="nl"),
    sa.Column("updated_at", UtcDateTime(), nullable=False),
)

processed_activities = sa.Table(
    "processed_activities",
    metadata,
    sa.Column("key", sa.String(512), primary_key=True),
    sa.Column("seen_at", UtcDateTime(), nullable=False),
    sa.Index("ix_processed_activities_seen_at", "seen_at"),  # purge by age
)

audit_log = sa.Table(
    "audit_log",
    metadata,
    sa.Column("id", BigId, sa.Identity(), primary_key=True),
    sa.Column("at", UtcDateTime(), nullable=False),
    sa.Column("actor_id", sa.String(64), nullable=False),
    sa.Column("role", sa.String(32), nullable=False, server_default=""),
    sa.Column("tenant_id", sa.String(64), nullable=False, server_default=""),
    sa.Column("action", sa.String(64), nullable=False),
    sa.Column("object_type", sa.String(64), nullable=False, server_default=""),
    sa.Column("object_id", sa.String(128), nullable=False, server_default=""),
    sa.Column("outcome", sa.String(16), nullable=False),
    sa.Column("correlation_id", sa.String(128), nullable=False, server_default=""),
    sa.Column("detail", JsonDocument, nullable=False),
    sa.Index("ix_audit_log_at", "at"),
    sa.Index("ix_audit_log_action_at", "action", "at"),
    sa.Index("ix_audit_log_object_type_object_id", "object_type", "object_id"),
    sqlite_autoincrement=True,  # never reuse an id, even of a deleted newest row
)

outbox = sa.Table(
    "outbox",
    metadata,
    sa.Column("id", BigId, sa.Identity(), primary_key=True),
    sa.Column("tenant_id", sa.String(64), nullable=False),
    sa.Column("dedupe_key", sa.String(255), nullable=False),
    sa.Column("recipient_id", sa.String(64), nullable=False, server_default=""),
    sa.Column("conversation_id", sa.String(512), nullable=False, server_default=""),
    sa.Column("service_url", sa.Text(), nullable=False, server_default=""),
    sa.Column("activity", JsonDocument, nullable=False),
    sa.Column("status", sa.String(16), nullable=False, server_default=OutboxStatus.PENDING.value),
    # claims so far, each counted before its send (see bot.domain.platform.outbox)
    sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"),
    sa.Column("not_before", UtcDateTime(), nullable=True),
    sa.Column("lease_until", UtcDateTime(), nullable=True),
    sa.Column("created_at", UtcDateTime(), nullable=False),
    sa.Column("sent_at", UtcDateTime(), nullable=True),
    sa.Column("last_error", sa.Text(), nullable=False, server_default=""),
    # dedupe_key of an earlier message this one edits in place (see NewOutboxMessage.replaces)
    sa.Column("replaces", sa.String(255), nullable=False, server_default=""),
    # the Teams message id once sent: what a replacing message edits
    sa.Column("activity_id", sa.String(255), nullable=False, server_default=""),
    sa.UniqueConstraint("dedupe_key", name="uq_outbox_dedupe_key"),
    sa.CheckConstraint(OUTBOX_STATUS_CHECK, name="status"),
    # Claims walk this in id order and see only unfinished rows, however many are already sent.
    # No other index on status: given one, both planners chose it and sorted every due row.
    sa.Index(
        "ix_outbox_due",
        "id",
        postgresql_where=sa.text(OUTBOX_ACTIVE_PREDICATE),
        sqlite_where=sa.text(OUTBOX_ACTIVE_PREDICATE),
    ),
    sqlite_autoincrement=True,
)

rate_budget = sa.Table(
    "rate_budget",
    metadata,
    sa.Column("tenant_id", sa.String(64), primary_key=True),
    sa.Column("tokens", sa.Float(), nullable=False),
    sa.Column("updated_at", UtcDateTime(), nullable=False),
)

# --- licences ---------------------------------------------------------------------------------
# The catalogue is replaced as a whole (bot.store.licences.catalogue); `position` keeps the
# workbook's order, which the domain relies on (the first matching entity, the first offer of a
# kind). Short lists that are only ever read with their row (questions, synonyms, stages) are JSON
# columns.

catalogue_items = sa.Table(
    "catalogue_items",
    metadata,
    sa.Column("key", sa.String(128), primary_key=True),
    sa.Column("position", sa.Integer(), nullable=False),
    sa.Column("kind", sa.String(32), nullable=False),
    sa.Column("name_nl", sa.Text(), nullable=False),
    sa.Column("name_en", sa.Text(), nullable=False, server_default=""),
    sa.Column("fulfilment", sa.String(16), nullable=False),
    sa.Column("group_id", sa.String(64), nullable=False, server_default=""),
    sa.Column("sku_id", sa.String(64), nullable=False, server_default=""),
    sa.Column("workspace", sa.Text(), nullable=False, server_default=""),
    sa.Column("workspace_role", sa.String(32), nullable=True),
    sa.Column("description_nl", sa.Text(), nullable=False, server_default=""),
    sa.Column("description_en", sa.Text(), nullable=False, server_default=""),
    sa.Column("synonyms", JsonDocument, nullable=False),  # ["power bi", ...]
    sa.Column("questions", JsonDocument, nullable=False),  # [{key, label_nl, label_en, required}]
    sa.Column("min_justification", sa.Integer(), nullable=False),
)

catalogue_entities = sa.Table(
    "catalogue_entities",
    metadata,
    sa.Column("code", sa.String(128), primary_key=True),
    sa.Column("position", sa.Integer(), nullable=False),
    sa.Column("name_nl", sa.Text(), nullable=False),
    sa.Column("name_en", sa.Text(), nullable=False, server_default=""),
    sa.Column("staff_group_id", sa.String(64), nullable=False),
    sa.Column("admin_group_id", sa.String(64), nullable=False, server_default=""),
)

catalogue_policies = sa.Table(
    "catalogue_policies",
    metadata,
    sa.Column("key", sa.String(128), primary_key=True),
    sa.Column("position", sa.Integer(), nullable=False),
    sa.Column("stages", JsonDocument, nullable=False),  # [{approver, named: [object ids]}]
    sa.Column("decision_days", sa.Integer(), nullable=False),
    sa.Column("fallback", JsonDocument, nullable=False),  # [object ids]
)

catalogue_offers = sa.Table(
    "catalogue_offers",
    metadata,
    sa.Column("position", sa.Integer(), primary_key=True, autoincrement=False),
    sa.Column("item_key", sa.String(128), nullable=False),
    sa.Column("entity", sa.String(128), nullable=False),  # an entity code or "*"
    sa.Column("policy_key", sa.String(128), nullable=False),
    sa.Column("max_days", sa.Integer(), nullable=True),
)

# The last number handed out per (prefix, year): references count without gaps, because the
# counter moves in the transaction that stores the request (a rollback gives the number back).
reference_counters = sa.Table(
    "reference_counters",
    metadata,
    sa.Column("prefix", sa.String(16), primary_key=True),
    sa.Column("year", sa.Integer(), primary_key=True, autoincrement=False),
    sa.Column("last", sa.Integer(), nullable=False),
)

# Requests the worker may have to look at; repeated literally by the claim query (see above).
LICENCE_AWAKE_PREDICATE = "wake_at IS NOT NULL"
REQUEST_STATE_CHECK = "state IN ({})".format(
    ", ".join(f"'{state.value}'" for state in RequestState)
)

licence_requests = sa.Table(
    "licence_requests",
    metadata,
    sa.Column("id", BigId, sa.Identity(), primary_key=True),
    sa.Column("reference", sa.String(32), nullable=False),  # LIC-2026-000123
    sa.Column("tenant_id", sa.String(64), nullable=False),
    sa.Column("requester_id", sa.String(64), nullable=False),
    sa.Column("requester_name", sa.Text(), nullable=False, server_default=""),
    sa.Column("entity", sa.String(128), nullable=False),
    sa.Column("item_key", sa.String(128), nullable=False),
    sa.Column("justification", sa.Text(), nullable=False),
    sa.Column("answers", JsonDocument, nullable=False),  # {question key: answer}
    sa.Column("end_date", sa.Date(), nullable=True),
    sa.Column("previous_reference", sa.Text(), nullable=False, server_default=""),
    sa.Column("stages", JsonDocument, nullable=False),  # the policy at submission
    sa.Column("state", sa.String(32), nullable=False),
    sa.Column("stage", sa.Integer(), nullable=False, server_default="0"),
    sa.Column("approvers", JsonDocument, nullable=False),  # [object ids] of the current stage
    sa.Column("invited", JsonDocument, nullable=False),  # [object ids] ever asked to decide
    sa.Column("deadline", UtcDateTime(), nullable=True),
    sa.Column("remind_at", UtcDateTime(), nullable=True),
    sa.Column("reminded", sa.Boolean(), nullable=False, server_default=sa.false()),
    sa.Column("decisions", JsonDocument, nullable=False),
    sa.Column("reason", sa.Text(), nullable=False, server_default=""),  # a message id
    sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"),
    sa.Column("next_attempt_at", UtcDateTime(), nullable=True),
    sa.Column("fulfilled_at", UtcDateTime(), nullable=True),
    sa.Column("ends_at", UtcDateTime(), nullable=True),
    sa.Column("end_warned", sa.Boolean(), nullable=False, server_default=sa.false()),
    sa.Column("ended_at", UtcDateTime(), nullable=True),
    sa.Column("created_at", UtcDateTime(), nullable=False),
    sa.Column("updated_at", UtcDateTime(), nullable=False),
    sa.Column("version", sa.Integer(), nullable=False),
    # LicenceRequest.wake_at(), stored on every write: when the worker must look next (NULL:
    # only a person moves it). lease_until: a worker holds the request until then.
    sa.Column("wake_at", UtcDateTime(), nullable=True),
    sa.Column("lease_until", UtcDateTime(), nullable=True),
    # Worker claims since a worker last finished a step on it: counted at the claim, so a step
    # that crashes the worker each time is still counted and, past the cap, given up.
    sa.Column("claims", sa.Integer(), nullable=False, server_default="0"),
    sa.UniqueConstraint("reference", name="uq_licence_requests_reference"),
    sa.CheckConstraint(REQUEST_STATE_CHECK, name="state"),
    # "my requests", newest first
    sa.Index("ix_licence_requests_requester", "tenant_id", "requester_id", "created_at"),
    # "is there an open request for this item already?"
    sa.Index("ix_licence_requests_open_for", "tenant_id", "requester_id", "item_key"),
    # the worker's due claims; most requests end up asleep (NULL) and stay out of the index
    sa.Index(
        "ix_licence_requests_wake_at",
        "wake_at",
        "id",
        postgresql_where=sa.text(LICENCE_AWAKE_PREDICATE),
        sqlite_where=sa.text(LICENCE_AWAKE_PREDICATE),
    ),
    sa.Index("ix_licence_requests_created_at", "created_at"),  # reports by period
    sqlite_autoincrement=True,
)

# --- incoming post ----------------------------------------------------------------------------
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

# Single-use download links: the primary key is what makes a second click, on any replica, lose.
link_uses = sa.Table(
    "link_uses",
    metadata,
    sa.Column("nonce", sa.String(64), primary_key=True),
    sa.Column("used_at", UtcDateTime(), nullable=False),
    sa.Column("expires_at", UtcDateTime(), nullable=False),  # the link's own expiry
    sa.Index("ix_link_uses_expires_at", "expires_at"),  # purge once the expiry refuses it anyway
)
