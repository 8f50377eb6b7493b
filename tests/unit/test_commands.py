"""The registry: declarations, keyword matching inside sentences, explicit commands, roles."""

from __future__ import annotations

import pytest
from pydantic import BaseModel

from bot.commands.registry import Registry, RegistryError, card_action, command, vocabulary
from bot.domain.platform.roles import Role
from bot.domain.platform.text import fold


class Empty(BaseModel):
    pass


class Sample:
    @command("post", nl=("post",), en=("mail",), title_key="t", help_key="h", order=1)
    async def post(self, turn: object, args: str) -> None: ...

    @command(
        "status",
        nl=("status", "toegang"),
        en=("access",),
        title_key="t",
        help_key="h",
        order=2,
    )
    async def status(self, turn: object, args: str) -> None: ...

    @command(
        "requests",
        nl=("aanvragen", "mijn aanvragen"),
        en=("requests",),
        title_key="t",
        help_key="h",
    )
    async def requests(self, turn: object, args: str) -> None: ...

    @command("licence", nl=("licentie",), en=("license",), title_key="t", help_key="h")
    async def licence(self, turn: object, args: str) -> None: ...

    @command(
        "announce",
        nl=("aankondiging",),
        en=("announce",),
        title_key="t",
        help_key="h",
        role=Role.COMMS,
    )
    async def announce(self, turn: object, args: str) -> None: ...

    @card_action("sample.verb", payload=Empty)
    async def verb(self, turn: object, data: Empty) -> None: ...


@pytest.fixture
def registry() -> Registry:
    built = Registry()
    built.add_dialog(Sample())
    return built


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("post", "post"),
        ("POST", "post"),
        ("toon mijn post", "post"),
        ("kan je mijn post tonen?", "post"),
        ("Post!", "post"),
        ("show my mail please", "post"),
        ("is mijn toegang in orde", "status"),
        ("Toegang", "status"),
        ("ik wil een licentie aanvragen", "licence"),
        ("toon mijn aanvragen", "requests"),
        ("  access  ", "status"),
    ],
)
def test_keywords_are_found_inside_sentences(registry: Registry, text: str, expected: str) -> None:
    match = registry.match(text)
    assert match is not None
    assert match.command.spec.name == expected


@pytest.mark.parametrize("text", ["", "goedemorgen", "postbode", "statussen", "?!"])
def test_no_match_for_other_words(registry: Registry, text: str) -> None:
    assert registry.match(text) is None


def test_arguments_keep_the_callers_spelling(registry: Registry) -> None:
    match = registry.match("status Sofie Van den Broeck")
    assert match is not None and match.args == "Sofie Van den Broeck"
    match = registry.match("status jef.peeters@demo.werkplek.be?")
    assert match is not None and match.args == "jef.peeters@demo.werkplek.be"


def test_longer_keyword_wins_at_the_same_place(registry: Registry) -> None:
    match = registry.match("mijn aanvragen")
    assert match is not None and match.keyword == "mijn aanvragen"


def test_accents_and_case_do_not_matter() -> None:
    assert fold("Financiën") == fold("financien")


def test_a_keyword_cannot_belong_to_two_commands(registry: Registry) -> None:
    class Clash:
        @command("other", nl=("Post",), en=("other",), title_key="t", help_key="h")
        async def other(self, turn: object, args: str) -> None: ...

    with pytest.raises(RegistryError, match="post"):
        registry.add_dialog(Clash())


def test_a_verb_cannot_have_two_handlers(registry: Registry) -> None:
    class SecondHandler:
        @card_action("sample.verb", payload=Empty)
        async def verb(self, turn: object, data: Empty) -> None: ...

    with pytest.raises(RegistryError, match=r"sample\.verb"):
        registry.add_dialog(SecondHandler())


def test_role_filtering(registry: Registry) -> None:
    staff = {c.spec.name for c in registry.visible_to(frozenset({Role.STAFF}))}
    comms = {c.spec.name for c in registry.visible_to(frozenset({Role.STAFF, Role.COMMS}))}
    admin = {c.spec.name for c in registry.visible_to(frozenset({Role.ADMIN}))}
    assert "announce" not in staff
    assert "announce" in comms
    assert admin == comms


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("aankondiging", "announce"),
        ("Aankondiging: de kantoren sluiten vrijdag", "announce"),
        ("@Werkplek aankondiging morgen", "announce"),
        ("mijn aanvragen graag", "requests"),
    ],
)
def test_a_message_that_opens_with_a_keyword_is_explicit(
    registry: Registry, typed: str, expected: str
) -> None:
    found = registry.explicit(typed)
    assert found is not None and found.command.spec.name == expected


@pytest.mark.parametrize(
    "typed",
    ["wie stuurt de aankondiging?", "ik las een aankondiging", "", "@Werkplek", "aankondigingen"],
)
def test_a_keyword_inside_a_sentence_is_not_explicit(registry: Registry, typed: str) -> None:
    assert registry.explicit(typed) is None


def test_a_command_has_at_most_one_vocabulary(registry: Registry) -> None:
    class Words:
        @vocabulary("licence")
        async def words(self) -> list[str]:
            return ["Tableau"]

    registry.add_dialog(Words())
    assert list(registry.vocabularies) == ["licence"]
    with pytest.raises(RegistryError, match="licence"):
        registry.add_dialog(Words())
