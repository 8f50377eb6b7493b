"""Access status: the facts Graph gives about one person, and the checks they turn into.

The facts are gathered concurrently; any of them may be missing (`Unchecked`) because the tenant
did not grant a permission, Graph throttled us, or it timed out. A missing fact degrades only
its own check ("kon niet nagekeken worden"), never the whole report.

This module holds the shapes; the rules (`assess`) live in bot/domain/access/rules.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Generic, TypeVar

from bot.domain.platform.directory import DirectoryUser, GroupRef

if TYPE_CHECKING:
    from bot.domain.access.open_work import OpenWork

T = TypeVar("T")


class CheckState(StrEnum):
    OK = "ok"  # in orde
    WARN = "warn"  # let op
    ACTION = "action"  # actie nodig
    UNKNOWN = "unknown"  # kon niet nagekeken worden


class CheckKind(StrEnum):
    ACCOUNT = "account"
    IDENTITY_SOURCE = "identity_source"
    MFA = "mfa"
    LICENCES = "licences"
    GROUPS = "groups"
    DEVICES = "devices"
    REQUESTS = "requests"


@dataclass(frozen=True, slots=True)
class Unchecked:
    """A fact Graph could not give: why, as a DomainError message key (forbidden, throttled...)."""

    reason_key: str


@dataclass(frozen=True, slots=True)
class Fact(Generic[T]):
    """Either the value Graph returned or why it is missing."""

    value: T | None = None
    missing: Unchecked | None = None

    @classmethod
    def of(cls, value: T) -> Fact[T]:
        return cls(value=value)

    @classmethod
    def unchecked(cls, reason_key: str) -> Fact[T]:
        return cls(missing=Unchecked(reason_key))


@dataclass(frozen=True, slots=True)
class AuthMethod:
    """One registered sign-in method. `kind` is the Graph type without prefix and suffix:
    "password", "microsoftAuthenticator", "fido2", "windowsHelloForBusiness", "phone",
    "email", "softwareOath", "temporaryAccessPass", "platformCredential", ..."""

    kind: str
    display_name: str = ""
    created: datetime | None = None


@dataclass(frozen=True, slots=True)
class Licence:
    """A licence the person has (licenseDetails)."""

    sku_id: str
    sku_part_number: str


@dataclass(frozen=True, slots=True)
class Sku:
    """A subscription the tenant owns (subscribedSkus)."""

    sku_id: str
    sku_part_number: str
    enabled_units: int
    consumed_units: int


@dataclass(frozen=True, slots=True)
class Device:
    """A device of the person: Intune-managed (managedDevices) or only registered in Entra."""

    name: str
    operating_system: str = ""
    managed: bool = False
    # Intune complianceState ("compliant", "noncompliant", "inGracePeriod", "unknown", ...) for
    # managed devices; for registered-only devices "compliant"/"noncompliant" from isCompliant,
    # or "unknown" when Entra does not say.
    compliance: str = "unknown"
    last_seen: datetime | None = None


@dataclass(frozen=True, slots=True)
class AccessFacts:
    user: DirectoryUser
    methods: Fact[list[AuthMethod]] = field(
        default_factory=lambda: Fact.unchecked("error.unavailable")
    )
    licences: Fact[list[Licence]] = field(
        default_factory=lambda: Fact.unchecked("error.unavailable")
    )
    skus: Fact[list[Sku]] = field(default_factory=lambda: Fact.unchecked("error.unavailable"))
    groups: Fact[list[GroupRef]] = field(
        default_factory=lambda: Fact.unchecked("error.unavailable")
    )
    devices: Fact[list[Device]] = field(default_factory=lambda: Fact.unchecked("error.unavailable"))


@dataclass(frozen=True, slots=True)
class Check:
    """One line of the card: what was checked, its state, and the next step when not in order.

    Texts are catalogue message ids with params, localised by the card builder.
    """

    kind: CheckKind
    state: CheckState
    summary_key: str
    params: dict[str, str] = field(default_factory=dict)
    next_step_key: str = ""
    next_step_url: str = ""


@dataclass(frozen=True, slots=True)
class AccessReport:
    subject: DirectoryUser
    checks: tuple[Check, ...]
    checked_at: datetime
    # Open requests and post (bot.domain.access.open_work); None: not asked, no line.
    open_work: OpenWork | None = None

    @property
    def worst(self) -> CheckState:
        order = [CheckState.ACTION, CheckState.WARN, CheckState.UNKNOWN, CheckState.OK]
        states = {check.state for check in self.checks}
        return next((state for state in order if state in states), CheckState.OK)

    def shown(self, *, to_agent: bool) -> tuple[Check, ...]:
        """The checks a reader is shown. Where an account comes from (cloud, synchronised) is
        the service desk's business: staff see that line only when it asks something of them
        (a synchronisation that stopped)."""
        return tuple(
            check
            for check in self.checks
            if to_agent
            or check.kind is not CheckKind.IDENTITY_SOURCE
            or check.state in {CheckState.WARN, CheckState.ACTION}
        )
