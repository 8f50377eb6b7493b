"""`licentie`, `aanvragen` and the licence card buttons, through the real dispatcher and desk on
the in-memory fakes (the `say` / `click` harness drives them as Teams would)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from typing import Any, Unpack
from zoneinfo import ZoneInfo

import pytest

from bot.commands.dispatcher import ActionResult
from bot.composition.chat import build_dialogs
from bot.domain.access.rules import AccessPolicy
from bot.domain.licences.notices import NoticeKind
from bot.domain.licences.requests import LicenceRequest, RequestState
from bot.domain.platform.audit import AuditEntry, Outcome
from bot.domain.platform.roles import Role
from bot.services.access.status import AccessStatus
from bot.services.platform.audit import Auditor
from cards.verbs import Verb
from devtools.card_inspection import adaptive_cards, card_actions, find_action
from tests.support.chat import FakeTurn, TurnOptions, click, say
from tests.unit.access.fakes import MemoryAccessDirectory
from tests.unit.fakes import MemoryAuditLog
from tests.unit.licences.fakes import (
    JEF,
    LOTTE,
    NAMES,
    NORA,
    SOFIE,
    TENANT,
    THOMAS,
    TINE,
    LicenceWorld,
    make_flow,
)
from tests.unit.test_dispatcher import card_text

WHY = "Ik maak elke maand rapporten over de helpdesktickets en deel die met het team."
BROKEN = "Deze knop werkt niet meer. Vraag de kaart opnieuw op."


class World:
    def __init__(self) -> None:
        self.licences: LicenceWorld = make_flow()
        self.audit = MemoryAuditLog()
        clock = self.licences.clock
        built = build_dialogs(
            directory=self.licences.directory,
            auditor=Auditor(self.audit, clock),
            servicedesk_url="https://desk.example",
            zone=ZoneInfo("Europe/Brussels"),
            access=AccessStatus(
                self.licences.directory, MemoryAccessDirectory(), clock, AccessPolicy()
            ),
            licences=self.licences.desk,
        )
        self.dispatcher = built.dispatcher

    async def say(
        self, text: str, *, user: str = LOTTE, **options: Unpack[TurnOptions]
    ) -> FakeTurn:
        return await say(self.dispatcher, text, **_as(user), **options)

    async def click(
        self, verb: str, data: object, *, user: str = LOTTE, **options: Unpack[TurnOptions]
    ) -> ActionResult:
        return (await click(self.dispatcher, verb, data, **_as(user), **options)).result

    async def submit(self, item: str, *, user: str = LOTTE, **inputs: Any) -> ActionResult:
        data = {"item": item, "previous": "", "justification": WHY, "end_date": "", **inputs}
        return await self.click(Verb.LICENCE_SUBMIT, data, user=user)

    def requests(self) -> list[LicenceRequest]:
        return sorted(self.licences.requests.rows.values(), key=lambda r: r.id)

    def request(self, request_id: int) -> LicenceRequest:
        return self.licences.requests.rows[request_id]

    def denials(self) -> list[AuditEntry]:
        return [e for e in self.audit.entries if e.outcome is Outcome.DENIED]


def _as(user: str) -> TurnOptions:
    """One of the demo tenant's people, by name."""
    return TurnOptions(user_id=user, tenant_id=TENANT, name=NAMES.get(user, ""))


@pytest.fixture
def world() -> World:
    return World()


def _inputs(card: dict[str, Any]) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}

    def walk(node: object) -> None:
        if isinstance(node, dict):
            if str(node.get("type", "")).startswith("Input."):
                found[node["id"]] = node
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(card)
    return found


def _card(result: ActionResult) -> dict[str, Any]:
    assert result.card is not None, result.message
    return result.card


# --- asking ---------------------------------------------------------------------------------------
async def test_licentie_alone_shows_the_items_the_person_may_request(world: World) -> None:
    turn = await world.say("licentie")
    (card,) = turn.cards
    assert "Wat wil je aanvragen?" in card_text(card)
    picks = {a["data"]["item"] for a in card_actions(card) if a.get("verb") == Verb.LICENCE_PICK}
    # ADV sees the offers to everyone and its own; not DFB's or DOMG's workspaces.
    assert picks == {"powerbi-pro", "powerbi-ppu", "power-automate-premium", "powerapps-premium"}


