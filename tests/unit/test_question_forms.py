"""The form of a question, apart from its subject (bot/commands/question_forms.py), and what the
understanding step does with it."""

from __future__ import annotations

import pytest

from bot.commands.examples import EITHER, HOW_TO, RULE, Example, ExampleModel, features
from bot.commands.have_questions import asks_have, have_or_get, opening_question
from bot.commands.lemmas import tokens
from bot.commands.question_forms import asks_either, asks_how, asks_rule, skeleton
from bot.commands.shipped_model import corpus_model
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
        # how a command's rules work: a question for the knowledge base, not the command
        "Wat gebeurt er met mijn post als de delegatie afloopt?",
        "wie moet mijn licentieaanvraag eigenlijk goedkeuren?",
        "What happens to my mail delegation if I extend my leave?",
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


@pytest.mark.parametrize(
    "text",
    [
        "Worden pakjes ook gescand of enkel brieven?",  # a passive, not about one's own
        "wie keurt een aanvraag voor Power Automate goed?",
        "Waarom moet mijn diensthoofd mijn Power BI aanvraag goedkeuren?",
        "hoe lang blijft een postdelegatie actief?",
        "Stopt het doorsturen automatisch op de einddatum?",  # a word of rules
        "Krijg ik een melding als er aangetekende post binnenkomt?",  # a condition
        "Als ik van dienst verander, volgt mijn post dan mee?",
        "Is it possible to have my post delegated to two people?",
        "Do licences expire if I don't use them for a while?",
        # whether something is needed, verb first; on someone's behalf; a price
        "Heb ik een Pro-licentie nodig om een gedeeld rapport te bekijken?",
        "Do viewers of a workspace need a Pro licence?",
        "Kan ik een licentie aanvragen in naam van een nieuwe collega?",
        "wat kost een Power BI Pro licentie aan onze afdeling?",
        # how a thing works; a word of rules; which one is needed
        "how does approval of a Power Automate Premium request work?",
        "hoe werkt het goedkeuren van een licentieaanvraag?",
        "is een account hetzelfde als een licentie?",
        "welke licentie heb ik nodig om een rapport te delen met een ander agentschap?",
        "Which licence do I need to build a Power App that uses Dataverse?",
        # who may; what a group of people may do, asked of others
        "wie mag er een Power BI Pro licentie krijgen?",
        "who is allowed to approve workspace access?",
        "mogen stagiairs een power bi licentie aanvragen?",
        "Mag een jobstudent lid zijn van de werkruimte Begrotingsopvolging?",
        "can interns get a Power BI Pro licence",
        "kunnen externe consultants ook toegang krijgen tot Ruimtelijke Data?",
        # whether one may use a thing in some way
        "mag ik een Power BI rapport publiceren naar het web voor een externe partner?",
        "mag ik dataverse gebruiken voor persoonsgegevens?",
        "May I share a Power BI dashboard with people outside the administration?",
        "are we allowed to store personal data in a Power Apps table?",
        # what one may do in a role; how many one may have
        "mag ik als teamleider mijn eigen aanvraag goedkeuren?",
        "can I as an approver see which licences my team already has?",
        "hoeveel power bi licenties mag een team hebben?",
    ],
)
def test_a_question_on_how_a_commands_rules_work_is_read_as_one(text: str) -> None:
    assert asks_rule(tokens(text))
    assert RULE in features(tokens(text))


@pytest.mark.parametrize(
    "text",
    [
        "wordt mijn ticket nog behandeld voor maandag?",  # about one's own
        "kan Els mijn post krijgen volgende week?",
        "is er aangetekende post voor mij?",
        "toon mijn open post",
        "als je tijd hebt",  # a condition, but no question
        "hoe ver staat mijn aanvraag",
        "ik heb een licentie nodig om rapporten te delen",  # a need, not a question
        "heb ik alles wat ik nodig heb qua licenties?",  # what one has
        "do I already have Power BI Pro or do I need to request it?",
        "de prijs van PPU is veranderd, ik moet de catalogus bijwerken",
        "mag ik een Power BI Pro licentie?",  # for oneself: asks for it
        "onze stagiair heeft Power BI Pro nodig, kan ik dat aanvragen?",  # the group not asked
        "mag ik Power BI Pro aanvragen? ik moet rapporten delen met mijn afdeling",
        "mag ik een licentie om dashboards te delen met collega's",  # the licence is asked for
        "kan ik als nieuwe analist een power bi licentie krijgen",  # in a role, but to get it
        "hoeveel brieven heb ik deze week gekregen?",  # how many, no one may
    ],
)
def test_a_request_or_a_question_about_ones_own_asks_no_rule(text: str) -> None:
    assert not asks_rule(tokens(text))


