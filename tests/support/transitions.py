"""The in-memory mirror of bot.store.transitions: an aggregate repository's rows, versions,
audit lines and outbox messages, for the fakes of the repositories that write transitions
(post items, licence requests).

It keeps the promises the store keeps: a save lands only on the version it was decided on and
writes all or nothing; a message whose dedupe key was written before is skipped, as the outbox
does.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import Field, replace
from typing import Any, ClassVar, Generic, Protocol, TypeVar

from bot.domain.platform.audit import AuditEntry
from bot.domain.platform.outbox import NewOutboxMessage


class Versioned(Protocol):
    """An aggregate (a frozen dataclass) as the store keys and versions it."""

    __dataclass_fields__: ClassVar[dict[str, Field[Any]]]

    @property
    def id(self) -> int: ...

    @property
    def version(self) -> int: ...


A = TypeVar("A", bound=Versioned)


class MemoryTransitions(Generic[A]):
    """Aggregates by id, with the audit lines (`audit`) and outbox messages (`messages`) their
    transitions wrote. Implements the ports' `save`; a repository fake adds its own queries.

    `stale`: the capability's error for a version that moved on (StaleRequest, StalePostItem).
    `races`: ids whose next save finds that another replica saved first (the stored version
    moves on and the stale error is raised), to test what a lost race does.
    """

    def __init__(self, stale: type[Exception]) -> None:
        self.rows: dict[int, A] = {}
        self.audit: list[AuditEntry] = []
        self.messages: list[NewOutboxMessage] = []
        self.races: set[int] = set()
        self._stale = stale

    async def save(
        self,
        aggregate: A,
        *,
        expected_version: int,
        audit: Sequence[AuditEntry] = (),
        messages: Sequence[NewOutboxMessage] = (),
    ) -> None:
        if aggregate.version <= expected_version:
            # As the store: saving an unchanged version would let two stale writers both win.
            raise ValueError("a saved transition must carry a newer version than it replaces")
        stored = self.rows.get(aggregate.id)
        if stored is not None and aggregate.id in self.races:
            self.races.discard(aggregate.id)
            self.rows[aggregate.id] = replace(stored, version=stored.version + 1)
            raise self._stale()
        if stored is None or stored.version != expected_version:
            raise self._stale()
        self.rows[aggregate.id] = aggregate
        self._write_with(audit, messages)

    def next_id(self) -> int:
        """The id the database would give the next insert."""
        return max(self.rows, default=0) + 1

    def insert(self, aggregate: A, audit: Sequence[AuditEntry] = ()) -> A:
        """Store a new aggregate with the audit lines of its creation."""
        self.rows[aggregate.id] = aggregate
        self._write_with(audit, ())
        return aggregate

    # --- for tests -----------------------------------------------------------------------------
    def put(self, aggregate: A) -> A:
        """Store an aggregate as it is (any state), e.g. one a worker would have moved on."""
        self.rows[aggregate.id] = aggregate
        return aggregate

    def actions(self) -> list[str]:
        """The audit actions written, in order."""
        return [entry.action for entry in self.audit]

    def _write_with(
        self, audit: Sequence[AuditEntry], messages: Sequence[NewOutboxMessage]
    ) -> None:
        self.audit.extend(audit)
        known = {message.dedupe_key for message in self.messages}
        for message in messages:
            if message.dedupe_key not in known:
                known.add(message.dedupe_key)
                self.messages.append(message)
