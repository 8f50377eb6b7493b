"""Replacing the routing rules of incoming post, and trying new rules on recent post first.

The dry run routes the newest items again with the rules under test, exactly as the intake
would today (the item's entity and matched addressee as stored, today's delegations), and
changes nothing; each line says where the item is now and where it would go. The admin sees
what would move before anything is replaced. Replacing is all or nothing, with one audit line.
Rules that send post to someone who left (a disabled account, or none any more) are warned
about (rules_to_inactive_people), not refused.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, tzinfo

from bot.domain.platform.actors import Actor
from bot.domain.platform.audit import Outcome
from bot.domain.platform.errors import DomainError, NotFound
from bot.domain.post.items import Destination, DestinationKind, PostItem, Routing
from bot.domain.post.routing import (
    ADDRESSEE_RULE,
    AMBIGUOUS_REASON,
    Delegation,
    DryRunLine,
    RoutingRule,
    dry_run,
    route,
)
from bot.i18n import Translator
from bot.ports.platform import Clock, Directory
from bot.ports.post import DelegationRepository, PostItemRepository, RoutingRuleRepository
from bot.services.platform.audit import Auditor

IMPORT_ACTION = "post.rules.import"
RULES_OBJECT = "post_rules"
DEFAULT_LAST_N = 50
MAX_LAST_N = 1000  # a dry run is read by a person
TEAM_SEPARATOR = "|"  # a team target: "<group id>|<channel id>"
PERSON_DISABLED = "post.rules.warning.person_disabled"
PERSON_UNKNOWN = "post.rules.warning.person_unknown"
# Look-ups at once for the rules check: a workbook may name hundreds of people; Graph throttles.
DIRECTORY_LOOKUPS = 8

logger = logging.getLogger(__name__)


async def dry_run_rules(
    new_rules: Sequence[RoutingRule],
    items: PostItemRepository,
    delegations: DelegationRepository,
    clock: Clock,
    timezone: tzinfo,
    last_n: int = DEFAULT_LAST_N,
) -> list[DryRunLine]:
    """Where the newest `last_n` items are now, and where `new_rules` would send them today
    (newest first). Reads only."""
    recent = await items.recent(max(0, min(last_n, MAX_LAST_N)))
    if not recent:
        return []
    day = clock.now().astimezone(timezone).date()

    def route_with(found: Sequence[Delegation]) -> list[DryRunLine]:
        return dry_run(recent, lambda item: _route(item, new_rules, found, day))

    # As the intake does: the delegations that matter are those of whoever an item would
    # reach, so route once without, then again with those people's delegations.
    first = route_with(())
    people = {item.addressee_id for item in recent if item.addressee_id}
    people |= {
        line.after.destination.target
        for line in first
        if line.after.destination.kind is DestinationKind.PERSON
    }
    if not people:
        return first
    found = await delegations.active_on(sorted(people), day)
    return route_with(found) if found else first


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
    return t(warning.message_key, rule=warning.rule_id, name=_name(names, warning.person_id))


def _route(
    item: PostItem, rules: Sequence[RoutingRule], delegations: Sequence[Delegation], day: date
) -> Routing:
    return route(
        item.metadata,
        entity=item.metadata.entity,
        addressee_id=item.addressee_id,
        ambiguous=item.triage_reason == AMBIGUOUS_REASON,
        rules=rules,
        delegations=delegations,
        day=day,
    )


async def replace_rules(
    repo: RoutingRuleRepository,
    rules: Sequence[RoutingRule],
    actor: Actor,
    auditor: Auditor,
    *,
    tenant_id: str = "",
) -> None:
    """Store `rules` in place of all current ones (all or nothing), then audit it durably."""
    await repo.replace(rules)
    await auditor.record(
        actor_id=actor.user_id,
        action=IMPORT_ACTION,
        outcome=Outcome.OK,
        role=actor.role,
        tenant_id=tenant_id,
        object_type=RULES_OBJECT,
        correlation_id=actor.correlation_id,
        rules=str(len(rules)),
        active=str(sum(1 for rule in rules if rule.active)),
    )


async def record_refused_import(
    auditor: Auditor,
    actor: Actor,
    problems: int,
    *,
    tenant_id: str = "",
    reason: str = "invalid_workbook",
) -> None:
    """The audit line of an import that stored nothing (a workbook with problems)."""
    await auditor.record(
        actor_id=actor.user_id,
        action=IMPORT_ACTION,
        outcome=Outcome.REJECTED,
        role=actor.role,
        tenant_id=tenant_id,
        object_type=RULES_OBJECT,
        correlation_id=actor.correlation_id,
        reason=reason,
        problems=str(problems),
    )


# --- in words ------------------------------------------------------------------------------------
def people_in_dry_run(lines: Sequence[DryRunLine]) -> list[str]:
    """The person ids a dry run names (to look their names up once)."""
    ids: dict[str, None] = {}
    for line in lines:
        for destination in (line.before, line.after.destination):
            if destination.kind is DestinationKind.PERSON and destination.target:
                ids.setdefault(destination.target, None)
        if line.after.delegated_from:
            ids.setdefault(line.after.delegated_from, None)
    return list(ids)


def describe_dry_run(line: DryRunLine, names: Mapping[str, str], t: Translator) -> str:
    """ "POST-2026-000012: triage -> persoon Jef Peeters (regel R-003)" in the reader's
    language; an item that stays where it is says so."""
    after = _destination(line.after.destination, names, t)
    if line.after.delegated_from:
        after = t(
            "post.rules.dry_run.delegated",
            destination=after,
            name=_name(names, line.after.delegated_from),
        )
    rule_id = line.after.rule_id
    if rule_id == ADDRESSEE_RULE:
        why = t("post.rules.dry_run.why_addressee")
    elif rule_id:
        why = t("post.rules.dry_run.why_rule", rule=rule_id)
    else:
        why = t("post.rules.dry_run.why_none")
    if not line.changed:
        return t("post.rules.dry_run.same", reference=line.item.reference, after=after, why=why)
    before = _destination(line.before, names, t)
    return t(
        "post.rules.dry_run.changed",
        reference=line.item.reference,
        before=before,
        after=after,
        why=why,
    )


def _destination(destination: Destination, names: Mapping[str, str], t: Translator) -> str:
    match destination.kind:
        case DestinationKind.PERSON:
            return t("post.rules.dry_run.person", name=_name(names, destination.target))
        case DestinationKind.TEAM:
            group = destination.target.partition(TEAM_SEPARATOR)[0]
            return t("post.rules.dry_run.team", team=_name(names, group))
        case DestinationKind.ENTITY:
            return t("post.rules.dry_run.entity", entity=destination.target)
        case _:
            return t("post.rules.dry_run.triage")


def _name(names: Mapping[str, str], user_id: str) -> str:
    return names.get(user_id) or names.get(user_id.casefold()) or user_id
