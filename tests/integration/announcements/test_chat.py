"""Writing an announcement in chat on real parts: the real dispatcher and dialogs, every service
built by bot.composition, the real store (SQLite and PostgreSQL) and the Graph emulator's demo
tenant (chat_world.py says who is who).

A comms person gets a form that offers only their own entity, saves a draft (its reference and
its audience's size), previews the real card (its button records nothing); a tampered payload
is refused with every problem on the form and nothing stored; staff are refused the command;
an admin may reach everyone; the same in English."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.domain.announcements.announcements import AnnouncementState
from bot.domain.announcements.audiences import AudienceKind
from bot.domain.platform.audit import Outcome
from bot.store import Database
from cards.verbs import Verb
from devtools.graph_emulator import GraphEmulator
from tests.integration.announcements.chat_world import (
    AN,
    FORM,
    JEF,
    LOTTE,
    OUTCOME_FACTS,
    UNCONFIGURED_GROUP,
    World,
    button,
    choices,
    facts,
    input_of,
    saved_draft,
    submitted,
    texts,
    verbs,
    world,
)


@pytest.fixture
async def chat(database: Database, graph_emulator: GraphEmulator) -> AsyncIterator[World]:
    async with world(database, graph_emulator) as built:
        yield built


async def test_the_form_offers_a_comms_person_only_their_own_entity(chat: World) -> None:
    turn = await chat.say("aankondiging")

    [form] = turn.cards
    assert not turn.texts
    assert "Nieuwe aankondiging" in texts(form)
    assert choices(form, "audience_kind") == [("entities", "Entiteiten")]
    assert choices(form, "entities") == [("ADV", "Agentschap Digitaal Vlaanderen")]
    assert [value for value, _ in choices(form, "importance")] == ["normal", "urgent"]
    assert input_of(form, "title")["value"] == ""
    assert verbs(form) == {Verb.ANNOUNCEMENT_SAVE}
    assert button(form, Verb.ANNOUNCEMENT_SAVE) == {"announcement": None}


async def test_a_saved_draft_shows_its_reference_and_size_and_previews_the_real_card(
    chat: World,
) -> None:
    saved = await chat.click(Verb.ANNOUNCEMENT_SAVE, FORM)

    draft = saved.result.card
    assert draft is not None, saved.result.message
    [stored] = await chat.repository.of_author(LOTTE.user_id)
    assert stored.state is AnnouncementState.DRAFT and stored.reference == "ANN-2026-000001"
    assert stored.audience is not None and stored.audience.entities == ("ADV",)
    assert stored.author_entity == "ADV"
    shown = facts(draft)
    assert shown["Referentie"] == stored.reference
    assert shown["Belang"] == "Dringend"
    assert shown["Doelgroep"] == "Entiteiten: Agentschap Digitaal Vlaanderen"
    assert shown["Grootte"] == "ongeveer 7 personen"  # ADV's staff group in the emulator
    assert {Verb.ANNOUNCEMENT_PREVIEW, Verb.ANNOUNCEMENT_SUBMIT} <= verbs(draft)
    assert button(draft, Verb.ANNOUNCEMENT_SUBMIT) == {"announcement": stored.id, "version": 1}

    preview = await chat.click(Verb.ANNOUNCEMENT_PREVIEW, button(draft, Verb.ANNOUNCEMENT_PREVIEW))

    [card] = preview.turn.cards  # the real card, in the author's own chat
    assert preview.result.card is None and preview.result.message
    words = texts(card)
    assert "Voorbeeld" in words and "Vanaf maandag is MFA verplicht" in words
    assert "Registreer **vandaag** je tweede factor." in words
    acknowledge = button(card, Verb.ANNOUNCEMENT_ACKNOWLEDGE)
    assert acknowledge == {"announcement": stored.id, "preview": True}

    clicked = await chat.click(Verb.ANNOUNCEMENT_ACKNOWLEDGE, acknowledge)

    assert clicked.result.card is None
    assert clicked.result.message == "Dit is een voorbeeld. Je bevestiging telt hier niet mee."
    assert await chat.repository.recipient(stored.id, LOTTE.user_id) is None
    assert (await chat.repository.figures(stored.id)).acknowledged == 0
    assert (await chat.stored(stored.id)).version == 1  # a preview changes nothing


@pytest.mark.parametrize(
    ("tampered", "problem"),
    [
        ({"audience_kind": "everyone"}, "naar iedereen sturen"),
        ({"entities": "DOMG"}, "DOMG"),
        ({"entities": "ADV,DFB"}, "DFB"),
        ({"audience_kind": "groups", "groups": UNCONFIGURED_GROUP}, UNCONFIGURED_GROUP),
    ],
    ids=["everyone", "another-entity", "own-and-another", "a-group"],
)
async def test_a_tampered_payload_is_refused_on_the_form_and_nothing_is_stored(
    chat: World, tampered: dict[str, str], problem: str
) -> None:
    refused = await chat.click(Verb.ANNOUNCEMENT_SAVE, {**FORM, **tampered})

    form = refused.result.card
    assert form is not None, refused.result.message
    assert "Nog niet in orde" in texts(form)
    assert problem in texts(form)
    # What was typed is kept (a refused target is not shown as picked), and the choices are
    # still only her own entity.
    assert input_of(form, "title")["value"] == FORM["title"]
    assert input_of(form, "summary")["value"] == FORM["summary"]
    assert input_of(form, "importance")["value"] == "urgent"
    assert input_of(form, "entities").get("value", "ADV") == "ADV"
    assert choices(form, "entities") == [("ADV", "Agentschap Digitaal Vlaanderen")]
    assert await chat.repository.of_author(LOTTE.user_id) == []


async def test_a_tampered_edit_of_a_draft_keeps_the_draft_as_it_was(chat: World) -> None:
    draft, _ = await saved_draft(chat)

    refused = await chat.click(
        Verb.ANNOUNCEMENT_SAVE,
        {**FORM, "announcement": draft.id, "version": draft.version, "entities": "DOMG"},
    )

    assert refused.result.card is not None and "DOMG" in texts(refused.result.card)
    stored = await chat.stored(draft.id)
    assert stored.version == draft.version and stored.audience == draft.audience


async def test_staff_are_refused_the_command_and_it_is_audited(chat: World) -> None:
    turn = await chat.say("aankondiging", JEF)

    [refusal] = turn.cards
    assert "Daarvoor heb je geen rechten" in texts(refusal)
    assert "communicatiebeheerder" in texts(refusal)
    assert "begreep ik niet" not in texts(refusal)
    lines = await chat.capabilities.platform.audit_log.recent(action="command.announce")
    assert [(line.actor_id, line.outcome) for line in lines] == [(JEF.user_id, Outcome.DENIED)]

    clicked = await chat.click(Verb.ANNOUNCEMENT_SAVE, FORM, JEF)
    assert clicked.result.card is None and "communicatiebeheerder" in str(clicked.result.message)
    assert await chat.repository.of_author(JEF.user_id) == []


async def test_an_admin_may_send_to_everyone(chat: World) -> None:
    turn = await chat.say("aankondiging", AN)
    kinds = [value for value, _ in choices(turn.cards[0], "audience_kind")]
    assert kinds[0] == "everyone" and "entities" in kinds
    assert {code for code, _ in choices(turn.cards[0], "entities")} == {"ADV", "DOMG", "DFB"}

    draft, card = await saved_draft(chat, AN, audience_kind="everyone")

    assert draft.audience is not None and draft.audience.kind is AudienceKind.EVERYONE
    assert facts(card)["Doelgroep"] == "Iedereen"


async def test_the_form_and_the_status_card_in_english(chat: World) -> None:
    turn = await chat.say("announce", locale="en")

    [form] = turn.cards
    assert "New announcement" in texts(form)
    assert choices(form, "audience_kind") == [("entities", "Entities")]
    assert choices(form, "entities") == [("ADV", "Digital Flanders Agency")]
    assert {title for _, title in choices(form, "importance")} == {"Normal", "Urgent"}

    saved = await chat.click(Verb.ANNOUNCEMENT_SAVE, FORM, locale="en")
    draft = saved.result.card
    assert draft is not None and facts(draft)["Audience"] == "Entities: Digital Flanders Agency"
    sent = await chat.click(
        Verb.ANNOUNCEMENT_SUBMIT, button(draft, Verb.ANNOUNCEMENT_SUBMIT), locale="en"
    )
    assert sent.result.card is not None
    announcement_id = button(draft, Verb.ANNOUNCEMENT_SUBMIT)["announcement"]
    await chat.send_all(announcement_id)

    status = await chat.click(
        Verb.ANNOUNCEMENT_STATUS, {"announcement": announcement_id}, locale="en"
    )

    card = status.result.card
    assert card is not None
    shown = facts(card)
    assert "Sent" in texts(card) and "Verstuurd" not in texts(card)
    assert shown["Recipients"] == "7"
    assert not set(OUTCOME_FACTS) & set(shown)


async def test_submitting_an_english_version_is_kept(chat: World) -> None:
    draft, _ = await submitted(
        chat, en_title="MFA is mandatory from Monday", en_summary="Register **today**."
    )

    assert draft.english is not None and draft.english.title == "MFA is mandatory from Monday"
    assert draft.state is AnnouncementState.SENDING
