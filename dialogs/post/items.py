"""Incoming post in chat: `post` lists it, the item cards act on it.

- `post` / `mail` (also "mijn post", "brieven", "my mail") lists the caller's open items, newest
  first, a page at a time; filters come from the words after it ("post aangetekend", "post deze
  week", "post niet afgehandeld", "post zoek Fluvius"); see dialogs/post/text.py.
- `post doorsturen` redirects one's post to a colleague: dialogs/post/delegations.py.
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
from dataclasses import replace
from datetime import tzinfo

from bot.commands.dispatcher import ActionResult, refuse
from bot.commands.registry import card_action, command
from bot.domain.platform.actors import Actor
from bot.domain.platform.errors import DomainError, Forbidden
from bot.domain.platform.roles import Role
from bot.domain.post.items import IllegalPostTransition, PostItem
from bot.i18n import N_, Translator
from bot.services.platform.audit import Auditor
from bot.services.post.access import Seen
from bot.services.post.desk import PostDesk
from bot.services.post.flow import OBJECT_TYPE
from bot.turn import Card, Turn, is_personal
from cards.base import worded
from cards.post.item import ItemTexts, ItemView, ScanLink, item_card, state_word
from cards.post.lists import ListState, post_list_card
from cards.verbs import Verb
from dialogs.post.clicks import (
    ForwardClick,
    ItemTarget,
    NotForMeClick,
    PageClick,
    RouteClick,
    filters_of,
    state_of,
)
from dialogs.post.text import parse_filters


def conversation_key(conversation_id: str) -> str:
    """A conversation's id without the suffix Teams adds for a thread in a channel
    ("19:…@thread.tacv2;messageid=…"), compared without case."""
    return conversation_id.partition(";")[0].strip().casefold()


Step = Callable[[Actor], Awaitable[Seen]]


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
        viewer = turn.caller
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
        viewer = turn.caller
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
        viewer = turn.caller
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
        self, turn: Turn, viewer: Actor, data: ItemTarget, problem: DomainError
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
        viewer = turn.caller
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

    async def _before(self, turn: Turn, viewer: Actor, item_id: int) -> PostItem | None:
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
            for conversation in await self._desk.card_conversations(item):
                if conversation_key(conversation) == here:
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
        page = await self._desk.list_items(turn.caller, filters_of(state), state.offset)
        return post_list_card(
            page.items,
            replace(state, search=page.filters.search),  # narrowed when no letter held all words
            turn.t,
            self._tz,
            has_more=page.has_more,
            page_size=page.page_size,
            notice=notice,
            asked=page.asked,
        )

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
    return worded(problem.message_key, problem.params, t)
