"""Proactive sends to the Teams connector: the outbox sender's Delivery adapter.

Uses the Agents SDK's own ConnectorClient, one per service URL, with the bot's token
(bot.teams.connector_clients). In anonymous local mode (no token provider) requests go out
without a token.

Only allowed connector hosts (bot.domain.platform.connector_hosts) are ever contacted: the
bot's token travels with every request. A message whose target (its own service URL, the person's
stored reference, the original a replacement edits) is on any other host is REFUSED, never sent: the
sender sets it aside. A connector's answer naming another host for a new chat is not believed.

Every activity sent carries the outbox dedupe key in `channelData.werkplekDedupeKey` (and the
tenant in `channelData.tenant.id`, which Teams wants for proactive messages); Teams ignores the
extra channelData field, the connector emulator uses it to detect duplicate deliveries.

A message that `replaces` an earlier one (by dedupe key) edits that Teams message in place:
`PUT {serviceUrl}v3/conversations/{conversationId}/activities/{activityId}` with the whole new
activity, in the conversation the original went to (its own conversation_id, or the person's
personal chat from the reference store). The original is looked up through `find_message`
(OutboxRepository.by_dedupe_key) on every attempt, before the permit:
- sent, with its Teams message id: edit it; 200 is SENT (with that same id), 404 GONE;
- still pending or in flight: WAIT (nothing to edit yet; the sender looks again shortly);
- never sent (unreachable, gone, failed) or unknown: GONE, "nothing to replace".

A replacing message whose activity is exactly DELETE_ACTIVITY (bot.domain.platform.outbox,
`deletion_of`) deletes that Teams message instead: `DELETE {serviceUrl}v3/conversations/
{conversationId}/activities/{activityId}` through the SDK's delete_activity, found and waited
for like an edit. When the original never went out there is nothing to delete: that is SENT
with the error NOTHING_TO_DELETE and no request (done, not retried); 404 is GONE.

A message `thread_of` an earlier one (a ticket's card in the desk's channel) is posted as a reply
in that card's thread, `{channel};messageid={its Teams message id}`: it waits while the card is
not sent yet, and goes to the channel itself when the card never went out.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime
from typing import Any

import aiohttp
from microsoft_agents.activity import Activity, ConversationParameters
from pydantic import ValidationError

from bot.domain.platform.connector_hosts import ConnectorHosts, host_of
from bot.domain.platform.conversations import ConversationRef
from bot.domain.platform.delivery import (
    NO_RESPONSE,
    DeliveryOutcome,
    Verdict,
    classify,
    parse_retry_after,
)
from bot.domain.platform.outbox import (
    DEDUPE_KEY_FIELD,
    NOTHING_TO_DELETE,
    OutboxMessage,
    OutboxStatus,
    is_deletion,
)
from bot.ports.platform import Clock, ConversationRefRepository, Permit
from bot.teams.connector_clients import ConnectorClients, TokenProvider

logger = logging.getLogger(__name__)

# Finds an outbox message by its dedupe key (OutboxRepository.by_dedupe_key).
MessageLookup = Callable[[str], Awaitable[OutboxMessage | None]]

NOTHING_TO_REPLACE = "nothing to replace"
_NOT_SENT_YET = frozenset({OutboxStatus.PENDING, OutboxStatus.IN_FLIGHT})

# Cached "this person has no personal chat yet" entries from prepare().
_NO_REF = ConversationRef("", "", "", "", "")
_MAX_PREFETCHED = 20_000

HOST_NOT_ALLOWED = "connector host not allowed"


class ConnectorDelivery:
    """Implements bot.ports.platform.Delivery."""

    def __init__(
        self,
        *,
        conversations: ConversationRefRepository,
        bot_app_id: str,
        default_service_url: str,
        connector_hosts: ConnectorHosts,
        token_provider: TokenProvider | None = None,
        find_message: MessageLookup | None = None,
        clock: Clock | None = None,
        request_timeout_seconds: float = 10.0,
        max_connections_per_service: int = 100,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        """token_provider returns a bearer token for the connector audience (the app wires it
        to the SDK's MSAL connection); None sends anonymously (local emulator only).
        find_message looks up the message a replacement edits (the outbox repository's
        by_dedupe_key); without it a replacement fails. connector_hosts: the only hosts sent
        to; default_service_url must be on one (ValueError otherwise)."""
        if not connector_hosts.allows(default_service_url):
            raise ValueError("the default service URL is not on an allowed connector host")
        self._hosts = connector_hosts
        self._conversations = conversations
        self._find_message = find_message
        self._bot_app_id = bot_app_id
        self._default_service_url = _with_slash(default_service_url)
        self._clients = ConnectorClients(
            token_provider,
            request_timeout_seconds=request_timeout_seconds,
            max_connections_per_service=max_connections_per_service,
            monotonic=monotonic,
        )
        self._clock = clock
        self._prefetched: dict[tuple[str, str], ConversationRef] = {}

    async def close(self) -> None:
        await self._clients.close()

    async def prepare(self, messages: Sequence[OutboxMessage]) -> None:
        """Look up the personal-chat references of a claimed batch in one query per tenant,
        instead of one query per message in deliver()."""
        if len(self._prefetched) > _MAX_PREFETCHED:
            self._prefetched.clear()  # leftovers of messages dropped before delivery
        wanted: dict[str, list[str]] = {}
        for message in messages:
            if not message.conversation_id:
                wanted.setdefault(message.tenant_id, []).append(message.recipient_id)
        for tenant_id, user_ids in wanted.items():
            found = await self._conversations.get_many(tenant_id, user_ids)
            for user_id in user_ids:
                self._prefetched[(tenant_id, user_id)] = found.get(user_id, _NO_REF)

    async def deliver(self, message: OutboxMessage, permit: Permit) -> DeliveryOutcome:
        """Send one outbox message; each connector request runs inside `async with permit():`
        (entering may raise PermitWithdrawn, which is passed on: nothing is sent then)."""
        if is_deletion(message.activity):
            return await self._delete(message, permit)
        try:
            activity = _activity_for(message)
        except ValidationError:
            logger.warning("Outbox message %s: the activity is not valid", message.id)
            return DeliveryOutcome(Verdict.FAILED, status=400, error="invalid activity")
        if message.replaces:
            return await self._edit(message, permit)
        try:
            if message.thread_of:
                place = await self._thread(message)
                if isinstance(place, DeliveryOutcome):
                    return place
                service_url, conversation_id = place
            elif message.conversation_id:
                service_url = _with_slash(message.service_url or self._default_service_url)
                conversation_id = message.conversation_id
            else:
                ref = await self._reference(message.tenant_id, message.recipient_id)
                if ref is None:
                    ref = await self._open_personal_chat(message, permit)
                service_url, conversation_id = _with_slash(ref.service_url), ref.conversation_id
            if not self._hosts.allows(service_url):
                return self._refused(message, service_url)
            client = await self._clients.client(service_url)
            async with permit():
                sent = await client.conversations.send_to_conversation(conversation_id, activity)
        except _OpeningFailed as failure:
            return self._failure(failure.error, "open")
        except aiohttp.ClientResponseError as error:
            return self._failure(error, "send")
        except (aiohttp.ClientError, TimeoutError) as error:
            return DeliveryOutcome(Verdict.RETRY, status=NO_RESPONSE, error=type(error).__name__)
        return DeliveryOutcome(Verdict.SENT, 201, activity_id=sent.id or "")

    async def _edit(self, message: OutboxMessage, permit: Permit) -> DeliveryOutcome:
        """Edit the Teams message of the outbox message this one replaces."""
        target = await self._edit_target(message)
        if isinstance(target, DeliveryOutcome):
            return target
        service_url, conversation_id, activity_id = target
        if not self._hosts.allows(service_url):
            return self._refused(message, service_url)
        activity = _activity_for(message, activity_id)
        try:
            client = await self._clients.client(service_url)
            async with permit():
                await client.conversations.update_activity(conversation_id, activity_id, activity)
        except aiohttp.ClientResponseError as error:
            if not 200 <= error.status < 300:  # else: edited, only the answer was unreadable
                return self._failure(error, "update")
        except (aiohttp.ClientError, TimeoutError) as error:
            return DeliveryOutcome(Verdict.RETRY, status=NO_RESPONSE, error=type(error).__name__)
        return DeliveryOutcome(Verdict.SENT, 200, activity_id=activity_id)

    async def _delete(self, message: OutboxMessage, permit: Permit) -> DeliveryOutcome:
        """Delete the Teams message of the outbox message this one replaces (a recall)."""
        if not message.replaces:
            logger.warning("Outbox message %s is a deletion of nothing", message.id)
            return DeliveryOutcome(Verdict.FAILED, NO_RESPONSE, error="deletes no message")
        target = await self._edit_target(message)
        if isinstance(target, DeliveryOutcome):
            if target.error == NOTHING_TO_REPLACE:  # never went out: nothing to take back
                return DeliveryOutcome(Verdict.SENT, NO_RESPONSE, error=NOTHING_TO_DELETE)
            return target
        service_url, conversation_id, activity_id = target
        if not self._hosts.allows(service_url):
            return self._refused(message, service_url)
        try:
            client = await self._clients.client(service_url)
            async with permit():
                await client.conversations.delete_activity(conversation_id, activity_id)
        except aiohttp.ClientResponseError as error:
            # The SDK accepts only 200 and 202; any other 2xx (204) was a deletion all the same.
            if not 200 <= error.status < 300:
                return self._failure(error, "delete")
        except (aiohttp.ClientError, TimeoutError) as error:
            return DeliveryOutcome(Verdict.RETRY, status=NO_RESPONSE, error=type(error).__name__)
        return DeliveryOutcome(Verdict.SENT, 200, activity_id=activity_id)

    async def _thread(self, message: OutboxMessage) -> tuple[str, str] | DeliveryOutcome:
        """(service url, conversation id) of the thread of the message this one answers in:
        `<channel>;messageid=<its Teams id>` once it is sent; the message's own conversation
        (the channel itself) when the original never went out, so the answer is not lost."""
        if self._find_message is None:
            logger.error("Outbox message %s answers in a thread; no lookup is wired", message.id)
            return DeliveryOutcome(Verdict.FAILED, NO_RESPONSE, error="no lookup of originals")
        root = await self._find_message(message.thread_of)
        if root is not None and (waiting := self._not_sent_yet(root)) is not None:
            return waiting
        if (
            root is not None
            and root.status is OutboxStatus.SENT
            and root.activity_id
            and root.conversation_id
        ):
            service_url = _with_slash(root.service_url or self._default_service_url)
            return service_url, f"{root.conversation_id};messageid={root.activity_id}"
        if not message.conversation_id:
            return DeliveryOutcome(Verdict.GONE, NO_RESPONSE, error="no thread to answer in")
        service_url = _with_slash(message.service_url or self._default_service_url)
        return service_url, message.conversation_id

    def _not_sent_yet(self, original: OutboxMessage) -> DeliveryOutcome | None:
        """WAIT, until about when the original is due, while it is pending or in flight."""
        if original.status not in _NOT_SENT_YET:
            return None
        due_in = None
        if original.status is OutboxStatus.PENDING and original.not_before is not None:
            due_in = max(0.0, (original.not_before - self._now()).total_seconds())
        return DeliveryOutcome(
            Verdict.WAIT,
            NO_RESPONSE,
            retry_after=due_in,
            error=f"original {original.id} not sent yet",
        )

    async def _edit_target(self, message: OutboxMessage) -> tuple[str, str, str] | DeliveryOutcome:
        """(service url, conversation id, Teams message id) of the message to edit, or the
        outcome when there is none (yet)."""
        own_ref = self._prefetched.pop((message.tenant_id, message.recipient_id), None)
        if self._find_message is None:
            logger.error("Outbox message %s replaces another, but no lookup is wired", message.id)
            return DeliveryOutcome(Verdict.FAILED, NO_RESPONSE, error="no lookup of originals")
        if message.replaces == message.dedupe_key:
            return DeliveryOutcome(Verdict.FAILED, NO_RESPONSE, error="replaces itself")
        original = await self._find_message(message.replaces)
        if original is not None and (waiting := self._not_sent_yet(original)) is not None:
            return waiting
        if original is None or original.status is not OutboxStatus.SENT:
            return DeliveryOutcome(Verdict.GONE, NO_RESPONSE, error=NOTHING_TO_REPLACE)
        if not original.activity_id:  # sent before message ids were recorded
            return DeliveryOutcome(Verdict.GONE, NO_RESPONSE, error="original has no message id")
        if original.conversation_id:
            service_url = original.service_url or self._default_service_url
            return _with_slash(service_url), original.conversation_id, original.activity_id
        same_person = (original.tenant_id, original.recipient_id) == (
            message.tenant_id,
            message.recipient_id,
        )
        if same_person and own_ref is not None:  # prepare() looked it up already
            ref = None if own_ref is _NO_REF else own_ref
        else:
            ref = await self._conversations.get(original.tenant_id, original.recipient_id)
        if ref is None:
            return DeliveryOutcome(Verdict.GONE, NO_RESPONSE, error="original chat unknown")
        return _with_slash(ref.service_url), ref.conversation_id, original.activity_id

    def _now(self) -> datetime:
        return self._clock.now() if self._clock else datetime.now(UTC)

    def _refused(self, message: OutboxMessage, service_url: str) -> DeliveryOutcome:
        # The host is the connector's, not the person's: fine in a log line (never the path).
        logger.warning(
            "Outbox message %s: connector host %s is not allowed; not sent",
            message.id,
            host_of(service_url),
        )
        return DeliveryOutcome(Verdict.REFUSED, NO_RESPONSE, error=HOST_NOT_ALLOWED)

    def _failure(self, error: aiohttp.ClientResponseError, step: str) -> DeliveryOutcome:
        code = _error_code(error.message)
        header = error.headers.get("Retry-After") if error.headers else None
        verdict = classify(error.status, code, header)
        if step == "open" and error.status == 403 and verdict is Verdict.FAILED:
            # The SDK's create_conversation drops the error body; a 403 there means the app
            # is not installed for the person (or blocked): they cannot be reached.
            verdict = Verdict.UNREACHABLE
        if error.status == 401:
            self._clients.token_refused()
        return DeliveryOutcome(
            verdict,
            status=error.status,
            retry_after=parse_retry_after(header),
            error=f"{step}: {error.status} {code or ''}".strip(),
        )

    async def _reference(self, tenant_id: str, user_id: str) -> ConversationRef | None:
        ref = self._prefetched.pop((tenant_id, user_id), None)
        if ref is None:
            return await self._conversations.get(tenant_id, user_id)
        return None if ref is _NO_REF else ref

    async def _open_personal_chat(self, message: OutboxMessage, permit: Permit) -> ConversationRef:
        """Create the 1:1 conversation with someone the bot has no reference for, store it."""
        service_url = self._default_service_url
        client = await self._clients.client(service_url)
        parameters = ConversationParameters.model_validate(
            {
                "bot": {"id": self._bot_app_id},
                "members": [{"id": message.recipient_id}],
                "channelData": {"tenant": {"id": message.tenant_id}},
                "tenantId": message.tenant_id,
                "isGroup": False,
            }
        )
        try:
            async with permit():
                created = await client.conversations.create_conversation(parameters)
        except aiohttp.ClientResponseError as error:
            raise _OpeningFailed(error) from error
        answered: str | None = created.service_url
        if answered and not self._hosts.allows(answered):
            # Not believed: the chat is reached through the host we asked.
            logger.warning("Outbox message %s: new chat named a host not allowed", message.id)
            answered = None
        ref = ConversationRef(
            user_id=message.recipient_id,
            tenant_id=message.tenant_id,
            service_url=_with_slash(answered or service_url),
            conversation_id=created.id,
            bot_id=self._bot_app_id,
            updated_at=self._now(),
        )
        await self._conversations.save(ref)
        logger.info("Outbox message %s: opened a personal chat", message.id)
        return ref


class _OpeningFailed(Exception):
    def __init__(self, error: aiohttp.ClientResponseError) -> None:
        super().__init__(error.status)
        self.error = error


def _activity_for(message: OutboxMessage, edits: str = "") -> Activity:
    """The activity to send; for an edit (`edits`: the Teams message id) it carries that id, as
    the Bot Framework expects of a replacement activity."""
    body: dict[str, Any] = dict(message.activity)
    body.setdefault("type", "message")
    if edits:
        body["id"] = edits
    channel_data = dict(body.get("channelData") or {})
    channel_data.setdefault("tenant", {"id": message.tenant_id})
    channel_data[DEDUPE_KEY_FIELD] = message.dedupe_key
    body["channelData"] = channel_data
    return Activity.model_validate(body)


def _error_code(body: str) -> str | None:
    """The `error.code` of a connector error body, when there is one."""
    try:
        data = json.loads(body)
    except (TypeError, ValueError):
        return None
    error = data.get("error") if isinstance(data, dict) else None
    code = error.get("code") if isinstance(error, dict) else None
    return str(code) if code else None


def _with_slash(url: str) -> str:
    return url if url.endswith("/") else url + "/"
