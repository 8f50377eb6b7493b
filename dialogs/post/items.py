"""Incoming post in chat: `post` lists it, the item cards act on it, `post doorsturen` redirects it.

- `post` / `mail` (also "mijn post", "brieven", "my mail") lists the caller's open items, newest
  first, a page at a time; filters come from the words after it ("post aangetekend", "post deze
  week", "post niet afgehandeld", "post zoek Fluvius"); see dialogs/post/text.py.
- `post doorsturen naar <naam> van <datum> tot <datum>` redirects one's post to a colleague for
  those days; `post doorsturen` alone lists one's delegations, each with a button to stop it.
- The buttons of an item card: Openen (a signed link for the clicker), Afgehandeld, Ontvangst
  bevestigen, Doorsturen, Niet voor mij, Origineel opvragen; the mailroom routes triage items
  with the people picker and turns a routed item into a rule suggestion.

A card payload is user input. Every verb that names an item lets the desk check the clicker
against it; a refusal is audited durably (outcome DENIED, the id from the payload) and answered
with a short message, leaving the card as it was.

Every answer here is personal (bot/commands/privacy.py), with one exception: an item's card clicked
in the channel that holds it (a team's post in that team's channel, triage in the mailroom's) is
refreshed there, as the card everyone in it already sees (`shareable`). Any other item's card,
whatever the payload names, goes to the clicker's 1:1 chat; a scan link is never made for a
click outside the 1:1 chat.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date, tzinfo
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from bot.commands.dispatcher import ActionResult, refuse
from bot.commands.registry import card_action, command
from bot.domain.platform.errors import DomainError, Forbidden
from bot.domain.platform.roles import Role
from bot.domain.platform.text import fold
from bot.domain.platform.untrusted import escape_text
from bot.domain.post.items import IllegalPostTransition, PostItem
from bot.i18n import N_, Translator
from bot.services.platform.audit import Auditor
from bot.services.post.access import Seen, Viewer
from bot.services.post.desk import DELEGATION_OBJECT, MAX_SEARCH, PostDesk, PostFilters, Scope
from bot.services.post.flow import OBJECT_TYPE
from bot.turn import Card, Turn, is_personal
from cards.base import MAX_NAME, escaped_params
from cards.licences.common import day
from cards.platform.system import notice_card
from cards.post.item import ItemTexts, ItemView, ScanLink, item_card, state_word
from cards.post.lists import ListState, delegate_picker_card, delegations_card, post_list_card
from cards.verbs import Verb
from dialogs.post.text import parse_delegation, parse_filters

MAX_ITEM_ID = 2**63 - 1
MAX_OFFSET = 10_000
# Generous bounds for what a card sends: the desk cuts notes and reasons to its own limits.
MAX_TEXT_PAYLOAD = 8000
# An Entra object id from the people picker (a GUID); "" when nobody was picked.
PERSON_ID = r"^([A-Za-z0-9][A-Za-z0-9._@-]{0,127})?$"


class PageClick(BaseModel):
    """The list's state, as every list button carries it."""

    model_config = ConfigDict(extra="ignore")

    scope: Literal["open", "handled", "all"] = "open"
    registered: bool = False
    week: bool = False
    search: str = Field(default="", max_length=MAX_SEARCH)
    offset: int = Field(default=0, ge=0, le=MAX_OFFSET)

    def state(self) -> ListState:
        return ListState(self.scope, self.registered, self.week, self.search, self.offset)


class ItemTarget(BaseModel):
    """A button about one item: its id (checked by the desk), and the list it was shown from."""

    model_config = ConfigDict(extra="ignore")

    item: int = Field(strict=True, gt=0, le=MAX_ITEM_ID)
    back: PageClick | None = None


class ForwardClick(ItemTarget):
    person: str = Field(default="", pattern=PERSON_ID)
    note: str = Field(default="", max_length=MAX_TEXT_PAYLOAD)


class NotForMeClick(ItemTarget):
    reason: str = Field(default="", max_length=MAX_TEXT_PAYLOAD)


class RouteClick(ItemTarget):
    person: str = Field(default="", pattern=PERSON_ID)


class DelegationPick(BaseModel):
    model_config = ConfigDict(extra="ignore")

    delegate: str = Field(min_length=1, pattern=PERSON_ID)
    starts: date
    ends: date


class DelegationTarget(BaseModel):
    model_config = ConfigDict(extra="ignore")

    delegation: int = Field(strict=True, gt=0, le=MAX_ITEM_ID)


def conversation_key(conversation_id: str) -> str:
    """A conversation's id without the suffix Teams adds for a thread in a channel
    ("19:…@thread.tacv2;messageid=…"), compared without case."""
    return conversation_id.partition(";")[0].strip().casefold()


