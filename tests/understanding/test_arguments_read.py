"""Arguments read from whole sentences, by class (issue #11): what the command's own parser
gets, and sentences whose reading must not change."""

from __future__ import annotations

from datetime import date

import pytest

from bot.commands.arguments import extract
from bot.commands.lemmas import tokens
from bot.commands.understanding import Verdict, understand
from bot.domain.platform.roles import Role
from bot.services.post.listing import Scope
from devtools.demo_catalogue import demo_catalogue
from dialogs import command_specs
from dialogs.licences.admin import parse_report_ask
from dialogs.post.text import DelegationAsk, parse_delegation, parse_filters, read_delegation
from tests.understanding.corpus import Utterance
from tests.understanding.test_corpus import judge

TODAY = date(2026, 12, 1)  # a Tuesday


def _args(name: str, text: str) -> str:
    return extract(name, False, text, tokens(text), frozenset()).args


# --- post: handled said otherwise ---------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "scope"),
    [
        ("wat heb ik al verwerkt", Scope.HANDLED),
        ("welke brieven heb ik afgewerkt", Scope.HANDLED),
        ("letters I already dealt with", Scope.HANDLED),
        ("which of my letters are marked as done", Scope.HANDLED),
        ("welke brieven heb ik deze week al behandeld", Scope.HANDLED),
        ("mijn onbehandelde brieven", Scope.OPEN),
        ("alles, ook wat al verwerkt is", Scope.ALL),  # the handled ones too: all of it
        ("welke brieven zijn nog niet afgehandeld", Scope.OPEN),  # unchanged
        ("welke post heb ik nog ni behandeld", Scope.OPEN),  # "niet" as spoken
        ("show my letters that are not handled yet", Scope.OPEN),
        # "niet" a word or two before: the ones not handled
        ("is er nog post die ik niet heb afgehandeld", Scope.OPEN),
        ("only the open letters please, not the handled ones", Scope.OPEN),
    ],
)
def test_handled_in_other_words(text: str, scope: Scope) -> None:
    assert parse_filters(_args("post", text)).scope is scope


def test_the_words_for_handled_are_read_by_the_post_parser_too() -> None:
    assert parse_filters("verwerkt").scope is Scope.HANDLED
    assert parse_filters("afgewerkte").scope is Scope.HANDLED
    assert parse_filters("zoek Fluvius").search == "Fluvius"


# --- status: what is no person ------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "person"),
    [
        ("sinds de update van gisteren vraagt teams mijn wachtwoord", ""),  # a time
        ("ik ben overgeplaatst naar het Facilitair Bedrijf, klopt mijn account?", ""),
        ("STATUS VAN NATHALIE GOOSSENS", "NATHALIE GOOSSENS"),  # shouted: no particle
        ("is het account van stagiair Lars Wuyts al aangemaakt?", "Lars Wuyts"),
        # a first name before a surname with a particle, particles in a row
        ("account status Wouter Van Damme", "Wouter Van Damme"),
        ("check Van den Broeck", "Van den Broeck"),
        ("status van Broeck", "Broeck"),  # "van": about someone
        # one's own account: a capitalised place or team is nobody; someone of one's own is
        ("is mijn account klaar? ik begin maandag bij Digitaal Vlaanderen", ""),
        ("check mijn collega Sarah Peeters haar MFA", "Sarah Peeters"),
        ("is mijn account gesynchroniseerd? ik ben van entiteit veranderd", ""),
        ("ik ben van Gent naar Brugge verhuisd, is mijn account in orde?", ""),  # a place
        ("heb ik eigenlijk toegang tot Ruimtelijke Data?", ""),  # a place to work in
        ("Dirk Van den Broeck belt dat zijn account geblokkeerd is", "Dirk Van den Broeck"),
        # unchanged
        ("status van Jan Van den Broeck", "Jan Van den Broeck"),
        ("Fatima Ouali kan niet aanmelden", "Fatima Ouali"),
        ("can you look at Fatima Ouali's devices?", "Fatima Ouali"),
        # a letter joined by an apostrophe is part of the name
        ("status van Jan D'Hondt", "Jan D'Hondt"),
        # a full stop ends a name, an initial's does not
        ("status van Dirk Mertens. Met vriendelijke groet", "Dirk Mertens"),
        ("status van J. Peeters", "J. Peeters"),
        ("kijk eens naar de MFA van Nele D’hondt", "Nele D’hondt"),
        # a code after a name is no part of it
        ("Collega Fatima Amrani van AWV kan niet aanmelden", "Fatima Amrani"),
        ("heeft Nathalie Wuyts van AFB MFA geactiveerd?", "Nathalie Wuyts"),
    ],
)
def test_who_a_status_is_about(text: str, person: str) -> None:
    assert _args("status", text) == person