@pytest.mark.parametrize(
    ("text", "title"),
    [
        ("ik heb een licentie voor Power BI nodig om rapporten te delen", "Power BI Pro aanvragen"),
        ("licentie power bi premium", "Power BI Premium per gebruiker aanvragen"),
        ("Licentie aanvragen: Power Automate voor facturen", "Power Automate Premium aanvragen"),
    ],
)
async def test_free_text_opens_the_form_with_the_item_chosen(
    world: World, text: str, title: str
) -> None:
    turn = await world.say(text)
    (card,) = turn.cards
    assert card["body"][0]["text"] == title
    assert find_action(card, Verb.LICENCE_SUBMIT)["data"]["item"]


async def test_the_sentence_becomes_the_draft_justification(world: World) -> None:
    turn = await world.say("ik heb een licentie voor Power BI nodig om rapporten te delen")
    draft = _inputs(turn.cards[0])["justification"]["value"]
    assert "om rapporten te delen" in draft
    turn = await world.say("licentie power bi")  # names the item and says nothing more
    assert _inputs(turn.cards[0])["justification"]["value"] == ""


async def test_a_sentence_that_names_only_the_product_opens_its_form(world: World) -> None:
    turn = await world.say("ik heb Power BI nodig om rapporten te delen")
    card = turn.cards[0]
    assert card["body"][0]["text"] == "Power BI Pro aanvragen"
    assert _inputs(card)["justification"]["value"] == "ik heb Power BI nodig om rapporten te delen"


async def test_a_name_only_the_catalogue_knows_asks_for_that_item(world: World) -> None:
    """ "pbi" and "premium per user" are no keyword or phrase of the code, only synonyms the
    admins keep in the catalogue: the sentence is still a licence request for that item."""
    turn = await world.say("mag ik pbi krijgen aub")
    assert turn.cards[0]["body"][0]["text"] == "Power BI Pro aanvragen"
    turn = await world.say("graag premium per user")
    assert turn.cards[0]["body"][0]["text"] == "Power BI Premium per gebruiker aanvragen"


async def test_english_clients_get_the_english_form(world: World) -> None:
    turn = await world.say("license power bi", locale="en")
    assert turn.cards[0]["body"][0]["text"] == "Request Power BI Pro"


async def test_picking_an_item_opens_its_form_and_the_way_back(world: World) -> None:
    form = _card(await world.click(Verb.LICENCE_PICK, {"item": "power-automate-premium"}))
    assert set(_inputs(form)) == {"justification", "end_date", "answer.processes"}
    picker = _card(await world.click(Verb.LICENCE_PICK, {}))
    assert "Wat wil je aanvragen?" in card_text(picker)
    # An item not offered to this person's entity is not opened: the picker instead.
    other = _card(await world.click(Verb.LICENCE_PICK, {"item": "ws-begroting"}))
    assert "Wat wil je aanvragen?" in card_text(other)


async def test_a_short_justification_comes_back_on_the_form_with_what_was_typed(
    world: World,
) -> None:
    result = await world.submit(
        "power-automate-premium", justification="Facturen", **{"answer.processes": ""}
    )
    card = _card(result)
    body = card["body"]
    ids = [element.get("id") for element in body]
    under = body[ids.index("justification") + 1]
    assert under["color"] == "Attention"
    assert under["text"] == "Schrijf minstens 20 tekens: waarvoor heb je het nodig?"
    assert body[ids.index("answer.processes") + 1]["text"] == "Vul dit in."
    assert _inputs(card)["justification"]["value"] == "Facturen"
    assert world.requests() == []


async def test_a_valid_request_is_answered_with_its_reference(world: World) -> None:
    card = _card(await world.submit("powerbi-pro"))
    assert "Ontvangen, referentie **LIC-2026-000001**." in card_text(card)
    assert "Nu is het aan je leidinggevende om te beslissen." in card_text(card)
    assert find_action(card, "Annuleren")["data"] == {"request": 1}
    (request,) = world.requests()
    assert (request.state, request.approvers, request.justification) == (
        RequestState.PENDING_APPROVAL,
        (JEF,),
        WHY,
    )
    (message,) = world.licences.requests.messages_to(JEF)
    assert "Goedkeuren" in card_text(adaptive_cards(message.activity["attachments"])[0])


