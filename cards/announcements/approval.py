"""The approver's card: who asks, the announcement as its recipients will read it, to whom and
when it goes; Goedkeuren, or Weigeren with a note for the author.

The first decision wins (the store saves a step only on the version it read, and the buttons
carry that version). Once decided, or when the announcement moved on without this card (it was
cancelled, or decided by someone else), the card shows the outcome and no buttons.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import tzinfo

from bot.domain.announcements.announcements import Announcement, AnnouncementState
from bot.domain.platform.untrusted import escape_text
from bot.i18n import Translator
from cards.announcements.drafts import MAX_NOTE, decision_lines
from cards.announcements.message import message_body
from cards.announcements.parts import (
    audience_text,
    show_card,
    size_text,
    state_block,
    versioned,
    when_text,
)
from cards.base import MAX_NAME, Card, Element, card, execute, facts, heading, text
from cards.verbs import Verb

NOTE = "note"  # the reject note's input id


def approval_card(
    announcement: Announcement,
    t: Translator,
    zone: tzinfo,
    *,
    audience_names: Sequence[str],
    audience_size: int | None,
    decided: bool,
) -> Card:
    author = escape_text(announcement.author_name, limit=MAX_NAME) or t("announcements.someone")
    content, link = message_body(announcement, t, zone)
    shown: Element = {"type": "Container", "style": "emphasis", "items": content}
    if link is not None:
        shown["items"] = [*content, {"type": "ActionSet", "actions": [link]}]
    body: list[Element] = [
        heading(t("announcements.approval.title")),
        text(t("announcements.approval.body", name=author)),
        shown,
        facts(
            [
                (t("announcements.fact.reference"), announcement.reference),
                (
                    t("announcements.fact.importance"),
                    t(f"announcements.importance.{announcement.importance.value}"),
                ),
                (
                    t("announcements.fact.audience"),
                    audience_text(announcement, audience_names, t),
                ),
                (t("announcements.fact.size"), size_text(announcement, audience_size, t)),
                (t("announcements.fact.send_at"), when_text(announcement, t, zone)),
            ]
        ),
    ]
    if decided or announcement.state is not AnnouncementState.AWAITING_APPROVAL:
        body += _outcome(announcement, t)
        return card(body)
    approve = execute(
        t("announcements.approve"), Verb.ANNOUNCEMENT_APPROVE, versioned(announcement)
    )
    note: Element = {
        "type": "Input.Text",
        "id": NOTE,
        "label": t("announcements.approval.note"),
        "isMultiline": True,
        "maxLength": MAX_NOTE,
        "placeholder": t("announcements.approval.note_hint"),
    }
    reject = show_card(
        t("announcements.reject"),
        [note],
        {
            **execute(
                t("announcements.reject_confirm"),
                Verb.ANNOUNCEMENT_REJECT,
                versioned(announcement),
            ),
            "style": "destructive",
        },
    )
    return card(body, [{**approve, "style": "positive"}, reject])


def _outcome(announcement: Announcement, t: Translator) -> list[Element]:
    """Who decided (approved, or sent back with the note), else where it stands now."""
    decision = decision_lines(announcement, t)
    if announcement.state in (
        AnnouncementState.SCHEDULED,
        AnnouncementState.SENDING,
        AnnouncementState.SENT,
    ):
        return decision or [state_block(announcement.state, t)]
    if announcement.state is AnnouncementState.REJECTED:
        return decision
    return [*decision, state_block(announcement.state, t)]
