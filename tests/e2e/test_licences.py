"""Lotte asks for a licence in one sentence; her manager Jef approves it on the card the bot sent
into his own 1:1 chat; the worker grants it through the Graph emulator and Lotte hears so.

Everything runs as real processes: the bot, the Graph emulator and the Playground, with the demo
catalogue the stack imported through `werkplek catalog import`. Jef's chat is not Lotte's, so the
Playground does not stream it: the client follows it through the Playground's events recording
and clicks there as Jef. Expected wording comes from the Dutch catalog, not from guesses.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest

from bot.domain.licences.names import SKU_NAMES
from bot.i18n import Translator
from devtools.playground import (
    BotMessage,
    PlaygroundClient,
    card_actions,
    card_text,
    input_values,
)

pytestmark = [pytest.mark.e2e, pytest.mark.asyncio(loop_scope="session")]

CARD_TYPE = "application/vnd.microsoft.card.adaptive"
REFERENCE = re.compile(r"LIC-\d{4}-\d{6,9}")
LOTTE = "Lotte Janssens"
JEF = "Jef Peeters"
THOMAS = "Thomas Claes"  # ICT admin of ADV, Lotte's entity
# Proactive notices go through the outbox, grants through the worker: allow them some time.
NOTICE_TIMEOUT = 30.0

t = Translator("nl")


def has_card(message: BotMessage) -> bool:
    return message.card is not None


def opening(key: str, **params: object) -> str:
    """The catalog text of `key` up to its first placeholder not given (a time, say)."""
    mark = "\x00"
    names = re.findall(r"{(\w+)}", t(key))
    filled = {name: params.get(name, mark) for name in names}
    return t(key, **filled).split(mark)[0]


def about(reference: str, text: str = "") -> Callable[[BotMessage], bool]:
    """A card message about this request (and saying `text`, when given)."""
    return lambda message: reference in message.all_text and text in message.all_text


def buttons(card: dict[str, object] | None) -> list[str]:
    assert card is not None
    return [str(action.get("verb")) for action in card_actions(card)]


async def submit_request(playground: PlaygroundClient, sentence: str, item: str) -> tuple[str, str]:
    """Lotte types her sentence, gets the form for `item` and sends it as drafted: returns the
    reference and the text of the receipt that replaced the form."""
    await playground.send_text(sentence)
    form = await playground.next_message(predicate=has_card)
    assert form.card is not None
    assert t("licence.form.title", item=item) in form.all_text
    # Her sentence says why: it is the first draft of the justification.
    assert input_values(form.card)["justification"] == sentence

    answer = await playground.click(form, "licence.submit")

    assert answer.get("type") == CARD_TYPE, answer
    receipt = card_text(answer["value"])
    assert t("licence.received.title") in receipt
    found = REFERENCE.search(receipt)
    assert found is not None, receipt
    assert t("licence.received.body", reference=found.group()) in receipt
    return found.group(), receipt


async def test_the_manager_approves_and_the_requester_gets_the_licence(
    playground: PlaygroundClient,
) -> None:
    # Digitaal Vlaanderen (ADV) staff get Power Apps with one approval: their manager's.
    item = "Power Apps per gebruiker"
    jef = playground.user_id_of(JEF)
    sentence = "ik wil Power Apps gebruiken om een app voor onze verlofaanvragen te bouwen"

    reference, receipt = await submit_request(playground, sentence, item)

    assert t("licence.next.decides", who=t("licence.who.manager")) in receipt

    # Jef never talked to the bot: it opens a 1:1 chat with him for the card.
    approval = await playground.next_message(NOTICE_TIMEOUT, about(reference), to=jef)
    assert approval.action == "createMessage"
    assert t("licence.approval.title") in approval.all_text
    assert t("licence.approval.body", name=LOTTE, item=item) in approval.all_text
    assert sentence in approval.all_text  # the justification, for him to judge
    assert {"licence.approve", "licence.reject"} <= set(buttons(approval.card))

    answer = await playground.click(approval, "licence.approve", as_user=jef)

    assert answer.get("type") == CARD_TYPE, answer
    decided = card_text(answer["value"])
    assert opening("licence.closed.approved", name=JEF) in decided
    assert t("licence.closed.state", state=t("licence.state.approved")) in decided

    # His copy in his chat is edited in place (the outbox PUTs the closed card over it).
    edited = await playground.next_message(
        NOTICE_TIMEOUT,
        lambda m: m.action == "updateMessage" and m.id == approval.id,
        to=jef,
    )
    assert opening("licence.closed.approved", name=JEF) in edited.all_text
    assert "licence.approve" not in buttons(edited.card)

    approved = await playground.next_message(
        NOTICE_TIMEOUT, about(reference, t("licence.notice.approved", item=item))
    )
    assert opening("licence.body.approved_by", name=JEF) in approved.all_text
    assert t("licence.next.granting") in approved.all_text

    # The worker assigns the licence through Graph, then tells her.
    fulfilled = await playground.next_message(
        NOTICE_TIMEOUT, about(reference, t("licence.notice.fulfilled", item=item))
    )
    assert t("licence.body.fulfilled") in fulfilled.all_text
    order = [m.id for m in playground.received if m.to == ""]
    assert order.index(approved.id) < order.index(fulfilled.id)

    # A second click on his (stale) card changes nothing: it was decided already.
    again = await playground.click(approval, "licence.approve", as_user=jef)

    assert opening("licence.error.already_decided", name=JEF) in card_text(again["value"])

    # Graph has it now: her access card lists the licence.
    await playground.send_text("is mijn toegang in orde?")
    status = await playground.next_message(predicate=has_card)
    assert SKU_NAMES["POWERAPPS_PER_USER"] in status.all_text


async def test_two_stages_manager_then_the_entitys_ict_admin(
    playground: PlaygroundClient,
) -> None:
    # Power Automate premium needs the manager, then an ICT admin of the requester's entity.
    item = "Power Automate premium"
    jef, thomas = playground.user_id_of(JEF), playground.user_id_of(THOMAS)
    sentence = "ik wil Power Automate gebruiken om mijn goedkeuringen te automatiseren"

    reference, receipt = await submit_request(playground, sentence, item)

    manager = t("licence.who.manager")
    assert t("licence.next.stage", who=manager, stage=1, total=2) in receipt

    first = await playground.next_message(NOTICE_TIMEOUT, about(reference), to=jef)
    answer = await playground.click(first, "licence.approve", as_user=jef)

    decided = card_text(answer["value"])
    assert opening("licence.closed.approved", name=JEF) in decided
    assert t("licence.closed.next_stage", stage=2, total=2) in decided

    stage_done = await playground.next_message(
        NOTICE_TIMEOUT, about(reference, t("licence.notice.stage_approved", stage=1, item=item))
    )
    admins = t("licence.who.entity_admin", entity="ADV")
    assert t("licence.next.stage", who=admins, stage=2, total=2) in stage_done.all_text

    second = await playground.next_message(NOTICE_TIMEOUT, about(reference), to=thomas)
    assert t("licence.approval.body", name=LOTTE, item=item) in second.all_text
    assert opening("licence.approval.earlier", stage=1, name=JEF) in second.all_text

    answer = await playground.click(second, "licence.approve", as_user=thomas)

    assert opening("licence.closed.approved", name=THOMAS) in card_text(answer["value"])
    approved = await playground.next_message(
        NOTICE_TIMEOUT, about(reference, t("licence.notice.approved", item=item))
    )
    assert opening("licence.body.approved_by", name=THOMAS) in approved.all_text
    await playground.next_message(
        NOTICE_TIMEOUT, about(reference, t("licence.notice.fulfilled", item=item))
    )
