"""The knowledge base replaced from a workbook sent in chat (bot/services/servicedesk/
articles_import.py): admins only, every problem or the whole, never half stored, and exactly one
audit line for every outcome, a refusal too."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import pytest

from bot.domain.platform.actors import Actor
from bot.domain.platform.audit import Outcome
from bot.domain.platform.errors import Unavailable
from bot.domain.platform.roles import Role
from bot.domain.servicedesk.articles import ArticleProblem, KnowledgeBase
from bot.excel.servicedesk.articles_files import ExcelArticleWorkbooks
from bot.i18n import Translator
from bot.services.platform.audit import Auditor
from bot.services.servicedesk.articles_import import (
    IMPORT,
    ArticlesImport,
    ArticlesRejected,
    ArticlesReplaced,
    NotAnAdmin,
)
from bot.services.servicedesk.knowledge import KnowledgeDesk
from devtools.demo_articles import demo_knowledge
from tests.support.clock import FakeClock
from tests.unit.fakes import MemoryAuditLog
from tests.unit.servicedesk.fakes import MemoryKnowledgeBase
from tests.unit.servicedesk.world import edit_cells

NL = Translator("nl")
ADMIN = Actor("admin-1", "tenant-1", "Marleen", frozenset({Role.STAFF, Role.ADMIN}), "act-1")


def person(*roles: Role) -> Actor:
    return Actor("someone-1", "tenant-1", "Lotte", frozenset({Role.STAFF, *roles}), "act-2")


class CountingWorkbooks(ExcelArticleWorkbooks):
    """The real reader, counting its reads."""

    def __init__(self) -> None:
        self.reads = 0

    def read(self, data: bytes) -> tuple[KnowledgeBase | None, Sequence[ArticleProblem]]:
        self.reads += 1
        return super().read(data)


class WholeOnly(ExcelArticleWorkbooks):
    """A reader that passes every row: what only the knowledge base as a whole refuses."""

    def __init__(self, knowledge: KnowledgeBase) -> None:
        self.knowledge = knowledge

    def read(self, data: bytes) -> tuple[KnowledgeBase | None, Sequence[ArticleProblem]]:
        return self.knowledge, []


class BrokenStore(MemoryKnowledgeBase):
    def __init__(self, failure: Exception) -> None:
        super().__init__(demo_knowledge())
        self.failure = failure

    async def replace(self, knowledge: KnowledgeBase) -> None:
        raise self.failure


class Setup:
    def __init__(
        self,
        store: MemoryKnowledgeBase | None = None,
        workbooks: ExcelArticleWorkbooks | None = None,
    ) -> None:
        self.clock = FakeClock()
        self.audit = MemoryAuditLog()
        auditor = Auditor(self.audit, self.clock)
        self.store = store or MemoryKnowledgeBase(demo_knowledge())
        self.workbooks = workbooks or CountingWorkbooks()
        self.service = ArticlesImport(
            KnowledgeDesk(self.store, auditor, self.clock), self.workbooks, auditor
        )

    def lines(self) -> list[tuple[Outcome, str, dict[str, str]]]:
        return [(e.outcome, e.actor_id, e.detail) for e in self.audit.entries if e.action == IMPORT]


def edited() -> KnowledgeBase:
    current = demo_knowledge()
    first = replace(current.articles[0], title_nl="MFA registreren (nieuw)")
    return KnowledgeBase((first, *current.articles[1:-1]))  # one changed, the last left out


@pytest.mark.parametrize(
    "roles", [(), (Role.ENTITY_ADMIN,), (Role.AGENT,), (Role.MAILROOM,), (Role.COMMS,)]
)
async def test_only_admins_may_import_and_a_refusal_is_audited_unread(
    roles: tuple[Role, ...],
) -> None:
    setup = Setup()
    actor = person(*roles)
    assert not setup.service.may_import(actor)
    data = ExcelArticleWorkbooks().write(edited())
    assert isinstance(await setup.service.import_workbook(actor, data, NL), NotAnAdmin)
    assert setup.lines() == [(Outcome.DENIED, "someone-1", {"needed_role": "admin"})]
    assert setup.store.knowledge == demo_knowledge()
    assert isinstance(setup.workbooks, CountingWorkbooks) and setup.workbooks.reads == 0


async def test_a_good_workbook_replaces_the_whole_knowledge_base() -> None:
    setup = Setup()
    assert setup.service.may_import(ADMIN)
    wanted = edited()
    result = await setup.service.import_workbook(ADMIN, ExcelArticleWorkbooks().write(wanted), NL)
    assert result == ArticlesReplaced(wanted)
    assert setup.store.knowledge == wanted  # the article left out is gone
    # The desk stored it, and audited it: one line, as for the command line.
    assert setup.lines() == [(Outcome.OK, "admin-1", {"articles": str(len(wanted.articles))})]
    (entry,) = setup.audit.entries
    assert (entry.role, entry.tenant_id, entry.correlation_id) == (
        "admin,staff",
        "tenant-1",
        "act-1",
    )


async def test_a_bad_workbook_lists_every_problem_and_stores_nothing() -> None:
    setup = Setup()
    good = ExcelArticleWorkbooks().write(edited())
    bad = edit_cells(good, {"B2": "onbekend", "A3": "Geen Sleutel", "G4": None})
    result = await setup.service.import_workbook(ADMIN, bad, NL)
    assert isinstance(result, ArticlesRejected)
    assert result.problems == (
        "blad Artikels, rij 2, kolom Categorie: Onbekende categorie „onbekend”: gebruik access, "
        "licences, power_platform, post of other.",
        "blad Artikels, rij 3, kolom Sleutel: „Geen Sleutel” is geen geldige sleutel: gebruik "
        "kleine letters, cijfers en - zonder spaties (bv. mfa-registreren), hoogstens 64 tekens.",
        "blad Artikels, rij 4, kolom Antwoord (nl): Vul deze cel in.",
    )
    assert setup.store.knowledge == demo_knowledge()
    assert setup.lines() == [
        (Outcome.REJECTED, "admin-1", {"problems": "3", "size": str(len(bad))})
    ]


async def test_problems_are_told_in_the_callers_language() -> None:
    setup = Setup()
    bad = edit_cells(ExcelArticleWorkbooks().write(edited()), {"G4": None})
    result = await setup.service.import_workbook(ADMIN, bad, Translator("en"))
    assert result == ArticlesRejected(
        ("sheet Articles, row 4, column Answer (nl): This cell must be filled in.",)
    )


async def test_a_file_that_is_no_workbook_is_one_problem() -> None:
    setup = Setup()
    result = await setup.service.import_workbook(ADMIN, b"this is no zip file", NL)
    assert isinstance(result, ArticlesRejected) and len(result.problems) == 1
    assert "geen Excel-werkboek" in result.problems[0]
    assert [outcome for outcome, _, _ in setup.lines()] == [Outcome.REJECTED]


async def test_what_only_the_whole_refuses_is_refused_by_the_desk_once() -> None:
    doubled = demo_knowledge()
    twice = KnowledgeBase((*doubled.articles, doubled.articles[0]))
    setup = Setup(workbooks=WholeOnly(twice))
    result = await setup.service.import_workbook(ADMIN, b"read by the fake", NL)
    assert isinstance(result, ArticlesRejected)
    assert any("komt meer dan eens voor" in line for line in result.problems)
    assert setup.store.knowledge == demo_knowledge()
    assert setup.lines() == [(Outcome.REJECTED, "admin-1", {"articles": str(len(twice.articles))})]


async def test_a_store_that_fails_keeps_the_old_knowledge_base_and_the_failure_is_audited() -> None:
    store = BrokenStore(RuntimeError("disk full"))
    setup = Setup(store=store)
    with pytest.raises(RuntimeError):
        await setup.service.import_workbook(ADMIN, ExcelArticleWorkbooks().write(edited()), NL)
    assert store.knowledge == demo_knowledge()
    assert setup.lines() == [(Outcome.FAILED, "admin-1", {"error": "RuntimeError"})]


async def test_a_store_out_of_reach_is_audited_and_explained_by_the_dispatcher() -> None:
    store = BrokenStore(Unavailable())
    setup = Setup(store=store)
    with pytest.raises(Unavailable):
        await setup.service.import_workbook(ADMIN, ExcelArticleWorkbooks().write(edited()), NL)
    assert store.knowledge == demo_knowledge()
    assert setup.lines() == [(Outcome.REJECTED, "admin-1", {"reason": Unavailable.message_key})]
