"""Settings: parsing from the environment and refusing unsafe combinations."""

from __future__ import annotations

import pytest

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


def test_env_example_documents_every_setting() -> None:
    from pathlib import Path

    example = Path(__file__).resolve().parents[2] / ".env.example"
    documented = {
        line.split("=", 1)[0]
        for line in example.read_text(encoding="utf-8").splitlines()
        if line and not line.startswith("#")
    }
    declared = {str(field.validation_alias) for field in Settings.model_fields.values()}
    assert documented == declared
