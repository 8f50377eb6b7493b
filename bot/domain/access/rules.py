"""The rules that turn raw access facts into the lines of the access-status card.

`assess` is pure: the same facts, policy and moment always give the same report. Each line says
what was found as a catalogue message id plus params; the card builder localises them. Two param
conventions let a line carry what only the card can render:

- a param whose name ends in `_at` holds an ISO 8601 moment (UTC); the card shows it in the
  configured time zone and drops the suffix (`last_sync_at` fills `{last_sync}`);
- a param whose name ends in `_keys` holds comma-separated message ids; the card localises each,
  joins them and drops the suffix (`methods_keys` fills `{methods}`).

Decisions the issue left open (and why):
- Key groups: with none configured the line is left out (a civil servant cannot act on "no key
  groups configured", and the service then skips the group lookup). Being outside *some* key
  groups is normal (not everyone needs every licensing group), so that stays OK with the list;
  outside *all* of them is a WARN, since then the entity's staff group is missing too.
- Licences: a missing usage location is ACTION when the person has no licence at all (it is the
  reason they cannot get one), WARN when they have some (those keep working, new ones fail).
  A guest without licences is in order: guests are licensed by their home organisation.
- MFA: a password, an e-mail address (only for password reset) and a Temporary Access Pass (one
  time, for onboarding) are not a second factor; every other registered method is.
- Devices: Intune's grace period is a WARN (access still works, not for long), and so are devices
  whose compliance nobody states (registered only, or read without Device.Read.All): "not known"
  is not "not compliant". For guests, who rarely enrol a device in our tenant, having none is a
  WARN rather than an ACTION.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from bot.domain.access.facts import (
    AccessFacts,
    AccessReport,
    AuthMethod,
    Check,
    CheckKind,
    CheckState,
    Device,
    Fact,
    Licence,
    Sku,
    Unchecked,
)
from bot.domain.licences.names import SKU_NAMES, licence_names
from bot.domain.platform.directory import DirectoryUser, GroupRef

DATETIME_PARAM_SUFFIX = "_at"
KEYS_PARAM_SUFFIX = "_keys"
DEFAULT_STALE_SYNC = timedelta(days=3)
# A card line lists at most this many devices; the rest is "…" (the card must stay readable).
MAX_LISTED_DEVICES = 5

# Unchecked.reason_key (a DomainError message key) -> what the line says instead of a verdict.
_UNCHECKED_SUMMARY = {
    "error.forbidden": "access.unchecked.forbidden",
    "error.throttled": "access.unchecked.throttled",
    "error.unavailable": "access.unchecked.unavailable",
    "error.not_found": "access.unchecked.not_found",
}
_UNCHECKED_OTHER = "access.unchecked.other"
# A fact with neither a value nor a reason (should not happen): say it could not be checked.
_NO_ANSWER = Unchecked("error.unavailable")

# Graph authentication method type (without prefix and suffix) -> its friendly name.
_METHOD_NAMES = {
    "microsoftauthenticator": "access.method.microsoft_authenticator",
    "passwordlessmicrosoftauthenticator": "access.method.microsoft_authenticator",
    "fido2": "access.method.fido2",
    "windowshelloforbusiness": "access.method.windows_hello",
    "phone": "access.method.phone",
    "softwareoath": "access.method.software_oath",
    "hardwareoath": "access.method.hardware_oath",
    "platformcredential": "access.method.platform_credential",
    "x509certificate": "access.method.certificate",
    "qrcodepin": "access.method.qr_code_pin",
}
_METHOD_OTHER = "access.method.other"
# Registered, but not a second factor: see the module docstring.
_NOT_SECOND_FACTOR = frozenset({"password", "email", "temporaryaccesspass"})

_GUEST = "guest"
_COMPLIANT = "compliant"
_GRACE_PERIOD = "ingraceperiod"
_COMPLIANCE_UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class AccessPolicy:
    """What the organisation configured: thresholds, meaningful groups, names and help links."""

    stale_sync_after: timedelta = DEFAULT_STALE_SYNC
    key_groups: Mapping[str, str] = field(default_factory=dict)  # group id -> friendly name
    sku_names: Mapping[str, str] = field(default_factory=lambda: SKU_NAMES)
    security_info_url: str = ""
    device_help_url: str = ""
    account_help_url: str = ""


def assess(
    facts: AccessFacts,
    policy: AccessPolicy,
    now: datetime,
    *,
    profile_missing: Unchecked | None = None,
) -> AccessReport:
    """One check per line, always in the same order.

    `profile_missing` says the user object itself could not be read (facts.user is then only a
    placeholder with the id): account and identity source become UNKNOWN, and the other lines
    stop relying on its fields (usage location, guest status).
    """
    now = _aware(now)
    user = facts.user
    is_guest = profile_missing is None and (user.user_type or "").casefold() == _GUEST
    checks = [
        _account(user, policy, profile_missing),
        _identity_source(user, policy, now, profile_missing),
        _mfa(facts.methods, policy),
        _licences(facts.licences, facts.skus, user, policy, is_guest, profile_missing),
        _groups(facts.groups, policy),
        _devices(facts.devices, policy, is_guest),
    ]
    return AccessReport(
        subject=user,
        checks=tuple(check for check in checks if check is not None),
        checked_at=now,
    )


_Step = tuple[str, str]  # (next step message id, url)
_NO_STEP: _Step = ("", "")


def _line(
    kind: CheckKind,
    state: CheckState,
    summary_key: str,
    params: Mapping[str, str] | None = None,
    step: _Step = _NO_STEP,
) -> Check:
    key, url = step
    return Check(kind, state, summary_key, dict(params or {}), next_step_key=key, next_step_url=url)


def _unchecked(kind: CheckKind, missing: Unchecked) -> Check:
    summary = _UNCHECKED_SUMMARY.get(missing.reason_key, _UNCHECKED_OTHER)
    return Check(kind, CheckState.UNKNOWN, summary)


def _aware(moment: datetime) -> datetime:
    """Graph moments are UTC; one that arrives without a zone is read as UTC, not local time."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _servicedesk(policy: AccessPolicy) -> _Step:
    return ("access.next.servicedesk", policy.account_help_url)


