"""Who an envelope is for: the addressee line as written, matched to one person of the directory.

Envelopes are messy: titles ("Dhr.", "Mevr.", "Prof. dr. ir."), "t.a.v.", initials, surnames in
capitals or first, particles written apart or together, a service or an agency on the same line,
typos, "persoonlijk". `parse_envelope` reads the line once into folded name words, initials and
the organisation part; `search_terms` says what to ask the directory (a startswith search);
`match_addressee` scores the people found and names one only when exactly one fits clearly.

Decisions (and why):
- Wrong is worse than unknown. An item sent to the wrong person is read by the wrong person; an
  unknown one costs the mailroom a click. So every doubt ends in triage: two people equally
  likely, a family ("Fam. Peeters"), two people on one line ("Dhr. en Mevr. Peeters"), a role
  without a name ("t.a.v. de directeur"), a first name alone.
- A surname decides, a given name or initial confirms. A surname alone is enough when exactly one
  person of those found carries it; a first name alone never is.
- A given name that contradicts ("Jan Peeters" for Jef Peeters, "K. Peeters") rules the person
  out; extra words after an agreeing initial ("J. Karel Peeters") do not.
- Particles are compared without spaces: "Vandenbroeck" is "Van den Broeck" and "Desmet" is
  "De Smet". Flemish civil registers write both, and so do clerks; pairs that differ only there
  are rare enough. The surname without its particles ("Amrani" for "El Amrani") and one part of a
  double surname ("Janssens" for "Janssens-De Smet") also match, but count for less.
- A one-letter typo in a long surname (6 letters or more, lengths differing by one at most,
  difflib ratio >= 0.85, never swallowing a neighbouring word) counts only with the full given
  name: "Lotte Jansens" is Lotte Janssens, "L. Janssen" is nobody (Janssen and Janssens are two
  different families).
- "M." is read as an initial, not as French "Monsieur": "M. De Clercq" is nobody when the only De
  Clercq is Wouter. Genders in titles are ignored (the directory does not know them).
- An e-mail address of a person on the envelope decides on its own.
- People whose account is disabled (they left, or are suspended) are matched like everyone
  else. Leaving them out would let "J. Peeters" for Jan, who left, match Jef Peeters, the only
  Peeters still active: wrong. Where a match with a disabled account goes is routing's
  decision (bot.domain.post.routing: their delegate, else triage), not the matcher's.
- Organisation parts (a line or a part of one that starts with "Agentschap", "Dienst",
  "Departement", "afdeling", ... up to the next comma, dash or line) are kept apart: rules may
  use them, the matching never does. A name written after such a word on the same line ("Dienst
  Personeel Jef Peeters") is read as part of the organisation: scanners send lines.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher

from bot.domain.platform.directory import DirectoryUser
from bot.domain.platform.text import fold

MAX_SEARCH_TERMS = 3
# Points (0-100) of one person against one envelope; see _POINTS.
CONFIDENT = 60  # the best candidate needs at least this ...
MARGIN = 10  # ... and this many points more than the runner-up
CANDIDATE = 40  # below this a person is not listed as a candidate at all
EMAIL_POINTS = 100
_FUZZY_RATIO = 0.85
_FUZZY_MIN_LENGTH = 6
_GIVEN_FUZZY_RATIO = 0.8
_GIVEN_FUZZY_MIN_LENGTH = 5
_MAX_SURNAME_WORDS = 4

_WORD = re.compile(r"\w+")
_EMAIL = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+")
# Marks that introduce the person within a line: they split it (what comes after is the person).
_MARKER = re.compile(
    r"(?<!\w)(?:t\.?\s?a\.?\s?v\b\.?|ter\s+attentie(?:\s+van)?|attn?\b\.?|p/a|c/o|per\s+adres)"
    r"(?!\w)",
    re.IGNORECASE,
)
_HYPHENS = "-‐‑–—"  # OCR turns hyphens into dashes and back
# A dash with a space on either side separates parts; between letters it joins a name.
_HYPHEN = re.compile(f"[{re.escape(_HYPHENS)}]")
_DASH = re.compile(rf"\s{_HYPHEN.pattern}+\s|\s[–—]|[–—]\s")
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
# A surname written together split back into its particle (for the directory's startswith).
_SPLIT_PREFIXES = (
    ("vanden", "van den"),
    ("vander", "van der"),
    ("vande", "van de"),
    ("van", "van"),
    ("den", "den"),
    ("der", "der"),
    ("de", "de"),
    ("el", "el"),
)
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


@dataclass(frozen=True, slots=True)
class AddresseeMatch:
    """`person` when exactly one candidate fits clearly; `candidates`, best first, are everyone
    who fits at all (for the mailroom's pick list); `score` is the best fit, 0..1."""

    person: DirectoryUser | None
    candidates: tuple[DirectoryUser, ...] = ()
    score: float = 0.0

    @property
    def ambiguous(self) -> bool:
        """Several people fit and none clearly better: the mailroom chooses."""
        return self.person is None and len(self.candidates) > 1


# --- parsing ---------------------------------------------------------------------------------
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
    if not any(not _is_initial(t) for seg in segments for t in seg):
        segments = segments + _names_from_emails(emails)
    return EnvelopeName(
        raw=text,
        words=tuple(w for seg in segments for t in seg if not _is_initial(t) for w in _folded(t)),
        initials=tuple(fold(t[0]) for seg in segments for t in seg if _is_initial(t)),
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
        keys = [_key(token) for token in tokens]
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


def _key(token: str) -> str:
    """A token as looked up in the word lists: folded, without surrounding punctuation."""
    folded = fold(token)
    if folded in ("'t", "’t", "‘t"):
        return "t"
    return folded.strip(_STRIP + "'’‘")


def _initials(token: str, key: str) -> str | None:
    """ "J." -> "j", "J.-P." -> "jp", "L.M." -> "lm", "N" -> "n", "Ph." -> "p"; None for a name."""
    if token.endswith(".") and key in _ABBREVIATED:
        return key[0]
    pieces = [
        piece for piece in _HYPHEN.split(fold(token).strip(_STRIP).replace(".", "-")) if piece
    ]
    if pieces and all(len(piece) == 1 and piece.isalpha() for piece in pieces):
        return "".join(pieces)
    return None


def _name_part(token: str) -> list[str]:
    """A name token as written, hyphens kept ("Pieter-Jan", "Janssens-De"); [] for punctuation."""
    part = _HYPHEN.sub("-", token.strip(_STRIP + _HYPHENS))
    return [part] if _WORD.search(fold(part)) else []


def _is_initial(token: str) -> bool:
    return len(token) == 2 and token.endswith(".")


def _folded(token: str) -> list[str]:
    return _WORD.findall(fold(token))


def _without_address(tokens: list[str], alone: bool) -> list[str]:
    """A part with a house number or postcode is an address: dropped, unless it is all there is;
    then only the street onwards goes ("Jef Peeters Havenlaan 88 1000 Brussel")."""
    first_number = next((i for i, t in enumerate(tokens) if any(c.isdigit() for c in t)), None)
    if first_number is None:
        return tokens
    if not alone:
        return []
    cut = first_number
    while cut > 0 and _key(tokens[cut - 1]).endswith(_STREET_ENDINGS):
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


# --- search terms ----------------------------------------------------------------------------
def search_terms(envelope: EnvelopeName) -> list[str]:
    """At most three strings to ask the directory (a startswith search on names, mail and UPN),
    most telling first: e-mail addresses; the full name, given names first as display names
    are ("jef peeters": in a tenant of tens of thousands a page of Peeters may miss Jef, a
    display name starting with his full name will not); then the likely surname followed by its
    other spellings ("van den broeck" / "vandenbroeck"; "janssens" for "Janssens-De Smet");
    then the other name words. Case folded, accents kept (the directory compares accents).
    Empty when the envelope names nobody."""
    terms: list[str] = []
    for email in envelope.emails:
        terms.append(email)
    guesses = _surname_guesses(envelope)
    if guesses and (full_name := _full_name(envelope.segments, guesses[0])):
        terms.append(full_name)
    for group in guesses:
        for term in (" ".join(t.casefold() for t in group), *_other_spellings(group)):
            if term and term not in terms:
                terms.append(term)
    return terms[:MAX_SEARCH_TERMS]


def _full_name(segments: tuple[tuple[str, ...], ...], surname: tuple[str, ...]) -> str:
    """ "given names surname", as directories show names ("Sofie Van den Broeck" from "VAN DEN
    BROECK Sofie" or "Van den Broeck, Sofie"); "" when the envelope has no given name."""
    size = len(surname)
    for index, segment in enumerate(segments):
        for start in range(len(segment) - size + 1):
            if segment[start : start + size] != surname:
                continue
            others = [t for t in segment[:start] + segment[start + size :] if not _is_initial(t)]
            if not others and index + 1 < len(segments):
                others = [t for t in segments[index + 1] if not _is_initial(t)]
            return " ".join(t.casefold() for t in (*others, *surname)) if others else ""
    return ""


def _surname_guesses(envelope: EnvelopeName) -> list[tuple[str, ...]]:
    """Name groups (particles with the word they belong to), likeliest surname first: one in
    capitals among other words ("Jef PEETERS"), next to initials ("J. Peeters", "El Amrani N."),
    alone before a comma ("PEETERS, Jef"), with particles, or last (most envelopes read "given
    surname"); the first word of several comes next ("Peeters Jef")."""
    names = [t for seg in envelope.segments for t in seg if not _is_initial(t)]
    mixed_case = any(not _capitals(t) for t in names)
    scored: list[tuple[float, int, tuple[str, ...]]] = []
    for seg_index, segment in enumerate(envelope.segments):
        groups = _groups(segment)
        for group_index, (start, end) in enumerate(groups):
            group = segment[start:end]
            words = [w for t in group for w in _folded(t)]
            if all(w in PLACES for w in words):
                continue
            score = 0.0
            if any(w in PARTICLES for w in words[:-1]):
                score += 1
            if mixed_case and all(_capitals(t) for t in group):
                score += 2
            before = segment[start - 1] if start > 0 else ""
            after = segment[end] if end < len(segment) else ""
            if _is_initial(before) or _is_initial(after):
                score += 2
            if len(groups) == 1:
                score += 1
                if seg_index == 0 and len(envelope.segments) > 1:
                    score += 1  # "PEETERS, Jef"
            elif group_index == len(groups) - 1:
                score += 1
            elif group_index == 0:
                score += 0.5
            scored.append((score, len(scored), group))
    scored.sort(key=lambda item: (-item[0], item[1]))
    return [group for _, _, group in scored]


def _groups(segment: tuple[str, ...]) -> list[tuple[int, int]]:
    """(start, end) of each run of particles plus the word they belong to ("Van den Broeck",
    "Janssens-De Smet"); initials stand apart."""
    groups: list[tuple[int, int]] = []
    start: int | None = None
    for index, token in enumerate(segment):
        if _is_initial(token):
            start = None
            continue
        if start is None:
            start = index
        words = _folded(token)
        if not words or words[-1] not in PARTICLES:
            groups.append((start, index + 1))
            start = None
    return groups


def _capitals(token: str) -> bool:
    letters = [c for c in token if c.isalpha()]
    return len(letters) > 1 and all(c.isupper() for c in letters)


def _other_spellings(group: tuple[str, ...]) -> list[str]:
    """ "Van den Broeck" -> "vandenbroeck"; "Vandenbroeck" -> "van den broeck";
    "Janssens-De Smet" -> "janssens", "de smet"."""
    written = " ".join(t.casefold() for t in group)
    pieces = [p.strip() for p in _HYPHEN.split(written) if p.strip()]
    if len(pieces) > 1:
        return pieces
    words = _WORD.findall(written)
    if len(words) > 1:
        return ["".join(words)]
    for prefix, spaced in _SPLIT_PREFIXES:
        rest = written[len(prefix) :]
        if written.startswith(prefix) and len(rest) >= 4 and rest.isalpha():
            return [f"{spaced} {rest}"]
    return []


# --- matching --------------------------------------------------------------------------------
_EXACT, _PART, _FUZZY = 3, 2, 1  # how the surname matched
_FULL, _SOME, _NONE, _CONTRADICTS = 2, 1, 0, -1  # how the given name matched
_POINTS = {
    (_EXACT, _FULL): 95,
    (_EXACT, _SOME): 85,  # an initial, the first of two given names, a typo
    (_EXACT, _NONE): 60,
    (_PART, _FULL): 85,
    (_PART, _SOME): 70,
    (_PART, _NONE): 55,  # too close to an exact surname alone to decide between them
    (_FUZZY, _FULL): 80,
    (_FUZZY, _SOME): 50,
    (_FUZZY, _NONE): 40,
}


@dataclass(frozen=True, slots=True)
class _Name:
    surname: str  # compact: folded words joined ("vandenbroeck")
    parts: frozenset[str]  # compact parts of a double surname, and the surname without particles
    given: tuple[str, ...]  # folded words of the given name ("pieter", "jan")
    word_count: int  # words of the surname as the directory writes it (3 for Van den Broeck)


@dataclass(frozen=True, slots=True)
class _Segment:
    words: tuple[str, ...]
    initials: tuple[str, ...]


def match_addressee(envelope: EnvelopeName, people: Sequence[DirectoryUser]) -> AddresseeMatch:
    """The one person the envelope names, if exactly one fits clearly (see the module notes)."""
    segments = [_segment(seg) for seg in envelope.segments]
    best: dict[str, tuple[int, DirectoryUser]] = {}
    for person in people:
        points = _points(envelope, segments, person)
        key = person.id.casefold()
        if points >= CANDIDATE and points > best.get(key, (-1, person))[0]:
            best[key] = (points, person)
    ranked = sorted(best.values(), key=lambda item: (-item[0], fold(item[1].display_name)))
    if not ranked:
        return AddresseeMatch(None)
    top = ranked[0][0]
    clear = len(ranked) == 1 or ranked[1][0] <= top - MARGIN
    chosen = ranked[0][1] if top >= CONFIDENT and clear and not envelope.collective else None
    return AddresseeMatch(chosen, tuple(person for _, person in ranked), top / 100)


def _segment(tokens: tuple[str, ...]) -> _Segment:
    words = tuple(w for t in tokens if not _is_initial(t) for w in _folded(t))
    initials = tuple(fold(t[0]) for t in tokens if _is_initial(t))
    return _Segment(words, initials)


def _points(envelope: EnvelopeName, segments: list[_Segment], person: DirectoryUser) -> int:
    addresses = {a.casefold() for a in (person.mail, person.user_principal_name) if a}
    if addresses & set(envelope.emails):
        return EMAIL_POINTS
    name = _person_name(person)
    if not name.surname:
        return 0
    best = 0
    for index, segment in enumerate(segments):
        words = segment.words
        for start in range(len(words)):
            for end in range(start + 1, min(len(words), start + _MAX_SURNAME_WORDS) + 1):
                run = words[start:end]
                if all(word in PARTICLES for word in run):
                    continue
                surname = _surname_match(run, name)
                if surname is None:
                    continue
                rest = _Segment(words[:start] + words[end:], segment.initials)
                given = _given_match(_evidence(rest, segments, index), name.given)
                if given != _CONTRADICTS:
                    best = max(best, _POINTS[(surname, given)])
    return best


def _person_name(person: DirectoryUser) -> _Name:
    given_text = person.given_name or ""
    surname_text = person.surname or ""
    if not surname_text:
        given_text, surname_text = _split_display_name(person.display_name, given_text)
    words = _folded(surname_text)
    parts = {"".join(_folded(piece)) for piece in _HYPHEN.split(surname_text)}
    core = list(words)
    while len(core) > 1 and core[0] in PARTICLES:
        core.pop(0)
    parts.add("".join(core))
    surname = "".join(words)
    parts.discard(surname)
    parts.discard("")
    return _Name(surname, frozenset(parts), tuple(_folded(given_text)), len(words))


def _split_display_name(display_name: str, given_text: str) -> tuple[str, str]:
    """(given, surname) from "Sofie Van den Broeck (extern)" when the directory has no surname:
    what follows the known given name, else the last word with the particles before it."""
    display = re.sub(r"\(.*?\)", " ", display_name).split()
    given = given_text.split()
    if (
        given
        and len(given) < len(display)
        and [fold(w) for w in display[: len(given)]] == [fold(w) for w in given]
    ):
        return given_text, " ".join(display[len(given) :])
    start = len(display) - 1
    while start > 0 and _key(display[start - 1]) in PARTICLES:
        start -= 1
    return given_text or " ".join(display[:start]), " ".join(display[start:])


def _surname_match(run: tuple[str, ...], name: _Name) -> int | None:
    """How a run of envelope words matches the surname. A typo is one letter in as many words
    as the surname has (or in the surname written as one word): a neighbouring word is never
    swallowed as a typo ("An Peeters" is not "Peeters" misspelt)."""
    compact = "".join(run)
    if compact == name.surname:
        return _EXACT
    if compact in name.parts:
        return _PART
    if (
        len(name.surname) >= _FUZZY_MIN_LENGTH
        and len(run) in (1, name.word_count)
        and abs(len(compact) - len(name.surname)) <= 1
        and SequenceMatcher(None, compact, name.surname).ratio() >= _FUZZY_RATIO
    ):
        return _FUZZY
    return None


def _evidence(rest: _Segment, segments: list[_Segment], index: int) -> _Segment:
    """What may say the given name: the rest of the surname's own part or, when that part holds
    the surname alone ("PEETERS, Jef"), the nearest other name part. Particles and places left
    over say nothing."""
    useful = _useful(rest)
    if useful.words or useful.initials:
        return useful
    for other in (index + 1, index - 1):
        if 0 <= other < len(segments):
            near = _useful(segments[other])
            if near.words or near.initials:
                return near
    return useful


def _useful(segment: _Segment) -> _Segment:
    words = tuple(w for w in segment.words if w not in PARTICLES and w not in PLACES)
    return _Segment(words, segment.initials)


def _given_match(evidence: _Segment, given: tuple[str, ...]) -> int:
    words, initials = evidence.words, evidence.initials
    if not words and not initials:
        return _NONE
    if not given:
        return _NONE  # the directory does not say: nothing to confirm or contradict
    whole = "".join(given)
    for start in range(len(words)):
        for end in range(start + 1, len(words) + 1):
            if "".join(words[start:end]) == whole:
                return _FULL
    first = given[0]
    if any(_same_first_name(word, first) for word in words):
        return _SOME
    if initials and _initials_agree(initials, given):
        return _SOME
    return _CONTRADICTS


def _same_first_name(word: str, first: str) -> bool:
    if word == first:
        return True
    return (
        min(len(word), len(first)) >= _GIVEN_FUZZY_MIN_LENGTH
        and SequenceMatcher(None, word, first).ratio() >= _GIVEN_FUZZY_RATIO
    )


def _initials_agree(initials: tuple[str, ...], given: tuple[str, ...]) -> bool:
    """The first initial is the first given name's; later ones, where the directory knows more
    given names, agree too. More initials than given names are middle names: fine."""
    return all(initial == word[0] for initial, word in zip(initials, given, strict=False) if word)
