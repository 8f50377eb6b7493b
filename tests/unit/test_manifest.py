"""The Teams app package: valid against the official schemas, and its menu is the registry's."""

from __future__ import annotations

import ast
import io
import json
import re
import shutil
import zipfile
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from bot import manifest as manifest_module
from bot.commands.registry import CommandSpec, Registry, command
from bot.domain.platform.roles import Role
from bot.i18n import Translator, catalog_messages
from bot.manifest import (
    MAX_DESCRIPTION,
    MAX_MENU_COMMANDS,
    MAX_TITLE,
    ManifestError,
    build_manifest,
    write_package,
)
from dialogs import command_specs
from tests.support.schemas import (
    manifest_versions,
    schema_registry,
    teams_schema_url,
    validate_localisation,
    validate_manifest,
)

BOT_ID = "6f1c2a7e-3b4d-4e5f-8a9b-0c1d2e3f4a5b"
SCOPES = ["personal", "team", "groupChat"]


class FakeDialog:
    """Two staff commands and one for communication admins, with texts the catalogs have."""

    @command(
        "help",
        nl=("hulp", "help"),
        en=("help", "commands"),
        title_key="cmd.help.title",
        help_key="cmd.help.help",
        order=900,
    )
    async def show_help(self, turn: object, args: str) -> None:
        return None

    @command(
        "profile",
        nl=("profiel", "wie ben ik"),
        en=("profile", "who am i"),
        title_key="cmd.profile.title",
        help_key="cmd.profile.help",
        order=800,
    )
    async def show_profile(self, turn: object, args: str) -> None:
        return None

    @command(
        "announce",
        nl=("aankondiging",),
        en=("announce",),
        title_key="cmd.help.title",
        help_key="cmd.help.help",
        role=Role.COMMS,
    )
    async def announce(self, turn: object, args: str) -> None:
        return None


def specs_of(*dialogs: object) -> list[CommandSpec]:
    registry = Registry()
    for dialog in dialogs:
        registry.add_dialog(dialog)
    return [bound.spec for bound in registry.commands]


def spec(name: str, *, title_key: str, help_key: str) -> CommandSpec:
    return CommandSpec(
        name=name,
        keywords={"nl": (name,), "en": (name,)},
        role=Role.STAFF,
        title_key=title_key,
        help_key=help_key,
    )


def longest_catalog_key(at_least: int) -> str:
    """A real catalog key whose Dutch text exceeds a limit (catalogs change; limits don't)."""
    key, text = max(catalog_messages("nl").items(), key=lambda item: len(item[1]))
    assert len(text) > at_least, "no catalog text long enough to test the limit"
    return key


@pytest.fixture(scope="module")
def commands() -> list[CommandSpec]:
    return specs_of(FakeDialog())


@pytest.fixture(scope="module")
def package(tmp_path_factory: pytest.TempPathFactory, commands: list[CommandSpec]) -> Path:
    out = tmp_path_factory.mktemp("package") / "build" / "werkplek.zip"
    return write_package(out, bot_app_id=BOT_ID, commands=commands)


def read_json(package: Path, name: str) -> dict[str, Any]:
    with zipfile.ZipFile(package) as archive:
        data: dict[str, Any] = json.loads(archive.read(name))
    return data


def rgba_pixels(icon: Image.Image) -> list[tuple[int, int, int, int]]:
    rgba = icon.convert("RGBA")
    return [rgba.getpixel((x, y)) for y in range(icon.height) for x in range(icon.width)]  # type: ignore[misc]


def read_icon(package: Path, name: str) -> Image.Image:
    with zipfile.ZipFile(package) as archive:
        icon = Image.open(io.BytesIO(archive.read(name)))
        icon.load()
    return icon


# --- the package --------------------------------------------------------------------------------


def test_the_package_holds_the_manifest_its_language_file_and_icons(package: Path) -> None:
    with zipfile.ZipFile(package) as archive:
        assert sorted(archive.namelist()) == [
            "color.png",
            "en.json",
            "manifest.json",
            "outline.png",
        ]


def test_the_manifest_is_valid_for_the_newest_copied_schema(package: Path) -> None:
    manifest = read_json(package, "manifest.json")
    validate_manifest(manifest)  # against the schema of the version it declares
    assert manifest["manifestVersion"] == manifest_versions()[-1] == "1.30"
    assert manifest["$schema"] == teams_schema_url("1.30")


def test_the_english_file_is_valid_for_the_manifest_version(package: Path) -> None:
    manifest = read_json(package, "manifest.json")
    english = read_json(package, "en.json")
    version = manifest["manifestVersion"]
    assert english["$schema"] == teams_schema_url(version, localisation=True)
    validate_localisation(english)  # by the version it declares, which is the manifest's
    assert manifest["localizationInfo"] == {
        "defaultLanguageTag": "nl-BE",
        "additionalLanguages": [{"languageTag": "en", "file": "en.json"}],
    }


