"""One vocabulary (bot/i18n/GLOSSARY.md): no text in either catalog uses a form the glossary
forbids, and staff texts carry no IT jargon.

Which texts staff read is decided by the key: every key is a staff text unless it starts with
one of ADMIN_PREFIXES or is one of ADMIN_KEYS (texts for the mailroom, ICT-beheerders, the
service desk, Werkplek's administrators, scanners and the command line, who need the precise
terms). A new capability's texts are therefore staff texts until someone says otherwise here
and in the glossary.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from bot.i18n import CATALOG_DIR, LOCALES, catalog_messages

ROOT = Path(__file__).resolve().parents[2]
GLOSSARY = ROOT / "bot" / "i18n" / "GLOSSARY.md"

ADMIN_PREFIXES = (
    "licence_admin.",
    "catalogue.",
    "report.",
    "post_register.",
    "post.rules.",
    "post.intake.",
    "post.import.",
    "post_rules_admin.",
    "workbook.",
    "workbooks.",
    "cli.",
    "tenant.",
    # The announcement API's answers, read by whoever builds a flow on it (Entra tokens, roles).
    "announcements.api.",
)
ADMIN_KEYS = frozenset(
    {
        # Notices to an entity's ICT-beheerders, who set the usage location and buy seats.
        "licence.notice.usage_location_missing",
        "licence.body.usage_location",
        "licence.notice.seats_needed",
        "licence.body.seats_needed",
        # The account's origin when it is in order: the access card shows it to agents only.
        "access.source.cloud",
        "access.source.cloud_converted",
        "access.source.synced",
    }
)

# Everywhere, both languages: a counted text is a plural entry, never "fout(en)" or "rule(s)".
_PARENTHESISED_PLURAL = re.compile(r"\w\((?:en|n|s|es|'s|ren|ven|eren)\)", re.IGNORECASE)
# In Dutch, outside a plural entry: a number right before a counted noun ("{days} dagen",
# "{count} recentste aanvragen", one adjective between) would read "1 dagen" for one. Such a
# text is a plural entry (t.n). Extend the list with a noun a new text counts.
_COUNTED_NOUNS = (
    "dagen",
    "minuten",
    "aanvragen",
    "regels",
    "stukken",
    "brieven",
    "poststukken",
    "fouten",
    "scans",
    "rijen",
    "uren",
    "weken",
    "licenties",
    "personen",
    "mensen",
    "items",
)
_NUMBER_BEFORE_NOUN = re.compile(
    r"\{(\w*)\}\s+(?:\w+\s+)?(?:" + "|".join(_COUNTED_NOUNS) + r")\b", re.IGNORECASE
)
# Placeholders that hold a name, never a number: "{item} aanvragen" is the verb.
_NAMED_PLACEHOLDERS = frozenset({"item", "name", "who", "entity", "reference"})
# Everywhere in Dutch.
_DUTCH_FORBIDDEN = {
    "postbak": re.compile(r"postbak", re.IGNORECASE),
    "kun je / je kunt / kunt u": re.compile(r"\bkun\s+je\b|\bkunt\b", re.IGNORECASE),
    "personengids": re.compile(r"personengids", re.IGNORECASE),
}
# In staff texts, both languages.
_JARGON = {
    "usageLocation": re.compile(r"usage\s*location", re.IGNORECASE),
    "gebruikslocatie": re.compile(r"gebruikslocatie", re.IGNORECASE),
    "Entra": re.compile(r"\bEntra\b", re.IGNORECASE),
    "Active Directory": re.compile(r"active\s+directory", re.IGNORECASE),
    "synchronisatie": re.compile(r"synchroni[sz]", re.IGNORECASE),
    "Sleutelgroepen": re.compile(r"sleutelgroep|key\s+groups?", re.IGNORECASE),
    "tenant": re.compile(r"\btenant", re.IGNORECASE),
    "UPN": re.compile(r"\bUPN\b"),
    "externalId": re.compile(r"external\s*id", re.IGNORECASE),
    "Graph": re.compile(r"\bGraph\b"),
    "triage": re.compile(r"\btriage\b", re.IGNORECASE),
}
# In Dutch staff texts: a delegation is "Post tijdens afwezigheid", not a "doorsturing".
_DUTCH_STAFF_FORBIDDEN = {"doorsturing": re.compile(r"doorsturing", re.IGNORECASE)}


def is_staff_text(key: str) -> bool:
    return key not in ADMIN_KEYS and not key.startswith(ADMIN_PREFIXES)


def counts_without_plural(text: str) -> bool:
    """A number placeholder right before a counted Dutch noun ("{days} dagen")."""
    return any(
        found.group(1) not in _NAMED_PLACEHOLDERS for found in _NUMBER_BEFORE_NOUN.finditer(text)
    )


def problems(locale: str, key: str, text: str, *, plural: bool = False) -> list[str]:
    """What in this one text goes against the glossary (empty when it is in line). `plural`:
    the text is a plural entry's forms."""
    rules: dict[str, re.Pattern[str]] = {"a (s)/(en) plural": _PARENTHESISED_PLURAL}
    if locale == "nl":
        rules |= _DUTCH_FORBIDDEN
    if is_staff_text(key):
        rules |= _JARGON
        if locale == "nl":
            rules |= _DUTCH_STAFF_FORBIDDEN
    found = [
        f"{locale} {key}: {name} in {text!r}" for name, rule in rules.items() if rule.search(text)
    ]
    if locale == "nl" and not plural and counts_without_plural(text):
        found.append(f"{locale} {key}: a count without a plural entry in {text!r}")
    return found


