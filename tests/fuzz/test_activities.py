"""Random activities to /api/messages, through the whole bot in local anonymous mode.

Around a valid Teams activity, hypothesis changes, drops or replaces any field: other activity
types, senders and tenants, conversation types, hostile text and mentions, invoke names and
values with real verbs and junk data, attachments, entities, service URLs on hosts that are not
the connector, and plain junk of any JSON type. Properties, per example:

- never a 5xx, and no ERROR in the log (a turn that failed is an unhandled exception);
- nothing of anyone else's changed: requests, post items and delegations only of the claimed
  sender (anonymous mode believes the claim; the tokens are fuzzed by the 401 matrix), and
  never the rules or the catalogue; from a tenant that is not allowed, nothing at all;
- every remembered conversation points at an allowed connector host.
"""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

import sqlalchemy as sa
from hypothesis import strategies as st

from bot.store.platform.tables import conversation_refs, users
from tests.fuzz.conftest import TENANT, Bot, ErrorLog, count, fuzz, fuzz_settings
from tests.fuzz.strategies import VERBS, hostile_text, json_junk, json_scalars, near
from tests.fuzz.world import JEF, LOTTE, NORA, STRANGER, World, foreign_changes, seed, snapshot

FOREIGN_TENANT = "99999999-0000-4000-8000-000000000000"
KINDS = (
    "message",
    "invoke",
    "conversationUpdate",
    "installationUpdate",
    "messageReaction",
    "messageUpdate",
    "messageDelete",
    "event",
    "typing",
    "endOfConversation",
    "trace",
    "command",
)
INVOKE_NAMES = (
    "adaptiveCard/action",
    "task/fetch",
    "task/submit",
    "composeExtension/query",
    "composeExtension/submitAction",
    "signin/verifyState",
    "fileConsent/invoke",
    "actionableMessage/executeAction",
    "application/search",
    "config/fetch",
)
FILE_DOWNLOAD_INFO = "application/vnd.microsoft.teams.file.download.info"
PERSONAL_CHAT = "a:personal-1"
GROUP_CHAT = "19:group-chat@thread.v2"
CHANNEL = "19:werkplek-test-channel@thread.tacv2;messageid=1700000000000"

SENDERS = [LOTTE, NORA, STRANGER]
CPU_SECONDS_PER_TURN = 5.0


def regressions(service_url: str) -> list[dict[str, Any]]:
    """Found by this fuzzing, kept as explicit examples (run first in every run)."""

    def lotte(**fields: Any) -> dict[str, Any]:
        return {"body": _personal_message(service_url, **fields)}

    return [
        # An invoke no route answers: the SDK's 501 is now a 400.
        lotte(
            type="invoke",
            name="adaptiveCard/action",
            value={"action": {"type": None, "verb": None, "data": None}},
        ),
        # A sub-channel contradicting the productInfo entity: the SDK raised a bare Exception.
        lotte(channelId="msteams:COPILOT", entities=[{"type": "ProductInfo", "id": "other"}]),
        # An activity the SDK cannot read: it logged the whole activity (text, names) at ERROR.
        lotte(type=None, text="Mijn naam is Lotte Janssens"),
        # No channelId: the SDK's turn state failed half-way through the turn.
        lotte(channelId=None, text="help"),
        # A service URL that is no URL: the SDK's connector client refused it with a 500.
        lotte(serviceUrl="javascript:alert(1)", text="help"),
        # No recipient: answering it failed half-way (no address to answer from).
        lotte(recipient=None, text="help"),
        # A delivery mode Teams does not use: the SDK had no connector to answer through.
        lotte(deliveryMode="stream", text="help"),
        # U+0000 in a name or an id: on PostgreSQL every turn of that person failed.
        lotte(**{"from": {"id": f"29:{LOTTE}", "aadObjectId": LOTTE, "name": "Lotte\x00"}}),
        lotte(**{"from": {"id": "29:x", "aadObjectId": "6c1e\x00"}}, text="help"),
        lotte(text="licentie power bi\x00 rapporten delen"),
        # 28 KB of words that are no command: the suggestions took seconds of the event loop.
        lotte(text=" ".join(f"woord{n}" for n in range(3500))),
    ]


def _personal_message(service_url: str, **fields: Any) -> dict[str, Any]:
    return {
        "type": "message",
        "id": uuid.uuid4().hex,
        "serviceUrl": service_url,
        "channelId": "msteams",
        "from": {"id": f"29:{LOTTE}", "aadObjectId": LOTTE},
        "recipient": {"id": "28:werkplek", "name": "Werkplek"},
        "conversation": {"id": PERSONAL_CHAT, "conversationType": "personal", "tenantId": TENANT},
        **fields,
    }


