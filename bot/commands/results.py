"""What a card click answers, and the answer to a click on something not the caller's."""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.platform.audit import Outcome
from bot.services.platform.audit import Auditor
from bot.turn import Card, Turn


@dataclass(frozen=True, slots=True)
class ActionResult:
    """What a card click answers: a refreshed card (replaces the clicked one) or a short text."""

    card: Card | None = None
    message: str | None = None
    # The answer may stay in the conversation of the click even for a personal verb: it says
    # nothing about anyone (a refusal), or it is a card that conversation already holds.
    shareable: bool = False


async def refuse(
    auditor: Auditor,
    turn: Turn,
    *,
    action: str,
    object_type: str,
    object_id: str,
    message_key: str,
) -> ActionResult:
    """A click on an object the caller may not touch: audited durably before the short answer
    goes out (no refused attempt without its trace); the card stays as it is."""
    caller = turn.caller
    await auditor.record(
        durable=True,
        actor_id=caller.user_id,
        action=action,
        outcome=Outcome.DENIED,
        role=caller.role,
        tenant_id=caller.tenant_id,
        object_type=object_type,
        object_id=object_id,
        correlation_id=caller.correlation_id,
        reason=message_key,
    )
    return ActionResult(message=turn.t(message_key), shareable=True)
