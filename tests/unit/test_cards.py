"""Every card the bot can send is valid Adaptive Cards 1.5 and uses only known verbs."""

from __future__ import annotations

from collections.abc import Iterator
from zoneinfo import ZoneInfo

import pytest

from bot.composition.chat import build_dialogs
from bot.domain.access.rules import AccessPolicy
from bot.domain.platform.directory import DirectoryUser
from bot.domain.platform.roles import Role
from bot.i18n import LOCALES, Translator
from bot.services.access.status import AccessStatus
from bot.services.platform.audit import Auditor
from bot.services.servicedesk.knowledge import KnowledgeDesk
from bot.services.servicedesk.relay import TicketRelay
from cards.platform.help import help_card
from cards.platform.profile import profile_card
from cards.platform.system import denied_card, failure_card, notice_card, welcome_card
from cards.platform.understanding import ask_card, not_understood_card, thanks_card
from cards.verbs import Verb
from dialogs import DIALOGS, command_specs
from tests.support.clock import FakeClock
from tests.support.schemas import validate_card
from tests.unit.access.fakes import MemoryAccessDirectory
from tests.unit.announcements.dialog_support import announcement_dialogs
from tests.unit.fakes import MemoryAuditLog, MemoryDirectory
from tests.unit.licence_admin.world import AdminWorld
from tests.unit.licences.fakes import make_flow
from tests.unit.post.fakes import make_world
from tests.unit.post_rules_admin.world import RulesWorld
from tests.unit.servicedesk.fakes import MemoryKnowledgeBase, file_world, ticket_world
from tests.unit.servicedesk.report_world import ReportWorld
from tests.unit.servicedesk.world import KnowledgeWorld

USER = DirectoryUser(id="u", display_name="Sofie Van den Broeck", user_principal_name="sofie@demo")


def all_cards(t: Translator) -> Iterator[tuple[str, dict]]:
    specs = command_specs()
    yield "help", help_card(specs, t, with_examples=False)
    yield "help+examples", help_card(specs, t, with_examples=True)
    yield "help-empty", help_card([], t, with_examples=False)
    yield "welcome", welcome_card("Sofie", specs, t)
    yield "welcome-anonymous", welcome_card("", [], t)
    yield "not-understood", not_understood_card(specs[:2], t)
    yield "not-understood-empty", not_understood_card([], t)
    yield "ask", ask_card([(specs[0], ""), (specs[1], "Jan <b>Peeters</b>")], t)
    yield "thanks", thanks_card(specs[:3], t)
    yield "denied", denied_card("beheerder", t)
    yield "failure", failure_card("WP-1234ABCD", "https://desk.example", t)
    yield "notice", notice_card("Gedaan.", t)
    yield "profile", profile_card(USER, None, [Role.STAFF, Role.AGENT], t)
    yield "profile+manager", profile_card(USER, USER, [Role.ADMIN], t)


CASES = [(locale, name, card) for locale in LOCALES for name, card in all_cards(Translator(locale))]


@pytest.mark.parametrize(("locale", "name", "card"), CASES, ids=[f"{c[0]}-{c[1]}" for c in CASES])
def test_card_is_valid_adaptive_card_1_5(locale: str, name: str, card: dict) -> None:
    validate_card(card)


def _verbs(node: object) -> Iterator[str]:
    if isinstance(node, dict):
        if node.get("type") == "Action.Execute":
            yield node["verb"]
        for value in node.values():
            yield from _verbs(value)
    elif isinstance(node, list):
        for item in node:
            yield from _verbs(item)


def test_cards_use_only_declared_verbs() -> None:
    used = {verb for _, _, card in CASES for verb in _verbs(card)}
    assert used <= {v.value for v in Verb}


def test_every_verb_has_exactly_one_handler() -> None:
    handled = [
        spec.verb
        for dialog in DIALOGS
        for attr in vars(dialog).values()
        if (spec := getattr(attr, "__werkplek_verb__", None))
    ]
    assert sorted(handled) == sorted(v.value for v in Verb)


class NoThreads:
    async def sent_as(self, conversation_id: str, activity_id: str) -> str | None:
        return None


def test_the_app_registry_builds_from_every_dialog() -> None:
    # Registry.add_dialog raises on keyword collisions and double verbs.
    directory = MemoryDirectory()
    tickets = ticket_world()
    built = build_dialogs(
        directory=directory,
        auditor=Auditor(MemoryAuditLog(), FakeClock()),
        servicedesk_url="https://desk.example",
        zone=ZoneInfo("Europe/Brussels"),
        access=AccessStatus(directory, MemoryAccessDirectory(), FakeClock(), AccessPolicy()),
        licences=make_flow().desk,
        licence_admin=AdminWorld().dialog,
        post=make_world().desk,
        post_rules_admin=RulesWorld().dialog,
        knowledge=KnowledgeDesk(
            MemoryKnowledgeBase(), Auditor(MemoryAuditLog(), FakeClock()), FakeClock()
        ),
        knowledge_admin=KnowledgeWorld().dialog,
        tickets=tickets.desk,
        ticket_relay=TicketRelay(
            desk=tickets.desk, tickets=tickets.repository, sent=NoThreads(), note_markers=()
        ),
        ticket_reports=ReportWorld().dialog,
        ticket_files=file_world(tickets).service,
        announcements=announcement_dialogs(),
    )
    assert [c.spec.name for c in built.registry.commands] == [s.name for s in command_specs()]
    assert set(built.registry.verbs) == {v.value for v in Verb}
