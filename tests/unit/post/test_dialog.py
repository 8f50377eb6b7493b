"""`post`, `post doorsturen` and the item card buttons, through the real dispatcher and desk on
the in-memory fakes, as Teams would drive them; and the parsing of what people type."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any, Unpack
from zoneinfo import ZoneInfo

import pytest

from bot.commands.dispatcher import ActionResult
from bot.composition.chat import build_dialogs
from bot.domain.access.rules import AccessPolicy
from bot.domain.platform.audit import Outcome
from bot.domain.platform.directory import DirectoryUser
from bot.domain.platform.roles import Role
from bot.domain.post.items import TRIAGE, DocumentType, PostState
from bot.services.access.status import AccessStatus
from bot.services.platform.audit import Auditor
from bot.services.post.listing import PostFilters, Scope
from cards.verbs import Verb
from devtools.card_inspection import card_actions, card_nodes, card_text, find_action
from dialogs.post.text import (
    DelegationAsk,
    parse_day,
    parse_delegation,
    parse_filters,
    read_delegation,
)
from tests.support.chat import FakeTurn, TurnOptions, click, say
from tests.unit.access.fakes import MemoryAccessDirectory
from tests.unit.post.fakes import (
    JEF,
    LOTTE,
    MAILROOM_CLERK,
    NAMES,
    SOFIE,
    TENANT,
    PostWorld,
    make_world,
    metadata,
    person,
)

TODAY = date(2026, 11, 27)  # a Friday


class World:
    def __init__(self) -> None:
        self.post: PostWorld = make_world()
        clock = self.post.clock
        built = build_dialogs(
            directory=self.post.directory,
            auditor=Auditor(self.post.audit_log, clock),
            servicedesk_url="https://desk.example",
            zone=ZoneInfo("Europe/Brussels"),
            access=AccessStatus(
                self.post.directory, MemoryAccessDirectory(), clock, AccessPolicy()
            ),
            post=self.post.desk,
        )
        self.dispatcher = built.dispatcher

    async def say(
        self,
        text: str,
        *,
        user: str = LOTTE,
        roles: tuple[Role, ...] = (),
        **options: Unpack[TurnOptions],
    ) -> FakeTurn:
        return await say(self.dispatcher, text, **_as(user, roles), **options)

    async def click(
        self,
        verb: str,
        data: object,
        *,
        user: str = LOTTE,
        roles: tuple[Role, ...] = (),
        **options: Unpack[TurnOptions],
    ) -> ActionResult:
        return (await click(self.dispatcher, verb, data, **_as(user, roles), **options)).result

    def denials(self, action: str) -> list[Any]:
        return [e for e in self.post.denials() if e.action == action]


def _as(user: str, roles: tuple[Role, ...]) -> TurnOptions:
    """One of the demo tenant's people, by name, staff and whatever else `roles` says."""
    return TurnOptions(
        user_id=user,
        tenant_id=TENANT,
        name=NAMES.get(user, ""),
        roles=frozenset({Role.STAFF, *roles}),
    )


