"""Signed links: a link the bot made verifies until it expires; any change to it does not."""

from __future__ import annotations

import logging

import pytest

from bot.domain.platform.signing import canonical, sign, signed_params, verify
from bot.http.signed_links import signing_secret

SECRET = b"0123456789abcdef0123456789abcdef"
PATH = "/api/exports/licence-report"
PARAMS = {"from": "2026-10-01", "to": "2026-10-31", "entity": "ADV", "by": "user-1"}
EXPIRES = 1_800_000_600
NOW = EXPIRES - 600


def test_a_link_verifies_until_it_expires() -> None:
    signature = sign(SECRET, PATH, PARAMS, EXPIRES)
    assert verify(SECRET, PATH, PARAMS, EXPIRES, signature, NOW)
    assert verify(SECRET, PATH, PARAMS, EXPIRES, signature, EXPIRES - 1)
    assert not verify(SECRET, PATH, PARAMS, EXPIRES, signature, EXPIRES)
    assert not verify(SECRET, PATH, PARAMS, EXPIRES, signature, EXPIRES + 3600)


@pytest.mark.parametrize(
    "tampered",
    [
        PARAMS | {"entity": "DOMG"},
        PARAMS | {"by": "someone-else"},
        PARAMS | {"to": "2026-12-31"},
        {k: v for k, v in PARAMS.items() if k != "entity"},  # dropped: the whole administration
        PARAMS | {"extra": "1"},
    ],
)
def test_changed_parameters_do_not_verify(tampered: dict[str, str]) -> None:
    signature = sign(SECRET, PATH, PARAMS, EXPIRES)
    assert not verify(SECRET, PATH, tampered, EXPIRES, signature, NOW)


def test_a_later_expiry_another_path_or_another_secret_do_not_verify() -> None:
    signature = sign(SECRET, PATH, PARAMS, EXPIRES)
    assert not verify(SECRET, PATH, PARAMS, EXPIRES + 86_400, signature, NOW)
    assert not verify(SECRET, "/api/exports/catalogue", PARAMS, EXPIRES, signature, NOW)
    assert not verify(b"another secret", PATH, PARAMS, EXPIRES, signature, NOW)
    flipped = ("B" if signature[0] == "A" else "A") + signature[1:]
    assert not verify(SECRET, PATH, PARAMS, EXPIRES, flipped, NOW)
    assert not verify(SECRET, PATH, PARAMS, EXPIRES, "", NOW)
    assert not verify(b"", PATH, PARAMS, EXPIRES, signature, NOW)


def test_parameter_order_does_not_matter_and_sig_and_exp_are_not_signed_twice() -> None:
    reordered = dict(reversed(list(PARAMS.items())))
    assert sign(SECRET, PATH, reordered, EXPIRES) == sign(SECRET, PATH, PARAMS, EXPIRES)
    received = PARAMS | {"sig": "whatever", "exp": "123"}  # as a query string carries them
    signature = sign(SECRET, PATH, PARAMS, EXPIRES)
    assert verify(SECRET, PATH, received, EXPIRES, signature, NOW)


def test_values_cannot_pose_as_separators() -> None:
    one = {"a": "1&b=2"}
    two = {"a": "1", "b": "2"}
    assert canonical(PATH, one, EXPIRES) != canonical(PATH, two, EXPIRES)
    assert sign(SECRET, PATH, one, EXPIRES) != sign(SECRET, PATH, two, EXPIRES)
    assert canonical(PATH, {"a": "x\nb=y"}, EXPIRES) != canonical(PATH, {"a": "x", "b": "y"}, 1)


def test_signed_params_carry_exp_and_sig_and_verify() -> None:
    query = signed_params(SECRET, PATH, PARAMS, EXPIRES)
    assert query["exp"] == str(EXPIRES)
    assert len(query["sig"]) == 43 and "=" not in query["sig"]  # URL-safe base64, no padding
    received = dict(query)
    signature = received.pop("sig")
    assert verify(SECRET, PATH, received, int(received.pop("exp")), signature, NOW)


def test_an_empty_secret_is_refused() -> None:
    with pytest.raises(ValueError):
        sign(b"", PATH, PARAMS, EXPIRES)


def test_without_a_configured_secret_each_process_makes_its_own(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.WARNING):
        first, second = signing_secret(""), signing_secret("")
    assert first != second and len(first) == 32
    assert "restart" in caplog.text
    configured = "k" * 40
    assert signing_secret(configured) == configured.encode()
