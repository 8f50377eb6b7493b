"""The catalogue workbook's layout: sheets, columns, their Dutch and English names, and the help.

One table drives the writer, the reader, the Toelichting sheet and the error messages, so a
column renamed here is renamed everywhere.
"""

from __future__ import annotations

import re
from dataclasses import replace

from bot.domain.licences.catalogue import (
    DEFAULT_DECISION_DAYS,
    DEFAULT_MIN_JUSTIFICATION,
    MAX_STAGES,
    ApproverKind,
    Fulfilment,
    ItemKind,
    WorkspaceRole,
)
from bot.excel.layout import Col, SheetLayout

README = ("Toelichting", "Read me")
LIST_JOIN = "; "
# Stage columns read beyond the allowed ones, so a "Fase 3 goedkeurder" is reported, not ignored.
STAGE_COLUMNS_READ = 9


KINDS = tuple(kind.value for kind in ItemKind)
FULFILMENTS = tuple(f.value for f in Fulfilment)
APPROVERS = tuple(a.value for a in ApproverKind)
ROLES = tuple(r.value for r in WorkspaceRole)
YES, NO = "ja", "nee"


def stage_columns(number: int) -> tuple[Col, Col]:
    return (
        Col(f"stage{number}_approver", f"Fase {number} goedkeurder", f"Stage {number} approver",
            18, choices=APPROVERS),
        Col(f"stage{number}_people", f"Fase {number} personen", f"Stage {number} people", 38),
    )  # fmt: skip


ITEMS = SheetLayout("items", "Artikelen", "Items", (
    Col("key", "Sleutel", "Key", 22, required=True),
    Col("kind", "Soort", "Kind", 16, required=True, choices=KINDS),
    Col("name_nl", "Naam (nl)", "Name (nl)", 30, required=True),
    Col("name_en", "Naam (en)", "Name (en)", 30),
    Col("fulfilment", "Toekenning", "Fulfilment", 14, required=True, choices=FULFILMENTS),
    Col("group_id", "Groep-id", "Group id", 38),
    Col("sku_id", "SKU-id", "SKU id", 38),
    Col("workspace", "Werkruimte", "Workspace", 24),
    Col("workspace_role", "Werkruimterol", "Workspace role", 15, choices=ROLES),
    Col("description_nl", "Omschrijving (nl)", "Description (nl)", 40),
    Col("description_en", "Omschrijving (en)", "Description (en)", 40),
    Col("synonyms", "Synoniemen", "Synonyms", 36),
    Col("min_justification", "Min. motivering (tekens)", "Min justification", 14, numeric=True,
        aliases=("minimum justification",)),
))  # fmt: skip
QUESTIONS = SheetLayout("questions", "Vragen", "Questions", (
    Col("item", "Artikel", "Item", 22, required=True, aliases=("item key",)),
    Col("key", "Sleutel", "Key", 18, required=True),
    Col("label_nl", "Vraag (nl)", "Label (nl)", 45, required=True, aliases=("question nl",)),
    Col("label_en", "Vraag (en)", "Label (en)", 45, aliases=("question en",)),
    Col("required", "Verplicht", "Required", 11, choices=(YES, NO)),
), required=False)  # fmt: skip
ENTITIES = SheetLayout("entities", "Entiteiten", "Entities", (
    Col("code", "Code", "Code", 10, required=True),
    Col("name_nl", "Naam (nl)", "Name (nl)", 40, required=True),
    Col("name_en", "Naam (en)", "Name (en)", 40),
    Col("staff_group_id", "Personeelsgroep-id", "Staff group id", 38, required=True),
    Col("admin_group_id", "ICT-beheerdersgroep-id", "Admin group id", 38,
        aliases=("beheerdersgroep id",)),
))  # fmt: skip
POLICIES = SheetLayout("policies", "Beleid", "Policies", (
    Col("key", "Sleutel", "Key", 20, required=True),
    *stage_columns(1),
    *stage_columns(2),
    Col("decision_days", "Beslistermijn (dagen)", "Decision days", 14, numeric=True,
        aliases=("beslistermijn",)),
    Col("fallback", "Vangnet (personen)", "Fallback people", 38, aliases=("vangnet", "fallback")),
), also_read=tuple(
    column
    for number in range(MAX_STAGES + 1, STAGE_COLUMNS_READ + 1)
    for column in stage_columns(number)
))  # fmt: skip
OFFERS = SheetLayout("offers", "Aanbod", "Offers", (
    Col("item", "Artikel", "Item", 22, required=True),
    Col("entity", "Entiteit", "Entity", 12, required=True),
    Col("policy", "Beleid", "Policy", 20, required=True),
    Col("max_days", "Max. duur (dagen)", "Max days", 14, numeric=True, aliases=("maximum days",)),
))  # fmt: skip
SHEETS = (ITEMS, QUESTIONS, ENTITIES, POLICIES, OFFERS)

