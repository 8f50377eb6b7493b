"""The Playground's people are the demo tenant's people, so the bot's Graph lookups for the
sender (by aadObjectId) resolve in the Graph emulator."""

from __future__ import annotations

import json
from pathlib import Path

from devtools.playground import DEFAULT_CONFIG, load_config

TENANT_FILE = Path(__file__).resolve().parents[2] / "devtools" / "demo_tenant.json"


def test_current_user_is_lotte_and_jef_is_in_the_tenant() -> None:
    config = load_config(DEFAULT_CONFIG)

    assert config["tenantId"] == "8a0c3f5e-1b2d-4c6e-9f70-2a4b6c8d0e1f"
    assert config["currentUser"]["name"] == "Lotte Janssens"
    assert config["currentUser"]["userPrincipleName"] == "lotte.janssens@demo.werkplek.be"
    assert config["currentUser"]["aadObjectId"] == "6c1e2f3a-9b4d-4e7f-8a21-3d5c7b9e0f12"
    jef = next(u for u in config["users"] if u["name"] == "Jef Peeters")
    assert jef["aadObjectId"] == "2d4f6a8c-0e1b-4d3f-a5c7-e9b1d3f5a7c9"
    assert jef["userPrincipleName"] == "jef.peeters@demo.werkplek.be"


def test_every_playground_user_exists_in_the_demo_tenant() -> None:
    config = load_config(DEFAULT_CONFIG)
    tenant = json.loads(TENANT_FILE.read_text(encoding="utf-8"))
    directory = {user["id"]: user for user in tenant["users"]}

    # The Playground insists on exactly five users besides the current one.
    assert len(config["users"]) == 5
    assert config["tenantId"] == tenant["tenant"]["id"]
    for person in [config["currentUser"], *config["users"]]:
        entry = directory.get(person["aadObjectId"])
        assert entry is not None, f"{person['aadObjectId']} is not in the demo tenant"
        assert person["userPrincipleName"] == entry["userPrincipalName"]
        assert person["name"] == entry["displayName"]
        assert person["email"] == entry["mail"]
        assert entry["accountEnabled"] is True


def test_team_is_a_team_group_of_the_tenant() -> None:
    config = load_config(DEFAULT_CONFIG)
    tenant = json.loads(TENANT_FILE.read_text(encoding="utf-8"))
    groups = {group["id"]: group for group in tenant["groups"]}

    team = groups.get(config["team"]["aadGroupId"])

    assert team is not None
    assert team["displayName"] == config["team"]["name"]
    assert config["currentUser"]["aadObjectId"] in team["members"]