def _account(user: DirectoryUser, policy: AccessPolicy, missing: Unchecked | None) -> Check:
    kind = CheckKind.ACCOUNT
    if missing is not None:
        return _unchecked(kind, missing)
    if user.account_enabled is None:
        return _line(kind, CheckState.UNKNOWN, "access.account.unknown")
    if not user.account_enabled:
        return _line(kind, CheckState.ACTION, "access.account.disabled", step=_servicedesk(policy))
    if (user.user_type or "").casefold() == _GUEST:
        return _line(kind, CheckState.OK, "access.account.guest")
    return _line(kind, CheckState.OK, "access.account.enabled")


def _identity_source(
    user: DirectoryUser, policy: AccessPolicy, now: datetime, missing: Unchecked | None
) -> Check:
    kind = CheckKind.IDENTITY_SOURCE
    if missing is not None:
        return _unchecked(kind, missing)
    # Graph: null = never synchronised (cloud only), false = once synchronised, no longer.
    if user.on_premises_sync_enabled is None:
        return _line(kind, CheckState.OK, "access.source.cloud")
    if not user.on_premises_sync_enabled:
        return _line(kind, CheckState.OK, "access.source.cloud_converted")
    if user.on_premises_last_sync is None:
        return _line(kind, CheckState.WARN, "access.source.no_sync_time", step=_servicedesk(policy))
    last_sync = _aware(user.on_premises_last_sync)
    params = {"last_sync_at": last_sync.astimezone(UTC).isoformat()}
    if now - last_sync > policy.stale_sync_after:
        # The classic cause of "my new group / new password doesn't work yet".
        return _line(kind, CheckState.WARN, "access.source.stale", params, _servicedesk(policy))
    return _line(kind, CheckState.OK, "access.source.synced", params)


def _mfa(methods: Fact[list[AuthMethod]], policy: AccessPolicy) -> Check:
    kind = CheckKind.MFA
    if methods.value is None:
        return _unchecked(kind, methods.missing or _NO_ANSWER)
    kinds = [method.kind.casefold() for method in methods.value]
    second = [k for k in kinds if k not in _NOT_SECOND_FACTOR]
    if not second:
        step = ("access.next.security_info", policy.security_info_url)
        return _line(kind, CheckState.ACTION, "access.mfa.missing", step=step)
    names = _unique(_METHOD_NAMES.get(k, _METHOD_OTHER) for k in second)
    return _line(kind, CheckState.OK, "access.mfa.ok", {"methods_keys": ",".join(names)})


