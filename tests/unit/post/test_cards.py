"""The post cards: valid Adaptive Cards 1.5 in Dutch and English, and what a reader sees on them.

Teams' people picker (`choices.data` with a Data.Query on an Input.ChoiceSet) is a Teams addition
to Input.ChoiceSet that the official Adaptive Cards 1.5 schema does not know, so the schema
rejects it (test_the_official_schema_does_not_know_the_people_picker). `checked` therefore
checks the picker's exact shape itself, takes it out, and validates the rest of the card.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator
from dataclasses import replace
from datetime import date, timedelta
from typing import Any

import pytest

from bot.domain.platform.directory import DirectoryUser
from bot.domain.post.items import (
    TRIAGE,
    Destination,
    DestinationKind,
    DocumentType,
    PostItem,
    PostNotice,
    PostNoticeKind,
    PostState,
)
from bot.domain.post.routing import Delegation
from bot.i18n import LOCALES, Translator
from cards.post.item import (
    PEOPLE_DATASET,
    ItemTexts,
    ItemView,
    ScanLink,
    item_card,
)
from cards.post.lists import ListState, delegate_picker_card, delegations_card, post_list_card
from cards.verbs import Verb
from devtools.card_inspection import card_actions, card_nodes, card_text
from tests.support.schemas import validate_card
from tests.unit.post.fakes import (
    BRUSSELS,
    FINANCE_CHANNEL,
    FINANCE_TARGET,
    FRIDAY,
    JEF,
    LOTTE,
    MAILROOM_CHANNEL,
    THOMAS,
    make_world,
    metadata,
    person,
)

TODAY = date(2026, 11, 27)
RAW_KEY = re.compile(r"\b(post|cmd)\.[a-z_]+\.[a-z_.]+\b")
WORLD = make_world()
BASE = WORLD.add(person(LOTTE))
NAMES = {LOTTE: "Lotte Janssens", JEF: "Jef Peeters", THOMAS: "Thomas Claes"}


def checked(card: dict[str, Any]) -> dict[str, Any]:
    """Validate the card against the official schema, with Teams' people picker checked here."""
    plain = copy.deepcopy(card)
    for node in card_nodes(plain):
        if node.get("type") == "Input.ChoiceSet" and "choices.data" in node:
            assert node["choices.data"] == PEOPLE_DATASET
            assert node["isMultiSelect"] is False
            assert node["choices"] == []
            del node["choices.data"]
    validate_card(plain)
    return card


def items_in_every_shape() -> Iterator[tuple[str, PostItem]]:
    now = FRIDAY
    yield "routed", BASE
    yield (
        "registered",
        replace(BASE, metadata=metadata(registered=True, tracking_number="RR123456789BE")),
    )
    yield (
        "acknowledged",
        replace(
            BASE,
            metadata=metadata(document_type=DocumentType.LEGAL),
            acknowledged_by=LOTTE,
            acknowledged_at=now,
        ),
    )
    yield "confidential", replace(BASE, metadata=metadata(confidential=True, subject=""))
    yield "delegated", replace(BASE, destination=person(JEF), delegated_from=LOTTE)
    yield "forwarded", replace(BASE, destination=person(JEF), forwarded_by=LOTTE, note="Graag")
    yield "team", replace(BASE, destination=Destination(DestinationKind.TEAM, FINANCE_TARGET))
    yield "entity", replace(BASE, destination=Destination(DestinationKind.ENTITY, "ADV"))
    yield (
        "triage",
        replace(
            BASE, state=PostState.TRIAGE, destination=TRIAGE, triage_reason="post.reason.ambiguous"
        ),
    )
    yield (
        "sent back",
        replace(
            BASE,
            state=PostState.TRIAGE,
            destination=TRIAGE,
            forwarded_by=LOTTE,
            triage_reason="Niet voor mij: ik werk bij DOMG",
        ),
    )
    yield (
        "unknown reason",
        replace(BASE, state=PostState.TRIAGE, destination=TRIAGE, triage_reason="post.reason.gone"),
    )
    yield "original", replace(BASE, original_requested_by=LOTTE, original_requested_at=now)
    yield "handled", replace(BASE, state=PostState.HANDLED, handled_by=LOTTE, handled_at=now)
    yield (
        "purged",
        replace(
            BASE,
            state=PostState.HANDLED,
            handled_by=LOTTE,
            handled_at=now,
            scan_deleted_at=now + timedelta(days=90),
        ),
    )
    yield "received", replace(BASE, state=PostState.RECEIVED, destination=TRIAGE)
    yield (
        "no sender",
        replace(
            BASE, metadata=metadata(sender=replace(BASE.metadata.sender, name="", organisation=""))
        ),
    )