def catalog_problems(folder: Path, locale: str) -> list[str]:
    """Every problem in a folder's catalogs (read as they are written, so a plural entry is
    known by its msgid_plural; its forms are checked together)."""
    found: list[str] = []
    for path in sorted(folder.glob("*.po")):
        with path.open("rb") as handle:
            catalog = read_po(handle, locale=locale)
        for message in catalog:
            if not message.id:
                continue
            plural = message.pluralizable
            key = str(message.id[0] if plural else message.id)
            string = message.string
            text = "\n".join(string) if isinstance(string, tuple | list) else str(string)
            found += problems(locale, key, text, plural=plural)
    return found


@pytest.mark.parametrize("locale", LOCALES)
def test_every_text_follows_the_glossary(locale: str) -> None:
    assert len(catalog_messages(locale)) > 200, "the catalogs were not read"
    found = catalog_problems(CATALOG_DIR / locale / "LC_MESSAGES", locale)
    assert not found, "\n".join(found)


@pytest.mark.parametrize(
    ("locale", "key", "text"),
    [
        ("nl", "post_rules_admin.checked.body", "Het bestand bevat 3 regel(s)."),
        ("en", "post_rules_admin.checked.body", "The workbook holds 3 rule(s)."),
        ("nl", "cli.x", "Er zijn 2 fout(en)."),
        ("nl", "post.destination.entity", "de postbak van {entity}"),
        ("nl", "help.x", "Kun je dit even nakijken?"),
        ("nl", "help.x", "Hier kunt u dat aanpassen."),
        ("nl", "access.x", "Je kunt alleen je eigen toegang bekijken."),
        ("nl", "post.x", "Die persoon staat niet in de personengids."),
        ("nl", "access.licences.no_location", "Er is geen gebruikslocatie ingesteld."),
        ("en", "access.licences.no_location", "No usage location is set."),
        ("en", "licence.reason.usage_location", "No usageLocation in Entra ID."),
        ("nl", "access.kind.groups", "Sleutelgroepen"),
        ("nl", "access.source.stale", "Gesynchroniseerd vanuit de lokale Active Directory."),
        ("nl", "servicedesk.x", "Vraag het aan je tenant-beheerder."),
        ("nl", "post.where.triage", "In triage"),
        ("nl", "post.delegation.cancelled", "Die doorsturing is stopgezet."),
        ("nl", "post.delegation.error.too_long", "Dit kan voor hoogstens {days} dagen."),
        ("nl", "licence.mine.more", "Alleen je {count} recentste aanvragen staan hier."),
        ("nl", "cli.post_purge.done", "{count} scans verwijderd, bewaartermijn {days} dagen."),
        ("nl", "post.open.ready", "Deze link werkt {minutes} minuten lang."),
        ("nl", "cli.x", "{changed} van de {count} stukken zouden anders lopen."),
    ],
)
def test_the_forbidden_forms_are_caught(locale: str, key: str, text: str) -> None:
    assert problems(locale, key, text)


@pytest.mark.parametrize(
    ("locale", "key", "text"),
    [
        ("nl", "help.x", "Je kan dit even nakijken."),
        ("nl", "licence.form.error.item", "Dit kan je niet (meer) aanvragen."),
        ("nl", "access.kind.mfa", "Tweestapsverificatie (MFA)"),
        ("nl", "access.source.synced", "Gesynchroniseerd vanuit de lokale Active Directory."),
        ("nl", "licence.body.usage_location", "Stel de gebruikslocatie (usageLocation) in."),
        ("nl", "post_register.destination.triage", "Triage postkamer"),
        ("en", "cli.post_import.which_tenant", "Give the tenant with --tenant."),
        ("en", "post.delegation.title", "Mail while you are away"),
        ("nl", "licence.form.title", "{item} aanvragen"),
        ("nl", "licence.form.title_again", "{item} opnieuw aanvragen"),
        ("nl", "cli.post_rules.stored", "Regels opgeslagen: {count} ({active} actief)."),
        ("nl", "excel.x", "Fouten in het werkboek: {count}."),
        ("en", "cli.x", "{count} scans deleted."),
    ],
)
def test_what_the_glossary_allows_passes(locale: str, key: str, text: str) -> None:
    assert problems(locale, key, text) == []