# --- parsing -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", PostFilters()),
        ("toon mijn", PostFilters()),
        ("aangetekend", PostFilters(registered=True)),
        ("deze week", PostFilters(this_week=True)),
        ("niet afgehandeld", PostFilters(Scope.OPEN)),
        ("afgehandeld", PostFilters(Scope.HANDLED)),
        ("alles", PostFilters(Scope.ALL)),
        ("zoek Fluvius", PostFilters(search="Fluvius")),
        (
            "aangetekend deze week zoek FOD Financiën",
            PostFilters(Scope.OPEN, True, True, "FOD Financiën"),
        ),
        ("van Fluvius", PostFilters(search="Fluvius")),
        ("Fluvius", PostFilters(search="Fluvius")),
        ("registered this week", PostFilters(registered=True, this_week=True)),
        ("search for tax office", PostFilters(search="tax office")),
        ("all handled", PostFilters(Scope.HANDLED)),
        # asking to see it searches nothing, nor do signs
        ("efkes tonen aub", PostFilters()),
        ("nakijken 📬", PostFilters()),
        ("voor mij", PostFilters()),
    ],
)
def test_filters_from_the_text(text: str, expected: PostFilters) -> None:
    assert parse_filters(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1/12/2026", date(2026, 12, 1)),
        ("1/12", date(2026, 12, 1)),
        ("1-12-26", date(2026, 12, 1)),
        ("2026-12-01", date(2026, 12, 1)),
        ("1 december", date(2026, 12, 1)),
        ("1 December 2027", date(2027, 12, 1)),
        ("1e december", date(2026, 12, 1)),
        ("December 1st", date(2026, 12, 1)),
        ("3 jan", date(2027, 1, 3)),  # January has passed this year: next January
        ("26/11", date(2027, 11, 26)),  # yesterday: next year
        ("morgen", date(2026, 11, 28)),
        ("Tomorrow", date(2026, 11, 28)),
        ("vandaag", TODAY),
        ("overmorgen", date(2026, 11, 29)),
        ("maandag", date(2026, 11, 30)),
        ("vrijdag", TODAY),
        ("volgende woensdag", date(2026, 12, 2)),
        # days named: the first from today on
        ("kerstavond", date(2026, 12, 24)),
        ("Kerstmis", date(2026, 12, 25)),
        ("new year's eve", date(2026, 12, 31)),
        ("de nieuwjaarsdag", date(2027, 1, 1)),
        ("allerheiligen", date(2027, 11, 1)),  # this year's has passed
        ("Pasen", date(2027, 3, 28)),
        ("pinkstermaandag", date(2027, 5, 17)),
        ("kerstvakantie", None),  # a holiday that lasts names no day
        ("31/2", None),
        ("ooit", None),
        ("", None),
    ],
)
def test_days_as_people_write_them(text: str, expected: date | None) -> None:
    assert parse_day(text, TODAY) == expected


@pytest.mark.parametrize(
    ("text", "name", "starts", "ends"),
    [
        ("naar Jef Peeters van 1/12/2026 tot 15/12/2026", "Jef Peeters", (12, 1), (12, 15)),
        ("naar Jef van 1 december tot en met 5 december", "Jef", (12, 1), (12, 5)),
        ("naar Jef tot morgen", "Jef", (11, 27), (11, 28)),
        ("Jef Peeters vanaf 2026-12-01 t/m 2026-12-04", "Jef Peeters", (12, 1), (12, 4)),
        ("naar Sofie Van den Broeck van 1/12 tot 5/12", "Sofie Van den Broeck", (12, 1), (12, 5)),
        ("naar Sofie Van den Broeck tot 5/12", "Sofie Van den Broeck", (11, 27), (12, 5)),
        ("to Jef Peeters from 1 December to 15 December", "Jef Peeters", (12, 1), (12, 15)),
        ("to Jef until Friday", "Jef", (11, 27), (11, 27)),
    ],
)
def test_a_delegation_from_the_text(
    text: str, name: str, starts: tuple[int, int], ends: tuple[int, int]
) -> None:
    wanted = parse_delegation(text, TODAY)
    assert wanted is not None
    assert wanted.name == name
    assert wanted.starts == date(2026, *starts)
    assert wanted.ends == date(2026, *ends)


