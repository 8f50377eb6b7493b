"""Who acts: the one name every capability uses for the person (or the system) behind a step."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from bot.domain.platform.roles import Role, may_act_as

SYSTEM = "system"


@dataclass(frozen=True, slots=True)
class Actor:
    """A person as the channel identified them, or the system (background work, the CLI).

    Ids come from the channel (Teams) and roles from Entra group memberships, never from a card
    or a message. `correlation_id` ties every audit line of one turn to the turn's log lines.
    """

    user_id: str  # Entra object id, or "system"
    tenant_id: str = ""
    name: str = ""
    roles: frozenset[Role] = field(default_factory=lambda: frozenset({Role.STAFF}))
    correlation_id: str = ""

    @classmethod
    def system(cls, correlation_id: str = "") -> Actor:
        return cls(SYSTEM, roles=frozenset(), correlation_id=correlation_id)

    @property
    def is_system(self) -> bool:
        return self.user_id == SYSTEM and not self.roles

    def has(self, role: Role) -> bool:
        return may_act_as(self.roles, role)

    @property
    def is_admin(self) -> bool:
        return Role.ADMIN in self.roles

    @property
    def role(self) -> str:
        """The roles as an audit line records them ("system" for the system)."""
        if self.is_system:
            return SYSTEM
        return ",".join(sorted(role.value for role in self.roles))

    def correlated(self, correlation_id: str) -> Actor:
        return replace(self, correlation_id=correlation_id)
