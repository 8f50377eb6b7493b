"""A fixed directory for the addressee tests: the people of devtools/demo_tenant.json (copied,
so a change to the demo does not move these tests) plus a few who make the hard cases: a second
Peeters with initial J, and accents.
"""

from __future__ import annotations

from bot.domain.platform.directory import DirectoryUser
from bot.domain.platform.text import fold

_DEMO = (
    # id, given name, surname, department, company
    ("08c483c0", "An", "De Smet", "Digitale Werkplek", "Agentschap Digitaal Vlaanderen"),
    ("2d4f6a8c", "Jef", "Peeters", "Werkplekdiensten", "Agentschap Digitaal Vlaanderen"),
    ("6c1e2f3a", "Lotte", "Janssens", "Werkplekdiensten", "Agentschap Digitaal Vlaanderen"),
    ("9bc27e58", "Nora", "El Amrani", "Werkplekdiensten", "Agentschap Digitaal Vlaanderen"),
    ("8e31cd68", "Thomas", "Claes", "Digitale Werkplek", "Agentschap Digitaal Vlaanderen"),
    ("c0816f82", "Pieter-Jan", "Wouters", "Communicatie", "Agentschap Digitaal Vlaanderen"),
    ("4c8a26ed", "Tine", "Verhoeven", "Data en Informatie", "Agentschap Digitaal Vlaanderen"),
    ("dd89d31a", "Koen", "Vermeulen", "Ruimtelijke Planning", "Departement Omgeving"),
    ("a30b3089", "Sofie", "Van den Broeck", "Ruimtelijke Planning", "Departement Omgeving"),
    ("adf80054", "Elise", "Maes", "Data en Analyse", "Departement Omgeving"),
    ("f21edbe9", "Bram", "Willems", "Ruimtelijke Planning", "Departement Omgeving"),
    ("faa0fa5f", "Hanne", "Goossens", "Milieu en Natuur", "Departement Omgeving"),
    ("0a2bf9ff", "Wouter", "De Clercq", "District Antwerpen", "Agentschap Wegen en Verkeer"),
    ("b765dfb9", "Jolien", "Mertens", "Verkeerskunde", "Agentschap Wegen en Verkeer"),
    ("c7ff32d4", "Stijn", "Jacobs", "Wegenbouw", "Agentschap Wegen en Verkeer"),
    ("11701624", "Ilse", "Dubois", "District Antwerpen", "Agentschap Wegen en Verkeer"),
    ("88194ccf", "Yusuf", "Demir", "Wegenbouw", "Agentschap Wegen en Verkeer"),
    ("fe0855d4", "Marleen", "Aerts", "Begroting", "Departement Financiën en Begroting"),
    ("16d9e97b", "Dries", "Lemmens", "Begroting", "Departement Financiën en Begroting"),
    ("ce3426f7", "Fien", "Hermans", "Boekhouding", "Departement Financiën en Begroting"),
    ("86817837", "Kobe", "Verstraeten", "Controlling", "Departement Financiën en Begroting"),
    ("63d30060", "Griet", "Van Damme", "Postkamer", "Agentschap Facilitair Bedrijf"),
    ("c875f0f8", "Mehdi", "Bouzid", "Postkamer", "Agentschap Facilitair Bedrijf"),
    ("b108a149", "Lien", "De Backer", "Onthaal", "Agentschap Facilitair Bedrijf"),
    # Extra people for the hard cases (not in the demo tenant).
    ("e0000001", "Jan", "Peeters", "Boekhouding", "Departement Financiën en Begroting"),
    ("e0000002", "Hélène", "Lefèvre", "Begroting", "Departement Financiën en Begroting"),
)


def _user(user_id: str, given: str, surname: str, department: str, company: str) -> DirectoryUser:
    local = fold(f"{given}.{surname.replace(' ', '')}")
    return DirectoryUser(
        id=user_id,
        display_name=f"{given} {surname}",
        user_principal_name=f"{local}@demo.werkplek.be",
        mail=f"{local}@demo.werkplek.be",
        given_name=given,
        surname=surname,
        department=department,
        company_name=company,
    )


# A guest: the company in brackets in the display name, a #EXT# UPN.
SEGERS = DirectoryUser(
    id="3c3423b2",
    display_name="Maarten Segers (Adviesbureau Lindeboom)",
    user_principal_name="maarten.segers_adviesbureau-lindeboom.be#EXT#@demo.werkplek.be",
    mail="maarten.segers@adviesbureau-lindeboom.be",
    given_name="Maarten",
    surname="Segers",
    company_name="Adviesbureau Lindeboom",
    user_type="Guest",
)

DIRECTORY: tuple[DirectoryUser, ...] = (*(_user(*row) for row in _DEMO), SEGERS)
BY_NAME = {person.display_name: person for person in DIRECTORY}


def person(name: str) -> DirectoryUser:
    return BY_NAME[name]
