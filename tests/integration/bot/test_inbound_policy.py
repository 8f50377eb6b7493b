"""The inbound policy on its own: which verified claims may speak, which connector URLs are one."""

from __future__ import annotations

import time
from typing import Any

import pytest
from microsoft_agents.hosting.core.authorization.authentication_constants import (
    AuthenticationConstants,
)

from bot.settings import Settings
from bot.teams.auth import InboundPolicy, same_service_url

TENANT = "8a0c3f5e-1b2d-4c6e-9f70-2a4b6c8d0e1f"
PLATFORM = "5a807f24-c9de-44ee-a3a7-329e88a00ffc"
OTHER_APP = "0b1c2d3e-4f50-4617-8293-a4b5c6d7e8f9"


def policy(**overrides: Any) -> InboundPolicy:
    values: dict[str, Any] = {"bot_app_id": "bot", "bot_tenant_id": TENANT, **overrides}
    return InboundPolicy.from_settings(Settings(_env_file=None, **values))  # type: ignore[call-arg]


def claims(iss: str, **more: Any) -> dict[str, Any]:
    return {"iss": iss, "aud": "bot", "exp": int(time.time()) + 600, **more}


def test_the_default_caller_is_the_agents_platform_the_sdk_names() -> None:
    # Verified against the SDK rather than copied from a web page: its production APX scope.
    assert f"{PLATFORM}/.default" == AuthenticationConstants.APX_PRODUCTION_SCOPE
    assert Settings(_env_file=None).bot_entra_callers == [PLATFORM]  # type: ignore[call-arg]


@pytest.mark.parametrize(
    ("token", "accepted"),
    [
        (claims("https://api.botframework.com"), True),
        (claims("HTTPS://API.BOTFRAMEWORK.COM"), True),
        (claims("https://api.botframework.us"), False),  # another cloud: not ours
        (claims(f"https://sts.windows.net/{TENANT}/", appid=PLATFORM), True),
        (claims(f"https://sts.windows.net/{TENANT.upper()}/", appid=PLATFORM.upper()), True),
        (claims(f"https://login.microsoftonline.com/{TENANT}/v2.0", ver="2.0", azp=PLATFORM), True),
        (
            claims(f"https://login.microsoftonline.com/{TENANT}/v2.0", ver="2.0", appid=PLATFORM),
            False,
        ),
        (claims(f"https://sts.windows.net/{TENANT}/", appid=OTHER_APP), False),
        (claims(f"https://sts.windows.net/{TENANT}/", appid=""), False),
        (claims(f"https://sts.windows.net/{TENANT}/", appid=["x"]), False),
        (claims(f"https://sts.windows.net/{TENANT}/", ver="3", appid=PLATFORM), False),
        (
            claims("https://sts.windows.net/99999999-0000-4000-8000-000000000000/", appid=PLATFORM),
            False,
        ),
        (claims(f"https://login.microsoftonline.us/{TENANT}/v2.0", ver="2.0", azp=PLATFORM), False),
        (claims(f"https://sts.windows.net/{TENANT}", appid=PLATFORM), False),  # no final slash
        (claims(["https://api.botframework.com"]), False),  # type: ignore[arg-type]
        ({"iss": "https://api.botframework.com", "aud": "bot"}, False),  # never expires
    ],
)
def test_which_issuers_and_callers_are_believed(token: dict[str, Any], accepted: bool) -> None:
    assert (policy().refusal(token) is None) is accepted


def test_a_multi_tenant_bot_believes_only_the_bot_framework() -> None:
    multi = policy(bot_tenant_id="")
    assert multi.tenant_issuers == frozenset()
    assert multi.refusal(claims(f"https://sts.windows.net/{TENANT}/", appid=PLATFORM))
    assert multi.refusal(claims("https://api.botframework.com")) is None


def test_callers_are_configurable_and_can_be_none() -> None:
    token = claims(f"https://sts.windows.net/{TENANT}/", appid=OTHER_APP)
    assert policy(bot_entra_callers=f"{OTHER_APP}, {PLATFORM}").refusal(token) is None
    nobody = policy(bot_entra_callers="")
    assert nobody.refusal(token)
    assert nobody.refusal(claims(f"https://sts.windows.net/{TENANT}/", appid=PLATFORM))


@pytest.mark.parametrize(
    ("claim", "service_url", "same"),
    [
        ("https://smba.trafficmanager.net/emea/", "https://smba.trafficmanager.net/emea/", True),
        ("https://smba.trafficmanager.net/emea", "https://SMBA.trafficmanager.net/emea/", True),
        ("HTTPS://smba.trafficmanager.net/emea/", "https://smba.trafficmanager.net:443/emea", True),
        ("https://smba.trafficmanager.net/emea/", "https://smba.trafficmanager.net/amer/", False),
        ("https://smba.trafficmanager.net/emea/", "http://smba.trafficmanager.net/emea/", False),
        (
            "https://smba.trafficmanager.net/",
            "https://smba.trafficmanager.net.evil.example/",
            False,
        ),
        ("https://smba.trafficmanager.net/", "https://smba.trafficmanager.net:8443/", False),
        ("https://smba.trafficmanager.net/", "https://user@evil.example/", False),
        ("https://smba.trafficmanager.net/", "https://smba.trafficmanager.net/?x=1", False),
        ("https://smba.trafficmanager.net/", "https://smba.trafficmanager.net:99999/", False),
        ("https://smba.trafficmanager.net/", "javascript:alert(1)", False),
        ("", "", False),
        (None, None, False),
        ("https://smba.trafficmanager.net/", 42, False),
    ],
)
def test_service_urls_compare_by_scheme_host_port_and_path(
    claim: Any, service_url: Any, same: bool
) -> None:
    assert same_service_url(claim, service_url) is same