@pytest.mark.parametrize(
    ("text", "have"),
    [
        ("Do I have Power BI Premium per user yet?", True),
        ("heb ik zelf al Power Apps Premium?", True),
        ("heeft Thomas Van Acker al een licentie voor Power BI? hij is nieuw", True),
        ("heb ik al toegang tot de workspace Begrotingsopvolging?", True),
        ("ik heb een Power BI licentie nodig", False),  # a need: the licence form
        ("heb ik Power BI Pro nodig om een rapport te bekijken?", False),
        ("heb ik post?", False),  # no licence nor product
        ("can I have Power Automate?", False),  # "have" not where a question opens
        # Dutch "want" is "because": no English want.
        ("welke licenties heb ik allemaal, want ik zie in power bi geen knop om te delen", True),
        ("have I got Power BI Pro, I want it for a report", False),
        # asked as a membership or as whether it still holds
        ("ben ik lid van de werkruimte Begrotingsopvolging?", True),
        ("am I a member of the Ruimtelijke Data workspace", True),
        ("Is my Power BI Premium Per User licence still active?", True),
        ("is mijn doorsturen nog actief?", False),  # no licence nor product: a delegation
        ("ik wil lid worden van Begrotingsopvolging", False),
        # as Flemish speaks it; whether it is on one's name; asked after "weten of"
        ("hebbek ik de workspace ruimtelijke data al", True),
        ("Staat mijn Power BI licentie er al op?", True),
        ("ik wil graag weten of mijn Power BI licentie nog loopt", True),
        ("could you check if I have Power BI Pro", True),
        ("ik wil weten of mijn aanvraag voor Power BI goedgekeurd is", False),  # a request made
        ("ik wil weten of ik Power BI Pro kan krijgen", False),
        ("ik heb nood aan een power bi licentie", False),  # a need
        # which of ours one holds
        ("Which workspaces am I a member of?", True),
        ("ik zou graag weten tot welke werkruimtes ik toegang heb", True),
        ("welke licentie heb ik nodig om rapporten te delen", False),  # a need
        ("welke licenties kan ik aanvragen", False),
        ("I have to share reports with my team in Power BI", False),
    ],
)
def test_a_question_whether_someone_has_a_licence(text: str, have: bool) -> None:
    assert asks_have(tokens(text)) is have


@pytest.mark.parametrize(
    ("text", "have"),
    [
        # What follows a question of its own says why one asks.
        ("Heb ik al een Power BI Pro licentie? Ik wil een rapport delen met mijn team.", True),
        ("Do I have a Power BI licence already? I want to know before I request anything.", True),
        # Asked in one sentence, the need is part of the question.
        ("heb ik een Power BI licentie nodig om een rapport te delen? mijn chef vraagt het", False),
    ],
)
def test_a_have_question_of_its_own_is_read_apart_from_what_follows(text: str, have: bool) -> None:
    assert asks_have(tokens(text), text) is have
    # Without the text, its sentences are one: the need after it counts.
    assert not asks_have(tokens(text))


def test_the_opening_question_is_cut_only_when_more_follows() -> None:
    text = "heb ik PPU? mijn dataset is groot"
    assert [w.folded for w in opening_question(tokens(text), text)] == ["heb", "ik", "ppu"]
    single = "heb ik PPU?"
    assert len(opening_question(tokens(single), single)) == 3


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