def _licences(
    licences: Fact[list[Licence]],
    skus: Fact[list[Sku]],
    user: DirectoryUser,
    policy: AccessPolicy,
    is_guest: bool,
    profile_missing: Unchecked | None,
) -> Check:
    kind = CheckKind.LICENCES
    if licences.value is None:
        return _unchecked(kind, licences.missing or _NO_ANSWER)
    # Without the subscriptions, names still come from the part numbers licenseDetails carries.
    names = licence_names(licences.value, skus.value or [], policy.sku_names)
    listed = {"names": ", ".join(names)}
    located = profile_missing is not None or bool((user.usage_location or "").strip())
    to_locate = ("access.next.usage_location", policy.account_help_url)
    if not names and is_guest:
        # Guests get their licences at home; neither licences nor a usage location are missing.
        return _line(kind, CheckState.OK, "access.licences.none_guest")
    if not located and not names:
        return _line(kind, CheckState.ACTION, "access.licences.no_location", step=to_locate)
    if not located:
        return _line(kind, CheckState.WARN, "access.licences.no_location_has", listed, to_locate)
    if not names:
        return _line(kind, CheckState.WARN, "access.licences.none", step=_servicedesk(policy))
    return _line(kind, CheckState.OK, "access.licences.ok", listed)


def _groups(groups: Fact[list[GroupRef]], policy: AccessPolicy) -> Check | None:
    kind = CheckKind.GROUPS
    if not policy.key_groups:
        return None
    if groups.value is None:
        return _unchecked(kind, groups.missing or _NO_ANSWER)
    ids = {group.id.casefold() for group in groups.value}
    member = [name for gid, name in policy.key_groups.items() if gid.casefold() in ids]
    absent = [name for gid, name in policy.key_groups.items() if gid.casefold() not in ids]
    if not member:
        params = {"missing": ", ".join(absent)}
        return _line(kind, CheckState.WARN, "access.groups.none", params, _servicedesk(policy))
    if absent:
        params = {"member": ", ".join(member), "missing": ", ".join(absent)}
        return _line(kind, CheckState.OK, "access.groups.some", params)
    return _line(kind, CheckState.OK, "access.groups.all", {"member": ", ".join(member)})


def _devices(devices: Fact[list[Device]], policy: AccessPolicy, is_guest: bool) -> Check:
    kind = CheckKind.DEVICES
    if devices.value is None:
        return _unchecked(kind, devices.missing or _NO_ANSWER)
    if not devices.value:
        enrol = ("access.next.register_device", policy.device_help_url)
        if is_guest:
            return _line(kind, CheckState.WARN, "access.devices.none_guest", step=enrol)
        return _line(kind, CheckState.ACTION, "access.devices.none", step=enrol)
    step = ("access.next.devices", policy.device_help_url)
    ordered = sorted(devices.value, key=_recent_first)
    compliant = [d for d in ordered if d.compliance.casefold() == _COMPLIANT]
    others = [d for d in ordered if d.compliance.casefold() != _COMPLIANT]
    grace = [d for d in others if d.compliance.casefold() == _GRACE_PERIOD]
    if compliant and others:
        params = {"devices": _device_list(compliant), "others": _device_list(others)}
        return _line(kind, CheckState.OK, "access.devices.ok_some", params)
    if compliant:
        return _line(kind, CheckState.OK, "access.devices.ok", {"devices": _device_list(compliant)})
    if grace:
        params = {"devices": _device_list(grace)}
        return _line(kind, CheckState.WARN, "access.devices.grace", params, step)
    params = {"devices": _device_list(others)}
    if all(d.compliance.casefold() == _COMPLIANCE_UNKNOWN for d in others):
        # Registered, but nobody (Intune, Entra) says whether they comply: not "noncompliant".
        return _line(kind, CheckState.WARN, "access.devices.unknown_state", params, step)
    return _line(kind, CheckState.ACTION, "access.devices.noncompliant", params, step)


def _recent_first(device: Device) -> tuple[float, bool, str]:
    """Most recently seen first; then by name, devices without a name last."""
    seen = _aware(device.last_seen).timestamp() if device.last_seen else float("-inf")
    return (-seen, not device.name.strip(), device.name.casefold())


def _device_list(devices: Sequence[Device]) -> str:
    labels = [_device_label(d) for d in devices[:MAX_LISTED_DEVICES]]
    if len(devices) > MAX_LISTED_DEVICES:
        labels.append("…")
    return ", ".join(labels)


def _device_label(device: Device) -> str:
    name, system = device.name.strip(), device.operating_system.strip()
    if name and system:
        return f"{name} ({system})"
    return name or system or "?"


def _unique(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(items))
