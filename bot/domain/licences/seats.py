"""Licence seats: what the tenant bought against what is in use (Graph subscribedSkus)."""

from __future__ import annotations

from bot.domain.access.facts import Sku


def free_seats(sku: Sku) -> int:
    """prepaidUnits.enabled - consumedUnits, never below zero (Graph can report over-use)."""
    return max(0, sku.enabled_units - sku.consumed_units)
