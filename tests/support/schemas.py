"""Checks against the official contracts: Teams manifest, its language files, Adaptive Cards 1.5.

The schemas are the copies in `manifest/schemas` (see its README). Every `$ref` resolves through a
local `referencing.Registry`; a reference to anything else fails instead of being fetched. The
compiled validators are cached because card tests call `validate_card` many times.

JSON Schema patterns are ECMA-262 regular expressions, and the Teams schemas (v1.23 on) use
Unicode property escapes such as `\\p{L}` that Python's `re` cannot compile. Every pattern here is
therefore read by the `regex` package (`ecma_pattern`), which knows them and otherwise reads these
schemas' patterns as `re` does: the `pattern` and `patternProperties` keywords, the keys
`additionalProperties` lets through, and the `regex` format the meta-schemas check schemas with.

Failures raise `AssertionError` with one line per problem and a JSON path to it, so a failing card
test says what to fix rather than "is not valid under any of the given schemas".
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from functools import cache
from pathlib import Path
from typing import Any

import regex
from jsonschema import FormatChecker, ValidationError
from jsonschema.protocols import Validator
from jsonschema.validators import extend, validator_for
from referencing import Registry, Resource
from referencing.exceptions import NoSuchResource

SCHEMA_DIR = Path(__file__).resolve().parents[2] / "manifest" / "schemas"
CARD_VERSION = "1.5"
CARD_SCHEMA_URL = "http://adaptivecards.io/schemas/adaptive-card.json"
_CARD_SCHEMA_ALIASES = (
    CARD_SCHEMA_URL,
    "https://adaptivecards.io/schemas/1.5.0/adaptive-card.json",
)
_TEAMS_URL = "https://developer.microsoft.com/json-schemas/teams/v{version}/{file}"
_MANIFEST_FILE = "MicrosoftTeams.schema.json"
_LOCALISATION_FILE = "MicrosoftTeams.Localization.schema.json"
_TEAMS_URL_VERSION = re.compile(r"/teams/v(\d+\.\d+)/MicrosoftTeams\.Localization\.schema\.json$")
# Keywords that may stand beside `$ref` without being constraints.
_REF_NOTES = frozenset({"$ref", "description", "default", "title", "examples"})
# Teams' own extension of the card root (full width, @mentions); not in the Adaptive Cards schema.
_MSTEAMS_KEYS = frozenset({"width", "entities"})


def teams_schema_url(version: str, *, localisation: bool = False) -> str:
    """The `$schema` a manifest (or language file) of this manifest version declares."""
    return _TEAMS_URL.format(
        version=version, file=_LOCALISATION_FILE if localisation else _MANIFEST_FILE
    )


def manifest_versions() -> list[str]:
    """Manifest versions whose schema is copied into the project, oldest first."""
    found = [p.name.removeprefix("v") for p in (SCHEMA_DIR / "teams").glob("v*") if p.is_dir()]
    return sorted(found, key=lambda v: tuple(int(part) for part in v.split(".")))


def _refuse_remote(uri: str) -> Resource:
    # Tests never touch the network: an unknown reference is an error, not a download.
    raise NoSuchResource(ref=uri)  # type: ignore[call-arg]  # an attrs class mypy cannot see


@cache
def schema_registry() -> Registry:
    """Every copied schema under the URL it is known by; nothing else is resolvable."""
    files: list[tuple[str, Path]] = [
        (
            teams_schema_url(version, localisation=localisation),
            SCHEMA_DIR / "teams" / f"v{version}" / file,
        )
        for version in manifest_versions()
        for file, localisation in ((_MANIFEST_FILE, False), (_LOCALISATION_FILE, True))
    ]
    card = SCHEMA_DIR / "adaptivecards" / "1.5.0" / "adaptive-card.json"
    files += [(url, card) for url in _CARD_SCHEMA_ALIASES]
    resources = [
        (url, Resource.from_contents(_keep_ref_siblings(json.loads(path.read_text("utf-8")))))
        for url, path in files
    ]
    return Registry(retrieve=_refuse_remote).with_resources(resources)  # type: ignore[call-arg]


def _keep_ref_siblings(node: Any) -> Any:
    """Honour keywords written next to a draft-04 `$ref` (which the draft says to ignore).

    The Teams localisation schema puts its length limits beside `$ref` ("name.short": max 30),
    and Teams enforces them; `{"allOf": [{"$ref": ...}, {...the rest}]}` keeps both.
    """
    if isinstance(node, list):
        return [_keep_ref_siblings(item) for item in node]
    if not isinstance(node, dict):
        return node
    node = {key: _keep_ref_siblings(value) for key, value in node.items()}
    rest = {key: value for key, value in node.items() if key not in _REF_NOTES}
    if "$ref" in node and rest:
        return {"allOf": [{"$ref": node["$ref"]}, rest]}
    return node


@cache
def ecma_pattern(pattern: str) -> regex.Pattern[str]:
    """A schema's regular expression, compiled with Unicode property escapes (`\\p{L}`) honoured.

    Raises `regex.error` for a pattern that is not a regular expression.
    """
    return regex.compile(pattern)


def check_schema(schema: dict[str, Any]) -> None:
    """The schema is valid against its meta-schema (raises `jsonschema.SchemaError` if not)."""
    base = validator_for(schema)
    base.check_schema(schema, format_checker=_ecma_validator_class(base).FORMAT_CHECKER)


def schema_validator(schema: dict[str, Any]) -> Validator:
    """A validator for `schema` that reads patterns as ECMA-262 and resolves copied schemas only."""
    check_schema(schema)
    cls = _ecma_validator_class(validator_for(schema))
    return cls(schema, registry=schema_registry(), format_checker=cls.FORMAT_CHECKER)


@cache
def _validator(url: str) -> Validator:
    return schema_validator(schema_registry().contents(url))


@cache
def _ecma_validator_class(base: type[Validator]) -> type[Validator]:
    """`base` (the schema's draft) with every regular expression read by `ecma_pattern`."""
    formats = FormatChecker(())
    formats.checkers = dict(base.FORMAT_CHECKER.checkers)
    formats.checks("regex", raises=regex.error)(_is_regex)
    keywords = {
        "pattern": _pattern,
        "patternProperties": _pattern_properties,
        "additionalProperties": _additional_properties,
    }
    cls: type[Validator] = extend(base, validators=keywords, format_checker=formats)
    return cls


def _is_regex(instance: object) -> bool:
    return not isinstance(instance, str) or bool(ecma_pattern(instance))


def _pattern(
    validator: Validator, pattern: str, instance: object, schema: dict[str, Any]
) -> Iterator[ValidationError]:
    if isinstance(instance, str) and not ecma_pattern(pattern).search(instance):
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


def _pattern_properties(
    validator: Validator, patterns: dict[str, Any], instance: object, schema: dict[str, Any]
) -> Iterator[ValidationError]:
    if not isinstance(instance, dict):
        return
    for pattern, subschema in patterns.items():
        for key, value in instance.items():
            if ecma_pattern(pattern).search(key):
                yield from validator.descend(value, subschema, path=key, schema_path=pattern)


def _additional_properties(
    validator: Validator, allowed: object, instance: object, schema: dict[str, Any]
) -> Iterator[ValidationError]:
    if not isinstance(instance, dict):
        return
    unexpected = _unexpected_keys(instance, schema)
    if isinstance(allowed, dict):
        for key in unexpected:
            yield from validator.descend(instance[key], allowed, path=key)
    elif allowed is False and unexpected:
        # The stock message lists every pattern of the schema; the unexpected keys are enough.
        noun = "property" if len(unexpected) == 1 else "properties"
        yield ValidationError(f"unexpected {noun} {', '.join(map(repr, unexpected))}")


def validate_manifest(manifest: dict[str, Any]) -> None:
    """The manifest is valid against the schema of the `manifestVersion` it declares."""
    version = manifest.get("manifestVersion")
    if version not in manifest_versions():
        raise AssertionError(
            f"manifestVersion {version!r} has no schema in manifest/schemas "
            f"(copied: {', '.join(manifest_versions())})"
        )
    url = teams_schema_url(version)
    problems = []
    # Draft-04 ignores `const`, so the schema alone would not notice a mismatched `$schema`.
    if "$schema" in manifest and manifest["$schema"] != url:
        problems.append(f"{_join('$', '$schema')}: {manifest['$schema']!r} is not {url!r}")
    problems += _schema_problems(_validator(url), manifest)
    _raise_if(problems, f"manifest is not a valid Teams manifest v{version}")


def validate_localisation(doc: dict[str, Any], *, manifest_version: str | None = None) -> None:
    """A manifest language file (e.g. en.json) is valid for the given or declared version."""
    version = manifest_version
    if version is None:
        declared = _TEAMS_URL_VERSION.search(str(doc.get("$schema", "")))
        if declared is None:
            raise AssertionError("language file declares no Teams localisation $schema")
        version = declared.group(1)
    if version not in manifest_versions():
        raise AssertionError(f"no localisation schema for manifest version {version!r}")
    validator = _validator(teams_schema_url(version, localisation=True))
    _raise_if(_schema_problems(validator, doc), f"not a valid Teams language file v{version}")


def validate_card(card: dict[str, Any]) -> None:
    """The card is a valid Adaptive Card 1.5 that Teams will render and route."""
    if not isinstance(card, dict):
        raise AssertionError(f"a card is a JSON object, not {type(card).__name__}")
    problems = []
    if card.get("type") != "AdaptiveCard":
        problems.append(f"$.type: {card.get('type')!r} is not 'AdaptiveCard'")
    if card.get("version") != CARD_VERSION:
        problems.append(f"$.version: {card.get('version')!r} is not {CARD_VERSION!r}")
    schema_part = {key: value for key, value in card.items() if key != "msteams"}
    problems += _schema_problems(_validator(CARD_SCHEMA_URL), schema_part)
    if "msteams" in card:
        problems += _msteams_problems(card["msteams"])
    problems += _execute_without_verb(card, "$")
    _raise_if(problems, f"card is not a valid Adaptive Card {CARD_VERSION} for Teams")


def _msteams_problems(value: object) -> list[str]:
    if not isinstance(value, dict):
        return ["$.msteams: must be an object"]
    problems = [
        f"$.msteams.{k}: unknown Teams card property" for k in value if k not in _MSTEAMS_KEYS
    ]
    if "width" in value and value["width"] != "Full":
        problems.append(f"$.msteams.width: {value['width']!r} is not 'Full'")
    entities = value.get("entities", [])
    if not isinstance(entities, list):
        return [*problems, "$.msteams.entities: must be a list"]
    for index, entity in enumerate(entities):
        mentioned = entity.get("mentioned") if isinstance(entity, dict) else None
        if not (
            isinstance(entity, dict)
            and entity.get("type") == "mention"
            and isinstance(entity.get("text"), str)
            and isinstance(mentioned, dict)
            and isinstance(mentioned.get("id"), str)
        ):
            problems.append(
                f"$.msteams.entities[{index}]: a mention needs type, text and mentioned.id"
            )
    return problems


def _execute_without_verb(node: object, path: str) -> Iterator[str]:
    """Teams routes Action.Execute by verb; without one the click reaches no handler."""
    if isinstance(node, dict):
        if node.get("type") == "Action.Execute":
            verb = node.get("verb")
            if not isinstance(verb, str) or not verb.strip():
                yield f"{path}: Action.Execute has no verb"
        for key, value in node.items():
            yield from _execute_without_verb(value, _join(path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _execute_without_verb(value, f"{path}[{index}]")


def _schema_problems(validator: Validator, instance: object) -> list[str]:
    errors = sorted(validator.iter_errors(instance), key=lambda e: list(map(str, e.path)))
    return [_describe(leaf) for error in errors for leaf in _leaf_errors(error)]


def _leaf_errors(error: ValidationError) -> list[ValidationError]:
    """Look inside anyOf/oneOf: the branch whose `type` matches is the one the author meant."""
    if error.validator not in ("anyOf", "oneOf") or not error.context:
        return [error]
    branches: dict[object, list[ValidationError]] = defaultdict(list)
    for sub in error.context:
        branches[sub.relative_schema_path[0]].append(sub)
    meant = [errs for errs in branches.values() if not any(_rejects_type(e) for e in errs)]
    if len(meant) == 1:
        return [leaf for sub in meant[0] for leaf in _leaf_errors(sub)]
    return [error]


def _rejects_type(error: ValidationError) -> bool:
    """The branch is for another element type (or another JSON type) than the one given."""
    discriminator = list(error.relative_path) == ["type"] and error.validator in ("enum", "const")
    return discriminator or (error.validator == "type" and not error.relative_path)


def _describe(error: ValidationError) -> str:
    path = "$"
    for part in error.absolute_path:
        path = f"{path}[{part}]" if isinstance(part, int) else _join(path, part)
    instance = error.instance
    if error.validator in ("anyOf", "oneOf") and isinstance(instance, dict) and "type" in instance:
        allowed = sorted(_allowed_types(error.context or []))
        if instance["type"] not in allowed and allowed:
            return f"{path}: unknown type {instance['type']!r} here (allowed: {', '.join(allowed)})"
    # Enumerations are written as anyOf [enum, case-insensitive pattern]: the enum reads best.
    choices = [e for e in error.context or [] if e.validator == "enum" and not e.relative_path]
    if error.validator in ("anyOf", "oneOf") and choices:
        return f"{path}: {choices[0].message}"
    context = error.context or []
    if error.validator in ("anyOf", "oneOf") and context and all(_rejects_type(e) for e in context):
        types = dict.fromkeys(str(e.validator_value) for e in context if e.validator == "type")
        if types:
            return f"{path}: {instance!r} is not of type {' or '.join(types)}"
    return f"{path}: {error.message}"


def _unexpected_keys(instance: dict[str, Any], schema: Any) -> list[str]:
    if not isinstance(schema, dict):
        return []
    named = schema.get("properties", {})
    patterns = [ecma_pattern(p) for p in schema.get("patternProperties", {})]
    return [k for k in instance if k not in named and not any(p.search(k) for p in patterns)]


def _allowed_types(context: Iterable[ValidationError]) -> set[str]:
    allowed: set[str] = set()
    for sub in context:
        if _rejects_type(sub) and sub.validator != "type":
            value = sub.validator_value
            allowed.update([value] if isinstance(value, str) else value)
    return allowed


def _join(path: str, key: object) -> str:
    key = str(key)
    return f"{path}.{key}" if key.isidentifier() else f"{path}[{key!r}]"


def _raise_if(problems: list[str], headline: str) -> None:
    if problems:
        listed = "\n".join(f"  - {problem}" for problem in problems)
        raise AssertionError(f"{headline}:\n{listed}")
