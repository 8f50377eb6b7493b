"""An announcement on its way, in chat on real parts (chat_world.py): sent without approval
through the sender's rounds and the real outbox, followed on the status card, acknowledged and
read by its recipients, cancelled, recalled and reported on. SQLite and PostgreSQL.

The outbox's verdicts are given by the test (World.settle): every message claimed and sent,
each with a Teams message id, as the outbox sender would record them."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from io import BytesIO
from urllib.parse import parse_qs, urlparse

import pytest
from openpyxl import load_workbook

from bot.domain.announcements.announcements import Announcement, AnnouncementState
from bot.domain.platform.audit import Outcome
from bot.domain.platform.outbox import DELETE_ACTIVITY
from bot.store import Database
from cards.verbs import Verb
from devtools.graph_emulator import GraphEmulator
from tests.integration.announcements.chat_world import (
    ADV_PEOPLE,
    AN,
    JEF,
    KOEN,
    LOTTE,
    NORA,
    OUTCOME_FACTS,
    PIETER_JAN,
    World,
    actions,
    activity_card,
    button,
    delivered,
    facts,
    submitted,
    texts,
    verbs,
    world,
)


@pytest.fixture
async def chat(database: Database, graph_emulator: GraphEmulator) -> AsyncIterator[World]:
    async with world(database, graph_emulator) as built:
        yield built


async def sent(chat: World) -> Announcement:
    """Lotte's urgent announcement to ADV, sent to all seven of its people."""
    announcement, _ = await submitted(chat)
    return await chat.send_all(announcement.id)


async def status_card(chat: World, announcement: Announcement) -> dict[str, object]:
    shown = await chat.click(Verb.ANNOUNCEMENT_STATUS, {"announcement": announcement.id})
    assert shown.result.card is not None, shown.result.message
    return shown.result.card


async def test_without_approval_it_is_sent_to_everyone_once_and_the_figures_add_up(
    chat: World,
) -> None:
    announcement, card = await submitted(chat)
    assert announcement.state is AnnouncementState.SENDING
    assert "Wordt verstuurd" in texts(card)

    await chat.capabilities.announcements.sender.round()  # the audience resolved

    figures = await chat.repository.figures(announcement.id)
    assert (figures.audience, figures.not_reached) == (7, 7)
    assert await chat.outbox.by_dedupe_key(f"ann:{announcement.id}:status:0") is not None

    await chat.capabilities.announcements.sender.round()  # everyone queued, once

    for user_id in ADV_PEOPLE:
        message = await chat.outbox.by_dedupe_key(f"ann:{announcement.id}:{user_id}")
        assert message is not None and message.recipient_id == user_id
        assert button(activity_card(message), Verb.ANNOUNCEMENT_ACKNOWLEDGE) == {
            "announcement": announcement.id
        }

    finished = await chat.send_all(announcement.id)

    assert finished.state is AnnouncementState.SENT and finished.finished_at is not None
    shown = facts(await status_card(chat, finished))
    assert shown["Ontvangers"] == "7" and shown["Verstuurd"] == "7"
    assert sum(int(shown[outcome]) for outcome in OUTCOME_FACTS) == 7
    assert shown["Nog niet bereikt"] == "0"
    last = await chat.outbox.by_dedupe_key(f"ann:{announcement.id}:status:end")
    assert last is not None and last.recipient_id == LOTTE.user_id
    assert "Verstuurd" in texts(activity_card(last))
    audit = chat.capabilities.platform.audit_log
    for action in ("announcements.create", "announcements.submit", "announcements.finish"):
        assert [line.object_id for line in await audit.recent(action=action)] == [
            announcement.reference
        ]


