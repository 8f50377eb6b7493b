"""What a database error means for the rest of Werkplek, and what of it may reach a log.

Two jobs, both at the one door every repository goes through (Database.connect/transaction):

- Unavailability. A database that is down, unreachable, out of connections, shutting down, read
  only after a failover or out of disk is not a bug in the request: it becomes
  bot.domain.platform.errors.StoreUnavailable, so the edges answer "try again in a moment" (503 with
  Retry-After, a chat card with a reference) without knowing SQLAlchemy or the driver. Any other
  error (a constraint, a programming error) passes through unchanged: repositories catch some of
  them on purpose.
- Personal data. The engine hides statement parameters (hide_parameters=True), but PostgreSQL
  also describes a failing row in the error's DETAIL ("Failing row contains (..., Lotte
  Janssens, ...)", "Key (x)=(...) already exists") and asyncpg puts that into the exception's
  text. Those parts are dropped before the error leaves the store, so a log line with a stack
  trace carries the statement and the reason, never the values.
"""

from __future__ import annotations

from sqlalchemy import exc

# SQLSTATE classes (the first two characters) that mean "the database cannot serve now":
# 08 connection exception, 28 invalid authorisation (credentials rotated, account locked),
# 3D invalid catalog (the database is gone), 53 insufficient resources (disk full, out of memory,
# too many connections), 57 operator intervention (shutdown, cannot connect now, query cancelled
# by an administrator), 58 system error (I/O).
_UNAVAILABLE_CLASSES = frozenset({"08", "28", "3D", "53", "57", "58"})
# A write reaching a read-only standby: a failover in progress.
_READ_ONLY_TRANSACTION = "25006"
# Driver fields that may quote row values or statement input.
_DATA_FIELDS = ("detail", "hint", "internal_query")


def is_unavailable(error: BaseException) -> bool:
    """Does this error mean the database cannot serve (rather than this request being wrong)?"""
    if isinstance(error, exc.TimeoutError):
        return True  # no pooled connection freed up in time: overloaded
    if isinstance(error, exc.DBAPIError):
        if error.connection_invalidated:
            return True
        if isinstance(error, exc.OperationalError | exc.InterfaceError):
            # PEP 249: errors of the database's operation, not of the statement (SQLite: cannot
            # open, locked, I/O, read only; asyncpg: connection closed).
            return True
        if type(error) is exc.DatabaseError:
            return True  # SQLite: "file is not a database", "database disk image is malformed"
        sqlstate = str(getattr(error.orig, "sqlstate", "") or "")
        return sqlstate[:2] in _UNAVAILABLE_CLASSES or sqlstate == _READ_ONLY_TRANSACTION
    # Connecting fails outside SQLAlchemy's wrapping: refused, reset, unreachable, timed out.
    return isinstance(error, OSError | TimeoutError)


def scrub(error: BaseException) -> None:
    """Drop what may quote data (PostgreSQL's DETAIL and HINT) from the error and its causes."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        for target in (current, getattr(current, "orig", None)):
            for field in _DATA_FIELDS:
                if getattr(target, field, None):
                    try:
                        setattr(target, field, None)
                    except AttributeError:  # a read-only attribute: nothing of ours to clear
                        continue
        current = current.__cause__ or current.__context__
