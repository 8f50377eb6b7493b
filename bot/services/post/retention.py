"""Retention of scans: a handled item's scan is deleted a number of days after handling
(WERKPLEK_POST_RETENTION_DAYS, 90 by default); the item's metadata and its audit trail stay.

Run by `werkplek post purge` and by the post worker once a day. Safe to run again at any
moment, also on several replicas: the scan is deleted first and the item marked after, so a
crash in between leaves an item whose scan is already gone, which the next run marks (the store
answers "already gone" and that is fine); two runs marking the same item meet in the item's
version check, and the loser simply skips it. A scan the store cannot delete now (SharePoint
down) is counted as failed and tried again on the next run; nothing else waits for it.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.domain.platform.actors import Actor
from bot.domain.platform.audit import AuditEntry, Outcome
from bot.domain.post.items import PostItem, PostState, StalePostItem
from bot.ports.platform import Clock
from bot.ports.post import DocumentStore, PostItemRepository
from bot.services.post.flow import OBJECT_TYPE

logger = logging.getLogger(__name__)

PURGE_ACTION = "post.scan.purge"
PURGE_BATCH = 100
# A dry run lists at most this many items (it changes nothing, so it cannot page by progress).
DRY_RUN_LIMIT = 10_000


@dataclass(frozen=True, slots=True)
class PurgeResult:
    cutoff: datetime  # scans of items handled before this were due
    deleted: tuple[str, ...] = ()  # references whose scan was deleted (or would be, dry run)
    already_gone: int = 0  # of those, how many scans the store no longer had
    failed: tuple[str, ...] = ()  # references whose scan could not be deleted now
    dry_run: bool = False
    skipped: int = 0  # changed by someone else meanwhile: the next run sees them


async def purge_scans(
    items: PostItemRepository,
    documents: DocumentStore,
    clock: Clock,
    retention_days: int,
    actor: Actor,
    *,
    dry_run: bool = False,
    batch: int = PURGE_BATCH,
) -> PurgeResult:
    """Delete the scans of items handled more than `retention_days` days ago; mark each item
    (PostItem.scan_deleted) with an audit line "post.scan.purge". A dry run deletes nothing and
    lists what would go."""
    now = clock.now()
    cutoff = now - timedelta(days=retention_days)
    if dry_run:
        due = await items.scans_to_purge(cutoff, DRY_RUN_LIMIT)
        return PurgeResult(cutoff, tuple(item.reference for item in due), dry_run=True)
    deleted: list[str] = []
    failed: list[str] = []
    gone = skipped = 0
    tried: set[int] = set()
    while True:
        # Items that failed stay due and come first: ask for enough to get past them.
        due = await items.scans_to_purge(cutoff, batch + len(tried))
        fresh = [item for item in due if item.id not in tried]
        if not fresh:
            break
        for item in fresh:
            tried.add(item.id)
            outcome = await _purge_one(items, documents, clock, item, actor, cutoff)
            if outcome is None:
                failed.append(item.reference)
            elif outcome == _SKIPPED:
                skipped += 1
            else:
                deleted.append(item.reference)
                if outcome == _GONE:
                    gone += 1
    if deleted or failed:
        logger.info(
            "post retention: %d scans deleted, %d failed, %d skipped",
            len(deleted),
            len(failed),
            skipped,
        )
    return PurgeResult(cutoff, tuple(deleted), gone, tuple(failed), skipped=skipped)


_DELETED, _GONE, _SKIPPED = "deleted", "gone", "skipped"


async def _purge_one(
    items: PostItemRepository,
    documents: DocumentStore,
    clock: Clock,
    item: PostItem,
    actor: Actor,
    cutoff: datetime,
) -> str | None:
    """_DELETED, _GONE (the scan was already gone), _SKIPPED, or None when it failed."""
    try:
        existed = await documents.delete(item.document.key)
    except asyncio.CancelledError:
        raise
    except Exception as error:
        logger.warning("scan of post item %s not deleted: %s", item.id, type(error).__name__)
        return None
    current: PostItem | None = item
    for _ in range(2):  # one retry when the item changed meanwhile (an original requested)
        if current is None or current.state is not PostState.HANDLED:
            return _SKIPPED
        if current.scan_deleted_at is not None:
            return _SKIPPED  # another run marked it
        if current.handled_at is None or current.handled_at >= cutoff:
            return _SKIPPED
        after = current.scan_deleted(clock.now())
        try:
            await items.save(
                after,
                expected_version=current.version,
                audit=[_audit(after, actor, existed)],
            )
        except StalePostItem:
            current = await items.get(item.id)
            continue
        return _DELETED if existed else _GONE
    return _SKIPPED


def _audit(item: PostItem, actor: Actor, existed: bool) -> AuditEntry:
    return AuditEntry(
        at=item.updated_at,
        actor_id=actor.user_id,
        action=PURGE_ACTION,
        outcome=Outcome.OK,
        role=actor.role,
        tenant_id=item.tenant_id,
        object_type=OBJECT_TYPE,
        object_id=item.reference,
        correlation_id=actor.correlation_id,
        detail={"scan": "deleted" if existed else "already_gone"},
    )
