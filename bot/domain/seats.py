"""Licence seats: what the tenant bought against what is in use (Graph subscribedSkus)."""

from __future__ import annotations

from collections.abc import Sequence

from bot.domain.access import Sku


def free_seats(sku: Sku) -> int:
    """prepaidUnits.enabled - consumedUnits, never below zero (Graph can report over-use)."""
    return max(0, sku.enabled_units - sku.consumed_units)


def seats_for_waiting(free: int, waiting_oldest_first: Sequence[int]) -> list[int]:
    """Which waiting requests (ids, oldest first) can be fulfilled now: first come, first served."""
    return list(waiting_oldest_first[: max(0, free)])