@pytest.mark.parametrize(
    ("text", "person"),
    [
        ("accountstatus bart vermeulen", "bart vermeulen"),
        ("status nathalie dhondt aub, ze belt voor de derde keer", "nathalie dhondt"),
        ("status jan van den broeck", "jan van den broeck"),
        ("status mijn account", ""),
        ("status graag", ""),
        ("status van mij", ""),  # the writer: no one to look up
        ("status voor mezelf", ""),
        # a name begun with capitals goes on with capitals
        ("welke licenties heeft Hanne Goossens momenteel?", "Hanne Goossens"),
    ],
)
def test_a_full_name_right_after_the_command_capitals_or_not(text: str, person: str) -> None:
    agent = [spec for spec in command_specs() if spec.allows(frozenset({Role.STAFF, Role.AGENT}))]
    result = understand(text, agent)
    assert result.winner is not None and (result.winner.name, result.winner.args) == (
        "status",
        person,
    )


# --- delegation: days and names -----------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "name", "starts", "ends"),
    [
        # one day said alone is that day
        ("ik ben morgen op opleiding, kan mijn post naar Laura Claes", "Laura Claes", 2, 2),
        # a weekday before its date is that date
        ("van maandag 7 december tot vrijdag 11 december post naar Els Maes", "Els Maes", 7, 11),
        # weekdays: the end follows the start
        ("van maandag tot woensdag gaat mijn post naar Ella Verbruggen", "Ella Verbruggen", 7, 9),
        # a place is no delegate
        (
            "van 16 tot 23 december zit ik in Lissabon, kan Pieter Claessens mijn post krijgen",
            "Pieter Claessens",
            16,
            23,
        ),
        (
            "ik vertrek naar Brussel van 14 tot 18 december, mijn brieven naar Koen Lemmens",
            "Koen Lemmens",
            14,
            18,
        ),
        # unchanged: "tot en met" is an end, the start today
        ("mijn post naar Lotte De Smet tot en met 24 december", "Lotte De Smet", 1, 24),
        ("tot en met vrijdag mag Sam mijn brieven hebben", "Sam", 1, 4),
        # "nen collega" names no one; the name after it does
        ("mijn post van 7 tot 9 december naar nen collega, Tom Wyffels", "Tom Wyffels", 7, 9),
        # a full name after who the person is, before a place after "naar"; a code is no one
        (
            "van 14 tot 18 december op vakantie naar Spanje, kan mijn collega Els Martens "
            "mijn post opvolgen?",
            "Els Martens",
            14,
            18,
        ),
        (
            "Mijn opvolger Ines Claes moet van 14 tot 18 december mijn post krijgen, ik "
            "verhuis naar AWV",
            "Ines Claes",
            14,
            18,
        ),
        # a name after "voor", "op": with a capital, or right after the post
        ("mijn post vr Sofie Claes van 7 tot 9 december", "Sofie Claes", 7, 9),
        ("zet mijn post efkes op koen dierickx van 7 tot 9 december", "koen dierickx", 7, 9),
        # a full name with capitals before small words after "aan mijn"
        (
            "ik word aan mijn knie geopereerd, kan mijn post van 7 tot 11 december naar "
            "Sofie Wouters gaan?",
            "Sofie Wouters",
            7,
            11,
        ),
        # "vd" typed for "van de"
        ("post naar Gert-Jan vd Velde van 14 tot 18 december", "Gert-Jan vd Velde", 14, 18),
    ],
)
def test_a_delegation_read_from_a_sentence(text: str, name: str, starts: int, ends: int) -> None:
    wanted = parse_delegation(_args("post_delegation", text), TODAY)
    assert wanted is not None
    assert (wanted.name, wanted.starts.day, wanted.ends.day) == (name, starts, ends)


def _asked(text: str) -> DelegationAsk:
    return read_delegation(_args("post_delegation", text), TODAY)


