"""The routing-rules workbook's layout: its sheet, columns, the words it accepts, and the help.

One table drives the writer, the reader, the Toelichting sheet and the problem texts, so a
column renamed here is renamed everywhere. The Dutch names are written; the English ones (and
the keys) are accepted on upload.
"""

from __future__ import annotations

from bot.domain.post.items import DestinationKind, DocumentType
from bot.domain.post.rule_names import TEAM_SEPARATOR as TEAM_ID_SEPARATOR
from bot.excel.layout import Col, SheetLayout

README = ("Toelichting", "Read me")
LIST_JOIN = "; "
YES, NO = "ja", "nee"
TEAM_SEPARATOR = TEAM_ID_SEPARATOR  # a team target: "<group id>|<channel id>"

# Written in the export (Dutch); each also accepts the enum value and the words below.
DESTINATION_WORDS: dict[DestinationKind, tuple[str, ...]] = {
    DestinationKind.PERSON: ("persoon", "person", "medewerker"),
    DestinationKind.TEAM: ("team", "kanaal", "channel"),
    DestinationKind.ENTITY: ("entiteit", "entity", "postvak entiteit"),
    DestinationKind.TRIAGE: ("triage", "postkamer", "mailroom"),
}
DOCUMENT_TYPE_WORDS: dict[DocumentType, tuple[str, ...]] = {
    DocumentType.LETTER: ("brief", "letter"),
    DocumentType.INVOICE: ("factuur", "invoice"),
    DocumentType.REGISTERED: ("aangetekend", "aangetekende zending", "registered"),
    DocumentType.LEGAL: ("juridisch", "legal", "gerechtelijk"),
    DocumentType.NOTICE: ("kennisgeving", "notice", "aanslag"),
    DocumentType.PARCEL_NOTICE: ("pakjesbericht", "parcel notice", "parcel"),
    DocumentType.OTHER: ("ander", "andere", "other"),
}
DESTINATIONS = tuple(words[0] for words in DESTINATION_WORDS.values())

RULES = SheetLayout("rules", "Regels", "Rules", (
    Col("position", "Volgorde", "Order", 10, required=True, numeric=True,
        aliases=("positie", "position", "nr")),
    Col("id", "Id", "Id", 12, required=True, aliases=("regel", "rule", "rule id", "code")),
    Col("entity", "Entiteit", "Entity", 12, aliases=("scope",)),
    Col("addressee_ids", "Geadresseerden", "Addressees", 48,
        aliases=("geadresseerden (id)", "geadresseerde id", "addressee ids", "addressee id")),
    Col("addressee_text", "Geadresseerde bevat", "Addressee contains", 30,
        aliases=("geadresseerde", "geadresseerde tekst", "addressee", "addressee text")),
    Col("sender", "Afzender bevat", "Sender contains", 30,
        aliases=("afzender", "sender", "sender text")),
    Col("document_types", "Documentsoorten", "Document types", 24,
        aliases=("documentsoort", "soort", "document type", "types")),
    Col("keywords", "Trefwoorden", "Keywords", 30, aliases=("trefwoord", "keyword")),
    Col("destination", "Bestemming", "Destination", 14, required=True, choices=DESTINATIONS,
        aliases=("soort bestemming", "destination kind")),
    Col("target", "Doel", "Target", 48,
        aliases=("doel id", "bestemming id", "target id", "naar")),
    Col("active", "Actief", "Active", 9, choices=(YES, NO)),
    Col("description", "Omschrijving", "Description", 40, aliases=("uitleg",)),
))  # fmt: skip

# --- the Toelichting sheet (Dutch: it is what admins read next to the data) ---------------------
_INTRO = (
    "Dit werkboek bevat de regels die bepalen waar inkomende post terechtkomt.",
    "De regels worden in volgorde overlopen; de eerste actieve regel waarvan alle ingevulde "
    "voorwaarden kloppen, bepaalt de bestemming. Past geen enkele regel, dan gaat de post naar "
    "de persoon die op de omslag staat (als die eenduidig herkend wordt), anders naar de triage "
    "van de postkamer.",
    "Laad het bestand op met werkplek rules import (of in de chat als beheerder). Elke rij wordt "
    "gecontroleerd; bij één fout wordt niets overgenomen en krijg je alle fouten met blad, rij "
    "en kolom. Je ziet ook waar de laatste post met de nieuwe regels naartoe zou gaan.",
    "Lijsten in één cel scheid je met ; of , . Kolomnamen en bladnamen mogen ook in het Engels. "
    "Dit blad wordt niet ingelezen.",
)
_COLUMN_HELP = {
    "position": "Volgorde waarin de regels worden overlopen: een geheel getal vanaf 1, uniek.",
    "id": "Vaste, unieke code van de regel, bv. R-003 (letters, cijfers, - _ .). Je ziet ze in "
    "de audit en in de proefrit.",
    "entity": "Code van de entiteit waarvoor de regel geldt, of * (of leeg) voor alle entiteiten.",
    "addressee_ids": "Personen: de regel geldt als de omslag een van hen noemt. Per persoon het "
    "e-mailadres (bv. jef.peeters@vlaanderen.be) of het object-id (GUID). De export schrijft "
    "Naam <id>: alleen wat tussen < en > staat, wordt gelezen.",
    "addressee_text": "Woorden die allemaal in de geadresseerde op de omslag moeten staan, bv. "
    "dienst personeel.",
    "sender": "Woorden die allemaal in de naam of organisatie van de afzender moeten staan.",
    "document_types": "Een of meer van: brief, factuur, aangetekend, juridisch, kennisgeving, "
    "pakjesbericht, ander.",
    "keywords": "Woorden waarvan er minstens één in het onderwerp of de gescande tekst moet staan.",
    "destination": "persoon, team, entiteit of triage.",
    "target": "Bij persoon: het e-mailadres (bv. jef.peeters@vlaanderen.be) of het object-id "
    "(GUID). Bij team: Team / Kanaal (bv. Team Werkplekdiensten / Algemeen) of groeps-id (GUID) "
    "| kanaal-id, bv. 45051185-e7a1-43b1-a23e-15b0763768d2|19:abc@thread.tacv2. Bij entiteit: "
    "de code van de entiteit. Bij triage: leeg. De export schrijft Naam <id>: alleen wat tussen "
    "< en > staat, wordt gelezen. Namen worden bij het opladen opgezocht; past een naam bij "
    "niemand of bij meer dan één, dan zie je dat per rij.",
    "active": "ja of nee (leeg: ja). Een regel op nee wordt overgeslagen.",
    "description": "Waarom de regel bestaat (voor wie de regels later beheert).",
}


def readme_lines() -> list[tuple[str, str, str, str]]:
    """(sheet, column, required, explanation) rows of the Toelichting sheet."""
    lines = [("", "", "", text) for text in _INTRO]
    for column in RULES.columns:
        required = YES if column.required else ""
        lines.append((RULES.nl, column.nl, required, _COLUMN_HELP[column.key]))
    return lines