VIEWS = {
    "reader": ItemView(),
    "holder": ItemView(act=True),
    "mailroom": ItemView(act=True, route=True, suggest_rule=True),
    "from list": ItemView(act=True, back=ListState(search="x", offset=5).data()),
}


def every_card(t: Translator) -> Iterator[tuple[str, dict[str, Any]]]:
    for name, item in items_in_every_shape():
        for view_name, view in VIEWS.items():
            yield f"{name}/{view_name}", item_card(item, t, BRUSSELS, view=view)
        yield (
            f"{name}/names",
            item_card(
                item, t, texts=ItemTexts(notice="Klaar", problem="Fout", names=NAMES), tz=BRUSSELS
            ),
        )
    link = ScanLink("https://werkplek.example/api/post/items/1/scan?sig=x", 10)
    yield "link", item_card(BASE, t, view=ItemView(act=True), link=link, tz=BRUSSELS)
    many = [replace(BASE, id=n, reference=f"POST-2026-00000{n}") for n in range(1, 6)]
    yield "list", post_list_card(many, ListState(), t, has_more=True, page_size=5, tz=BRUSSELS)
    yield (
        "list page 2",
        post_list_card(many[:2], ListState(offset=5), t, has_more=False, page_size=5, tz=BRUSSELS),
    )
    yield "list empty", post_list_card([], ListState(), t, has_more=False, page_size=5, tz=BRUSSELS)
    filtered = ListState("all", registered=True, week=True, search="Fluvius")
    yield "list filtered", post_list_card([], filtered, t, has_more=False, page_size=5, tz=BRUSSELS)
    yield (
        "list notice",
        post_list_card(many, ListState(), t, has_more=False, page_size=5, notice="x", tz=BRUSSELS),
    )
    delegation = Delegation(LOTTE, JEF, TODAY, TODAY + timedelta(days=14), LOTTE, FRIDAY, id=3)
    later = replace(delegation, id=4, starts=TODAY + timedelta(days=30), ends=TODAY + timedelta(40))
    yield "delegations", delegations_card([delegation, later], NAMES, t, today=TODAY, notice="x")
    yield "no delegations", delegations_card([], {}, t, today=TODAY)
    people = [
        DirectoryUser(JEF, "Jef Peeters", "jef@demo.example", job_title="Jurist"),
        DirectoryUser(THOMAS, "Jef Thomas", "thomas@demo.example"),
    ]
    yield "which delegate", delegate_picker_card(people, TODAY, TODAY + timedelta(days=3), t)


def every_notice() -> Iterator[PostNotice]:
    for kind in PostNoticeKind:
        yield PostNotice(kind, BASE, recipient_id=LOTTE)
    triage = replace(BASE, state=PostState.TRIAGE, destination=TRIAGE)
    yield PostNotice(PostNoticeKind.TRIAGE, triage, conversation_id=MAILROOM_CHANNEL)
    team = replace(BASE, destination=Destination(DestinationKind.TEAM, FINANCE_TARGET))
    yield PostNotice(PostNoticeKind.NEW_ITEM, team, conversation_id=FINANCE_CHANNEL)
    entity = replace(BASE, destination=Destination(DestinationKind.ENTITY, "ADV"))
    yield PostNotice(PostNoticeKind.NEW_ITEM, entity, recipient_id=THOMAS)


