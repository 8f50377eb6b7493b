"""The knowledge base workbook's layout: its sheet, columns, their Dutch and English names, the
words it accepts for a category, how lists sit in a cell, and the help.

One table drives the writer, the reader, the Toelichting sheet and the problem texts, so a
column renamed here is renamed everywhere. The Dutch names are written; the English ones (and
the keys) are accepted on upload.

Lists sit in a cell one entry per line (Alt+Enter in Excel): the questions, because a question
may hold a comma or a semicolon, and the links, each "titel | url" or "titel (nl) | titel (en)
| url".
"""

from __future__ import annotations

from bot.domain.servicedesk.articles import (
    MAX_ANSWER,
    MAX_KEY,
    MAX_LINKS,
    MAX_QUESTION,
    MAX_QUESTIONS,
    MAX_TITLE,
    Category,
)
from bot.excel.layout import Col, SheetLayout

README = ("Toelichting", "Read me")
LINE_JOIN = "\n"  # between the questions, between the links
LINK_SEPARATOR = "|"  # between a link's titles and its url
LINK_JOIN = f" {LINK_SEPARATOR} "
YES = "ja"

CATEGORIES = tuple(category.value for category in Category)
# Words accepted for a category besides its value (compared without case, accents or
# punctuation: "Power BI" == "power-bi").
CATEGORY_WORDS: dict[Category, tuple[str, ...]] = {
    Category.ACCESS: ("toegang", "aanmelden", "toegang en aanmelden", "sign in"),
    Category.LICENCES: ("licentie", "licenties", "licence", "license", "licenses"),
    Category.POWER_PLATFORM: ("power bi", "powerbi", "power apps", "power automate"),
    Category.POST: ("brieven", "postkamer"),
    Category.OTHER: ("ander", "andere", "overige", "varia"),
}

ARTICLES = SheetLayout("articles", "Artikels", "Articles", (
    Col("key", "Sleutel", "Key", 24, required=True, aliases=("code", "id")),
    Col("category", "Categorie", "Category", 16, required=True, choices=CATEGORIES,
        aliases=("rubriek",)),
    Col("title_nl", "Titel (nl)", "Title (nl)", 36, required=True, aliases=("titel",)),
    Col("title_en", "Titel (en)", "Title (en)", 36),
    Col("questions_nl", "Vragen (nl)", "Questions (nl)", 44, aliases=("vragen",)),
    Col("questions_en", "Vragen (en)", "Questions (en)", 44),
    Col("answer_nl", "Antwoord (nl)", "Answer (nl)", 70, required=True, aliases=("antwoord",)),
    Col("answer_en", "Antwoord (en)", "Answer (en)", 70),
    Col("links", "Links", "Links", 50, aliases=("koppelingen", "meer info")),
    Col("owner", "Eigenaar", "Owner", 28, aliases=("beheerder", "team")),
    Col("last_reviewed", "Laatst nagekeken", "Last reviewed", 16,
        aliases=("nagekeken", "nagekeken op", "reviewed", "laatste review")),
))  # fmt: skip
SHEETS = (ARTICLES,)
# Columns holding one entry per line, or Markdown: written wrapped, so every line shows.
MULTILINE = frozenset({"questions_nl", "questions_en", "answer_nl", "answer_en", "links"})
DATE_COLUMNS = frozenset({"last_reviewed"})

# --- the Toelichting sheet (Dutch: it is what admins read next to the data) ---------------------
_INTRO = (
    "Dit werkboek is de kennisbank van de servicedesk: de artikels waarmee Werkplek vragen van "
    "medewerkers beantwoordt.",
    "Pas het blad Artikels aan en laad het bestand op (als beheerder, in de chat of met de "
    "opdrachtregel). Elke rij wordt gecontroleerd; bij één fout wordt niets overgenomen en krijg "
    "je alle fouten met rij en kolom. De kennisbank wordt als geheel vervangen: een rij die je "
    "weglaat, verdwijnt.",
    "Vragen en links zet je elk op een eigen regel in de cel (Alt+Enter). Kolomnamen en de "
    "bladnaam mogen ook in het Engels. Dit blad wordt niet ingelezen.",
)
_SHEET_HELP = "Eén artikel per rij."
_COLUMN_HELP = {
    "key": "Vaste, unieke code, bv. mfa-registreren: kleine letters, cijfers en -, hoogstens "
    f"{MAX_KEY} tekens. Niet meer wijzigen: de cijfers van de servicedesk tellen per sleutel.",
    "category": "access (toegang en aanmelden), licences (licenties), power_platform (Power BI "
    "en Power Platform), post of other (andere).",
    "title_nl": f"De titel zoals medewerkers hem zien, hoogstens {MAX_TITLE} tekens. Telt het "
    "zwaarst bij het zoeken.",
    "title_en": "Engelse titel (leeg: het artikel wordt alleen in het Nederlands gezocht).",
    "questions_nl": "De vragen die het artikel beantwoordt, in de woorden die medewerkers "
    f"gebruiken: één per regel, hoogstens {MAX_QUESTIONS}, elk hoogstens {MAX_QUESTION} "
    "tekens. Ze tellen even zwaar als de titel.",
    "questions_en": "Dezelfde vragen in het Engels, één per regel.",
    "answer_nl": f"Het antwoord, hoogstens {MAX_ANSWER} tekens, in Markdown zoals Teams het "
    "toont: **vet**, _schuin_, lijstjes met - of 1., links als [tekst](https://...).",
    "answer_en": "Het Engelse antwoord (leeg: het artikel wordt alleen in het Nederlands gezocht).",
    "links": f"Hoogstens {MAX_LINKS} links onder het antwoord, één per regel: titel | "
    "https://... of titel (nl) | titel (en) | https://... Alleen https.",
    "owner": "Wie het artikel actueel houdt, bv. het adres van een team.",
    "last_reviewed": "Wanneer het artikel laatst is nagekeken, als datum (dd/mm/jjjj).",
}


def readme_lines() -> list[tuple[str, str, str, str]]:
    """(sheet, column, required, explanation) rows of the Toelichting sheet."""
    lines = [("", "", "", text) for text in _INTRO]
    lines.append((ARTICLES.nl, "", "", _SHEET_HELP))
    for column in ARTICLES.columns:
        required = YES if column.required else ""
        lines.append((ARTICLES.nl, column.nl, required, _COLUMN_HELP[column.key]))
    return lines
