"""The ports of the access-status capability: what Graph tells about one person's access, and
what the licence and post capabilities tell about the work still open for them.

Adapters in bot/graph implement the first, the other capabilities' services the others; tests
use in-memory fakes."""

from __future__ import annotations

from typing import Protocol

from bot.domain.access.facts import AuthMethod, Device, Licence, Sku
from bot.domain.access.open_work import OpenPost, OpenRequest


class AccessDirectory(Protocol):
    """The Graph reads behind the access-status card. Each raises NotFound, AppNotPermitted
    (the tenant did not grant the permission), Throttled or Unavailable; the service turns
    those into an `Unchecked` fact for that line only."""

    async def auth_methods(self, user_id: str) -> list[AuthMethod]: ...

    async def licences(self, user_id: str) -> list[Licence]: ...

    async def subscribed_skus(self) -> list[Sku]: ...

    async def devices(self, user_id: str) -> list[Device]:
        """Intune-managed devices; falls back to Entra-registered devices when Intune is not
        licensed or not granted (AppNotPermitted on managedDevices)."""
        ...


class OpenRequests(Protocol):
    """The person's open licence requests, oldest first (implemented by the licence capability,
    bot.services.licences.open_requests). Raises StoreUnavailable when the database cannot
    answer."""

    async def open_requests(self, tenant_id: str, user_id: str) -> list[OpenRequest]: ...


class OpenPostItems(Protocol):
    """How many post items routed to the person still wait to be handled (implemented by the post
    capability, bot.services.post.open_items). Raises StoreUnavailable when the database cannot
    answer."""

    async def open_post(self, user_id: str) -> OpenPost: ...