def test_the_bot_id_is_filled_in_everywhere(package: Path) -> None:
    manifest = read_json(package, "manifest.json")
    assert manifest["id"] == BOT_ID
    assert manifest["bots"][0]["botId"] == BOT_ID
    assert manifest["webApplicationInfo"]["id"] == BOT_ID
    assert "{{" not in json.dumps(manifest)


def test_the_bot_is_conversational_in_every_scope_and_takes_files(package: Path) -> None:
    bot = read_json(package, "manifest.json")["bots"][0]
    assert sorted(bot["scopes"]) == sorted(SCOPES)
    # Admins send the edited licence catalogue workbook in their personal chat with the bot.
    assert bot["supportsFiles"] is True


def test_the_bot_reads_only_channel_messages_of_the_teams_it_is_in(package: Path) -> None:
    """The service desk's thread relay: the resource-specific permission a team owner grants
    when adding the app (no tenant-wide Graph permission); and the read receipts of its own
    1:1 chats (announcements' "read at"); nothing more."""
    manifest = read_json(package, "manifest.json")
    assert manifest["authorization"]["permissions"]["resourceSpecific"] == [
        {"name": "ChannelMessage.Read.Group", "type": "Application"},
        {"name": "ChatMessageReadReceipt.Read.Chat", "type": "Application"},
    ]


def test_the_color_icon_is_192_pixels_in_full_colour(package: Path) -> None:
    icon = read_icon(package, "color.png")
    assert icon.size == (192, 192)
    red, _green, blue, alpha = rgba_pixels(icon)[40 * 192 + 96]
    assert alpha == 255 and blue > red + 40  # the deep-blue tile, not grey


def test_the_outline_icon_is_32_pixels_white_on_transparent(package: Path) -> None:
    icon = read_icon(package, "outline.png")
    assert icon.size == (32, 32)
    assert icon.mode == "RGBA"
    pixels = rgba_pixels(icon)
    drawn = [p for p in pixels if p[3] > 0]
    assert {p[:3] for p in drawn} == {(255, 255, 255)}, "only white may be drawn"
    assert pixels[0][3] == 0, "the background must be transparent"
    assert 0.1 < len(drawn) / len(pixels) < 0.9


def test_the_same_input_gives_the_same_package(tmp_path: Path, commands: list[CommandSpec]) -> None:
    first = write_package(tmp_path / "a.zip", bot_app_id=BOT_ID, commands=commands)
    second = write_package(tmp_path / "b.zip", bot_app_id=BOT_ID, commands=commands)
    assert first.read_bytes() == second.read_bytes()


# --- the menu is the registry --------------------------------------------------------------------


def test_every_scope_lists_exactly_the_staff_commands(
    package: Path, commands: list[CommandSpec]
) -> None:
    staff = [c for c in commands if c.role is Role.STAFF]
    t = Translator("nl")
    expected = [
        {"title": c.keywords["nl"][0], "description": f"{t(c.title_key)} – {t(c.help_key)}"}
        for c in staff
    ]
    lists = read_json(package, "manifest.json")["bots"][0]["commandLists"]
    assert [entry["scopes"] for entry in lists] == [[scope] for scope in SCOPES]
    assert all(entry["commands"] == expected for entry in lists)
    assert [e["title"] for e in expected] == ["profiel", "hulp"]  # registry order, no comms command


def test_the_english_file_names_the_english_keywords(
    package: Path, commands: list[CommandSpec]
) -> None:
    doc = read_json(package, "en.json")
    staff = [c for c in commands if c.role is Role.STAFF]
    t = Translator("en")
    for list_index in range(len(SCOPES)):
        for index, spec in enumerate(staff):
            prefix = f"bots[0].commandLists[{list_index}].commands[{index}]"
            assert doc[f"{prefix}.title"] == spec.keywords["en"][0]
            assert doc[f"{prefix}.description"].endswith(t(spec.help_key))
    generated = [key for key in doc if key.startswith("bots[")]
    assert len(generated) == 2 * len(SCOPES) * len(staff)


def test_the_menu_holds_as_many_commands_as_the_schema_allows() -> None:
    url = teams_schema_url(manifest_versions()[-1])
    bot = schema_registry().contents(url)["properties"]["bots"]["items"]
    commands = bot["properties"]["commandLists"]["items"]["properties"]["commands"]
    assert commands["maxItems"] == MAX_MENU_COMMANDS


def test_the_menu_stops_at_what_teams_shows() -> None:
    many = [
        CommandSpec(
            name=f"c{i:02}",
            keywords={"nl": (f"woord{i}",), "en": (f"word{i}",)},
            role=Role.STAFF,
            title_key="cmd.help.title",
            help_key="cmd.help.help",
            order=i,
        )
        for i in range(MAX_MENU_COMMANDS + 2)
    ]
    manifest, languages = build_manifest(bot_app_id=BOT_ID, commands=many)
    titles = [c["title"] for c in manifest["bots"][0]["commandLists"][0]["commands"]]
    assert titles == [f"woord{i}" for i in range(MAX_MENU_COMMANDS)]
    validate_manifest(manifest)
    validate_localisation(languages["en"])


