"""POST /api/announcements and GET /api/announcements/{id} over real HTTP: what Power Automate
sees, and what is (and is not) stored behind it.

The real authoring and changes services on the real store (SQLite and PostgreSQL), with the
bot's middleware; only what faces Graph and Teams is a stand-in (the people, the audience
directory, the cards, image downloads: tests/unit/announcements/fakes.py) and the clock is
fixed. The keys, their scopes and authors come from Settings, as the composition reads them.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp
import pytest
import sqlalchemy as sa
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot.composition.announcements import app_tokens_of
from bot.domain.announcements.announcements import API_AUTHOR_PREFIX
from bot.domain.announcements.recipients import NewRecipient, recipient_dedupe_key
from bot.domain.licences.catalogue import Entity
from bot.domain.platform.outbox import OutboxStatus
from bot.http.announcement_routes import add_announcement_routes
from bot.http.announcements import (
    MAX_BODY_BYTES,
    AnnouncementsApi,
)
from bot.http.entra_tokens import EntraAppTokens
from bot.http.metrics import Metrics
from bot.http.middleware import observe
from bot.ports.platform import FinalVerdict
from bot.services.announcements.authoring import AnnouncementAuthoring
from bot.services.announcements.changes import AnnouncementChanges
from bot.services.announcements.images import ImageCheck
from bot.services.announcements.parts import AnnouncementRules
from bot.services.platform.batching import BatchedAuditLog
from bot.settings import Settings
from bot.store import Database, SqlAuditLog, SqlConversationRefRepository, SqlOutboxRepository
from bot.store.announcements.announcements import SqlAnnouncementRepository
from bot.store.announcements.tables import announcements
from bot.store.platform.tables import audit_log, outbox
from tests.integration.announcements.store_support import messages_for
from tests.support.clock import FakeClock
from tests.unit.announcements.fakes import (
    FakeAudienceDirectory,
    FakeCards,
    FakeFileDownloads,
    FakePeople,
)

TENANT = "8a0c3f5e-1b2d-4c6e-9f70-2a4b6c8d0e1f"
NOW = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
KEY = "flow-key-3c9e1a7b5d"  # the key Power Automate sends
OTHER_KEY = "intranet-key-8f2d4b6a"
NEWS_GROUP = "5b7c9d1e-2f3a-4b5c-8d9e-0a1b2c3d4e5f"
CHANNEL = "19:nieuws@thread.tacv2"
IMAGE = "https://intranet.example/banner.png"
PROBLEM = "application/problem+json"
ENTITIES = (
    Entity("AWV", "Agentschap Wegen en Verkeer", "Roads and Traffic Agency", "g-awv"),
    Entity("DOMG", "Departement Omgeving", "Department of Environment", "g-domg"),
)


def sha256(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def api_settings(*, approval: bool = False) -> Settings:
    keys = {
        "flow": {
            "hash": f"sha256:{sha256(KEY)}",
            "scope": {"own_entity": False, "entities": ["AWV"], "groups": [NEWS_GROUP]},
            "author": "Nieuwsflow",
        },
        # The prefix may be left out; no author: the key's name is shown.
        "intranet": {"hash": sha256(OTHER_KEY).upper(), "scope": {"entities": ["DOMG"]}},
    }
    return Settings(
        _env_file=None,
        azure_tenant_id=TENANT,
        announcement_api_keys=keys,
        announcement_groups={NEWS_GROUP: "Nieuwsbrief"},
        announcement_channels={CHANNEL: "Nieuws"},
        announcement_approval_required=approval,
    )


def body(client_key: str = "run-0001", **fields: Any) -> dict[str, Any]:
    document: dict[str, Any] = {
        "client_key": client_key,
        "title": "De Noorderlaan is dicht op 3 december",
        "summary": "Neem de **omleiding** via de Havenlaan.",
        "link_title": "Meer uitleg",
        "link_url": "https://intranet.example/noorderlaan",
        "importance": "urgent",
        "english": {"title": "Noorderlaan closed on 3 December"},
        "audience": {"kind": "entities", "entities": ["AWV"]},
    }
    document.update(fields)
    return document


@dataclass
class ApiStack:
    client: TestClient[web.Request, web.Application]
    database: Database
    repository: SqlAnnouncementRepository
    outbox: SqlOutboxRepository
    clock: FakeClock

    async def post(
        self,
        document: dict[str, Any] | str | bytes,
        *,
        key: str | None = KEY,
        content_type: str = "application/json",
    ) -> aiohttp.ClientResponse:
        data = document if isinstance(document, str | bytes) else json.dumps(document)
        headers = {"Content-Type": content_type}
        if key is not None:
            headers["Authorization"] = f"Bearer {key}"
        return await self.client.post("/api/announcements", data=data, headers=headers)

    async def get(self, announcement_id: object, *, key: str | None = KEY) -> Any:
        headers = {"Authorization": f"Bearer {key}"} if key is not None else {}
        return await self.client.get(f"/api/announcements/{announcement_id}", headers=headers)

    async def rows(self, table: sa.Table) -> list[dict[str, Any]]:
        async with self.database.connect() as connection:
            result = await connection.execute(sa.select(table).order_by(table.c.id))
            return [dict(row) for row in result.mappings()]

    async def assert_nothing_stored(self) -> None:
        assert await self.rows(announcements) == []
        assert await self.rows(outbox) == []


def build_api(
    database: Database,
    settings: Settings,
    clock: FakeClock,
    audit: BatchedAuditLog,
    app_tokens: EntraAppTokens | None = None,
) -> tuple[AnnouncementsApi, SqlAnnouncementRepository]:
    repository = SqlAnnouncementRepository(database, clock=clock)
    # The composition's rules: the keys' and apps' scopes under the author ids they act as.
    rules = AnnouncementRules(
        scopes={
            **settings.announcement_key_scopes(API_AUTHOR_PREFIX),
            **settings.announcement_app_scopes(API_AUTHOR_PREFIX),
        },
        groups=dict(settings.announcement_groups),
        channels=dict(settings.announcement_channels),
        approval_required=settings.announcement_approval_required,
    )
    people = FakePeople(approver_ids=["comms-1"])
    cards = FakeCards()

    async def entities() -> Sequence[Entity]:
        return ENTITIES

    authoring = AnnouncementAuthoring(
        repository=repository,
        people=people,
        directory=FakeAudienceDirectory(),
        cards=cards,
        rules=rules,
        clock=clock,
        images=ImageCheck(FakeFileDownloads(), rules.image_max_bytes),  # no image is reachable
        entities=entities,
    )
    changes = AnnouncementChanges(
        repository=repository,
        outbox=SqlOutboxRepository(database),
        refs=SqlConversationRefRepository(database),
        cards=cards,
        people=people,
        clock=clock,
        audit=audit,
    )
    api = AnnouncementsApi(
        authoring,
        changes,
        repository,
        key_hashes=settings.announcement_key_hashes,
        key_authors=settings.announcement_key_authors,
        tenant_id=settings.azure_tenant_id,
        app_tokens=app_tokens,
        app_authors=settings.announcement_app_authors,
    )
    return api, repository


async def started(app: web.Application) -> TestClient[web.Request, web.Application]:
    client = TestClient(TestServer(app))
    await client.start_server()
    return client


def application() -> web.Application:
    return web.Application(middlewares=[observe(Metrics())])


@pytest.fixture
def approval() -> bool:
    return False


@asynccontextmanager
async def api_stack(database: Database, settings: Settings) -> AsyncIterator[ApiStack]:
    """The API as the app serves it, with the Entra app check the settings call for."""
    clock = FakeClock(NOW)
    audit = BatchedAuditLog(SqlAuditLog(database))  # as the composition's
    app_tokens = app_tokens_of(settings)
    api, repository = build_api(database, settings, clock, audit, app_tokens)
    app = application()
    add_announcement_routes(app, api)
    client = await started(app)
    try:
        yield ApiStack(client, database, repository, SqlOutboxRepository(database), clock)
    finally:
        await client.close()
        await audit.close()
        if app_tokens is not None:
            await app_tokens.close()


@pytest.fixture
async def stack(database: Database, approval: bool) -> AsyncIterator[ApiStack]:
    async with api_stack(database, api_settings(approval=approval)) as built:
        yield built


async def problem_of(response: aiohttp.ClientResponse) -> dict[str, Any]:
    assert response.content_type == PROBLEM
    document: dict[str, Any] = await response.json(content_type=None)
    return document


def reasons(document: dict[str, Any]) -> list[str]:
    return [entry["reason"] for entry in document["errors"]]


# --- who may call -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("authorization", "challenge"),
    [
        pytest.param(None, "Bearer", id="no-header"),
        pytest.param("Bearer not-a-key", 'Bearer error="invalid_token"', id="unknown-key"),
        pytest.param(f"Bearer {sha256(KEY)}", 'Bearer error="invalid_token"', id="the-hash"),
        pytest.param(f"Basic {KEY}", 'Bearer error="invalid_token"', id="other-scheme"),
        pytest.param("Bearer ", 'Bearer error="invalid_token"', id="empty-key"),
    ],
)
async def test_without_a_known_key_the_answer_is_401_and_nothing_is_stored(
    stack: ApiStack, authorization: str | None, challenge: str
) -> None:
    headers = {"Content-Type": "application/json"}
    if authorization is not None:
        headers["Authorization"] = authorization
    created = await stack.client.post(
        "/api/announcements", data=json.dumps(body()), headers=headers
    )
    read = await stack.client.get("/api/announcements/1", headers=headers)

    for response in (created, read):
        assert response.status == 401
        assert response.headers["WWW-Authenticate"] == challenge
        document = await problem_of(response)
        assert document["reason"] == "announcements.api.unauthorized"
        assert "Bearer" in document["detail"]
    await stack.assert_nothing_stored()
    assert await stack.rows(audit_log) == []


# --- creating ------------------------------------------------------------------------------------


async def test_a_new_announcement_is_a_draft_of_the_key_with_its_location(
    stack: ApiStack,
) -> None:
    response = await stack.post(body())

    assert response.status == 201
    answer = await response.json()
    assert response.headers["Location"] == f"/api/announcements/{answer['id']}"
    assert answer["reference"] == "ANN-2026-000001"
    assert answer["state"] == "draft"
    assert answer["client_key"] == "run-0001"
    assert answer["importance"] == "urgent"
    assert answer["created_at"] == NOW.isoformat()
    assert answer["send_at"] is None and answer["started_at"] is None
    assert answer["figures"]["audience"] == 0
    stored = await stack.repository.get(answer["id"])
    assert stored is not None
    assert stored.author_id == "api:flow" and stored.author_name == "Nieuwsflow"
    assert stored.source == "api:flow" and stored.client_key == "run-0001"
    assert stored.tenant_id == TENANT
    assert stored.dutch.title == "De Noorderlaan is dicht op 3 december"
    assert stored.dutch.link_url == "https://intranet.example/noorderlaan"
    assert stored.english is not None and stored.english.title.startswith("Noorderlaan")
    assert stored.audience is not None and stored.audience.entities == ("AWV",)
    [line] = await stack.rows(audit_log)
    assert (line["action"], line["actor_id"], line["object_id"]) == (
        "announcements.create",
        "api:flow",
        "ANN-2026-000001",
    )
    assert line["correlation_id"] == response.headers["X-Request-Id"]
    assert await stack.rows(outbox) == []  # a draft: nothing to anyone


async def test_the_same_client_key_again_answers_the_stored_one_and_makes_nothing(
    stack: ApiStack,
) -> None:
    first = await stack.post(body())
    # A retry after a lost answer, even one that now asks to send: nothing is made or sent.
    again = await stack.post(body(send=True, title="Een andere titel"))

    assert first.status == 201 and again.status == 200
    assert "Location" not in again.headers
    assert await again.json() == await first.json()
    assert len(await stack.rows(announcements)) == 1
    assert [a["action"] for a in await stack.rows(audit_log)] == ["announcements.create"]
    assert await stack.rows(outbox) == []


async def test_a_client_key_is_the_keys_own(stack: ApiStack) -> None:
    """Another key with the same client key makes its own announcement."""
    mine = await stack.post(body())
    theirs = await stack.post(
        body(audience={"kind": "entities", "entities": ["DOMG"]}), key=OTHER_KEY
    )

    assert mine.status == 201 and theirs.status == 201
    assert (await theirs.json())["id"] != (await mine.json())["id"]
    stored = await stack.repository.get((await theirs.json())["id"])
    assert stored is not None
    assert stored.author_id == "api:intranet" and stored.author_name == "intranet"


async def test_an_announcement_to_a_group_and_at_a_time_keeps_both(stack: ApiStack) -> None:
    send_at = "2026-12-03T07:30:00+01:00"
    response = await stack.post(
        body(audience={"kind": "groups", "groups": [NEWS_GROUP.upper()]}, send_at=send_at)
    )

    assert response.status == 201
    answer = await response.json()
    assert datetime.fromisoformat(answer["send_at"]) == datetime.fromisoformat(send_at)
    stored = await stack.repository.get(answer["id"])
    assert stored is not None and stored.audience is not None
    assert stored.audience.groups == (NEWS_GROUP,)  # as configured, not as sent


# --- sending -------------------------------------------------------------------------------------


async def test_send_true_submits_it_and_it_is_sending(stack: ApiStack) -> None:
    response = await stack.post(body(send=True))

    assert response.status == 201
    answer = await response.json()
    assert answer["state"] == "sending"
    assert answer["started_at"] == NOW.isoformat()
    stored = await stack.repository.get(answer["id"])
    assert stored is not None and stored.state.value == "sending"
    assert [a["action"] for a in await stack.rows(audit_log)] == [
        "announcements.create",
        "announcements.submit",
    ]


async def test_send_true_at_a_later_time_is_scheduled(stack: ApiStack) -> None:
    response = await stack.post(body(send=True, send_at="2026-12-02T09:00:00+01:00"))

    assert response.status == 201
    assert (await response.json())["state"] == "scheduled"


@pytest.mark.parametrize("approval", [True])
async def test_with_approval_required_send_true_waits_for_an_approver(stack: ApiStack) -> None:
    response = await stack.post(body(send=True))

    assert response.status == 201
    answer = await response.json()
    assert answer["state"] == "awaiting_approval"
    assert answer["approval_required"] is True
    # The approval card is queued for the approver, nothing for the audience.
    [card] = await stack.rows(outbox)
    assert card["recipient_id"] == "comms-1"


async def test_a_refused_submit_keeps_nothing_and_a_corrected_retry_is_made_anew(
    stack: ApiStack,
) -> None:
    """The image cannot be fetched: 422, and the draft saved before the submit is gone."""
    refused = await stack.post(body(send=True, image_url=IMAGE, image_alt="Een wegenkaart"))

    assert refused.status == 422
    document = await problem_of(refused)
    assert reasons(document) == ["announcements.error.image_unreachable"]
    assert await stack.rows(announcements) == []
    assert await stack.rows(outbox) == []

    retried = await stack.post(body(send=True))
    assert retried.status == 201
    assert (await retried.json())["state"] == "sending"


# --- refusals ------------------------------------------------------------------------------------


async def test_an_invalid_body_is_422_listing_every_field(stack: ApiStack) -> None:
    document = body(importance="very", send_at="2026-12-03T07:30:00", colour="red")
    del document["client_key"]
    document["audience"] = {"kind": "entities", "entities": ["AWV"], "groups": [NEWS_GROUP]}

    response = await stack.post(document)

    assert response.status == 422
    problem = await problem_of(response)
    assert problem["reason"] == "announcements.api.invalid"
    by_path = {entry["path"]: entry["reason"] for entry in problem["errors"]}
    assert by_path == {
        "$.client_key": "announcements.api.field_missing",
        "$.importance": "announcements.api.field_invalid",
        "$.audience": "announcements.api.audience_mixed",
        "$.send_at": "announcements.api.field_datetime",
        "$.colour": "announcements.api.field_unknown",
    }
    missing = next(e for e in problem["errors"] if e["path"] == "$.client_key")
    assert missing["detail"] == "Het veld $.client_key ontbreekt of is leeg."
    assert missing["detail_en"] == "The field $.client_key is missing or empty."
    await stack.assert_nothing_stored()


async def test_texts_the_service_refuses_are_422_with_every_problem(stack: ApiStack) -> None:
    response = await stack.post(
        body(
            title="x" * 121,
            image_url="http://intranet.example/banner.png",
            link_url="",
            client_key="k" * 100,
        )
    )

    assert response.status == 422
    problem = await problem_of(response)
    assert reasons(problem) == [
        "announcements.problem.title_too_long",
        "announcements.problem.image_not_https",
        "announcements.problem.image_alt_missing",
        "announcements.problem.link_incomplete",
    ]
    first = problem["errors"][0]
    assert first["detail"] == "De titel is te lang: hoogstens 120 tekens."
    assert first["detail_en"].startswith("The title is too long")
    await stack.assert_nothing_stored()


async def test_a_client_key_longer_than_100_characters_is_refused(stack: ApiStack) -> None:
    response = await stack.post(body(client_key="k" * 101))

    assert response.status == 422
    [entry] = (await problem_of(response))["errors"]
    assert entry["path"] == "$.client_key"
    assert entry["reason"] == "announcements.api.field_too_long"
    assert "100" in entry["detail"] and "100" in entry["detail_en"]


@pytest.mark.parametrize(
    ("audience", "expected"),
    [
        pytest.param(
            {"kind": "entities", "entities": ["AWV", "DOMG"]},
            [("announcements.audience.entity_not_allowed", {"target": "DOMG"})],
            id="entity-outside-scope",
        ),
        pytest.param(
            {"kind": "everyone"},
            [("announcements.audience.everyone_needs_admin", None)],
            id="everyone",
        ),
        pytest.param(
            {"kind": "channels", "channels": [{"id": CHANNEL, "name": "Nieuws"}]},
            [("announcements.audience.channels_not_allowed", None)],
            id="channels",
        ),
        pytest.param(
            {"kind": "groups", "groups": ["g-not-configured"]},
            [("announcements.audience.group_not_allowed", {"target": "g-not-configured"})],
            id="group-not-offered",
        ),
    ],
)
async def test_an_audience_outside_the_keys_scope_is_403_and_nothing_is_stored(
    stack: ApiStack, audience: dict[str, Any], expected: list[tuple[str, dict[str, str] | None]]
) -> None:
    response = await stack.post(body(audience=audience, send=True))

    assert response.status == 403
    problem = await problem_of(response)
    assert problem["reason"] == "announcements.api.refused"
    assert [(e["reason"], e.get("values")) for e in problem["errors"]] == expected
    await stack.assert_nothing_stored()


async def test_a_body_over_the_limit_is_413_and_never_read_whole(stack: ApiStack) -> None:
    large = json.dumps(body(summary="x" * MAX_BODY_BYTES))
    declared = await stack.post(large)

    async def chunks() -> AsyncIterator[bytes]:
        # No Content-Length: the cap applies while reading.
        for start in range(0, len(large), 8192):
            yield large[start : start + 8192].encode()

    streamed = await stack.client.post(
        "/api/announcements",
        data=chunks(),
        headers={"Authorization": f"Bearer {KEY}", "Content-Type": "application/json"},
    )

    for response in (declared, streamed):
        assert response.status == 413
        problem = await problem_of(response)
        assert problem["reason"] == "announcements.api.too_large"
        assert "64 kB" in problem["detail"]
    await stack.assert_nothing_stored()


@pytest.mark.parametrize(
    "content_type", ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data"]
)
async def test_a_body_that_is_not_json_is_415(stack: ApiStack, content_type: str) -> None:
    response = await stack.post(body(), content_type=content_type)

    assert response.status == 415
    assert (await problem_of(response))["reason"] == "announcements.api.not_json"
    await stack.assert_nothing_stored()


@pytest.mark.parametrize("raw", ['{"client_key": "a",', "", "\xff"])
async def test_json_that_does_not_parse_is_400(stack: ApiStack, raw: str) -> None:
    response = await stack.post(raw.encode("latin-1"))

    assert response.status == 400
    assert (await problem_of(response))["reason"] == "announcements.api.malformed"
    await stack.assert_nothing_stored()


# --- following it ---------------------------------------------------------------------------------


async def delivered(stack: ApiStack, announcement_id: int) -> None:
    """What the sender and the outbox would have done: four people resolved and queued; two
    reached (one of them read and acknowledged it), one blocked Werkplek, one still waiting."""
    people = [NewRecipient(f"awv-{n}", entity="AWV") for n in range(4)]
    await stack.repository.add_recipients(announcement_id, people)
    await stack.repository.mark_resolved(announcement_id)
    stored = await stack.repository.get(announcement_id)
    assert stored is not None
    assert await stack.repository.queue_next(announcement_id, 10, messages_for, NOW) == 4
    verdicts = {
        recipient_dedupe_key(announcement_id, "awv-0"): (OutboxStatus.SENT, "1001"),
        recipient_dedupe_key(announcement_id, "awv-1"): (OutboxStatus.SENT, "1002"),
        recipient_dedupe_key(announcement_id, "awv-2"): (OutboxStatus.UNREACHABLE, ""),
    }
    claimed = await stack.outbox.claim(10, NOW, 60.0)
    await stack.outbox.finish_many(
        [
            FinalVerdict(m.id, verdicts[m.dedupe_key][0], activity_id=verdicts[m.dedupe_key][1])
            for m in claimed
            if m.dedupe_key in verdicts
        ],
        NOW,
    )
    for message in claimed:
        if message.dedupe_key not in verdicts:
            await stack.outbox.release(message.id, message.lease_until or NOW)
    assert await stack.repository.mark_read("awv-0", "1001", NOW)
    assert await stack.repository.acknowledge(announcement_id, "awv-0", NOW)


async def test_get_shows_where_it_stands_with_its_figures(stack: ApiStack) -> None:
    made = await (await stack.post(body(send=True))).json()
    await delivered(stack, made["id"])
    stack.clock.advance(seconds=10)

    response = await stack.get(made["id"])

    assert response.status == 200
    answer = await response.json()
    assert answer["id"] == made["id"] and answer["reference"] == made["reference"]
    assert answer["state"] == "sending"
    assert answer["started_at"] == NOW.isoformat()
    assert answer["finished_at"] is None
    assert answer["audience_size"] == 4
    assert answer["figures"] == {
        "audience": 4,
        "sent": 2,
        "throttled_sent": 0,
        "failed": 0,
        "blocked": 1,
        "not_found": 0,
        "not_reached": 1,
        "read": 1,
        "acknowledged": 1,
    }
    # Three finished in ten seconds: the last one is expected a third of that later.
    assert answer["progress"]["per_second"] == pytest.approx(0.3)
    expected_end = datetime.fromisoformat(answer["progress"]["expected_end"])
    assert expected_end == NOW + timedelta(seconds=10) + timedelta(seconds=1 / 0.3)


async def test_another_keys_announcement_is_404_as_an_unknown_one(stack: ApiStack) -> None:
    theirs = await (
        await stack.post(body(audience={"kind": "entities", "entities": ["DOMG"]}), key=OTHER_KEY)
    ).json()

    for announcement_id in (theirs["id"], 999_999, "abc", "1" * 40, "%C2%B2"):
        response = await stack.get(announcement_id)
        assert response.status == 404, announcement_id
        assert (await problem_of(response))["reason"] == "announcements.api.not_found"
    assert (await stack.get(theirs["id"], key=OTHER_KEY)).status == 200


async def test_before_the_capabilities_have_loaded_the_api_answers_503() -> None:
    app = application()
    add_announcement_routes(app)
    client = await started(app)
    try:
        response = await client.post(
            "/api/announcements",
            json=body(),
            headers={"Authorization": f"Bearer {KEY}"},
        )
        assert response.status == 503
        assert response.headers["Retry-After"]
        assert (await problem_of(response))["reason"] == "announcements.api.unavailable"
    finally:
        await client.close()


# --- the keys' settings ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "entry",
    [
        pytest.param({"hash": KEY}, id="the-key-itself"),
        pytest.param({"hash": "sha256:" + "ab" * 31}, id="too-short"),
        pytest.param({"hash": "sha256:" + "ab" * 32, "scope": {"everybody": True}}, id="scope"),
        pytest.param({"hash": "sha256:" + "ab" * 32, "role": "admin"}, id="unknown-field"),
    ],
)
def test_a_key_configured_wrongly_refuses_to_start_without_echoing_it(
    entry: dict[str, Any],
) -> None:
    with pytest.raises(ValueError, match="WERKPLEK_ANNOUNCEMENT_API_KEYS") as refused:
        Settings(_env_file=None, announcement_api_keys=json.dumps({"flow": entry}))
    assert KEY not in str(refused.value)


def test_a_key_name_is_short_and_plain() -> None:
    with pytest.raises(ValueError, match="1 to 60"):
        Settings(
            _env_file=None,
            announcement_api_keys={"flow key/1": {"hash": "sha256:" + "ab" * 32}},
        )
