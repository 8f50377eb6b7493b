"""Cards about one item of incoming post: what arrived, where it stands, and what can be done.

One builder, `item_card`, serves every place an item is shown: the notice that tells the
addressee (or a team channel, or the mailroom) about it, the card a button click returns, and
the edit that updates an earlier card in place. What it offers comes from `ItemView`, which the
caller decides (the desk for a person, the notice renderer for a channel); the buttons only
carry the item's id, and the desk checks every click again.

The scan is never linked from a notice: "Openen" asks the bot, which checks who clicks and
answers with a short-lived signed link made for that person only.

Everything an envelope, a scanner or a person wrote (sender, subject, tracking number, notes,
reasons) and every name is escaped where it enters the card: the "words" helpers below return
card text. `ItemTexts` holds our own sentences; their callers escape what they put in them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import tzinfo
from typing import Any

from bot.domain.platform.untrusted import clean_text, escape_text
from bot.domain.post.items import (
    DestinationKind,
    DocumentType,
    PostItem,
    PostState,
)
from bot.i18n import Translator
from cards.base import (
    MAX_NAME,
    Card,
    Element,
    banner,
    card,
    day,
    error_block,
    execute,
    facts,
    heading,
    moment,
    open_url,
    text,
)
from cards.verbs import Verb

# Input ids on the cards (the dialog reads them from the click's data).
PERSON = "person"
NOTE = "note"
REASON = "reason"
MAX_NOTE_INPUT = 500
MAX_REASON_INPUT = 500
# A subject as the item card shows it (the list shows less).
MAX_SUBJECT = 200
# Teams' own people picker: an Input.ChoiceSet whose choices come from the directory.
PEOPLE_DATASET = {"type": "Data.Query", "dataset": "graph.microsoft.com/users"}

STATE_COLOUR = {
    PostState.RECEIVED: "Default",
    PostState.ROUTED: "Accent",
    PostState.TRIAGE: "Warning",
    PostState.HANDLED: "Good",
}


@dataclass(frozen=True, slots=True)
class ItemView:
    """What a card about one item offers whoever it is shown to.

    act: handle, acknowledge, forward, "not for me" (the item's holders);
    route: the mailroom's people picker on a triage item;
    suggest_rule: turn a routed item into a routing rule suggestion (mailroom, entity admins);
    back: the list's page state, for a "back to the list" button (shown from the list).
    """

    act: bool = False
    route: bool = False
    suggest_rule: bool = False
    back: Mapping[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class ScanLink:
    """A signed link to the scan, made for the person who clicked "Openen"."""

    url: str
    minutes: int


@dataclass(frozen=True, slots=True)
class ItemTexts:
    """Optional extras on an item card: a title, a sentence under it, a line on what just
    happened, a problem with an input (shown red), and the names of the people the item
    mentions by id (and whose card it is)."""

    title: str = ""
    intro: str = ""
    notice: str = ""
    problem: str = ""
    names: Mapping[str, str] = field(default_factory=dict)
    reader: str = ""  # the Entra id of whoever reads the card: "jou" instead of their name


# --- words -------------------------------------------------------------------------------------
def type_word(document_type: DocumentType, t: Translator) -> str:
    return t(f"post.type.{document_type.value}")


def state_word(state: PostState, t: Translator) -> str:
    return t(f"post.state.{state.value}")


def _sender_parts(item: PostItem) -> list[str]:
    sender = item.metadata.sender
    parts = [clean_text(part, limit=MAX_NAME) for part in (sender.name, sender.organisation)]
    return list(dict.fromkeys(part for part in parts if part))


def sender_text(item: PostItem, t: Translator) -> str:
    """The sender as the envelope (OCR) names it, as card text."""
    parts = [escape_text(part, limit=MAX_NAME) for part in _sender_parts(item)]
    return ", ".join(parts) if parts else t("post.unknown_sender")


def sender_words(item: PostItem, t: Translator) -> str:
    """The sender as plain text, for a notification's preview (which shows no Markdown)."""
    return ", ".join(_sender_parts(item)) or t("post.unknown_sender")


def subject_text(item: PostItem, t: Translator, limit: int = MAX_SUBJECT) -> str:
    """The subject as card text; said in words when the envelope has none (a lone "-" is no
    value a screen reader reads)."""
    return escape_text(item.metadata.subject, limit=limit) or t("post.fact.no_subject")


def person_name(user_id: str, names: Mapping[str, str], t: Translator) -> str:
    """A person's name as card text when the caller knew it; "een collega" otherwise (never
    an id)."""
    name = names.get(user_id) or names.get(user_id.casefold()) or ""
    return escape_text(name, limit=MAX_NAME) or t("post.someone")


def destination_text(
    item: PostItem, t: Translator, names: Mapping[str, str], reader: str = ""
) -> str:
    destination = item.destination
    if destination.kind is DestinationKind.PERSON:
        if reader and destination.target.casefold() == reader.casefold():
            return t("post.destination.you")
        return person_name(destination.target, names, t)
    if destination.kind is DestinationKind.TEAM:
        return t("post.destination.team")
    if destination.kind is DestinationKind.ENTITY:
        return t("post.destination.entity", entity=escape_text(destination.target, limit=MAX_NAME))
    return t("post.destination.triage")


def reason_text(reason: str, t: Translator) -> str:
    """Why an item is in triage: a message id from routing, or the addressee's own words (as
    card text)."""
    if not reason.strip():
        return ""
    if reason.startswith("post."):
        said = t(reason)
        return said if said != reason else t("post.reason.other")
    return escape_text(reason, limit=MAX_REASON_INPUT, multiline=True)


def item_facts(item: PostItem, t: Translator, tz: tzinfo) -> Element:
    """Sender, subject, type, received, registered: what the issue asks every card to show."""
    meta = item.metadata
    registered = t("post.yes") if item.needs_acknowledgement else t("post.no")
    if tracking := escape_text(meta.tracking_number, limit=MAX_NAME):
        registered = f"{registered} ({tracking})"
    pairs = [
        (t("post.fact.sender"), sender_text(item, t)),
        (t("post.fact.subject"), subject_text(item, t)),
        (t("post.fact.type"), type_word(meta.document_type, t)),
        (t("post.fact.received"), day(meta.received_at.astimezone(tz).date())),
        (t("post.fact.registered"), registered),
    ]
    if meta.pages > 0:
        pairs.append((t("post.fact.pages"), str(meta.pages)))
    pairs.append((t("post.fact.reference"), item.reference))
    return facts(pairs)


def state_block(
    item: PostItem, t: Translator, names: Mapping[str, str], reader: str = ""
) -> Element:
    """Where the item is now, as words with a colour (never colour alone)."""
    if item.state is PostState.ROUTED:
        words = t("post.where.routed", destination=destination_text(item, t, names, reader))
    elif item.state is PostState.TRIAGE:
        words = t("post.where.triage")
    else:
        words = state_word(item.state, t)
    return {**text(words, weight="Bolder"), "color": STATE_COLOUR[item.state]}


def history_lines(
    item: PostItem, t: Translator, tz: tzinfo, names: Mapping[str, str]
) -> list[Element]:
    """What happened to the item that its reader should know, oldest first."""
    lines: list[Element] = []
    if item.metadata.confidential:
        lines.append(text(t("post.line.confidential"), weight="Bolder"))
    if item.delegated_from and item.destination.kind is DestinationKind.PERSON:
        who = person_name(item.delegated_from, names, t)
        lines.append(text(t("post.line.delegated", name=who), subtle=True))
    if item.forwarded_by and item.state is not PostState.TRIAGE:
        who = person_name(item.forwarded_by, names, t)
        lines.append(text(t("post.line.forwarded", name=who), subtle=True))
        if note := escape_text(item.note, limit=MAX_NOTE_INPUT, multiline=True):
            lines.append({**text(note), "spacing": "Small"})
    if item.state is PostState.TRIAGE and (reason := reason_text(item.triage_reason, t)):
        key = "post.line.sent_back" if item.forwarded_by else "post.line.triage_reason"
        who = person_name(item.forwarded_by, names, t) if item.forwarded_by else ""
        lines.append(text(t(key, name=who, reason=reason)))
    if item.acknowledged_at is not None:
        who = person_name(item.acknowledged_by, names, t)
        at = moment(item.acknowledged_at, tz)
        lines.append(text(t("post.line.acknowledged", name=who, at=at), subtle=True))
    elif item.needs_acknowledgement and item.state is not PostState.HANDLED:
        lines.append({**text(t("post.line.acknowledge_first")), "color": "Warning"})
    if item.original_requested_at is not None:
        who = person_name(item.original_requested_by, names, t)
        at = moment(item.original_requested_at, tz)
        lines.append(text(t("post.line.original", name=who, at=at), subtle=True))
    if item.handled_at is not None:
        who = person_name(item.handled_by, names, t)
        at = moment(item.handled_at, tz)
        lines.append(text(t("post.line.handled", name=who, at=at), subtle=True))
    if item.scan_deleted_at is not None:
        at = day(item.scan_deleted_at.astimezone(tz).date())
        lines.append(text(t("post.line.scan_deleted", at=at), subtle=True))
    return lines


# --- inputs ------------------------------------------------------------------------------------
def people_picker(label: str, t: Translator, input_id: str = PERSON) -> Element:
    """Teams' people picker: search the organisation, pick one person (their Entra id)."""
    return {
        "type": "Input.ChoiceSet",
        "id": input_id,
        "label": label,
        "choices": [],
        "choices.data": dict(PEOPLE_DATASET),
        "isMultiSelect": False,
        "placeholder": t("post.picker.placeholder"),
        "isRequired": True,
        "errorMessage": t("post.picker.required"),
    }


def _show_card(title: str, body: list[Element], action: Element) -> Element:
    return {
        "type": "Action.ShowCard",
        "title": title,
        "card": {"type": "AdaptiveCard", "body": body, "actions": [action]},
    }


def _item_data(item: PostItem, view: ItemView) -> dict[str, Any]:
    data: dict[str, Any] = {"item": item.id}
    if view.back is not None:
        data["back"] = dict(view.back)
    return data


def forward_action(item: PostItem, t: Translator, view: ItemView) -> Element:
    note = {
        "type": "Input.Text",
        "id": NOTE,
        "label": t("post.forward.note"),
        "placeholder": t("post.forward.note_hint"),
        "isMultiline": True,
        "maxLength": MAX_NOTE_INPUT,
    }
    send = execute(t("post.forward.send"), Verb.POST_FORWARD, _item_data(item, view))
    body = [people_picker(t("post.forward.to"), t), note]
    return _show_card(t("post.button.forward"), body, send)


def not_for_me_action(item: PostItem, t: Translator, view: ItemView) -> Element:
    reason = {
        "type": "Input.Text",
        "id": REASON,
        "label": t("post.not_for_me.reason"),
        "placeholder": t("post.not_for_me.reason_hint"),
        "isMultiline": True,
        "maxLength": MAX_REASON_INPUT,
        "isRequired": True,
        "errorMessage": t("post.not_for_me.reason_required"),
    }
    send = execute(t("post.not_for_me.send"), Verb.POST_NOT_FOR_ME, _item_data(item, view))
    return _show_card(t("post.button.not_for_me"), [reason], send)


def route_action(item: PostItem, t: Translator, view: ItemView) -> Element:
    send = execute(t("post.route.send"), Verb.POST_ROUTE, _item_data(item, view))
    body = [text(t("post.route.hint"), subtle=True), people_picker(t("post.route.to"), t)]
    return _show_card(t("post.button.route"), body, send)


# --- the card ----------------------------------------------------------------------------------
def item_actions(item: PostItem, t: Translator, view: ItemView) -> list[Element]:
    """The buttons, the most used first. Teams shows at most six as buttons: asking for the
    original and suggesting a rule sit in the card's overflow menu."""
    data = _item_data(item, view)
    actions: list[Element] = []
    if item.scan_deleted_at is None:
        actions.append(execute(t("post.button.open"), Verb.POST_OPEN, data))
    if view.act and item.state in (PostState.ROUTED, PostState.TRIAGE):
        if item.needs_acknowledgement and item.acknowledged_at is None:
            acknowledge = execute(t("post.button.acknowledge"), Verb.POST_ACKNOWLEDGE, data)
            actions.append({**acknowledge, "style": "positive"})
        elif item.state is PostState.ROUTED:
            handle = execute(t("post.button.handle"), Verb.POST_HANDLE, data)
            actions.append({**handle, "style": "positive"})
    if view.route and item.state is PostState.TRIAGE:
        actions.append(route_action(item, t, view))
    if view.act and item.state is PostState.ROUTED:
        actions.append(forward_action(item, t, view))
        actions.append(not_for_me_action(item, t, view))
    if item.original_requested_at is None and item.state is not PostState.RECEIVED:
        original = execute(t("post.button.original"), Verb.POST_ORIGINAL, data)
        actions.append({**original, "mode": "secondary"})
    if view.suggest_rule and item.state in (PostState.ROUTED, PostState.HANDLED):
        rule = execute(t("post.button.suggest_rule"), Verb.POST_SUGGEST_RULE, data)
        actions.append({**rule, "mode": "secondary"})
    if view.back is not None:
        actions.append(execute(t("post.button.back"), Verb.POST_PAGE, dict(view.back)))
    return actions


def item_card(
    item: PostItem,
    t: Translator,
    tz: tzinfo,
    *,
    view: ItemView | None = None,
    texts: ItemTexts | None = None,
    link: ScanLink | None = None,
) -> Card:
    view = view or ItemView()
    texts = texts or ItemTexts()
    body: list[Element] = []
    if texts.notice:
        body.append(banner(texts.notice, "Good"))
    body.append(heading(texts.title or t("post.card.title", reference=item.reference)))
    if texts.intro:
        body.append(text(texts.intro))
    body.append(state_block(item, t, texts.names, texts.reader))
    body.append(item_facts(item, t, tz))
    body += history_lines(item, t, tz, texts.names)
    if texts.problem:
        body.append(error_block(texts.problem))
    actions = item_actions(item, t, view)
    if link is not None:
        body.append({**text(t.n("post.open.ready", link.minutes), subtle=True), "separator": True})
        actions.insert(0, {**open_url(t("post.button.view_scan"), link.url), "style": "positive"})
        # "Openen" again would only make a new link: the fresh one is the first button now.
        actions = [a for a in actions if a.get("verb") != str(Verb.POST_OPEN)]
    return card(body, actions)
