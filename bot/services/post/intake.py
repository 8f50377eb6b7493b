"""Receiving a scanned item and routing it: from the scanner's upload to a queued notice.

receive: check the PDF, look up the external id, decide the routing (the envelope read, the
addressee looked up in the directory, the item's entity worked out, the rules and delegations
applied: bot/services/post/routing.py), store the scan, then store the item together with its
routing, its audit lines and its notices in one transaction (IntakeItems.add_with). Everything
that waits for Graph or for another database connection happens before that transaction, so it
holds its locks (SQLite's writer, PostgreSQL's reference counter row) only for its own
statements.

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
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, tzinfo
from typing import Protocol

from bot.domain.platform.actors import Actor
from bot.domain.platform.audit import AuditEntry, Outcome
from bot.domain.platform.errors import DomainError
from bot.domain.platform.outbox import NewOutboxMessage
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
from bot.domain.post.routing import PostQuery
from bot.ports.licences import CatalogueRepository
from bot.ports.platform import Directory
from bot.ports.post import (
    DelegationRepository,
    DocumentStore,
    PostItemRepository,
    RoutingRuleRepository,
)
from bot.services.platform.entities import Entities, GroupMembers
from bot.services.post.flow import OBJECT_TYPE, PostFlow
from bot.services.post.routing import PostRouter

logger = logging.getLogger(__name__)

INTAKE_ACTION = "post.intake"
ROUTE_ACTION = "post.route"
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
        self._flow = flow
        self._items: PostItemRepository = items or flow.items
        # With the repository's add_with, a new item is stored and routed in one transaction;
        # without, in two.
        self._one_step = items
        self._on_enqueued = on_enqueued
        self._documents = documents
        self._check = check
        self._entities = entities or Entities(catalogue, directory, group_members, monotonic)
        self._router = PostRouter(
            directory=directory,
            entities=self._entities,
            rules=rules,
            delegations=delegations,
            clock=flow.clock,
            timezone=timezone,
            monotonic=monotonic,
        )

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
        existing = await self._items.by_external_id(metadata.external_id, scanner=token_name)
        if existing is not None:
            return _repeated(existing, metadata, digest), False
        if metadata.pages <= 0:
            metadata = replace(metadata, pages=pages)
        actor = Actor.system(correlation_id)
        # Graph first, outside any transaction: a slow directory holds no database lock.
        one_step = self._one_step
        decided = await self._decided(metadata) if one_step else None
        document = await self._documents.put(DOCUMENT_NAME, data)
        audit = self._intake_audit(tenant_id, metadata, pages, len(data), token_name)
        audit = replace(audit, correlation_id=correlation_id)
        now = self._flow.clock.now()
        try:
            if one_step is None or decided is None:
                item, created = await self._items.add(tenant_id, metadata, document, now, audit)
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
        pending = await self._items.visible_to(replace(query, limit=limit))
        routed = 0
        for item in pending:
            try:
                await self.route(item, Actor.system())
            except StalePostItem:
                continue  # someone else routed it meanwhile
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.exception("post item %s could not be routed; next round", item.id)
                continue
            routed += 1
        return routed

    def forget_rules(self) -> None:
        """Read the rules afresh on the next item (after an import on this replica)."""
        self._router.forget_rules()

    # --- routing ------------------------------------------------------------------------------
    async def route(self, item: PostItem, actor: Actor) -> PostItem:
        """Decide where a RECEIVED item goes, save that with its audit line and notices."""
        routing, entity = await self._router.decide(item.metadata)
        after = self._after(item, routing, entity)
        notices = await self._notices(after)
        return await self._flow.transition(item, after, actor, ROUTE_ACTION, notices)

    async def _decided(self, metadata: IntakeMetadata) -> _Decided | None:
        """The routing of a new item and what its notices need (the entity's admins, the
        recipients' languages), all looked up before the item's transaction: inside it nothing
        waits for Graph or for a second database connection. None when deciding failed in an
        unexpected way: the item is then stored RECEIVED and routed later (route_pending)."""
        try:
            routing, entity = await self._router.decide(metadata)
            recipients = await self._recipients(routing.destination)
            locales = await self._flow.locales(recipients.people)
        except asyncio.CancelledError:
            raise
        except Exception:
            logger.exception("routing a new post item failed; it is stored unrouted")
            return None
        return _Decided(routing, entity, recipients, locales)

    def _after(self, item: PostItem, routing: Routing, entity: str) -> PostItem:
        after = item.route(routing, self._flow.clock.now())
        if entity and not item.metadata.entity:
            # The register and the entity's admins find the item by it.
            after = replace(after, metadata=replace(item.metadata, entity=entity))
        return after

    def _routed(
        self, item: PostItem, decided: _Decided, actor: Actor
    ) -> tuple[PostItem, Sequence[AuditEntry], Sequence[NewOutboxMessage]]:
        """The first step of a new item, as add_with stores it with the item: no I/O."""
        after = self._after(item, decided.routing, decided.entity)
        notices = self._notices_to(after, decided.recipients)
        audit = self._flow.audit_entry(after, actor, ROUTE_ACTION, before=item)
        return after, [audit], self._flow.render(notices, decided.locales)

    # --- notices ------------------------------------------------------------------------------
    async def _notices(self, item: PostItem) -> list[PostNotice]:
        return self._notices_to(item, await self._recipients(item.destination))

    async def _recipients(self, destination: Destination) -> _Recipients:
        """Who hears of an item routed to `destination`: people (by id) or one channel."""
        mailroom = self._flow.channels.mailroom_conversation_id
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
            return await self._entities.admins(code)
        except DomainError as error:
            logger.warning("directory unavailable for entity admins: %s", type(error).__name__)
            return ()

    # --- helpers ------------------------------------------------------------------------------
    def _intake_audit(
        self, tenant_id: str, metadata: IntakeMetadata, pages: int, size: int, token_name: str
    ) -> AuditEntry:
        """Ids and facts only: never the sender, the subject or the envelope's text."""
        return AuditEntry(
            at=self._flow.clock.now(),
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
            await self._documents.delete(key)
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