def viewer_of(turn: Turn) -> Viewer:
    caller = turn.caller
    return Viewer(caller.tenant_id, caller.user_id, caller.roles, turn.correlation_id)


def filters_of(state: ListState) -> PostFilters:
    return PostFilters(
        scope=Scope(state.scope),
        registered=state.registered,
        this_week=state.week,
        search=state.search,
    )


def state_of(filters: PostFilters, offset: int = 0) -> ListState:
    return ListState(
        filters.scope.value, filters.registered, filters.this_week, filters.search, offset
    )


Step = Callable[[Viewer], Awaitable[Seen]]


class PostDialog:
    def __init__(self, desk: PostDesk, auditor: Auditor, tz: tzinfo) -> None:
        self._desk = desk
        self._auditor = auditor
        self._tz = tz

    # --- commands ---------------------------------------------------------------------------
    @command(
        "post",
        nl=("post", "mijn post", "brieven"),
        en=("mail", "my mail", "post"),
        title_key=N_("cmd.post.title"),
        help_key=N_("cmd.post.help"),
        example_key=N_("cmd.post.example"),
        featured=True,
        order=200,
    )
    async def show_post(self, turn: Turn, args: str) -> None:
        await turn.send_card(await self._list(turn, state_of(parse_filters(args))))

    @command(
        "post_delegation",
        nl=("post doorsturen", "mijn post doorsturen"),
        en=("forward my mail", "forward mail", "mail forwarding"),
        title_key=N_("cmd.post_delegation.title"),
        help_key=N_("cmd.post_delegation.help"),
        example_key=N_("cmd.post_delegation.example"),
        order=210,
    )
    async def delegate(self, turn: Turn, args: str) -> None:
        if not args.strip():
            await turn.send_card(await self._delegations(turn))
            return
        viewer = viewer_of(turn)
        today = self._desk.access.today()
        wanted = parse_delegation(args, today)
        if wanted is None:
            await turn.send_card(notice_card(turn.t("post.delegation.not_understood"), turn.t))
            return
        people = await self._desk.find_people(viewer, wanted.name)
        exact = [p for p in people if fold(p.display_name) == fold(wanted.name)]
        if len(exact) == 1:
            people = exact
        if not people:
            shown = escape_text(wanted.name, limit=MAX_NAME)
            message = turn.t("post.delegation.no_match", name=shown)
            await turn.send_card(notice_card(message, turn.t))
            return
        if len(people) > 1:
            await turn.send_card(delegate_picker_card(people, wanted.starts, wanted.ends, turn.t))
            return
        await turn.send_card(
            await self._add_delegation(turn, people[0].id, wanted.starts, wanted.ends)
        )

    # --- the list -----------------------------------------------------------------------------
    @card_action(Verb.POST_PAGE, payload=PageClick)
    async def page(self, turn: Turn, data: PageClick) -> Card:
        return await self._list(turn, data.state())

    # --- one item -----------------------------------------------------------------------------
    @card_action(Verb.POST_REFRESH, payload=ItemTarget)
    async def refresh(self, turn: Turn, data: ItemTarget) -> ActionResult:
        return await self._step(turn, data, "post.view", lambda v: self._desk.look(v, data.item))

    @card_action(Verb.POST_OPEN, payload=ItemTarget)
    async def open_scan(self, turn: Turn, data: ItemTarget) -> Card | ActionResult:
        """A link made for the clicker, after the access check, audited. Only in a personal
        chat: a card in a channel or group chat is one message for everyone in it, and the link
        must reach nobody else."""
        viewer = viewer_of(turn)
        if turn.conversation_type != "personal":
            try:
                await self._desk.look(viewer, data.item)
            except Forbidden as refused:
                return await self._deny(turn, "post.open", data.item, refused.message_key)
            return ActionResult(message=turn.t("post.open.personal_only"), shareable=True)
        try:
            opened = await self._desk.open_scan(viewer, data.item)
        except Forbidden as refused:
            return await self._deny(turn, "post.open", data.item, refused.message_key)
        except DomainError as problem:
            return await self._problem(turn, viewer, data, problem)
        link = ScanLink(opened.url, opened.minutes)
        return self._card(turn, opened.seen, data.back, link=link)

    @card_action(Verb.POST_HANDLE, payload=ItemTarget)
    async def handle(self, turn: Turn, data: ItemTarget) -> ActionResult:
        return await self._step(
            turn,
            data,
            "post.handle",
            lambda v: self._desk.handle(v, data.item),
            done="post.done.handled",
        )

    @card_action(Verb.POST_ACKNOWLEDGE, payload=ItemTarget)
    async def acknowledge(self, turn: Turn, data: ItemTarget) -> ActionResult:
        return await self._step(
            turn,
            data,
            "post.acknowledge",
            lambda v: self._desk.acknowledge(v, data.item),
            done="post.done.acknowledged",
            already="post.done.acknowledged_before",
        )

    @card_action(Verb.POST_FORWARD, payload=ForwardClick)
    async def forward(self, turn: Turn, data: ForwardClick) -> Card | ActionResult:
        if not data.person:
            return await self._ask_again(turn, data, "post.forward", "post.forward.pick_someone")
        return await self._step(
            turn,
            data,
            "post.forward",
            lambda v: self._desk.forward(v, data.item, data.person, data.note),
            done="post.done.forwarded",
        )

    @card_action(Verb.POST_NOT_FOR_ME, payload=NotForMeClick)
    async def not_for_me(self, turn: Turn, data: NotForMeClick) -> ActionResult:
        return await self._step(
            turn,
            data,
            "post.not_for_me",
            lambda v: self._desk.not_for_me(v, data.item, data.reason),
            done="post.done.not_for_me",
        )

    @card_action(Verb.POST_ORIGINAL, payload=ItemTarget)
    async def original(self, turn: Turn, data: ItemTarget) -> ActionResult:
        return await self._step(
            turn,
            data,
            "post.original",
            lambda v: self._desk.request_original(v, data.item),
            done="post.done.original",
            already="post.done.original_before",
        )

    @card_action(Verb.POST_ROUTE, payload=RouteClick, role=Role.MAILROOM)
    async def route(self, turn: Turn, data: RouteClick) -> Card | ActionResult:
        if not data.person:
            return await self._ask_again(turn, data, "post.route", "post.forward.pick_someone")
        return await self._step(
            turn,
            data,
            "post.route",
            lambda v: self._desk.route_from_triage(v, data.item, data.person),
            done="post.done.routed",
        )

    @card_action(Verb.POST_SUGGEST_RULE, payload=ItemTarget)
    async def suggest_rule(self, turn: Turn, data: ItemTarget) -> Card | ActionResult:
        viewer = viewer_of(turn)
        try:
            rule = await self._desk.suggest_rule(viewer, data.item)
        except Forbidden as refused:
            return await self._deny(turn, "post.suggest_rule", data.item, refused.message_key)
        except DomainError as problem:
            return await self._problem(turn, viewer, data, problem)
        key = "post.done.rule_active" if rule.active else "post.done.rule_inactive"
        notice = turn.t(key, rule=rule.id)
        seen = await self._desk.look(viewer, data.item)
        return ActionResult(
            card=self._card(turn, seen, data.back, notice=notice),
            message=notice,
            shareable=await self._held_here(turn, seen.item),
        )

    # --- delegations --------------------------------------------------------------------------
    @card_action(Verb.POST_DELEGATION_ADD, payload=DelegationPick)
    async def pick_delegate(self, turn: Turn, data: DelegationPick) -> Card:
        return await self._add_delegation(turn, data.delegate, data.starts, data.ends)

    @card_action(Verb.POST_DELEGATION_CANCEL, payload=DelegationTarget)
    async def cancel_delegation(self, turn: Turn, data: DelegationTarget) -> Card | ActionResult:
        try:
            await self._desk.cancel_delegation(viewer_of(turn), data.delegation)
        except Forbidden as refused:
            return await self._deny(
                turn,
                "post.delegation.cancel",
                data.delegation,
                refused.message_key,
                object_type=DELEGATION_OBJECT,
            )
        return await self._delegations(turn, notice=turn.t("post.delegation.cancelled"))

    # --- helpers ------------------------------------------------------------------------------
    async def _step(
        self,
        turn: Turn,
        data: ItemTarget,
        action: str,
        run: Step,
        *,
        done: str = "",
        already: str = "",
    ) -> ActionResult:
        viewer = viewer_of(turn)
        before = await self._before(turn, viewer, data.item)
        try:
            seen = await run(viewer)
        except Forbidden as refused:
            return await self._deny(turn, action, data.item, refused.message_key)
        except DomainError as problem:
            return await self._problem(turn, viewer, data, problem)
        shareable = await self._held_here(turn, seen.item, before)
        key = done if seen.changed else already
        if not key:
            return ActionResult(card=self._card(turn, seen, data.back), shareable=shareable)
        notice = turn.t(key, reference=seen.item.reference)
        card = self._card(turn, seen, data.back, notice=notice)
        return ActionResult(card=card, message=notice, shareable=shareable)

    async def _problem(
        self, turn: Turn, viewer: Viewer, data: ItemTarget, problem: DomainError
    ) -> ActionResult:
        """A step that could not be taken (someone was first, acknowledge first, a missing
        reason): say why, on the item's card as it is now."""
        message = explain(problem, turn.t)
        try:
            fresh = await self._desk.look(viewer, data.item)
        except Forbidden:
            return ActionResult(message=message)  # it moved beyond the clicker's reach
        return ActionResult(
            card=self._card(turn, fresh, data.back, problem=message),
            message=message,
            shareable=await self._held_here(turn, fresh.item),
        )

    async def _ask_again(
        self, turn: Turn, data: ItemTarget, action: str, problem_key: str
    ) -> Card | ActionResult:
        """The card came back without a required input: the card again, with the problem (only
        after the access check: the card shows the item)."""
        viewer = viewer_of(turn)
        try:
            seen = await self._desk.look(viewer, data.item)
        except Forbidden as refused:
            return await self._deny(turn, action, data.item, refused.message_key)
        message = turn.t(problem_key)
        return ActionResult(
            card=self._card(turn, seen, data.back, problem=message),
            message=message,
            shareable=await self._held_here(turn, seen.item),
        )

    async def _before(self, turn: Turn, viewer: Viewer, item_id: int) -> PostItem | None:
        """The item before a step clicked outside a 1:1 chat (None in one, or when the clicker
        may not see it: the step refuses then): a card its conversation held before the step
        stays there, as the update of that card shows there anyway."""
        if is_personal(turn):
            return None
        try:
            return (await self._desk.look(viewer, item_id)).item
        except DomainError:
            return None

    async def _held_here(self, turn: Turn, *items: PostItem | None) -> bool:
        """Does the conversation of a click outside a 1:1 chat hold the card of one of these
        items (a team's item in that team's channel, triage in the mailroom's channel)?"""
        here = "" if is_personal(turn) else conversation_key(turn.conversation_id)
        if not here:
            return False
        for item in items:
            if item is None:
                continue
            for _, conversation in await self._desk.access.holder_targets(item):
                if conversation and conversation_key(conversation) == here:
                    return True
        return False

    def _card(
        self,
        turn: Turn,
        seen: Seen,
        back: PageClick | None,
        *,
        notice: str = "",
        problem: str = "",
        link: ScanLink | None = None,
    ) -> Card:
        view = ItemView(
            act=seen.act,
            route=seen.route,
            suggest_rule=seen.suggest_rule,
            back=back.state().data() if back is not None else None,
        )
        texts = ItemTexts(
            notice=notice, problem=problem, names=seen.names, reader=turn.caller.user_id
        )
        return item_card(seen.item, turn.t, self._tz, view=view, texts=texts, link=link)

    async def _list(self, turn: Turn, state: ListState, *, notice: str = "") -> Card:
        page = await self._desk.list_items(viewer_of(turn), filters_of(state), state.offset)
        return post_list_card(
            page.items,
            state,
            turn.t,
            self._tz,
            has_more=page.has_more,
            page_size=self._desk.page_size,
            notice=notice,
        )

    async def _delegations(self, turn: Turn, *, notice: str = "") -> Card:
        mine = await self._desk.delegations(viewer_of(turn))
        names = await self._desk.names(d.delegate_id for d in mine)
        today = self._desk.access.today()
        return delegations_card(mine, names, turn.t, today=today, notice=notice)

    async def _add_delegation(self, turn: Turn, delegate: str, starts: date, ends: date) -> Card:
        stored = await self._desk.add_delegation(viewer_of(turn), delegate, starts, ends)
        names = await self._desk.names([stored.delegate_id])
        notice = turn.t(
            "post.delegation.added",
            name=escape_text(names.get(stored.delegate_id, ""), limit=MAX_NAME)
            or turn.t("post.someone"),
            starts=day(stored.starts),
            ends=day(stored.ends),
        )
        return await self._delegations(turn, notice=notice)

    async def _deny(
        self,
        turn: Turn,
        action: str,
        object_id: int,
        message_key: str,
        *,
        object_type: str = OBJECT_TYPE,
    ) -> ActionResult:
        return await refuse(
            self._auditor,
            turn,
            action=action,
            object_type=object_type,
            object_id=str(object_id),
            message_key=message_key,
        )


def explain(problem: DomainError, t: Translator) -> str:
    if isinstance(problem, IllegalPostTransition):
        return t("post.error.illegal_transition", state=state_word(problem.state, t))
    return t(problem.message_key, **escaped_params(problem.params))
