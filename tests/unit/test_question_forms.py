"""The form of a question, apart from its subject (bot/commands/question_forms.py), and what the
understanding step does with it."""

from __future__ import annotations

import pytest

from bot.commands.examples import HOW_TO, Example, ExampleModel, features
from bot.commands.lemmas import tokens
from bot.commands.question_forms import asks_how, skeleton
from bot.commands.understanding import Verdict, understand
from dialogs import command_specs


@pytest.mark.parametrize(
    "text",
    [
        "hoe stel ik MFA in op mijn nieuwe gsm?",
        "Hoe zet ik mijn authenticator over",
        "goeiemorgen, hoe kan ik een rapport delen",
        "@Werkplek hoe moet ge dat doen met die sms-code",
        "how do I set up MFA on my new phone",
        "how to share a dashboard",
        "wat moet ik doen als mijn gsm gestolen is",
        "waar kan ik een nieuwe badge aanvragen",
        "what should I do when my licence expired?",
    ],
)
def test_a_request_for_instructions_is_read_as_one(text: str) -> None:
    assert asks_how(tokens(text))
    assert HOW_TO in features(tokens(text))


@pytest.mark.parametrize(
    "text",
    [
        "is mijn MFA in orde?",
        "hoe ver staat mijn aanvraag",
        "hoe lang duurt het nog",
        "how far along is my request",
        "hoeveel brieven heb ik",
        "toon mijn post",
        "mijn laptop doet het niet, hoe komt dat",
    ],
)
def test_a_question_about_a_state_asks_no_instructions(text: str) -> None:
    assert not asks_how(tokens(text))


def test_the_skeleton_is_the_opening_question_word_and_what_follows() -> None:
    assert skeleton(tokens("Dag! Is mijn account ok?")) == {"?is", "?is_mijn", "?is__account"}
    assert skeleton(tokens("hoe")) == {"?hoe"}
    # Only near the start: a question word deep in a sentence is not its form.
    assert skeleton(tokens("gisteren kreeg ik een nieuwe gsm en weet niet hoe")) == frozenset()


def test_the_examples_learn_what_a_form_asks_for() -> None:
    """Same subject, other form: the form decides."""
    model = ExampleModel(
        [
            Example("is mijn MFA in orde", "status"),
            Example("is mijn toestel in orde", "status"),
            Example("is mijn account geblokkeerd", "status"),
            Example("hoe stel ik een afwezigheidsbericht in", "servicedesk"),
            Example("hoe zet ik mijn printer op", "servicedesk"),
            Example("hoe verbind ik mijn laptop met de wifi", "servicedesk"),
            Example("hoe koppel ik mijn scherm", "servicedesk"),
        ]
    )
    asked = model.guess(tokens("hoe registreer ik mijn toestel"), ["status"])
    assert asked is not None and asked.label == "servicedesk"
    checked = model.guess(tokens("is mijn toestel geregistreerd"), ["status"])
    assert checked is not None and checked.label == "status"


def test_a_how_to_question_the_cues_read_as_a_command_is_left_to_the_examples() -> None:
    """The cues see the access card in "MFA" and "gsm"; the question asks for instructions,
    which the knowledge base has."""
    specs = command_specs()
    model = ExampleModel(
        [
            Example("is mijn MFA in orde", "status"),
            Example("hoe stel ik MFA in", "servicedesk"),
            Example("hoe zet ik de authenticator op mijn gsm", "servicedesk"),
        ]
    )
    text = "hoe stel ik MFA in op mijn nieuwe gsm?"
    assert understand(text, specs).verdict is Verdict.COMMAND  # the cues alone: the card
    assert understand(text, specs, examples=model).verdict is Verdict.NOTHING