def test_a_rule_question_the_cues_find_two_commands_in_is_left_to_the_examples() -> None:
    """ "who approves ... request" holds the licence form's and the requests list's words
    alike; it asks how approval works, which the knowledge base has, not which of the two."""
    specs = command_specs()
    model = ExampleModel(
        [
            Example("is mijn aanvraag al goedgekeurd", "requests"),
            Example("ik wil power apps premium aanvragen", "licence"),
            Example("who approves licence requests", "servicedesk"),
            Example("wie keurt een aanvraag goed", "servicedesk"),
        ]
    )
    text = "who approves a Power Apps premium request in our department?"
    assert understand(text, specs).verdict is Verdict.ASK  # the cues alone: which of two
    assert understand(text, specs, examples=model).verdict is Verdict.NOTHING


@pytest.mark.parametrize(
    "text",
    [
        "heb ik al power bi? zo niet, vraag het aan",
        "Ik wil Power Apps aanvragen, of heb ik die misschien al?",
        "moet ik ppu nog aanvragen of zit dat al in mijn account",
        "do I already have Power BI Pro or should I request it?",
        "heb ik al pro, anders vraag ik het aan",
        "heb ik power bi pro? zo niet, vraag het dan aan",  # "al" unsaid
        "Heb ik toegang tot Power Apps premium of moet ik dat nog aanvragen?",
    ],
)
def test_already_having_or_asking_for_it_asks_which(text: str) -> None:
    """Whether one has it is the access card's, asking for it the licence form's: the person
    chooses, whatever else the words lean to."""
    assert have_or_get(tokens(text))
    understood = understand(text, command_specs())
    assert understood.verdict is Verdict.ASK
    assert {c.name for c in understood.choices} == {"licence", "status"}


@pytest.mark.parametrize(
    ("text", "asks"),
    [
        # a product of ours alone, with a question mark: whether one has it, or wants it
        ("power bi pro?", {"licence", "status"}),
        ("pbi??", {"licence", "status"}),
        ("Power BI for me?", {"licence", "status"}),
        # a request without the question mark; one's own licences; none of ours
        ("power bi pro aub", {"licence"}),
        ("mijn licenties?", {"status"}),
    ],
)
def test_a_product_asked_alone_asks_which(text: str, asks: set[str]) -> None:
    understood = understand(text, command_specs(), None, corpus_model())
    read = understood.choices or understood.ranked[:1]
    assert {candidate.name for candidate in read} == asks


@pytest.mark.parametrize(
    "text",
    [
        "is mijn aanvraag al goedgekeurd of niet?",
        "heb ik al een licentie voor power bi?",
        "ik wil power bi aanvragen",
        "heeft mijn diensthoofd mijn aanvraag al bekeken of ligt die nog bij haar",
        "heb ik power automate premium? mijn flow zegt van niet",
        "ik heb mijn aanvraag nog niet gekregen, of moet ik het opnieuw aanvragen",
    ],
)
def test_one_question_about_having_or_a_request_is_no_choice(text: str) -> None:
    assert not have_or_get(tokens(text))


@pytest.mark.parametrize(
    ("text", "either"),
    [
        ("moet ik elk jaar mijn licentie opnieuw aanvragen of blijft die gewoon staan?", True),
        ("kan ik als stagiair Power BI krijgen of is dat enkel voor vaste medewerkers?", True),
        ("Who approves PPU requests, my manager or someone in ICT?", True),
        ("mag ik mijn eigen aanvraag goedkeuren of moet iemand anders dat doen?", True),
        ("post of brieven van de stad Gent", False),  # "of" between two words of one request
        ("of moet ik", False),  # nothing before the alternative
        ("is er post van de FOD Financien", False),
    ],
)
def test_a_question_that_offers_two_ways_things_may_be(text: str, either: bool) -> None:
    assert asks_either(tokens(text)) is either
    assert (EITHER in features(tokens(text))) is either


def test_a_have_question_is_never_read_as_a_request() -> None:
    # Examples that read such a question as the licence form's still give the access card:
    # whether one has it is no request for it.
    learnt = ExampleModel(
        [
            Example("ik wil de workspace ruimtelijke data", "licence"),
            Example("toegang tot de workspace ruimtelijke data aub", "licence"),
            Example("workspace ruimtelijke data viewer", "licence"),
            Example("is mijn account in orde", "status"),
            Example("toon mijn post", "post"),
        ]
    )
    understood = understand(
        "heb ik de workspace ruimtelijke data al?", command_specs(), None, learnt
    )
    assert understood.verdict is Verdict.COMMAND
    assert understood.ranked[0].name == "status"
