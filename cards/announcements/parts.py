"""What the author's cards share: numbers, states and audiences in words, and the buttons an
announcement's state allows (the draft overview and the live status card offer the same).

Every payload names the announcement by id; a step that decides something (send, cancel,
recall, delete, approve) also carries the version the card was made from, so a click on an
old card is refused by the service instead of acting on what the author never saw.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, tzinfo
from typing import Any

from bot.domain.announcements.announcements import (
    CANCELLABLE,
    RECALLABLE,
    Announcement,
    AnnouncementState,
)
from bot.domain.announcements.audiences import AudienceKind
from bot.domain.announcements.batches import DeliveryMode
from bot.domain.announcements.content import Importance
from bot.domain.platform.untrusted import escape_text
from bot.i18n import Translator
from cards.base import MAX_NAME, Element, execute, moment, text
from cards.verbs import Verb

# One colour per state, on every card (a text in two state colours would tell them apart by
# colour alone); the word is always there.
STATE_COLOUR = {
    AnnouncementState.DRAFT: "Default",
    AnnouncementState.AWAITING_APPROVAL: "Accent",
    AnnouncementState.REJECTED: "Attention",
    AnnouncementState.SCHEDULED: "Accent",
    AnnouncementState.SENDING: "Accent",
    AnnouncementState.SENT: "Good",
    AnnouncementState.CANCELLED: "Default",
    AnnouncementState.RECALLED: "Default",
}
# Names of an audience's targets shown before "en nog 3".
MAX_NAMES = 10


def number(value: int, t: Translator) -> str:
    """1.234 in Dutch, 1,234 in English."""
    shown = f"{value:,}"
    return shown.replace(",", ".") if t.locale == "nl" else shown


def decimal(value: float, t: Translator) -> str:
    """One decimal, with the reader's decimal sign (12,3 in Dutch, 12.3 in English)."""
    shown = f"{value:,.1f}"
    if t.locale != "nl":
        return shown
    return shown.replace(",", " ").replace(".", ",").replace(" ", ".")


def target(announcement: Announcement) -> dict[str, Any]:
    return {"announcement": announcement.id}


def versioned(announcement: Announcement) -> dict[str, Any]:
    """The payload of a click that decides: the id and the version the card shows."""
    return {"announcement": announcement.id, "version": announcement.version}


def state_word(state: AnnouncementState, t: Translator) -> str:
    return t(f"announcements.state.{state.value}")


def state_block(state: AnnouncementState, t: Translator) -> Element:
    """The state as a coloured word (never colour alone)."""
    return {**text(state_word(state, t), weight="Bolder"), "color": STATE_COLOUR[state]}


def title_of(announcement: Announcement, t: Translator) -> str:
    """The title in the reader's language, escaped (the author wrote it)."""
    return escape_text(announcement.text(t.locale).title, limit=MAX_NAME) or t(
        "announcements.untitled"
    )


def audience_text(announcement: Announcement, names: Sequence[str], t: Translator) -> str:
    """ "Entiteiten: AWV, DOMG": the kind and the names the caller looked up (or, without
    them, what the audience itself holds), each escaped."""
    audience = announcement.audience
    if audience is None or not audience.is_set:
        return t("announcements.audience_none")
    kind = t(f"announcements.kind.{audience.kind.value}")
    if audience.kind is AudienceKind.EVERYONE:
        return kind
    shown = list(names) or _held(announcement)
    listed = [escape_text(name, limit=MAX_NAME) for name in shown[:MAX_NAMES]]
    more = len(shown) - len(listed)
    joined = ", ".join(name for name in listed if name)
    if more > 0:
        joined = t.n("announcements.audience_more", more, names=joined)
    return t("announcements.audience_value", kind=kind, names=joined) if joined else kind


def _held(announcement: Announcement) -> list[str]:
    audience = announcement.audience
    assert audience is not None
    match audience.kind:
        case AudienceKind.ENTITIES:
            return list(audience.entities)
        case AudienceKind.GROUPS:
            return list(audience.groups)
        case AudienceKind.CHANNELS:
            return [channel.name or channel.conversation_id for channel in audience.channels]
        case AudienceKind.LIST:
            return [audience.list_name] if audience.list_name else []
    return []


