"""Shared test wiring. Each fixture module in tests/support belongs to one area of the code."""

pytest_plugins = [
    "tests.support.db",
    "tests.support.graph",
    "tests.support.connector",
]
