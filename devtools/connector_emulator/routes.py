"""Which connector operation a request is. Fixed path words are matched case-insensitively,
like Teams (`pagedMembers` = `pagedmembers`); ids keep their case. A path prefix before `v3`
(`/teams/`, `/amer/`, as in real service URLs) is allowed."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import unquote


@dataclass(frozen=True, slots=True)
class Route:
    operation: str  # create | send | reply | update | delete | members
    conversation_id: str = ""
    activity_id: str = ""

    @property
    def is_read(self) -> bool:
        return self.operation == "members"


def match_route(method: str, raw_path: str) -> Route | None:
    segments = [unquote(part) for part in raw_path.split("?", 1)[0].split("/") if part]
    lowered = [part.lower() for part in segments]
    if "v3" not in lowered:
        return None
    start = lowered.index("v3")
    words, parts = lowered[start + 1 :], segments[start + 1 :]
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