# --- delegation: a delegate by the verb beside the name -----------------------------------------
@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("kan Jonas mijn brieven bekijken?", "Jonas"),
        ("Femke mag mijn post openen", "Femke"),  # opening the sentence
        ("ik ben weg, Ruben De Wolf neemt mijn post over", "Ruben De Wolf"),
        ("please let Ahmed Ouali get my letters", "Ahmed Ouali"),
        ("Let Ahmed Ouali get my letters until Friday", "Ahmed Ouali"),  # "Let" is no name
        ("Sofie will take my letters", "Sofie"),
        ("kan An mijn post doen tot vrijdag", "An"),  # a first name that is a small word
        ("tot vrijdag is Lot Van der Veken mijn vervanger voor de post", "Lot Van der Veken"),
        ("POST NAAR AN WUYTS TOT VRIJDAG", "AN WUYTS"),
        ("mijn post tijdens mijn verlof laten opvolgen door Karim", "Karim"),
        ("mijn vervanger voor de post moet Ilse Claes worden", "Ilse Claes"),
        # a place is no delegate, by a verb or after "naar"
        ("ik ga op missie naar Gent tot vrijdag, Bram Claes neemt mijn post over", "Bram Claes"),
        # after who the person is; typed without a capital, between a verb and the post
        ("ik ben ziek, kan mijn collega Wim mijn post krijgen", "Wim"),
        ("let my colleague Pieter handle my paper mail", "Pieter"),
        ("laat bart mn post krijgen tot vrijdag", "bart"),
        ("kan karim ouali tijdelijk mijn post ontvangen", "karim ouali"),
        ("kan mn collega yasmine mn post krijgen deze vrijdag", "yasmine"),
        ("kan mijn post naar Jan", "Jan"),
        ("mn post mag naar dries vanaf vandaag tot en met 31 december", "dries"),  # not "vanaf"
        ("laat ook mijn post zien", ""),
        ("Ik wil dat Dirk mijn post krijgt terwijl ik weg ben", "Dirk"),  # "dat" before the name
        ("ik wil da Sarah mijn post krijgt als ik er nie ben", "Sarah"),  # "da", as spoken
        ("mag pieter van den broeck mijn post krijgen", "pieter van den broeck"),  # particles
        ("ik ga op verlof, post naar mijne collega frank", "frank"),
        ("Regel dat Ruben De Clercq mijn post krijgt", "Ruben De Clercq"),
        ("ik wil dat er iemand mijn post opvolgt", ""),
        ("who can take my paper mail while I am away?", ""),  # a verb, not a name
        # one delegate replacing another: the new one
        ("mijn postdelegatie aanpassen: Michiel in plaats van Ruben", "Michiel"),
        ("replace Julie with Hannah as my post delegate", "Hannah"),
        ("mijn post: niet meer naar Wim maar naar Ilse vanaf maandag", "Ilse"),
        ("my letters should not go to Tom anymore but to An Peeters", "An Peeters"),
        ("vervang Koen door Marijke voor mijn post", "Marijke"),
        # unchanged
        ("stuur mijn post naar Els Maes tot vrijdag", "Els Maes"),
        ("Hanne Wuyts vervangt mij tot vrijdag", "Hanne Wuyts"),
        (
            "Ik vertrek donderdag naar de Europese Commissie, wil Tom Mertens mijn post bekijken?",
            "Tom Mertens",
        ),
        ("my colleague takes over while I'm on holiday, can she get my letters too?", ""),
        # a full name before a single capitalised word, a place as often
        (
            "allee, ik ben weg van 19 december tot 10 januari (Spanje!!). Zet mijn post op naam "
            "van Dirk Vermeulen in die tijd",
            "Dirk Vermeulen",
        ),
    ],
)
def test_a_delegate_named_beside_a_verb(text: str, name: str) -> None:
    assert _asked(text).name == name


def test_a_first_name_before_a_surname_is_no_typo_of_a_commands_word() -> None:
    # "Gert" is two edits from words the commands know; the message opens with it, but a
    # capitalised word after it makes the pair a name.
    said = Utterance(
        "Gert Smeets neemt mijn post over tot het einde van de week",
        "post_delegation",
        args={"person": "Gert Smeets"},
    )
    assert judge(said).right