@pytest.mark.parametrize("locale", LOCALES)
def test_every_card_is_valid_in_both_languages(locale: str) -> None:
    t = Translator(locale)
    for name, card in every_card(t):
        try:
            checked(card)
        except AssertionError as problem:
            raise AssertionError(f"{name}: {problem}") from None
        assert not RAW_KEY.search(card_text(card)), f"{name} shows a message id"


@pytest.mark.parametrize("locale", LOCALES)
def test_every_notice_renders_as_a_valid_card(locale: str) -> None:
    for notice in every_notice():
        activity = WORLD.cards.render(notice, locale)
        assert activity["type"] == "message"
        assert activity["summary"] and not RAW_KEY.search(activity["summary"])
        [attachment] = activity["attachments"]
        assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
        checked(attachment["content"])
        assert not RAW_KEY.search(card_text(attachment["content"])), notice.kind


def test_the_official_schema_does_not_know_the_people_picker() -> None:
    t = Translator("nl")
    card = item_card(BASE, t, view=ItemView(act=True), tz=BRUSSELS)
    with pytest.raises(AssertionError, match=r"choices\.data"):
        validate_card(card)
    checked(card)  # everything else on the card is valid


def test_a_card_shows_what_the_issue_asks_for() -> None:
    t = Translator("nl")
    item = replace(BASE, metadata=metadata(registered=True, tracking_number="RR1BE"))
    text = card_text(item_card(item, t, view=ItemView(act=True), tz=BRUSSELS))
    for expected in (
        "Klantendienst, Fluvius",
        "Afrekening elektriciteit 2026",
        "Factuur",
        "27/11/2026",
        "Ja (RR1BE)",
        item.reference,
    ):
        assert expected in text
    titles = [
        a.get("title")
        for a in card_actions(item_card(BASE, t, view=ItemView(act=True), tz=BRUSSELS))
    ]
    for button in ("Openen", "Afhandelen", "Doorsturen", "Niet voor mij", "Origineel opvragen"):
        assert button in titles


def test_a_registered_item_asks_for_acknowledgement_instead_of_handled() -> None:
    t = Translator("nl")
    item = replace(BASE, metadata=metadata(registered=True))
    verbs = [
        a.get("verb")
        for a in card_actions(item_card(item, t, view=ItemView(act=True), tz=BRUSSELS))
    ]
    assert str(Verb.POST_ACKNOWLEDGE) in verbs
    assert str(Verb.POST_HANDLE) not in verbs
    done = replace(item, acknowledged_by=LOTTE, acknowledged_at=FRIDAY)
    text = card_text(
        item_card(done, t, view=ItemView(act=True), texts=ItemTexts(names=NAMES), tz=BRUSSELS)
    )
    assert "Ontvangst bevestigd door Lotte Janssens op 27/11/2026 10:00" in text
    verbs = [
        a.get("verb")
        for a in card_actions(item_card(done, t, view=ItemView(act=True), tz=BRUSSELS))
    ]
    assert str(Verb.POST_HANDLE) in verbs


def test_a_reader_gets_no_buttons_but_open_and_the_original() -> None:
    t = Translator("en")
    verbs = {a.get("verb") for a in card_actions(item_card(BASE, t, tz=BRUSSELS))}
    assert verbs == {str(Verb.POST_OPEN), str(Verb.POST_ORIGINAL)}


def test_the_forward_and_route_inputs_use_the_people_picker() -> None:
    t = Translator("nl")
    holder = item_card(BASE, t, view=ItemView(act=True), tz=BRUSSELS)
    pickers = [n for n in card_nodes(holder) if n.get("type") == "Input.ChoiceSet"]
    assert len(pickers) == 1
    assert pickers[0]["id"] == "person"
    triage = replace(BASE, state=PostState.TRIAGE, destination=TRIAGE)
    mailroom = item_card(triage, t, view=ItemView(route=True), tz=BRUSSELS)
    [route] = [a for a in card_actions(mailroom) if a.get("verb") == str(Verb.POST_ROUTE)]
    assert route["data"] == {"item": BASE.id}


