"""Signed, short-lived links: the bot hands out a URL and later trusts it without storing it.

A link names a path and a few parameters (what to export, for whom) and an expiry time; an
HMAC-SHA256 over all of that, with a secret only the bot replicas know, makes it tamper-proof.
Nothing is stored, so any replica can check a link another one made.

The signed text is canonical: the path, then every parameter except `sig` sorted by name, each
name and value percent-encoded, so "a=1&b=2" and "b=2&a=1" sign alike while no value can pass
for a separator. The expiry travels as the parameter `exp` and is signed like the others.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Mapping
from urllib.parse import quote

SIGNATURE = "sig"
EXPIRES = "exp"


def canonical(path: str, params: Mapping[str, str], expires: int) -> bytes:
    """What is signed: path and parameters (without `sig`, with `exp`), in one fixed form."""
    signed = {name: value for name, value in params.items() if name not in (SIGNATURE, EXPIRES)}
    signed[EXPIRES] = str(expires)
    pairs = (f"{quote(name, safe='')}={quote(signed[name], safe='')}" for name in sorted(signed))
    return "\n".join((quote(path, safe="/"), *pairs)).encode("utf-8")


def sign(secret: bytes, path: str, params: Mapping[str, str], expires: int) -> str:
    """The signature of a link (URL-safe base64, no padding: 43 characters)."""
    if not secret:
        raise ValueError("a signing secret must not be empty")
    digest = hmac.new(secret, canonical(path, params, expires), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def signed_params(
    secret: bytes, path: str, params: Mapping[str, str], expires: int
) -> dict[str, str]:
    """The parameters of a link as they go in its query string: the given ones, exp and sig."""
    query = {name: value for name, value in params.items() if name not in (SIGNATURE, EXPIRES)}
    query[EXPIRES] = str(expires)
    query[SIGNATURE] = sign(secret, path, query, expires)
    return query


def verify(
    secret: bytes, path: str, params: Mapping[str, str], expires: int, signature: str, now: int
) -> bool:
    """True when the signature matches (compared in constant time) and the link has not expired.

    `params` are the link's parameters as received; `sig` and `exp` among them are ignored (the
    expiry that counts is `expires`, which the caller read from `exp`).
    """
    if not secret or not signature:
        return False
    expected = sign(secret, path, params, expires)
    matches = hmac.compare_digest(expected.encode("ascii"), signature.encode("utf-8", "replace"))
    return matches and now < expires
