"""`make screenshots` (devtools/screenshots.py): what it types names real commands, and the demo
data gives each picture the person it needs. The pictures themselves are taken by the script."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from bot.commands.registry import Registry
from bot.domain.platform.roles import Role
from bot.i18n import catalog_messages
from devtools.demo_post import SAMPLES
from devtools.screenshots import (
    HEADINGS,
    HELP_BUTTON_COMMAND,
    POST_SUBJECT,
    REQUEST,
    REQUESTER,
    TYPED,
    VIEWER,
    Typed,
    heading_pieces,
    viewer_config,
)
from devtools.stack import DEMO_ROLES_FILE
from dialogs import DIALOGS, command_specs

DEMO_TENANT = Path("devtools/demo_tenant.json")


@pytest.fixture(scope="module")
def registry() -> Registry:
    """The app's registry over every dialog's declarations (the dialogs are not built: only
    their commands are read, no handler runs)."""
    built = Registry()
    for dialog in DIALOGS:
        built.add_dialog(object.__new__(dialog))
    return built


@pytest.fixture(scope="module")
def tenant() -> dict[str, Any]:
    return dict(json.loads(DEMO_TENANT.read_text(encoding="utf-8")))


def user_named(tenant: dict[str, Any], name: str) -> dict[str, Any]:
    return dict(next(u for u in tenant["users"] if u["displayName"] == name))


def groups_of(tenant: dict[str, Any], user_id: str) -> set[str]:
    """The groups a user is in, directly or through a group in a group."""
    found: set[str] = set()
    members = {g["id"]: set(g.get("members") or ()) for g in tenant["groups"]}
    frontier = {user_id}
    while frontier:
        frontier = {g for g, inside in members.items() if inside & frontier} - found
        found |= frontier
    return found


@pytest.mark.parametrize("typed", [*TYPED.values(), REQUEST], ids=[*TYPED, "request"])
def test_what_is_typed_opens_with_the_keyword_of_its_command(
    registry: Registry, typed: Typed
) -> None:
    found = registry.explicit(typed.text)

    assert found is not None, f"{typed.text!r} does not open with a command's keyword"
    assert found.command.spec.name == typed.command


def test_the_help_button_is_on_the_welcome_card() -> None:
    spec = next(s for s in command_specs() if s.name == HELP_BUTTON_COMMAND)

    assert spec.featured
    assert spec.role is Role.STAFF


@pytest.mark.parametrize("name", list(HEADINGS))
def test_every_picture_is_checked_against_a_heading_of_the_catalog(name: str) -> None:
    key = HEADINGS[name]

    assert key in catalog_messages("nl")
    assert heading_pieces(key), f"{key} is only placeholders: nothing to recognise its card by"


def test_every_typed_picture_is_a_picture() -> None:
    assert set(TYPED) <= set(HEADINGS)


def test_the_page_is_the_requesters_manager(tmp_path: Path, tenant: dict[str, Any]) -> None:
    config = json.loads(viewer_config(tmp_path).read_text(encoding="utf-8"))
    users = [config["currentUser"], *config["users"]]

    assert config["currentUser"]["name"] == VIEWER
    assert REQUESTER in [u["name"] for u in config["users"]]
    assert len({u["id"] for u in users}) == len(users)
    # Her approval card goes to him: the chat the page shows.
    requester = user_named(tenant, REQUESTER)
    assert requester["manager"] == config["currentUser"]["aadObjectId"]


def test_the_viewer_may_not_run_the_refused_command(tenant: dict[str, Any]) -> None:
    refused = next(s for s in command_specs() if s.name == TYPED["refusal"].command)
    roles = json.loads(DEMO_ROLES_FILE.read_text(encoding="utf-8"))
    groups = groups_of(tenant, user_named(tenant, VIEWER)["id"])
    held = frozenset(Role(role) for role, ids in roles.items() if groups & set(ids))

    assert not refused.allows(held | {Role.STAFF})


def test_a_demo_letter_is_addressed_to_the_viewer() -> None:
    letters = [s for s in SAMPLES if POST_SUBJECT in s.subject]
    surname = VIEWER.split()[-1]

    assert len(letters) == 1
    assert surname in letters[0].addressee
