"""The connector host allow-list: what it lets through, what it refuses, how it is configured,
and that no conversation reference outside it is stored."""

from __future__ import annotations

import pytest

from bot.domain.platform.connector_hosts import TEAMS_CONNECTOR_HOSTS, ConnectorHosts
from bot.domain.platform.conversations import ConversationRef
from bot.services.platform.contacts import ContactBook
from bot.settings import ConfigurationError, Settings, check_startup
from tests.unit.outbox.fakes import FakeConversationRefs

TEAMS = ConnectorHosts.teams()
LOCAL = ConnectorHosts(["127.0.0.1:3980", "[::1]", "localhost"])
GRAPH = {
    "azure_tenant_id": "t",
    "azure_client_id": "c",
    "azure_client_secret": "s",
}


@pytest.mark.parametrize(
    "url",
    [
        "https://smba.trafficmanager.net/teams/",
        "https://smba.trafficmanager.net/emea/",
        "https://SMBA.TrafficManager.net/amer/",
        "https://smba.trafficmanager.net:443/apac/",
        "https://smba.infra.gcc.teams.microsoft.com/teams",
        "https://smba.infra.gov.teams.microsoft.us/teams",
        "https://smba.infra.dod.teams.microsoft.us/teams",
    ],
)
def test_the_teams_service_urls_are_allowed(url: str) -> None:
    assert TEAMS.allows(url)


@pytest.mark.parametrize(
    "url",
    [
        "http://smba.trafficmanager.net/teams/",  # plain http to a remote host
        "https://evil.trafficmanager.net/teams/",  # a name anyone can create: no suffixes
        "https://smba.trafficmanager.net.evil.example/",
        "https://evil.example/smba.trafficmanager.net/",
        "https://smba.trafficmanager.net@evil.example/",
        "https://user@smba.trafficmanager.net/teams/",
        "https://smba.trafficmanager.net\\@evil.example/",
        "https://smba.trafficmanager.net./teams/",
        "https://smba.trafficmanager.net/teams/#x",
        " https://smba.trafficmanager.net/teams/",
        "https://smba.trafficmanager.net/te ams/",
        "https://smba.trafficmanager.net:99999/",
        "https://smba.trafficmanager.net:x/",
        "https://smba%2etrafficmanager.net/",
        "https://[::1/",
        "ftp://smba.trafficmanager.net/",
        "//smba.trafficmanager.net/teams/",
        "https://127.0.0.1/",  # loopback only by an explicit entry
        "",
        "https://" + "a" * 3000,
        None,
        42,
    ],
)
def test_anything_else_is_refused(url: object) -> None:
    assert not TEAMS.allows(url)


def test_loopback_entries_allow_http_and_pin_the_port_when_they_name_one() -> None:
    assert LOCAL.allows("http://127.0.0.1:3980/")
    assert not LOCAL.allows("http://127.0.0.1:3981/")
    assert not LOCAL.allows("http://127.0.0.2:3980/")
    assert LOCAL.allows("http://[::1]:1234/")
    assert LOCAL.allows("http://[0:0:0:0:0:0:0:1]:1234/")
    assert LOCAL.allows("http://localhost:5/_connector")
    assert LOCAL.allows("https://localhost/")


@pytest.mark.parametrize(
    "entry",
    [
        "*.trafficmanager.net",
        ".trafficmanager.net",
        "https://smba.trafficmanager.net",
        "a b",
        "x:0",
    ],
)
def test_an_entry_that_is_not_a_host_is_refused_at_start(entry: str) -> None:
    with pytest.raises(ValueError):
        ConnectorHosts([entry])


def test_the_default_setting_is_the_teams_hosts_and_bad_entries_fail_validation() -> None:
    settings = Settings(_env_file=None, **GRAPH)  # type: ignore[arg-type]
    assert settings.connector_hosts == list(TEAMS_CONNECTOR_HOSTS)
    assert settings.connector_max_retry_after == 60.0
    check_startup(settings)
    with pytest.raises(ValueError, match="connector host"):
        Settings(_env_file=None, connector_hosts="*.trafficmanager.net", **GRAPH)  # type: ignore[arg-type]


def test_the_default_service_url_must_be_on_an_allowed_host() -> None:
    settings = Settings(  # type: ignore[arg-type]
        _env_file=None, default_service_url="http://127.0.0.1:3980/", **GRAPH
    )
    with pytest.raises(ConfigurationError, match="WERKPLEK_DEFAULT_SERVICE_URL"):
        check_startup(settings)
    check_startup(settings.model_copy(update={"connector_hosts": ["127.0.0.1:3980"]}))


async def test_a_reference_outside_the_list_is_never_stored() -> None:
    refs = FakeConversationRefs()
    book = ContactBook(_NoUsers(), refs, TEAMS)
    assert not await book.reachable_at(
        ConversationRef("u1", "t1", "https://evil.example/teams/", "a:1x", "28:bot")
    )
    assert refs.refs == {}
    good = ConversationRef("u1", "t1", "https://smba.trafficmanager.net/emea/", "a:1x", "28:bot")
    assert await book.reachable_at(good)
    assert refs.refs == {("t1", "u1"): good}
    # a later activity from elsewhere does not replace the good reference either
    assert not await book.reachable_at(
        ConversationRef("u1", "t1", "https://evil.example/", "a:1y", "28:bot")
    )
    assert refs.refs == {("t1", "u1"): good}


class _NoUsers:
    async def upsert(self, user: object) -> None:
        raise AssertionError("not expected")
