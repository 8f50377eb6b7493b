"""The dependency rules of ARCHITECTURE.md, read from the imports themselves."""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
APP_CODE = ("bot", "dialogs", "cards")

# external package -> the one folder allowed to import it
ONLY_IMPORTER = {
    "microsoft_agents": "bot/teams/",
    "msgraph": "bot/graph/",
    "msgraph_core": "bot/graph/",
    "kiota_abstractions": "bot/graph/",
    "kiota_http": "bot/graph/",
    "kiota_authentication_azure": "bot/graph/",
    "azure": "bot/graph/",
    "sqlalchemy": "bot/store/",
    "alembic": "bot/store/",
    "asyncpg": "bot/store/",
    "aiosqlite": "bot/store/",
    "openpyxl": "bot/excel/",
    "pypdf": "bot/documents/",
}


def _python_files() -> Iterator[Path]:
    yield ROOT / "app.py"
    for folder in APP_CODE:
        yield from (ROOT / folder).rglob("*.py")


def _imports(path: Path) -> Iterator[str]:
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module


def _rel(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


ALL = [(_rel(p), name) for p in _python_files() if p.exists() for name in _imports(p)]


def test_the_scan_sees_the_code() -> None:
    assert len({where for where, _ in ALL}) > 20


@pytest.mark.parametrize(("package", "home"), sorted(ONLY_IMPORTER.items()))
def test_one_importer_per_external_system(package: str, home: str) -> None:
    offenders = {
        where for where, name in ALL if name.split(".")[0] == package and not where.startswith(home)
    }
    assert not offenders, f"{package} may only be imported under {home}"


def test_domain_is_pure() -> None:
    offenders = {
        (where, name)
        for where, name in ALL
        if where.startswith("bot/domain/")
        and name.split(".")[0] not in sys.stdlib_module_names
        and not name.startswith("bot.domain")
    }
    assert not offenders


def test_services_use_ports_not_adapters() -> None:
    adapters = ("bot.teams", "bot.graph", "bot.store", "bot.excel", "bot.http", "aiohttp")
    offenders = {
        (where, name)
        for where, name in ALL
        if where.startswith("bot/services/") and name.startswith(adapters)
    }
    assert not offenders


def test_cards_do_no_io() -> None:
    allowed = ("bot.domain", "bot.i18n", "bot.commands", "cards", "__future__")
    offenders = {
        (where, name)
        for where, name in ALL
        if where.startswith("cards/")
        and name.split(".")[0] not in sys.stdlib_module_names
        and not name.startswith(allowed)
    }
    assert not offenders


def test_dialogs_do_not_touch_adapters() -> None:
    adapters = ("bot.teams", "bot.graph", "bot.store", "bot.excel", "bot.http", "aiohttp")
    offenders = {
        (where, name)
        for where, name in ALL
        if where.startswith("dialogs/") and name.startswith(adapters)
    }
    assert not offenders


def test_application_code_never_imports_dev_tools_or_tests() -> None:
    offenders = {
        (where, name) for where, name in ALL if name.startswith(("devtools", "tests", "bench"))
    }
    assert not offenders


def test_only_settings_reads_the_environment() -> None:
    offenders = set()
    for path in _python_files():
        if _rel(path) == "bot/settings.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and node.attr in {"environ", "getenv"}:
                offenders.add(_rel(path))
    assert not offenders
