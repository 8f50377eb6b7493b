"""Routing rules, delegations and queries for incoming post: pure data and rules, no I/O.

Rules are ordered; the first active rule whose conditions all hold decides the destination.
A rule may be scoped to one entity ("*": every entity). When no rule matches, an envelope that
names exactly one person goes to that person; anything else goes to the mailroom's triage
queue with the reason. A person's active delegation (a date range, inclusive) redirects what
would go to them to their delegate, recorded as "doorgestuurd".

Post for someone who left: a person whose account is disabled (left, suspended) or gone from
the directory reads nothing. What would reach them goes to their delegate when they have an
active delegation to someone whose account works, else to triage with the reason, so the
mailroom decides; a delegation to someone who left counts as none. The caller says who is
inactive (`inactive`): routing itself asks nobody.

`route` decides; `rule_matches` and `active_delegation` are its parts; `suggest_rule` turns the
mailroom's hand routing of a triage item into a rule proposal; `dry_run` shows what new rules
would change on recent items; the working-day helpers time reminders and escalations. Who the
envelope names is decided before, in bot.domain.post.addressees: routing gets the person's id.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from functools import lru_cache

from bot.domain.platform.text import fold, folded_words
from bot.domain.post.envelope import parse_envelope
from bot.domain.post.items import (
    TRIAGE,
    Destination,
    DestinationKind,
    DocumentType,
    IntakeMetadata,
    PostItem,
    PostState,
    Routing,
)

ANY_ENTITY = "*"
ADDRESSEE_RULE = "addressee"  # rule_id recorded when the envelope's person decided
# Why an item went to triage (message ids, shown to the mailroom).
AMBIGUOUS_REASON = "post.reason.ambiguous"  # several people fit the envelope
UNKNOWN_ADDRESSEE_REASON = "post.reason.unknown_addressee"  # nobody fits, no rule
CONFIDENTIAL_UNKNOWN_REASON = "post.reason.confidential_unknown"  # sealed, and nobody fits
RULE_REASON = "post.reason.rule"  # a rule sends these items to the mailroom on purpose
# The envelope's person, or a rule's person, has no working account and no delegate who has.
ADDRESSEE_INACTIVE_REASON = "post.reason.addressee_inactive"
RULE_PERSON_INACTIVE_REASON = "post.reason.rule_person_inactive"


@dataclass(frozen=True, slots=True)
class RuleConditions:
    """Every condition given must hold; an empty condition holds for any item."""

    addressee_ids: tuple[str, ...] = ()  # the envelope was matched to one of these people
    addressee_text: str = ""  # folded words that must all occur in the envelope's addressee
    sender_contains: str = ""  # folded words that must all occur in sender name + organisation
    document_types: frozenset[DocumentType] = frozenset()
    keywords: tuple[str, ...] = ()  # any of these (folded) in the subject or the OCR text


@dataclass(frozen=True, slots=True)
class RoutingRule:
    id: str  # stable, e.g. "R-012": shown in the audit trail and the dry run
    position: int  # evaluation order, lowest first
    destination: Destination
    conditions: RuleConditions = field(default_factory=RuleConditions)
    entity: str = ANY_ENTITY  # scope: the item's entity (metadata or the addressee's)
    description: str = ""
    active: bool = True


@dataclass(frozen=True, slots=True)
class RuleProblem:
    """One reason a rules workbook cannot become the routing rules: where (sheet, row, column)
    and a message id. The Excel reader finds them; the chat and the command line show them.

    `sheet` and `column` are keys ("rules", "destination"), named as the admin sees them when
    described. `row` is the Excel row number, None for the sheet or the file as a whole."""

    sheet: str
    row: int | None
    column: str
    message_key: str
    value: str = ""


@dataclass(frozen=True, slots=True)
class Delegation:
    """While away, `user_id`'s post goes to `delegate_id` (from `starts` to `ends`, inclusive)."""

    user_id: str
    delegate_id: str
    starts: date
    ends: date
    created_by: str
    created_at: datetime
    id: int = 0