@pytest.mark.parametrize(
    "text",
    ["naar Jef", "to Jef", "naar Jef tot ooit", "van 1/12 tot 5/12", "tot 5/12", "stop naar Jef"],
)
def test_a_delegation_without_a_name_or_an_end_is_not_understood(text: str) -> None:
    assert parse_delegation(text, TODAY) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a name without an end, read as far as it goes
        ("naar Jef", DelegationAsk("Jef", TODAY, None)),
        ("naar mijn collega", DelegationAsk("", TODAY, None)),  # no one named: the dialog asks
        ("naar Jef in week 49", DelegationAsk("Jef", date(2026, 11, 30), date(2026, 12, 6))),
        ("naar Jef week 1", DelegationAsk("Jef", date(2027, 1, 4), date(2027, 1, 10))),
        ("naar Jef tot week 50", DelegationAsk("Jef", TODAY, date(2026, 12, 13))),
        ("naar Jef week 60", DelegationAsk("Jef week 60", TODAY, None)),  # no such week
        ("to someone else", DelegationAsk("", TODAY, None)),
        ("naar mijn teamleider", DelegationAsk("", TODAY, None)),
        ("to Jef Peeters", DelegationAsk("Jef Peeters", TODAY, None)),
        ("naar Jef tot ik terug ben", DelegationAsk("Jef", TODAY, None)),
        ("naar Jef van maandag", DelegationAsk("Jef", date(2026, 11, 30), None)),
        ("naar Sofie Van den Broeck", DelegationAsk("Sofie Van den Broeck", TODAY, None)),
        # periods that say both days
        ("naar Jef volgende week", DelegationAsk("Jef", date(2026, 11, 30), date(2026, 12, 6))),
        ("naar Jef next week", DelegationAsk("Jef", date(2026, 11, 30), date(2026, 12, 6))),
        ("naar Jef deze week", DelegationAsk("Jef", TODAY, date(2026, 11, 29))),
        ("naar Jef volgende maand", DelegationAsk("Jef", date(2026, 12, 1), date(2026, 12, 31))),
        # a weekday of next week is one day, not the week: from today until then
        ("naar Jef tot woensdag volgende week", DelegationAsk("Jef", TODAY, date(2026, 12, 2))),
        (
            "naar Jef volgende week vrijdag",
            DelegationAsk("Jef", date(2026, 12, 4), date(2026, 12, 4)),
        ),
        (
            "naar Jef van volgende week maandag tot volgende week woensdag",
            DelegationAsk("Jef", date(2026, 11, 30), date(2026, 12, 2)),
        ),
        ("naar Jef from Tuesday next week", DelegationAsk("Jef", date(2026, 12, 1), None)),
        # a month's end, "t.e.m."
        ("naar Jef tot het einde van de maand", DelegationAsk("Jef", TODAY, date(2026, 11, 30))),
        ("naar Jef tot eind deze maand", DelegationAsk("Jef", TODAY, date(2026, 11, 30))),
        ("naar Jef tot eind volgende maand", DelegationAsk("Jef", TODAY, date(2026, 12, 31))),
        ("naar Jef tot na nieuwjaar", DelegationAsk("Jef", TODAY, date(2027, 1, 1))),  # through it
        # a week's end: its Sunday, as "deze week" ends
        ("naar Jef tot het einde van deze week", DelegationAsk("Jef", TODAY, date(2026, 11, 29))),
        ("naar Jef until the end of next week", DelegationAsk("Jef", TODAY, date(2026, 12, 6))),
        ("naar Jef until the end of January", DelegationAsk("Jef", TODAY, date(2027, 1, 31))),
        (
            "naar Jef van 1/12 t.e.m. 3/12",
            DelegationAsk("Jef", date(2026, 12, 1), date(2026, 12, 3)),
        ),
        # days without a name, and a stop
        ("tot 5/12", DelegationAsk("", TODAY, date(2026, 12, 5))),
        ("stop", DelegationAsk("", TODAY, None, stop=True)),
        ("stop naar Jef Peeters", DelegationAsk("Jef Peeters", TODAY, None, stop=True)),
    ],
)
def test_a_delegation_read_as_far_as_it_is_said(text: str, expected: DelegationAsk) -> None:
    assert read_delegation(text, TODAY) == expected


