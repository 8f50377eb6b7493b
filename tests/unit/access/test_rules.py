"""The rules that turn raw access facts into card lines, on ordinary and odd people."""

from __future__ import annotations

import ast
import re
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

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
from bot.domain.access.rules import AccessPolicy, assess
from bot.domain.licences.names import SKU_NAMES, licence_names
from bot.domain.platform.directory import DirectoryUser, GroupRef
from bot.i18n import LOCALES, catalog_messages

NOW = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)
STAFF_GROUP, PBI_GROUP = (
    "1f0e6a52-0000-4000-8000-000000000001",
    "1f0e6a52-0000-4000-8000-000000000002",
)
POLICY = AccessPolicy(
    stale_sync_after=timedelta(days=3),
    key_groups={STAFF_GROUP: "Personeel Omgeving", PBI_GROUP: "Power BI Pro-gebruikers"},
    security_info_url="https://security.example",
    device_help_url="https://devices.example",
    account_help_url="https://desk.example",
)
E3 = Sku("05e9a617-0261-4cee-bb44-138d3ef5d965", "SPE_E3", 100, 40)
PRO = Sku("f8a1db68-be16-40ed-86d5-cb42ce701560", "POWER_BI_PRO", 20, 20)
LAPTOP = Device("LAPTOP-0042", "Windows", managed=True, compliance="compliant")


def person(**changes: Any) -> DirectoryUser:
    fields: dict[str, Any] = {
        "id": "9b7c1c1e-0000-4000-8000-00000000a001",
        "display_name": "Lotte Janssens",
        "user_principal_name": "lotte.janssens@demo.example",
        "usage_location": "BE",
        "user_type": "Member",
        "account_enabled": True,
        "on_premises_sync_enabled": True,
        "on_premises_last_sync": NOW - timedelta(hours=1),
    }
    fields.update(changes)
    return DirectoryUser(**fields)


def facts(user: DirectoryUser | None = None, **changes: Any) -> AccessFacts:
    """A person in order; each keyword replaces one fact (a list, or a Fact as given)."""
    values: dict[str, Any] = {
        "methods": [AuthMethod("password"), AuthMethod("microsoftAuthenticator")],
        "licences": [Licence(E3.sku_id, "SPE_E3"), Licence(PRO.sku_id, "POWER_BI_PRO")],
        "skus": [E3, PRO],
        "groups": [GroupRef(STAFF_GROUP, "GRP-OMG-Personeel"), GroupRef(PBI_GROUP, "GRP-PBI")],
        "devices": [LAPTOP],
    }
    values.update(changes)
    wrapped = {k: v if isinstance(v, Fact) else Fact.of(v) for k, v in values.items()}
    return AccessFacts(user=user or person(), **wrapped)


def judge(
    the_facts: AccessFacts | None = None,
    policy: AccessPolicy = POLICY,
    now: datetime = NOW,
    **kwargs: Any,
) -> AccessReport:
    return assess(the_facts or facts(), policy, now, **kwargs)


def line(report: AccessReport, kind: CheckKind) -> Check:
    (found,) = [check for check in report.checks if check.kind is kind]
    return found


# --- the whole report -----------------------------------------------------------------------


def test_a_person_in_order_gets_every_line_in_a_fixed_order() -> None:
    report = judge()
    assert [c.kind for c in report.checks] == [
        CheckKind.ACCOUNT,
        CheckKind.IDENTITY_SOURCE,
        CheckKind.MFA,
        CheckKind.LICENCES,
        CheckKind.GROUPS,
        CheckKind.DEVICES,
    ]
    assert {c.state for c in report.checks} == {CheckState.OK}
    assert report.worst is CheckState.OK
    assert report.checked_at == NOW and report.subject == person()
    assert all(not c.next_step_key for c in report.checks)


def test_disabled_and_without_mfa_needs_two_actions() -> None:
    report = judge(facts(person(account_enabled=False), methods=[AuthMethod("password")]))
    assert line(report, CheckKind.ACCOUNT).state is CheckState.ACTION
    assert line(report, CheckKind.MFA).state is CheckState.ACTION
    assert report.worst is CheckState.ACTION


