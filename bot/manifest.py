"""The Teams app package: manifest.json, its language files and icons, zipped for upload.

`manifest/manifest.template.json` (Dutch, the default language) and one `<lang>.template.json`
per additional language hold the fixed texts; this module fills in the bot id, version and
domains, and generates the bot's `commandLists` from the command registry, so the menu Teams
shows can never drift from the commands the bot understands.

Teams inserts a menu command's `title` into the compose box and sends it as the message, so the
title is the command's first keyword in that language (it always routes); the description says
what the command does, from the catalogs. Texts that do not fit Teams' limits fail the build.
"""

from __future__ import annotations

import json
import logging
import os
import re
import tempfile
import zipfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from bot.commands.registry import CommandSpec
from bot.domain.platform.roles import Role
from bot.i18n import Translator, catalog_messages, pick_locale

logger = logging.getLogger(__name__)

MANIFEST_DIR = Path(__file__).resolve().parent.parent / "manifest"
TEMPLATE = "manifest.template.json"
ICONS = ("color.png", "outline.png")
# Bump on every change to the package: Teams refuses an upload with a version it already has.
APP_VERSION = "1.4.0"
# Placeholder pages until the organisation publishes its own (valid https URLs, reserved TLD).
DEFAULT_BASE_URL = "https://werkplek.example"
# Teams' limits for a bot menu command (the docs; the v1.30 schema itself is looser).
MAX_TITLE = 32
MAX_DESCRIPTION = 128
# Commands per command list: the maxItems of the manifest schema (12 since v1.24, 10 before).
MAX_MENU_COMMANDS = 12
SCOPES = ("personal", "team", "groupChat")
_SCHEMA_URL = "https://developer.microsoft.com/json-schemas/teams/v{version}/{file}"

_PLACEHOLDER = re.compile(r"\{\{(\w+)\}\}")
_GUID = re.compile(r"^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")
_SEMVER = re.compile(r"^\d+\.\d+\.\d+$")
# A fixed timestamp keeps the zip byte-identical for identical inputs.
_ZIP_TIME = (2020, 1, 1, 0, 0, 0)


class ManifestError(ValueError):
    """The package cannot be built as asked; the message says what to change."""


def build_manifest(
    *,
    bot_app_id: str,
    commands: Sequence[CommandSpec],
    version: str = APP_VERSION,
    base_url: str | None = None,
) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    """The manifest and its language files (by language tag, e.g. "en")."""
    if not _GUID.match(bot_app_id):
        raise ManifestError(f"bot app id must be a GUID (the Entra app id), got {bot_app_id!r}")
    if not _SEMVER.match(version):
        raise ManifestError(f"version must be MAJOR.MINOR.PATCH, got {version!r}")
    site = _https_base(base_url or DEFAULT_BASE_URL)
    template = _read_json(MANIFEST_DIR / TEMPLATE)
    manifest_version = str(template["manifestVersion"])
    _check_declared_schema(TEMPLATE, template, manifest_version, "MicrosoftTeams.schema.json")
    menu = menu_commands(commands)
    default_locale = pick_locale(template["localizationInfo"]["defaultLanguageTag"])
    manifest = _fill(
        template,
        {
            "botAppId": bot_app_id,
            "version": version,
            "baseUrl": site,
            "validDomains": [urlsplit(site).hostname],
            "commandLists": _command_lists(_menu_texts(menu, default_locale)),
        },
    )
    languages = {
        entry["languageTag"]: _language_file(
            entry["file"], menu, pick_locale(entry["languageTag"]), manifest_version
        )
        for entry in template["localizationInfo"].get("additionalLanguages", [])
    }
    return manifest, languages


def write_package(
    path: Path,
    *,
    bot_app_id: str,
    commands: Sequence[CommandSpec],
    version: str = APP_VERSION,
    base_url: str | None = None,
) -> Path:
    """Write the app package zip Teams (or the Developer Portal) accepts; returns its path."""
    manifest, languages = build_manifest(
        bot_app_id=bot_app_id, commands=commands, version=version, base_url=base_url
    )
    files: dict[str, bytes] = {"manifest.json": _dump(manifest)}
    for entry in manifest["localizationInfo"].get("additionalLanguages", []):
        files[entry["file"]] = _dump(languages[entry["languageTag"]])
    for icon in ICONS:
        files[icon] = (MANIFEST_DIR / icon).read_bytes()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    # Write next to the target and rename, so a failed build never leaves half a package.
    handle, scratch = tempfile.mkstemp(dir=path.parent, suffix=".zip.tmp")
    try:
        with os.fdopen(handle, "wb") as raw, zipfile.ZipFile(raw, "w") as package:
            for name, data in files.items():
                info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
                info.compress_type = zipfile.ZIP_DEFLATED
                package.writestr(info, data)
        os.chmod(scratch, 0o644)  # mkstemp makes it private; a package is meant to be shared
        os.replace(scratch, path)
    except BaseException:
        Path(scratch).unlink(missing_ok=True)
        raise
    logger.info(
        "Teams app package written to %s (%d menu commands)", path, len(manifest_menu(manifest))
    )
    return path