# Words accepted for enum values besides the value itself (compared without case or accents).
KIND_WORDS = {
    ItemKind.LICENCE: ("licentie", "license"),
    ItemKind.WORKSPACE_ROLE: ("werkruimterol", "werkruimte rol", "workspace role"),
}
FULFILMENT_WORDS = {Fulfilment.GROUP: ("groep",), Fulfilment.DIRECT: ("rechtstreeks",)}
APPROVER_WORDS = {
    ApproverKind.MANAGER: ("leidinggevende",),
    ApproverKind.ENTITY_ADMIN: ("ict", "ict beheerder", "ict beheerders", "entity admin"),
    ApproverKind.NAMED: ("personen", "benoemd"),
}
ROLE_WORDS = {
    WorkspaceRole.VIEWER: ("lezer",),
    WorkspaceRole.CONTRIBUTOR: ("bijdrager",),
    WorkspaceRole.MEMBER: ("lid",),
}

# --- the Toelichting sheet (Dutch: it is what admins read next to the data) ---------------------
_INTRO = (
    "Dit werkboek is de catalogus van Werkplek: wat medewerkers kunnen aanvragen, wie goedkeurt "
    "en hoe het wordt toegekend.",
    "Pas de bladen aan en laad het bestand op (werkplek catalog import, of in de chat als "
    "beheerder). Elke rij wordt gecontroleerd; bij één fout wordt niets overgenomen en krijg je "
    "alle fouten met blad, rij en kolom.",
    "Lijsten in één cel scheid je met ; of , . Kolomnamen en bladnamen mogen ook in het Engels. "
    "Dit blad wordt niet ingelezen.",
)
_SHEET_HELP = {
    "items": "Wat medewerkers kunnen aanvragen: een licentie of een rol in een Power "
    "BI-werkruimte.",
    "questions": "Extra vragen op het aanvraagformulier, per artikel, in deze volgorde. Dit blad "
    "mag ontbreken.",
    "entities": "De entiteiten (departementen, agentschappen). Een medewerker hoort bij de "
    "entiteit van zijn personeelsgroep.",
    "policies": f"Hoe een aanvraag wordt goedgekeurd: in 0, 1 of {MAX_STAGES} fasen.",
    "offers": "Welk artikel welke entiteit mag aanvragen, met welk beleid. Het aanbod aan één "
    "entiteit gaat voor het aanbod aan iedereen (*).",
}
_COLUMN_HELP = {
    "items.key": "Vaste, unieke code, bv. powerbi-pro (letters, cijfers, - _ .). Niet meer "
    "wijzigen zodra er aanvragen voor zijn.",
    "items.kind": "licence (licentie) of workspace_role (rol in een Power BI-werkruimte).",
    "items.name_nl": "Naam zoals medewerkers ze zien.",
    "items.name_en": "Engelse naam (leeg: de Nederlandse).",
    "items.fulfilment": "group: de persoon wordt lid van de groep hiernaast; direct: de licentie "
    "wordt rechtstreeks toegewezen.",
    "items.group_id": "Object-id (GUID) van de Entra-groep. Verplicht bij toekenning group.",
    "items.sku_id": "skuId (GUID) van het abonnement waarvan het artikel een licentie gebruikt. "
    "Verplicht bij toekenning direct; bij group nodig om vrije licenties te tellen.",
    "items.workspace": "Naam van de Power BI-werkruimte. Verplicht bij een werkruimterol.",
    "items.workspace_role": "Viewer, Contributor of Member. Verplicht bij een werkruimterol.",
    "items.description_nl": "Korte uitleg: wat kan je ermee?",
    "items.description_en": "Engelse uitleg.",
    "items.synonyms": "Woorden die medewerkers gebruiken, gescheiden door ; (bv. power bi; "
    "dashboard).",
    "items.min_justification": "Minimale lengte van de motivering in tekens (leeg: "
    f"{DEFAULT_MIN_JUSTIFICATION}).",
    "questions.item": "Sleutel van het artikel (blad Artikelen).",
    "questions.key": "Code van de vraag, uniek binnen het artikel.",
    "questions.label_nl": "De vraag zoals medewerkers ze zien.",
    "questions.label_en": "Engelse vraag.",
    "questions.required": "ja of nee (leeg: nee).",
    "entities.code": "Korte, unieke code, bv. ADV.",
    "entities.name_nl": "Naam van de entiteit.",
    "entities.name_en": "Engelse naam.",
    "entities.staff_group_id": "Object-id (GUID) van de groep met alle medewerkers van de "
    "entiteit.",
    "entities.admin_group_id": "Object-id (GUID) van de groep met de ICT-beheerders van de "
    "entiteit (zij beslissen bij entity_admin).",
    "policies.key": "Unieke code, bv. manager-then-ict.",
    "policies.stage_approver": "Wie de fase beslist: manager (de leidinggevende), entity_admin "
    "(de ICT-beheerders van de entiteit) of named (de personen hiernaast). Leeg: geen fase. "
    f"Hoogstens {MAX_STAGES} fasen.",
    "policies.stage_people": "Object-ids (GUID) van de beslissers, gescheiden door ; (alleen "
    "bij named).",
    "policies.decision_days": "Dagen per fase voor de aanvraag vervalt (leeg: "
    f"{DEFAULT_DECISION_DAYS}).",
    "policies.fallback": "Object-ids (GUID) van wie beslist als een fase niemand heeft (leeg: "
    "de ICT-beheerders van de entiteit).",
    "offers.item": "Sleutel van het artikel.",
    "offers.entity": "Code van de entiteit, of * voor iedereen.",
    "offers.policy": "Sleutel van het beleid.",
    "offers.max_days": "Langste duur in dagen die gevraagd mag worden (leeg: onbeperkt).",
}