def test_every_fact_missing_leaves_only_what_the_user_object_says() -> None:
    report = judge(AccessFacts(user=person()))
    states = {c.kind: c.state for c in report.checks}
    assert states == {
        CheckKind.ACCOUNT: CheckState.OK,
        CheckKind.IDENTITY_SOURCE: CheckState.OK,
        CheckKind.MFA: CheckState.UNKNOWN,
        CheckKind.LICENCES: CheckState.UNKNOWN,
        CheckKind.GROUPS: CheckState.UNKNOWN,
        CheckKind.DEVICES: CheckState.UNKNOWN,
    }
    assert report.worst is CheckState.UNKNOWN
    assert {c.summary_key for c in report.checks if c.state is CheckState.UNKNOWN} == {
        "access.unchecked.unavailable"
    }


def test_an_unreadable_user_object_makes_its_own_lines_unknown_only() -> None:
    placeholder = DirectoryUser(id="u-1", display_name="", user_principal_name="")
    report = judge(facts(placeholder), profile_missing=Unchecked("error.throttled"))
    assert line(report, CheckKind.ACCOUNT).summary_key == "access.unchecked.throttled"
    assert line(report, CheckKind.IDENTITY_SOURCE).state is CheckState.UNKNOWN
    # No usage location on a placeholder is not a missing usage location.
    assert line(report, CheckKind.LICENCES).state is CheckState.OK
    assert line(report, CheckKind.DEVICES).state is CheckState.OK


# --- account --------------------------------------------------------------------------------


def test_a_disabled_account_needs_the_service_desk() -> None:
    check = line(judge(facts(person(account_enabled=False))), CheckKind.ACCOUNT)
    assert (check.state, check.summary_key) == (CheckState.ACTION, "access.account.disabled")
    assert (check.next_step_key, check.next_step_url) == (
        "access.next.servicedesk",
        "https://desk.example",
    )


def test_an_account_state_graph_did_not_give_is_unknown() -> None:
    check = line(judge(facts(person(account_enabled=None))), CheckKind.ACCOUNT)
    assert (check.state, check.summary_key) == (CheckState.UNKNOWN, "access.account.unknown")


@pytest.mark.parametrize("location", ["NL", None])
def test_a_guest_is_noted(location: str | None) -> None:
    guest = person(user_type="Guest", usage_location=location, on_premises_sync_enabled=None)
    report = judge(facts(guest, licences=[], devices=[]))
    assert line(report, CheckKind.ACCOUNT).summary_key == "access.account.guest"
    licences = line(report, CheckKind.LICENCES)
    assert (licences.state, licences.summary_key) == (CheckState.OK, "access.licences.none_guest")
    devices = line(report, CheckKind.DEVICES)
    assert (devices.state, devices.summary_key) == (CheckState.WARN, "access.devices.none_guest")


# --- identity source ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sync_enabled", "key"),
    [(None, "access.source.cloud"), (False, "access.source.cloud_converted")],
)
def test_cloud_accounts_are_in_order(sync_enabled: bool | None, key: str) -> None:
    user = person(on_premises_sync_enabled=sync_enabled, on_premises_last_sync=None)
    check = line(judge(facts(user)), CheckKind.IDENTITY_SOURCE)
    assert (check.state, check.summary_key, check.params) == (CheckState.OK, key, {})


def test_a_recent_sync_is_in_order_and_says_when() -> None:
    check = line(judge(), CheckKind.IDENTITY_SOURCE)
    assert (check.state, check.summary_key) == (CheckState.OK, "access.source.synced")
    assert check.params == {"last_sync_at": "2026-11-28T08:00:00+00:00"}


def test_a_synchronised_account_without_a_sync_time_is_a_warning() -> None:
    check = line(judge(facts(person(on_premises_last_sync=None))), CheckKind.IDENTITY_SOURCE)
    assert (check.state, check.summary_key) == (CheckState.WARN, "access.source.no_sync_time")
    assert check.next_step_url == "https://desk.example"


@pytest.mark.parametrize(
    ("age", "state"),
    [
        (timedelta(days=3) - timedelta(seconds=1), CheckState.OK),
        (timedelta(days=3), CheckState.OK),  # "older than" the threshold, not "as old as"
        (timedelta(days=3, seconds=1), CheckState.WARN),
        (timedelta(days=40), CheckState.WARN),
        (-timedelta(minutes=5), CheckState.OK),  # a sync clock a little ahead of ours
    ],
)
def test_the_stale_sync_threshold(age: timedelta, state: CheckState) -> None:
    check = line(judge(facts(person(on_premises_last_sync=NOW - age))), CheckKind.IDENTITY_SOURCE)
    assert check.state is state
    if state is CheckState.WARN:
        assert check.summary_key == "access.source.stale"
        assert check.next_step_key == "access.next.servicedesk"
        assert "last_sync_at" in check.params