@dataclass(frozen=True, slots=True)
class PostQuery:
    """Which items a person may list: those routed to them, to their teams, to the entities
    whose queue they hold, or (mailroom) the triage queue."""

    destinations: tuple[Destination, ...]
    states: frozenset[PostState] = frozenset({PostState.ROUTED, PostState.TRIAGE})
    registered_only: bool = False
    received_since: datetime | None = None  # "deze week"
    search: str = ""  # words in the sender (name, organisation) or the subject
    limit: int = 5
    offset: int = 0


# --- delegations -----------------------------------------------------------------------------
def active_delegation(
    delegations: Sequence[Delegation],
    user_id: str,
    day: date,
    inactive: Collection[str] = frozenset(),
) -> Delegation | None:
    """The delegation that redirects `user_id`'s post on `day` (both ends inclusive), if any.

    When several overlap, the one created last wins: it is the person's latest word. A
    delegation to oneself is ignored, and so is one to a person in `inactive` (ids of people
    whose account is disabled or gone; case ignored): nobody reads what goes there. Chains are
    not followed (A -> B while B -> C still sends A's post to B): A chose B, and B's own
    delegate was chosen for B's post, not for what B covers; following chains could also loop
    (A -> B, B -> A) or carry a confidential letter further than anyone decided. B's delegate
    sees it when B forwards it.
    """
    wanted = user_id.casefold()
    gone = {person.casefold() for person in inactive}
    current = [
        d
        for d in delegations
        if d.user_id.casefold() == wanted
        and d.delegate_id.casefold() != wanted
        and d.delegate_id
        and d.delegate_id.casefold() not in gone
        and d.starts <= day <= d.ends
    ]
    return max(current, key=lambda d: (d.created_at, d.id), default=None)


# --- rules -----------------------------------------------------------------------------------
def rule_matches(
    rule: RoutingRule, metadata: IntakeMetadata, entity: str, addressee_id: str
) -> bool:
    """Whether an active rule in scope (its entity is "*", blank, or the item's entity, case
    ignored) has all its conditions hold. Words are compared folded (case and accents ignored)
    and whole: "factuur" does not match "facturen". A keyword of several words is a phrase. A
    rule for registered document types also takes letters the scanner flagged as registered."""
    if not rule.active:
        return False
    scope = rule.entity.strip() or ANY_ENTITY
    if scope != ANY_ENTITY and fold(scope) != fold(entity.strip()):
        return False
    conditions = rule.conditions
    if conditions.addressee_ids and addressee_id.casefold() not in {
        person.casefold() for person in conditions.addressee_ids
    }:
        return False
    if conditions.addressee_text and not _all_words_in(
        conditions.addressee_text, metadata.addressee
    ):
        return False
    sender = f"{metadata.sender.name} {metadata.sender.organisation}"
    if conditions.sender_contains and not _all_words_in(conditions.sender_contains, sender):
        return False
    if conditions.document_types and not (
        metadata.document_type in conditions.document_types
        or (metadata.registered and DocumentType.REGISTERED in conditions.document_types)
    ):
        return False
    if conditions.keywords:
        text = _keyword_text(metadata.subject, metadata.ocr_text)
        phrases = (" ".join(folded_words(keyword)) for keyword in conditions.keywords)
        if not any(phrase and f" {phrase} " in text for phrase in phrases):
            return False
    return True


def _all_words_in(wanted: str, text: str) -> bool:
    return set(folded_words(wanted)) <= set(folded_words(text))


@lru_cache(maxsize=32)
def _keyword_text(subject: str, ocr_text: str) -> str:
    """Subject and OCR text as folded words between spaces, for whole-word phrase search. The
    OCR text of a long letter is folded once per item, not once per rule (cached); a newline
    keeps a phrase from running from the subject into the text."""
    return f" {' '.join(folded_words(subject))} \n {' '.join(folded_words(ocr_text))} "


