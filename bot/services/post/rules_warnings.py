"""Rules that send post to someone who left: warned about when rules are checked, not refused.

A rule whose person destination has no working account (disabled, or gone from the directory)
can be stored: routing sends what it matches to the person's delegate or to triage
(bot.domain.post.routing), and an admin may be fixing the rules in steps. The admin should know.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from bot.domain.platform.errors import DomainError, NotFound
from bot.domain.post.items import DestinationKind
from bot.domain.post.routing import RoutingRule
from bot.i18n import Translator
from bot.ports.platform import Directory
from bot.services.post.rules_dry_run import name_of

PERSON_DISABLED = "post.rules.warning.person_disabled"
PERSON_UNKNOWN = "post.rules.warning.person_unknown"
# Look-ups at once for the rules check: a workbook may name hundreds of people; Graph throttles.
DIRECTORY_LOOKUPS = 8

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class RuleWarning:
    """A rule that can be stored but will not work as written: its person destination has no
    working account. `message_key` says why (disabled, or gone from the directory)."""

    rule_id: str
    person_id: str
    message_key: str


async def rules_to_inactive_people(
    rules: Sequence[RoutingRule], directory: Directory
) -> list[RuleWarning]:
    """The active rules whose person destination is disabled (left, suspended) or no longer in
    the directory, in rule order. A warning, not a refusal: routing sends what they match to
    the person's delegate or to triage (bot.domain.post.routing), and an admin may be fixing the
    rules in steps. A person the directory does not answer for is not warned about (unknown)."""
    people = list(
        dict.fromkeys(
            rule.destination.target
            for rule in rules
            if rule.active
            and rule.destination.kind is DestinationKind.PERSON
            and rule.destination.target
        )
    )
    gate = asyncio.Semaphore(DIRECTORY_LOOKUPS)

    async def state(person_id: str) -> str:
        async with gate:
            return await _state(directory, person_id)

    states = dict(zip(people, await asyncio.gather(*(state(p) for p in people)), strict=True))
    warnings = []
    for rule in sorted(rules, key=lambda rule: rule.position):
        key = states.get(rule.destination.target) if rule.active else None
        if key and rule.destination.kind is DestinationKind.PERSON:
            warnings.append(RuleWarning(rule.id, rule.destination.target, key))
    return warnings


async def _state(directory: Directory, person_id: str) -> str:
    """The warning's message id for this person; "" when their account works or is unknown."""
    try:
        user = await directory.get_user(person_id)
    except NotFound:
        return PERSON_UNKNOWN
    except DomainError as error:
        logger.warning("directory unavailable for a rule check: %s", type(error).__name__)
        return ""
    return PERSON_DISABLED if user.account_enabled is False else ""


def describe_warning(warning: RuleWarning, names: Mapping[str, str], t: Translator) -> str:
    """The warning in the reader's language, naming the person (their id when unnamed)."""
    return t(warning.message_key, rule=warning.rule_id, name=name_of(names, warning.person_id))
