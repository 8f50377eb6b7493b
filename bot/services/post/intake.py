"""Receiving a scanned item and routing it: from the scanner's upload to a queued notice.

receive: check the PDF, look up the external id, decide the routing (the envelope read, the
addressee looked up in the directory, the item's entity worked out, the rules and delegations
applied: bot.domain.post.routing), store the scan, then store the item together with its routing,
its audit lines and its notices in one transaction (IntakeItems.add_with). Everything that waits
for Graph or for another database connection happens before that transaction, so it holds its
locks (SQLite's writer, PostgreSQL's reference counter row) only for its own statements.

What can go wrong and what happens then:
- the same external id again from the same scanner (the intake token's name: ids are the
  scanner's own numbering, so two scanners may use the same one): with the same file and
  metadata (a retry, or two uploads racing) the stored item is answered and no second item or
  document is kept; with another file or other metadata ExternalIdTaken is raised (the HTTP
  edge answers 409) and the stored item stays as it is;
- the envelope's person, or a rule's, has left (a disabled account, or none any more): their
  delegate gets the item, else the mailroom's triage queue with that reason;
- the directory does not answer: the item goes to the mailroom's triage queue with the reason
  "post.reason.directory_unavailable", never lost and never guessed;
- routing fails otherwise (a bug, a broken rules table): the item is stored RECEIVED and
  `route_pending` (called by the post worker) routes it later; so is one a crash left
  RECEIVED when the repository has no add_with (two transactions: add, then route).
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import time
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, tzinfo
from typing import Protocol

from bot.domain.platform.audit import AuditEntry, Outcome
from bot.domain.platform.directory import DirectoryUser
from bot.domain.platform.errors import DomainError, NotFound
from bot.domain.platform.outbox import NewOutboxMessage
from bot.domain.post.addressees import match_addressee, parse_envelope, search_terms
from bot.domain.post.items import (
    TRIAGE,
    Destination,
    DestinationKind,
    ExternalIdTaken,
    IntakeMetadata,
    PostItem,
    PostNotice,
    PostNoticeKind,
    PostState,
    Routing,
    StalePostItem,
    StoredDocument,
    upload_differences,
)
from bot.domain.post.routing import Delegation, PostQuery, RoutingRule, route
from bot.ports.licences import CatalogueRepository
from bot.ports.platform import Directory
from bot.ports.post import (
    DelegationRepository,
    DocumentStore,
    PostItemRepository,
    RoutingRuleRepository,
)
from bot.services.platform.entities import Entities, GroupMembers
from bot.services.post.flow import OBJECT_TYPE, PostActor, PostFlow

logger = logging.getLogger(__name__)

INTAKE_ACTION = "post.intake"
ROUTE_ACTION = "post.route"
DIRECTORY_UNAVAILABLE = "post.reason.directory_unavailable"
# A rule edit reaches every replica within this time, without a query per item.
RULES_CACHE_SECONDS = 30.0
# People rarely change entity; a morning's post for one person asks the directory once.
PEOPLE_CACHE_SECONDS = 300.0
# Directory look-ups for one envelope: enough candidates to tell two namesakes apart.
CANDIDATES_PER_TERM = 10
# Search terms remembered (names on envelopes; a day's post names a few hundred people).
SEARCH_CACHE_SIZE = 4096
DOCUMENT_NAME = "scan.pdf"
TEAM_TARGET_SEPARATOR = "|"

# (the upload's bytes) -> its page count; raises a DomainError (post.intake.*) for a bad file.
DocumentCheck = Callable[[bytes], Awaitable[int]]
# (the stored, still RECEIVED item) -> its first step: the changed item, audit lines, notices.
FirstStep = Callable[
    [PostItem], Awaitable[tuple[PostItem, Sequence[AuditEntry], Sequence[NewOutboxMessage]]]
]


class IntakeItems(PostItemRepository, Protocol):
    """The post item repository with one more way to add (proposed for bot/ports/): the new
    item and its first step (routing, audit line, notices) in one transaction, so an item is
    never seen stored but unrouted, and intake costs one transaction instead of two."""

    async def add_with(
        self,
        tenant_id: str,
        metadata: IntakeMetadata,
        document: StoredDocument,
        now: datetime,
        audit: AuditEntry,
        first_step: FirstStep,
    ) -> tuple[PostItem, bool]:
        """As add(); when the item is new, `first_step` gets it (with its id and reference)
        inside the transaction and what it returns is stored instead, with its audit lines and
        outbox messages. When first_step raises, nothing is stored."""
        ...


@dataclass(frozen=True, slots=True)
class _Recipients:
    people: tuple[str, ...] = ()
    channel: str = ""
    triage: bool = False


@dataclass(frozen=True, slots=True)
class _Decided:
    """A new item's routing, its entity, who hears of it and in which language."""

    routing: Routing
    entity: str
    recipients: _Recipients
    locales: Mapping[str, str]