def menu_commands(commands: Sequence[CommandSpec]) -> list[CommandSpec]:
    """The commands every staff member may run, in registry order, as many as Teams shows."""
    staff = sorted((c for c in commands if c.role is Role.STAFF), key=lambda c: (c.order, c.name))
    if len(staff) > MAX_MENU_COMMANDS:
        # The help card still lists them all; the menu shows the first by `order`.
        logger.warning(
            "%d staff commands, the Teams menu shows the first %d by order; left out: %s",
            len(staff),
            MAX_MENU_COMMANDS,
            ", ".join(c.name for c in staff[MAX_MENU_COMMANDS:]),
        )
    return staff[:MAX_MENU_COMMANDS]


def manifest_menu(manifest: Mapping[str, Any]) -> list[dict[str, str]]:
    """The commands of the manifest's first command list (all lists hold the same commands)."""
    lists = manifest["bots"][0].get("commandLists", [])
    return list(lists[0]["commands"]) if lists else []


def _menu_texts(menu: Sequence[CommandSpec], locale: str) -> list[dict[str, str]]:
    """Title (first keyword) and description ("<title> – <help>") of each command, checked."""
    t = Translator(locale)
    known = catalog_messages(locale)
    entries = []
    for spec in menu:
        for key in (spec.title_key, spec.help_key):
            if not known.get(key):
                raise ManifestError(f"command {spec.name!r}: no {locale} catalog text for {key!r}")
        keywords = spec.keywords.get(locale) or ()
        if not keywords:
            raise ManifestError(f"command {spec.name!r} has no {locale} keyword for the menu")
        name, summary = t(spec.title_key), t(spec.help_key)
        _check_length(spec, locale, f"keyword {keywords[0]!r}", keywords[0], MAX_TITLE)
        _check_length(spec, locale, f"title {spec.title_key!r}", name, MAX_TITLE)
        description = f"{name} – {summary}"
        what = f"description ({spec.title_key!r} – {spec.help_key!r})"
        _check_length(spec, locale, what, description, MAX_DESCRIPTION)
        entries.append({"title": keywords[0], "description": description})
    return entries


def _check_length(spec: CommandSpec, locale: str, what: str, text: str, limit: int) -> None:
    if len(text) > limit:
        raise ManifestError(
            f"command {spec.name!r} ({locale}): {what} is {len(text)} characters, "
            f"Teams allows {limit}: {text!r}"
        )


def _command_lists(entries: list[dict[str, str]]) -> list[dict[str, Any]]:
    # One list per scope, as the schema advises, so a scope can diverge later without surprises.
    if not entries:
        return []
    return [{"scopes": [scope], "commands": [dict(e) for e in entries]} for scope in SCOPES]


def _language_file(
    file: str, menu: Sequence[CommandSpec], locale: str, manifest_version: str
) -> dict[str, Any]:
    """The fixed texts of `<lang>.template.json` plus the menu's texts at their manifest paths."""
    template = f"{file.removesuffix('.json')}.template.json"
    doc = _read_json(MANIFEST_DIR / template)
    _check_declared_schema(
        template, doc, manifest_version, "MicrosoftTeams.Localization.schema.json"
    )
    entries = _menu_texts(menu, locale)
    for list_index in range(len(SCOPES)):
        for index, entry in enumerate(entries):
            prefix = f"bots[0].commandLists[{list_index}].commands[{index}]"
            doc[f"{prefix}.title"] = entry["title"]
            doc[f"{prefix}.description"] = entry["description"]
    return doc


def _check_declared_schema(
    template: str, doc: Mapping[str, Any], manifest_version: str, file: str
) -> None:
    # Teams reads a language file by the manifest's version: a template left on an older schema
    # would pass its own (older) limits and still be refused on upload.
    expected = _SCHEMA_URL.format(version=manifest_version, file=file)
    if doc.get("$schema") != expected:
        raise ManifestError(
            f"{template} declares $schema {doc.get('$schema')!r}; manifest version "
            f"{manifest_version} needs {expected!r}"
        )


def _fill(node: Any, values: Mapping[str, Any]) -> Any:
    """Fill `{{name}}` placeholders; a string that is only a placeholder takes the value as is."""
    if isinstance(node, dict):
        return {key: _fill(value, values) for key, value in node.items()}
    if isinstance(node, list):
        return [_fill(value, values) for value in node]
    if not isinstance(node, str):
        return node
    names = _PLACEHOLDER.findall(node)
    if unknown := [name for name in names if name not in values]:
        raise ManifestError(f"template placeholder {{{{{unknown[0]}}}}} has no value")
    whole = _PLACEHOLDER.fullmatch(node)
    if whole:
        return values[whole.group(1)]
    return _PLACEHOLDER.sub(lambda m: str(values[m.group(1)]), node)


def _https_base(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme != "https" or not parts.netloc:
        raise ManifestError(f"base URL must be an https URL (Teams requires it), got {url!r}")
    return url.rstrip("/")


def _read_json(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def _dump(document: Mapping[str, Any]) -> bytes:
    return (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
