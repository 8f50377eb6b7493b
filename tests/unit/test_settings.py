"""Settings: parsing from the environment and refusing unsafe combinations."""

from __future__ import annotations

import re
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError

from bot.settings import ConfigurationError, Settings, check_startup

GRAPH = {"azure_tenant_id": "t", "azure_client_id": "c", "azure_client_secret": "s"}


def make(**values: object) -> Settings:
    return Settings(_env_file=None, **(GRAPH | values))  # type: ignore[arg-type]


def test_environment_names_follow_the_contract(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PORT", "4000")
    monkeypatch.setenv("DATABASE_URL", "postgresql+asyncpg://db/werkplek")
    monkeypatch.setenv("WERKPLEK_ALLOWED_TENANTS", " t1 , t2,")
    monkeypatch.setenv("WERKPLEK_ROLE_GROUPS", '{"agent": ["g1", "g2"]}')
    monkeypatch.setenv("CONNECTIONS__SERVICE_CONNECTION__SETTINGS__CLIENTID", "bot-id")
    settings = make()
    assert settings.port == 4000
    assert settings.database_url == "postgresql+asyncpg://db/werkplek"
    assert settings.allowed_tenants == ["t1", "t2"]
    assert settings.role_groups == {"agent": ["g1", "g2"]}
    assert settings.bot_app_id == "bot-id" and not settings.is_anonymous


def test_allowed_tenants_default_to_the_own_tenant() -> None:
    assert make(azure_tenant_id="own").tenants == {"own"}
    assert make(azure_tenant_id="own", allowed_tenants=["a"]).tenants == {"a"}
    assert make(azure_tenant_id="").tenants == frozenset()


@pytest.mark.parametrize("host", ["127.0.0.1", "::1", "localhost", "127.0.0.2"])
def test_anonymous_on_loopback_may_start(host: str) -> None:
    check_startup(make(host=host))


@pytest.mark.parametrize("host", ["0.0.0.0", "10.1.2.3", "werkplek.example.org"])
def test_anonymous_elsewhere_refuses_to_start(host: str) -> None:
    with pytest.raises(ConfigurationError, match="loopback"):
        check_startup(make(host=host))


def test_with_a_bot_identity_any_host_is_fine() -> None:
    check_startup(make(host="0.0.0.0", bot_app_id="bot-id"))


def test_graph_credentials_are_required() -> None:
    with pytest.raises(ConfigurationError, match="AZURE_CLIENT_SECRET"):
        check_startup(make(azure_client_secret=""))


def test_secrets_do_not_show_in_repr() -> None:
    settings = make(azure_client_secret="s3cr3t", bot_app_secret="b0t")
    assert "s3cr3t" not in repr(settings) and "b0t" not in repr(settings)


def _documented() -> list[str]:
    example = Path(__file__).resolve().parents[2] / ".env.example"
    return [
        line.split("=", 1)[0]
        for line in example.read_text(encoding="utf-8").splitlines()
        if line and not line.startswith("#")
    ]


# A value each kind of setting accepts and that differs from every default.
_SAMPLES = {
    "WERKPLEK_TIMEZONE": "America/New_York",
    "WERKPLEK_METRICS_TOKEN": "ab" * 32,
    "WERKPLEK_INTAKE_TOKENS": "scanner-1:" + "cd" * 32,
    "WERKPLEK_CONNECTOR_HOSTS": "connector.example.org",
    "WERKPLEK_ROLE_GROUPS": '{"agent": ["g1"]}',
    "WERKPLEK_ACCESS_KEY_GROUPS": '{"g1": "Staff"}',
    "WERKPLEK_WORKING_HOURS": "07:30-16:00",
    "WERKPLEK_HOLIDAY_COUNTRY": "NL",
    "WERKPLEK_CLOSING_DAYS": "11-02,2026-12-24",
    "WERKPLEK_SERVICEDESK_ENTITY_CHANNELS": '{"AWV": "19:awv@thread.tacv2"}',
    "WERKPLEK_SERVICEDESK_TARGETS": '{"high": [2, 6]}',
    "WERKPLEK_ANNOUNCEMENT_SCOPES": '{"g1": {"entities": ["AWV"]}}',
    "WERKPLEK_ANNOUNCEMENT_GROUPS": '{"g1": "Leidinggevenden"}',
    "WERKPLEK_ANNOUNCEMENT_CHANNELS": '{"19:c@thread.tacv2": "Algemeen"}',
    "WERKPLEK_ANNOUNCEMENT_API_KEYS": '{"flow": {"hash": "sha256:' + "ef" * 32 + '"}}',
    "WERKPLEK_ANNOUNCEMENT_API_APPS": '{"0d5a8f3e-6b1c-4e2d-9a7f-3c8b1e5d7a90": {"name": "app"}}',
}


def _sample(variable: str, default: object) -> str:
    if variable in _SAMPLES:
        return _SAMPLES[variable]
    if isinstance(default, bool):
        return "false" if default else "true"
    if isinstance(default, int | float):
        return str(default + 1)
    if isinstance(default, list):
        return "sample-a,sample-b"
    return "sample-value"


def _clear(monkeypatch: pytest.MonkeyPatch) -> None:
    for variable in _documented():
        monkeypatch.delenv(variable, raising=False)


def test_env_example_lists_each_variable_once() -> None:
    documented = _documented()
    assert len(documented) == len(set(documented))


def test_every_documented_variable_reaches_exactly_one_field(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _clear(monkeypatch)

    def read() -> dict[str, object]:
        return Settings(_env_file=None).model_dump()  # type: ignore[call-arg]

    baseline = read()
    reached: dict[str, str] = {}
    for variable in _documented():
        with monkeypatch.context() as env:
            env.setenv(variable, _sample(variable, _default_of(variable, baseline)))
            changed = [name for name, value in read().items() if value != baseline[name]]
        assert len(changed) == 1, f"{variable} changed {changed}"
        assert Settings.variable(changed[0]) == variable
        reached[variable] = changed[0]
    # ... and every field is reached by one of them: nothing Settings reads is undocumented.
    assert sorted(reached.values()) == sorted(Settings.model_fields)


def _default_of(variable: str, baseline: dict[str, object]) -> object:
    # Only to pick a value unlike the default: which field it reaches is what the test asserts.
    for name in Settings.model_fields:
        if Settings.variable(name) == variable:
            return baseline[name]
    return ""


@pytest.mark.parametrize(
    ("variable", "value", "field", "expected"),
    [
        ("PORT", "4001", "port", 4001),
        ("HOST", "10.0.0.1", "host", "10.0.0.1"),
        ("GRAPH_BASE_URL", "http://127.0.0.1:9/v1.0", "graph_base_url", "http://127.0.0.1:9/v1.0"),
        (
            "AZURE_AUTHORITY_HOST",
            "https://login.example",
            "azure_authority_host",
            "https://login.example",
        ),
        ("WERKPLEK_GRAPH_MAX_RETRY_AFTER", "7", "graph_max_retry_after", 7.0),
        ("WERKPLEK_CONNECTOR_MAX_RETRY_AFTER", "9", "connector_max_retry_after", 9.0),
        ("WERKPLEK_OUTBOX_ENABLED", "false", "outbox_enabled", False),
        ("WERKPLEK_POST_REMINDER_WORKING_DAYS", "5", "post_reminder_working_days", 5),
        (
            "WERKPLEK_FILE_DOWNLOAD_HOSTS",
            "a.example, b.example",
            "file_download_hosts",
            ["a.example", "b.example"],
        ),
        ("WERKPLEK_LOG_FORMAT", "text", "log_format", "text"),
        (
            "CONNECTIONS__SERVICE_CONNECTION__SETTINGS__TENANTID",
            "bot-tenant",
            "bot_tenant_id",
            "bot-tenant",
        ),
        (
            "CONNECTIONS__SERVICE_CONNECTION__SETTINGS__AUTHORITYENDPOINT",
            "https://login.example/t",
            "bot_authority_host",
            "https://login.example/t",
        ),
    ],
)
def test_documented_names_reach_their_field(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str, field: str, expected: object
) -> None:
    _clear(monkeypatch)
    monkeypatch.setenv(variable, value)
    assert getattr(make(), field) == expected


def test_secrets_come_from_their_documented_names(monkeypatch: pytest.MonkeyPatch) -> None:
    _clear(monkeypatch)
    monkeypatch.setenv("CONNECTIONS__SERVICE_CONNECTION__SETTINGS__CLIENTSECRET", "bot-secret")
    monkeypatch.setenv("WERKPLEK_LINK_SECRET", "link-secret")
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert settings.bot_app_secret.get_secret_value() == "bot-secret"
    assert settings.link_secret.get_secret_value() == "link-secret"


@pytest.mark.parametrize(
    ("variable", "field"),
    [
        ("WERKPLEK_PORT", "port"),  # the unprefixed names are not also read with the prefix
        ("WERKPLEK_DATABASE_URL", "database_url"),
        ("LOG_LEVEL", "log_level"),  # and the prefixed ones not without it
        ("TIMEZONE", "timezone"),
        ("WERKPLEK_GRAPH_MAX_RETRY_AFTER_SECONDS", "graph_max_retry_after"),
    ],
)
def test_undocumented_spellings_are_ignored(
    monkeypatch: pytest.MonkeyPatch, variable: str, field: str
) -> None:
    _clear(monkeypatch)
    default = getattr(make(), field)
    monkeypatch.setenv(variable, "1234")
    assert getattr(make(), field) == default


def test_the_time_zone_is_parsed_once_at_start_up() -> None:
    assert make().zone == ZoneInfo("Europe/Brussels")
    assert make(timezone=" America/New_York ").zone == ZoneInfo("America/New_York")


@pytest.mark.parametrize("zone", ["Europe/Brusels", "", "../etc/passwd", "Mars/Olympus_Mons"])
def test_an_unknown_time_zone_refuses_to_start(zone: str) -> None:
    with pytest.raises(ValidationError, match=r"WERKPLEK_TIMEZONE=.* is not an IANA time zone"):
        make(timezone=zone)


def test_tools_read_settings_from_their_own_variables_alone(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("WERKPLEK_LOG_LEVEL", "DEBUG")
    settings = Settings.from_variables(
        {
            "DATABASE_URL": "postgresql+asyncpg://db/werkplek",
            "AZURE_CLIENT_SECRET": "s",
            "WERKPLEK_ALLOWED_TENANTS": "t1,t2",
            "WERKPLEK_ROLE_GROUPS": '{"agent": ["g1"]}',
            "WERKPLEK_GRAPH_MAX_RETRY_AFTER": "4",
        }
    )
    assert settings.database_url == "postgresql+asyncpg://db/werkplek"
    assert settings.azure_client_secret.get_secret_value() == "s"
    assert settings.allowed_tenants == ["t1", "t2"]
    assert settings.role_groups == {"agent": ["g1"]}
    assert settings.graph_max_retry_after == 4.0
    assert settings.log_level == "INFO"  # not the process's environment


def test_a_misspelt_variable_is_refused_not_dropped() -> None:
    with pytest.raises(ValueError, match=r"WERKPLEK_ALLOWED_TENANT$"):
        Settings.from_variables({"WERKPLEK_ALLOWED_TENANT": "t1"})
    with pytest.raises(ValidationError, match="WERKPLEK_TIMEZONE"):
        Settings.from_variables({"WERKPLEK_TIMEZONE": "Europe/Nowhere"})


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("WERKPLEK_WORKING_HOURS", "17-8"),
        ("WERKPLEK_HOLIDAY_COUNTRY", "Belgie"),
        ("WERKPLEK_CLOSING_DAYS", "11/07"),
    ],
)
def test_a_calendar_setting_that_means_nothing_refuses_to_start(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str
) -> None:
    _clear(monkeypatch)
    monkeypatch.setenv(variable, value)
    with pytest.raises(ValueError, match=f"(?i){re.escape(value)}"):
        Settings(_env_file=None)  # type: ignore[call-arg]
