"""The commands a person is offered when their sentence fits none well enough: those the
understanding step ranked closest, else the main ones (at most a few: a card of buttons is read,
a list of every command is not)."""

from __future__ import annotations

from bot.commands.registry import CommandSpec
from bot.commands.understanding import Understanding

SUGGESTIONS = 3


def spec_named(specs: list[CommandSpec], name: str) -> CommandSpec | None:
    return next((spec for spec in specs if spec.name == name), None)


def featured(specs: list[CommandSpec]) -> list[CommandSpec]:
    return [spec for spec in specs if spec.featured][:SUGGESTIONS]


def closest(reading: Understanding, allowed: list[CommandSpec]) -> list[CommandSpec]:
    """The commands that came closest to the sentence, else the main ones."""
    close = [spec for c in reading.ranked if (spec := spec_named(allowed, c.name))]
    return close[:SUGGESTIONS] or featured(allowed)
