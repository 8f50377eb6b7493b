"""Answers first, through the real dispatcher, desk and store (both dialects): what no command
claims gets the best article with "Heeft dit geholpen?"; "Nee" offers the next ones; only who
asked can answer, once; a question no article shares a word with still gets the closest
commands."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.composition.chat import build_dialogs
from bot.domain.access.rules import AccessPolicy
from bot.domain.platform.actors import Actor
from bot.domain.platform.audit import Outcome
from bot.services.access.status import AccessStatus
from bot.services.platform.audit import Auditor
from bot.services.servicedesk.knowledge import FEEDBACK, KnowledgeDesk
from bot.store import Database
from bot.store.platform.audit_log import SqlAuditLog
from bot.store.servicedesk.articles import SqlKnowledgeBase
from cards.base import Card
from cards.verbs import Verb
from devtools.demo_articles import demo_knowledge
from tests.support.chat import click, say
from tests.support.clock import FakeClock
from tests.unit.access.fakes import MemoryAccessDirectory
from tests.unit.fakes import MemoryDirectory

ASKER, OTHER = "user-asker", "user-other"


class Desk:
    """The knowledge desk on the real store; the other capabilities on the unit tests' fakes
    (build_dialogs asks for the access card's, which these tests never reach)."""

    def __init__(self, database: Database) -> None:
        self.audit = SqlAuditLog(database)
        clock = FakeClock()
        auditor = Auditor(self.audit, clock)
        self.knowledge = KnowledgeDesk(SqlKnowledgeBase(database), auditor, clock)
        directory = MemoryDirectory()
        self.dispatcher = build_dialogs(
            directory=directory,
            auditor=auditor,
            servicedesk_url="https://desk.example",
            zone=ZoneInfo("Europe/Brussels"),
            access=AccessStatus(directory, MemoryAccessDirectory(), clock, AccessPolicy()),
            knowledge=self.knowledge,
        ).dispatcher


def _texts(card: Card) -> str:
    return " ".join(str(block.get("text", "")) for block in card["body"])


def _buttons(card: Card) -> list[dict[str, Any]]:
    return list(card.get("actions", []))


def _feedback(card: Card, helped: bool) -> dict[str, Any]:
    return next(
        b["data"]
        for b in _buttons(card)
        if b.get("verb") == Verb.ARTICLE_FEEDBACK and b["data"]["helped"] is helped
    )


@pytest.fixture
async def desk(database: Database) -> Desk:
    desk = Desk(database)
    assert await desk.knowledge.replace(Actor.system(), demo_knowledge()) == []
    return desk


async def test_a_question_no_command_claims_gets_the_best_article(desk: Desk) -> None:
    turn = await say(
        desk.dispatcher,
        "mijn rapport ververst niet automatisch, hoe los ik dat op?",
        user_id=ASKER,
    )
    [answer] = turn.cards
    assert answer["body"][1]["style"] == "heading"  # the title, under the intro line
    assert "Heeft dit geholpen?" in _texts(answer)
    assert {b["title"] for b in _buttons(answer)} == {"Ja, bedankt", "Nee"}


async def test_no_helps_with_the_next_articles_and_only_who_asked_may_say_so(desk: Desk) -> None:
    turn = await say(
        desk.dispatcher, "hoe deel ik mijn power bi rapport met mijn team", user_id=ASKER
    )
    no = _feedback(turn.cards[0], helped=False)

    refused = await click(desk.dispatcher, Verb.ARTICLE_FEEDBACK, no, user_id=OTHER)
    assert refused.result.card is None and refused.result.message  # the card stays as it was

    answered = await click(desk.dispatcher, Verb.ARTICLE_FEEDBACK, no, user_id=ASKER)
    card = answered.result.card
    assert card is not None and "Jammer" in _texts(card)
    shown = [b for b in _buttons(card) if b.get("verb") == Verb.ARTICLE_SHOW]
    assert [b["data"]["article"] for b in shown] == no["others"] and shown
    assert any(b["type"] == "Action.OpenUrl" for b in _buttons(card))  # the service desk

    again = await click(desk.dispatcher, Verb.ARTICLE_FEEDBACK, no, user_id=ASKER)
    assert again.result.card is None  # once

    other = await click(desk.dispatcher, Verb.ARTICLE_SHOW, shown[0]["data"], user_id=ASKER)
    assert other.result.card is not None
    assert not any(b.get("verb") == Verb.ARTICLE_FEEDBACK for b in _buttons(other.result.card))

    lines = await desk.audit.recent(action=FEEDBACK)
    assert sorted(line.outcome for line in lines) == sorted(
        [Outcome.OK, Outcome.DENIED, Outcome.DENIED]
    )


async def test_yes_thanks_in_place(desk: Desk) -> None:
    turn = await say(
        desk.dispatcher, "hoe deel ik mijn power bi rapport met mijn team", user_id=ASKER
    )
    yes = _feedback(turn.cards[0], helped=True)
    answered = await click(desk.dispatcher, Verb.ARTICLE_FEEDBACK, yes, user_id=ASKER)
    assert answered.result.card is not None
    assert "Fijn dat het geholpen heeft." in _texts(answered.result.card)


async def test_a_question_no_article_shares_a_word_with_gets_the_closest_commands(
    desk: Desk,
) -> None:
    turn = await say(
        desk.dispatcher, "de koffiemachine op de derde verdieping lekt water", user_id=ASKER
    )
    assert "Dat begreep ik niet helemaal." in _texts(turn.cards[0])


async def test_an_english_client_gets_the_english_article(desk: Desk) -> None:
    turn = await say(
        desk.dispatcher,
        "how do I share a Power BI report with colleagues?",
        user_id=ASKER,
        locale="en",
    )
    assert "Did this help?" in _texts(turn.cards[0])
