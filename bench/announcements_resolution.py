"""Resolving a large audience: a GROUPS announcement to a group of 60,000 people, read through
Graph a page (999) at a time from the Graph emulator running as its own process (as Graph is not
inside the bot: this process's memory is the bot's alone).

The group is the demo tenant's "Alle medewerkers" with synthetic members added through the
emulator's control route (POST /_emulator/groups/{id}/synthetic-members). Every one of them has
a chat with the bot (their conversation reference is stored before the run), so no app is
installed: what is measured is the paging, the look-up of each page's chats and the snapshot's
inserts. The resolution is one round of the production AnnouncementSender (it resolves an
unresolved SENDING announcement and does nothing else in that round), over the real Graph
client (token, retry handler, call meter) against the emulator without added latency.
"""

from __future__ import annotations

import gc
import time
from typing import Any

import aiohttp

from bench.access import GraphCalls, bench_settings, graph_emulator
from bench.announcements_support import (
    AUTHOR_PREFIX,
    ZONE,
    RssSampler,
    Stopwatch,
    announcement_sender,
    database_rows,
    submitted_announcement,
)
from bench.common import megabytes
from bench.outbox_support import BOT_ID, TENANT, fresh_database, save_references
from bot.domain.announcements.audiences import Audience, AudienceKind
from bot.domain.platform.conversations import ConversationRef
from bot.graph import open_graph
from bot.ports.announcements import AudienceDirectory
from bot.store import Database
from bot.store.announcements.announcements import SqlAnnouncementRepository

# "Alle medewerkers Vlaamse overheid (demo)" in devtools/demo_tenant.json.
GROUP_ID = "1c249bcb-187a-43b0-9047-d1640293e648"
# Where the people's chats are: never contacted here (nothing is sent in this scenario).
_SERVICE_URL = "https://smba.trafficmanager.net/emea/"
_MEMBER_PAGE_PATH = "transitivemembers"


async def run_resolution_scenario(count: int, postgres_url: str | None = None) -> dict[str, Any]:
    async with (
        graph_emulator(0.0, in_process=False) as env,
        fresh_database(postgres_url) as url,
        aiohttp.ClientSession() as session,
    ):
        control = env["GRAPH_BASE_URL"].removesuffix("/v1.0") + "/_emulator"
        async with session.post(
            f"{control}/groups/{GROUP_ID}/synthetic-members", json={"count": count}
        ) as response:
            response.raise_for_status()
        calls = GraphCalls()
        gateway = await open_graph(bench_settings(env, {}), on_call=calls)
        database = Database(url)
        try:
            await database.migrate()
            members, pages_alone = await _with_chats(database, gateway.audiences)
            announcement_id = await submitted_announcement(
                database,
                f"{AUTHOR_PREFIX}-00000",
                Audience(AudienceKind.GROUPS, groups=(GROUP_ID,)),
            )
            sender = announcement_sender(
                database, on_enqueued=lambda: None, directory=gateway.audiences
            )
            gc.collect()  # the set-up's pages are not the resolution's memory
            calls.graph = 0
            pages_before = await _member_pages(session, control)
            rss, watch = RssSampler(), Stopwatch()
            async with rss.sampling():
                with watch.timing():
                    await sender.round()
            pages = await _member_pages(session, control) - pages_before
            announcement = await SqlAnnouncementRepository(database, reference_zone=ZONE).get(
                announcement_id
            )
            rows = await database_rows(database)
        finally:
            await database.dispose()
            await gateway.close()
    if announcement is None or not announcement.resolved:
        raise RuntimeError("the audience was not resolved (see the sender's log)")
    size = announcement.audience_size
    return {
        "group_members": members,
        "audience_size": size,
        "resolution_seconds": watch.wall,
        "resolution_cpu_seconds": watch.cpu,
        "pages_read_alone_seconds": pages_alone,
        "graph_calls": calls.graph,
        "member_pages_served": pages,
        "rss_before_mb": megabytes(rss.before),
        "rss_peak_mb": megabytes(rss.peak),
        "rows": rows,
        "rows_per_recipient": (rows["recipients"] + rows["outbox"]) / size if size else 0.0,
        "graph_emulator": "own process",
        "app_installs": "none: every member has a chat with the bot",
    }


async def _with_chats(database: Database, directory: AudienceDirectory) -> tuple[int, float]:
    """Read the group's members once (set-up) and store a chat reference for each, as if each
    had talked to Werkplek before; how many there are, and the seconds the pages took alone
    (the resolution's baseline: Graph and the client without the bot's work per page)."""
    started = time.perf_counter()
    members = [
        member.user_id
        async for page in directory.group_members(GROUP_ID)
        for member in page
        if member.enabled
    ]
    read_seconds = time.perf_counter() - started
    await save_references(
        database,
        [
            ConversationRef(member, TENANT, _SERVICE_URL, f"a:1{member}", BOT_ID)
            for member in members
        ],
    )
    return len(members), read_seconds


async def _member_pages(session: aiohttp.ClientSession, control: str) -> int:
    """Member pages the emulator served so far (its request counts per "METHOD path")."""
    async with session.get(f"{control}/requests") as response:
        response.raise_for_status()
        counts: dict[str, int] = (await response.json())["counts"]
    return sum(n for key, n in counts.items() if _MEMBER_PAGE_PATH in key.lower())
