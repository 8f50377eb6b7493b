"""The announcements' tables: one row per announcement, its batch operations, and its recipient
snapshot.

A recipient's delivery is an outbox row whose dedupe key is
`recipient_dedupe_key(announcement_id, user_id)` (bot.domain.announcements.recipients): the
store joins the two on that key to count outcomes, so no delivery status is kept twice. User ids
are stored lower-cased (Entra object ids are case-insensitive GUIDs, and the dedupe key is
lower-cased too), so the join is a plain equality. A recipient sent by a batch operation (the
BATCH mode) has no outbox row unless the operation failed for them: their batch says the rest.
"""

from __future__ import annotations

import sqlalchemy as sa

from bot.domain.announcements.announcements import AnnouncementState
from bot.domain.announcements.batches import BatchPhase, DeliveryMode
from bot.store.columns import BigId, JsonDocument, UtcDateTime
from bot.store.metadata import metadata

ANNOUNCEMENT_STATE_CHECK = "state IN ({})".format(
    ", ".join(f"'{state.value}'" for state in sorted(AnnouncementState))
)
# What the sender works on (SCHEDULED until send_at, then SENDING): a small partial index,
# repeated literally by the query (bot/store/announcements/announcements.py) so the planners
# use it; every finished announcement stays out of it.
ANNOUNCEMENT_ACTIVE_PREDICATE = "state IN ('scheduled', 'sending')"
# Only API-created announcements carry a client key, and it is unique per source.
ANNOUNCEMENT_CLIENT_KEY_PREDICATE = "client_key <> ''"
BATCH_PHASE_CHECK = "phase IN ({})".format(
    ", ".join(f"'{phase.value}'" for phase in sorted(BatchPhase))
)
# Recipients still to queue; the index shrinks as the send goes on, so taking the next
# thousand never walks past the ones already queued.
RECIPIENT_UNQUEUED_PREDICATE = "NOT queued"
# Only recipients sent by a batch operation: an announcement sent one by one adds nothing to it.
RECIPIENT_IN_BATCH_PREDICATE = "batch_id IS NOT NULL"

announcements = sa.Table(
    "announcements",
    metadata,
    sa.Column("id", BigId, sa.Identity(), primary_key=True),
    sa.Column("reference", sa.String(32), nullable=False),  # ANN-2026-000042
    sa.Column("tenant_id", sa.String(64), nullable=False),
    sa.Column("author_id", sa.String(64), nullable=False),
    sa.Column("author_name", sa.String(256), nullable=False, server_default=""),
    sa.Column("author_entity", sa.String(128), nullable=False, server_default=""),
    sa.Column("state", sa.String(24), nullable=False),
    sa.Column("version", sa.Integer(), nullable=False),
    sa.Column("importance", sa.String(16), nullable=False),
    sa.Column("dutch", JsonDocument, nullable=False),  # Content's fields
    sa.Column("english", JsonDocument, nullable=True),  # Content's fields, or null
    sa.Column("audience", JsonDocument, nullable=True),  # Audience's fields, or null
    sa.Column("created_at", UtcDateTime(), nullable=False),
    sa.Column("updated_at", UtcDateTime(), nullable=False),
    sa.Column("send_at", UtcDateTime(), nullable=True),
    sa.Column("approval_required", sa.Boolean(), nullable=False, server_default=sa.false()),
    sa.Column("decided_by", sa.String(64), nullable=False, server_default=""),
    sa.Column("decided_by_name", sa.String(256), nullable=False, server_default=""),
    sa.Column("decision_note", sa.Text(), nullable=False, server_default=""),
    sa.Column("started_at", UtcDateTime(), nullable=True),
    sa.Column("finished_at", UtcDateTime(), nullable=True),
    # The snapshot's size and completeness: written by the store (mark_resolved), never by a save.
    sa.Column("audience_size", sa.Integer(), nullable=False, server_default="0"),
    sa.Column("resolved", sa.Boolean(), nullable=False, server_default=sa.false()),
    sa.Column("edits", sa.Integer(), nullable=False, server_default="0"),
    sa.Column("source", sa.String(128), nullable=False, server_default=""),  # the API key's name
    sa.Column("client_key", sa.String(128), nullable=False, server_default=""),
    # DeliveryMode's value: how the author chose to send it.
    sa.Column(
        "delivery", sa.String(16), nullable=False, server_default=DeliveryMode.AUTOMATIC.value
    ),
    sa.UniqueConstraint("reference", name="uq_announcements_reference"),
    sa.CheckConstraint(ANNOUNCEMENT_STATE_CHECK, name="state"),
    # "my announcements", newest first
    sa.Index("ix_announcements_author", "author_id", "created_at"),
    sa.Index(
        "ix_announcements_active",
        "id",
        postgresql_where=sa.text(ANNOUNCEMENT_ACTIVE_PREDICATE),
        sqlite_where=sa.text(ANNOUNCEMENT_ACTIVE_PREDICATE),
    ),
    # An API client's retry with the same key finds (and never duplicates) its announcement.
    sa.Index(
        "uq_announcements_source_client_key",
        "source",
        "client_key",
        unique=True,
        postgresql_where=sa.text(ANNOUNCEMENT_CLIENT_KEY_PREDICATE),
        sqlite_where=sa.text(ANNOUNCEMENT_CLIENT_KEY_PREDICATE),
    ),
    sqlite_autoincrement=True,
)

