"""`status` with the open-work line, through the real dispatcher: the licence and post
capabilities' own sources (bot.services.licences.open_requests, bot.services.post.open_items) on
their in-memory stores, the access service reading them beside Graph, and the buttons running
the licence and post commands."""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Unpack

import pytest

from bot.composition.chat import build_dialogs
from bot.domain.access.facts import AuthMethod, Device, Licence
from bot.domain.access.open_work import OpenPost, OpenRequest
from bot.domain.access.rules import AccessPolicy
from bot.domain.licences.grants import UsageLocationMissing
from bot.domain.licences.requests import LicenceRequest, RequestState
from bot.domain.platform.errors import StoreUnavailable
from bot.domain.platform.roles import Role
from bot.domain.post.items import Destination, DestinationKind, PostState
from bot.ports.access import OpenPostItems, OpenRequests
from bot.services.access.status import AccessStatus
from bot.services.licences.open_requests import OpenLicenceRequests
from bot.services.platform.audit import Auditor
from bot.services.post.open_items import OpenPostCount
from cards.base import Card
from cards.verbs import Verb
from tests.support.chat import Clicked, FakeTurn, TurnOptions, click, say
from tests.unit.access.fakes import MemoryAccessDirectory
from tests.unit.fakes import MemoryAuditLog
from tests.unit.licences.fakes import JEF, LOTTE, SOFIE, TENANT, LicenceWorld, make_flow
from tests.unit.licences.samples import stored
from tests.unit.post.fakes import FINANCE_TARGET, PostWorld, make_world, person
from tests.unit.test_dispatcher import card_text

AGENT = frozenset({Role.STAFF, Role.AGENT})
SOFIE_NAME = "Sofie Van den Broeck"  # the agent (the harness's default name is Lotte's)


class World:
    """Lotte's licence requests and post in the capabilities' memory stores, and chat on top."""

    def __init__(
        self,
        *,
        open_requests: OpenRequests | None = None,
        open_post: OpenPostItems | None = None,
        access: MemoryAccessDirectory | None = None,
    ) -> None:
        self.licences: LicenceWorld = make_flow()
        self.post: PostWorld = make_world()
        self.audit = MemoryAuditLog()
        self.access = access or MemoryAccessDirectory(
            methods={LOTTE: [AuthMethod("fido2")]},
            licences_by_user={LOTTE: [Licence("sku", "POWER_BI_PRO")]},
            devices_by_user={LOTTE: [Device("PC", "Windows", True, "compliant")]},
        )
        clock = self.licences.clock
        self.status = AccessStatus(
            self.licences.directory,
            self.access,
            clock,
            AccessPolicy(),
            open_requests=open_requests
            or OpenLicenceRequests(self.licences.requests, self.licences.catalogue),
            open_post=open_post or OpenPostCount(self.post.items),
        )
        built = build_dialogs(
            directory=self.licences.directory,
            auditor=Auditor(self.audit, clock),
            servicedesk_url="https://desk.example",
            zone=self.licences.timezone,
            access=self.status,
            licences=self.licences.desk,
            post=self.post.desk,
        )
        self.dispatcher = built.dispatcher

    def request(self, item_key: str, state: RequestState, **options: Any) -> LicenceRequest:
        return stored(self.licences.requests, item_key, state, **options)

    async def say(self, text: str, **options: Unpack[TurnOptions]) -> FakeTurn:
        options.setdefault("user_id", LOTTE)
        options.setdefault("tenant_id", TENANT)
        return await say(self.dispatcher, text, **options)

    async def click(self, verb: str, data: object, **options: Unpack[TurnOptions]) -> Clicked:
        options.setdefault("user_id", LOTTE)
        options.setdefault("tenant_id", TENANT)
        return await click(self.dispatcher, verb, data, **options)


def _lotte_has_work(world: World) -> None:
    world.request("powerbi-pro", RequestState.PENDING_APPROVAL, days_ago=3)
    world.request(
        "power-automate-premium",
        RequestState.FULFILLING,
        reason=UsageLocationMissing.message_key,
        days_ago=2,
    )
    world.request("powerbi-ppu", RequestState.FULFILLED, days_ago=20)  # granted: not open
    world.request("powerapps-premium", RequestState.REJECTED, days_ago=9)  # decided: not open
    world.request("powerbi-ppu", RequestState.PENDING_APPROVAL, requester=JEF)  # Jef's
    world.request("powerbi-ppu", RequestState.SUBMITTED, tenant="another-tenant")
    world.post.add(person(LOTTE))
    world.post.add(person(LOTTE))
    world.post.add(person(LOTTE), PostState.HANDLED)  # done
    world.post.add(person(JEF))  # Jef's
    world.post.add(Destination(DestinationKind.TEAM, FINANCE_TARGET))  # a team's queue