def route(
    metadata: IntakeMetadata,
    *,
    entity: str,
    addressee_id: str,
    ambiguous: bool,
    rules: Sequence[RoutingRule],
    delegations: Sequence[Delegation],
    day: date,
    inactive: Collection[str] = frozenset(),
) -> Routing:
    """Where an item goes: the first matching rule by position (equal positions: list order);
    else the person the envelope names; else triage with the reason. A person's delegation on
    `day` then redirects it. `entity` is the item's entity (metadata.entity, else the
    addressee's): the caller decides. A confidential item nobody is named for says so first,
    since the mailroom must not open it, whatever else is unclear.

    `inactive`: ids of people whose account is disabled or gone (case ignored). An item for
    one of them goes to their delegate (a working account), else to triage with the reason;
    the rule or the addressee that chose them stays recorded, for the mailroom and the audit
    trail."""
    ordered = sorted(enumerate(rules), key=lambda pair: (pair[1].position, pair[0]))
    rule = next((r for _, r in ordered if rule_matches(r, metadata, entity, addressee_id)), None)
    if rule is not None:
        routing = Routing(
            rule.destination,
            addressee_id=addressee_id,
            rule_id=rule.id,
            reason=RULE_REASON if rule.destination.kind is DestinationKind.TRIAGE else "",
        )
    elif addressee_id:
        routing = Routing(
            Destination(DestinationKind.PERSON, addressee_id),
            addressee_id=addressee_id,
            rule_id=ADDRESSEE_RULE,
        )
    else:
        if metadata.confidential:
            reason = CONFIDENTIAL_UNKNOWN_REASON
        elif ambiguous:
            reason = AMBIGUOUS_REASON
        else:
            reason = UNKNOWN_ADDRESSEE_REASON
        return Routing(TRIAGE, reason=reason)
    if routing.destination.kind is not DestinationKind.PERSON:
        return routing
    person = routing.destination.target
    delegation = active_delegation(delegations, person, day, inactive)
    if delegation is not None:
        return replace(
            routing,
            destination=Destination(DestinationKind.PERSON, delegation.delegate_id),
            delegated_from=person,
        )
    if person.casefold() not in {gone.casefold() for gone in inactive}:
        return routing
    by_envelope = routing.rule_id == ADDRESSEE_RULE
    reason = ADDRESSEE_INACTIVE_REASON if by_envelope else RULE_PERSON_INACTIVE_REASON
    return replace(routing, destination=TRIAGE, reason=reason)


def suggest_rule(
    item: PostItem, destination: Destination, rule_id: str, position: int
) -> RoutingRule:
    """A rule that would have sent this (triage) item where the mailroom sent it by hand: from
    the sender's organisation (or name, when there is none) and, when the envelope names no
    person, what the envelope says without titles and "t.a.v." ("Agentschap Digitaal
    Vlaanderen directeur", "Dienst Personeel", "J. Peeters"; a family as written: "Fam.
    Peeters", not every Peeters); scoped to the item's entity ("*" when the scanner gave none).
    Texts stay as written: rules compare them folded. A suggestion with no condition at all
    would take every item, so it comes inactive: someone must add a condition first."""
    sender = item.metadata.sender
    sender_text = _clean(sender.organisation) or _clean(sender.name)
    addressee_text = ""
    if not item.addressee_id:
        envelope = parse_envelope(item.metadata.addressee)
        if not envelope.collective:
            names = " ".join(" ".join(segment) for segment in envelope.segments)
            addressee_text = _clean(f"{envelope.organisation} {envelope.function} {names}")
        addressee_text = addressee_text or _clean(item.metadata.addressee)
    conditions = RuleConditions(sender_contains=sender_text, addressee_text=addressee_text)
    return RoutingRule(
        id=rule_id,
        position=position,
        destination=destination,
        conditions=conditions,
        entity=item.metadata.entity.strip() or ANY_ENTITY,
        description=item.reference,
        active=bool(sender_text or addressee_text),
    )


def _clean(text: str) -> str:
    return " ".join(text.replace(",", " ").split())


# --- dry run ---------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class DryRunLine:
    """Where an item is now, and where the rules under test would send it."""

    item: PostItem
    before: Destination
    after: Routing

    @property
    def changed(self) -> bool:
        return self.before != self.after.destination


def dry_run(
    items: Iterable[PostItem], route_item: Callable[[PostItem], Routing]
) -> list[DryRunLine]:
    """Route recent items again with other rules, changing nothing: the admin sees what would
    move before replacing the rules."""
    return [DryRunLine(item, item.destination, route_item(item)) for item in items]