async def test_answers_and_end_date_arrive_merged_into_the_data(world: World) -> None:
    extra: dict[str, Any] = {"answer.processes": "not a question here", "msteams": {"x": 1}}
    result = await world.submit("powerbi-ppu", end_date="2027-03-31", **extra)
    assert "LIC-2026-000001" in card_text(_card(result))
    (request,) = world.requests()
    assert request.end_date == date(2027, 3, 31)
    assert request.answers == {}  # only the item's own questions are answers


async def test_a_second_request_for_the_same_item_is_not_doubled(world: World) -> None:
    await world.submit("powerbi-pro")
    card = _card(await world.submit("powerbi-pro"))
    assert "Je hebt al een aanvraag voor Power BI Pro lopen: LIC-2026-000001." in card_text(card)
    assert len(world.requests()) == 1


async def test_someone_who_has_the_item_already_is_told_so(world: World) -> None:
    card = _card(await world.submit("powerbi-pro", user=NORA))
    assert "Volgens Microsoft 365 heb je Power BI Pro al." in card_text(card)
    assert world.requests() == []


# --- deciding -------------------------------------------------------------------------------------
async def _lotte_asks(world: World, item: str = "powerbi-pro", **inputs: Any) -> LicenceRequest:
    await world.submit(item, **inputs)
    return world.requests()[-1]


async def test_the_manager_approves_and_the_card_closes(world: World) -> None:
    request = await _lotte_asks(world)
    result = await world.click(
        Verb.LICENCE_APPROVE, {"request": request.id, "stage": 1, "comment": "Prima."}, user=JEF
    )
    assert result.message == "Je hebt LIC-2026-000001 goedgekeurd. De aanvrager krijgt bericht."
    card = _card(result)
    assert "Goedgekeurd door Jef Peeters op 28/11/2026 10:00" in card_text(card)
    assert not card_actions(card)
    assert world.request(request.id).state is RequestState.APPROVED
    kinds = [m.dedupe_key.split(":")[3] for m in world.licences.requests.messages_to(LOTTE)]
    assert NoticeKind.APPROVED.value in kinds


async def test_a_non_approver_is_refused_and_audited(world: World) -> None:
    request = await _lotte_asks(world)
    for who in (SOFIE, LOTTE):  # someone else, and the requester herself
        result = await world.click(
            Verb.LICENCE_APPROVE, {"request": request.id, "stage": 1}, user=who
        )
        assert result.card is None
        assert result.message == "Je beslist niet over deze aanvraag."
    assert [(d.action, d.actor_id, d.object_type, d.object_id) for d in world.denials()] == [
        ("licence.decide", SOFIE, "licence_request", str(request.id)),
        ("licence.decide", LOTTE, "licence_request", str(request.id)),
    ]
    assert world.denials()[0].correlation_id == "activity-1"
    assert world.request(request.id) == request  # nothing moved


async def test_the_second_approver_hears_who_decided_first(world: World) -> None:
    # ADV's ICT admins (Thomas and Tine) decide Power Automate for ADV; the first click wins.
    request = await _lotte_asks(world, "power-automate-premium", **{"answer.processes": "Facturen"})
    assert set(request.approvers) == {THOMAS, TINE}
    click = {"request": request.id, "stage": 1, "comment": ""}
    first = await world.click(Verb.LICENCE_APPROVE, click, user=THOMAS)
    assert first.message and first.message.startswith("Je hebt LIC-2026-000001 goedgekeurd")
    world.licences.clock.advance(minutes=5)
    second = await world.click(Verb.LICENCE_REJECT, {**click, "comment": "Nee"}, user=TINE)
    assert second.message == "Al beslist door Thomas Claes op 28/11/2026 10:00."
    card = _card(second)
    assert "Al beslist door Thomas Claes" in card_text(card) and not card_actions(card)
    assert world.request(request.id).state is RequestState.APPROVED
    # Tine's copy was also edited in place by the flow: a closing notice replaces her card.
    closing = [m for m in world.licences.requests.messages_to(TINE) if m.replaces]
    assert [m.replaces for m in closing] == [f"licence:{request.id}:approval:1:{TINE.casefold()}"]