def service_urls(connector: str) -> st.SearchStrategy[Any]:
    return st.one_of(
        st.just(connector),
        st.sampled_from(
            [
                connector.upper(),
                connector.rstrip("/"),
                connector + "../../elsewhere/",
                connector.replace("http://", "https://"),
                "https://attacker.invalid/teams/",
                "https://smba.trafficmanager.net.attacker.invalid/teams/",
                "http://127.0.0.1:1/",
                "http://user@" + connector.removeprefix("http://"),
                "javascript:alert(1)",
                "file:///etc/passwd",
                "",
            ]
        ),
        json_scalars(),
    )


def invoke_values() -> st.SearchStrategy[Any]:
    action = st.fixed_dictionaries(
        {
            "type": st.sampled_from(["Action.Execute", "Action.Submit"]) | json_scalars(),
            "verb": near(VERBS),
            "data": json_junk(),
        },
        optional={"title": st.text(max_size=20), "id": st.text(max_size=10)},
    )
    return st.one_of(
        st.fixed_dictionaries({"action": action}, optional={"trigger": near(["manual", "auto"])}),
        json_junk(),
    )


def attachments() -> st.SearchStrategy[Any]:
    file_info = st.fixed_dictionaries(
        {
            "contentType": st.just(FILE_DOWNLOAD_INFO) | json_scalars(),
            "name": hostile_text(40),
            "content": st.fixed_dictionaries(
                {
                    "downloadUrl": st.sampled_from(
                        [
                            "https://evil.invalid/regels.xlsx",
                            "http://127.0.0.1:1/regels.xlsx",
                            "file:///etc/passwd",
                            "",
                        ]
                    )
                    | json_scalars(),
                    "fileType": near(["xlsx", "pdf", "exe"]),
                    "uniqueId": st.text(max_size=10),
                }
            )
            | json_junk(),
        }
    )
    card = st.fixed_dictionaries(
        {
            "contentType": st.just("application/vnd.microsoft.card.adaptive"),
            "content": json_junk(),
        }
    )
    return st.lists(st.one_of(file_info, card, json_junk()), max_size=3) | json_scalars()


def entities() -> st.SearchStrategy[Any]:
    mention = st.fixed_dictionaries(
        {
            "type": st.just("mention") | json_scalars(),
            "mentioned": st.fixed_dictionaries(
                {"id": near(["28:werkplek", f"29:{JEF}"]), "name": hostile_text(30)}
            )
            | json_junk(),
            "text": st.sampled_from(["<at>Werkplek</at>", "<at>Jef</at>", "<at>"]) | json_junk(),
        }
    )
    product = st.fixed_dictionaries(
        {"type": st.just("ProductInfo"), "id": st.sampled_from(["COPILOT", "other", ""])}
    )
    return st.lists(mention | product | json_junk(), max_size=3) | json_scalars()


def field_values(connector: str) -> dict[str, st.SearchStrategy[Any]]:
    """What each field may become (besides junk of any type, or nothing at all)."""
    return {
        "type": st.sampled_from(KINDS),
        "id": st.uuids().map(lambda u: u.hex) | st.text(max_size=300),
        "text": hostile_text(),
        "textFormat": st.sampled_from(["plain", "markdown", "xml"]),
        "locale": st.sampled_from(["nl-BE", "en-US", "fr-BE", "", "x" * 200, "nl_BE.UTF-8"]),
        "channelId": st.sampled_from(
            ["msteams", "msteams:COPILOT", "webchat", "emulator", "directline", ":", ""]
        ),
        "deliveryMode": st.sampled_from(["normal", "expectReplies", "notification", "stream"]),
        "serviceUrl": service_urls(connector),
        "from": st.fixed_dictionaries(
            {
                "id": near([f"29:{user}" for user in SENDERS]),
                "aadObjectId": near(SENDERS) | st.text(max_size=300),
                "name": hostile_text(60),
            },
            optional={"role": st.sampled_from(["user", "bot", "skill"])},
        ),
        "recipient": st.fixed_dictionaries(
            {"id": near(["28:werkplek"]), "name": st.sampled_from(["Werkplek", "Jef", ""])}
        ),
        "conversation": st.fixed_dictionaries(
            {
                "id": st.sampled_from([PERSONAL_CHAT, GROUP_CHAT, CHANNEL, ""])
                | st.text(max_size=600),
                "conversationType": near(["personal", "groupChat", "channel"]),
                "tenantId": near([TENANT, FOREIGN_TENANT]),
            },
            optional={"isGroup": st.booleans() | json_scalars()},
        ),
        "channelData": st.fixed_dictionaries(
            {"tenant": st.fixed_dictionaries({"id": near([TENANT, FOREIGN_TENANT])}) | json_junk()},
            optional={"team": json_junk(), "channel": json_junk(), "eventType": st.text()},
        ),
        "name": st.sampled_from(INVOKE_NAMES),
        "value": invoke_values(),
        "attachments": attachments(),
        "entities": entities(),
        "action": st.sampled_from(["add", "remove", "add-upgrade", "remove-upgrade"]),
        "membersAdded": st.lists(
            st.fixed_dictionaries({"id": near(["28:werkplek", f"29:{LOTTE}"])}) | json_junk(),
            max_size=3,
        ),
        "replyToId": st.text(max_size=40),
        "timestamp": st.sampled_from(["2026-11-30T08:00:00Z", "gisteren", ""]),
    }