def size_text(announcement: Announcement, size: int | None, t: Translator) -> str:
    """ "ongeveer 1.234 personen", or that it is not known yet; a channel audience counts its
    channels (one post each), not people."""
    audience = announcement.audience
    if audience is not None and audience.kind is AudienceKind.CHANNELS:
        count = len(audience.channels)
        return t.n("announcements.size.channels", count, number=number(count, t))
    if size is None:
        return t("announcements.size.unknown")
    return t.n("announcements.size.people", size, number=number(size, t))


def send_time_text(announcement: Announcement, zone: tzinfo) -> str | None:
    """The moment it is (or was) sent, or None for "as soon as possible"."""
    at = announcement.started_at or announcement.send_at
    return moment(at, zone) if at is not None else None


def when_text(announcement: Announcement, t: Translator, zone: tzinfo) -> str:
    shown = send_time_text(announcement, zone)
    return shown if shown is not None else t("announcements.send_asap")


def shown_moment(announcement: Announcement) -> datetime:
    """The date a list or a message shows: when it went (or goes) out, else its last change."""
    return announcement.started_at or announcement.send_at or announcement.updated_at


def show_card(title: str, body: list[Element], confirm: Element) -> Element:
    """A button that opens a small card under it, with the button that really acts."""
    return {
        "type": "Action.ShowCard",
        "title": title,
        "card": {"type": "AdaptiveCard", "body": body, "actions": [confirm]},
    }


def state_actions(
    announcement: Announcement,
    t: Translator,
    *,
    approval_required: bool = False,
    can_send: bool = True,
    on_status_card: bool = False,
) -> list[Element]:
    """The buttons its state allows, most likely first. `can_send`: no problem stands in the
    way (otherwise "Versturen" is left out and "Bewerken" is the way on)."""
    state = announcement.state
    # Teams gives no ids for a batch operation's messages: nothing to edit or delete them by
    # (an automatic choice that became a batch is refused by the service, with a reason).
    changeable = state in RECALLABLE and announcement.delivery is not DeliveryMode.BATCH
    actions: list[Element] = []
    if announcement.editable:
        actions.append(
            execute(t("announcements.edit"), Verb.ANNOUNCEMENT_FORM, target(announcement))
        )
        if can_send:
            submit = "announcements.submit_approval" if approval_required else "announcements.send"
            actions.append(
                {
                    **execute(t(submit), Verb.ANNOUNCEMENT_SUBMIT, versioned(announcement)),
                    "style": "positive",
                }
            )
        actions.append(
            execute(t("announcements.preview"), Verb.ANNOUNCEMENT_PREVIEW, target(announcement))
        )
    if changeable:
        actions.append(
            show_card(
                t("announcements.recall"),
                [text(t("announcements.recall_confirm_body"))],
                {
                    **execute(
                        t("announcements.recall_confirm"),
                        Verb.ANNOUNCEMENT_RECALL,
                        versioned(announcement),
                    ),
                    "style": "destructive",
                },
            )
        )
    if state is AnnouncementState.SENT and announcement.importance is Importance.URGENT:
        actions.append(
            execute(t("announcements.remind"), Verb.ANNOUNCEMENT_REMIND, target(announcement))
        )
    if state in RECALLABLE:
        actions.append(
            execute(t("announcements.report"), Verb.ANNOUNCEMENT_REPORT, target(announcement))
        )
    if changeable:
        # New words for the messages already sent (the form; its audience stays as it was).
        actions.append(
            execute(t("announcements.edit_sent"), Verb.ANNOUNCEMENT_FORM, target(announcement))
        )
    if state in CANCELLABLE:
        actions.append(
            execute(t("announcements.cancel"), Verb.ANNOUNCEMENT_CANCEL, versioned(announcement))
        )
    if state in CANCELLABLE or state in RECALLABLE:
        status = "announcements.refresh" if on_status_card else "announcements.status"
        actions.append(execute(t(status), Verb.ANNOUNCEMENT_STATUS, target(announcement)))
    actions.append(
        execute(t("announcements.duplicate"), Verb.ANNOUNCEMENT_DUPLICATE, target(announcement))
    )
    if announcement.editable:
        # A draft's text exists nowhere else: deleting it asks once more.
        actions.append(
            show_card(
                t("announcements.delete"),
                [text(t("announcements.delete_confirm_body"))],
                {
                    **execute(
                        t("announcements.delete_confirm"),
                        Verb.ANNOUNCEMENT_DELETE,
                        versioned(announcement),
                    ),
                    "style": "destructive",
                },
            )
        )
    return actions
