"""The tests `make test` runs alone (tests/conftest.py) are where it says: a path renamed or
moved would quietly put its timing-sensitive tests beside a second worker."""

from __future__ import annotations

from tests.conftest import SERIAL


def test_every_serial_path_exists_and_holds_tests() -> None:
    for path in SERIAL:
        modules = [path] if path.is_file() else list(path.rglob("test_*.py"))
        assert modules, f"{path} holds no tests"
        assert all(module.read_text(encoding="utf-8").count("def test_") for module in modules)
