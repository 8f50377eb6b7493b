"""Answers first: what no command claims is looked up in the knowledge base.

The dispatcher hands this dialog every message it could not place (Dispatcher.
answer_questions_with); the best article answers with "Heeft dit geholpen?". The buttons name
the search by its reference: the desk takes the answer only from whoever asked, once, so a card
forwarded or clicked twice changes nothing. "Nee" shows the next articles and the service desk.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from bot.commands.dispatcher import ActionResult
from bot.commands.registry import card_action
from bot.domain.platform.errors import Forbidden, NotFound
from bot.domain.servicedesk.articles import MAX_KEY, Article
from bot.services.servicedesk.knowledge import OTHERS, KnowledgeDesk
from bot.turn import Card, Turn
from cards.base import MAX_COMMAND_ARGS
from cards.servicedesk.articles import (
    article_card,
    helped_card,
    not_helped_card,
)
from cards.verbs import Verb

_KEY = rf"^[a-z0-9][a-z0-9-]{{0,{MAX_KEY - 1}}}$"
_SEARCH = r"^KB-[0-9A-F]{12}$"


class Feedback(BaseModel):
    model_config = ConfigDict(extra="ignore")

    search: str = Field(pattern=_SEARCH)
    article: str = Field(pattern=_KEY)  # the one the card shows
    helped: bool = Field(strict=True)
    question: str = Field(default="", max_length=MAX_COMMAND_ARGS)  # for the ticket form
    others: list[Annotated[str, Field(pattern=_KEY)]] = Field(
        default_factory=list, max_length=OTHERS
    )


class ArticlePick(BaseModel):
    model_config = ConfigDict(extra="ignore")

    article: str = Field(pattern=_KEY)


class KnowledgeDialog:
    def __init__(
        self, desk: KnowledgeDesk, servicedesk_url: str, *, tickets_open: bool = False
    ) -> None:
        """tickets_open: the service desk takes tickets, so "Nee" offers its form with the
        question filled in (else its page, `servicedesk_url`)."""
        self._desk = desk
        self._servicedesk_url = servicedesk_url
        self._tickets_open = tickets_open

    async def answer(self, turn: Turn, question: str) -> bool:
        """The best article for the question, asked whether it helped; False when none fits."""
        found = await self._desk.answer(turn.caller, question, turn.t.locale)
        if found is None:
            return False
        await turn.send_card(
            article_card(
                found.article,
                turn.t,
                search=found.reference,
                others=found.others,
                servicedesk_url=self._servicedesk_url,
                question=question if self._tickets_open else "",
            )
        )
        return True

    @card_action(Verb.ARTICLE_FEEDBACK, payload=Feedback, personal=False)
    async def feedback(self, turn: Turn, data: Feedback) -> Card | ActionResult:
        """ "Ja" or "Nee", once, from who asked (the desk audits a refusal): the card then
        thanks, or offers the next articles; a refusal leaves the card as it was."""
        try:
            await self._desk.feedback(turn.caller, data.search, data.helped)
        except Forbidden as refused:
            return ActionResult(message=turn.t(refused.message_key), shareable=True)
        shown = await self._articles([data.article])
        if not shown:
            return ActionResult(message=turn.t("servicedesk.article.gone"), shareable=True)
        if data.helped:
            return helped_card(shown[0], turn.t, self._servicedesk_url)
        others = await self._articles(data.others)
        return not_helped_card(
            shown[0], others, turn.t, self._servicedesk_url, question=data.question
        )

    @card_action(Verb.ARTICLE_SHOW, payload=ArticlePick, personal=False)
    async def show(self, turn: Turn, data: ArticlePick) -> Card | ActionResult:
        try:
            article = await self._desk.article(data.article)
        except NotFound as gone:
            return ActionResult(message=turn.t(gone.message_key), shareable=True)
        return article_card(article, turn.t, servicedesk_url=self._servicedesk_url)

    async def _articles(self, keys: list[str]) -> list[Article]:
        found = []
        for key in keys:
            try:
                found.append(await self._desk.article(key))
            except NotFound:
                continue  # replaced since the card was sent: offer the others
        return found
