"""The routing rules dialog and its service on the post fakes, with the real dispatcher, links,
reader and sniff, and the chat's workbook inbox.

The post world's rules, items and catalogue (ADV, DOMG, DFB; Thomas and Tine are ADV's ICT
admins, Elise DOMG's) are the post tests'; the licence admin dialog of the licence tests is
wired next to it, so a workbook sent in the chat goes to whichever importer its sheets ask for.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import timedelta

from bot.commands.dispatcher import Dispatcher
from bot.commands.registry import Registry
from bot.domain.platform.roles import Role
from bot.domain.post.items import (
    Destination,
    DestinationKind,
    DocumentType,
    PostItem,
    PostState,
    Sender,
)
from bot.domain.post.routing import RoutingRule, RuleConditions
from bot.excel.post.rules_files import ExcelRuleWorkbooks
from bot.excel.workbook_kind import workbook_kind
from bot.http.signed_links import SignedLinks
from bot.services.platform.audit import Auditor
from bot.services.platform.profile import Profiles
from bot.services.platform.workbooks import WorkbookFiles
from bot.services.post.rules import PostRules
from bot.turn import IncomingFile
from dialogs.platform.start import StartDialog
from dialogs.platform.workbooks import WorkbookInbox
from dialogs.post.rules import PostRulesAdminDialog
from tests.support.chat import FakeTurn, click, say, send
from tests.unit.licence_admin.world import AdminWorld, FakeDownloads
from tests.unit.post.fakes import (
    FINANCE_TARGET,
    JEF,
    LOTTE,
    TENANT,
    PostWorld,
    make_world,
    metadata,
    person,
)
from tests.unit.post_rules_admin.fakes import FakeRuleNames, MemoryPendingRuleImports

SECRET = b"unit-test-link-secret-0123456789"
BASE = "https://werkplek.example"
MAX_BYTES = 1024 * 1024
MAILROOM = frozenset({Role.STAFF, Role.MAILROOM})
ENTITY_ADMIN = frozenset({Role.STAFF, Role.ENTITY_ADMIN})
ADMIN = frozenset({Role.STAFF, Role.ADMIN})
STAFF = frozenset({Role.STAFF})
TAX = "Vlaamse Belastingdienst"


def current_rules() -> list[RoutingRule]:
    """One rule for every entity, one for ADV, one for DOMG."""
    return [
        RoutingRule(
            "R-001",
            1,
            Destination(DestinationKind.TEAM, FINANCE_TARGET),
            RuleConditions(document_types=frozenset({DocumentType.INVOICE})),
            description="Facturen naar Financiën",
        ),
        RoutingRule(
            "R-002",
            2,
            person(JEF),
            RuleConditions(keywords=("subsidie",)),
            entity="ADV",
        ),
        RoutingRule("R-003", 3, Destination(DestinationKind.ENTITY, "DOMG"), entity="DOMG"),
    ]


def tax_rule(rule_id: str = "R-004", position: int = 4, entity: str = "ADV") -> RoutingRule:
    """Letters from the tax office go to Jef."""
    return RoutingRule(
        rule_id, position, person(JEF), RuleConditions(sender_contains=TAX), entity=entity
    )


class RulesWorld:
    def __init__(self) -> None:
        self.post: PostWorld = make_world()
        self.post.rules.rules = current_rules()
        self.clock = self.post.clock
        self.audit = self.post.audit_log
        auditor = Auditor(self.audit, self.clock)
        self.links = SignedLinks(BASE, SECRET, timedelta(minutes=10), self.clock)
        self.downloads = FakeDownloads()
        self.workbooks = ExcelRuleWorkbooks()
        self.forgotten = 0
        self.pending = MemoryPendingRuleImports()
        self.names = FakeRuleNames()
        self.rules = PostRules(
            access=self.post.access,
            items=self.post.items,
            pending=self.pending,
            workbooks=self.workbooks,
            auditor=auditor,
            clock=self.clock,
            rule_names=self.names,
            on_rules_changed=self._forget,
        )
        self.registry = Registry()
        self.dispatcher = Dispatcher(self.registry, auditor, "https://desk.example")
        self.dialog = PostRulesAdminDialog(self.rules, self.links)
        self.licence_admin = AdminWorld()
        for dialog in (self.dialog, self.licence_admin.dialog):
            self.registry.add_dialog(dialog)
        self.registry.add_dialog(
            StartDialog(self.registry, self.dispatcher, Profiles(self.post.directory))
        )
        # One chat, one inbox: each workbook goes to the importer its sheets ask for.
        self.files = WorkbookFiles(self.downloads, workbook_kind, MAX_BYTES)
        self.inbox = WorkbookInbox([self.dialog, self.licence_admin.dialog], self.files, auditor)
        self.dispatcher.receive_files(self.inbox.receive_files)

    def _forget(self) -> None:
        self.forgotten += 1

    # --- post ---------------------------------------------------------------------------------
    def seed_post(self) -> list[PostItem]:
        """Five items as routing left them under current_rules(), oldest first."""
        world = self.post
        return [
            world.add(Destination(DestinationKind.TEAM, FINANCE_TARGET), rule_id="R-001"),
            world.add(
                person(JEF),
                metadata=metadata(
                    external_id="scan-0002",
                    subject="Subsidie 2027",
                    document_type=DocumentType.LETTER,
                ),
                rule_id="R-002",
            ),
            world.add(
                person(LOTTE),
                metadata=metadata(external_id="scan-0003", document_type=DocumentType.LETTER),
                addressee_id=LOTTE,
                rule_id="addressee",
            ),
            world.add(
                Destination(DestinationKind.ENTITY, "DOMG"),
                metadata=metadata(
                    external_id="scan-0004",
                    entity="DOMG",
                    addressee="Dienst Milieu",
                    sender=Sender("Inspectie", TAX),
                    document_type=DocumentType.LETTER,
                ),
                rule_id="R-003",
            ),
            world.add(
                Destination.triage(),
                PostState.TRIAGE,
                metadata=metadata(
                    external_id="scan-0005",
                    addressee="Dienst Financiën",
                    sender=Sender("", TAX),
                    document_type=DocumentType.LETTER,
                ),
                triage_reason="post.reason.unknown_addressee",
            ),
        ]

    # --- the chat -----------------------------------------------------------------------------
    async def say(
        self, text: str, user_id: str, roles: frozenset[Role], locale: str = "nl"
    ) -> FakeTurn:
        return await say(
            self.dispatcher, text, user_id=user_id, tenant_id=TENANT, roles=roles, locale=locale
        )

    async def click(self, card: dict, user_id: str, roles: frozenset[Role]) -> FakeTurn:
        """Click the card's Action.Execute button (there is one)."""
        (action,) = [a for a in card.get("actions", []) if a["type"] == "Action.Execute"]
        turn, result = await click(
            self.dispatcher,
            action["verb"],
            action["data"],
            user_id=user_id,
            tenant_id=TENANT,
            roles=roles,
        )
        assert result.message == turn.t("card.done")
        return turn

    async def send(
        self,
        files: Sequence[tuple[str, bytes]],
        user_id: str,
        roles: frozenset[Role],
        text: str = "",
        locale: str = "nl",
    ) -> FakeTurn:
        incoming = []
        for number, (name, data) in enumerate(files):
            url = f"https://contoso.sharepoint.com/personal/{user_id}/file-{number}?tempauth=x"
            self.downloads.files[url] = data
            incoming.append(IncomingFile(name, url, name.rsplit(".", 1)[-1]))
        return await send(
            self.dispatcher,
            incoming,
            text,
            user_id=user_id,
            tenant_id=TENANT,
            roles=roles,
            locale=locale,
        )

    async def upload(
        self, rules: Sequence[RoutingRule], user_id: str, roles: frozenset[Role]
    ) -> FakeTurn:
        return await self.send([("regels.xlsx", self.workbooks.write(rules))], user_id, roles)

    def actions(self, action: str) -> list[tuple[str, str, dict[str, str]]]:
        return [
            (e.outcome.value, e.actor_id, e.detail)
            for e in self.audit.entries
            if e.action == action
        ]


def renumbered(rules: Sequence[RoutingRule]) -> list[RoutingRule]:
    """The rules in this order, positions 1, 2, 3... as someone editing the workbook would."""
    return [replace(rule, position=number) for number, rule in enumerate(rules, start=1)]
