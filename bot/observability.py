"""Structured JSON logs with the request/activity id, and the loggers we keep quiet.

No tokens, message texts, names or e-mail addresses are logged by Werkplek code. Libraries that
would log them at INFO/DEBUG are held at WARNING whatever the level asked for: the SDK (activity
text), SQLAlchemy (statements' parameters and every row read, at DEBUG), the database drivers
(aiosqlite logs each call's arguments and results).
"""

from __future__ import annotations

import json
import logging
from contextvars import ContextVar
from datetime import UTC, datetime

correlation_id: ContextVar[str] = ContextVar("correlation_id", default="")

_QUIET_LOGGERS = (
    "microsoft_agents",
    "msal",
    "azure",
    "kiota",
    "httpx",
    "aiohttp.access",
    "sqlalchemy",
    "aiosqlite",
    "asyncpg",
)
# In anonymous local mode the SDK warns on every turn that it has no app id; once is enough.
_SILENCED_LOGGERS = ("microsoft_agents.hosting.core.connector.client.user_token_client",)
_STANDARD_ATTRS = frozenset(logging.makeLogRecord({}).__dict__) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if cid := correlation_id.get():
            entry["correlation_id"] = cid
        for key, value in record.__dict__.items():
            if key not in _STANDARD_ATTRS and not key.startswith("_"):
                entry[key] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str, ensure_ascii=False)


class _CorrelationFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.correlation_id = correlation_id.get()
        return True


def configure_logging(level: str = "INFO", fmt: str = "json") -> None:
    handler = logging.StreamHandler()
    if fmt == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.addFilter(_CorrelationFilter())
        handler.setFormatter(
            logging.Formatter("%(asctime)s %(levelname)s %(name)s [%(correlation_id)s] %(message)s")
        )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for name in _QUIET_LOGGERS:
        logging.getLogger(name).setLevel(max(logging.WARNING, root.level))
    for name in _SILENCED_LOGGERS:
        logging.getLogger(name).setLevel(logging.ERROR)
