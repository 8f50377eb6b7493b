"""The contract checks other tests rely on: they accept what Teams accepts and say why not."""

from __future__ import annotations

import copy
import json
import re
import unicodedata
from collections.abc import Iterator
from typing import Any

import pytest
from jsonschema import Draft6Validator, SchemaError
from referencing.exceptions import Unresolvable

from tests.support.schemas import (
    CARD_SCHEMA_URL,
    SCHEMA_DIR,
    check_schema,
    ecma_pattern,
    manifest_versions,
    schema_registry,
    schema_validator,
    teams_schema_url,
    validate_card,
    validate_localisation,
    validate_manifest,
)

DRAFT_04 = "http://json-schema.org/draft-04/schema#"

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


def patterns_in(node: Any) -> Iterator[str]:
    """Every regular expression a schema holds: `pattern` values and `patternProperties` keys."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "pattern" and isinstance(value, str):
                yield value
            if key == "patternProperties" and isinstance(value, dict):
                yield from value
            yield from patterns_in(value)
    elif isinstance(node, list):
        for item in node:
            yield from patterns_in(item)


def errors(schema: dict[str, Any], instance: Any) -> list[str]:
    return [error.message for error in schema_validator(schema).iter_errors(instance)]


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
        "bots[0].commandLists[2].commands[11].title": "the twelfth",  # 12 commands since v1.24
    }
    validate_localisation(doc)
    doc["name.short"] = "x" * 31
    doc["bots[0].commandLists[0].commands[12].title"] = "too many"
    message = rejection(validate_localisation, doc)
    assert "$['name.short']" in message
    assert "$: unexpected property 'bots[0].commandLists[0].commands[12].title'" in message


def test_a_language_file_must_say_which_version_it_is() -> None:
    assert "declares no" in rejection(validate_localisation, {"name.short": "Werkplek"})


# --- the schemas themselves -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "path", sorted(SCHEMA_DIR.rglob("*.json")), ids=lambda p: str(p.relative_to(SCHEMA_DIR))
)
def test_every_copied_schema_is_a_valid_schema(path: Any) -> None:
    schema = json.loads(path.read_text("utf-8"))
    check_schema(schema)
    for pattern in patterns_in(schema):  # patternProperties keys too, which draft-04 never checks
        ecma_pattern(pattern)


def test_a_broken_regular_expression_still_fails_the_schema_check() -> None:
    with pytest.raises(SchemaError, match="is not a 'regex'"):
        check_schema({"$schema": DRAFT_04, "type": "string", "pattern": "^[\\p{L}"})


# --- Unicode property escapes (why the checks use the `regex` package) ----------------------------

EXCEL_NAME = "^[\\p{L}][\\p{L}0-9._]*$"


def excel_function_name() -> dict[str, Any]:
    """The copied Teams schema's own rule for an Excel custom function name, by reference."""
    url = teams_schema_url(manifest_versions()[-1])
    return {"$schema": DRAFT_04, "$ref": f"{url}#/definitions/extensionFunction/properties/name"}


def test_the_teams_schema_uses_a_property_escape_that_re_cannot_read() -> None:
    schema = schema_registry().contents(teams_schema_url(manifest_versions()[-1]))
    assert EXCEL_NAME in set(patterns_in(schema))
    with pytest.raises(re.error):
        re.compile(EXCEL_NAME)


@pytest.mark.parametrize(
    "name",
    [
        "Som",
        "Échéance",  # accented capitals and small letters
        "naïve_2.b",  # digits, underscore and dot after the first letter
        "Straße",  # ß is a letter
        "ǅemal",  # a titlecase letter (Lt)
        "合計関数",  # CJK ideographs and kana (Lo)
        "Σύνολο",
        "ʰabc",  # a modifier letter (Lm)
    ],
)
def test_a_unicode_letter_is_a_letter(name: str) -> None:
    assert errors(excel_function_name(), name) == []


@pytest.mark.parametrize(
    ("name", "category"),
    [
        ("1abc", "Nd"),  # the first character must be a letter
        ("_abc", "Pc"),
        (".abc", "Po"),
        ("ab²c", "No"),  # a superscript digit is alphanumeric in Python, not a letter
        ("abⅫc", "Nl"),  # so is a Roman numeral: `[^\W\d_]` would wrongly accept both
        ("ab٣c", "Nd"),  # an Arabic-Indic digit: `\d` would accept it, the schema says 0-9
        ("ab c", "Zs"),
        ("ab-c", "Pd"),
    ],
)
def test_what_is_not_a_letter_or_an_ascii_digit_is_refused(name: str, category: str) -> None:
    odd = next(c for c in name if not (c.isascii() and c.isalpha()))
    assert unicodedata.category(odd) == category  # the input is the case it claims to be
    assert errors(excel_function_name(), name) == [f"{name!r} does not match {EXCEL_NAME!r}"]


@pytest.mark.parametrize("char", ["²", "½", "Ⅻ"])
def test_rewriting_the_escape_for_re_would_not_be_faithful(char: str) -> None:
    # Why the checks use `regex` rather than rewriting `\p{L}` to `re`'s closest class.
    assert re.fullmatch(r"[^\W\d_]", char)
    assert not ecma_pattern(r"\p{L}").fullmatch(char)


def test_a_property_escape_is_not_read_as_the_letters_p_and_l() -> None:
    # Without Unicode mode, ECMA-262 reads `[\p{L}]` as the set "p{L}"; the schema means letters.
    assert errors(excel_function_name(), "Abc") == []
    assert errors(excel_function_name(), "p{L}") != []


def test_property_escapes_work_in_property_names_too() -> None:
    schema = {
        "$schema": DRAFT_04,
        "type": "object",
        "patternProperties": {"^\\p{Lu}": {"type": "integer"}},
        "additionalProperties": False,
    }
    assert errors(schema, {"Ärger": 1, "Ωmega": 2}) == []
    assert errors(schema, {"Ärger": "één"}) == ["'één' is not of type 'integer'"]
    assert errors(schema, {"ärger": 1, "_x": 2}) == ["unexpected properties 'ärger', '_x'"]


def test_every_copied_schema_has_its_licence() -> None:
    for family in ("teams", "adaptivecards"):
        assert "MIT License" in (SCHEMA_DIR / family / "LICENSE").read_text("utf-8")


def test_references_outside_the_copied_schemas_are_never_fetched() -> None:
    validator = Draft6Validator(
        {"$ref": "https://example.invalid/x.json"}, registry=schema_registry()
    )
    with pytest.raises(Unresolvable):
        validator.validate({})