def test_the_real_registry_builds_a_valid_package(tmp_path: Path) -> None:
    # The commands the bot really has, not a fake: a text too long for Teams fails here first.
    specs = command_specs()
    manifest, languages = build_manifest(bot_app_id=BOT_ID, commands=specs)
    validate_manifest(manifest)
    validate_localisation(languages["en"])
    staff = sorted((c for c in specs if c.role is Role.STAFF), key=lambda c: (c.order, c.name))
    titles = [c["title"] for c in manifest["bots"][0]["commandLists"][0]["commands"]]
    assert staff and titles == [c.keywords["nl"][0] for c in staff[:MAX_MENU_COMMANDS]]


def test_a_base_url_sets_the_pages_and_the_domain(commands: list[CommandSpec]) -> None:
    manifest, _ = build_manifest(
        bot_app_id=BOT_ID,
        commands=commands,
        version="2.3.4",
        base_url="https://werkplek.vlaanderen.example/",
    )
    validate_manifest(manifest)
    assert manifest["version"] == "2.3.4"
    assert manifest["validDomains"] == ["werkplek.vlaanderen.example"]
    assert manifest["developer"]["privacyUrl"] == "https://werkplek.vlaanderen.example/privacy"


# --- what fails the build -------------------------------------------------------------------------


def test_an_over_long_command_title_fails_the_build() -> None:
    key = longest_catalog_key(MAX_TITLE)
    too_long = spec("lang", title_key=key, help_key="cmd.help.help")
    with pytest.raises(
        ManifestError, match=rf"'lang' \(nl\): title '{re.escape(key)}' is \d+ characters"
    ):
        build_manifest(bot_app_id=BOT_ID, commands=[too_long])


def test_an_over_long_description_fails_the_build() -> None:
    key = longest_catalog_key(MAX_DESCRIPTION)
    too_long = spec("lang", title_key="cmd.help.title", help_key=key)
    with pytest.raises(
        ManifestError, match=rf"description .*'{re.escape(key)}'.* Teams allows 128"
    ):
        build_manifest(bot_app_id=BOT_ID, commands=[too_long])


@pytest.mark.parametrize(
    ("template", "old_url"),
    [
        ("en.template.json", teams_schema_url("1.22", localisation=True)),
        ("manifest.template.json", teams_schema_url("1.22")),
    ],
)
def test_a_template_on_another_schema_version_fails_the_build(
    template: str,
    old_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    commands: list[CommandSpec],
) -> None:
    # A language file is read by the manifest's version; one left behind would be refused.
    copy = tmp_path / "manifest"
    shutil.copytree(manifest_module.MANIFEST_DIR, copy, ignore=shutil.ignore_patterns("schemas"))
    doc = json.loads((copy / template).read_text("utf-8"))
    doc["$schema"] = old_url
    (copy / template).write_text(json.dumps(doc), "utf-8")
    monkeypatch.setattr(manifest_module, "MANIFEST_DIR", copy)
    with pytest.raises(ManifestError, match=rf"{re.escape(template)} declares .*v1\.22"):
        build_manifest(bot_app_id=BOT_ID, commands=commands)


def test_a_missing_catalog_text_fails_the_build() -> None:
    missing = spec("nieuw", title_key="cmd.nieuw.title", help_key="cmd.help.help")
    with pytest.raises(ManifestError, match=r"no nl catalog text for 'cmd\.nieuw\.title'"):
        build_manifest(bot_app_id=BOT_ID, commands=[missing])


@pytest.mark.parametrize("bot_app_id", ["", "werkplek-bot", "{{botAppId}}"])
def test_the_bot_id_must_be_a_guid(bot_app_id: str, commands: list[CommandSpec]) -> None:
    with pytest.raises(ManifestError, match="GUID"):
        build_manifest(bot_app_id=bot_app_id, commands=commands)


@pytest.mark.parametrize(
    ("option", "value"), [("version", "1.0"), ("base_url", "http://werkplek.example")]
)
def test_bad_options_fail_the_build(option: str, value: str, commands: list[CommandSpec]) -> None:
    with pytest.raises(ManifestError):
        build_manifest(bot_app_id=BOT_ID, commands=commands, **{option: value})


def test_the_builder_imports_no_adapter_library() -> None:
    # The CLI builds packages on machines without the bot's runtime dependencies set up.
    tree = ast.parse(Path(manifest_module.__file__).read_text("utf-8"))
    imported = {
        alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    }
    imported |= {node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    forbidden = ("microsoft_agents", "msgraph", "azure", "sqlalchemy", "openpyxl")
    assert not {name for name in imported if name.split(".")[0] in forbidden}
