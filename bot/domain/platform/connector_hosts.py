"""Which Bot Framework connector hosts the bot may talk to: pure rules, no I/O.

Every reply, proactive message and stored conversation reference goes to a connector service
URL that arrived from outside (an activity's `serviceUrl`, a connector's answer). The bot sends
its own connector token there, so a URL that is not the Teams service would receive that token
and the message, and could slow the whole tenant's outbox down with a made-up Retry-After.

Decisions (and why):
- Entries are exact host names, optionally with a port (`host`, `host:port`, `[::1]:port`),
  never suffixes: the public Teams service lives under `trafficmanager.net`, a domain in which
  any Azure customer can create a name, so a suffix rule would let strangers in.
- An entry without a port allows any port of that host (the host is the party we trust); an
  entry with one allows only that port (emulators on a shared machine).
- https only, except for loopback hosts (localhost, 127.0.0.0/8, ::1), which tests and the
  local demo run without TLS. Loopback is allowed only by an explicit entry, never implicitly.
- A URL carrying user info, a fragment, white space or a backslash is refused outright: each is
  a classic way of making two URL parsers disagree about the host.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

# The Teams connector hosts Microsoft documents for its clouds: public (all regions:
# smba.trafficmanager.net/teams/, /emea/, /amer/, /apac/ ...), GCC, GCC High and DoD.
TEAMS_CONNECTOR_HOSTS = (
    "smba.trafficmanager.net",
    "smba.infra.gcc.teams.microsoft.com",
    "smba.infra.gov.teams.microsoft.us",
    "smba.infra.dod.teams.microsoft.us",
)

_DEFAULT_PORTS = {"https": 443, "http": 80}
_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
_HOST_NAME = re.compile(rf"(?=.{{1,253}}\Z){_LABEL}(?:\.{_LABEL})*")
_ENTRY = re.compile(r"(?P<host>\[[0-9a-f:.]+\]|[^:\[\]]+)(?::(?P<port>[0-9]{1,5}))?")
_UNSAFE = re.compile(r"[\s\\\x00-\x1f\x7f]")


@dataclass(frozen=True, slots=True)
class _Allowed:
    host: str
    port: int | None  # None: any port


class ConnectorHosts:
    """The connector hosts the bot may send to (WERKPLEK_CONNECTOR_HOSTS)."""

    def __init__(self, entries: Iterable[str]) -> None:
        """Raises ValueError naming the first entry that is not `host` or `host:port`."""
        self._allowed = frozenset(_parse_entry(entry) for entry in entries)
        self._hosts = frozenset(allowed.host for allowed in self._allowed)

    @classmethod
    def teams(cls) -> ConnectorHosts:
        return cls(TEAMS_CONNECTOR_HOSTS)

    def __bool__(self) -> bool:
        return bool(self._allowed)

    def allows(self, url: object) -> bool:
        """Whether `url` is a connector service URL on an allowed host (and port)."""
        if not isinstance(url, str) or not url or len(url) > 2048 or _UNSAFE.search(url):
            return False
        try:
            parts = urlsplit(url)
            port = parts.port
        except ValueError:  # an unreadable port or a malformed IPv6 literal
            return False
        host = _normalised(parts.hostname or "")
        if not host or parts.username is not None or parts.fragment or "@" in parts.netloc:
            return False
        if host not in self._hosts:
            return False
        if parts.scheme != "https" and not (parts.scheme == "http" and is_loopback(host)):
            return False
        effective = port if port is not None else _DEFAULT_PORTS[parts.scheme]
        return any(
            allowed.host == host and allowed.port in (None, effective) for allowed in self._allowed
        )


def host_of(url: object) -> str:
    """The host of a URL for a log line ('' when there is none): never the path or query."""
    if not isinstance(url, str):
        return ""
    try:
        return (urlsplit(url).hostname or "")[:255]
    except ValueError:
        return ""


def _normalised(host: str) -> str:
    """IPv6 literals in one spelling (entries and URLs alike); names as they are."""
    if ":" not in host:
        return host
    try:
        return str(ipaddress.IPv6Address(host))
    except ValueError:
        return ""


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _parse_entry(entry: str) -> _Allowed:
    text = entry.strip().lower()
    match = _ENTRY.fullmatch(text)
    if match is None:
        raise ValueError(f"not a connector host (host or host:port): {entry!r}")
    host, port_text = match.group("host"), match.group("port")
    if host.startswith("["):
        try:
            host = str(ipaddress.IPv6Address(host[1:-1]))
        except ValueError:
            raise ValueError(f"not an IPv6 address: {entry!r}") from None
    elif not _HOST_NAME.fullmatch(host):
        raise ValueError(f"not a connector host (host or host:port): {entry!r}")
    port = int(port_text) if port_text else None
    if port is not None and not 0 < port < 65536:
        raise ValueError(f"not a port: {entry!r}")
    return _Allowed(host, port)
