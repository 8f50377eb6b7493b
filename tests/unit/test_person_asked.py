"""A person of the desk asked to act (bot/commands/person_asked.py), and what the understanding
step does with it: a ticket, however long the complaint before the ask."""

from __future__ import annotations

import pytest

from bot.commands.examples import PERSON, Example, ExampleModel, features
from bot.commands.lemmas import tokens
from bot.commands.person_asked import asks_person, complaint_for_a_person
from bot.commands.shipped_model import corpus_model
from bot.commands.understanding import Verdict, understand
from bot.domain.platform.roles import Role
from dialogs import command_specs

_STAFF = [spec for spec in command_specs() if spec.allows(frozenset({Role.STAFF}))]


@pytest.mark.parametrize(
    "text",
    [
        "de scanner in de postkamer is vastgelopen, kan er iemand komen",
        "zou iemand mij kunnen contacteren? ik krijg een foutmelding",
        "Kunnen jullie mijn tweede scherm nog leveren?",
        "kan ICT een laptop klaarzetten voor onze stagiair",
        "the tablet charger in the site van is dead, can IT send a new one",
        "allee, mijn scherm is zwart, stuur iemand aub",
        "I need someone to reset my MFA, lost my phone on site",
        "tablet gestolen uit de wagen, wie kan da doen",
        "is er iemand die mij kan helpen met de beamer?",
        "graag een ticket, de authenticator app blijft vragen om een code",
        "open a ticket please: the printer jams",
        # who can come and do it; someone who must, or who can; a ticket by another name
        "mijn scherm is gebarsten. wie kan da komen maken?",
        "iemand moet naar de printer op 4 kijken, da ding drukt niks af",
        "iemand die kan helpen met mijn laptop die niet meer opstart?",
        "open an incident, teams won't start on my laptop",
        "graag interventie aan de pc in de controlezaal",
    ],
)
def test_a_person_asked_to_act(text: str) -> None:
    assert asks_person(tokens(text))
    assert PERSON in features(tokens(text))


@pytest.mark.parametrize(
    "text",
    [
        "mijn scherm is zwart en niks reageert",  # a complaint, no one asked
        "kan iemand anders mijn post ontvangen tijdens mijn verlof?",  # someone else, one's post
        "kan iemand mij uitleggen hoe ik een rapport deel?",  # someone to explain
        "kan ik bij ICT terecht voor een nieuwe muis?",  # the caller does the asking
        "can it be fixed remotely?",  # "it" is no IT
        "hoe ver staat mijn ticket?",  # one's own ticket, asked after
        "wie kan mijn aanvraag goedkeuren?",  # who may, a rule
        "moet ik iemand bellen?",  # the caller would act
        "iemand die mij kan uitleggen hoe dat werkt",  # someone to explain
        "hoe ver staat mijn incident van gisteren?",  # one's own, asked after
    ],
)
def test_no_person_asked(text: str) -> None:
    assert not asks_person(tokens(text))


@pytest.mark.parametrize(
    "text",
    [
        "de scanner in de postkamer is vastgelopen, kan er iemand komen",
        "allee, mijn scherm is zwart en niks reageert, stuur iemand aub",
        "zou iemand mij kunnen contacteren? ik krijg een foutmelding als ik de aanvraag van "
        "mijn medewerker wil goedkeuren",
        "Kunnen jullie mij contacteren? Ik krijg mijn MFA niet opnieuw ingesteld.",
        "graag een ticket, de authenticator app blijft vragen om een code en ik geraak er niet in",
    ],
)
def test_a_complaint_that_asks_for_a_person_opens_a_ticket(text: str) -> None:
    result = understand(text, _STAFF, None, corpus_model())
    assert result.verdict is Verdict.COMMAND
    assert result.ranked[0].name == "ticket"


@pytest.mark.parametrize(
    ("text", "one_ticket"),
    [
        ("kan iemand mijn MFA resetten? nieuwe gsm en ik geraak nergens meer in", True),
        ("kan iemand van ICT mij terugbellen, ik sta langs de baan en kan nie inloggen", True),
        # A question of its own beside the person: two asks.
        ("teams doet raar, ligt het aan mijn account? en kan er iemand mij bellen", False),
        ("check my account and open a ticket, I can't log in on the tablet", False),
        ("is mijn laptop in orde en kan iemand hem nakijken", False),
        ("mijn account is geblokkeerd en ik kan niet inloggen", False),  # no one asked
    ],
)
def test_a_complaint_for_a_person_is_one_ask(text: str, one_ticket: bool) -> None:
    assert complaint_for_a_person(text, tokens(text)) is one_ticket


def test_a_person_asked_about_a_sign_in_complaint_opens_a_ticket() -> None:
    # The complaint's words are the access card's, and "en" cuts the message in two parts.
    text = "kan iemand mijn MFA resetten? nieuwe gsm en ik geraak nergens meer in"
    result = understand(text, _STAFF, None, corpus_model())
    assert result.verdict is Verdict.COMMAND
    assert result.ranked[0].name == "ticket"


def test_a_person_asked_beside_a_question_of_its_own_asks_which() -> None:
    # Two asks: the account questioned, and someone to call; the person chooses.
    text = "teams doet raar, ligt het aan mijn account? en kan er iemand mij bellen"
    result = understand(text, _STAFF, None, corpus_model())
    assert result.verdict is Verdict.ASK
    assert {c.name for c in result.choices} == {"status", "ticket"}


def test_a_complaint_alone_stays_with_the_knowledge_base() -> None:
    result = understand("mijn scherm is zwart en niks reageert", _STAFF, None, corpus_model())
    assert result.verdict is Verdict.NOTHING


def test_a_person_asked_is_never_left_to_the_knowledge_base() -> None:
    # Examples that read such a message as the knowledge base's still send the person: the
    # knowledge base's answer sends no one.
    learnt = ExampleModel(
        [
            *(
                Example(text, "servicedesk")
                for text in (
                    "wanneer wordt mijn oude laptop opgehaald",
                    "wie haalt de oude laptops op",
                    "mijn oude gsm inleveren, waar moet dat",
                    "waar kan ik een oude laptop afgeven",
                )
            ),
            Example("maak een ticket aan voor mijn laptop", "ticket"),
            Example("toon mijn post", "post"),
        ]
    )
    result = understand("kunnen jullie mijn oude laptop ophalen?", _STAFF, None, learnt)
    assert result.verdict is Verdict.COMMAND
    assert result.ranked[0].name == "ticket"