# --- the list ----------------------------------------------------------------------------------
async def test_post_lists_my_items_and_pages_them() -> None:
    world = World()
    for hour in range(7):
        received = world.post.clock.now() - timedelta(hours=hour + 1)
        world.post.add(metadata=metadata(external_id=f"s{hour}", received_at=received))
    turn = await world.say("toon mijn post")
    [card] = turn.cards
    assert "1 tot 5, nieuwste eerst" in card_text(card)
    following = find_action(card, "Volgende")
    result = await world.click(Verb.POST_PAGE, following["data"])
    assert result.card is not None
    text = card_text(result.card)
    assert "6 tot 7" in text
    assert "Volgende" not in [a.get("title") for a in card_actions(result.card)]
    previous = find_action(result.card, "Vorige")
    assert previous["data"]["offset"] == 0


@pytest.mark.parametrize(
    ("text", "check"),
    [
        ("post aangetekend", lambda q: q.registered_only),
        ("post deze week", lambda q: q.received_since is not None),
        ("post zoek Fluvius", lambda q: q.search == "Fluvius"),
        ("post niet afgehandeld", lambda q: q.states == {PostState.ROUTED, PostState.TRIAGE}),
        ("post afgehandeld", lambda q: q.states == {PostState.HANDLED}),
        ("my mail registered", lambda q: q.registered_only),
        ("brieven van Fluvius", lambda q: q.search == "Fluvius"),
    ],
)
async def test_filters_reach_the_list(text: str, check: Any) -> None:
    world = World()
    turn = await world.say(text)
    assert turn.cards
    assert check(world.post.items.queries[-1])


async def test_post_in_english() -> None:
    world = World()
    world.post.add(person(LOTTE))
    turn = await world.say("mail", locale="en")
    assert "Your mail" in card_text(turn.cards[0])


# --- item buttons ------------------------------------------------------------------------------
async def test_a_second_user_cannot_open_its_scan_and_the_refusal_is_audited() -> None:
    world = World()
    item = world.post.add(person(LOTTE))
    result = await world.click(Verb.POST_OPEN, {"item": item.id}, user=SOFIE)
    assert result.card is None
    assert result.message == "Je hebt geen toegang tot dit poststuk."
    [denied] = world.denials("post.open")
    assert denied.actor_id == SOFIE
    assert denied.object_id == str(item.id)
    assert denied.detail["reason"] == "post.error.no_access"
    assert world.post.links.made == []


async def test_the_addressee_opens_the_scan_in_a_personal_chat() -> None:
    world = World()
    item = world.post.add(person(LOTTE))
    result = await world.click(Verb.POST_OPEN, {"item": item.id})
    assert result.card is not None
    link = result.card["actions"][0]
    assert link["type"] == "Action.OpenUrl"
    assert world.post.links.made == [(item.id, LOTTE)]
    assert [e.action for e in world.post.audit_log.entries if e.action.startswith("post.")] == [
        "post.scan.view"
    ]


async def test_no_link_in_a_channel_where_everyone_sees_the_card() -> None:
    world = World()
    item = world.post.add(person(LOTTE))
    result = await world.click(Verb.POST_OPEN, {"item": item.id}, conversation_type="channel")
    assert result.card is None
    assert "persoonlijke chat" in (result.message or "")
    assert world.post.links.made == []
    refused = await world.click(
        Verb.POST_OPEN, {"item": item.id}, user=SOFIE, conversation_type="channel"
    )
    assert refused.message == "Je hebt geen toegang tot dit poststuk."
    assert world.denials("post.open")


