"""The platform's tables: people met, their chats, handled activities, the audit log, the outbox,
the send budget, reference counters and used links."""

from __future__ import annotations

import sqlalchemy as sa

from bot.domain.platform.outbox import OutboxStatus
from bot.store.columns import BigId, JsonDocument, UtcDateTime
from bot.store.metadata import metadata

# The statuses a sender still has to look at. The literal text is shared by the partial index and
# the claim query: both SQLite and PostgreSQL only use a partial index when the query repeats its
# predicate with literal constants (a bound parameter does not count).
OUTBOX_ACTIVE_PREDICATE = "status IN ('pending', 'in_flight')"
OUTBOX_SENT_WITH_ID_PREDICATE = "activity_id <> ''"
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
    # attempts that ended in a retryable failure (429, 412, 5xx, a timeout): a claim lost to a
    # dead sender is an attempt but no retry, so "sent after throttling" is read from this
    sa.Column("retries", sa.Integer(), nullable=False, server_default="0"),
    sa.Column("not_before", UtcDateTime(), nullable=True),
    sa.Column("lease_until", UtcDateTime(), nullable=True),
    sa.Column("created_at", UtcDateTime(), nullable=False),
    sa.Column("sent_at", UtcDateTime(), nullable=True),
    sa.Column("last_error", sa.Text(), nullable=False, server_default=""),
    # dedupe_key of an earlier message this one edits in place (see NewOutboxMessage.replaces)
    sa.Column("replaces", sa.String(255), nullable=False, server_default=""),
    # the Teams message id once sent: what a replacing message edits
    sa.Column("activity_id", sa.String(255), nullable=False, server_default=""),
    # dedupe_key of the message whose thread this one answers in (NewOutboxMessage.thread_of)
    sa.Column("thread_of", sa.String(255), nullable=False, server_default=""),
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
    # A message written in a thread names its root by Teams id: which message was that (0011)?
    sa.Index(
        "ix_outbox_activity",
        "conversation_id",
        "activity_id",
        postgresql_where=sa.text(OUTBOX_SENT_WITH_ID_PREDICATE),
        sqlite_where=sa.text(OUTBOX_SENT_WITH_ID_PREDICATE),
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

# The last number handed out per (prefix, year): references count without gaps, because the
# counter moves in the transaction that stores the request (a rollback gives the number back).
reference_counters = sa.Table(
    "reference_counters",
    metadata,
    sa.Column("prefix", sa.String(16), primary_key=True),
    sa.Column("year", sa.Integer(), primary_key=True, autoincrement=False),
    sa.Column("last", sa.Integer(), nullable=False),
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
