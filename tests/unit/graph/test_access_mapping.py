"""Graph sign-in methods, licences, SKUs and devices to the access-status domain objects."""

from __future__ import annotations

import datetime as dt
import uuid
from enum import Enum
from types import SimpleNamespace
from typing import Any

import pytest

from bot.domain.access.facts import Device
from bot.graph.mapping import (
    auth_method_kind,
    to_auth_method,
    to_licence,
    to_managed_device,
    to_registered_device,
    to_sku,
)


# Shaped like msgraph's enums: (str, Enum), whose str() is "ComplianceState.InGracePeriod", not
# the wire value. A StrEnum would hide a mapper that forgets .value.
class ComplianceState(str, Enum):  # noqa: UP042
    InGracePeriod = "inGracePeriod"
    Noncompliant = "noncompliant"


class PhoneType(str, Enum):  # noqa: UP042
    Mobile = "mobile"


def graph_object(**values: Any) -> SimpleNamespace:
    return SimpleNamespace(additional_data={}, **values)


@pytest.mark.parametrize(
    ("odata_type", "kind"),
    [
        ("#microsoft.graph.passwordAuthenticationMethod", "password"),
        ("#microsoft.graph.microsoftAuthenticatorAuthenticationMethod", "microsoftAuthenticator"),
        ("#microsoft.graph.windowsHelloForBusinessAuthenticationMethod", "windowsHelloForBusiness"),
        ("#microsoft.graph.fido2AuthenticationMethod", "fido2"),
        ("#microsoft.graph.phoneAuthenticationMethod", "phone"),
        ("#microsoft.graph.temporaryAccessPassAuthenticationMethod", "temporaryAccessPass"),
        ("#microsoft.graph.platformCredentialAuthenticationMethod", "platformCredential"),
        # A type this SDK version does not know yet is named the same way.
        ("#microsoft.graph.hardwareOathAuthenticationMethod", "hardwareOath"),
        ("#Microsoft.Graph.emailAuthenticationMethod", "email"),
        ("#microsoft.graph.authenticationMethod", "authenticationMethod"),
        (None, ""),
    ],
)
def test_method_kind_from_odata_type(odata_type: str | None, kind: str) -> None:
    assert auth_method_kind(odata_type) == kind


def test_method_with_name_and_creation_time() -> None:
    method = to_auth_method(
        graph_object(
            odata_type="#microsoft.graph.fido2AuthenticationMethod",
            display_name="YubiKey 5 NFC",
            created_date_time=dt.datetime(2026, 5, 1, 9, 30),
        )
    )

    assert method.kind == "fido2"
    assert method.display_name == "YubiKey 5 NFC"
    assert method.created == dt.datetime(2026, 5, 1, 9, 30, tzinfo=dt.UTC)


def test_phone_is_named_by_its_type_never_its_number() -> None:
    method = to_auth_method(
        graph_object(
            odata_type="#microsoft.graph.phoneAuthenticationMethod",
            phone_number="+32 470 123456",
            phone_type=PhoneType.Mobile,
        )
    )

    assert (method.kind, method.display_name, method.created) == ("phone", "mobile", None)


def test_untyped_method_from_raw_json() -> None:
    """kiota keeps what it could not type in additional_data; the wire names still map."""
    raw = SimpleNamespace(
        additional_data={
            "@odata.type": "#microsoft.graph.qrCodePinAuthenticationMethod",
            "createdDateTime": "2026-11-02T08:00:00Z",
        }
    )

    method = to_auth_method(raw)

    assert method.kind == "qrCodePin"
    assert method.created == dt.datetime(2026, 11, 2, 8, 0, tzinfo=dt.UTC)


def test_licence_and_sku_ids_are_lowercase_strings() -> None:
    sku_id = uuid.UUID("F8A1DB68-BE16-40ED-86D5-CB42CE701560")

    licence = to_licence(graph_object(sku_id=sku_id, sku_part_number="POWER_BI_PRO"))
    sku = to_sku(
        graph_object(
            sku_id=sku_id,
            sku_part_number="POWER_BI_PRO",
            prepaid_units=graph_object(enabled=25, suspended=0, warning=0),
            consumed_units=7,
        )
    )

    assert licence.sku_id == sku.sku_id == "f8a1db68-be16-40ed-86d5-cb42ce701560"
    assert (sku.enabled_units, sku.consumed_units) == (25, 7)


def test_sku_without_units_counts_zero() -> None:
    sku = to_sku(graph_object(sku_id="x", sku_part_number="TRIAL", prepaid_units=None))

    assert (sku.enabled_units, sku.consumed_units) == (0, 0)


def test_managed_device_keeps_intune_compliance() -> None:
    device = to_managed_device(
        graph_object(
            device_name="VO-LT-4115",
            operating_system="Windows",
            compliance_state=ComplianceState.InGracePeriod,
            last_sync_date_time=dt.datetime(2026, 11, 27, 12, 0, tzinfo=dt.UTC),
        )
    )

    assert device == Device(
        name="VO-LT-4115",
        operating_system="Windows",
        managed=True,
        compliance="inGracePeriod",
        last_seen=dt.datetime(2026, 11, 27, 12, 0, tzinfo=dt.UTC),
    )


def test_managed_device_never_synced_and_without_state() -> None:
    """Intune writes 0001-01-01 for "never"; a missing state is unknown, not compliant."""
    device = to_managed_device(
        graph_object(
            device_name="new",
            operating_system=None,
            compliance_state=None,
            last_sync_date_time=dt.datetime(1, 1, 1, tzinfo=dt.UTC),
        )
    )

    assert (device.compliance, device.last_seen, device.operating_system) == ("unknown", None, "")


@pytest.mark.parametrize(
    ("is_compliant", "compliance"),
    [(True, "compliant"), (False, "noncompliant"), (None, "unknown")],
)
def test_registered_device_compliance(is_compliant: bool | None, compliance: str) -> None:
    device = to_registered_device(
        graph_object(
            display_name="iPhone van Jef",
            operating_system="IPhone",
            is_compliant=is_compliant,
            is_managed=True,
            approximate_last_sign_in_date_time=None,
        )
    )

    assert device.compliance == compliance
    assert device.managed is True


def test_registered_device_with_only_an_id() -> None:
    """Without Device.Read.All Graph returns the id alone: nothing is made up."""
    device = to_registered_device(graph_object(id="d1"))

    assert device == Device(name="", operating_system="", managed=False, compliance="unknown")