def readme_lines() -> list[tuple[str, str, str, str]]:
    """(sheet, column, required, explanation) rows of the Toelichting sheet."""
    lines = [("", "", "", text) for text in _INTRO]
    for sheet in SHEETS:
        lines.append((sheet.nl, "", "", _SHEET_HELP[sheet.key]))
        for column in sheet.columns:
            key = re.sub(r"stage\d+_", "stage_", f"{sheet.key}.{column.key}")
            lines.append((sheet.nl, column.nl, YES if column.required else "", _COLUMN_HELP[key]))
    return lines


def policies_with_stages(stages: int) -> SheetLayout:
    """The policies sheet with columns for `stages` stages (an export of a stored oddity)."""
    if stages <= MAX_STAGES:
        return POLICIES
    extra = [c for n in range(MAX_STAGES + 1, stages + 1) for c in stage_columns(n)]
    at = 1 + 2 * MAX_STAGES
    columns = (*POLICIES.columns[:at], *extra, *POLICIES.columns[at:])
    return replace(POLICIES, columns=columns, also_read=())


def catalogue_column(layout: SheetLayout, column: str) -> Col | None:
    """A problem's column: any stage's, and "stages" (Catalogue.problems() names the stages as
    a whole) as the first stage past the allowed ones."""
    found = layout.column(column)
    if found is None and layout.key == POLICIES.key:
        match = re.fullmatch(r"stage(\d+)_(approver|people)", column)
        if match:
            found = stage_columns(int(match.group(1)))[0 if match.group(2) == "approver" else 1]
        elif column == "stages":
            found = stage_columns(MAX_STAGES + 1)[0]
    return found