def test_the_threshold_comes_from_the_policy() -> None:
    user = person(on_premises_last_sync=NOW - timedelta(hours=13))
    strict = AccessPolicy(stale_sync_after=timedelta(hours=12))
    assert line(judge(facts(user), strict), CheckKind.IDENTITY_SOURCE).state is CheckState.WARN
    assert line(judge(facts(user)), CheckKind.IDENTITY_SOURCE).state is CheckState.OK


@pytest.mark.parametrize(
    ("last_sync", "now"),
    [
        (datetime(2026, 11, 20, 9, 0), NOW),  # naive from Graph, aware clock
        (datetime(2026, 11, 20, 9, 0, tzinfo=UTC), NOW.replace(tzinfo=None)),  # naive clock
        (datetime(2026, 11, 20, 9, 0), NOW.replace(tzinfo=None)),  # both naive
    ],
)
def test_naive_moments_are_read_as_utc(last_sync: datetime, now: datetime) -> None:
    report = judge(facts(person(on_premises_last_sync=last_sync)), now=now)
    check = line(report, CheckKind.IDENTITY_SOURCE)
    assert check.state is CheckState.WARN
    assert check.params == {"last_sync_at": "2026-11-20T09:00:00+00:00"}
    assert report.checked_at.tzinfo is not None


def test_a_sync_time_in_another_zone_is_compared_as_the_same_moment() -> None:
    plus_one = timezone(timedelta(hours=1))
    at_threshold = (NOW - timedelta(days=3)).astimezone(plus_one)
    just_over = at_threshold - timedelta(seconds=1)
    for last_sync, state in ((at_threshold, CheckState.OK), (just_over, CheckState.WARN)):
        check = line(
            judge(facts(person(on_premises_last_sync=last_sync))), CheckKind.IDENTITY_SOURCE
        )
        assert check.state is state
        assert check.params["last_sync_at"].endswith("+00:00")


# --- MFA ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "kinds",
    [
        [],
        ["password"],
        ["password", "email"],  # e-mail only resets a password
        ["password", "temporaryAccessPass"],  # one-time onboarding code
    ],
)
def test_without_a_second_factor_action_is_needed(kinds: list[str]) -> None:
    check = line(judge(facts(methods=[AuthMethod(k) for k in kinds])), CheckKind.MFA)
    assert (check.state, check.summary_key) == (CheckState.ACTION, "access.mfa.missing")
    assert (check.next_step_key, check.next_step_url) == (
        "access.next.security_info",
        "https://security.example",
    )


def test_strong_methods_are_listed_once_each_by_friendly_name() -> None:
    methods = [
        AuthMethod("password"),
        AuthMethod("phone", "+32 470 00 00 01"),
        AuthMethod("fido2", "YubiKey 5"),
        AuthMethod("phone", "+32 470 00 00 02"),
        AuthMethod("WindowsHelloForBusiness"),
        AuthMethod("somethingGraphInventsLater"),
    ]
    check = line(judge(facts(methods=methods)), CheckKind.MFA)
    assert (check.state, check.summary_key) == (CheckState.OK, "access.mfa.ok")
    assert check.params == {
        "methods_keys": "access.method.phone,access.method.fido2,"
        "access.method.windows_hello,access.method.other"
    }


@pytest.mark.parametrize(
    ("reason", "key"),
    [
        ("error.forbidden", "access.unchecked.forbidden"),
        ("error.throttled", "access.unchecked.throttled"),
        ("error.unavailable", "access.unchecked.unavailable"),
        ("error.not_found", "access.unchecked.not_found"),
        ("error.generic", "access.unchecked.other"),
        ("error.invalid_input", "access.unchecked.other"),
    ],
)
def test_an_unchecked_fact_says_why(reason: str, key: str) -> None:
    check = line(judge(facts(methods=Fact.unchecked(reason))), CheckKind.MFA)
    assert (check.state, check.summary_key, check.next_step_key) == (CheckState.UNKNOWN, key, "")


def test_a_fact_with_neither_value_nor_reason_is_unknown() -> None:
    check = line(judge(facts(devices=Fact())), CheckKind.DEVICES)
    assert check.state is CheckState.UNKNOWN


# --- licences -------------------------------------------------------------------------------


def test_licences_by_friendly_name_sorted() -> None:
    check = line(judge(), CheckKind.LICENCES)
    assert (check.state, check.summary_key) == (CheckState.OK, "access.licences.ok")
    assert check.params == {"names": "Microsoft 365 E3, Power BI Pro"}