# One row per batch operation (bot.domain.announcements.batches): at most BATCH_SIZE recipients
# of one language, all people or all channels. Deleted with its announcement.
announcement_batches = sa.Table(
    "announcement_batches",
    metadata,
    sa.Column("id", BigId, sa.Identity(), primary_key=True),
    sa.Column(
        "announcement_id",
        BigId,
        sa.ForeignKey(announcements.c.id, ondelete="CASCADE"),
        nullable=False,
    ),
    sa.Column("phase", sa.String(16), nullable=False),
    sa.Column("locale", sa.String(16), nullable=False, server_default=""),
    sa.Column("in_channel", sa.Boolean(), nullable=False, server_default=sa.false()),
    sa.Column("operation_id", sa.String(128), nullable=False, server_default=""),  # Teams'
    sa.Column("size", sa.Integer(), nullable=False),
    sa.Column("created_at", UtcDateTime(), nullable=False),
    sa.Column("next_check_at", UtcDateTime(), nullable=True),  # RUNNING: when to ask Teams
    sa.Column("settled_at", UtcDateTime(), nullable=True),
    sa.Column("failed", sa.Integer(), nullable=False, server_default="0"),  # members Teams missed
    sa.CheckConstraint(BATCH_PHASE_CHECK, name="phase"),
    # an announcement's claimed, running (due) or open batches
    sa.Index("ix_announcement_batches_announcement_id_phase", "announcement_id", "phase"),
    sqlite_autoincrement=True,
)

# The snapshot: one row per person (or team channel) an announcement goes to. Deleting a draft
# deletes its rows (ON DELETE CASCADE).
announcement_recipients = sa.Table(
    "announcement_recipients",
    metadata,
    sa.Column(
        "announcement_id",
        BigId,
        sa.ForeignKey(announcements.c.id, ondelete="CASCADE"),
        primary_key=True,
    ),
    # Lower-cased. A channel's conversation id for a team channel, hence the length; it stays
    # short enough for the dedupe key ("ann:<id>:<user id>") to fit the outbox's 255.
    sa.Column("user_id", sa.String(200), primary_key=True),
    sa.Column("entity", sa.String(128), nullable=False, server_default=""),
    sa.Column("locale", sa.String(16), nullable=False, server_default=""),
    sa.Column("conversation_id", sa.String(512), nullable=False, server_default=""),
    sa.Column("queued", sa.Boolean(), nullable=False, server_default=sa.false()),
    sa.Column("read_at", UtcDateTime(), nullable=True),
    sa.Column("acknowledged_at", UtcDateTime(), nullable=True),
    # The batch operation that took the recipient (BATCH mode), null when sent one by one. No ON
    # DELETE action: a batch goes only with its announcement, in the statement that deletes the
    # recipients too (checked at its end), and a batch deleted under its members is a bug.
    sa.Column("batch_id", BigId, sa.ForeignKey(announcement_batches.c.id), nullable=True),
    # Among the batch's failed entries: sent one by one (the outbox's verdict), or not reached.
    sa.Column("batch_failed", sa.Boolean(), nullable=False, server_default=sa.false()),
    # queue_next: the next unqueued ones of one announcement, by user id
    sa.Index(
        "ix_announcement_recipients_unqueued",
        "announcement_id",
        "user_id",
        postgresql_where=sa.text(RECIPIENT_UNQUEUED_PREDICATE),
        sqlite_where=sa.text(RECIPIENT_UNQUEUED_PREDICATE),
    ),
    # mark_read: a person's announcements, whichever they are
    sa.Index("ix_announcement_recipients_user_id", "user_id"),
    # a batch's members (its submit, its settling, the figures' join)
    sa.Index(
        "ix_announcement_recipients_batch_id",
        "batch_id",
        postgresql_where=sa.text(RECIPIENT_IN_BATCH_PREDICATE),
        sqlite_where=sa.text(RECIPIENT_IN_BATCH_PREDICATE),
    ),
)
