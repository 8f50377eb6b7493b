"""Access status: gather one person's facts from Graph at once, then let the rules judge them.

Every Graph read runs concurrently, so the card costs about one round trip. Each read that fails
(forbidden, throttled, unavailable, too slow) becomes an `Unchecked` fact for its own line only;
the report always comes back, except when the person does not exist. The person's open licence
requests and post (`open_work`, from the licence and post capabilities' stores) are read at the
same time, each degrading on its own too.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable
from dataclasses import replace
from datetime import timedelta
from typing import TypeVar

from bot.domain.access.facts import AccessFacts, AccessReport, Fact
from bot.domain.access.open_work import OpenWork
from bot.domain.access.rules import AccessPolicy, assess
from bot.domain.licences.names import SKU_NAMES
from bot.domain.platform.directory import DirectoryUser, GroupRef
from bot.domain.platform.errors import DomainError, NotFound, StoreUnavailable, Unavailable
from bot.ports.access import AccessDirectory, OpenPostItems, OpenRequests
from bot.ports.platform import Clock, Directory
from bot.settings import Settings

logger = logging.getLogger(__name__)

T = TypeVar("T")

# A Teams card action must be answered within about 15 s; a read slower than this (e.g. the
# Graph retry handler sleeping on a long Retry-After) costs its own line, not the whole card.
DEFAULT_CALL_TIMEOUT_SECONDS = 8.0
# An unexpected failure in an adapter: the line says "could not be checked", the log has why.
_UNEXPECTED = "error.generic"


def access_policy(settings: Settings) -> AccessPolicy:
    """The policy as the settings configure it (names of licences come from the data map)."""
    return AccessPolicy(
        stale_sync_after=timedelta(days=settings.access_stale_sync_days),
        key_groups=dict(settings.access_key_groups),
        sku_names=SKU_NAMES,
        security_info_url=settings.security_info_url,
        device_help_url=settings.device_help_url,
        account_help_url=settings.account_help_url,
    )


class AccessStatus:
    def __init__(
        self,
        directory: Directory,
        access: AccessDirectory,
        clock: Clock,
        policy: AccessPolicy,
        *,
        call_timeout_seconds: float = DEFAULT_CALL_TIMEOUT_SECONDS,
        open_requests: OpenRequests | None = None,
        open_post: OpenPostItems | None = None,
    ) -> None:
        """Without `open_requests` and `open_post` the card has no open-work line."""
        self._directory = directory
        self._access = access
        self._clock = clock
        self.policy = policy
        self._timeout = call_timeout_seconds
        self._open_requests = open_requests
        self._open_post = open_post

    async def report(self, user_id: str, *, tenant_id: str = "") -> AccessReport:
        """Check one person (of `tenant_id`: their licence requests are kept per tenant).
        Raises NotFound when the directory does not know them."""
        # A status check (and its refresh button) must show today's account and groups, not the
        # directory cache's copy: a fixed sync or a new group is exactly what people check for.
        self._directory.forget(user_id)
        (user, methods, licences, skus, groups, devices), open_work = await asyncio.gather(
            asyncio.gather(
                self._fact("user", user_id, self._directory.get_user(user_id)),
                self._fact("methods", user_id, self._access.auth_methods(user_id)),
                self._fact("licences", user_id, self._access.licences(user_id)),
                self._fact("skus", user_id, self._access.subscribed_skus()),
                self._fact("groups", user_id, self._key_group_memberships(user_id)),
                self._fact("devices", user_id, self._access.devices(user_id)),
            ),
            self._open_work(tenant_id, user_id),
        )
        if user.missing is not None and user.missing.reason_key == NotFound.message_key:
            raise NotFound()
        facts = AccessFacts(
            user=user.value or DirectoryUser(id=user_id, display_name="", user_principal_name=""),
            methods=methods,
            licences=licences,
            skus=skus,
            groups=groups,
            devices=devices,
        )
        report = assess(facts, self.policy, self._clock.now(), profile_missing=user.missing)
        return replace(report, open_work=open_work)

    async def find_people(self, query: str, limit: int) -> list[DirectoryUser]:
        """People whose name or UPN starts with the query (an agent's pick list)."""
        return await self._directory.find_users(query, limit=limit)

    async def _open_work(self, tenant_id: str, user_id: str) -> OpenWork | None:
        requests, post = self._open_requests, self._open_post
        if requests is None or post is None:
            return None
        open_requests, open_post = await asyncio.gather(
            self._fact("open requests", user_id, requests.open_requests(tenant_id, user_id)),
            self._fact("open post", user_id, post.open_post(user_id)),
        )
        return OpenWork(requests=open_requests, post=open_post)

    async def _key_group_memberships(self, user_id: str) -> list[GroupRef]:
        # Without configured key groups the card has no groups line: spare Graph the call.
        if not self.policy.key_groups:
            return []
        return await self._directory.member_of(user_id)

    async def _fact(self, what: str, user_id: str, call: Awaitable[T]) -> Fact[T]:
        try:
            async with asyncio.timeout(self._timeout):
                return Fact.of(await call)
        except DomainError as error:
            logger.info("access %s of user %s not checked: %s", what, user_id, error.message_key)
            return Fact.unchecked(error.message_key)
        except StoreUnavailable:
            # The database is down: this line waits for it; the Graph lines do not need it.
            logger.warning(
                "access %s of user %s not checked: the store is unavailable", what, user_id
            )
            return Fact.unchecked(Unavailable.message_key)
        except TimeoutError:
            logger.warning("access %s of user %s timed out after %ss", what, user_id, self._timeout)
            return Fact.unchecked(Unavailable.message_key)
        except Exception:
            # One broken read must not cost the whole card; the log keeps the stack trace.
            logger.exception("access %s of user %s failed unexpectedly", what, user_id)
            return Fact.unchecked(_UNEXPECTED)