# --- delegation: periods, single days, ends -----------------------------------------------------
@pytest.mark.parametrize(
    ("text", "starts", "ends"),
    [
        (
            "volgende week ben ik weg, mijn post naar Els Maes",
            date(2026, 12, 7),
            date(2026, 12, 13),
        ),
        ("I'm off next week, my letters to Els Maes", date(2026, 12, 7), date(2026, 12, 13)),
        ("deze week mag mijn post naar Els Maes", TODAY, date(2026, 12, 6)),
        ("next month my letters go to Els Maes", date(2027, 1, 1), date(2027, 1, 31)),
        ("mijn post naar Els Maes tot het einde van de maand", TODAY, date(2026, 12, 31)),
        ("mijn post naar Els Maes tot eind januari", TODAY, date(2027, 1, 31)),
        # a week's end is its Sunday, as "deze week" ends
        ("mijn post naar Els Maes tot het einde van deze week", TODAY, date(2026, 12, 6)),
        ("my letters to Els Maes until the end of next week", TODAY, date(2026, 12, 13)),
        # a day's name before its date is no day of its own
        ("vanaf woensdag 9/12 mijn post naar Els Maes", date(2026, 12, 9), None),
        (
            "out from Monday the 14th to Wednesday the 23rd, my letters to Els Maes",
            date(2026, 12, 14),
            date(2026, 12, 23),
        ),
        ("I'm out tomorrow, my letters to Els Maes", date(2026, 12, 2), date(2026, 12, 2)),
        ("ik ben terug op 5 januari, mijn post naar Els Maes", TODAY, date(2027, 1, 5)),
        ("vanaf maandag gaat mijn post naar Els Maes", date(2026, 12, 7), None),  # no end said
        ("mijn post naar Els Maes tot ik terug ben", TODAY, None),
        # a day number before "tot" and a dated day, without "van"
        (
            "ik zit in het buitenland (7 tot 18 december), mijn post naar Els Maes",
            date(2026, 12, 7),
            date(2026, 12, 18),
        ),
        # two days named: the first and the last
        (
            "ik ben op 14 en 15 december op opleiding, mijn post naar Els Maes",
            date(2026, 12, 14),
            date(2026, 12, 15),
        ),
        # English ordinals with "the" and "of"; the first borrows the last's month
        (
            "I'm on leave from the 14th to the 23rd of December, my letters to Els Maes",
            date(2026, 12, 14),
            date(2026, 12, 23),
        ),
        ("my letters to Els Maes until the 3rd of January", TODAY, date(2027, 1, 3)),
        # weekdays said with next week are that week's
        (
            "ik ben volgende week donderdag en vrijdag weg, mijn post naar Els Maes",
            date(2026, 12, 10),
            date(2026, 12, 11),
        ),
        # the Flemish of speech drops the last n: "morge"
        ("vanaf morge gaat mijn post naar Els Maes", date(2026, 12, 2), None),
        # day numbers in words, as dictation writes them
        (
            "zet mijn post door naar Els Maes van veertien december tot achttien december",
            date(2026, 12, 14),
            date(2026, 12, 18),
        ),
        ("post naar Els Maes van twee tot vier december", date(2026, 12, 2), date(2026, 12, 4)),
        ("my letters to Els Maes until the twentieth of December", TODAY, date(2026, 12, 20)),
        # a day of the month alone, as an ordinal after "the"
        (
            "I'm on leave from the 10th until the 20th, let Els Maes handle my letters",
            date(2026, 12, 10),
            date(2026, 12, 20),
        ),
        ("can Els Maes handle my post until the 11th", TODAY, date(2026, 12, 11)),
        # a first day whose number is past the end's: the month before the end's
        (
            "kan Els Maes mijn post overnemen van 21 tot en met 3 januari",
            date(2026, 12, 21),
            date(2027, 1, 3),
        ),
        ("mijn post naar Els Maes van 28 tot 2/1", date(2026, 12, 28), date(2027, 1, 2)),
        # a weekday before a day number, then "tem" and a dated day
        (
            "zet mijn post op Els Maes van maandag 14 tem zondag 20 december",
            date(2026, 12, 14),
            date(2026, 12, 20),
        ),
        # a week named by one of its days, a month by its name
        (
            "post naar Els Maes tijdens de week van 14 december",
            date(2026, 12, 14),
            date(2026, 12, 20),
        ),
        ("my letters to Els Maes the week of 16 December", date(2026, 12, 14), date(2026, 12, 20)),
        (
            "ik ben heel de maand januari weg, mag Els Maes mijn post krijgen",
            date(2027, 1, 1),
            date(2027, 1, 31),
        ),
        (
            "forward my mail to Els Maes for the whole of January",
            date(2027, 1, 1),
            date(2027, 1, 31),
        ),
        ("de hele maand december mag Els Maes mijn post krijgen", TODAY, date(2026, 12, 31)),
        ("mijn post naar Els Maes tot eind januari", TODAY, date(2027, 1, 31)),  # a day, still
        # a month one is away in, where no day is said; all of a week
        ("kan Els Maes in januari mijn post krijgen?", date(2027, 1, 1), date(2027, 1, 31)),
        ("during February my post to Els Maes please", date(2027, 2, 1), date(2027, 2, 28)),
        ("in maart met pensioen, vanaf 1 maart post naar Els Maes", date(2027, 3, 1), None),
        ("I'm away all of next week, Els Maes gets my mail", date(2026, 12, 7), date(2026, 12, 13)),
        # two days written as one, or with a dash between
        ("post naar Els Maes van 15-19 dec", date(2026, 12, 15), date(2026, 12, 19)),
        ("mijn post naar Els Maes 15/12-19/12", date(2026, 12, 15), date(2026, 12, 19)),
        ("mijn post naar Els Maes 15-19/12 aub", date(2026, 12, 15), date(2026, 12, 19)),
        ("post naar Els Maes van 15 – 19 december", date(2026, 12, 15), date(2026, 12, 19)),
        ("post naar Els Maes van 28-3 januari", date(2026, 12, 28), date(2027, 1, 3)),
        ("post naar Els Maes tot 15-12", TODAY, date(2026, 12, 15)),  # one day, dashed
        # days named, not written
        ("mijn post naar Els Maes tot nieuwjaar", TODAY, date(2027, 1, 1)),
        (
            "mijn post naar Els Maes van kerstavond tot en met Nieuwjaarsdag",
            date(2026, 12, 24),
            date(2027, 1, 1),
        ),
        (
            "forward my mail to Els Maes from Christmas Eve until New Year's Day",
            date(2026, 12, 24),
            date(2027, 1, 1),
        ),
        (
            "post naar Els Maes van tweede kerstdag tot oudejaarsavond",
            date(2026, 12, 26),
            date(2026, 12, 31),
        ),
        ("mijn post naar Els Maes tot Pasen", TODAY, date(2027, 3, 28)),
        # away until it is over: through that day; around it, no day said
        ("mijn post naar Els Maes tot na nieuwjaar", TODAY, date(2027, 1, 1)),
        ("forward my mail to Els Maes until after Christmas", TODAY, date(2026, 12, 25)),
        ("mijn post naar Els Maes met kerst", TODAY, None),
        # weeks by their ISO number (2026 has 53)
        ("post naar Els Maes in week 51", date(2026, 12, 14), date(2026, 12, 20)),
        ("post naar Els Maes van week 51 tot week 52", date(2026, 12, 14), date(2026, 12, 27)),
        ("forward my mail to Els Maes in weeks 53 and 1", date(2026, 12, 28), date(2027, 1, 10)),
        ("mijn post tot week 2 naar Els Maes", TODAY, date(2027, 1, 17)),
        ("mijn post naar Els Maes wk 49", TODAY, date(2026, 12, 6)),  # this week: from today
        # a day of next week, the week said after it or before it
        ("mijn post naar Els Maes tot woensdag volgende week", TODAY, date(2026, 12, 9)),
        ("mijn post naar Els Maes tot volgende week woensdag", TODAY, date(2026, 12, 9)),
        # ... beside another day that is not next week's
        (
            "vanaf morgen tot en met volgende week vrijdag mag Els Maes mijn post krijgen",
            date(2026, 12, 2),
            date(2026, 12, 11),
        ),
        # a day said with "vanaf" starts, whatever day comes before it
        (
            "ik ga eind januari op pensioen, kan Els Maes vanaf 1 januari mijn post ontvangen",
            date(2027, 1, 1),
            date(2027, 1, 31),
        ),
        # a part-time share is no day
        ("ik werk 4/5, woensdag mag mijn post naar Els Maes", date(2026, 12, 2), date(2026, 12, 2)),
    ],
)
def test_the_days_of_a_delegation(text: str, starts: date, ends: date | None) -> None:
    asked = _asked(text)
    assert (asked.name, asked.starts, asked.ends) == ("Els Maes", starts, ends)


