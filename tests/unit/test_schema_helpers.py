"""The contract checks other tests rely on: they accept what Teams accepts and say why not."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from jsonschema import Draft6Validator
from jsonschema.validators import validator_for
from referencing.exceptions import Unresolvable

from tests.support.schemas import (
    CARD_SCHEMA_URL,
    SCHEMA_DIR,
    manifest_versions,
    schema_registry,
    teams_schema_url,
    validate_card,
    validate_localisation,
    validate_manifest,
)

BOT_ID = "6f1c2a7e-3b4d-4e5f-8a9b-0c1d2e3f4a5b"


def minimal_card() -> dict[str, Any]:
    return {
        "type": "AdaptiveCard",
        "$schema": CARD_SCHEMA_URL,
        "version": "1.5",
        "body": [
            {"type": "TextBlock", "text": "Je post", "size": "Large", "wrap": True},
            {
                "type": "ActionSet",
                "actions": [{"type": "Action.Execute", "title": "Open", "verb": "post.open"}],
            },
        ],
        "actions": [
            {
                "type": "Action.Execute",
                "title": "Gelezen",
                "verb": "post.mark_read",
                "data": {"id": "p1"},
            },
            {
                "type": "Action.ShowCard",
                "title": "Meer",
                "card": {
                    "type": "AdaptiveCard",
                    "body": [{"type": "TextBlock", "text": "Details"}],
                },
            },
        ],
        "msteams": {"width": "Full"},
    }


def minimal_manifest() -> dict[str, Any]:
    version = manifest_versions()[-1]
    return {
        "$schema": teams_schema_url(version),
        "manifestVersion": version,
        "version": "1.0.0",
        "id": BOT_ID,
        "developer": {
            "name": "Werkplek",
            "websiteUrl": "https://werkplek.example",
            "privacyUrl": "https://werkplek.example/privacy",
            "termsOfUseUrl": "https://werkplek.example/gebruiksvoorwaarden",
        },
        "name": {"short": "Werkplek"},
        "description": {"short": "Kort", "full": "Lang"},
        "icons": {"color": "color.png", "outline": "outline.png"},
        "accentColor": "#1B3F7A",
        "bots": [{"botId": BOT_ID, "scopes": ["personal"]}],
    }


def rejection(check: Any, document: Any) -> str:
    with pytest.raises(AssertionError) as caught:
        check(document)
    return str(caught.value)


# --- cards ---------------------------------------------------------------------------------------


def test_a_minimal_teams_card_passes() -> None:
    validate_card(minimal_card())


def test_the_teams_mention_extension_passes() -> None:
    card = minimal_card()
    card["msteams"]["entities"] = [
        {"type": "mention", "text": "<at>An</at>", "mentioned": {"id": "29:1", "name": "An"}}
    ]
    validate_card(card)


def test_an_unknown_element_type_is_named_with_its_path() -> None:
    card = minimal_card()
    card["body"].append({"type": "Carousel", "pages": []})
    message = rejection(validate_card, card)
    assert "$.body[2]: unknown type 'Carousel'" in message
    assert "TextBlock" in message  # the allowed types are listed


def test_action_execute_needs_a_verb_wherever_it_is() -> None:
    card = minimal_card()
    del card["actions"][0]["verb"]
    card["body"][1]["actions"][0]["verb"] = "  "
    message = rejection(validate_card, card)
    assert "$.actions[0]: Action.Execute has no verb" in message
    assert "$.body[1].actions[0]: Action.Execute has no verb" in message


@pytest.mark.parametrize("version", ["1.4", "1.6", 1.5, None])
def test_the_card_version_must_be_1_5(version: object) -> None:
    card = minimal_card()
    if version is None:
        del card["version"]
    else:
        card["version"] = version
    assert "$.version:" in rejection(validate_card, card)


def test_the_root_must_be_an_adaptive_card() -> None:
    card = minimal_card()
    card["type"] = "MessageCard"
    assert "$.type: 'MessageCard' is not 'AdaptiveCard'" in rejection(validate_card, card)
    assert "JSON object" in rejection(validate_card, [card])


def test_schema_errors_point_at_the_field() -> None:
    card = minimal_card()
    card["body"][0]["size"] = "Huge"
    card["body"][0]["colour"] = "red"
    card["actions"][1]["card"]["body"][0]["isSubtle"] = "yes"
    message = rejection(validate_card, card)
    assert "$.body[0].size: 'Huge' is not one of" in message
    assert "$.body[0]: unexpected property 'colour'" in message
    assert "$.actions[1].card.body[0].isSubtle: 'yes' is not of type boolean or null" in message


def test_the_teams_extension_is_checked_too() -> None:
    card = minimal_card()
    card["msteams"] = {"width": "Wide", "height": 3}
    message = rejection(validate_card, card)
    assert "$.msteams.width: 'Wide' is not 'Full'" in message
    assert "$.msteams.height: unknown Teams card property" in message


def test_validating_leaves_the_card_untouched() -> None:
    card = minimal_card()
    before = copy.deepcopy(card)
    validate_card(card)
    assert card == before


# --- manifest and language files ------------------------------------------------------------------


def test_a_minimal_manifest_passes() -> None:
    validate_manifest(minimal_manifest())


def test_a_manifest_version_without_a_copied_schema_is_refused() -> None:
    manifest = minimal_manifest()
    manifest["manifestVersion"] = "1.99"
    assert "manifestVersion '1.99' has no schema" in rejection(validate_manifest, manifest)


def test_the_declared_schema_must_match_the_manifest_version() -> None:
    # The Teams schemas are draft-04, which ignores their own `const` on manifestVersion.
    manifest = minimal_manifest()
    manifest["$schema"] = teams_schema_url("1.16")
    assert "$['$schema']" in rejection(validate_manifest, manifest)


def test_manifest_errors_are_listed_with_paths() -> None:
    manifest = minimal_manifest()
    del manifest["developer"]
    manifest["bots"][0]["botId"] = "not-a-guid"
    manifest["accentColor"] = "blue"
    message = rejection(validate_manifest, manifest)
    assert "$: 'developer' is a required property" in message
    assert "$.bots[0].botId:" in message
    assert "$.accentColor:" in message


def test_a_language_file_is_checked_against_its_declared_version() -> None:
    version = manifest_versions()[-1]
    doc = {
        "$schema": teams_schema_url(version, localisation=True),
        "name.short": "Werkplek",
        "description.short": "Post, licences and access",
        "description.full": "Your digital workplace in Teams.",
        "bots[0].commandLists[0].commands[0].title": "help",
    }
    validate_localisation(doc)
    doc["name.short"] = "x" * 31
    doc["bots[0].commandLists[0].commands[10].title"] = "too many"
    message = rejection(validate_localisation, doc)
    assert "$['name.short']" in message
    assert "$: unexpected property 'bots[0].commandLists[0].commands[10].title'" in message


def test_a_language_file_must_say_which_version_it_is() -> None:
    assert "declares no" in rejection(validate_localisation, {"name.short": "Werkplek"})


# --- the schemas themselves -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "path", sorted(SCHEMA_DIR.rglob("*.json")), ids=lambda p: str(p.relative_to(SCHEMA_DIR))
)
def test_every_copied_schema_is_a_valid_schema(path: Any) -> None:
    # Why the manifest is pinned to the newest version that passes this (see manifest/schemas).
    schema = json.loads(path.read_text("utf-8"))
    validator_for(schema).check_schema(schema)


def test_every_copied_schema_has_its_licence() -> None:
    for family in ("teams", "adaptivecards"):
        assert "MIT License" in (SCHEMA_DIR / family / "LICENSE").read_text("utf-8")


def test_references_outside_the_copied_schemas_are_never_fetched() -> None:
    validator = Draft6Validator(
        {"$ref": "https://example.invalid/x.json"}, registry=schema_registry()
    )
    with pytest.raises(Unresolvable):
        validator.validate({})