@st.composite
def activities(draw: st.DrawFn, connector: str) -> dict[str, Any]:
    """A plausible Teams activity, then a few of its fields changed, dropped or junked."""
    kind = draw(st.sampled_from(KINDS))
    sender = draw(st.sampled_from(SENDERS) | st.uuids().map(str))
    where = draw(st.sampled_from(["personal", "groupChat", "channel"]))
    conversation_id = {"personal": PERSONAL_CHAT, "groupChat": GROUP_CHAT, "channel": CHANNEL}
    body: dict[str, Any] = {
        "type": kind,
        "id": uuid.uuid4().hex,
        "locale": draw(st.sampled_from(["nl-BE", "en-US"])),
        "channelId": "msteams",
        "serviceUrl": connector,
        "from": {"id": f"29:{sender}", "aadObjectId": sender, "name": "Lotte Janssens"},
        "recipient": {"id": "28:werkplek", "name": "Werkplek"},
        "conversation": {
            "id": conversation_id[where],
            "conversationType": where,
            "tenantId": TENANT,
        },
        "channelData": {"tenant": {"id": TENANT}},
        "text": draw(hostile_text()),
    }
    if kind == "invoke":
        body["name"] = draw(st.sampled_from(INVOKE_NAMES[:1]) | st.sampled_from(INVOKE_NAMES))
        body["value"] = draw(invoke_values())
    options = field_values(connector)
    for key in draw(st.lists(st.sampled_from(sorted(options)), max_size=4, unique=True)):
        how = draw(st.sampled_from(["replace", "replace", "junk", "drop"]))
        if how == "drop":
            body.pop(key, None)
        else:
            body[key] = draw(options[key] if how == "replace" else json_junk())
    body.update(draw(st.dictionaries(st.text(max_size=12), json_junk(), max_size=2)))
    return body


def claimed(body: dict[str, Any]) -> tuple[set[str], str]:
    """Whom the activity claims to come from (every id it gives), and its tenant, as the bot
    reads them (conversation.tenantId first, then channelData.tenant.id)."""
    sender = body.get("from")
    ids = {str(sender.get(k)) for k in ("aadObjectId", "id")} if isinstance(sender, dict) else set()
    conversation = body.get("conversation")
    tenant = conversation.get("tenantId") if isinstance(conversation, dict) else None
    if not tenant:
        data = body.get("channelData")
        inner = data.get("tenant") if isinstance(data, dict) else None
        tenant = inner.get("id") if isinstance(inner, dict) else None
    return ids, str(tenant or "")


async def people_and_chats(bot: Bot) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    async with bot.database.connect() as connection:
        people = (await connection.execute(sa.select(users))).mappings().all()
        chats = (await connection.execute(sa.select(conversation_refs))).mappings().all()
    return [dict(row) for row in people], [dict(row) for row in chats]


async def test_random_activities_never_crash_the_bot_nor_touch_others_state(
    bot: Bot, error_log: ErrorLog
) -> None:
    world: World = await seed(bot)
    connector = bot.connector.service_url
    allowed = bot.settings.allowed_connector_hosts
    last: dict[str, Any] = {
        "state": await snapshot(bot.database),
        "people": await people_and_chats(bot),
    }

    async def check(body: dict[str, Any]) -> None:
        count("activities")
        started = time.process_time()
        # Nothing guarded changes between examples (no background work): the state after the
        # previous example is the state before this one.
        before, (people_before, chats_before) = last["state"], last["people"]
        response = await bot.client.post(
            "/api/messages", data=json.dumps(body), headers={"Content-Type": "application/json"}
        )
        await response.read()
        error_log.check(body)
        assert response.status < 500, (response.status, body)
        # The whole process (bot and emulators): seconds of CPU for one activity would stall
        # every other conversation on this replica.
        assert time.process_time() - started < CPU_SECONDS_PER_TURN, body
        senders, tenant = claimed(body)
        callers = senders if tenant in bot.settings.tenants else set()
        after = last["state"] = await snapshot(bot.database)
        assert foreign_changes(before, after, callers) == [], body
        people, chats = last["people"] = await people_and_chats(bot)
        if tenant not in bot.settings.tenants:
            assert (people, chats) == (people_before, chats_before), body
        assert all(allowed.allows(chat["service_url"]) for chat in chats), chats

    await fuzz(check, fuzz_settings(200), regressions(connector), body=activities(connector))
    assert world.items, "the world was seeded"
