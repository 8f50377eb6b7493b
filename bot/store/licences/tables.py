"""The licence capability's tables: the catalogue (replaced as a whole) and the requests."""

from __future__ import annotations

import sqlalchemy as sa

from bot.domain.licences.requests import RequestState
from bot.store.columns import BigId, JsonDocument, UtcDateTime
from bot.store.metadata import metadata

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