async def test_a_stale_stage_one_card_after_stage_two_started(world: World) -> None:
    request = await _lotte_asks(world, "powerbi-ppu", end_date="2027-03-31")
    await world.click(Verb.LICENCE_APPROVE, {"request": request.id, "stage": 1}, user=JEF)
    assert world.request(request.id).stage == 2
    again = await world.click(Verb.LICENCE_APPROVE, {"request": request.id, "stage": 1}, user=JEF)
    assert again.message == "Al beslist door Jef Peeters op 28/11/2026 10:00."
    assert "nu bij stap 2 van 2" in card_text(_card(again))
    assert world.request(request.id).stage == 2


async def test_a_refusal_needs_a_reason(world: World) -> None:
    request = await _lotte_asks(world)
    result = await world.click(
        Verb.LICENCE_REJECT, {"request": request.id, "stage": 1, "comment": "  "}, user=JEF
    )
    assert result.message == "Geef een reden op als je weigert."
    card = _card(result)
    assert find_action(card, "Weigeren") and "Geef een reden op" in card_text(card)
    assert world.request(request.id).state is RequestState.PENDING_APPROVAL


async def test_a_lost_race_answers_with_the_fresh_card(world: World) -> None:
    request = await _lotte_asks(world)
    world.licences.requests.races.add(request.id)
    result = await world.click(Verb.LICENCE_APPROVE, {"request": request.id, "stage": 1}, user=JEF)
    assert result.message and result.message.startswith("De aanvraag is intussen gewijzigd.")
    assert find_action(_card(result), "Goedkeuren")  # still Jef's to decide


async def test_the_refresh_shows_buttons_only_while_the_viewer_may_decide(world: World) -> None:
    request = await _lotte_asks(world)
    live = _card(await world.click(Verb.LICENCE_VIEW, {"request": request.id}, user=JEF))
    assert find_action(live, "Goedkeuren") and live["refresh"]["userIds"] == [f"8:orgid:{JEF}"]
    await world.click(
        Verb.LICENCE_REJECT,
        {"request": request.id, "stage": 1, "comment": "Geen budget."},
        user=JEF,
    )
    closed = _card(await world.click(Verb.LICENCE_VIEW, {"request": request.id}, user=JEF))
    assert not card_actions(closed) and "Geweigerd door Jef Peeters" in card_text(closed)
    stranger = await world.click(Verb.LICENCE_VIEW, {"request": request.id}, user=SOFIE)
    assert stranger.card is None and stranger.message == "Je beslist niet over deze aanvraag."
    assert [(d.action, d.actor_id) for d in world.denials()] == [("licence.view", SOFIE)]


# --- the requester's buttons ----------------------------------------------------------------------
async def test_the_requester_cancels_and_the_approver_card_closes(world: World) -> None:
    request = await _lotte_asks(world)
    card = _card(await world.click(Verb.LICENCE_CANCEL, {"request": request.id}))
    assert "Aanvraag LIC-2026-000001 is geannuleerd." in card_text(card)
    assert "Geannuleerd" in card_text(card)
    assert world.request(request.id).state is RequestState.CANCELLED
    closing = [m for m in world.licences.requests.messages_to(JEF) if m.replaces]
    assert len(closing) == 1


async def test_cancelling_someone_elses_request_is_refused_and_audited(world: World) -> None:
    request = await _lotte_asks(world)
    result = await world.click(Verb.LICENCE_CANCEL, {"request": request.id}, user=NORA)
    assert (result.card, result.message) == (None, "Dat is niet jouw aanvraag.")
    (denial,) = world.denials()
    assert (denial.action, denial.actor_id, denial.object_id) == (
        "licence.cancel",
        NORA,
        str(request.id),
    )
    assert denial.detail == {"reason": "licence.error.not_yours"}
    assert world.request(request.id).state is RequestState.PENDING_APPROVAL


async def test_cancelling_too_late_says_so_in_words(world: World) -> None:
    request = await _lotte_asks(world)
    await world.click(Verb.LICENCE_APPROVE, {"request": request.id, "stage": 1}, user=JEF)
    result = await world.click(Verb.LICENCE_CANCEL, {"request": request.id})
    assert result.message == 'Dat kan niet meer: deze aanvraag staat nu op "Goedgekeurd".'