def test_a_scan_link_replaces_the_open_button() -> None:
    t = Translator("nl")
    link = ScanLink("https://werkplek.example/api/post/items/1/scan?sig=x", 10)
    card = item_card(BASE, t, view=ItemView(act=True), link=link, tz=BRUSSELS)
    actions = card["actions"]
    assert actions[0]["type"] == "Action.OpenUrl"
    assert actions[0]["url"] == link.url
    assert str(Verb.POST_OPEN) not in {a.get("verb") for a in actions}
    assert "10 minuten" in card_text(card)


def test_a_purged_item_offers_no_open() -> None:
    t = Translator("nl")
    purged = replace(BASE, state=PostState.HANDLED, handled_at=FRIDAY, scan_deleted_at=FRIDAY)
    verbs = {
        a.get("verb")
        for a in card_actions(item_card(purged, t, view=ItemView(act=True), tz=BRUSSELS))
    }
    assert str(Verb.POST_OPEN) not in verbs


def test_a_narrowed_search_says_what_was_asked_and_what_is_shown() -> None:
    t = Translator("nl")
    state = ListState(search="Claeys & Engels")
    card = post_list_card(
        [BASE], state, t, has_more=False, page_size=5, tz=BRUSSELS, asked="advocaat Claeys & Engels"
    )
    validate_card(card)
    said = card_text(card)
    assert "Geen brief bevat al deze woorden: advocaat Claeys & Engels." in said
    assert "zoek: Claeys & Engels" in said


def test_list_buttons_carry_the_whole_state() -> None:
    t = Translator("nl")
    state = ListState("all", registered=True, week=False, search="Fluvius", offset=5)
    card = post_list_card([BASE], state, t, has_more=True, page_size=5, tz=BRUSSELS)
    pages = [a for a in card_actions(card) if a.get("verb") == str(Verb.POST_PAGE)]
    following = next(a for a in pages if a["title"] == "Volgende")
    assert following["data"] == state.data(offset=10)
    previous = next(a for a in pages if a["title"] == "Vorige")
    assert previous["data"]["offset"] == 0
    details = next(a for a in card_actions(card) if a.get("verb") == str(Verb.POST_REFRESH))
    assert details["data"] == {"item": BASE.id, "back": state.data()}
    assert "Alle post · aangetekend · zoek: Fluvius" in card_text(card)


def test_a_notice_for_someone_who_no_longer_holds_the_item_has_no_buttons() -> None:
    moved = replace(BASE, destination=person(JEF), forwarded_by=LOTTE)
    notice = PostNotice(PostNoticeKind.ITEM_UPDATED, moved, recipient_id=LOTTE, replaces="k")
    content = WORLD.cards.render(notice, "nl")["attachments"][0]["content"]
    verbs = {a.get("verb") for a in card_actions(content)}
    assert verbs <= {str(Verb.POST_OPEN), str(Verb.POST_ORIGINAL)}
    mine = PostNotice(PostNoticeKind.ITEM_UPDATED, moved, recipient_id=JEF, replaces="k")
    content = WORLD.cards.render(mine, "nl")["attachments"][0]["content"]
    assert str(Verb.POST_HANDLE) in {a.get("verb") for a in card_actions(content)}


def test_the_mailroom_card_of_a_routed_item_offers_a_rule() -> None:
    routed = replace(BASE, destination=person(JEF), rule_id="")
    notice = PostNotice(
        PostNoticeKind.ITEM_UPDATED, routed, conversation_id=MAILROOM_CHANNEL, replaces="k"
    )
    content = WORLD.cards.render(notice, "nl")["attachments"][0]["content"]
    verbs = {a.get("verb") for a in card_actions(content)}
    assert str(Verb.POST_SUGGEST_RULE) in verbs
    assert str(Verb.POST_HANDLE) not in verbs
