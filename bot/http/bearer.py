"""Bearer secrets of the systems that call Werkplek's APIs (the scanners' intake tokens, the
announcement API's keys): only their SHA-256 is configured, and a presented secret is named by
the hash it matches.

Every configured hash is compared, in constant time, whichever matches first: the time an
answer takes tells nothing about which secrets exist or how close a guess came.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping


def bearer_name(header: str, hashes: Mapping[str, str]) -> str | None:
    """The name of the secret presented in an `Authorization: Bearer <secret>` header, or None
    (no header, another scheme, an empty or unknown secret). `hashes`: name -> lower-case
    sha256 hex of the secret."""
    scheme, _, secret = header.partition(" ")
    secret = secret.strip()
    if scheme.lower() != "bearer" or not secret:
        return None
    presented = hashlib.sha256(secret.encode("utf-8")).hexdigest()
    found = None
    for name, expected in hashes.items():
        if hmac.compare_digest(presented, expected) and found is None:
            found = name
    return found


def bearer_challenge(header: str) -> str:
    """The WWW-Authenticate value of a 401: says the secret was wrong when one was sent."""
    return 'Bearer error="invalid_token"' if header else "Bearer"