async def test_a_rejected_request_can_be_submitted_again_prefilled(world: World) -> None:
    request = await _lotte_asks(world)
    await world.click(
        Verb.LICENCE_REJECT, {"request": request.id, "stage": 1, "comment": "Te vaag."}, user=JEF
    )
    form = _card(await world.click(Verb.LICENCE_AGAIN, {"request": request.id}))
    assert form["body"][0]["text"] == "Power BI Pro opnieuw aanvragen"
    assert "Vervolg op aanvraag LIC-2026-000001." in card_text(form)
    assert _inputs(form)["justification"]["value"] == WHY
    data = find_action(form, Verb.LICENCE_SUBMIT)["data"]
    assert data == {"item": "powerbi-pro", "previous": "LIC-2026-000001", "extend": False}
    received = _card(await world.click(Verb.LICENCE_SUBMIT, {**data, "justification": WHY + "!"}))
    assert "LIC-2026-000002" in card_text(received)
    assert world.requests()[-1].previous_reference == "LIC-2026-000001"


async def test_a_failed_request_can_be_asked_again_and_is_approved_anew(world: World) -> None:
    request = await _lotte_asks(world)
    failed = replace(
        world.request(request.id),
        state=RequestState.FAILED,
        approvers=(),
        reason="licence.reason.gave_up",
        version=world.request(request.id).version + 1,
    )
    world.licences.requests.put(failed)
    mine = (await world.say("aanvragen")).cards[0]
    again = find_action(mine, "Opnieuw aanvragen")
    assert again["data"] == {"request": request.id}
    form = _card(await world.click(again["verb"], again["data"]))
    assert form["body"][0]["text"] == "Power BI Pro opnieuw aanvragen"
    assert _inputs(form)["justification"]["value"] == WHY
    data = find_action(form, Verb.LICENCE_SUBMIT)["data"]
    assert data == {"item": "powerbi-pro", "previous": "LIC-2026-000001", "extend": False}
    await world.click(Verb.LICENCE_SUBMIT, {**data, "justification": WHY})
    new = world.requests()[-1]
    assert (new.reference, new.previous_reference) == ("LIC-2026-000002", "LIC-2026-000001")
    assert (new.state, new.approvers) == (RequestState.PENDING_APPROVAL, (JEF,))


async def test_resubmitting_someone_elses_request_is_refused(world: World) -> None:
    request = await _lotte_asks(world)
    result = await world.click(Verb.LICENCE_AGAIN, {"request": request.id}, user=NORA)
    assert result.message == "Dat is niet jouw aanvraag."
    assert [(d.action, d.object_id) for d in world.denials()] == [("licence.draft", "1")]


async def test_granted_time_bound_access_is_extended_with_a_prefilled_form(world: World) -> None:
    request = await _lotte_asks(world, "powerbi-ppu", end_date="2027-03-31")
    fulfilled = replace(
        world.request(request.id),
        state=RequestState.FULFILLED,
        approvers=(),
        version=world.request(request.id).version + 1,
    )
    world.licences.requests.put(fulfilled)
    mine = (await world.say("aanvragen")).cards[0]
    extend = find_action(mine, "Verlengen")
    form = _card(await world.click(extend["verb"], extend["data"]))
    assert form["body"][0]["text"] == "Power BI Premium per gebruiker verlengen"
    end = _inputs(form)["end_date"]
    assert "value" not in end and end["isRequired"] and end["max"] == "2027-05-27"
    data = {**find_action(form, Verb.LICENCE_SUBMIT)["data"], "justification": WHY}
    late = _card(await world.click(Verb.LICENCE_SUBMIT, {**data, "end_date": "2027-12-31"}))
    assert late["body"][0]["text"] == "Power BI Premium per gebruiker verlengen"
    assert "kies ten laatste 27/05/2027" in card_text(late)
    received = _card(await world.click(Verb.LICENCE_SUBMIT, {**data, "end_date": "2027-05-01"}))
    assert "LIC-2026-000002" in card_text(received)


async def test_my_requests_lists_them_newest_first(world: World) -> None:
    await _lotte_asks(world)
    world.licences.clock.advance(hours=1)
    await _lotte_asks(world, "powerapps-premium")
    turn = await world.say("mijn aanvragen")
    text = card_text(turn.cards[0])
    assert text.index("Power Apps Premium") < text.index("Power BI Pro")
    assert text.count("Wacht op goedkeuring") == 2
    empty = await world.say("requests", user=NORA, locale="en")
    assert "You have no requests yet." in card_text(empty.cards[0])


