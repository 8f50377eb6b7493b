"""What a catalogue item is (bot/domain/licences/catalogue.py): a licence or a workspace role."""

from __future__ import annotations

from enum import StrEnum


class ItemKind(StrEnum):
    LICENCE = "licence"
    WORKSPACE_ROLE = "workspace_role"
