"""The port of the access-status capability: what Graph tells about one person's access.

Adapters in bot/graph, bot/store and bot/teams implement them; tests use in-memory fakes."""

from __future__ import annotations

from typing import Protocol

from bot.domain.access.facts import AuthMethod, Device, Licence, Sku


class AccessDirectory(Protocol):
    """The Graph reads behind the access-status card. Each raises NotFound, Forbidden (the
    tenant did not grant the permission), Throttled or Unavailable; the service turns those into
    an `Unchecked` fact for that line only."""

    async def auth_methods(self, user_id: str) -> list[AuthMethod]: ...

    async def licences(self, user_id: str) -> list[Licence]: ...

    async def subscribed_skus(self) -> list[Sku]: ...

    async def devices(self, user_id: str) -> list[Device]:
        """Intune-managed devices; falls back to Entra-registered devices when Intune is not
        licensed or not granted (Forbidden on managedDevices)."""
        ...
