"""Incoming post in chat: what addressees, teams, entity admins and the mailroom see and do.

`PostDesk` is the one face the post dialog calls: a use case per thing a person does (list their
post, look at an item, open its scan, acknowledge, handle, forward, say "niet voor mij", ask for
the original, route from triage, suggest a rule, redirect their post to a delegate). What is
behind it stays behind it: the flow that saves a step with its audit line and notices, the
access rule (bot/services/post/access.py, shared with the post worker), the directory.

Nothing here trusts an id from a card: every method that takes an item id loads the item and
checks the caller against it, raising Forbidden (the dialog audits the refusal as DENIED)
before anything is shown or changed. Asking for the paper original is open to everyone who may
see the item; routing from triage is the mailroom's; turning a routed item into a rule
suggestion is the mailroom's and the entity admins'.

Every view of a scan is audited durably ("post.scan.view") before its link is made; the link is
short-lived, signed, made for the viewer only, and served by the bot (bot/http).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime

from bot.domain.platform.actors import Actor
from bot.domain.platform.audit import Outcome
from bot.domain.platform.directory import DirectoryUser
from bot.domain.platform.errors import DomainError, Forbidden, NextCommand
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
from bot.domain.post.routing import Delegation, RoutingRule, active_delegation, suggest_rule
from bot.services.platform.audit import Auditor
from bot.services.post.access import NameBook, PostAccess, Seen, Standing, item_people, same_person
from bot.services.post.delegations import PostDelegations
from bot.services.post.flow import OBJECT_TYPE, PostFlow
from bot.services.post.listing import PAGE_SIZE, PostFilters, PostPage, list_query, narrower
from bot.services.post.people import PostPeople

logger = logging.getLogger(__name__)

MAX_NOTE = 500
MAX_REASON = 500
MIN_REASON = 3

SCAN_VIEW = "post.scan.view"
RULE_SUGGEST = "post.rule.suggest"
RULE_OBJECT = "post_rule"

NO_ACCESS = "post.error.no_access"
NOT_HOLDER = "post.error.not_holder"
MAILROOM_ONLY = "post.error.mailroom_only"
RULE_NOT_ALLOWED = "post.error.rule_not_allowed"
RULE_NEEDS_ROUTED = "post.error.rule_needs_routed"
SCAN_GONE = "post.error.scan_deleted"
SAME_PERSON = "post.error.same_person"
REASON_NEEDED = "post.error.reason_needed"
# A refused item sends the person to their own post list.
MY_POST: NextCommand = ("post", "cmd.post.title")

# (item id, viewer's Entra id) -> a short-lived signed URL to the scan, served by the bot.
ScanLinks = Callable[[int, str], str]
_RULE_ID = re.compile(r"^R-(\d+)$")


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
        self._flow = flow
        self._access = access
        self._page_size = page_size
        self._people = PostPeople(access.directory, names or NameBook())
        self._delegations = PostDelegations(
            delegations=access.delegations,
            people=self._people,
            auditor=auditor,
            today=access.today,
            now=self._now,
        )
        self._auditor = auditor
        self._scan_links = scan_links
        self._link_minutes = link_minutes
        self._on_rules_changed = on_rules_changed

    # --- reading ------------------------------------------------------------------------------
    def today(self) -> date:
        """Today in the administration's time zone (delegations and typed dates count in it)."""
        return self._access.today()

    async def list_items(self, viewer: Actor, filters: PostFilters, offset: int = 0) -> PostPage:
        """The viewer's items, newest received first, one page of them."""
        standing = self._access.standing(viewer)
        destinations = await self._access.destinations(standing)
        query = list_query(
            destinations,
            filters,
            today=self._access.today(),
            zone=self._access.timezone,
            offset=offset,
            page_size=self._page_size,
        )
        found = await self._flow.items.visible_to(query)
        asked = ""
        if not found and offset <= 0 and len(query.search.split()) > 1:
            # No letter holds every word: search those that do occur, and say so.
            occurs = [
                bool(await self._flow.items.visible_to(replace(query, search=word, limit=1)))
                for word in query.search.split()
            ]
            if kept := narrower(query.search, occurs):
                asked, filters = query.search, replace(filters, search=kept)
                found = await self._flow.items.visible_to(replace(query, search=kept))
        has_more = len(found) > self._page_size
        shown = tuple(found[: self._page_size])
        return PostPage(shown, filters, max(offset, 0), has_more, self._page_size, asked)

    async def look(self, viewer: Actor, item_id: int) -> Seen:
        """One item, if the viewer may see it."""
        standing, item = await self._load(viewer, item_id, act=False)
        return await self._view(standing, item)

    async def open_scan(self, viewer: Actor, item_id: int) -> OpenedScan:
        """A link to the scan for this viewer, audited before it is made."""
        standing, item = await self._load(viewer, item_id, act=False)
        if item.scan_deleted_at is not None:
            raise DomainError(SCAN_GONE)
        await self._auditor.record(
            actor_id=viewer.user_id,
            action=SCAN_VIEW,
            outcome=Outcome.OK,
            role=viewer.role,
            tenant_id=item.tenant_id,
            object_type=OBJECT_TYPE,
            object_id=item.reference,
            correlation_id=viewer.correlation_id,
            durable=True,
        )
        url = self._scan_links(item.id, viewer.user_id)
        return OpenedScan(await self._view(standing, item), url, self._link_minutes)

    async def names(self, people: Iterable[str]) -> dict[str, str]:
        """Display names of these people, for cards (bot/services/post/people.py)."""
        return await self._people.names(people)

    async def card_conversations(self, item: PostItem) -> list[str]:
        """The channel conversations that hold the item's card where it is now (a team's channel,
        the mailroom's): a click there may answer there."""
        targets = await self._access.holder_targets(item)
        return [conversation for _, conversation in targets if conversation]

    # --- acting on an item --------------------------------------------------------------------
    async def handle(self, viewer: Actor, item_id: int) -> Seen:
        standing, item = await self._load(viewer, item_id, act=True)
        after = item.handle(viewer.user_id, self._now())
        return await self._save(standing, item, after, "post.handle")

    async def acknowledge(self, viewer: Actor, item_id: int) -> Seen:
        """Registered and legal items: who received it, and when (before it can be handled)."""
        standing, item = await self._load(viewer, item_id, act=True)
        after = item.acknowledge(viewer.user_id, self._now())
        if after is item:
            return await self._view(standing, item, changed=False)
        return await self._save(standing, item, after, "post.acknowledge")

    async def forward(self, viewer: Actor, item_id: int, to_person: str, note: str) -> Seen:
        """To a colleague (from the people picker), with a note; they get it as their own."""
        standing, item = await self._load(viewer, item_id, act=True)
        person = await self._people.person(to_person, active=True)
        if item.destination.kind is DestinationKind.PERSON and same_person(
            item.destination.target, person.id
        ):
            raise DomainError(SAME_PERSON)
        after = item.forward(viewer.user_id, person.id, note.strip()[:MAX_NOTE], self._now())
        told = PostNotice(PostNoticeKind.FORWARDED, after, recipient_id=person.id)
        return await self._save(standing, item, after, "post.forward", [told])

    async def not_for_me(self, viewer: Actor, item_id: int, reason: str) -> Seen:
        """Back to the mailroom's triage queue, with the reason in the addressee's words."""
        standing, item = await self._load(viewer, item_id, act=True)
        words = " ".join(reason.split())
        if len(words) < MIN_REASON:
            raise DomainError(REASON_NEEDED)
        after = item.not_for_me(viewer.user_id, words[:MAX_REASON], self._now())
        return await self._save(standing, item, after, "post.not_for_me", self._to_mailroom(after))

    async def request_original(self, viewer: Actor, item_id: int) -> Seen:
        """A task for the mailroom: bring the paper original. Once per item."""
        standing, item = await self._load(viewer, item_id, act=False)
        after = item.request_original(viewer.user_id, self._now())
        if after is item:
            return await self._view(standing, item, changed=False)
        notices = self._to_mailroom(after, PostNoticeKind.ORIGINAL_REQUESTED)
        return await self._save(standing, item, after, "post.original", notices)

    async def route_from_triage(self, viewer: Actor, item_id: int, person_id: str) -> Seen:
        """The mailroom routes a triage item to a person (from the people picker). The person's
        delegation counts as it does for routing: their delegate gets it, as "doorgestuurd"."""
        if not viewer.has(Role.MAILROOM):
            raise Forbidden(MAILROOM_ONLY)
        standing, item = await self._load(viewer, item_id, act=False)
        person = await self._people.person(person_id, active=True)
        day = self._access.today()
        delegations = await self._access.delegations.active_on([person.id], day)
        gone = await self._people.inactive(delegation.delegate_id for delegation in delegations)
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

    async def suggest_rule(self, viewer: Actor, item_id: int) -> RoutingRule:
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
        rules = await self._access.rules.load()
        suggested = suggest_rule(item, item.destination, next_rule_id(rules), next_position(rules))
        await self._access.rules.replace([*rules, suggested])
        self._access.forget_rules()
        self._on_rules_changed()  # routing on this replica reads them afresh
        await self._auditor.record(
            actor_id=viewer.user_id,
            action=RULE_SUGGEST,
            outcome=Outcome.OK,
            role=viewer.role,
            tenant_id=item.tenant_id,
            object_type=RULE_OBJECT,
            object_id=suggested.id,
            correlation_id=viewer.correlation_id,
            durable=True,
            item=item.reference,
        )
        return suggested

    # --- delegations (bot/services/post/delegations.py) ---------------------------------------
    async def find_people(self, viewer: Actor, name: str) -> list[DirectoryUser]:
        """Colleagues whose name starts with `name` (never the viewer)."""
        return await self._people.find(name, besides=viewer.user_id)

    async def delegations(self, viewer: Actor) -> list[Delegation]:
        """The viewer's delegations that have not ended, earliest start first."""
        return await self._delegations.mine(viewer)

    async def add_delegation(
        self, viewer: Actor, delegate_id: str, starts: date, ends: date
    ) -> Delegation:
        """From `starts` to `ends` (inclusive), the viewer's post goes to the delegate."""
        return await self._delegations.add(viewer, delegate_id, starts, ends)

    async def cancel_delegation(self, viewer: Actor, delegation_id: int) -> None:
        await self._delegations.cancel(viewer, delegation_id)

    # --- helpers ------------------------------------------------------------------------------
    async def _load(self, viewer: Actor, item_id: int, *, act: bool) -> tuple[Standing, PostItem]:
        """The item, if the viewer may see it (act: and act on it); Forbidden otherwise. An item
        that does not exist is refused like one that is not theirs: ids tell nothing."""
        item = await self._flow.items.get(item_id)
        if item is None or (
            item.tenant_id and viewer.tenant_id and item.tenant_id != viewer.tenant_id
        ):
            raise Forbidden(NO_ACCESS, next_command=MY_POST)
        standing = self._access.standing(viewer)
        if act and await self._access.holds(standing, item):
            return standing, item
        if await self._access.may_see(standing, item):
            if act:
                raise Forbidden(NOT_HOLDER, next_command=MY_POST)
            return standing, item
        raise Forbidden(NO_ACCESS, next_command=MY_POST)

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
        updates = await self._updates(before, after)
        await self._people.names(item_people(after))  # the notices below are rendered with them
        await self._flow.transition(
            before, after, standing.viewer, action, [*updates, *notices], via=via
        )
        return await self._view(standing, after)

    async def _view(self, standing: Standing, item: PostItem, *, changed: bool = True) -> Seen:
        seen = await self._access.view(standing, item, changed=changed)
        return replace(seen, names=await self._people.names(item_people(item)))

    async def _updates(self, before: PostItem, after: PostItem) -> list[PostNotice]:
        """ITEM_UPDATED for each card about the item where it was: edited in place."""
        return [
            PostNotice(
                PostNoticeKind.ITEM_UPDATED,
                after,
                recipient_id=recipient,
                conversation_id=conversation,
                replaces=item_card_key(before.id, recipient or conversation, before.card_version),
            )
            for recipient, conversation in await self._access.holder_targets(before)
        ]

    def _to_mailroom(
        self, item: PostItem, kind: PostNoticeKind = PostNoticeKind.TRIAGE
    ) -> list[PostNotice]:
        mailroom = self._access.mailroom_conversation_id
        if not mailroom:
            logger.warning("no mailroom channel configured: %s of item %s untold", kind, item.id)
            return []
        return [PostNotice(kind, item, conversation_id=mailroom)]

    def _now(self) -> datetime:
        return self._flow.clock.now()


def next_rule_id(rules: Sequence[RoutingRule]) -> str:
    """The next free "R-NNN" id after the highest one in use."""
    numbers = [int(m.group(1)) for rule in rules if (m := _RULE_ID.match(rule.id))]
    return f"R-{max(numbers, default=0) + 1:03d}"


def next_position(rules: Sequence[RoutingRule]) -> int:
    return max((rule.position for rule in rules), default=0) + 1