def test_unknown_skus_are_shown_not_dropped() -> None:
    mystery_id = "0c266dff-15dd-4b49-8397-2bb16070ed52"
    skus = [E3, Sku(mystery_id, "", 5, 1)]
    licences = [
        Licence(E3.sku_id, ""),  # part number only via subscribedSkus
        Licence("6470687e-a31a-4b4e-a5b4-ba0ce5a6e7b8", "CONTOSO_SPECIAL"),  # not in the map
        Licence(mystery_id, ""),  # no part number anywhere: the id it is
        Licence(PRO.sku_id, "power_bi_pro"),  # odd casing
        Licence(PRO.sku_id, "POWER_BI_PRO"),  # twice (direct and via a group)
    ]
    check = line(judge(facts(licences=licences, skus=skus)), CheckKind.LICENCES)
    assert check.params == {
        "names": f"{mystery_id}, CONTOSO_SPECIAL, Microsoft 365 E3, Power BI Pro"
    }


def test_licence_names_without_subscriptions_still_use_part_numbers() -> None:
    check = line(judge(facts(skus=Fact.unchecked("error.forbidden"))), CheckKind.LICENCES)
    assert (check.state, check.params["names"]) == (CheckState.OK, "Microsoft 365 E3, Power BI Pro")


def test_the_name_map_may_be_keyed_by_sku_id() -> None:
    names = licence_names([Licence("ABC-1", "")], [], {"abc-1": "Eigen product"})
    assert names == ["Eigen product"]


def test_the_default_map_names_the_data_driven_workplace_products() -> None:
    assert AccessPolicy().sku_names is SKU_NAMES
    wanted = {"Power BI Pro", "Power BI Premium per user", "Microsoft 365 E3"}
    assert wanted <= set(SKU_NAMES.values())
    assert any(name.startswith("Power Automate") for name in SKU_NAMES.values())
    assert any(name.startswith("Power Apps") for name in SKU_NAMES.values())


@pytest.mark.parametrize("location", [None, "", "  "])
def test_no_usage_location_and_no_licence_needs_action(location: str | None) -> None:
    check = line(judge(facts(person(usage_location=location), licences=[])), CheckKind.LICENCES)
    assert (check.state, check.summary_key) == (CheckState.ACTION, "access.licences.no_location")
    assert (check.next_step_key, check.next_step_url) == (
        "access.next.usage_location",
        "https://desk.example",
    )


def test_a_guest_with_licences_but_no_usage_location_is_warned_too() -> None:
    guest = person(user_type="Guest", usage_location=None)
    assert line(judge(facts(guest)), CheckKind.LICENCES).state is CheckState.WARN


def test_no_usage_location_with_licences_is_a_warning() -> None:
    check = line(judge(facts(person(usage_location=None))), CheckKind.LICENCES)
    assert (check.state, check.summary_key) == (CheckState.WARN, "access.licences.no_location_has")
    assert check.params == {"names": "Microsoft 365 E3, Power BI Pro"}


def test_no_licences_is_a_warning() -> None:
    check = line(judge(facts(licences=[])), CheckKind.LICENCES)
    assert (check.state, check.summary_key) == (CheckState.WARN, "access.licences.none")


# --- key groups -----------------------------------------------------------------------------


def test_without_configured_key_groups_there_is_no_groups_line() -> None:
    report = judge(facts(groups=Fact.unchecked("error.forbidden")), AccessPolicy())
    assert CheckKind.GROUPS not in [c.kind for c in report.checks]
    assert len(report.checks) == 5


def test_member_of_every_key_group() -> None:
    check = line(judge(), CheckKind.GROUPS)
    assert (check.state, check.summary_key) == (CheckState.OK, "access.groups.all")
    assert check.params == {"member": "Personeel Omgeving, Power BI Pro-gebruikers"}


def test_outside_some_key_groups_is_still_in_order() -> None:
    groups = [GroupRef(STAFF_GROUP.upper(), "GRP"), GroupRef("other", "Fietsclub")]
    check = line(judge(facts(groups=groups)), CheckKind.GROUPS)
    assert (check.state, check.summary_key) == (CheckState.OK, "access.groups.some")
    assert check.params == {"member": "Personeel Omgeving", "missing": "Power BI Pro-gebruikers"}


def test_outside_every_key_group_is_a_warning() -> None:
    check = line(judge(facts(groups=[GroupRef("other", "Fietsclub")])), CheckKind.GROUPS)
    assert (check.state, check.summary_key) == (CheckState.WARN, "access.groups.none")
    assert check.params == {"missing": "Personeel Omgeving, Power BI Pro-gebruikers"}
    assert check.next_step_url == "https://desk.example"


