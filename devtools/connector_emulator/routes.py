"""Which connector operation a request is. Fixed path words are matched case-insensitively,
like Teams (`pagedMembers` = `pagedmembers`, `failedEntries` = `failedentries`); ids keep their
case. A path prefix before `v3` (`/teams/`, `/amer/`, as in real service URLs) is allowed."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qs, unquote

# Reads, for the per-conversation limits (Teams allows twice as many reads as writes).
_READS = frozenset({"members", "batch_state", "batch_failed"})


@dataclass(frozen=True, slots=True)
class Route:
    # create | send | reply | update | delete | members
    # | batch_users | batch_channels | batch_state | batch_failed | batch_cancel
    operation: str
    conversation_id: str = ""
    activity_id: str = ""
    operation_id: str = ""  # a batch operation's id
    # The failed entries' `continuationToken` query parameter: the only query a route reads.
    continuation: str = ""

    @property
    def is_read(self) -> bool:
        return self.operation in _READS

    @property
    def is_batch(self) -> bool:
        return self.operation.startswith("batch_")


def match_route(method: str, raw_path: str) -> Route | None:
    """`raw_path` may carry the query string (`raw_path_qs`)."""
    path, _, query = raw_path.partition("?")
    segments = [unquote(part) for part in path.split("/") if part]
    lowered = [part.lower() for part in segments]
    if "v3" not in lowered:
        return None
    start = lowered.index("v3")
    words, parts = lowered[start + 1 :], segments[start + 1 :]
    if words[:2] == ["batch", "conversation"]:
        return _batch_route(method, words[2:], parts[2:], query)
    if not words or words[0] != "conversations":
        return None
    if len(words) == 1:
        return Route("create") if method == "POST" else None
    conversation_id = parts[1]
    tail = words[2:]
    if tail == ["activities"] and method == "POST":
        return Route("send", conversation_id)
    if len(tail) == 2 and tail[0] == "activities":
        operation = {"POST": "reply", "PUT": "update", "DELETE": "delete"}.get(method)
        return Route(operation, conversation_id, parts[3]) if operation else None
    if tail in (["pagedmembers"], ["members"]) and method == "GET":
        return Route("members", conversation_id)
    return None


def _batch_route(method: str, words: list[str], parts: list[str], query: str) -> Route | None:
    """v3/batch/conversation/{users|channels} (POST), .../{operationId} (GET, DELETE) and
    .../failedentries/{operationId} (GET)."""
    if len(words) == 1 and method == "POST" and words[0] in ("users", "channels"):
        return Route(f"batch_{words[0]}")
    if len(words) == 1 and method in ("GET", "DELETE"):
        operation = "batch_state" if method == "GET" else "batch_cancel"
        return Route(operation, operation_id=parts[0])
    if len(words) == 2 and words[0] == "failedentries" and method == "GET":
        tokens = parse_qs(query).get("continuationToken") or [""]
        return Route("batch_failed", operation_id=parts[1], continuation=tokens[0])
    return None