@pytest.mark.parametrize(
    ("said", "starts", "ends"),
    [
        ("naar Jef de week van 14/12", date(2026, 12, 14), date(2026, 12, 20)),
        ("naar Jef week van 2 december", TODAY, date(2026, 12, 6)),  # this week: from today
        ("naar Jef heel de maand januari", date(2027, 1, 1), date(2027, 1, 31)),
        ("naar Jef the month of February", date(2027, 2, 1), date(2027, 2, 28)),
    ],
)
def test_a_week_or_a_month_named_after_the_command(said: str, starts: date, ends: date) -> None:
    assert read_delegation(said, TODAY) == DelegationAsk("Jef", starts, ends)


def test_days_without_a_delegate_are_handed_on() -> None:
    asked = _asked("mijn post mag van 7/12 tot 9/12 naar een collega")
    assert (asked.name, asked.starts, asked.ends) == ("", date(2026, 12, 7), date(2026, 12, 9))


# --- delegation: a stop -------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("stop het doorsturen van mijn post naar Karel Claes", "Karel Claes"),
        ("cancel my mail forwarding to Karel Claes, I'm back", "Karel Claes"),
        ("ik ben terug, mijn post mag weer naar mij", ""),
        ("my post doesn't need to go to Karel anymore", "Karel"),
        ("switch off the forwarding of my post", ""),
        ("ik ben terug, Wim hoeft mijn brieven niet meer te krijgen", "Wim"),
        ("end the post delegation for Marie", "Marie"),
        # lowercase after "op" far from the post names no one
        ("ik ben terug, de brieven die op papier binnenkomen mogen weer naar mij", ""),
        # a first name alone names whose delegation stops; a pronoun or a role names no one
        ("stop delegatie post Fien", "Fien"),
        ("verwijder Tom als vervanger voor mijn post", "Tom"),
        ("stop sending my post to my replacement, I'm back from leave", ""),
        ("stop my post delegation, I'm back from Lisbon", ""),  # a place
    ],
)
def test_a_stop_is_said(text: str, name: str) -> None:
    asked = _asked(text)
    assert (asked.stop, asked.name) == (True, name)


@pytest.mark.parametrize(
    "text",
    [
        "kan Tom mijn post krijgen tot ik terug ben",
        "I'm back on Monday, my letters to Tom until then",
        "mijn post naar Tom tot het einde van de maand",
        # no end said, or a new delegate instead of the old one
        "from January 4th Tom can receive my post. No end date.",
        "mijn post naar Tom vanaf maandag, zonder einddatum",
        "niet meer naar Wim maar naar Tom, tot 11 december",
    ],
)
def test_no_stop_in_the_end_of_an_absence(text: str) -> None:
    assert not _asked(text).stop


