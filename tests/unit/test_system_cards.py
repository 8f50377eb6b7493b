"""The dispatcher's own answers never end without a next step (issue #11, "no dead ends")."""

from __future__ import annotations

from typing import Any

import pytest

from bot.domain.licences.requests import NotYours
from bot.domain.platform.errors import AppNotPermitted, DomainError, Forbidden, NotFound
from bot.i18n import LOCALES, Translator
from cards.base import heading
from cards.platform.system import denied_card, explained, failure_card, notice_card
from cards.verbs import Verb
from tests.support.schemas import validate_card

NL = Translator("nl")
REFERENCE = "WP-1A2B3C4D"
DESK = "https://servicedesk.example/werkplek"


def buttons(card: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    """(title, verb or url, data) of each action, in order."""
    return [
        (a["title"], a.get("verb") or a["url"], a.get("data", {})) for a in card.get("actions", [])
    ]


def texts(card: dict[str, Any]) -> list[str]:
    return [block["text"] for block in card["body"] if block["type"] == "TextBlock"]


def test_a_refusal_offers_what_the_person_can_do() -> None:
    card = denied_card("beheerder", NL)

    assert buttons(card) == [("Toon wat ik kan", str(Verb.RUN_COMMAND), {"command": "help"})]
    assert card["body"][0] == heading(NL("denied.title"))


def test_a_notice_without_a_better_step_offers_help() -> None:
    card = notice_card("Dat vond ik niet terug.", NL)  # the positional form callers use today

    assert texts(card) == ["Dat vond ik niet terug."]
    assert buttons(card) == [("Toon wat ik kan", str(Verb.RUN_COMMAND), {"command": "help"})]


def test_a_notice_can_run_the_same_command_again_with_its_words() -> None:
    card = notice_card("Het is nu erg druk.", NL, retry=("post", "factuur Proximus"))

    assert buttons(card) == [
        (
            "Opnieuw proberen",
            str(Verb.RUN_COMMAND),
            {"command": "post", "args": "factuur Proximus"},
        )
    ]


def test_a_notice_can_send_the_person_to_the_right_command() -> None:
    card = notice_card(
        "Dat is niet jouw aanvraag.", NL, next_command=("requests", "cmd.requests.title")
    )

    assert buttons(card) == [
        (NL("cmd.requests.title"), str(Verb.RUN_COMMAND), {"command": "requests"})
    ]


def test_a_notice_with_both_offers_the_retry_first() -> None:
    card = notice_card(
        "x", NL, retry=("status", ""), next_command=("requests", "cmd.requests.title")
    )

    assert [(title, data) for title, _, data in buttons(card)] == [
        ("Opnieuw proberen", {"command": "status"}),
        (NL("cmd.requests.title"), {"command": "requests"}),
    ]


def test_a_failure_keeps_its_reference_and_adds_a_retry_only_when_asked() -> None:
    plain = failure_card(REFERENCE, DESK, NL)
    retried = failure_card(REFERENCE, DESK, NL, retry=("status", "sofie"))

    for card in (plain, retried):
        assert any(REFERENCE in line for line in texts(card))
        assert buttons(card)[-1] == ("Servicedesk contacteren", DESK, {})
    assert len(buttons(plain)) == 1
    assert buttons(retried)[0] == (
        "Opnieuw proberen",
        str(Verb.RUN_COMMAND),
        {"command": "status", "args": "sofie"},
    )


def test_retry_words_are_cut_to_what_the_button_payload_accepts() -> None:
    card = notice_card("x", NL, retry=("post", "a" * 5000))

    (_, _, data) = buttons(card)[0]
    assert 0 < len(data["args"]) <= 500


@pytest.mark.parametrize("locale", LOCALES)
def test_every_variant_is_a_valid_card(locale: str) -> None:
    t = Translator(locale)
    for card in (
        denied_card("beheerder", t),
        notice_card("x", t),
        notice_card("x", t, retry=("post", "y"), next_command=("requests", "cmd.requests.title")),
        failure_card(REFERENCE, DESK, t, retry=("status", "")),
    ):
        validate_card(card)
        assert card["actions"], "every answer ends in a step"


def test_a_domain_error_names_no_next_step_unless_told() -> None:
    assert DomainError().next_command is None
    assert NotFound("licence.error.unknown_request").next_command is None
    pointed = NotYours(next_command=("requests", "cmd.requests.title"))
    assert pointed.next_command == ("requests", "cmd.requests.title")
    assert pointed.params == {}  # the step is no message parameter
    assert NotYours().next_command is None  # a class default is not changed by one raise


def test_the_apps_missing_permission_is_not_the_persons_refusal() -> None:
    error = AppNotPermitted()

    assert not isinstance(error, Forbidden)
    assert error.reference.startswith("WP-")
    assert AppNotPermitted().reference != error.reference
    message = explained(error, NL)
    assert "Microsoft 365" in message and error.reference in message
    assert message != NL("error.forbidden")
    assert error.reference in explained(error, Translator("en"))
