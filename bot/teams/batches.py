"""Teams batch operations (bot.ports.announcements.BatchOperations): one activity to up to
BATCH_SIZE people or team channels, sent out by Teams itself, then polled for its state and its
failed entries.

Goes through the Agents SDK's TeamsConnectorClient, on the session of the bot's own connector
client (bot.teams.connector_clients: one session, the bot's token, renewed after a 401), to the
configured service URL only, which must be on an allowed connector host (ValueError at
construction otherwise): the bot's token travels with every request.

Decisions (and why):
- Failed entries are read with our own GET: the SDK's get_failed_entries takes no continuation
  token and reads `failedEntriesResponses`, where the REST API answers `failedEntryResponses`.
- Cancel is our own DELETE whose answer body is not read: nothing in it is needed, and an empty
  body (which the SDK's cancel_operation cannot parse) must not turn a done cancel into a failure.
- Too many or no members is a programming error (ValueError), not a Teams refusal: the caller
  builds batches of at most BATCH_SIZE.
- An activity the SDK's Activity model rejects is InvalidInput, with no request sent: Teams would
  refuse it too, and a caller that retries Unavailable must not retry it forever.
- Logged are counts, operation ids and HTTP statuses; never member ids, activities or tokens.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

import aiohttp
from microsoft_agents.activity import Activity
from microsoft_agents.activity.teams import TeamsBatchOperationResponse, TeamsMember
from microsoft_agents.hosting.core.connector.teams.teams_connector_client import (
    TeamsConnectorClient,
)
from pydantic import AliasChoices, BaseModel, Field, ValidationError

from bot.domain.announcements.batches import (
    BATCH_SIZE,
    FailedEntriesPage,
    FailedEntry,
    OperationStatus,
)
from bot.domain.platform.connector_hosts import ConnectorHosts
from bot.domain.platform.delivery import parse_retry_after
from bot.domain.platform.errors import (
    AppNotPermitted,
    DomainError,
    InvalidInput,
    NotFound,
    Throttled,
    Unavailable,
)
from bot.teams.connector_clients import ConnectorClients, TokenProvider

logger = logging.getLogger(__name__)

_BATCH_PATH = "v3/batch/conversation"


class _FailedEntryAnswer(BaseModel):
    id: str
    error: str | None = None


class _FailedEntriesAnswer(BaseModel):
    """GET v3/batch/conversation/failedentries/{operationId}, as the REST API spells it (the
    SDK's spelling is accepted too, should a connector answer with it)."""

    continuation_token: str | None = Field(default=None, alias="continuationToken")
    entries: list[_FailedEntryAnswer] | None = Field(
        default=None,
        validation_alias=AliasChoices("failedEntryResponses", "failedEntriesResponses"),
    )


class TeamsBatchOperations:
    """Implements bot.ports.announcements.BatchOperations."""

    def __init__(
        self,
        *,
        service_url: str,
        connector_hosts: ConnectorHosts,
        token_provider: TokenProvider | None,
        request_timeout_seconds: float = 10.0,
        max_connections_per_service: int = 100,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        """token_provider returns a bearer token for the connector audience; None sends
        anonymously (local emulator only). service_url must be on an allowed connector host."""
        if not connector_hosts.allows(service_url):
            raise ValueError("the batch service URL is not on an allowed connector host")
        self._service_url = service_url if service_url.endswith("/") else service_url + "/"
        self._clients = ConnectorClients(
            token_provider,
            request_timeout_seconds=request_timeout_seconds,
            max_connections_per_service=max_connections_per_service,
            monotonic=monotonic,
        )
        self._teams: tuple[aiohttp.ClientSession, TeamsConnectorClient] | None = None

    async def close(self) -> None:
        self._teams = None
        await self._clients.close()

    async def send_to_users(
        self, tenant_id: str, activity: Mapping[str, Any], user_ids: Sequence[str]
    ) -> str:
        members, payload = _members(user_ids), _activity(activity)
        with self._translated("send to users", ""):
            client = await self._client()
            answer = await client.send_message_to_list_of_users(payload, tenant_id, members)
        return self._started(answer, len(members), "users")

    async def send_to_channels(
        self, tenant_id: str, activity: Mapping[str, Any], channel_ids: Sequence[str]
    ) -> str:
        members, payload = _members(channel_ids), _activity(activity)
        with self._translated("send to channels", ""):
            client = await self._client()
            answer = await client.send_message_to_list_of_channels(payload, tenant_id, members)
        return self._started(answer, len(members), "channels")

    async def status(self, operation_id: str) -> OperationStatus:
        segment = _path_id(operation_id)
        with self._translated("state", operation_id):
            client = await self._client()
            answer = await client.get_operation_state(segment)
        return OperationStatus(
            state=answer.state or "",
            total=answer.total_entries_count or 0,
            status_map=dict(answer.status_map or {}),
            retry_after_seconds=_seconds_until(answer.retry_after),
        )

    async def failed_entries(self, operation_id: str, continuation: str = "") -> FailedEntriesPage:
        path = f"{_BATCH_PATH}/failedentries/{_path_id(operation_id)}"
        params = {"continuationToken": continuation} if continuation else None
        with self._translated("failed entries", operation_id):
            client = await self._client()
            async with client.client.get(path, params=params) as response:
                response.raise_for_status()
                answer = _FailedEntriesAnswer.model_validate(await response.json())
        entries = tuple(FailedEntry(entry.id, entry.error or "") for entry in answer.entries or ())
        return FailedEntriesPage(entries, answer.continuation_token or "")

    async def cancel(self, operation_id: str) -> None:
        path = f"{_BATCH_PATH}/{_path_id(operation_id)}"
        with self._translated("cancel", operation_id):
            client = await self._client()
            async with client.client.delete(path) as response:
                response.raise_for_status()
        logger.info("Batch operation %s cancelled", operation_id)

    async def _client(self) -> TeamsConnectorClient:
        """The SDK's Teams client on the bot's connector session (with a current token)."""
        session = (await self._clients.client(self._service_url)).client
        if self._teams is None or self._teams[0] is not session:
            # No token of its own: the session already carries the bot's.
            self._teams = (session, TeamsConnectorClient(self._service_url, "", session=session))
        return self._teams[1]

    def _started(self, answer: TeamsBatchOperationResponse, count: int, kind: str) -> str:
        if not answer.operation_id:
            logger.warning("Batch operation to %d %s: the answer has no operation id", count, kind)
            raise Unavailable()
        logger.info("Batch operation %s started for %d %s", answer.operation_id, count, kind)
        return answer.operation_id

    @contextmanager
    def _translated(self, step: str, operation_id: str) -> Iterator[None]:
        """Connector failures as the port's domain errors."""
        try:
            yield
        except aiohttp.ClientResponseError as error:
            raise self._refusal(error, step, operation_id) from error
        except (aiohttp.ClientError, TimeoutError, ValidationError, ValueError) as error:
            # No answer, or one that cannot be read (bad JSON, a missing field).
            logger.warning(
                "Batch %s %s: no usable answer (%s)", step, operation_id, type(error).__name__
            )
            raise Unavailable() from error

    def _refusal(
        self, error: aiohttp.ClientResponseError, step: str, operation_id: str
    ) -> DomainError:
        status = error.status
        if status in (401, 403):
            if status == 401:
                self._clients.token_refused()  # the next call fetches a new token
            refused = AppNotPermitted()
            logger.warning(
                "Batch %s %s: the connector answered %s (reference %s)",
                step,
                operation_id,
                status,
                refused.reference,
            )
            return refused
        if status == 429:
            # Expected while a big announcement is submitted: the caller waits its turn.
            logger.info("Batch %s %s: throttled (429)", step, operation_id)
            header = error.headers.get("Retry-After") if error.headers else None
            return Throttled(retry_after=parse_retry_after(header))
        logger.warning("Batch %s %s: the connector answered %s", step, operation_id, status)
        if status == 404:
            return NotFound()
        if status == 400 or (400 < status < 500 and status not in (408, 412)):
            return InvalidInput()
        # 5xx, 408 and 412 (worth another try), and a 2xx whose body could not be read.
        return Unavailable()


def _members(ids: Sequence[str]) -> list[TeamsMember]:
    if not 0 < len(ids) <= BATCH_SIZE:
        raise ValueError(f"a batch operation takes 1 to {BATCH_SIZE} members, not {len(ids)}")
    if not all(ids):
        raise ValueError("a batch operation's member ids must not be empty")
    return [TeamsMember(id=member_id) for member_id in ids]


def _activity(activity: Mapping[str, Any]) -> Activity:
    """The SDK's Activity; it serialises back to exactly the fields given (channelData with the
    dedupe key included)."""
    body = dict(activity)
    body.setdefault("type", "message")
    try:
        return Activity.model_validate(body)
    except ValidationError as error:
        fields = sorted({".".join(map(str, e["loc"])) for e in error.errors()})
        logger.warning("Batch operation not started: the activity is not valid (%s)", fields)
        raise InvalidInput() from error


def _path_id(operation_id: str) -> str:
    """The operation id as one path segment: it came from outside and must not add to the path."""
    if not operation_id:
        raise ValueError("an operation id is needed")
    return quote(operation_id, safe="")


def _seconds_until(when: datetime | None) -> float | None:
    if when is None:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())