@pytest.mark.parametrize(
    ("text", "ends"),
    [
        ("mijn postdelegatie naar Els Maes mag stoppen op 20 december", date(2026, 12, 20)),
        ("the forwarding to Els Maes can stop on Friday", date(2026, 12, 4)),
    ],
)
def test_a_stop_on_a_day_is_the_delegations_last_day(text: str, ends: date) -> None:
    asked = _asked(text)
    assert (asked.stop, asked.name, asked.ends) == (False, "Els Maes", ends)


# --- post: what is searched ---------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "search"),
    [
        ("de dienst van de FOD Financiën stuurde mij een brief", "dienst van de FOD Financiën"),
        ("heeft de gemeente Zemst al geschreven", "gemeente Zemst"),
        ("letters from Fluvius bank", "Fluvius bank"),
        ("letters from the Agency for Nature and Forests", "Agency for Nature and Forests"),
        ("brieven van gisteren", ""),  # a time
        ("de brieven van vanmiddag", ""),
        ("ik zit in HR, welke brieven zijn er", ""),  # a team
        ("BRIEVEN VOOR DE DIENST", ""),  # shouted: capitals name nothing
        ("waar vind ik wat ik gisteren afgehandeld heb", ""),
        # a verb of arriving ends the sender's name
        ("heb ik iets van de belastingdienst gekregen", "belastingdienst"),
        ("zijn er brieven van de stad Gent binnengekomen", "stad Gent"),
        # what a letter is about is searched as its sender is; a time is not
        ("brief over de erfgoedsubsidie al binnen", "erfgoedsubsidie"),
        ("brieven van over twee weken", ""),
        ("post ivm mijn arbeidsongeval?", "arbeidsongeval"),
        ("letters regarding the pension file", "pension file"),
        ("is den brief van den deurwaarder al gescand", "deurwaarder"),
        # a verb's particle closing the sentence is no part of it
        ("zit er post over de kerstmarkt tussen?", "kerstmarkt"),
        # a reference from the envelope, searched whole; a day is none
        ("brief ref 4471/KB/26", "4471/KB/26"),
        ("ik zag referentie 2026/BZ/0417 op een envelop, kunt ge die zoeken?", "2026/BZ/0417"),
        ("letter with reference DOMG-AV-55821", "DOMG-AV-55821"),
        ("brieven van 14/12", ""),
        ("post met referentie 2026/4471 ?", "2026/4471"),  # numbers no day is written as
        ("post van 2026-12-14", ""),
        # "van de" typed short
        ("aangetekende brieven vd notaris", "notaris"),
        # how the sender is addressed is no part of the search
        ("is er iets binnen van mevrouw Vos?", "Vos"),
        ("brieven van de familie Goossens-Verhaegen", "Goossens-Verhaegen"),
        ("kheb een brief gehad van mevr. Ghesquière denk ik", "Ghesquière"),
        ("post van dhr. Bostoen", "Bostoen"),
        # unchanged
        ("brieven van Telenet", "Telenet"),
        ("brieven van de stad Gent", "stad Gent"),
        # what follows the post that opens the message, to its end or a filter
        ("brief vdab", "vdab"),
        ("gescande post deurwaarder", "deurwaarder"),
        ("post gemeente kortenberg deze week", "gemeente kortenberg"),
        ("what post came in for me this week", ""),
        ("post overzicht van deze week aub", ""),
        # a sender typed small is no typo of the commands' words; an authority's own word
        ("heb ik iets van bpost ontvangen", "bpost"),
        ("gescande post stad Gent deze week", "stad Gent"),
        ("Stad Antwerpen heeft mij een brief gestuurd, zit die bij mijn post?", "Stad Antwerpen"),
        # where and when are no sender
        ("post van infrabel ergens?", "infrabel"),
        ("kan ik mijn brieven bekijken? ik werk van thuis vandaag", ""),
        ("ik vind die brief van advocaat Claeys NERGENS terug!!", "advocaat Claeys"),
        # the small words between a name's capitals are the name's
        ("Did the Court of Appeal send anything?", "Court of Appeal"),
        ("heeft het Agentschap Natuur en Bos al geschreven?", "Agentschap Natuur en Bos"),
        # "tussen" is where a letter is, never part of a name
        ("kijk eens of er iets van fluvius tussen zit", "fluvius"),
        ("zit er iets van het OCMW tussen mijn post?", "OCMW"),
        # an authority's name goes on in small letters; a paper before a sender is the sender's
        ("zit er nog ne brief van de FOD financien tussen mijn post", "FOD financien"),
        ("find invoices from Engie", "Engie"),
        ("zoek facturen", "facturen"),
        ("zoek op onderwerp bezwaarschrift", "bezwaarschrift"),
        # a paper searched by its kind alone
        ("heb ik een dagvaarding gekregen?", "dagvaarding"),
        ("is mijn arbeidsovereenkomst al binnen?", "arbeidsovereenkomst"),
    ],
)
def test_what_the_post_is_searched_for(text: str, search: str) -> None:
    assert parse_filters(_args("post", text)).search == search