async def test_a_recipient_acknowledges_once_and_only_recipients_may(chat: World) -> None:
    announcement = await sent(chat)
    message = activity_card(await delivered(chat, announcement.id, JEF))
    acknowledge = button(message, Verb.ANNOUNCEMENT_ACKNOWLEDGE)

    first = await chat.click(Verb.ANNOUNCEMENT_ACKNOWLEDGE, acknowledge, JEF)

    card = first.result.card
    assert card is not None, first.result.message
    assert "Je bevestigde dit op 28/11/2026 10:00" in texts(card)
    assert Verb.ANNOUNCEMENT_ACKNOWLEDGE not in verbs(card)
    assert "Vanaf maandag is MFA verplicht" in texts(card)

    chat.clock.advance(hours=2)
    again = await chat.click(Verb.ANNOUNCEMENT_ACKNOWLEDGE, acknowledge, JEF)

    assert again.result.card is not None
    assert "28/11/2026 10:00" in texts(again.result.card)  # the first time, not now
    recipient = await chat.repository.recipient(announcement.id, JEF.user_id)
    assert recipient is not None and recipient.acknowledged_at == chat.clock.now() - timedelta(
        hours=2
    )

    stranger = await chat.click(Verb.ANNOUNCEMENT_ACKNOWLEDGE, acknowledge, KOEN)

    assert stranger.result.card is None and stranger.result.message
    refused = await chat.capabilities.platform.audit_log.recent(action="announcements.acknowledge")
    assert {(line.actor_id, line.outcome) for line in refused} == {
        (JEF.user_id, Outcome.OK),
        (KOEN.user_id, Outcome.DENIED),
    }
    figures = await chat.repository.figures(announcement.id)
    assert (figures.acknowledged, figures.audience) == (1, 7)
    assert facts(await status_card(chat, announcement))["Bevestigd"] == "1"


async def test_a_read_receipt_marks_the_message_read(chat: World) -> None:
    announcement = await sent(chat)
    message = await delivered(chat, announcement.id, NORA)
    teams_id = chat.activity_ids[message.dedupe_key]
    receipts = chat.capabilities.announcements.receipts

    await receipts.read(chat.tenant, NORA.user_id, str(int(teams_id) - 1_000))  # an older one
    assert (await chat.repository.figures(announcement.id)).read == 0

    await receipts.read(chat.tenant, NORA.user_id, teams_id)
    await receipts.read(chat.tenant, NORA.user_id, teams_id)  # Teams says it again

    figures = await chat.repository.figures(announcement.id)
    assert (figures.read, figures.audience) == (1, 7)
    recipient = await chat.repository.recipient(announcement.id, NORA.user_id)
    assert recipient is not None and recipient.read_at == chat.clock.now()
    assert facts(await status_card(chat, announcement))["Gelezen"] == "1"


async def test_cancel_while_sending_withdraws_the_waiting_messages(chat: World) -> None:
    announcement, _ = await submitted(chat)
    sender = chat.capabilities.announcements.sender
    await sender.round()  # resolved
    await sender.round()  # all seven queued, none sent yet
    card = await status_card(chat, announcement)

    cancelled = await chat.click(Verb.ANNOUNCEMENT_CANCEL, button(card, Verb.ANNOUNCEMENT_CANCEL))

    assert cancelled.result.card is not None, cancelled.result.message
    assert "Geannuleerd" in texts(cancelled.result.card)
    assert (await chat.stored(announcement.id)).state is AnnouncementState.CANCELLED
    for user_id in ADV_PEOPLE:
        assert await chat.outbox.by_dedupe_key(f"ann:{announcement.id}:{user_id}") is None
    figures = await chat.repository.figures(announcement.id)
    assert (figures.audience, figures.not_reached, figures.reached) == (7, 7, 0)
    assert figures.adds_up
    assert await sender.round() == 0  # nothing more goes out
    settled = await chat.settle()
    assert not [m for m in settled if m.recipient_id != LOTTE.user_id]  # her status card only


async def test_recall_deletes_every_message_sent_and_only_its_author_may(chat: World) -> None:
    announcement = await sent(chat)
    recall = button(await status_card(chat, announcement), Verb.ANNOUNCEMENT_RECALL)

    someone_else = await chat.click(Verb.ANNOUNCEMENT_RECALL, recall, PIETER_JAN)

    assert someone_else.result.card is None and someone_else.result.message
    assert (await chat.stored(announcement.id)).state is AnnouncementState.SENT
    denied = await chat.capabilities.platform.audit_log.recent(action="announcements.recall")
    assert [(line.actor_id, line.outcome) for line in denied] == [
        (PIETER_JAN.user_id, Outcome.DENIED)
    ]

    recalled = await chat.click(Verb.ANNOUNCEMENT_RECALL, recall)

    assert recalled.result.card is not None, recalled.result.message
    assert "Ingetrokken" in texts(recalled.result.card)
    assert (await chat.stored(announcement.id)).state is AnnouncementState.RECALLED
    for user_id in ADV_PEOPLE:
        original = f"ann:{announcement.id}:{user_id}"
        deletion = await chat.outbox.by_dedupe_key(f"{original}:recall")
        assert deletion is not None, user_id
        assert deletion.replaces == original and deletion.recipient_id == user_id
        assert deletion.activity == dict(DELETE_ACTIVITY)
    deletions = [m for m in await chat.settle() if m.activity == dict(DELETE_ACTIVITY)]
    assert len(deletions) == len(ADV_PEOPLE)  # one per person reached, no more


