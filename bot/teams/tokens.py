"""Token provider for the bot identity, backed by an async credential instead of MSAL.

The SDK's MSAL provider runs the synchronous MSAL client in a thread and insists on Microsoft's
instance discovery; the async azure-identity credential (built in bot.graph) does the same
client-credentials flow without either, and is the one path we test against the local authority.
"""

from __future__ import annotations

from typing import Any, Protocol

from microsoft_agents.hosting.core.authorization import (
    AccessTokenProviderBase,
    AgentAuthConfiguration,
)


class AsyncCredential(Protocol):
    async def get_token(self, *scopes: str, **kwargs: Any) -> Any: ...

    async def close(self) -> None: ...


class CredentialTokenProvider(AccessTokenProviderBase):
    def __init__(self, configuration: AgentAuthConfiguration, credential: AsyncCredential) -> None:
        self._configuration = configuration
        self._credential = credential

    @property
    def configuration(self) -> AgentAuthConfiguration:
        return self._configuration

    async def get_access_token(
        self, resource_url: str, scopes: list[str], force_refresh: bool = False
    ) -> str:
        wanted = scopes or [f"{resource_url.rstrip('/')}/.default"]
        token = await self._credential.get_token(*wanted)
        return str(token.token)

    def get_token_credential(self) -> Any:
        return self._credential

    # Werkplek acts only as itself (client credentials). The SDK's user and agentic flows are
    # not wired; asking for them is a programming error, not something to half-support.
    async def acquire_token_on_behalf_of(self, scopes: list[str], user_assertion: str) -> str:
        raise NotImplementedError("on-behalf-of tokens are not used by Werkplek")

    async def get_agentic_application_token(
        self, tenant_id: str, agent_app_instance_id: str
    ) -> str | None:
        raise NotImplementedError("agentic identities are not used by Werkplek")

    async def get_agentic_instance_token(
        self, tenant_id: str, agent_app_instance_id: str
    ) -> tuple[str, str]:
        raise NotImplementedError("agentic identities are not used by Werkplek")

    async def get_agentic_user_token(
        self, tenant_id: str, agent_app_instance_id: str, agentic_user_id: str, scopes: list[str]
    ) -> str | None:
        raise NotImplementedError("agentic identities are not used by Werkplek")


class AnonymousTokenProvider(CredentialTokenProvider):
    """Local anonymous mode: the SDK sends replies without a token when it gets an empty one."""

    def __init__(self, configuration: AgentAuthConfiguration) -> None:
        super().__init__(configuration, credential=None)  # type: ignore[arg-type]

    async def get_access_token(
        self, resource_url: str, scopes: list[str], force_refresh: bool = False
    ) -> str:
        return ""
