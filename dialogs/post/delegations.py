"""`post doorsturen`: a person redirects their post to a colleague for some days, or stops it.

- `post doorsturen naar <naam> van <datum> tot <datum>` sets one (dialogs/post/text.py reads
  the words); a name that fits several colleagues answers with a card to pick one.
- `post doorsturen` alone lists one's delegations, each with a button to stop it; so does a
  request to stop one (`post doorsturen stop`, "ik ben terug"), with a word on which button.
- A name without an end, or days without a name, show the same card asking for what is
  missing, with an example to type.

Every answer is personal (bot/commands/privacy.py). A stop click names a delegation by id: the
desk refuses one that is not the clicker's, and the refusal is audited durably (DENIED).
"""

from __future__ import annotations

from datetime import date, timedelta

from bot.commands.dispatcher import ActionResult, refuse
from bot.commands.registry import card_action, command
from bot.domain.platform.errors import Forbidden
from bot.domain.platform.text import fold
from bot.domain.platform.untrusted import escape_text
from bot.i18n import N_
from bot.services.platform.audit import Auditor
from bot.services.post.delegations import DELEGATION_OBJECT
from bot.services.post.desk import PostDesk
from bot.turn import Card, Turn
from cards.base import MAX_NAME, day
from cards.platform.system import notice_card
from cards.post.lists import delegate_picker_card, delegations_card
from cards.verbs import Verb
from dialogs.post.clicks import DelegationPick, DelegationTarget
from dialogs.post.text import DelegationAsk, read_delegation

# The end an example to type proposes, a week after the first day.
_EXAMPLE_LENGTH = timedelta(days=7)
# A notice that reports what was done, or one that asks the caller for more.
_DONE, _ASKING = "Good", "Accent"


class PostDelegationDialog:
    def __init__(self, desk: PostDesk, auditor: Auditor) -> None:
        self._desk = desk
        self._auditor = auditor

    @command(
        "post_delegation",
        nl=("post doorsturen", "mijn post doorsturen"),
        en=("forward my mail", "forward mail", "mail forwarding"),
        title_key=N_("cmd.post_delegation.title"),
        help_key=N_("cmd.post_delegation.help"),
        example_key=N_("cmd.post_delegation.example"),
        order=210,
        retry_safe=False,  # with a name and dates it makes the delegation
    )
    async def delegate(self, turn: Turn, args: str) -> None:
        if not args.strip():
            await turn.send_card(await self._delegations(turn))
            return
        asked = read_delegation(args, self._desk.today())
        if asked.stop:  # the stop buttons are on the card
            await turn.send_card(await self._delegations(turn, stop_hint=True))
            return
        if not asked.name:
            await turn.send_card(await self._ask_who(turn, asked))
            return
        people = await self._desk.find_people(turn.caller, asked.name)
        exact = [p for p in people if fold(p.display_name) == fold(asked.name)]
        if len(exact) == 1:
            people = exact
        if not people:
            shown = escape_text(asked.name, limit=MAX_NAME)
            message = turn.t("post.delegation.no_match", name=shown)
            await turn.send_card(notice_card(message, turn.t))
            return
        if asked.ends is None:  # a name without an end: until when?
            name = people[0].display_name if len(people) == 1 else asked.name
            await turn.send_card(await self._ask_until(turn, name, asked.starts))
            return
        if len(people) > 1:
            await turn.send_card(delegate_picker_card(people, asked.starts, asked.ends, turn.t))
            return
        await turn.send_card(
            await self._add_delegation(turn, people[0].id, asked.starts, asked.ends)
        )

    @card_action(Verb.POST_DELEGATION_ADD, payload=DelegationPick)
    async def pick_delegate(self, turn: Turn, data: DelegationPick) -> Card:
        return await self._add_delegation(turn, data.delegate, data.starts, data.ends)

    @card_action(Verb.POST_DELEGATION_CANCEL, payload=DelegationTarget)
    async def cancel_delegation(self, turn: Turn, data: DelegationTarget) -> Card | ActionResult:
        try:
            await self._desk.cancel_delegation(turn.caller, data.delegation)
        except Forbidden as refused:
            return await refuse(
                self._auditor,
                turn,
                action="post.delegation.cancel",
                object_type=DELEGATION_OBJECT,
                object_id=str(data.delegation),
                message_key=refused.message_key,
            )
        return await self._delegations(turn, notice=turn.t("post.delegation.cancelled"))

    async def _delegations(
        self, turn: Turn, *, notice: str = "", stop_hint: bool = False, asking: bool = False
    ) -> Card:
        """The caller's delegations, with a notice on top; stop_hint: the caller asked to stop
        one, so the notice says which button does it (nothing when there is none to stop)."""
        mine = await self._desk.delegations(turn.caller)
        names = await self._desk.names(d.delegate_id for d in mine)
        today = self._desk.today()
        if stop_hint and mine:
            notice = turn.t("post.delegation.stop_hint", button=turn.t("post.delegation.cancel"))
            asking = True
        colour = _ASKING if asking else _DONE
        return delegations_card(
            mine, names, turn.t, today=today, notice=notice, notice_colour=colour
        )

    async def _ask_until(self, turn: Turn, name: str, starts: date) -> Card:
        """A delegate named without an end: the card, asking until when, with an example to
        type that keeps the first day said."""
        notice = turn.t(
            "post.delegation.until_when",
            name=escape_text(name, limit=MAX_NAME),
            starts=day(starts),
            ends=day(starts + _EXAMPLE_LENGTH),
        )
        return await self._delegations(turn, notice=notice, asking=True)

    async def _ask_who(self, turn: Turn, asked: DelegationAsk) -> Card:
        """Days without a delegate: the card, asking who, with an example to type with those
        days; words that are neither say how to type it."""
        if asked.ends is None and asked.starts == self._desk.today():
            return notice_card(turn.t("post.delegation.not_understood"), turn.t)
        ends = asked.ends or asked.starts + _EXAMPLE_LENGTH
        notice = turn.t("post.delegation.ask_who", starts=day(asked.starts), ends=day(ends))
        return await self._delegations(turn, notice=notice, asking=True)

    async def _add_delegation(self, turn: Turn, delegate: str, starts: date, ends: date) -> Card:
        stored = await self._desk.add_delegation(turn.caller, delegate, starts, ends)
        names = await self._desk.names([stored.delegate_id])
        notice = turn.t(
            "post.delegation.added",
            name=escape_text(names.get(stored.delegate_id, ""), limit=MAX_NAME)
            or turn.t("post.someone"),
            starts=day(stored.starts),
            ends=day(stored.ends),
        )
        return await self._delegations(turn, notice=notice)