# --- ICT admins -----------------------------------------------------------------------------------
async def test_an_entity_admin_retries_a_blocked_grant(world: World) -> None:
    request = await _lotte_asks(world)
    blocked = world.request(request.id)
    now = world.licences.clock.now()
    world.licences.requests.put(
        replace(
            blocked,
            state=RequestState.FULFILLING,
            approvers=(),
            reason="licence.reason.usage_location",
            next_attempt_at=now + timedelta(hours=1),
            version=blocked.version + 1,
        )
    )
    refused = await world.click(Verb.LICENCE_RETRY, {"request": request.id}, user=NORA)
    assert (
        refused.message == "Alleen de ICT-beheerders van de entiteit kunnen dit opnieuw proberen."
    )
    assert [(d.action, d.actor_id) for d in world.denials()] == [("licence.retry", NORA)]
    woken = len(world.licences.wakes)
    card = _card(await world.click(Verb.LICENCE_RETRY, {"request": request.id}, user=THOMAS))
    assert "Ik probeer het nu opnieuw." in card_text(card) and not card_actions(card)
    assert world.request(request.id).next_attempt_at == now
    assert len(world.licences.wakes) == woken + 1


async def test_an_admin_role_may_retry_for_any_entity(world: World) -> None:
    request = await _lotte_asks(world)
    result = await world.click(
        Verb.LICENCE_RETRY, {"request": request.id}, user=SOFIE, roles=frozenset({Role.ADMIN})
    )
    # Pending approval is nothing to retry: said in words, nothing changed.
    assert result.message == 'Dat kan niet meer: deze aanvraag staat nu op "Wacht op goedkeuring".'


# --- payloads are user input ----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("verb", "data"),
    [
        (Verb.LICENCE_CANCEL, {"request": -1}),
        (Verb.LICENCE_CANCEL, {"request": 0}),
        (Verb.LICENCE_CANCEL, {"request": "1"}),
        (Verb.LICENCE_CANCEL, {"request": True}),
        (Verb.LICENCE_CANCEL, {"request": 2**63}),
        (Verb.LICENCE_CANCEL, {}),
        (Verb.LICENCE_APPROVE, {"request": 1}),
        (Verb.LICENCE_APPROVE, {"request": 1, "stage": 0}),
        (Verb.LICENCE_APPROVE, {"request": 1, "stage": 1, "comment": "x" * 9000}),
        (Verb.LICENCE_PICK, {"item": "../../etc"}),
        (Verb.LICENCE_SUBMIT, {"item": "powerbi pro"}),
        (Verb.LICENCE_SUBMIT, {"item": "powerbi-pro", "previous": "LIC-1"}),
        (Verb.LICENCE_SUBMIT, {"item": "powerbi-pro", "end_date": "volgende week"}),
        (Verb.LICENCE_SUBMIT, {"item": "powerbi-pro", "answer.a b": "x"}),
        (Verb.LICENCE_SUBMIT, {"item": "powerbi-pro", "justification": "x" * 9000}),
        (Verb.LICENCE_SUBMIT, "not an object"),
    ],
)
async def test_a_payload_out_of_bounds_is_refused_before_any_work(
    world: World, verb: Verb, data: object
) -> None:
    await _lotte_asks(world)
    before = dict(world.licences.requests.rows)
    result = await world.click(verb, data)
    assert (result.card, result.message) == (None, BROKEN)
    assert world.licences.requests.rows == before


async def test_a_request_that_does_not_exist(world: World) -> None:
    result = await world.click(Verb.LICENCE_CANCEL, {"request": 99})
    assert result.message == "Die aanvraag vond ik niet terug."


async def test_a_cancel_that_lost_a_race_shows_where_the_request_stands(world: World) -> None:
    request = await _lotte_asks(world)
    world.licences.requests.races.add(request.id)
    result = await world.click(Verb.LICENCE_CANCEL, {"request": request.id})
    assert result.message and result.message.startswith("De aanvraag is intussen gewijzigd.")
    assert "Je aanvragen" in card_text(_card(result))
    assert world.request(request.id).state is RequestState.PENDING_APPROVAL
