"""An envelope's addressee line, read: name words, initials, e-mail addresses, the
organisation part, a role, and whether it names a family or is marked personal.

Envelopes are messy: titles ("Dhr.", "Mevr.", "Prof. dr. ir."), "t.a.v.", initials, surnames in
capitals or first, particles written apart or together, a service or an agency on the same line,
"persoonlijk". `parse_envelope` reads the line once; bot/domain/post/search_terms.py says what
to ask the directory, bot/domain/post/addressees.py who of the people found it names.

- "M." is read as an initial, not as French "Monsieur". Genders in titles are ignored (the
  directory does not know them).
- Organisation parts (a line or a part of one that starts with "Agentschap", "Dienst",
  "Departement", "afdeling", ... up to the next comma, dash or line) are kept apart: rules may
  use them, the matching never does. A name written after such a word on the same line ("Dienst
  Personeel Jef Peeters") is read as part of the organisation: scanners send lines.
- A family ("Fam. Peeters") or two people on one line ("Dhr. en Mevr. Peeters") is `collective`:
  never one person.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from bot.domain.platform.text import fold

WORD = re.compile(r"\w+")
_EMAIL = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+")
# Marks that introduce the person within a line: they split it (what comes after is the person).
_MARKER = re.compile(
    r"(?<!\w)(?:t\.?\s?a\.?\s?v\b\.?|ter\s+attentie(?:\s+van)?|attn?\b\.?|p/a|c/o|per\s+adres)"
    r"(?!\w)",
    re.IGNORECASE,
)
_HYPHENS = "-‐‑–—"  # OCR turns hyphens into dashes and back
# A dash with a space on either side separates parts; between letters it joins a name.
HYPHEN = re.compile(f"[{re.escape(_HYPHENS)}]")
_DASH = re.compile(rf"\s{HYPHEN.pattern}+\s|\s[–—]|[–—]\s")
_SEPARATORS = re.compile(r"[\n\r,;:|/()\[\]<>{}\"“”«»]+")
_STRIP = '.,:;!?*"`´'
_GLUED = re.compile(r"(?<=\.)(?=\w)")


def _word_set(text: str) -> frozenset[str]:
    return frozenset(text.split())


TITLES = _word_set(
    "dhr heer mevr mevrouw mw mej mejuffrouw juffrouw mr mrs ms miss dr drs prof ir ing"
    " lic meester mijnheer meneer madame monsieur mme mlle sir madam herr frau em ere weledele"
    " weledelgeboren zeer geachte beste jr sr junior senior"
)
NOISE = _word_set(
    "aan voor to attentie persoonlijk vertrouwelijk confidentieel confidential personal private"
    " prive strikt dringend spoed urgent aangetekend aangetekende zending"
)
CONFIDENTIAL_WORDS = _word_set(
    "persoonlijk vertrouwelijk confidentieel confidential personal private prive"
)
COLLECTIVE = _word_set("fam familie gezin erven echtpaar")
_CONNECTORS = _word_set("en & and et")
ROLES = _word_set(
    "directeur directrice director voorzitter voorzitster diensthoofd afdelingshoofd teamleider"
    " teamverantwoordelijke verantwoordelijke hoofd administrateur-generaal secretaris-generaal"
    " secretaris leidend ambtenaar minister burgemeester schepen zaakvoerder gedelegeerd"
    " bestuurder advocaat notaris bewoner bewoners medewerker medewerkers personeelslid"
    " coordinator manager ceo cfo cio boekhouder archivaris kabinetschef adjunct algemeen"
)
ORGANISATION_WORDS = _word_set(
    "agentschap departement dept dienst diensten afdeling afd directie divisie cel team sectie"
    " entiteit kabinet ministerie overheid vlaamse vlaams stad gemeente ocmw provincie fod"
    " federale gewest bureau adviesbureau studiebureau advocatenkantoor notariskantoor kantoor"
    " secretariaat postkamer onthaal personeelsdienst helpdesk servicedesk boekhouding"
    " personeelszaken hr ict communicatie logistiek aankoop facturatie archief griffie"
    " commissie school universiteit hogeschool ziekenhuis vereniging stichting federatie firma"
    " bedrijf"
)
# A legal form anywhere on a line makes the whole line a company ("Proximus NV").
LEGAL_FORMS = _word_set("nv bv vzw bvba cvba cv srl sprl sa asbl ltd gmbh inc llc")
PARTICLES = _word_set(
    "van de den der het t te ten ter el al le la du da di del della des d von vom zu op in"
    " vanden vander vande mc mac"
)
# Place names that end up next to a name ("Peeters, Brussel"): never a given name.
PLACES = _word_set(
    "brussel bruxelles brussels antwerpen anvers gent gand leuven louvain brugge bruges hasselt"
    " mechelen kortrijk oostende aalst genk belgie belgique belgium vlaanderen"
)
# Abbreviated given names read as their initial ("Ph. Claes" = P. Claes).
_ABBREVIATED = _word_set("ph th ch chr wm")
_STREET_ENDINGS = (
    "straat",
    "laan",
    "lei",
    "plein",
    "weg",
    "kaai",
    "dreef",
    "baan",
    "markt",
    "plaats",
    "dijk",
    "vest",
    "singel",
    "postbus",
    "bus",
    "rue",
    "avenue",
    "boulevard",
)


@dataclass(frozen=True, slots=True)
class EnvelopeName:
    """The addressee line, read. `words` are the folded name words (titles, noise, initials,
    organisation and role left out); `segments` keep the name tokens as written per line or
    comma part (initials as "J."), for search terms and for telling given names from surnames."""

    raw: str
    words: tuple[str, ...]
    initials: tuple[str, ...] = ()
    organisation: str = ""  # as written: "Agentschap Digitaal Vlaanderen, Dienst Werkplek"
    function: str = ""  # a role without a name: "directeur"
    emails: tuple[str, ...] = ()  # casefolded
    segments: tuple[tuple[str, ...], ...] = ()
    collective: bool = False  # a family or several people: never one person
    confidential: bool = False  # "persoonlijk", "vertrouwelijk" on the envelope

    @property
    def names_someone(self) -> bool:
        return bool(self.words or self.emails)


def parse_envelope(text: str) -> EnvelopeName:
    """Read an addressee line (or several lines) as written on the envelope."""
    emails = tuple(dict.fromkeys(m.group().casefold() for m in _EMAIL.finditer(text)))
    work = _EMAIL.sub("\n", text)
    work = _MARKER.sub("\n", work)
    work = _DASH.sub("\n", work)
    parts = [_tokens(part) for part in _SEPARATORS.split(work)]
    parts = [tokens for tokens in parts if tokens]
    reader = _Reader()
    for tokens in parts:
        reader.read(_without_address(tokens, alone=len(parts) == 1))
    segments = reader.segments
    if not any(not is_initial(t) for seg in segments for t in seg):
        segments = segments + _names_from_emails(emails)
    return EnvelopeName(
        raw=text,
        words=tuple(w for seg in segments for t in seg if not is_initial(t) for w in name_words(t)),
        initials=tuple(fold(t[0]) for seg in segments for t in seg if is_initial(t)),
        organisation=", ".join(reader.organisations),
        function=" ".join(reader.function),
        emails=emails,
        segments=tuple(segments),
        collective=reader.collective,
        confidential=reader.confidential,
    )


class _Reader:
    """Reads the parts of an addressee one by one, keeping what each token turned out to be."""

    def __init__(self) -> None:
        self.segments: list[tuple[str, ...]] = []
        self.organisations: list[str] = []
        self.function: list[str] = []
        self.collective = False
        self.confidential = False

    def read(self, tokens: list[str]) -> None:
        keys = [word_key(token) for token in tokens]
        if any(key in LEGAL_FORMS for key in keys):
            self.organisations.append(" ".join(tokens))
            return
        names: list[str] = []
        organisation: list[str] = []
        in_organisation = False
        titled = any(key in TITLES for key in keys)  # "Dhr. en Mevr. Peeters": two people
        for index, (token, key) in enumerate(zip(tokens, keys, strict=True)):
            following = keys[index + 1] if index + 1 < len(keys) else ""
            if not key:
                continue
            if key in COLLECTIVE or (key in _CONNECTORS and titled and not in_organisation):
                self.collective = True
                in_organisation = False
            elif key in _CONNECTORS and not in_organisation:
                continue  # "Data en Analyse": two names side by side rank each other out anyway
            elif key in ("de", "het") and (following in TITLES or following in ROLES):
                continue
            elif key in TITLES or key in NOISE:
                self.confidential = self.confidential or key in CONFIDENTIAL_WORDS
                in_organisation = False
            elif key in ROLES:
                self.function.append(token.strip(_STRIP))
            elif in_organisation or key in ORGANISATION_WORDS:
                in_organisation = True
                organisation.append(token)
            elif (initials := _initials(token, key)) is not None:
                names.extend(f"{letter.upper()}." for letter in initials)
            else:
                names.extend(_name_part(token))
        if names:
            self.segments.append(tuple(names))
        if organisation:
            self.organisations.append(" ".join(organisation))


def _tokens(part: str) -> list[str]:
    """Words of a part; "Dhr.J.Peeters" (no spaces, as OCR reads it) is three tokens."""
    return [piece for token in part.split() for piece in _GLUED.split(token) if piece]


def word_key(token: str) -> str:
    """A token as looked up in the word lists: folded, without surrounding punctuation."""
    folded = fold(token)
    if folded in ("'t", "’t", "‘t"):
        return "t"
    return folded.strip(_STRIP + "'’‘")


def _initials(token: str, key: str) -> str | None:
    """ "J." -> "j", "J.-P." -> "jp", "L.M." -> "lm", "N" -> "n", "Ph." -> "p"; None for a name."""
    if token.endswith(".") and key in _ABBREVIATED:
        return key[0]
    pieces = [piece for piece in HYPHEN.split(fold(token).strip(_STRIP).replace(".", "-")) if piece]
    if pieces and all(len(piece) == 1 and piece.isalpha() for piece in pieces):
        return "".join(pieces)
    return None


def _name_part(token: str) -> list[str]:
    """A name token as written, hyphens kept ("Pieter-Jan", "Janssens-De"); [] for punctuation."""
    part = HYPHEN.sub("-", token.strip(_STRIP + _HYPHENS))
    return [part] if WORD.search(fold(part)) else []


def is_initial(token: str) -> bool:
    """A name token that is one initial, as segments keep it ("J.")."""
    return len(token) == 2 and token.endswith(".")


def name_words(token: str) -> list[str]:
    """The folded words of a name token ("Janssens-De" -> "janssens", "de")."""
    return WORD.findall(fold(token))


def _without_address(tokens: list[str], alone: bool) -> list[str]:
    """A part with a house number or postcode is an address: dropped, unless it is all there is;
    then only the street onwards goes ("Jef Peeters Havenlaan 88 1000 Brussel")."""
    first_number = next((i for i, t in enumerate(tokens) if any(c.isdigit() for c in t)), None)
    if first_number is None:
        return tokens
    if not alone:
        return []
    cut = first_number
    while cut > 0 and word_key(tokens[cut - 1]).endswith(_STREET_ENDINGS):
        cut -= 1
    return tokens[:cut]


def _names_from_emails(emails: Sequence[str]) -> list[tuple[str, ...]]:
    """An address like jef.peeters@gmail.com names Jef Peeters when nothing else does."""
    found = []
    for email in emails:
        pieces = [piece for piece in re.split(r"[._\-]", email.split("@", 1)[0]) if piece]
        if len(pieces) >= 2 and all(not any(c.isdigit() for c in p) for p in pieces):
            found.append(tuple(pieces))
    return found
