"""Intake settings: token hashes are checked at start-up, never echoed; the cap in bytes."""

from __future__ import annotations

import hashlib

import pytest
from pydantic import ValidationError

from bot.cli import main
from bot.settings import Settings

DIGEST = hashlib.sha256(b"secret-token").hexdigest()


def settings(**values: object) -> Settings:
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


def test_defaults() -> None:
    defaults = settings()
    assert defaults.intake_token_hashes == {}
    assert defaults.post_max_bytes == 30 * 1024 * 1024
    assert defaults.documents_dir == "var/documents"
    assert (defaults.post_retention_days, defaults.post_reminder_working_days) == (90, 3)
    assert defaults.post_escalation_working_days == 7


def test_tokens_are_name_and_hash_pairs() -> None:
    parsed = settings(intake_tokens=f"scanner-gent:{DIGEST.upper()}, import : {DIGEST}")
    assert parsed.intake_token_hashes == {"scanner-gent": DIGEST, "import": DIGEST}


@pytest.mark.parametrize(
    "value",
    [
        "scanner:secret-token",
        f":{DIGEST}",
        "scanner",
        f"a:{DIGEST},a:{DIGEST}",
        f"{'s' * 58}:{DIGEST}",  # longer than the audit log's actor column allows
        f"scan ner:{DIGEST}",
    ],
)
def test_a_malformed_entry_refuses_to_start_without_echoing_it(value: str) -> None:
    with pytest.raises(ValidationError) as refused:
        settings(intake_tokens=value)
    assert "secret-token" not in str(refused.value)
    assert "WERKPLEK_INTAKE_TOKENS" in str(refused.value)


def test_the_token_command_prints_a_token_and_its_settings_line(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["post", "token", "scanner-gent"]) == 0
    out = capsys.readouterr().out.splitlines()
    token = out[0].rsplit(" ", 1)[-1]
    assert out[-1] == f"scanner-gent:{hashlib.sha256(token.encode()).hexdigest()}"
    assert settings(intake_tokens=out[-1]).intake_token_hashes["scanner-gent"]
    assert main(["post", "token", "bad name"]) == 2