def test_a_count_in_a_plural_entry_passes() -> None:
    forms = "Dit kan voor hoogstens {count} dag.\nDit kan voor hoogstens {count} dagen."
    assert problems("nl", "post.delegation.error.too_long", forms, plural=True) == []
    assert problems("nl", "post.delegation.error.too_long", forms)


def test_a_count_outside_a_plural_entry_is_caught_in_a_catalog(tmp_path: Path) -> None:
    """The catalog scan itself: a plain entry that counts is reported, its plural twin not."""
    (tmp_path / "x.po").write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
        'msgid "x.bad"\nmsgstr "Nog {days} dagen."\n\n'
        'msgid "x.good"\nmsgid_plural "x.good"\n'
        'msgstr[0] "Nog {count} dag."\nmsgstr[1] "Nog {count} dagen."\n',
        encoding="utf-8",
    )
    found = catalog_problems(tmp_path, "nl")
    assert len(found) == 1 and found[0].startswith("nl x.bad: a count without a plural entry")


# Buttons are verbs. A Dutch button reads as one when it starts with an imperative from this
# list or with an infinitive, or ends with an infinitive ("Opnieuw proberen"); a noun phrase
# ("Details", "Mijn aanvragen", "Afgehandeld") does not. Extend the list with a new imperative.
_IMPERATIVES = frozenset(
    [
        "toon",
        "verberg",
        "stel",
        "bekijk",
        "schrijf",
        "beantwoord",
        "los",
        "bewaar",
        "verstuur",
        "download",
        "kies",
        "maak",
        "contacteer",
        "registreer",
        "breng",
        "vraag",
        "open",
        "stuur",
        "zoek",
        "bekijk",
        "bevestig",
        "keur",
        "weiger",
        "meld",
        "typ",
        "neem",
        "zet",
    ]
)
# Navigation and answers that are no action of their own.
# Buttons that are no action: paging, a reason, and the answers to a card's own question
# ("Heeft dit geholpen?" Ja / Nee).
_NOT_ACTIONS = frozenset(
    {"Vorige", "Volgende", "Niet voor mij", "Terug naar de lijst", "Ja, bedankt", "Nee"}
)
_NOUN_STARTS = frozenset({"mijn", "je", "jouw", "uw", "de", "het", "een", "nieuwe"})
_BUTTON_HELPERS = {"execute", "run_button", "open_url", "_show_card"}


def is_a_verb(button: str) -> bool:
    words = [w.strip("()!?.,").casefold() for w in button.split()]
    if button in _NOT_ACTIONS:
        return True
    if not words or words[0] in _NOUN_STARTS:
        return False
    return words[0] in _IMPERATIVES or words[0].endswith("en") or words[-1].endswith("en")


def button_keys() -> set[str]:
    """Every id whose text is a button title: t("id") as the first argument of a button helper."""
    keys: set[str] = set()
    for path in (ROOT / "cards").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and node.args):
                continue
            name = getattr(node.func, "id", getattr(node.func, "attr", ""))
            title = node.args[0]
            if name not in _BUTTON_HELPERS or not isinstance(title, ast.Call) or not title.args:
                continue
            if getattr(title.func, "id", getattr(title.func, "attr", "")) != "t":
                continue
            literal = title.args[0]
            if isinstance(literal, ast.Constant) and isinstance(literal.value, str):
                keys.add(literal.value)
    return keys


def test_dutch_buttons_are_verbs() -> None:
    keys = button_keys()
    assert len(keys) > 20, "the scan found too few buttons; is it still reading the cards?"
    dutch = catalog_messages("nl")
    # (an id missing from the catalogs is test_i18n's to report)
    nouns = sorted(f"{k}: {dutch[k]!r}" for k in keys if k in dutch and not is_a_verb(dutch[k]))
    assert not nouns, "\n".join(nouns)


@pytest.mark.parametrize("button", ["Details", "Mijn aanvragen", "Afgehandeld", "Nieuwe aanvraag"])
def test_a_noun_is_no_button(button: str) -> None:
    assert not is_a_verb(button)


@pytest.mark.parametrize(
    "button", ["Afhandelen", "Opnieuw proberen", "Maak er een regel van", "Toon details", "Kies"]
)
def test_a_verb_is_a_button(button: str) -> None:
    assert is_a_verb(button)


def test_the_glossary_names_every_admin_exception() -> None:
    """The glossary says which texts may keep precise terms; it and this test agree."""
    glossary = GLOSSARY.read_text(encoding="utf-8")
    for exception in (*ADMIN_PREFIXES, *sorted(ADMIN_KEYS)):
        assert f"`{exception}`" in glossary, exception


def test_every_admin_exception_still_exists() -> None:
    """An exception for a key that was renamed would silently exempt nothing (or a newcomer)."""
    keys = set(catalog_messages("nl"))
    for prefix in ADMIN_PREFIXES:
        assert any(key.startswith(prefix) for key in keys), prefix
    assert not ADMIN_KEYS - keys, sorted(ADMIN_KEYS - keys)