def _commands(card: Card) -> list[str]:
    found: list[str] = []

    def walk(node: object) -> None:
        if isinstance(node, dict):
            if node.get("verb") == Verb.RUN_COMMAND:
                found.append(node["data"]["command"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(card)
    return found


async def test_own_card_shows_open_requests_with_their_stage_and_open_post() -> None:
    world = World()
    _lotte_has_work(world)

    turn = await world.say("status")

    text = card_text(turn.cards[0])
    assert "Jouw toegang" in text and "Aanvragen en post" in text
    assert "2 openstaande aanvragen:" in text
    assert "- **Power BI Pro** (LIC-2026-000001): wacht op goedkeuring" in text
    assert (
        "- **Power Automate Premium** (LIC-2026-000002): "
        "goedgekeurd, wacht tot het land in je account ingevuld is"
    ) in text
    for not_open in ("LIC-2026-000003", "LIC-2026-000004", "LIC-2026-000005", "LIC-2026-000006"):
        assert not_open not in text
    assert "2 poststukken wachten op afhandeling." in text
    assert _commands(turn.cards[0]) == ["requests", "post"]


async def test_nothing_open() -> None:
    world = World()
    text = card_text((await world.say("mijn toegang")).cards[0])
    assert "Geen openstaande aanvragen." in text
    assert "Er wacht geen post op afhandeling." in text


async def test_the_buttons_run_the_requests_and_the_post_commands() -> None:
    world = World()
    _lotte_has_work(world)

    turn, result = await world.click(Verb.RUN_COMMAND, {"command": "requests"})
    assert result.message == "Gedaan."
    requests = card_text(turn.cards[0])
    assert "Je aanvragen" in requests and "LIC-2026-000002" in requests

    turn, _ = await world.click(Verb.RUN_COMMAND, {"command": "post"})
    post = card_text(turn.cards[0])
    assert "Je post" in post and "Afrekening elektriciteit 2026" in post


async def test_refresh_reads_the_open_work_again() -> None:
    world = World()
    _lotte_has_work(world)
    first = await world.say("status")
    assert "2 poststukken" in card_text(first.cards[0])
    world.post.add(person(LOTTE))

    _, result = await world.click(Verb.ACCESS_REFRESH, {"user": LOTTE})

    assert result.card is not None
    assert "3 poststukken wachten op afhandeling." in card_text(result.card)


async def test_an_agent_sees_the_colleagues_open_work_without_their_own_buttons() -> None:
    world = World()
    _lotte_has_work(world)

    turn = await world.say("status Lotte Janssens", user_id=SOFIE, name=SOFIE_NAME, roles=AGENT)

    card = turn.cards[0]
    text = card_text(card)
    assert "Toegang van Lotte Janssens" in text
    assert "2 openstaande aanvragen:" in text and "2 poststukken" in text
    assert _commands(card) == []  # "Toon mijn post" would show Sofie's post


class Failing:
    """A source that fails as the store or a bug would."""

    def __init__(self, error: BaseException) -> None:
        self.error = error

    async def open_requests(self, tenant_id: str, user_id: str) -> list[OpenRequest]:
        raise self.error

    async def open_post(self, user_id: str) -> OpenPost:
        raise self.error


async def test_a_store_that_is_down_costs_only_its_own_sentence() -> None:
    world = World(open_post=Failing(StoreUnavailable("database down")))
    _lotte_has_work(world)

    text = card_text((await world.say("status")).cards[0])

    assert "Jouw toegang" in text
    assert "De post kon nu niet nagekeken worden." in text
    assert "2 openstaande aanvragen:" in text


async def test_a_crashing_source_is_logged_and_the_card_still_comes(
    caplog: pytest.LogCaptureFixture,
) -> None:
    world = World(open_requests=Failing(RuntimeError("bug")))
    _lotte_has_work(world)

    with caplog.at_level(logging.ERROR):
        text = card_text((await world.say("status")).cards[0])

    assert "De aanvragen konden nu niet nagekeken worden." in text
    assert "2 poststukken wachten op afhandeling." in text
    assert any("open requests" in r.getMessage() for r in caplog.records)


class Gated:
    """Both sources wait at the barrier the Graph reads wait at: only concurrent reads pass."""

    def __init__(self, barrier: asyncio.Barrier) -> None:
        self.barrier = barrier
        self.asked: list[tuple[str, str]] = []

    async def open_requests(self, tenant_id: str, user_id: str) -> list[OpenRequest]:
        self.asked.append((tenant_id, user_id))
        await self.barrier.wait()
        return []

    async def open_post(self, user_id: str) -> OpenPost:
        self.asked.append(("", user_id))
        await self.barrier.wait()
        return OpenPost(0)


async def test_the_open_work_is_read_at_the_same_time_as_graph() -> None:
    barrier = asyncio.Barrier(6)  # four Graph reads of the access port, two sources
    gated = Gated(barrier)
    access = MemoryAccessDirectory(barrier=barrier)
    world = World(open_requests=gated, open_post=gated, access=access)

    async with asyncio.timeout(5):
        report = await world.status.report(LOTTE, tenant_id=TENANT)

    assert report.open_work is not None
    assert report.open_work.post.value == OpenPost(0)
    assert sorted(gated.asked) == sorted([(TENANT, LOTTE), ("", LOTTE)])


async def test_the_subjects_requests_are_looked_up_in_the_callers_tenant() -> None:
    gated = Gated(asyncio.Barrier(1))
    world = World(open_requests=gated, open_post=gated)

    await world.say(
        "status Lotte", user_id=SOFIE, name=SOFIE_NAME, roles=AGENT, tenant_id="tenant-x"
    )

    assert ("tenant-x", LOTTE) in gated.asked


async def test_a_service_without_sources_has_no_line() -> None:
    world = World()
    bare = AccessStatus(
        world.licences.directory, world.access, world.licences.clock, AccessPolicy()
    )
    report = await bare.report(LOTTE, tenant_id=TENANT)
    assert report.open_work is None