async def test_the_report_link_comes_in_the_personal_chat_and_the_workbook_adds_up(
    chat: World,
) -> None:
    announcement = await sent(chat)
    await chat.click(Verb.ANNOUNCEMENT_ACKNOWLEDGE, {"announcement": announcement.id}, JEF)
    report = button(await status_card(chat, announcement), Verb.ANNOUNCEMENT_REPORT)

    asked = await chat.click(Verb.ANNOUNCEMENT_REPORT, report)

    [link_card] = asked.turn.cards
    assert asked.result.message
    assert announcement.reference in texts(link_card)
    [download] = [a for a in actions(link_card) if a["type"] == "Action.OpenUrl"]
    link = urlparse(download["url"])
    signed = parse_qs(link.query)
    assert link.path == "/api/exports/announcement-report"
    assert signed["announcement"] == [str(announcement.id)] and signed["by"] == [LOTTE.user_id]
    assert signed["sig"] and signed["exp"]

    await chat.settle()  # what was waiting (the last status card) is out of the way
    in_a_channel = await chat.click(
        Verb.ANNOUNCEMENT_REPORT,
        report,
        conversation_type="channel",
        conversation_id="19:general@thread.tacv2",
    )

    assert not in_a_channel.turn.cards  # nothing in the channel but "sent to your chat"
    assert in_a_channel.result.card is None and in_a_channel.result.message
    # The link card, and the line that says where it is, both in her 1:1 chat.
    private = await chat.settle()
    assert [m.recipient_id for m in private] == [LOTTE.user_id] * 2
    assert "/api/exports/announcement-report" in str(private[0].activity)
    assert not any(m.conversation_id for m in private)

    workbook = load_workbook(
        BytesIO(await chat.capabilities.announcements.report_workbook(announcement.id, "nl"))
    )

    assert workbook.sheetnames == ["Samenvatting", "Per entiteit", "Ontvangers"]
    summary = {row[0]: row[1] for row in workbook["Samenvatting"].iter_rows(values_only=True)}
    assert summary["Ontvangers"] == summary["Verstuurd"] == 7
    assert summary["Samen (gelijk aan het aantal ontvangers)"] == 7
    assert summary["Bevestigd (aandeel van bereikt)"] == 1
    [adv] = list(workbook["Per entiteit"].iter_rows(values_only=True))[1:]
    assert adv[:3] == ("ADV", 7, 7) and adv[6] == 1  # audience, reached, acknowledged
    people = list(workbook["Ontvangers"].iter_rows(values_only=True))[1:]
    assert {row[0] for row in people} == ADV_PEOPLE
    assert {row[2] for row in people} == {"Verstuurd"}
    assert [row[0] for row in people if row[5] is not None] == [JEF.user_id]


async def test_the_rate_of_a_finished_announcement_stays_what_it_was(chat: World) -> None:
    announcement = await sent(chat)
    at_the_end = facts(await status_card(chat, announcement))["Snelheid"]

    chat.clock.advance(days=1)

    assert facts(await status_card(chat, announcement))["Snelheid"] == at_the_end


async def test_a_channel_post_offers_no_button_that_refuses_whoever_clicks_it(
    database: Database, graph_emulator: GraphEmulator
) -> None:
    channel = "19:algemeen@thread.tacv2"
    async with world(database, graph_emulator, announcement_channels={channel: "Algemeen"}) as chat:
        announcement, _ = await submitted(
            chat, AN, audience_kind="channels", channels=channel, entities=""
        )
        await chat.send_all(announcement.id)
        post = await chat.outbox.by_dedupe_key(f"ann:{announcement.id}:{channel}")
        assert post is not None and post.conversation_id == channel
        card = activity_card(post)
        assert Verb.ANNOUNCEMENT_ACKNOWLEDGE not in verbs(card)
