"""Commands and card verbs: declared next to their handlers, collected into a Registry.

A dialog is an object whose methods carry a `@command(...)`, `@card_action(...)` or
`@vocabulary(...)` marker. `create_app` builds one Registry from the dialogs it wires; nothing is
registered at import time, so tests build isolated registries. Which command a sentence asks for
is decided over the whole sentence (bot/commands/understanding.py); the keyword match here is
the explicit form: `explicit` finds a message that opens with a keyword, which is the only case
in which a command the caller may not run is refused rather than passed over.

Every command and verb declares whether its answer is personal (`personal=`). Personal is the
default, on purpose: a new command that forgets to say so keeps its answer out of channels and
group chats (the dispatcher sends it to the caller's 1:1 chat instead, bot/commands/privacy.py);
only answers that say nothing about anyone (help, the buttons that merely run another command)
are declared `personal=False`.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from pydantic import BaseModel

from bot.domain.platform.roles import Role, may_act_as
from bot.domain.platform.text import fold, folded_words

_WORD = re.compile(r"\w+")
# "@Werkplek regels": a mention before the keyword does not make it less explicit.
_MENTION = re.compile(r"(?<![\w.+-])@\w+")

CommandHandler = Callable[..., Awaitable[None]]
VerbHandler = Callable[..., Awaitable[Any]]
# More words that name a command's subject, read when a message arrives (the licence catalogue's
# item names and synonyms for "licence"): an async method of the dialog, no arguments.
VocabularySource = Callable[[], Awaitable[Iterable[str]]]
_Source = TypeVar("_Source", bound=Callable[..., Awaitable[Iterable[str]]])


@dataclass(frozen=True, slots=True)
class CommandSpec:
    name: str
    keywords: Mapping[str, tuple[str, ...]]
    role: Role
    title_key: str
    help_key: str
    example_key: str = ""
    featured: bool = False  # shown as a button on the welcome card
    order: int = 100
    # The handler gets the whole message, not only what follows the keyword: "ik heb Power BI
    # nodig om rapporten te delen" is one thought, keyword in the middle.
    whole_text: bool = False
    # Other roles that may run it too ("the mailroom or an entity's ICT admin"); help shows it
    # to them, and it is not a staff command (not in the Teams menu).
    also: tuple[Role, ...] = ()
    # Its answer is about a person (the caller or someone else) or carries a download link: in a
    # channel or group chat it goes to the caller's 1:1 chat, never to everyone in it.
    personal: bool = True
    # Running it again after a failure is harmless (it shows, or changes nothing twice): its
    # failure answer offers "Opnieuw proberen". Not so for a command that makes something.
    retry_safe: bool = True
    # Run only when the message holds its own words: the labelled sentences never choose it
    # alone. A ticket is opened when a person or a ticket is asked for; a problem described
    # alone ("mijn muis werkt niet") goes to the knowledge base first, which offers the ticket.
    asked_for: bool = False

    def allows(self, roles: frozenset[Role]) -> bool:
        return may_act_as(roles, self.role) or any(role in roles for role in self.also)

    def all_keywords(self) -> Iterable[tuple[str, str]]:
        for locale, words in self.keywords.items():
            for word in words:
                yield locale, word

    def named_before_colon(self, text: str) -> bool:
        """ "ticket: geen toegang tot de map Projecten": its keyword, then what it is about."""
        head, colon, _ = text.partition(":")
        said = " ".join(word for word in fold(head).split() if not word.startswith("@"))
        return bool(colon) and any(fold(word) == said for _, word in self.all_keywords())


@dataclass(frozen=True, slots=True)
class VerbSpec:
    verb: str
    role: Role
    payload: type[BaseModel]
    # As CommandSpec.personal: the refreshed card or message of a click in a channel goes to
    # the clicker's 1:1 chat, unless the handler marks it as the conversation's own
    # (bot.commands.dispatcher.ActionResult.shareable).
    personal: bool = True


@dataclass(frozen=True, slots=True)
class BoundCommand:
    spec: CommandSpec
    handler: CommandHandler


@dataclass(frozen=True, slots=True)
class BoundVerb:
    spec: VerbSpec
    handler: VerbHandler


@dataclass(frozen=True, slots=True)
class Match:
    command: BoundCommand
    keyword: str
    args: str  # the caller's own text after the keyword, as typed


def command(
    name: str,
    *,
    nl: tuple[str, ...],
    en: tuple[str, ...],
    title_key: str,
    help_key: str,
    example_key: str = "",
    role: Role = Role.STAFF,
    featured: bool = False,
    order: int = 100,
    whole_text: bool = False,
    also: tuple[Role, ...] = (),
    personal: bool = True,
    retry_safe: bool = True,
    asked_for: bool = False,
) -> Callable[[CommandHandler], CommandHandler]:
    """Declare a chat command on a dialog method `async def (self, turn, args) -> None`.
    `personal=False` only for answers that are fit for everyone in a channel; `retry_safe=False`
    for a command that makes something (its failure offers no "Opnieuw proberen"); `asked_for`
    for one that runs only when the message holds its own words (CommandSpec.asked_for)."""
    spec = CommandSpec(
        name=name,
        keywords={"nl": nl, "en": en},
        role=role,
        title_key=title_key,
        help_key=help_key,
        example_key=example_key,
        featured=featured,
        order=order,
        whole_text=whole_text,
        also=also,
        personal=personal,
        retry_safe=retry_safe,
        asked_for=asked_for,
    )

    def mark(func: CommandHandler) -> CommandHandler:
        func.__werkplek_command__ = spec  # type: ignore[attr-defined]
        return func

    return mark


def card_action(
    verb: str, *, payload: type[BaseModel], role: Role = Role.STAFF, personal: bool = True
) -> Callable[[VerbHandler], VerbHandler]:
    """Declare an Action.Execute handler `async def (self, turn, data) -> card | None`.
    `personal=False` only for answers that are fit for everyone in a channel."""
    spec = VerbSpec(verb=str(verb), role=role, payload=payload, personal=personal)

    def mark(func: VerbHandler) -> VerbHandler:
        func.__werkplek_verb__ = spec  # type: ignore[attr-defined]
        return func

    return mark


def vocabulary(command_name: str) -> Callable[[_Source], _Source]:
    """Declare a dialog method that lists more words for one of its commands (product names,
    synonyms kept in the database), so "ik heb Power Apps nodig" reads as a licence request."""

    def mark(func: _Source) -> _Source:
        func.__werkplek_vocabulary__ = command_name  # type: ignore[attr-defined]
        return func

    return mark


class RegistryError(Exception):
    """Two declarations clash; raised while the app is composed, never at run time."""


_Needle = tuple[tuple[str, ...], "BoundCommand", str]  # folded words, command, keyword as declared


@dataclass
class Registry:
    commands: list[BoundCommand] = field(default_factory=list)
    verbs: dict[str, BoundVerb] = field(default_factory=dict)
    vocabularies: dict[str, VocabularySource] = field(default_factory=dict)
    # Keywords by their first folded word: matching a message looks up each of its words once.
    _by_first_word: dict[str, list[_Needle]] = field(default_factory=dict, repr=False)

    def add_dialog(self, dialog: object) -> None:
        for attr in dir(type(dialog)):
            method = getattr(dialog, attr)
            if spec := getattr(method, "__werkplek_command__", None):
                self._add_command(BoundCommand(spec, method))
            if vspec := getattr(method, "__werkplek_verb__", None):
                if vspec.verb in self.verbs:
                    raise RegistryError(f"verb {vspec.verb} has two handlers")
                self.verbs[vspec.verb] = BoundVerb(vspec, method)
            if (named := getattr(method, "__werkplek_vocabulary__", None)) is not None:
                if named in self.vocabularies:
                    raise RegistryError(f"command {named} has two vocabularies")
                self.vocabularies[named] = method

    def _add_command(self, bound: BoundCommand) -> None:
        taken = {
            tuple(folded_words(w)): c.spec.name
            for c in self.commands
            for _, w in c.spec.all_keywords()
        }
        for _, word in bound.spec.all_keywords():
            owner = taken.get(tuple(folded_words(word)))
            if owner and owner != bound.spec.name:
                raise RegistryError(f"keyword {word!r} of {bound.spec.name} belongs to {owner}")
        if any(c.spec.name == bound.spec.name for c in self.commands):
            raise RegistryError(f"command {bound.spec.name} declared twice")
        self.commands.append(bound)
        self.commands.sort(key=lambda c: (c.spec.order, c.spec.name))
        for _, keyword in bound.spec.all_keywords():
            needle = tuple(folded_words(keyword))
            if needle:
                self._by_first_word.setdefault(needle[0], []).append((needle, bound, keyword))

    def get(self, name: str) -> BoundCommand | None:
        return next((c for c in self.commands if c.spec.name == name), None)

    def visible_to(self, roles: frozenset[Role]) -> list[BoundCommand]:
        return [c for c in self.commands if c.spec.allows(roles)]

    def match(self, text: str) -> Match | None:
        """The command whose keyword appears first in the text (longest keyword on a tie)."""
        spans = list(_WORD.finditer(text))
        words = tuple(fold(m.group()) for m in spans)
        for start, word in enumerate(words):
            found = [
                (needle, bound, keyword)
                for needle, bound, keyword in self._by_first_word.get(word, ())
                if words[start : start + len(needle)] == needle
            ]
            if found:
                needle, bound, keyword = max(found, key=lambda item: len(item[0]))
                end = spans[start + len(needle) - 1].end()
                args = text if bound.spec.whole_text else text[end:]
                return Match(bound, keyword, args.strip(" \t\n?!.,:;"))
        return None

    def explicit(self, text: str) -> Match | None:
        """The command named by the keyword the message opens with ("regels", "@Werkplek
        post van vandaag"), or None when the message does not start with a keyword."""
        found = self.match(_MENTION.sub(" ", text))
        if found is None:
            return None
        opening = tuple(fold(word) for word in _WORD.findall(_MENTION.sub(" ", text)))
        needle = tuple(folded_words(found.keyword))
        return found if opening[: len(needle)] == needle else None
