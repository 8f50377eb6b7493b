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
    allowed = ("bot.domain", "bot.i18n", "bot.commands.registry", "cards", "__future__")
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


# Modules that choose a module at run time, and why: the architecture rules above read imports,
# so a module loaded by name instead is invisible to them. Deferring an import is done with a
# plain `import` inside a function (bot/graph/deferred.py), which the rules do see.
DYNAMIC_IMPORTERS = {
    # the SQL dialect's INSERT ... ON CONFLICT, chosen by the database in use (sqlalchemy only)
    "bot/store/upserts.py",
    "bot/store/platform/outbox.py",
}


def _dynamic_imports(path: Path) -> Iterator[int]:
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call):
            function = node.func
            name = function.attr if isinstance(function, ast.Attribute) else None
            name = function.id if isinstance(function, ast.Name) else name
            if name in {"import_module", "__import__", "spec_from_file_location"}:
                yield node.lineno


def test_modules_are_imported_by_import_statements_not_by_name() -> None:
    offenders = {
        f"{_rel(path)}:{line}"
        for path in _python_files()
        if _rel(path) not in DYNAMIC_IMPORTERS
        for line in _dynamic_imports(path)
    }
    assert not offenders, "import modules with `import` (inside a function to defer it)"


def test_the_graph_sdk_loads_only_when_graph_is_opened() -> None:
    # bot.graph and its deferral are imported at start-up; everything reaching msgraph, kiota or
    # azure must be imported from inside a function there, never at module level.
    sdk = {"msgraph", "msgraph_core", "kiota_abstractions", "kiota_http", "azure"}
    heavy = {
        _rel(p).removesuffix(".py").replace("/", ".")
        for p in (ROOT / "bot/graph").glob("*.py")
        if any(name.split(".")[0] in sdk for name in _imports(p))
    }
    assert heavy, "the scan must find the Graph SDK's importers"
    for light in ("bot/graph/__init__.py", "bot/graph/deferred.py"):
        tree = ast.parse((ROOT / light).read_text(encoding="utf-8"))
        eager = {
            node.module
            for node in tree.body
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0
        } | {a.name for node in tree.body if isinstance(node, ast.Import) for a in node.names}
        assert not {name for name in eager if name.split(".")[0] in sdk or name in heavy}, light
        assert not {n for n in eager if n.startswith("bot.graph.") and n != "bot.graph.deferred"}


def test_only_settings_reads_the_environment() -> None:
    offenders = set()
    for path in _python_files():
        # The Settings class; the setting groups beside it (bot/settings/*.py) read nothing.
        if _rel(path) == "bot/settings/__init__.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and node.attr in {"environ", "getenv"}:
                offenders.add(_rel(path))
    assert not offenders


# --- the house: one package per capability inside each layer (ARCHITECTURE.md) ----------------
CAPABILITY_LAYERS = (
    "bot/domain",
    "bot/ports",
    "bot/services",
    "bot/store",
    "bot/excel",
    "bot/composition",
    "bot/cli",
    "cards",
    "dialogs",
)
# A layer's top level holds its own machinery, never a behaviour of one capability.
LAYER_MACHINERY = {
    "bot/domain": set(),
    "bot/ports": set(),
    "bot/services": set(),
    "bot/store": {
        "columns.py",
        "database.py",
        "failures.py",
        "metadata.py",
        "migrator.py",
        "provisioning.py",
        "references.py",
        "tables.py",
        "transitions.py",
        "upserts.py",
    },
    "bot/excel": {
        "cells.py",
        "importing.py",
        "layout.py",
        "package.py",
        "workbook.py",
        "workbook_kind.py",
    },
    "bot/composition": {"chat.py"},
    "bot/cli": {"__main__.py", "arguments.py", "context.py"},
    "cards": {"base.py", "verbs.py"},
    "dialogs": set(),
}
CAPABILITIES = ("access", "licences", "post", "servicedesk", "announcements", "platform")
PUBLIC_LAYERS = ("bot.domain", "bot.ports")


def _capability(module_path: str) -> str | None:
    """`post` for bot/services/post/desk.py, bot/ports/post.py or bot/cli/post_rules.py; None
    outside the layers and for a layer's machinery."""
    for layer in CAPABILITY_LAYERS:
        if module_path.startswith(layer + "/"):
            head = module_path.removeprefix(layer + "/").split("/")[0].removesuffix(".py")
            return next((c for c in CAPABILITIES if head == c or head.startswith(c + "_")), None)
    return None


def _imported_capability(name: str) -> tuple[str, str] | None:
    """(layer, capability) of an imported module inside a capability package, else None."""
    return next(
        (
            (layer, cap)
            for layer in CAPABILITY_LAYERS
            for cap in CAPABILITIES
            if name == f"{layer.replace('/', '.')}.{cap}"
            or name.startswith(
                (f"{layer.replace('/', '.')}.{cap}.", f"{layer.replace('/', '.')}.{cap}_")
            )
        ),
        None,
    )


def test_every_behaviour_lives_in_a_capability_package() -> None:
    strays = set()
    for layer, machinery in LAYER_MACHINERY.items():
        folder = ROOT / layer
        assert folder.is_dir(), layer
        for path in folder.iterdir():
            if path.suffix == ".py" and path.name != "__init__.py" and path.name not in machinery:
                if _capability(_rel(path)) is None:
                    strays.add(_rel(path))
            elif path.is_dir() and path.name not in {*CAPABILITIES, "__pycache__", "migrations"}:
                strays.add(_rel(path))
    assert not strays, "put them in a capability package (ARCHITECTURE.md) or name them machinery"


def test_each_capability_is_found_by_its_name() -> None:
    for cap in CAPABILITIES:
        for layer in ("bot/domain", "bot/services", "bot/composition", "cards", "dialogs"):
            home = ROOT / layer
            assert (home / cap).is_dir() or (home / f"{cap}.py").is_file(), f"{layer}/{cap}"
        assert (ROOT / "bot/ports" / f"{cap}.py").is_file(), cap


def test_dialogs_never_import_ports() -> None:
    offenders = {
        (where, name)
        for where, name in ALL
        if where.startswith("dialogs/") and (name == "bot.ports" or name.startswith("bot.ports."))
    }
    assert not offenders, "a dialog asks its service, never a port"


def test_a_capability_uses_only_the_domain_and_ports_of_another() -> None:
    offenders = set()
    for where, name in ALL:
        mine = _capability(where)
        theirs = _imported_capability(name)
        if mine is None or theirs is None:
            continue
        layer, cap = theirs
        if cap in (mine, "platform"):
            continue
        if layer.replace("/", ".") not in PUBLIC_LAYERS:
            offenders.add((where, name))
    assert not offenders, "share it through platform, or through the other's domain or ports"


def test_the_platform_depends_on_no_capability_but_their_vocabulary() -> None:
    offenders = {
        (where, name)
        for where, name in ALL
        if _capability(where) == "platform"
        and (theirs := _imported_capability(name)) is not None
        and theirs[1] != "platform"
        and theirs[0].replace("/", ".") not in PUBLIC_LAYERS
    }
    assert not offenders


# Modules kept longer than 400 lines, each with its reason (ARCHITECTURE.md).
LONG_MODULES: dict[str, str] = {}


def test_modules_are_at_most_400_lines() -> None:
    long = {
        _rel(path): n
        for path in _python_files()
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > 400
        and _rel(path) not in LONG_MODULES
    }
    assert not long, long
