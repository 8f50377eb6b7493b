"""What to ask the directory about an envelope: at most a few startswith searches, most
telling first, so that the person it names is among the people found (who that is, is
bot/domain/post/addressees.py's decision)."""

from __future__ import annotations

from bot.domain.post.envelope import (
    HYPHEN,
    PARTICLES,
    PLACES,
    WORD,
    EnvelopeName,
    is_initial,
    name_words,
)

MAX_SEARCH_TERMS = 3
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
            others = [t for t in segment[:start] + segment[start + size :] if not is_initial(t)]
            if not others and index + 1 < len(segments):
                others = [t for t in segments[index + 1] if not is_initial(t)]
            return " ".join(t.casefold() for t in (*others, *surname)) if others else ""
    return ""


def _surname_guesses(envelope: EnvelopeName) -> list[tuple[str, ...]]:
    """Name groups (particles with the word they belong to), likeliest surname first: one in
    capitals among other words ("Jef PEETERS"), next to initials ("J. Peeters", "El Amrani N."),
    alone before a comma ("PEETERS, Jef"), with particles, or last (most envelopes read "given
    surname"); the first word of several comes next ("Peeters Jef")."""
    names = [t for seg in envelope.segments for t in seg if not is_initial(t)]
    mixed_case = any(not _capitals(t) for t in names)
    scored: list[tuple[float, int, tuple[str, ...]]] = []
    for seg_index, segment in enumerate(envelope.segments):
        groups = _groups(segment)
        for group_index, (start, end) in enumerate(groups):
            group = segment[start:end]
            words = [w for t in group for w in name_words(t)]
            if all(w in PLACES for w in words):
                continue
            score = 0.0
            if any(w in PARTICLES for w in words[:-1]):
                score += 1
            if mixed_case and all(_capitals(t) for t in group):
                score += 2
            before = segment[start - 1] if start > 0 else ""
            after = segment[end] if end < len(segment) else ""
            if is_initial(before) or is_initial(after):
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
        if is_initial(token):
            start = None
            continue
        if start is None:
            start = index
        words = name_words(token)
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
    pieces = [p.strip() for p in HYPHEN.split(written) if p.strip()]
    if len(pieces) > 1:
        return pieces
    words = WORD.findall(written)
    if len(words) > 1:
        return ["".join(words)]
    for prefix, spaced in _SPLIT_PREFIXES:
        rest = written[len(prefix) :]
        if written.startswith(prefix) and len(rest) >= 4 and rest.isalpha():
            return [f"{spaced} {rest}"]
    return []