# --- devices --------------------------------------------------------------------------------


def test_no_device_at_all_needs_action() -> None:
    check = line(judge(facts(devices=[])), CheckKind.DEVICES)
    assert (check.state, check.summary_key) == (CheckState.ACTION, "access.devices.none")
    assert (check.next_step_key, check.next_step_url) == (
        "access.next.register_device",
        "https://devices.example",
    )


def test_no_compliant_device_needs_action() -> None:
    devices = [
        Device("PC-OUD", "Windows", managed=True, compliance="noncompliant"),
        Device("iPad", "iPadOS", managed=False, compliance="unknown"),  # registered only
    ]
    check = line(judge(facts(devices=devices)), CheckKind.DEVICES)
    assert (check.state, check.summary_key) == (CheckState.ACTION, "access.devices.noncompliant")
    assert check.params == {"devices": "iPad (iPadOS), PC-OUD (Windows)"}
    assert check.next_step_key == "access.next.devices"


def test_devices_whose_compliance_nobody_states_are_a_warning() -> None:
    devices = [Device("", "", compliance="unknown"), Device("iPad", "iPadOS", compliance="Unknown")]
    check = line(judge(facts(devices=devices)), CheckKind.DEVICES)
    assert (check.state, check.summary_key) == (CheckState.WARN, "access.devices.unknown_state")
    assert check.params == {"devices": "iPad (iPadOS), ?"}
    assert check.next_step_url == "https://devices.example"


def test_a_grace_period_is_a_warning() -> None:
    devices = [
        Device("PC-1", "Windows", managed=True, compliance="inGracePeriod"),
        Device("PC-2", "Windows", managed=True, compliance="noncompliant"),
    ]
    check = line(judge(facts(devices=devices)), CheckKind.DEVICES)
    assert (check.state, check.summary_key) == (CheckState.WARN, "access.devices.grace")
    assert check.params == {"devices": "PC-1 (Windows)"}


def test_one_compliant_device_is_enough() -> None:
    devices = [Device("PC-OUD", "Windows", compliance="noncompliant"), LAPTOP]
    check = line(judge(facts(devices=devices)), CheckKind.DEVICES)
    assert (check.state, check.summary_key) == (CheckState.OK, "access.devices.ok_some")
    assert check.params == {"devices": "LAPTOP-0042 (Windows)", "others": "PC-OUD (Windows)"}


def test_devices_are_listed_recent_first_and_cut_short() -> None:
    devices = [
        Device(f"PC-{n}", "", compliance="Compliant", last_seen=NOW - timedelta(days=n))
        for n in range(7)
    ] + [Device("", "Android", compliance="compliant"), Device("", "", compliance="compliant")]
    check = line(judge(facts(devices=devices)), CheckKind.DEVICES)
    assert check.params == {"devices": "PC-0, PC-1, PC-2, PC-3, PC-4, …"}
    names = line(judge(facts(devices=devices[-2:])), CheckKind.DEVICES).params["devices"]
    assert names == "Android, ?"


def test_devices_seen_with_naive_times_sort_too() -> None:
    devices = [
        Device("A", compliance="compliant", last_seen=datetime(2026, 1, 1)),
        Device("B", compliance="compliant", last_seen=datetime(2026, 6, 1, tzinfo=UTC)),
    ]
    assert line(judge(facts(devices=devices)), CheckKind.DEVICES).params["devices"] == "B, A"


# --- catalogue ------------------------------------------------------------------------------

_ROOT = Path(__file__).resolve().parents[3]
_ACCESS_KEY = re.compile(r"^access\.[a-z_]+(\.[a-z0-9_]+)+$")


def _access_keys_in(relative: str) -> set[str]:
    tree = ast.parse((_ROOT / relative).read_text(encoding="utf-8"))
    return {
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and _ACCESS_KEY.match(node.value)
    }


@pytest.mark.parametrize("locale", LOCALES)
def test_every_message_id_the_rules_and_cards_use_exists(locale: str) -> None:
    used = _access_keys_in("bot/domain/access/rules.py") | _access_keys_in("cards/access/status.py")
    assert len(used) > 50, "the scan found too little; is it still reading the code?"
    assert used - set(catalog_messages(locale)) == set()
    assert {f"access.kind.{kind.value}" for kind in CheckKind} <= set(catalog_messages(locale))