@pytest.mark.parametrize(
    ("verb", "data"),
    [
        (Verb.POST_HANDLE, {}),
        (Verb.POST_ACKNOWLEDGE, {}),
        (Verb.POST_FORWARD, {"person": JEF, "note": "x"}),
        (Verb.POST_FORWARD, {"person": ""}),
        (Verb.POST_NOT_FOR_ME, {"reason": "niet voor mij"}),
        (Verb.POST_ORIGINAL, {}),
        (Verb.POST_REFRESH, {}),
        (Verb.POST_SUGGEST_RULE, {}),
    ],
)
async def test_every_item_button_refuses_someone_else_and_audits_it(
    verb: Verb, data: dict[str, Any]
) -> None:
    world = World()
    item = world.post.add(person(LOTTE))
    before = world.post.item(item.id)
    result = await world.click(verb, {"item": item.id, **data}, user=SOFIE)
    assert result.card is None
    assert result.message
    assert len(world.post.denials()) == 1
    assert world.post.denials()[0].object_id == str(item.id)
    assert world.post.item(item.id) == before
    assert world.post.items.messages == []


async def test_routing_is_the_mailrooms() -> None:
    world = World()
    item = world.post.add(TRIAGE, PostState.TRIAGE)
    result = await world.click(Verb.POST_ROUTE, {"item": item.id, "person": SOFIE})
    assert result.card is None
    assert [e.action for e in world.post.denials()] == ["verb.post.route"]
    routed = await world.click(
        Verb.POST_ROUTE,
        {"item": item.id, "person": SOFIE},
        user=MAILROOM_CLERK,
        roles=(Role.MAILROOM,),
    )
    assert routed.card is not None
    assert world.post.item(item.id).destination == person(SOFIE)
    assert "is toegewezen" in card_text(routed.card)
    rule = find_action(routed.card, str(Verb.POST_SUGGEST_RULE))
    suggested = await world.click(
        rule["verb"], rule["data"], user=MAILROOM_CLERK, roles=(Role.MAILROOM,)
    )
    assert suggested.card is not None
    assert "R-002" in card_text(suggested.card)


async def test_a_registered_item_is_acknowledged_then_handled_on_its_card() -> None:
    world = World()
    item = world.post.add(metadata=metadata(document_type=DocumentType.REGISTERED))
    early = await world.click(Verb.POST_HANDLE, {"item": item.id})
    assert early.card is not None
    assert "Bevestig eerst de ontvangst" in (early.message or "")
    assert world.post.item(item.id).state is PostState.ROUTED
    acknowledged = await world.click(Verb.POST_ACKNOWLEDGE, {"item": item.id})
    assert acknowledged.card is not None
    assert "Ontvangst bevestigd door Lotte Janssens" in card_text(acknowledged.card)
    handle = find_action(acknowledged.card, "Afhandelen")
    handled = await world.click(handle["verb"], handle["data"])
    assert handled.card is not None
    assert "is afgehandeld" in card_text(handled.card)
    assert world.post.item(item.id).state is PostState.HANDLED


async def test_forward_needs_someone_picked() -> None:
    world = World()
    item = world.post.add(person(LOTTE))
    result = await world.click(Verb.POST_FORWARD, {"item": item.id, "person": "", "note": ""})
    assert result.card is not None
    assert "Kies eerst een collega." in card_text(result.card)
    assert world.post.item(item.id).destination == person(LOTTE)
    done = await world.click(Verb.POST_FORWARD, {"item": item.id, "person": JEF, "note": "Graag"})
    assert done.card is not None
    assert world.post.item(item.id).destination == person(JEF)
    assert "Afhandelen" not in [a.get("title") for a in card_actions(done.card)]


async def test_not_for_me_without_a_reason_asks_for_one() -> None:
    world = World()
    item = world.post.add(person(LOTTE))
    result = await world.click(Verb.POST_NOT_FOR_ME, {"item": item.id, "reason": ""})
    assert result.card is not None
    assert "Geef kort aan waarom" in card_text(result.card)
    assert world.post.item(item.id).state is PostState.ROUTED


async def test_a_click_on_an_item_that_moved_on_shows_where_it_is() -> None:
    world = World()
    item = world.post.add(person(LOTTE), PostState.HANDLED, handled_by=LOTTE)
    result = await world.click(Verb.POST_FORWARD, {"item": item.id, "person": JEF})
    assert result.card is not None
    assert result.message == "Dat kan niet meer. Stand van zaken: Afgehandeld."