def test_not_the_registered_ones_asks_for_no_filter() -> None:
    assert not parse_filters(_args("post", "toon de gewone post, niet de aangetekende")).registered
    assert parse_filters(_args("post", "nog niet-behandelde aangetekende zendingen?")).registered


@pytest.mark.parametrize(
    ("text", "scope"),
    [
        ("toon zowel open als afgehandeld", Scope.ALL),
        ("toon alles wat ik al afgehandeld heb", Scope.HANDLED),
        ("mijn aangetekende post, ook de afgehandelde", Scope.ALL),  # the handled ones too
        ("letters from De Lijn, including the handled ones", Scope.ALL),
        ("post I've already processed", Scope.HANDLED),
        ("toon alles, ook wat ik al afgehandeld heb", Scope.ALL),  # unchanged
        ("show me all my post, handled or not", Scope.ALL),
        ("all my scanned mail please, open and closed", Scope.ALL),
        ("Mijn post van deze week met de afgehandelde erbij", Scope.ALL),
        ("show all my mail, handled ones included", Scope.ALL),
        ("anything registered that hasn't been dealt with yet?", Scope.OPEN),
    ],
)
def test_open_and_handled_together(text: str, scope: Scope) -> None:
    assert parse_filters(_args("post", text)).scope is scope


# --- status: what is no person ------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "person"),
    [
        ("mijn laptop doet raar. Company Portal geeft een fout", ""),  # software
        ("is my account ready? I started at Digital Flanders", ""),  # a place
        ("Do I have a Power BI Premium Per User licence?", ""),  # a product's name
        ("status van gebruiker jan.peeters", "jan.peeters"),
        # unchanged
        ("can you look at Fatima Ouali's devices?", "Fatima Ouali"),
        ("which devices are registered to Sara Lambrechts", "Sara Lambrechts"),  # not access to
    ],
)
def test_who_else_a_status_is_about(text: str, person: str) -> None:
    assert _args("status", text) == person


def test_who_a_colleague_is_is_no_part_of_their_name() -> None:
    result = understand("Heeft collega Nadia El Amrani MFA ingesteld?", command_specs())
    assert result.winner is not None
    assert (result.winner.name, result.winner.args) == ("status", "Nadia El Amrani")


def test_a_shouted_sentence_names_someone_only_right_after_its_opening_command_words() -> None:
    shouted = "TWEE KEER EEN FOUT PASWOORD INGEGEVEN, NU GEBLOKKEERD"
    assert extract("status", False, shouted, tokens(shouted), frozenset({3})).args == ""
    opening = "STATUS BRAM DE WOLF"  # unchanged
    assert extract("status", False, opening, tokens(opening), frozenset({0})).args == "BRAM DE WOLF"


def test_what_follows_a_colon_after_the_command_is_what_it_is_about() -> None:
    """ "maak een ticket aan: <the problem>": the problem is the ticket's question, not words
    the ticket command fails to explain (which would leave the message to nobody)."""
    text = "maak een ticket aan: mijn tweede scherm geeft geen beeld meer sinds de verhuis"
    read = understand(text, command_specs())
    assert read.verdict is Verdict.COMMAND and read.ranked[0].name == "ticket"
    assert read.ranked[0].args == text


# --- what is no argument: a signature, where one comes back from -------------------------------
@pytest.mark.parametrize(
    ("name", "text", "args"),
    [
        (
            "status",
            "Geachte, is mijn MFA correct ingesteld? Met vriendelijke groeten, K. Desmet",
            "",
        ),
        ("status", "sinds ik terug ben van ziekteverlof kom ik ni in outlook", ""),
        ("post", "ik ben terug van opleiding. Is er ondertussen post voor mij?", ""),
        ("post", "back from training, any letters for me?", ""),
        ("post", "Goeiemorgen! Gelukkig nieuwjaar eerst en dan: heb ik nog post liggen?", ""),
        # unchanged: a name or a sender that is asked about
        ("status", "status van Jan Peeters aub, bedankt", "Jan Peeters"),
        # a letter's salutation and closing
        ("status", "Geachte, is mijn account geactiveerd? Hoogachtend, M. Claeys", ""),
        ("post", "Beste, is er recent post voor mij toegekomen? Dank bij voorbaat.", ""),
        ("post", "is er post van Proximus? groeten", "zoek Proximus"),
        # the words that lead into the closing
        ("post", "zijn er brieven voor mij binnengekomen? Alvast bedankt, Rita", ""),
        ("status", "status van Jan Peeters. Met vriendelijke groeten, Wim", "Jan Peeters"),
        # a signature of a few lines after a closing line: a name, a role, a team
        (
            "status",
            "Geachte,\n\nStaat bij mij de MFA correct ingesteld?\n\nHoogachtend,\nR. Verhaegen\n"
            "AWV district Brugge",
            "",
        ),
        (
            "post",
            "Is er een brief van De Coster bvba?\nDank u,\nRita Peeters\nAfdeling Wegen Oost",
            "zoek De Coster",
        ),
        # unchanged: a question that goes on after a closing word on its own line
        ("status", "bedankt\nstatus van Jan Peeters aub, hij zit bij AWV in Brugge", "Jan Peeters"),
    ],
)
def test_a_signature_and_a_return_are_nobody_and_nothing_searched(
    name: str, text: str, args: str
) -> None:
    assert _args(name, text) == args


