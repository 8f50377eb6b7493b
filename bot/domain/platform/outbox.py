"""The durable outbox every proactive message goes through.

A message is written once per (dedupe_key); a sender claims due messages with a lease, delivers
them under the tenant-wide rate limit and records the verdict. A message whose lease expired
(the sender died mid-flight) is claimed again: the only case in which a message can be sent twice.

`attempts` counts claims: each claim is one attempt, counted before anything is sent, so a
message that kills its sender every time still runs out of attempts and is set aside (DEAD)
instead of being claimed forever. A claim given back unused (OutboxRepository.release) returns
its attempt.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from types import MappingProxyType
from typing import Any

# Where a sent activity carries its dedupe key (channelData.werkplekDedupeKey): Teams ignores the
# extra field; the connector emulator counts a key it sees twice as a duplicate delivery.
DEDUPE_KEY_FIELD = "werkplekDedupeKey"


class OutboxStatus(StrEnum):
    PENDING = "pending"  # waiting for its turn (or for not_before after a retryable failure)
    IN_FLIGHT = "in_flight"  # claimed by a sender until lease_until
    SENT = "sent"
    UNREACHABLE = "unreachable"  # 403: the user blocked or uninstalled the app
    GONE = "gone"  # 404: the conversation no longer exists
    FAILED = "failed"  # permanent error: Teams refused the request itself
    # Set aside for a person to look at (a dead letter): it kept failing, kept crashing or
    # stopping its sender before a verdict, or its connector host is not allowed.
    DEAD = "dead"


class DeadReason(StrEnum):
    """Why a message was set aside (DEAD)."""

    KEPT_FAILING = "kept_failing"  # every attempt failed (throttled, busy, timed out)
    NO_VERDICT = "no_verdict"  # its attempts ran out without a verdict: it crashed its sender
    HOST_REFUSED = "host_refused"  # its connector host is not allowed


FINAL_STATUSES = frozenset(
    {
        OutboxStatus.SENT,
        OutboxStatus.UNREACHABLE,
        OutboxStatus.GONE,
        OutboxStatus.FAILED,
        OutboxStatus.DEAD,
    }
)


@dataclass(frozen=True, slots=True)
class NewOutboxMessage:
    """What a service asks to be delivered.

    `replaces` names (by dedupe_key) an earlier message whose card this one updates in place:
    the sender edits that Teams message rather than posting a new one (when the original has not
    gone out yet, the edit waits for it). With DELETE_ACTIVITY as its activity (`deletion_of`),
    it deletes that Teams message instead (a recall).

    The target is a person (recipient_id, their Entra object id: the sender finds or creates the
    1:1 chat) or, when conversation_id is set, that conversation (a team channel, a group chat).
    `thread_of` names (by dedupe_key) a message posted in a team channel: this one is sent as a
    reply in that message's thread (waiting for it, like an edit; in the channel itself when the
    original never went out, so nothing is lost).

    `activity` holds the Bot Framework activity fields to send (type, text, attachments, ...).
    """

    tenant_id: str
    dedupe_key: str
    activity: dict[str, Any]
    recipient_id: str = ""
    conversation_id: str = ""
    service_url: str = ""
    not_before: datetime | None = None
    replaces: str = ""
    thread_of: str = ""


@dataclass(frozen=True, slots=True)
class OutboxMessage:
    id: int
    tenant_id: str
    dedupe_key: str
    activity: dict[str, Any]
    status: OutboxStatus
    attempts: int
    created_at: datetime
    recipient_id: str = ""
    conversation_id: str = ""
    service_url: str = ""
    not_before: datetime | None = None
    lease_until: datetime | None = None
    sent_at: datetime | None = None
    last_error: str = ""
    replaces: str = ""
    activity_id: str = ""  # the Teams message id once sent (what a replacing message edits)
    thread_of: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


# The activity of a message that deletes the Teams message it `replaces` (a recall) instead of
# editing it. Read-only: a message gets its own copy (deletion_of).
#
# Delivered as DELETE {serviceUrl}v3/conversations/{conversation}/activities/{its Teams id}, in
# the conversation the original went to, under the same permits as any request; while the
# original is pending or in flight the deletion waits for it, like an edit. Its outcomes:
# - SENT: the message is deleted (activity_id: its Teams id);
# - SENT with last_error NOTHING_TO_DELETE (and no activity_id): the original never went out
#   (unreachable, gone, failed, set aside, or unknown): there is nothing to delete, which is
#   done, not a failure, and is not retried;
# - GONE: Teams no longer has the message or its conversation (404), or the original was sent
#   without a recorded message id or chat, so it cannot be found;
# - retried or failed like any send otherwise (429, 5xx, 403...).
DELETE_ACTIVITY: Mapping[str, str] = MappingProxyType({"type": "delete"})
NOTHING_TO_DELETE = "nothing to delete"


def is_deletion(activity: Mapping[str, Any]) -> bool:
    """Whether an outbox activity asks to delete the message it replaces (exactly
    DELETE_ACTIVITY: an activity with anything more is a message, not a deletion)."""
    return dict(activity) == dict(DELETE_ACTIVITY)


def deletion_of(
    replaces: str,
    *,
    tenant_id: str,
    dedupe_key: str,
    recipient_id: str = "",
    conversation_id: str = "",
    service_url: str = "",
    not_before: datetime | None = None,
) -> NewOutboxMessage:
    """The outbox message that deletes the Teams message of the message `replaces` names (by
    its dedupe key). The target fields say whose message it is, as for an edit; the sender
    deletes it where the original went."""
    return NewOutboxMessage(
        tenant_id=tenant_id,
        dedupe_key=dedupe_key,
        activity=dict(DELETE_ACTIVITY),
        recipient_id=recipient_id,
        conversation_id=conversation_id,
        service_url=service_url,
        not_before=not_before,
        replaces=replaces,
    )