async def test_a_broken_payload_is_refused() -> None:
    world = World()
    for data in ({"item": "1"}, {"item": -1}, {"item": 1, "person": "<script>"}, {}):
        result = await world.click(Verb.POST_FORWARD, data)
        assert result.message == "Deze knop werkt niet meer. Vraag de kaart opnieuw op."


async def test_the_list_details_button_shows_the_item_with_a_way_back() -> None:
    world = World()
    item = world.post.add(person(LOTTE))
    turn = await world.say("post zoek Fluvius")
    details = find_action(turn.cards[0], "Toon details")
    result = await world.click(details["verb"], details["data"])
    assert result.card is not None
    back = find_action(result.card, "Terug naar de lijst")
    assert back["data"]["search"] == "Fluvius"
    handle = find_action(result.card, "Afhandelen")
    assert handle["data"] == {"item": item.id, "back": back["data"]}
    listed = await world.click(back["verb"], back["data"])
    assert listed.card is not None and "zoek: Fluvius" in card_text(listed.card)


# --- delegations -------------------------------------------------------------------------------
async def test_post_doorsturen_stores_a_delegation_and_confirms_it() -> None:
    world = World()
    turn = await world.say("post doorsturen naar Jef Peeters van 1/12/2026 tot 15/12/2026")
    [card] = turn.cards
    text = card_text(card)
    assert "Van 01/12/2026 tot en met 15/12/2026 gaat je post naar Jef Peeters." in text
    [stored] = world.post.delegations.rows.values()
    assert (stored.user_id, stored.delegate_id) == (LOTTE, JEF)
    assert (stored.starts, stored.ends) == (date(2026, 12, 1), date(2026, 12, 15))
    cancel = find_action(card, "Stopzetten")
    assert cancel["data"] == {"delegation": stored.id}
    listed = await world.say("post doorsturen")
    assert "Gepland: je post gaat naar Jef Peeters" in card_text(listed.cards[0])
    refused = await world.click(cancel["verb"], cancel["data"], user=JEF)
    assert refused.card is None
    assert [e.action for e in world.post.denials()] == ["post.delegation.cancel"]
    assert world.post.delegations.rows
    stopped = await world.click(cancel["verb"], cancel["data"])
    assert stopped.card is not None
    assert "Je post komt nu gewoon bij jou." in card_text(stopped.card)
    assert world.post.delegations.rows == {}


async def test_several_matches_ask_which_colleague() -> None:
    world = World()
    other = "0f0f0f0f-1111-4222-8333-444455556666"
    world.post.directory.users[other] = DirectoryUser(other, "Jef Claes", "jefc@demo.example")
    turn = await world.say("post doorsturen naar Jef tot 4/12")
    [card] = turn.cards
    assert "Wie bedoel je?" in card_text(card)
    assert world.post.delegations.rows == {}
    pick = find_action(card, "Jef Claes (jefc@demo.example)")
    result = await world.click(pick["verb"], pick["data"])
    assert result.card is not None
    [stored] = world.post.delegations.rows.values()
    assert stored.delegate_id == other
    assert stored.ends == date(2026, 12, 4)


async def test_delegation_problems_are_told() -> None:
    world = World()
    turn = await world.say("post doorsturen tot ooit")
    assert "Dat begreep ik niet helemaal" in card_text(turn.cards[0])
    turn = await world.say("post doorsturen naar Niemand Bekend tot morgen")
    assert "Ik vind niemand met de naam Niemand Bekend." in card_text(turn.cards[0])
    turn = await world.say("post doorsturen naar Lotte Janssens tot morgen")
    assert "niet als vervanger" not in card_text(turn.cards[0])  # she is not offered herself
    turn = await world.say("post doorsturen naar Jef Peeters van 5/12 tot 1/12")
    assert "De einddatum ligt voor de begindatum." in card_text(turn.cards[0])
    rejected = [e for e in world.post.audit_log.entries if e.outcome is Outcome.REJECTED]
    assert rejected[-1].detail["reason"] == "post.delegation.error.order"


