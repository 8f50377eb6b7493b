"""The approval cards of an announcement: one to every approver when it is submitted, and each
one edited in place once someone decided (authoring.py, approvals.py).

An approver's card is keyed by the announcement, the approver and the version it shows
(`approval_key`), so the decision names exactly the card to replace; the approvers are the comms
people and admins other than the author, asked again when deciding (an approver added in
between has no card to replace and gets none).
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.domain.announcements.announcements import Announcement
from bot.domain.platform.outbox import NewOutboxMessage
from bot.services.announcements.checks import approval_key, same_person
from bot.services.announcements.offers import AudienceFacts
from bot.services.announcements.parts import AnnouncementCards, AnnouncementRules, People


class ApprovalCards:
    def __init__(
        self,
        people: People,
        cards: AnnouncementCards,
        facts: AudienceFacts,
        rules: AnnouncementRules,
    ) -> None:
        self._people = people
        self._cards = cards
        self._facts = facts
        self._rules = rules

    async def approvers(self, announcement: Announcement, *, besides: str = "") -> list[str]:
        """Who may approve: never the author, nor `besides` (who submits for them)."""
        found = await self._people.approvers(
            exclude=announcement.author_id, limit=self._rules.max_approvers
        )
        return [a for a in found if not (besides and same_person(a, besides))]

    async def asking(
        self, announcement: Announcement, approvers: Sequence[str]
    ) -> list[NewOutboxMessage]:
        """The card with Approve / Reject for each approver, of this version."""
        return [
            NewOutboxMessage(
                tenant_id=announcement.tenant_id,
                dedupe_key=approval_key(announcement.id, approver, announcement.version),
                activity=card,
                recipient_id=approver,
            )
            for approver, card in await self._cards_for(announcement, approvers)
        ]

    async def decided(self, after: Announcement, version: int) -> list[NewOutboxMessage]:
        """Every approver's card of `version` replaced by the decided announcement's."""
        approvers = await self.approvers(after)
        messages = []
        for approver, card in await self._cards_for(after, approvers):
            original = approval_key(after.id, approver, version)
            messages.append(
                NewOutboxMessage(
                    tenant_id=after.tenant_id,
                    dedupe_key=f"{original}:decided",
                    activity=card,
                    recipient_id=approver,
                    replaces=original,
                )
            )
        return messages

    async def _cards_for(
        self, announcement: Announcement, approvers: Sequence[str]
    ) -> list[tuple[str, dict[str, object]]]:
        if not approvers:
            return []
        size = await self._facts.estimate(announcement.tenant_id, announcement.audience)
        cards: list[tuple[str, dict[str, object]]] = []
        for approver in approvers:
            locale = await self._people.locale_of(approver)
            names = await self._facts.names(announcement.audience, locale)
            card = self._cards.approval(
                announcement, locale, audience_names=names, audience_size=size
            )
            cards.append((approver, card))
        return cards
