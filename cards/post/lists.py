"""The `post` list and the delegation cards ("post doorsturen").

The list shows a few items at a time, newest received first, with the filters in words and
buttons to page or change them. Every button sends the whole list state (`ListState.data`), so
a click needs nothing remembered on the server; the desk applies it to what the clicker may see.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, tzinfo
from typing import Any

from bot.domain.platform.directory import DirectoryUser
from bot.domain.platform.untrusted import clean_text, escape_text
from bot.domain.post.items import DestinationKind, PostItem, PostState
from bot.domain.post.routing import Delegation
from bot.i18n import Translator
from cards.base import (
    MAX_NAME,
    Card,
    Element,
    banner,
    card,
    day,
    execute,
    heading,
    run_button,
    text,
)
from cards.post.item import destination_text, sender_text, state_word, type_word
from cards.verbs import Verb

SCOPES = ("open", "handled", "all")
MAX_SEARCH_INPUT = 100
# A subject in the list: one line, the item's card shows more.
MAX_LISTED_SUBJECT = 120
# A button title holds a name and a job title; Teams cuts longer ones anyway.
MAX_BUTTON_TITLE = 80


@dataclass(frozen=True, slots=True)
class ListState:
    """What the list shows: its filters and where the page starts (the post.page payload)."""

    scope: str = "open"  # open (not handled) | handled | all
    registered: bool = False
    week: bool = False
    search: str = ""
    offset: int = 0

    def data(self, **changes: Any) -> dict[str, Any]:
        state = replace(self, **changes)
        return {
            "scope": state.scope,
            "registered": state.registered,
            "week": state.week,
            "search": state.search,
            "offset": state.offset,
        }

    @property
    def filtered(self) -> bool:
        return self.scope != "open" or self.registered or self.week or bool(self.search)


def filter_words(state: ListState, t: Translator) -> str:
    """The filters in words: "niet afgehandeld · aangetekend · deze week · zoek: Fluvius"."""
    words = [t(f"post.filter.{state.scope}")]
    if state.registered:
        words.append(t("post.filter.registered"))
    if state.week:
        words.append(t("post.filter.week"))
    if state.search:
        # The search words come back in the click's data: whatever the client sent.
        words.append(
            t("post.filter.search", text=escape_text(state.search, limit=MAX_SEARCH_INPUT))
        )
    return " · ".join(words)


def _item_entry(
    item: PostItem,
    t: Translator,
    tz: tzinfo,
    names: Mapping[str, str],
    state: ListState,
) -> Element:
    received = day(item.metadata.received_at.astimezone(tz).date())
    details = [type_word(item.metadata.document_type, t), received]
    if item.needs_acknowledgement:
        details.append(t("post.list.registered"))
    if item.state is not PostState.ROUTED:
        details.append(state_word(item.state, t))
    if item.destination.kind is not DestinationKind.PERSON:
        details.append(destination_text(item, t, names))
    subject = escape_text(item.metadata.subject, limit=MAX_LISTED_SUBJECT) or item.reference
    data = {"item": item.id, "back": state.data()}
    buttons = [execute(t("post.button.details"), Verb.POST_REFRESH, data)]
    if item.scan_deleted_at is None:
        buttons.insert(0, execute(t("post.button.open"), Verb.POST_OPEN, data))
    return {
        "type": "Container",
        "separator": True,
        "items": [
            text(f"{sender_text(item, t)}: {subject}", weight="Bolder"),
            {**text(" · ".join(details), subtle=True), "spacing": "None"},
            {"type": "ActionSet", "actions": buttons},
        ],
    }


def post_list_card(
    items: Sequence[PostItem],
    state: ListState,
    t: Translator,
    tz: tzinfo,
    *,
    has_more: bool,
    page_size: int,
    names: Mapping[str, str] | None = None,
    notice: str = "",
    asked: str = "",
) -> Card:
    """asked: the search as typed, when no letter held all its words and the list shows those
    with the words that occur (state.search)."""
    names = names or {}
    body: list[Element] = []
    if notice:
        body.append(banner(notice, "Good"))
    body.append(heading(t("post.list.title")))
    body.append(text(filter_words(state, t), subtle=True))
    if asked:
        typed = escape_text(asked, limit=MAX_SEARCH_INPUT)
        body.append(text(t("post.list.narrowed", asked=typed, search=escape_text(state.search))))
    if not items:
        key = "post.list.nothing_filtered" if state.filtered else "post.list.nothing"
        body.append(text(t(key)))
        if state.offset == 0:
            body.append(text(t("post.list.hint"), subtle=True))
    else:
        first, last = state.offset + 1, state.offset + len(items)
        body.append(text(t("post.list.range", first=first, last=last), subtle=True))
        body += [_item_entry(item, t, tz, names, state) for item in items]
    actions: list[Element] = []
    if state.offset > 0:
        previous = max(state.offset - page_size, 0)
        actions.append(
            execute(t("post.list.previous"), Verb.POST_PAGE, state.data(offset=previous))
        )
    if has_more:
        following = state.offset + page_size
        actions.append(execute(t("post.list.next"), Verb.POST_PAGE, state.data(offset=following)))
    actions += _filter_buttons(state, t)
    return card(body, actions)


def _filter_buttons(state: ListState, t: Translator) -> list[Element]:
    """Quick filters: each toggles one filter and starts again at the first page."""
    buttons: list[tuple[str, dict[str, Any]]] = []
    if state.scope != "open":
        buttons.append(("post.list.show_open", state.data(scope="open", offset=0)))
    if state.scope != "all":
        buttons.append(("post.list.show_all", state.data(scope="all", offset=0)))
    registered = "post.list.any_type" if state.registered else "post.list.only_registered"
    buttons.append((registered, state.data(registered=not state.registered, offset=0)))
    week = "post.list.any_time" if state.week else "post.list.only_week"
    buttons.append((week, state.data(week=not state.week, offset=0)))
    return [{**execute(t(key), Verb.POST_PAGE, data), "mode": "secondary"} for key, data in buttons]


# --- delegations -------------------------------------------------------------------------------
def delegations_card(
    delegations: Sequence[Delegation],
    names: Mapping[str, str],
    t: Translator,
    *,
    today: date,
    notice: str = "",
    notice_colour: str = "Good",
) -> Card:
    """A person's delegations (current and future), each with a button to stop it; a notice
    on top says what was done ("Good") or asks for more ("Accent")."""
    body: list[Element] = []
    if notice:
        body.append(banner(notice, notice_colour))
    body.append(heading(t("post.delegation.title")))
    if not delegations:
        body.append(text(t("post.delegation.none")))
        body.append(text(t("post.delegation.usage"), subtle=True))
        return card(body, [run_button(t("post.delegation.show_post"), "post")])
    for delegation in delegations:
        who = escape_text(names.get(delegation.delegate_id, ""), limit=MAX_NAME) or t(
            "post.someone"
        )
        key = "post.delegation.active" if delegation.starts <= today else "post.delegation.planned"
        line = t(key, name=who, starts=day(delegation.starts), ends=day(delegation.ends))
        stop = execute(
            t("post.delegation.cancel"),
            Verb.POST_DELEGATION_CANCEL,
            {"delegation": delegation.id},
        )
        body.append(
            {
                "type": "Container",
                "separator": True,
                "items": [text(line), {"type": "ActionSet", "actions": [stop]}],
            }
        )
    body.append(text(t("post.delegation.audit_hint"), subtle=True))
    return card(body)


def delegate_picker_card(
    candidates: Sequence[DirectoryUser], starts: date, ends: date, t: Translator
) -> Card:
    """Several people match the name: which one? Each button names the dates again."""
    body: list[Element] = [
        heading(t("post.delegation.which")),
        text(t("post.delegation.which_body", starts=day(starts), ends=day(ends))),
    ]
    buttons = []
    for person in candidates:
        label = person.display_name
        detail = person.job_title or person.department or person.user_principal_name
        if detail:
            label = f"{label} ({detail})"
        data = {"delegate": person.id, "starts": starts.isoformat(), "ends": ends.isoformat()}
        # A button title shows no Markdown: cleaned (controls, bidi) and cut, not escaped.
        title = clean_text(label, limit=MAX_BUTTON_TITLE)
        buttons.append(execute(title, Verb.POST_DELEGATION_ADD, data))
    body.append({"type": "ActionSet", "actions": buttons})
    return card(body)
