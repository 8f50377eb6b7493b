"""Trying routing rules on recent post before they replace the current ones: the dry run.

The dry run routes the newest items again with the rules under test, exactly as the intake
would today (the item's entity and matched addressee as stored, today's delegations), and
changes nothing; each line says where the item is now and where it would go. The admin sees
what would move before anything is replaced (in chat: bot/services/post/rules.py; on the command
line: `werkplek rules import`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, tzinfo

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
from bot.ports.platform import Clock
from bot.ports.post import DelegationRepository, PostItemRepository

DEFAULT_LAST_N = 50
MAX_LAST_N = 1000  # a dry run is read by a person
TEAM_SEPARATOR = "|"  # a team target: "<group id>|<channel id>"


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
            name=name_of(names, line.after.delegated_from),
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
            return t("post.rules.dry_run.person", name=name_of(names, destination.target))
        case DestinationKind.TEAM:
            group = destination.target.partition(TEAM_SEPARATOR)[0]
            return t("post.rules.dry_run.team", team=name_of(names, group))
        case DestinationKind.ENTITY:
            return t("post.rules.dry_run.entity", entity=destination.target)
        case _:
            return t("post.rules.dry_run.triage")


def name_of(names: Mapping[str, str], user_id: str) -> str:
    return names.get(user_id) or names.get(user_id.casefold()) or user_id