@dataclass(frozen=True, slots=True)
class _Facts:
    """What routing needs to know about an item beyond its metadata."""

    entity: str = ""
    addressee_id: str = ""
    ambiguous: bool = False
    directory_failed: bool = False
    addressee_enabled: bool | None = None  # as the directory's search said; None: not said


class PostIntake:
    def __init__(
        self,
        *,
        flow: PostFlow,
        items: IntakeItems | None = None,
        documents: DocumentStore,
        check: DocumentCheck,
        directory: Directory,
        catalogue: CatalogueRepository,
        rules: RoutingRuleRepository,
        delegations: DelegationRepository,
        group_members: GroupMembers,
        timezone: tzinfo,
        on_enqueued: Callable[[], None] = lambda: None,
        monotonic: Callable[[], float] = time.monotonic,
        entities: Entities | None = None,
    ) -> None:
        self.flow = flow
        self.items: PostItemRepository = items or flow.items
        # With the repository's add_with, a new item is stored and routed in one transaction;
        # without, in two.
        self._one_step = items
        self._on_enqueued = on_enqueued
        self.documents = documents
        self._check = check
        self._directory = directory
        self.entities = entities or Entities(catalogue, directory, group_members, monotonic)
        self._rules_repo = rules
        self._delegations = delegations
        self._zone = timezone
        self._monotonic = monotonic
        self._rules: tuple[float, list[RoutingRule]] | None = None
        self._entities: dict[str, tuple[float, str]] = {}
        self._searches: dict[str, tuple[float, asyncio.Future[list[DirectoryUser]]]] = {}
        self._delegated: dict[tuple[str, date], tuple[float, list[Delegation]]] = {}

    # --- intake -------------------------------------------------------------------------------
    async def receive(
        self,
        tenant_id: str,
        metadata: IntakeMetadata,
        data: bytes,
        token_name: str,
        *,
        correlation_id: str = "",
    ) -> tuple[PostItem, bool]:
        """Store and route one upload from the scanner `token_name`; (the item, whether this
        call created it).

        Raises the check's DomainError (post.intake.*) for a file that is no usable PDF; nothing
        is stored then. The scanner's external id again answers the stored item (created False)
        without storing the document a second time, when the file and the metadata are the
        same; else raises ExternalIdTaken, keeping the stored item.
        """
        pages = await self._check(data)
        metadata = replace(metadata, scanner=token_name)
        digest = hashlib.sha256(data).hexdigest()
        existing = await self.items.by_external_id(metadata.external_id, scanner=token_name)
        if existing is not None:
            return _repeated(existing, metadata, digest), False
        if metadata.pages <= 0:
            metadata = replace(metadata, pages=pages)
        actor = PostActor("system", "system", correlation_id)
        # Graph first, outside any transaction: a slow directory holds no database lock.
        one_step = self._one_step
        decided = await self._decided(metadata) if one_step else None
        document = await self.documents.put(DOCUMENT_NAME, data)
        audit = self._intake_audit(tenant_id, metadata, pages, len(data), token_name)
        audit = replace(audit, correlation_id=correlation_id)
        now = self.flow.clock.now()
        try:
            if one_step is None or decided is None:
                item, created = await self.items.add(tenant_id, metadata, document, now, audit)
            else:

                async def first_step(
                    stored: PostItem,
                ) -> tuple[PostItem, Sequence[AuditEntry], Sequence[NewOutboxMessage]]:
                    return self._routed(stored, decided, actor)

                item, created = await one_step.add_with(
                    tenant_id, metadata, document, now, audit, first_step
                )
        except BaseException:
            await self._forget_document(document.key)
            raise
        if not created:
            # A concurrent upload of the same external id stored its item first.
            await self._forget_document(document.key)
            return _repeated(item, metadata, digest), False
        if decided is not None:
            self._on_enqueued()
            return item, True
        try:
            item = await self.route(item, actor)
        except asyncio.CancelledError:
            raise
        except Exception:
            # Stored but not routed: the worker's route_pending finishes it.
            logger.exception("post item %s stored but not routed yet", item.id)
        return item, True

    async def route_pending(self, limit: int) -> int:
        """Route items a crash left RECEIVED (stored, never routed); how many were routed."""
        query = PostQuery(destinations=(TRIAGE,), states=frozenset({PostState.RECEIVED}))
        pending = await self.items.visible_to(replace(query, limit=limit))
        routed = 0
        for item in pending:
            try:
                await self.route(item, PostActor.system())
            except StalePostItem:
                continue  # someone else routed it meanwhile
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.exception("post item %s could not be routed; next round", item.id)
                continue
            routed += 1
        return routed

    # --- routing ------------------------------------------------------------------------------
    async def route(self, item: PostItem, actor: PostActor) -> PostItem:
        """Decide where a RECEIVED item goes, save that with its audit line and notices."""
        routing, entity = await self._decision(item.metadata)
        after = self._after(item, routing, entity)
        notices = await self._notices(after)
        return await self.flow.transition(item, after, actor, ROUTE_ACTION, notices)

    async def _decided(self, metadata: IntakeMetadata) -> _Decided | None:
        """The routing of a new item and what its notices need (the entity's admins, the
        recipients' languages), all looked up before the item's transaction: inside it nothing
        waits for Graph or for a second database connection. None when deciding failed in an
        unexpected way: the item is then stored RECEIVED and routed later (route_pending)."""
        try:
            routing, entity = await self._decision(metadata)
            recipients = await self._recipients(routing.destination)
            locales = await self.flow.locales(recipients.people)
        except asyncio.CancelledError:
            raise
        except Exception:
            logger.exception("routing a new post item failed; it is stored unrouted")
            return None
        return _Decided(routing, entity, recipients, locales)

    async def _decision(self, metadata: IntakeMetadata) -> tuple[Routing, str]:
        """(where the item goes, its entity code)."""
        facts = await self._facts(metadata)
        if facts.directory_failed:
            return Routing(TRIAGE, reason=DIRECTORY_UNAVAILABLE), facts.entity
        day = self.flow.clock.now().astimezone(self._zone).date()
        return await self._decide(metadata, facts, day), facts.entity

    def _after(self, item: PostItem, routing: Routing, entity: str) -> PostItem:
        after = item.route(routing, self.flow.clock.now())
        if entity and not item.metadata.entity:
            # The register and the entity's admins find the item by it.
            after = replace(after, metadata=replace(item.metadata, entity=entity))
        return after

    def _routed(
        self, item: PostItem, decided: _Decided, actor: PostActor
    ) -> tuple[PostItem, Sequence[AuditEntry], Sequence[NewOutboxMessage]]:
        """The first step of a new item, as add_with stores it with the item: no I/O."""
        after = self._after(item, decided.routing, decided.entity)
        notices = self._notices_to(after, decided.recipients)
        audit = self.flow.audit_entry(after, actor, ROUTE_ACTION, before=item)
        return after, [audit], self.flow.render(notices, decided.locales)

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
        cached = self._entities.get(key)
        if cached is not None and self._monotonic() - cached[0] < PEOPLE_CACHE_SECONDS:
            return cached[1]
        try:
            groups = await self._directory.member_of(user_id)
        except DomainError as error:
            logger.warning("directory unavailable for entity lookup: %s", type(error).__name__)
            return ""
        entity = (await self.entities.catalogue()).entity_of(group.id for group in groups)
        code = entity.code if entity is not None else ""
        if len(self._entities) >= SEARCH_CACHE_SIZE:
            del self._entities[next(iter(self._entities))]  # the oldest look-up
        self._entities[key] = (self._monotonic(), code)
        return code

    # --- notices ------------------------------------------------------------------------------
    async def _notices(self, item: PostItem) -> list[PostNotice]:
        return self._notices_to(item, await self._recipients(item.destination))

    async def _recipients(self, destination: Destination) -> _Recipients:
        """Who hears of an item routed to `destination`: people (by id) or one channel."""
        mailroom = self.flow.channels.mailroom_conversation_id
        if destination.kind is DestinationKind.PERSON:
            return _Recipients(people=(destination.target,))
        if destination.kind is DestinationKind.TEAM:
            _, _, channel = destination.target.partition(TEAM_TARGET_SEPARATOR)
            if not channel:
                logger.warning("a post team target without a channel: nobody told")
            return _Recipients(channel=channel)
        if destination.kind is DestinationKind.ENTITY:
            admins = await self._entity_admins(destination.target)
            if admins:
                return _Recipients(people=admins)
            # Nobody to tell in the entity: the mailroom, who may act on every queue, hears it.
            logger.warning("entity %s has no admins to tell about post", destination.target)
            return _Recipients(channel=mailroom)
        if not mailroom:
            logger.warning("no mailroom channel configured: triage items go untold")
        return _Recipients(channel=mailroom, triage=True)

    def _notices_to(self, item: PostItem, recipients: _Recipients) -> list[PostNotice]:
        kind = PostNoticeKind.TRIAGE if recipients.triage else PostNoticeKind.NEW_ITEM
        if recipients.channel:
            return [PostNotice(kind, item, conversation_id=recipients.channel)]
        return [PostNotice(kind, item, recipient_id=person) for person in recipients.people]

    async def _entity_admins(self, code: str) -> tuple[str, ...]:
        try:
            return await self.entities.admins(code)
        except DomainError as error:
            logger.warning("directory unavailable for entity admins: %s", type(error).__name__)
            return ()

    # --- caches and helpers -------------------------------------------------------------------
    async def _load_rules(self) -> list[RoutingRule]:
        cached = self._rules
        if cached is not None and self._monotonic() - cached[0] < RULES_CACHE_SECONDS:
            return cached[1]
        rules = await self._rules_repo.load()
        self._rules = (self._monotonic(), rules)
        return rules

    def forget_rules(self) -> None:
        """Read the rules afresh on the next item (after an import on this replica)."""
        self._rules = None

    def _intake_audit(
        self, tenant_id: str, metadata: IntakeMetadata, pages: int, size: int, token_name: str
    ) -> AuditEntry:
        """Ids and facts only: never the sender, the subject or the envelope's text."""
        return AuditEntry(
            at=self.flow.clock.now(),
            actor_id=f"intake:{token_name}",
            action=INTAKE_ACTION,
            outcome=Outcome.OK,
            role="intake",
            tenant_id=tenant_id,
            object_type=OBJECT_TYPE,
            object_id="",  # the repository writes the new reference here
            detail={
                "external_id": metadata.external_id,
                "document_type": metadata.document_type.value,
                "pages": str(pages),
                "bytes": str(size),
                **({"confidential": "true"} if metadata.confidential else {}),
            },
        )

    async def _forget_document(self, key: str) -> None:
        try:
            await self.documents.delete(key)
        except Exception:
            logger.exception("could not delete orphan scan %s", key)


def _repeated(stored: PostItem, metadata: IntakeMetadata, sha256: str) -> PostItem:
    """The stored item when the upload repeats it; ExternalIdTaken when it is another one."""
    differences = upload_differences(stored, metadata, sha256)
    if differences:
        logger.warning(
            "post intake: external id of item %s sent again with other %s",
            stored.id,
            ", ".join(differences),
        )
        raise ExternalIdTaken(stored, differences)
    return stored


def _unique(users: Iterable[DirectoryUser]) -> list[DirectoryUser]:
    seen: dict[str, DirectoryUser] = {}
    for user in users:
        seen.setdefault(user.id.casefold(), user)
    return list(seen.values())
