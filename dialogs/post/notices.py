"""Notices of the post capability as Teams activities (bot.ports.post.PostCards).

The flow renders each notice when it saves the step that caused it, in the recipient's language
(channels get the default language); the outbox sends the activity as it is. A notice card is
the item card (cards/post/item.py) with a title that says why it came, and with the buttons of
whoever holds the item: its holders get the actions, a card about an item that moved on shows
where it went, without buttons. `summary` is what Teams shows in the notification and the chat
list instead of "sent a card".

Rendering does no I/O: the names of the people an item mentions come from `names`, which the
desk fills just before it saves a step (bot.services.post.access.NameBook); without them a card
says "een collega".
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import tzinfo
from typing import Any

from bot.domain.platform.untrusted import escape_text
from bot.domain.post.items import DestinationKind, PostNotice, PostNoticeKind, PostState
from bot.domain.post.routing import ADDRESSEE_RULE
from bot.i18n import Translator, pick_locale
from bot.services.post.access import item_people, same_person, team_parts
from cards.base import MAX_NAME, day
from cards.post.item import ItemTexts, ItemView, destination_text, item_card, sender_words

ADAPTIVE_CARD = "application/vnd.microsoft.card.adaptive"

Names = Callable[[Iterable[str]], Mapping[str, str]]


def _no_names(people: Iterable[str]) -> Mapping[str, str]:
    return {}


class PostNoticeCards:
    def __init__(
        self,
        tz: tzinfo,
        *,
        mailroom_conversation_id: str = "",
        names: Names = _no_names,
    ) -> None:
        self._tz = tz
        self._mailroom = mailroom_conversation_id
        self._names = names

    def render(self, notice: PostNotice, locale: str) -> dict[str, Any]:
        t = Translator(pick_locale(locale))
        item = notice.item
        names = self._names(item_people(item))
        texts = ItemTexts(
            title=self._title(notice, t),
            intro=self._intro(notice, t, names),
            names=names,
            reader=notice.recipient_id,
        )
        content = item_card(item, t, self._tz, view=self._view(notice), texts=texts)
        summary = t(
            f"post.summary.{notice.kind.value}",
            reference=item.reference,
            sender=sender_words(item, t),  # a preview shows no Markdown
        )
        return {
            "type": "message",
            "summary": summary,
            "attachments": [{"contentType": ADAPTIVE_CARD, "content": content}],
        }

    def holds(self, notice: PostNotice) -> bool:
        """Is the notice's recipient among those who hold the item where it is now?"""
        destination = notice.item.destination
        if destination.kind is DestinationKind.PERSON:
            return same_person(notice.recipient_id, destination.target)
        if destination.kind is DestinationKind.TEAM:
            channel = team_parts(destination.target)[1]
            return bool(channel) and notice.conversation_id == channel
        if destination.kind is DestinationKind.ENTITY:
            # The entity's admins, or the mailroom when the entity has none.
            return bool(notice.recipient_id) or self._is_mailroom(notice)
        return self._is_mailroom(notice)

    def _is_mailroom(self, notice: PostNotice) -> bool:
        return bool(self._mailroom) and notice.conversation_id == self._mailroom

    def _view(self, notice: PostNotice) -> ItemView:
        item = notice.item
        kind = notice.kind
        if kind is PostNoticeKind.ORIGINAL_REQUESTED:
            return ItemView()
        if kind is PostNoticeKind.ESCALATION:
            return ItemView(act=True)  # the entity's admins may step in
        holds = self.holds(notice) or kind is PostNoticeKind.TRIAGE
        manual = not item.rule_id or item.rule_id == ADDRESSEE_RULE or bool(item.forwarded_by)
        return ItemView(
            act=holds,
            route=holds and item.state is PostState.TRIAGE and self._is_mailroom(notice),
            suggest_rule=(
                self._is_mailroom(notice)
                and manual
                and item.state in (PostState.ROUTED, PostState.HANDLED)
            ),
        )

    def _title(self, notice: PostNotice, t: Translator) -> str:
        item = notice.item
        kind = notice.kind
        if kind is PostNoticeKind.NEW_ITEM:
            if item.destination.kind is DestinationKind.TEAM:
                return t("post.notice.new_item_team")
            if item.destination.kind is DestinationKind.ENTITY:
                entity = escape_text(item.destination.target, limit=MAX_NAME)
                return t("post.notice.new_item_entity", entity=entity)
            return t("post.notice.new_item")
        if kind is PostNoticeKind.ITEM_UPDATED:
            return t("post.card.title", reference=item.reference)
        return t(f"post.notice.{kind.value}", reference=item.reference)

    def _intro(self, notice: PostNotice, t: Translator, names: Mapping[str, str]) -> str:
        item = notice.item
        received = day(item.metadata.received_at.astimezone(self._tz).date())
        if notice.kind is PostNoticeKind.REMINDER:
            return t("post.notice.reminder_body", received=received)
        if notice.kind is PostNoticeKind.ESCALATION:
            where = destination_text(item, t, names)
            return t("post.notice.escalation_body", received=received, destination=where)
        if notice.kind is PostNoticeKind.ORIGINAL_REQUESTED:
            return t("post.notice.original_requested_body")
        if notice.kind is PostNoticeKind.TRIAGE:
            return t("post.notice.triage_body")
        return ""
