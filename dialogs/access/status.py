"""Access status: "status" shows your own card; service-desk agents may look up a colleague.

Looking at someone else's status is personal data: only agents may, every such view is audited
durably with the subject's object id (never the typed name), and so is every refused attempt.
Text after the keyword is a search only when an agent typed it; from anyone else it is refused
when it names someone (an e-mail address, a capitalised name), and otherwise ignored: "ik heb
geen toegang tot Outlook" is the very question the caller's own card answers.
Card payloads are user input: a refresh of someone else's card is checked again, not trusted.
"""

from __future__ import annotations

import re
from datetime import tzinfo

from pydantic import BaseModel, Field

from bot.commands.dispatcher import ActionResult
from bot.commands.registry import card_action, command
from bot.domain.platform.audit import Outcome
from bot.domain.platform.directory import DirectoryUser
from bot.domain.platform.roles import Role
from bot.domain.platform.text import fold, folded_words
from bot.i18n import N_
from bot.services.access.status import AccessStatus
from bot.services.platform.audit import Auditor
from bot.turn import Card, Turn
from cards.access.status import (
    MAX_PICKS,
    access_card,
    lookup_refused_card,
    nobody_found_card,
    pick_person_card,
)
from cards.verbs import Verb

_VIEW = "access.view"
# Words that make "status please" or "is mijn toegang in orde?" a question about oneself.
# fmt: off
_ABOUT_ONESELF = frozenset({
    "aub", "alstublieft", "alsjeblieft", "asjeblieft", "graag", "please", "pls", "efkes", "even",
    "eens", "nu", "nog", "opnieuw", "again", "now", "toon", "show", "check", "bekijk",
    "mijn", "my", "me", "mij", "ik", "i", "van", "of", "is", "in", "orde", "ok", "oke", "okay",
    "mezelf", "mijzelf", "ikzelf", "myself", "voor", "for",
    "nakijken", "bekijken", "checken", "controleren", "tonen", "klopt", "niet", "toch", "he",
    "account", "status", "toegang", "access", "goed", "fine", "right", "zijn", "are", "all",
})
# fmt: on
# "status van Jan": searched as typed first (surnames start with "Van"), then without these.
_LEADING_LINKS = frozenset({"van", "voor", "of", "for", "from"})
# "ik heb geen toegang tot Outlook" is about oneself; a name is a few words, not a sentence.
_MAX_NAME_WORDS = 5
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+")


class AccessTarget(BaseModel):
    """Whose card a button is about. Entra object ids only: no names, no e-mail addresses."""

    user: str = Field(min_length=1, max_length=64, pattern=r"^[0-9A-Za-z-]+$")


def _same_user(a: str, b: str) -> bool:
    return a.casefold() == b.casefold()


def _search_text(args: str, caller_name: str) -> str:
    """What to look up in the caller's words; "" when they asked about themselves."""
    words = folded_words(args)
    if all(word in _ABOUT_ONESELF for word in words) or fold(args.strip()) == fold(caller_name):
        return ""
    return args.strip()


def whom(args: str, caller_name: str, *, agent: bool) -> str:
    """Whom `status <args>` asks about: "" for the caller (their own card), else the typed
    name or address (looked up for an agent, refused for anyone else)."""
    query = _search_text(args, caller_name)
    return query if agent or _names_someone(query) else ""


def _names_someone(text: str) -> bool:
    """Does text the caller typed after the keyword name a person (an e-mail address, or a name
    as people type one: "Jan Peeters", "van Jan")? Only then is a colleague's status refused;
    anything else ("toegang tot Outlook") gets the caller's own card."""
    words = text.split()
    if not words or len(words) > _MAX_NAME_WORDS:
        return False
    if any(_EMAIL.fullmatch(word) for word in words):
        return True
    if fold(words[0]) in _LEADING_LINKS:
        words = words[1:]
    return bool(words) and words[0][:1].isupper()


class AccessDialog:
    def __init__(
        self,
        status: AccessStatus,
        auditor: Auditor,
        tz: tzinfo,
    ) -> None:
        self._status = status
        self._auditor = auditor
        self._tz = tz

    @command(
        "status",
        nl=("status", "toegang", "mijn toegang"),
        en=("access", "status", "my access"),
        title_key=N_("cmd.status.title"),
        help_key=N_("cmd.status.help"),
        example_key=N_("cmd.status.example"),
        featured=True,
        order=300,
    )
    async def show_status(self, turn: Turn, args: str) -> None:
        is_agent = turn.caller.has(Role.AGENT)
        query = whom(args, turn.caller.name, agent=is_agent)
        if not query:
            await turn.send_card(await self._card_for(turn, turn.caller.user_id, via="command"))
        elif not is_agent:
            # The typed name stays out of the audit: who asked is what matters here.
            await self._audit(turn, Outcome.DENIED, via="command")
            await turn.send_card(lookup_refused_card(turn.t))
        else:
            await turn.send_card(await self._search(turn, query))

    @card_action(Verb.ACCESS_REFRESH, payload=AccessTarget)
    async def refresh(self, turn: Turn, data: AccessTarget) -> Card | ActionResult:
        if not _same_user(data.user, turn.caller.user_id) and not turn.caller.has(Role.AGENT):
            await self._audit(turn, Outcome.DENIED, object_id=data.user, via="refresh")
            return ActionResult(message=turn.t("access.refused.refresh"))
        return await self._card_for(turn, data.user, via="refresh")

    @card_action(Verb.ACCESS_SHOW, payload=AccessTarget, role=Role.AGENT)
    async def show(self, turn: Turn, data: AccessTarget) -> Card:
        return await self._card_for(turn, data.user, via="pick")

    async def _search(self, turn: Turn, query: str) -> Card:
        people = await self._find(query)
        if not people:
            return nobody_found_card(query, turn.t)
        if len(people) == 1:
            return await self._card_for(turn, people[0].id, via="search")
        return pick_person_card(people, query, turn.t, more=len(people) > MAX_PICKS)

    async def _find(self, query: str) -> list[DirectoryUser]:
        # One more than we show tells us whether there are more.
        people = await self._status.find_people(query, limit=MAX_PICKS + 1)
        first, _, rest = query.partition(" ")
        if not people and fold(first) in _LEADING_LINKS and rest.strip():
            people = await self._status.find_people(rest.strip(), limit=MAX_PICKS + 1)
        return people

    async def _card_for(self, turn: Turn, user_id: str, *, via: str) -> Card:
        """Callers have checked that the caller may see this person's status."""
        # Colleagues share the caller's tenant: an agent looks up people of their own tenant.
        report = await self._status.report(user_id, tenant_id=turn.caller.tenant_id)
        someone_else = not _same_user(user_id, turn.caller.user_id)
        if someone_else:
            # Durable before the card goes out: no view of someone else without its trace.
            await self._audit(turn, Outcome.OK, object_id=report.subject.id or user_id, via=via)
        return access_card(report, turn.t, viewed_by_agent=someone_else, tz=self._tz)

    async def _audit(self, turn: Turn, outcome: Outcome, *, object_id: str = "", via: str) -> None:
        caller = turn.caller
        await self._auditor.record(
            durable=True,
            actor_id=caller.user_id,
            action=_VIEW,
            outcome=outcome,
            role=caller.role,
            tenant_id=caller.tenant_id,
            object_type="user" if object_id else "",
            object_id=object_id,
            correlation_id=caller.correlation_id,
            via=via,
        )
