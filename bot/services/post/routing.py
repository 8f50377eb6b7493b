"""Where a new item of post goes: the routing decision (bot.domain.post.routing) with what it
needs looked up first: the envelope's addressee in the directory, that person's entity in the
licence catalogue, the rules, the delegations of whoever the item would reach, and whether
those people still work here.

Everything read here is cached briefly, each cache bounded: a morning's post names the same
people again and again, and a rule or a delegation set a moment ago applies within
RULES_CACHE_SECONDS on every replica. A directory that does not answer never makes a guess:
the addressee look-up sends the item to triage, an account check overrules nobody.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, tzinfo

from bot.domain.platform.directory import DirectoryUser
from bot.domain.platform.errors import DomainError, NotFound
from bot.domain.post.addressees import match_addressee
from bot.domain.post.envelope import parse_envelope
from bot.domain.post.items import TRIAGE, DestinationKind, IntakeMetadata, Routing
from bot.domain.post.routing import Delegation, RoutingRule, route
from bot.domain.post.search_terms import search_terms
from bot.ports.platform import Clock, Directory
from bot.ports.post import DelegationRepository, RoutingRuleRepository
from bot.services.platform.entities import Entities

logger = logging.getLogger(__name__)

DIRECTORY_UNAVAILABLE = "post.reason.directory_unavailable"
# A rule edit reaches every replica within this time, without a query per item.
RULES_CACHE_SECONDS = 30.0
# People rarely change entity; a morning's post for one person asks the directory once.
PEOPLE_CACHE_SECONDS = 300.0
# Directory look-ups for one envelope: enough candidates to tell two namesakes apart.
CANDIDATES_PER_TERM = 10
# Search terms remembered (names on envelopes; a day's post names a few hundred people).
SEARCH_CACHE_SIZE = 4096


@dataclass(frozen=True, slots=True)
class _Facts:
    """What routing needs to know about an item beyond its metadata."""

    entity: str = ""
    addressee_id: str = ""
    ambiguous: bool = False
    directory_failed: bool = False
    addressee_enabled: bool | None = None  # as the directory's search said; None: not said


class PostRouter:
    def __init__(
        self,
        *,
        directory: Directory,
        entities: Entities,
        rules: RoutingRuleRepository,
        delegations: DelegationRepository,
        clock: Clock,
        timezone: tzinfo,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._directory = directory
        self._entities = entities
        self._rules_repo = rules
        self._delegations = delegations
        self._clock = clock
        self._zone = timezone
        self._monotonic = monotonic
        self._rules: tuple[float, list[RoutingRule]] | None = None
        self._entity_codes: dict[str, tuple[float, str]] = {}
        self._searches: dict[str, tuple[float, asyncio.Future[list[DirectoryUser]]]] = {}
        self._delegated: dict[tuple[str, date], tuple[float, list[Delegation]]] = {}

    async def decide(self, metadata: IntakeMetadata) -> tuple[Routing, str]:
        """(where the item goes, its entity code)."""
        facts = await self._facts(metadata)
        if facts.directory_failed:
            return Routing(TRIAGE, reason=DIRECTORY_UNAVAILABLE), facts.entity
        day = self._clock.now().astimezone(self._zone).date()
        return await self._decide(metadata, facts, day), facts.entity

    def forget_rules(self) -> None:
        """Read the rules afresh on the next item (after an import on this replica)."""
        self._rules = None

    # --- the decision -------------------------------------------------------------------------
    async def _decide(self, metadata: IntakeMetadata, facts: _Facts, day: date) -> Routing:
        rules = await self._load_rules()

        def decide(delegations: Sequence[Delegation], inactive: frozenset[str]) -> Routing:
            return route(
                metadata,
                entity=facts.entity,
                addressee_id=facts.addressee_id,
                ambiguous=facts.ambiguous,
                rules=rules,
                delegations=delegations,
                day=day,
                inactive=inactive,
            )

        # A delegation redirects only the person the item would reach, and only whether that
        # person and their delegates still work here matters: look those up, nobody else.
        first = decide((), frozenset())
        if first.destination.kind is not DestinationKind.PERSON:
            return first
        person = first.destination.target
        delegations = await self._active_delegations(person, day)
        people = [person, *(delegation.delegate_id for delegation in delegations)]
        inactive = await self._inactive(people, facts)
        if not delegations and not inactive:
            return first
        return decide(delegations, inactive)

    async def _inactive(self, people: Sequence[str], facts: _Facts) -> frozenset[str]:
        """Those of `people` whose account is disabled or no longer in the directory (ids,
        casefolded). The envelope's person comes with the search that found them; the others
        are read (the directory caches them)."""
        known = (
            {facts.addressee_id.casefold(): facts.addressee_enabled} if facts.addressee_id else {}
        )
        wanted = list(dict.fromkeys(person.casefold() for person in people if person))
        asked = [person for person in wanted if known.get(person) is None]
        answers = await asyncio.gather(*(self._is_active(person) for person in asked))
        known.update(zip(asked, answers, strict=True))
        return frozenset(person for person in wanted if known.get(person) is False)

    async def _is_active(self, user_id: str) -> bool | None:
        """Whether the person's account works: False when disabled or gone from the directory,
        None when the directory does not say (routing then goes on as if it works: a rule or a
        delegation someone set is not overruled on a guess)."""
        try:
            user = await self._directory.get_user(user_id)
        except NotFound:
            return False
        except DomainError as error:
            logger.warning("directory unavailable for an account check: %s", type(error).__name__)
            return None
        return user.account_enabled

    async def _active_delegations(self, user_id: str, day: date) -> list[Delegation]:
        """The person's delegations on `day`, read at most every RULES_CACHE_SECONDS: one
        set or cancelled a moment ago applies within that time, as a rule change does."""
        key = (user_id.casefold(), day)
        cached = self._delegated.get(key)
        if cached is not None and self._monotonic() - cached[0] < RULES_CACHE_SECONDS:
            return cached[1]
        if len(self._delegated) >= SEARCH_CACHE_SIZE:
            del self._delegated[next(iter(self._delegated))]
        found = await self._delegations.active_on([user_id], day)
        self._delegated[key] = (self._monotonic(), found)
        return found

    async def _load_rules(self) -> list[RoutingRule]:
        cached = self._rules
        if cached is not None and self._monotonic() - cached[0] < RULES_CACHE_SECONDS:
            return cached[1]
        rules = await self._rules_repo.load()
        self._rules = (self._monotonic(), rules)
        return rules

    # --- the addressee ------------------------------------------------------------------------
    async def _facts(self, metadata: IntakeMetadata) -> _Facts:
        envelope = parse_envelope(metadata.addressee)
        terms = search_terms(envelope)
        try:
            found = await asyncio.gather(*(self._find_users(term) for term in terms))
        except DomainError as error:
            logger.warning("directory unavailable for addressee lookup: %s", type(error).__name__)
            return _Facts(entity=metadata.entity, directory_failed=True)
        match = match_addressee(envelope, _unique(user for users in found for user in users))
        person = match.person
        person_id = person.id if person is not None else ""
        entity = metadata.entity
        if not entity and person_id:
            entity = await self._entity_of(person_id)
        return _Facts(
            entity=entity,
            addressee_id=person_id,
            ambiguous=match.ambiguous,
            addressee_enabled=person.account_enabled if person is not None else None,
        )

    async def _find_users(self, term: str) -> list[DirectoryUser]:
        """The directory's people for one search term, shared for a few minutes: a morning's
        post names the same people again and again, and items arriving together that name the
        same person wait for one look-up. A failed look-up is not kept."""
        now = self._monotonic()
        cached = self._searches.get(term)
        if cached is None or now - cached[0] >= PEOPLE_CACHE_SECONDS:
            if len(self._searches) >= SEARCH_CACHE_SIZE:
                del self._searches[next(iter(self._searches))]  # the oldest look-up
            lookup = asyncio.ensure_future(self._directory.find_users(term, CANDIDATES_PER_TERM))
            cached = (now, lookup)
            self._searches[term] = cached
        try:
            return list(await asyncio.shield(cached[1]))
        except asyncio.CancelledError:
            raise
        except Exception:
            if self._searches.get(term) is cached:
                del self._searches[term]
            raise

    async def _entity_of(self, user_id: str) -> str:
        """The code of the person's entity in the licence catalogue ("" when none, or when the
        directory does not answer: routing then works without an entity)."""
        key = user_id.casefold()
        cached = self._entity_codes.get(key)
        if cached is not None and self._monotonic() - cached[0] < PEOPLE_CACHE_SECONDS:
            return cached[1]
        try:
            groups = await self._directory.member_of(user_id)
        except DomainError as error:
            logger.warning("directory unavailable for entity lookup: %s", type(error).__name__)
            return ""
        entity = (await self._entities.catalogue()).entity_of(group.id for group in groups)
        code = entity.code if entity is not None else ""
        if len(self._entity_codes) >= SEARCH_CACHE_SIZE:
            del self._entity_codes[next(iter(self._entity_codes))]  # the oldest look-up
        self._entity_codes[key] = (self._monotonic(), code)
        return code


def _unique(users: Iterable[DirectoryUser]) -> list[DirectoryUser]:
    seen: dict[str, DirectoryUser] = {}
    for user in users:
        seen.setdefault(user.id.casefold(), user)
    return list(seen.values())