async def test_a_delegate_without_an_end_is_asked_until_when() -> None:
    """A name without an end is no misunderstanding: the delegations card asks until when,
    with an example to type that keeps the first day said; nothing is stored yet."""
    world = World()
    turn = await world.say("post doorsturen naar Jef")
    [card] = turn.cards
    text = card_text(card)
    assert "Dat begreep ik niet" not in text
    assert (
        "Tot wanneer mag Jef Peeters je post krijgen? Typ bijvoorbeeld: post doorsturen naar"
        " Jef Peeters van 27/11/2026 tot 04/12/2026." in text
    )
    assert "Post tijdens afwezigheid" in text
    [asking] = [n for n in card_nodes(card) if "Tot wanneer" in str(n.get("text", ""))]
    assert asking["color"] == "Accent"  # a question, not a green "done"
    assert world.post.delegations.rows == {}
    turn = await world.say("post doorsturen naar Jef Peeters vanaf maandag")
    assert "van 30/11/2026 tot 07/12/2026" in card_text(turn.cards[0])
    turn = await world.say("post doorsturen naar Niemand Bekend")  # nobody: said at once
    assert "Ik vind niemand met de naam Niemand Bekend." in card_text(turn.cards[0])


async def test_a_delegate_without_an_end_is_asked_in_english_with_the_name_escaped() -> None:
    world = World()
    world.post.directory.users["f1"] = DirectoryUser("f1", "Jef *Star*", "star@demo.example")
    turn = await world.say("forward my mail to Jef *Star*", locale="en")
    text = card_text(turn.cards[0])
    assert "Until when may Jef \\*Star\\* get your mail?" in text
    assert world.post.delegations.rows == {}


async def test_days_without_a_delegate_ask_who() -> None:
    world = World()
    turn = await world.say("post doorsturen van 1/12 tot 5/12")
    text = card_text(turn.cards[0])
    assert "Naar welke collega mag je post gaan?" in text
    assert "post doorsturen naar Jef Peeters van 01/12/2026 tot 05/12/2026" in text
    assert world.post.delegations.rows == {}


@pytest.mark.parametrize(
    "text", ["post doorsturen stop", "ik ben terug, stop het doorsturen van mijn post naar Jef"]
)
async def test_a_stop_shows_the_delegations_and_says_which_button_stops_one(text: str) -> None:
    world = World()
    await world.say("post doorsturen naar Jef Peeters van 1/12/2026 tot 15/12/2026")
    turn = await world.say(text)
    [card] = turn.cards
    assert "Klik op Stopzetten bij de periode die je wil stoppen." in card_text(card)
    assert find_action(card, "Stopzetten")
    assert world.post.delegations.rows  # nothing stopped without a click


async def test_a_stop_without_a_delegation_says_the_post_comes_to_you() -> None:
    world = World()
    turn = await world.say("post doorsturen stop")
    text = card_text(turn.cards[0])
    assert "Je post komt nu gewoon bij jou." in text
    assert "Klik op" not in text


async def test_a_delegation_too_long_is_told_in_days_typed_and_clicked() -> None:
    """The longest period counts its days in the plural, on a typed command and on a click on
    the card that asks which colleague (a card action's refusal is explained the same way)."""
    world = World()
    too_long = "Post tijdens afwezigheid kan voor hoogstens 366 dagen."
    turn = await world.say("post doorsturen naar Jef Peeters tot 31/12/2027")
    assert too_long in card_text(turn.cards[0])
    ends = TODAY + timedelta(days=400)
    pick = {"delegate": JEF, "starts": TODAY.isoformat(), "ends": ends.isoformat()}
    result = await world.click(Verb.POST_DELEGATION_ADD, pick)
    assert result.message == too_long
    assert world.post.delegations.rows == {}
