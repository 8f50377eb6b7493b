"""Incoming post in chat: what addressees, teams, entity admins and the mailroom see and do.

`PostDesk` is the use-case layer the post dialog calls; `PostAccess` holds the access rule, which
the post worker shares. Nothing here trusts an id from a card: every method that takes an item
id loads the item and checks the caller against it, raising Forbidden (the dialog audits the
refusal as DENIED) before anything is shown or changed.

Who may see and act on an item is bot/services/post/access.py's rule. Asking for the paper
original is open to everyone who may see the item; routing from triage is the mailroom's;
turning a routed item into a rule suggestion is the mailroom's and the entity admins'.

Every view of a scan is audited durably ("post.scan.view") before its link is made; the link is
short-lived, signed, made for the viewer only, and served by the bot (bot/http).
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from datetime import time as day_start
from enum import StrEnum

from bot.domain.platform.audit import Outcome
from bot.domain.platform.directory import DirectoryUser
from bot.domain.platform.errors import DomainError, Forbidden, NotFound
from bot.domain.platform.roles import Role
from bot.domain.post.items import (
    Destination,
    DestinationKind,
    PostItem,
    PostNotice,
    PostNoticeKind,
    PostState,
    Routing,
    item_card_key,
)
from bot.domain.post.routing import (
    Delegation,
    PostQuery,
    RoutingRule,
    active_delegation,
    suggest_rule,
)
from bot.services.platform.audit import Auditor
from bot.services.post.access import (
    NameBook,
    PostAccess,
    Seen,
    Standing,
    Viewer,
    item_people,
    same_person,
)
from bot.services.post.flow import OBJECT_TYPE, PostFlow

logger = logging.getLogger(__name__)

PAGE_SIZE = 5
MAX_NOTE = 500
MAX_REASON = 500
MIN_REASON = 3
MAX_SEARCH = 100
MAX_DELEGATION_DAYS = 366
MAX_PEOPLE = 5

SCAN_VIEW = "post.scan.view"
RULE_SUGGEST = "post.rule.suggest"
DELEGATION_ADD = "post.delegation.add"
DELEGATION_CANCEL = "post.delegation.cancel"
DELEGATION_OBJECT = "post_delegation"
RULE_OBJECT = "post_rule"

NO_ACCESS = "post.error.no_access"
NOT_HOLDER = "post.error.not_holder"
MAILROOM_ONLY = "post.error.mailroom_only"
RULE_NOT_ALLOWED = "post.error.rule_not_allowed"
RULE_NEEDS_ROUTED = "post.error.rule_needs_routed"
SCAN_GONE = "post.error.scan_deleted"
UNKNOWN_PERSON = "post.error.unknown_person"
SAME_PERSON = "post.error.same_person"
# Post sent by hand to someone who left would lie unread, as routed post would (see routing).
PERSON_INACTIVE = "post.error.person_inactive"
REASON_NEEDED = "post.error.reason_needed"

# (item id, viewer's Entra id) -> a short-lived signed URL to the scan, served by the bot.
ScanLinks = Callable[[int, str], str]
_RULE_ID = re.compile(r"^R-(\d+)$")


class Scope(StrEnum):
    OPEN = "open"  # not handled yet (routed or in triage)
    HANDLED = "handled"
    ALL = "all"


SCOPE_STATES = {
    Scope.OPEN: frozenset({PostState.ROUTED, PostState.TRIAGE}),
    Scope.HANDLED: frozenset({PostState.HANDLED}),
    Scope.ALL: frozenset({PostState.ROUTED, PostState.TRIAGE, PostState.HANDLED}),
}


@dataclass(frozen=True, slots=True)
class PostFilters:
    """What `post` lists: "post aangetekend", "post deze week", "post zoek Fluvius"."""

    scope: Scope = Scope.OPEN
    registered: bool = False
    this_week: bool = False
    search: str = ""


@dataclass(frozen=True, slots=True)
class PostPage:
    items: tuple[PostItem, ...]
    filters: PostFilters
    offset: int
    has_more: bool


@dataclass(frozen=True, slots=True)
class OpenedScan:
    seen: Seen
    url: str
    minutes: int


class PostDesk:
    def __init__(
        self,
        *,
        flow: PostFlow,
        access: PostAccess,
        auditor: Auditor,
        scan_links: ScanLinks,
        link_minutes: int,
        names: NameBook | None = None,
        on_rules_changed: Callable[[], None] = lambda: None,
        page_size: int = PAGE_SIZE,
    ) -> None:
        self.flow = flow
        self.access = access
        self.page_size = page_size
        self.book = names or NameBook()
        self._auditor = auditor
        self._scan_links = scan_links
        self._link_minutes = link_minutes
        self._on_rules_changed = on_rules_changed

    # --- reading ------------------------------------------------------------------------------
    async def list_items(self, viewer: Viewer, filters: PostFilters, offset: int = 0) -> PostPage:
        """The viewer's items, newest received first, one page of them."""
        standing = self.access.standing(viewer)
        destinations = await self.access.destinations(standing)
        query = PostQuery(
            destinations=destinations,
            states=SCOPE_STATES[filters.scope],
            registered_only=filters.registered,
            received_since=self._week_start() if filters.this_week else None,
            search=filters.search.strip()[:MAX_SEARCH],
            limit=self.page_size + 1,
            offset=max(offset, 0),
        )
        found = await self.flow.items.visible_to(query)
        has_more = len(found) > self.page_size
        return PostPage(tuple(found[: self.page_size]), filters, max(offset, 0), has_more)

    async def look(self, viewer: Viewer, item_id: int) -> Seen:
        """One item, if the viewer may see it."""
        standing, item = await self._load(viewer, item_id, act=False)
        return await self._view(standing, item)

    async def open_scan(self, viewer: Viewer, item_id: int) -> OpenedScan:
        """A link to the scan for this viewer, audited before it is made."""
        standing, item = await self._load(viewer, item_id, act=False)
        if item.scan_deleted_at is not None:
            raise DomainError(SCAN_GONE)
        await self._auditor.record(
            actor_id=viewer.user_id,
            action=SCAN_VIEW,
            outcome=Outcome.OK,
            role=viewer.actor.role,
            tenant_id=item.tenant_id,
            object_type=OBJECT_TYPE,
            object_id=item.reference,
            correlation_id=viewer.correlation_id,
            durable=True,
        )
        url = self._scan_links(item.id, viewer.user_id)
        return OpenedScan(await self._view(standing, item), url, self._link_minutes)

    async def names(self, people: Iterable[str]) -> dict[str, str]:
        """Display names of these people, for cards: from the directory (which caches them),
        else as last seen; kept in the name book for the notices rendered next."""
        wanted = sorted({person for person in people if person})

        async def name(person: str) -> tuple[str, str]:
            try:
                return person, (await self.access.directory.get_user(person)).display_name
            except DomainError:
                return person, ""

        found = await asyncio.gather(*(name(person) for person in wanted))
        fresh = {person: shown for person, shown in found if shown}
        self.book.remember(fresh)
        return {**self.book.lookup(wanted), **fresh}

    # --- acting on an item --------------------------------------------------------------------
    async def handle(self, viewer: Viewer, item_id: int) -> Seen:
        standing, item = await self._load(viewer, item_id, act=True)
        after = item.handle(viewer.user_id, self._now())
        return await self._save(standing, item, after, "post.handle")

    async def acknowledge(self, viewer: Viewer, item_id: int) -> Seen:
        """Registered and legal items: who received it, and when (before it can be handled)."""
        standing, item = await self._load(viewer, item_id, act=True)
        after = item.acknowledge(viewer.user_id, self._now())
        if after is item:
            return await self._view(standing, item, changed=False)
        return await self._save(standing, item, after, "post.acknowledge")

    async def forward(self, viewer: Viewer, item_id: int, to_person: str, note: str) -> Seen:
        """To a colleague (from the people picker), with a note; they get it as their own."""
        standing, item = await self._load(viewer, item_id, act=True)
        person = await self._person(to_person, active=True)
        if item.destination.kind is DestinationKind.PERSON and same_person(
            item.destination.target, person.id
        ):
            raise DomainError(SAME_PERSON)
        after = item.forward(viewer.user_id, person.id, note.strip()[:MAX_NOTE], self._now())
        told = PostNotice(PostNoticeKind.FORWARDED, after, recipient_id=person.id)
        return await self._save(standing, item, after, "post.forward", [told])

    async def not_for_me(self, viewer: Viewer, item_id: int, reason: str) -> Seen:
        """Back to the mailroom's triage queue, with the reason in the addressee's words."""
        standing, item = await self._load(viewer, item_id, act=True)
        words = " ".join(reason.split())
        if len(words) < MIN_REASON:
            raise DomainError(REASON_NEEDED)
        after = item.not_for_me(viewer.user_id, words[:MAX_REASON], self._now())
        return await self._save(standing, item, after, "post.not_for_me", self._to_mailroom(after))

    async def request_original(self, viewer: Viewer, item_id: int) -> Seen:
        """A task for the mailroom: bring the paper original. Once per item."""
        standing, item = await self._load(viewer, item_id, act=False)
        after = item.request_original(viewer.user_id, self._now())
        if after is item:
            return await self._view(standing, item, changed=False)
        notices = self._to_mailroom(after, PostNoticeKind.ORIGINAL_REQUESTED)
        return await self._save(standing, item, after, "post.original", notices)

    async def route_from_triage(self, viewer: Viewer, item_id: int, person_id: str) -> Seen:
        """The mailroom routes a triage item to a person (from the people picker). The person's
        delegation counts as it does for routing: their delegate gets it, as "doorgestuurd"."""
        if not viewer.has(Role.MAILROOM):
            raise Forbidden(MAILROOM_ONLY)
        standing, item = await self._load(viewer, item_id, act=False)
        person = await self._person(person_id, active=True)
        day = self.access.today()
        delegations = await self.access.delegations.active_on([person.id], day)
        gone = await self._inactive(delegation.delegate_id for delegation in delegations)
        delegation = active_delegation(delegations, person.id, day, gone)
        if delegation is not None:
            destination = Destination(DestinationKind.PERSON, delegation.delegate_id)
            routing = Routing(destination, addressee_id=person.id, delegated_from=person.id)
        else:
            routing = Routing(
                Destination(DestinationKind.PERSON, person.id), addressee_id=person.id
            )
        after = item.route(routing, self._now())
        told = PostNotice(PostNoticeKind.NEW_ITEM, after, recipient_id=after.destination.target)
        return await self._save(standing, item, after, "post.route", [told], via="mailroom")

    async def suggest_rule(self, viewer: Viewer, item_id: int) -> RoutingRule:
        """Turn a routed item into a routing rule suggestion (bot.domain.post.routing), stored
        at the end of the list so every rule before it still comes first. Admins review it in
        the rules workbook; one without any condition is stored inactive."""
        standing, item = await self._load(viewer, item_id, act=False)
        if not viewer.has(Role.MAILROOM) and not await standing.admin_of_item(item):
            raise Forbidden(RULE_NOT_ALLOWED)
        if (
            item.state not in (PostState.ROUTED, PostState.HANDLED)
            or item.destination.kind is DestinationKind.TRIAGE
        ):
            raise DomainError(RULE_NEEDS_ROUTED)
        rules = await self.access.rules.load()
        suggested = suggest_rule(item, item.destination, next_rule_id(rules), next_position(rules))
        await self.access.rules.replace([*rules, suggested])
        self.access.forget_rules()
        self._on_rules_changed()  # routing on this replica reads them afresh
        await self._auditor.record(
            actor_id=viewer.user_id,
            action=RULE_SUGGEST,
            outcome=Outcome.OK,
            role=viewer.actor.role,
            tenant_id=item.tenant_id,
            object_type=RULE_OBJECT,
            object_id=suggested.id,
            correlation_id=viewer.correlation_id,
            durable=True,
            item=item.reference,
        )
        return suggested

    # --- delegations --------------------------------------------------------------------------
    async def find_people(self, viewer: Viewer, name: str) -> list[DirectoryUser]:
        """Colleagues whose name starts with `name` (never the viewer)."""
        found = await self.access.directory.find_users(name.strip(), MAX_PEOPLE + 1)
        return [user for user in found if not same_person(user.id, viewer.user_id)][:MAX_PEOPLE]

    async def delegations(self, viewer: Viewer) -> list[Delegation]:
        """The viewer's delegations that have not ended, earliest start first."""
        today = self.access.today()
        found = await self.access.delegations.for_user(viewer.user_id)
        return [delegation for delegation in found if delegation.ends >= today]

    async def add_delegation(
        self, viewer: Viewer, delegate_id: str, starts: date, ends: date
    ) -> Delegation:
        """From `starts` to `ends` (inclusive), the viewer's post goes to the delegate."""
        today = self.access.today()
        if same_person(delegate_id, viewer.user_id):
            raise DomainError("post.delegation.error.self")
        if ends < starts:
            raise DomainError("post.delegation.error.order")
        if ends < today:
            raise DomainError("post.delegation.error.past")
        starts = max(starts, today)
        if (ends - starts).days >= MAX_DELEGATION_DAYS:
            raise DomainError("post.delegation.error.too_long", days=MAX_DELEGATION_DAYS)
        delegate = await self._person(delegate_id)
        for existing in await self.delegations(viewer):
            if existing.starts <= ends and starts <= existing.ends:
                raise DomainError("post.delegation.error.overlap")
        stored = await self.access.delegations.add(
            Delegation(
                user_id=viewer.user_id,
                delegate_id=delegate.id,
                starts=starts,
                ends=ends,
                created_by=viewer.user_id,
                created_at=self._now(),
            )
        )
        await self._delegation_audit(viewer, DELEGATION_ADD, stored)
        return stored

    async def cancel_delegation(self, viewer: Viewer, delegation_id: int) -> None:
        mine = {d.id: d for d in await self.access.delegations.for_user(viewer.user_id)}
        if not await self.access.delegations.cancel(delegation_id, viewer.user_id):
            raise Forbidden("post.delegation.error.not_yours")
        cancelled = mine.get(delegation_id)
        if cancelled is not None:
            await self._delegation_audit(viewer, DELEGATION_CANCEL, cancelled)

    # --- helpers ------------------------------------------------------------------------------
    async def _load(self, viewer: Viewer, item_id: int, *, act: bool) -> tuple[Standing, PostItem]:
        """The item, if the viewer may see it (act: and act on it); Forbidden otherwise. An item
        that does not exist is refused like one that is not theirs: ids tell nothing."""
        item = await self.flow.items.get(item_id)
        if item is None or (
            item.tenant_id and viewer.tenant_id and item.tenant_id != viewer.tenant_id
        ):
            raise Forbidden(NO_ACCESS)
        standing = self.access.standing(viewer)
        if act and await self.access.holds(standing, item):
            return standing, item
        if await self.access.may_see(standing, item):
            if act:
                raise Forbidden(NOT_HOLDER)
            return standing, item
        raise Forbidden(NO_ACCESS)

    async def _save(
        self,
        standing: Standing,
        before: PostItem,
        after: PostItem,
        action: str,
        notices: Sequence[PostNotice] = (),
        *,
        via: str = "",
    ) -> Seen:
        """Save the step with its audit line; the cards of whoever held the item are brought up
        to date in place, and the notices of the step go out."""
        updates = await self.updates(before, after)
        await self.names(item_people(after))  # the notices below are rendered with them
        await self.flow.transition(
            before, after, standing.viewer.actor, action, [*updates, *notices], via=via
        )
        return await self._view(standing, after)

    async def _view(self, standing: Standing, item: PostItem, *, changed: bool = True) -> Seen:
        seen = await self.access.view(standing, item, changed=changed)
        return replace(seen, names=await self.names(item_people(item)))

    async def updates(self, before: PostItem, after: PostItem) -> list[PostNotice]:
        """ITEM_UPDATED for each card about the item where it was: edited in place."""
        return [
            PostNotice(
                PostNoticeKind.ITEM_UPDATED,
                after,
                recipient_id=recipient,
                conversation_id=conversation,
                replaces=item_card_key(before.id, recipient or conversation, before.card_version),
            )
            for recipient, conversation in await self.access.holder_targets(before)
        ]

    def _to_mailroom(
        self, item: PostItem, kind: PostNoticeKind = PostNoticeKind.TRIAGE
    ) -> list[PostNotice]:
        mailroom = self.access.mailroom_conversation_id
        if not mailroom:
            logger.warning("no mailroom channel configured: %s of item %s untold", kind, item.id)
            return []
        return [PostNotice(kind, item, conversation_id=mailroom)]

    async def _person(self, person_id: str, *, active: bool = False) -> DirectoryUser:
        """A person named by a card (the people picker): they must exist in the directory, and
        with `active`, still have a working account (someone who left reads no post)."""
        if not person_id.strip():
            raise DomainError(UNKNOWN_PERSON)
        try:
            person = await self.access.directory.get_user(person_id.strip())
        except NotFound:
            raise DomainError(UNKNOWN_PERSON) from None
        if active and person.account_enabled is False:
            raise DomainError(PERSON_INACTIVE)
        return person

    async def _inactive(self, people: Iterable[str]) -> frozenset[str]:
        """Those of `people` whose account is disabled or gone from the directory (as the
        intake's routing decides it: a directory that does not answer overrules nobody)."""
        wanted = list(dict.fromkeys(people))

        async def left(user_id: str) -> bool:
            try:
                return (await self.access.directory.get_user(user_id)).account_enabled is False
            except NotFound:
                return True
            except DomainError:
                return False  # the directory does not answer: the delegation stands

        answers = await asyncio.gather(*(left(person) for person in wanted))
        return frozenset(p for p, gone in zip(wanted, answers, strict=True) if gone)

    async def _delegation_audit(self, viewer: Viewer, action: str, delegation: Delegation) -> None:
        await self._auditor.record(
            actor_id=viewer.user_id,
            action=action,
            outcome=Outcome.OK,
            role=viewer.actor.role,
            tenant_id=viewer.tenant_id,
            object_type=DELEGATION_OBJECT,
            object_id=str(delegation.id),
            correlation_id=viewer.correlation_id,
            durable=True,
            delegate=delegation.delegate_id,
            starts=delegation.starts.isoformat(),
            ends=delegation.ends.isoformat(),
        )

    def _now(self) -> datetime:
        return self.flow.clock.now()

    def _week_start(self) -> datetime:
        """Monday 00:00 of this week, in the administration's time zone ("deze week")."""
        today = self.access.today()
        monday = today - timedelta(days=today.weekday())
        return datetime.combine(monday, day_start.min, tzinfo=self.access.timezone)


def next_rule_id(rules: Sequence[RoutingRule]) -> str:
    """The next free "R-NNN" id after the highest one in use."""
    numbers = [int(m.group(1)) for rule in rules if (m := _RULE_ID.match(rule.id))]
    return f"R-{max(numbers, default=0) + 1:03d}"


def next_position(rules: Sequence[RoutingRule]) -> int:
    return max((rule.position for rule in rules), default=0) + 1