@pytest.mark.parametrize(
    ("text", "args"),
    [
        ("heb ik aangetekde brieven?", "aangetekend"),  # typos repaired
        ("is der post vo mij gekomen deze weke?", "deze week"),
    ],
)
def test_post_filters_typed_loosely(text: str, args: str) -> None:
    result = understand(text, command_specs())
    assert result.winner is not None and (result.winner.name, result.winner.args) == ("post", args)


@pytest.mark.parametrize(
    ("text", "args"),
    [
        # A paper alone is what is searched, when nothing else is.
        ("is er een factuur binnengekomen per post", "zoek factuur"),
        ("zijn er facturen van Proximus binnengekomen?", "zoek Proximus"),
        # A capital "De" inside a sentence is the sender's own, after "zoek" as after "van".
        ("ik zoek ne brief van De Lijn over de bushalte", "zoek De Lijn"),
        ("zoek mijn post op De Vlaamse Waterweg", "zoek De Vlaamse Waterweg"),
        ("zoek de brief van de stad Gent", "zoek stad Gent"),
        # Between quotes: what is searched, as typed, a reference in it too.
        ("toon mijn brieven met 'asbestattest' erin", "zoek asbestattest"),
        ("zoek “kapvergunning 2026-117” in mijn post", "zoek kapvergunning 2026-117"),
        ("search my letters for 'speed camera'", "zoek speed camera"),
        # A filter's word between quotes stays a filter.
        ("toon mijn post die op 'afgehandeld' staat", "afgehandeld"),
        # A letter named by its kind, when nothing else is searched.
        ("zijn er nieuwjaarskaartjes in de post gekomen?", "zoek nieuwjaarskaartjes"),
        ("is het verzoekschrift al gescand in mijn post?", "zoek verzoekschrift"),
        ("heb ik nieuwe brieven?", ""),
    ],
)
def test_the_search_a_sentence_hands_to_the_post_list(text: str, args: str) -> None:
    result = understand(text, command_specs())
    assert result.winner is not None and (result.winner.name, result.winner.args) == ("post", args)


@pytest.mark.parametrize(
    ("text", "command"),
    [
        ("tkt aanmaken", "ticket"),
        ("nieuw tkt", "ticket"),
        ("tkt status", "tickets"),
        ("lic aanvragen", "licence"),
        ("mn pst graag", "post"),
    ],
)
def test_shorthand_typed_in_a_hurry(text: str, command: str) -> None:
    result = understand(text, command_specs())
    assert result.winner is not None and result.winner.name == command


def test_a_keyword_followed_by_ones_own_looks_no_one_up() -> None:
    # The status keyword opens the message; what follows speaks of one's own account, so the
    # dispatcher hands on what the understanding step read (no one), not the raw remainder.
    outcome = judge(Utterance("status van mijn account en MFA", "status", args={"person": ""}))
    assert outcome.right, outcome.problem
    agent = frozenset({Role.STAFF, Role.AGENT})
    looked_up = judge(
        Utterance("status van Jan Peeters", "status", agent, {"person": "Jan Peeters"})
    )
    assert looked_up.right, looked_up.problem


# --- reports: a dash between days ---------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "starts", "ends"),
    [
        ("rapport licenties AWV 1-15 november", date(2026, 11, 1), date(2026, 11, 15)),
        ("licentierapport DOMG van 1/10-30/11", date(2026, 10, 1), date(2026, 11, 30)),
        ("rapport licenties van 1 - 15 november voor AWV", date(2026, 11, 1), date(2026, 11, 15)),
        ("rapport licenties AWV 2026-10-01 – 2026-10-31", date(2026, 10, 1), date(2026, 10, 31)),
        ("rapport licenties AWV 28-3 november", date(2026, 10, 28), date(2026, 11, 3)),
    ],
)
def test_a_dash_between_a_reports_days_says_until(text: str, starts: date, ends: date) -> None:
    asked = parse_report_ask(_args("licence_report", text), TODAY, demo_catalogue().entities)
    assert (asked.start, asked.end, asked.entity) == (
        starts,
        ends,
        "AWV" if "AWV" in text else "DOMG",
    )
