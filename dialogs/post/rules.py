"""The routing rules of incoming post in chat: download, upload, dry run, confirmation.

- `regels` / `postregels` / `routing rules` (the mailroom, entity ICT admins, Werkplek admins):
  how many rules there are, a signed download link of the current rules workbook (export kind
  "post-rules", bot/http/exports.py), and how to import: send the edited workbook in this chat.
- A rules workbook sent in the chat (the inbox below tells it by its sheets) is read: with
  problems, every one is listed by sheet, row and column and nothing is kept; when valid, the
  latest post is routed again with it (a dry run: only the items that would go elsewhere are
  listed, and counted) and the rules wait for a confirmation.
- `regels overnemen` / `apply rules` (or the card's button) applies them: all rules replaced at
  once and audited durably (bot/services/post/rules.py), the routing caches on this replica
  forgotten (others read the rules afresh within half a minute).

Confirmation, and where the checked rules wait: in this replica's memory, per person, for
PENDING_MINUTES; a newer upload replaces an older one. A confirmation that comes later, or
reaches another replica (several replicas behind a load balancer), finds nothing and asks for
the file again: nothing is applied that the person did not see checked. Before applying, the
rules are read again; if they changed since the check (someone else imported, the mailroom
turned an item into a rule), nothing is applied, since the dry run and the entity check were
made against the old ones.

Entity ICT admins (Role.ENTITY_ADMIN without the mailroom's role) may add, change or remove only
the rules scoped to their own entities (those whose admin group they are in, as the post desk
decides it). Every other rule must come back as it is: same content, same order among the other
such rules (its position number may change, so one's own rules can go in between). Otherwise
the import is refused, listing every such rule. Why: a rule for "*" or for another entity
decides other entities' post, which is the mailroom's to keep; a rule scoped to one's own
entity only ever matches that entity's post, wherever it stands. Their dry run tries only the
items of their entities (other entities' post is not theirs to see).

Anyone else sending a rules workbook is refused politely; the refusal is audited as DENIED.

The inbox (`WorkbookInbox`) is the one file handler when more than one kind of workbook can be
imported in chat: it refuses people who may import none (without fetching the file), fetches
the one workbook, tells its kind by its sheets (bot/excel/workbook_kind.py, passed in as a
callable) and hands it to the importer of that kind (this dialog, the licence catalogue's),
which checks the caller's role for that kind itself.
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Protocol

from bot.commands.registry import command
from bot.domain.platform.audit import Outcome
from bot.domain.platform.errors import DomainError, Forbidden, InvalidInput, Unavailable
from bot.domain.platform.roles import Role
from bot.domain.platform.text import fold
from bot.domain.platform.untrusted import escape_text
from bot.domain.post.routing import ANY_ENTITY, DryRunLine, RoutingRule, RuleProblem
from bot.i18n import N_, Translator
from bot.ports.platform import FileDownloads
from bot.services.platform.audit import Auditor
from bot.services.post.access import item_entities
from bot.services.post.desk import PostDesk
from bot.services.post.rules import (
    DEFAULT_LAST_N,
    IMPORT_ACTION,
    MAX_LAST_N,
    RULES_OBJECT,
    describe_dry_run,
    describe_warning,
    dry_run_rules,
    people_in_dry_run,
    record_refused_import,
    replace_rules,
    rules_to_inactive_people,
)
from bot.turn import Turn
from cards.base import MAX_LINE
from cards.licences.admin import download_failed_card
from cards.platform.system import explained
from cards.post.rules import (
    APPLY_COMMAND,
    DryRunSummary,
    RulesSummary,
    applied_card,
    checked_cards,
    inbox_refused_card,
    one_workbook_card,
    outside_entity_cards,
    refused_card,
    rejected_cards,
    rules_card,
    unknown_workbook_card,
)
from dialogs.licences.admin import CATALOGUE_WORKBOOK, ExportLinks, is_workbook

RULES_EXPORT = "post-rules"  # the export kind bot/http/exports.py serves
RULES_WORKBOOK = "post-rules"  # what bot/excel/workbook_kind.py calls a rules workbook
RULES_COMMAND = "post_rules"
CHECK_ACTION = "post.rules.check"  # a valid workbook tried on recent post, nothing stored
INBOX_ACTION = "workbook.import"  # the inbox's own refusals, before a workbook has a kind
PENDING_MINUTES = 10
# Checked workbooks kept at once (admins are few; the oldest goes first).
MAX_PENDING = 32
# Who may keep the rules (any of these; admins hold every role).
KEEPERS = (Role.MAILROOM, Role.ENTITY_ADMIN)

NOTHING_PENDING = N_("post_rules_admin.apply.nothing")
CHANGED_MEANWHILE = N_("post_rules_admin.apply.changed_meanwhile")
RIGHTS_CHANGED = N_("post_rules_admin.apply.rights_changed")
NO_ENTITY = N_("post_rules_admin.no_entity")
DENIED = N_("post_rules_admin.denied")

# What the inbox tells someone about the workbooks they may send, by kind.
HINTS = {
    RULES_WORKBOOK: N_("workbooks.hint.post_rules"),
    CATALOGUE_WORKBOOK: N_("workbooks.hint.catalogue"),
}

# (workbook bytes) -> its kind, "" when unknown (bot/excel/workbook_kind.py).
WorkbookSniff = Callable[[bytes], str]
# Entity codes whose rules the caller may change; None: every rule (mailroom, admins).
Scope = frozenset[str] | None


class RuleWorkbooks(Protocol):
    """The routing-rules workbook (bot/excel/post/rules_files.py)."""

    def read(
        self, data: bytes, known_entities: Collection[str] | None = None
    ) -> tuple[list[RoutingRule] | None, Sequence[RuleProblem]]:
        """The rules, or None with every problem found."""
        ...

    def describe(self, problem: RuleProblem, t: Translator) -> str:
        """ "blad Regels, rij 7, kolom Bestemming: ..." in the reader's language."""
        ...

    def write(self, rules: Sequence[RoutingRule]) -> bytes: ...


class WorkbookImporter(Protocol):
    """A dialog that imports one kind of workbook sent in the chat."""

    @property
    def workbook_kind(self) -> str: ...

    def may_import(self, turn: Turn) -> bool:
        """Whether the caller may import this kind at all (the importer checks again)."""
        ...

    async def import_workbook(self, turn: Turn, data: bytes) -> None:
        """A downloaded workbook of this kind: check the caller, read, answer, audit."""
        ...


# --- an entity admin's changes -------------------------------------------------------------------
class Breach(StrEnum):
    CHANGED = "changed"
    REMOVED = "removed"
    ADDED = "added"
    MOVED = "moved"


@dataclass(frozen=True, slots=True)
class ScopeBreach:
    """A rule outside the caller's entities that an upload would change."""

    breach: Breach
    rule_id: str
    entity: str


def in_scope(rule: RoutingRule, entities: Collection[str]) -> bool:
    """Whether the rule is scoped to one of `entities` (a rule for every entity never is)."""
    scope = rule.entity.strip() or ANY_ENTITY
    return scope != ANY_ENTITY and fold(scope) in {fold(code) for code in entities}


def scope_breaches(
    current: Sequence[RoutingRule], new: Sequence[RoutingRule], entities: Collection[str]
) -> list[ScopeBreach]:
    """What `new` changes about the rules outside `entities`: each such rule must be there,
    unchanged but for its position, none may be added, and their order must stay."""

    def foreign(rules: Sequence[RoutingRule]) -> list[RoutingRule]:
        ordered = sorted(rules, key=lambda rule: rule.position)  # stable: list order on ties
        return [rule for rule in ordered if not in_scope(rule, entities)]

    before, after = foreign(current), foreign(new)
    uploaded = {rule.id.casefold(): rule for rule in new}
    known = {rule.id.casefold() for rule in before}
    found: list[ScopeBreach] = []
    for rule in before:
        now = uploaded.get(rule.id.casefold())
        if now is None:
            found.append(ScopeBreach(Breach.REMOVED, rule.id, rule.entity))
        elif replace(now, position=0) != replace(rule, position=0):
            found.append(ScopeBreach(Breach.CHANGED, rule.id, rule.entity))
    found += [
        ScopeBreach(Breach.ADDED, rule.id, rule.entity)
        for rule in after
        if rule.id.casefold() not in known
    ]
    if not found:
        order = [(old, new) for old, new in zip(before, after, strict=True) if old.id != new.id]
        if order:
            moved = order[0][1]
            found.append(ScopeBreach(Breach.MOVED, moved.id, moved.entity))
    return found


def describe_breach(breach: ScopeBreach, t: Translator) -> str:
    scope = breach.entity.strip() or ANY_ENTITY
    entity = t("post_rules_admin.all_entities") if scope == ANY_ENTITY else scope
    return t(f"post_rules_admin.scope.{breach.breach.value}", rule=breach.rule_id, entity=entity)


# --- checked rules waiting for a confirmation ----------------------------------------------------
@dataclass(frozen=True, slots=True)
class PendingRules:
    rules: tuple[RoutingRule, ...]
    against: tuple[RoutingRule, ...]  # the rules as they were when these were checked
    scope: Scope
    expires: float  # monotonic seconds


class PendingImports:
    """Checked rules per person, in this process only, for a few minutes."""

    def __init__(
        self,
        minutes: int = PENDING_MINUTES,
        monotonic: Callable[[], float] = time.monotonic,
        size: int = MAX_PENDING,
    ) -> None:
        self.minutes = minutes
        self._monotonic = monotonic
        self._size = size
        self._waiting: OrderedDict[tuple[str, str], PendingRules] = OrderedDict()

    def keep(
        self,
        key: tuple[str, str],
        rules: Sequence[RoutingRule],
        against: Sequence[RoutingRule],
        scope: Scope,
    ) -> None:
        self._forget_expired()
        self._waiting.pop(key, None)
        expires = self._monotonic() + self.minutes * 60
        self._waiting[key] = PendingRules(tuple(rules), tuple(against), scope, expires)
        while len(self._waiting) > self._size:
            self._waiting.popitem(last=False)

    def take(self, key: tuple[str, str]) -> PendingRules | None:
        """The person's checked rules, once; None when there are none (or no longer)."""
        self._forget_expired()
        return self._waiting.pop(key, None)

    def _forget_expired(self) -> None:
        now = self._monotonic()
        for key in [key for key, pending in self._waiting.items() if pending.expires <= now]:
            del self._waiting[key]


def pending_key(turn: Turn) -> tuple[str, str]:
    return turn.caller.tenant_id, turn.caller.user_id.casefold()


# --- the dialog ----------------------------------------------------------------------------------
class PostRulesAdminDialog:
    workbook_kind = RULES_WORKBOOK

    def __init__(
        self,
        desk: PostDesk,
        auditor: Auditor,
        links: ExportLinks,
        downloads: FileDownloads,
        workbooks: RuleWorkbooks,
        sniff: WorkbookSniff,
        max_upload_bytes: int,
        *,
        on_rules_changed: Callable[[], None] = lambda: None,
        last_n: int = DEFAULT_LAST_N,
        pending: PendingImports | None = None,
    ) -> None:
        """on_rules_changed: the intake's `forget_rules`, so new post on this replica follows
        the new rules at once."""
        self._desk = desk
        self._auditor = auditor
        self._links = links
        self._downloads = downloads
        self._workbooks = workbooks
        self._sniff = sniff
        self._max_upload_bytes = max_upload_bytes
        self._on_rules_changed = on_rules_changed
        self._last_n = last_n
        self._pending = pending or PendingImports()

    def inbox(self, others: Iterable[WorkbookImporter] = ()) -> WorkbookInbox:
        """The file handler for the chat: rules workbooks here, other kinds to `others`."""
        return WorkbookInbox(
            [self, *others], self._downloads, self._sniff, self._auditor, self._max_upload_bytes
        )

    # --- the rules and their workbook ----------------------------------------------------------
    @command(
        RULES_COMMAND,
        nl=("regels", "postregels", "routeringsregels", "regels post"),
        en=("routing rules", "mail rules", "post rules", "rules"),
        title_key=N_("cmd.post_rules.title"),
        help_key=N_("cmd.post_rules.help"),
        example_key=N_("cmd.post_rules.example"),
        role=Role.ENTITY_ADMIN,
        also=(Role.MAILROOM,),
        order=640,
    )
    async def show_rules(self, turn: Turn, args: str) -> None:
        await self._require_keeper(turn, RULES_COMMAND)
        rules = await self._desk.access.rules.load()
        scope = await self._scope(turn)
        own = 0 if scope is None else sum(1 for rule in rules if in_scope(rule, scope))
        summary = RulesSummary(
            rules=len(rules),
            active=sum(1 for rule in rules if rule.active),
            entities=None if scope is None else tuple(sorted(scope)),
            own=own,
        )
        link = self._links.export_link(RULES_EXPORT, {}, turn.caller.user_id)
        await turn.send_card(
            rules_card(summary, link, self._links.lifetime_minutes, self._last_n, turn.t)
        )

    # --- a workbook sent in the chat -----------------------------------------------------------
    def may_import(self, turn: Turn) -> bool:
        return any(turn.caller.has(role) for role in KEEPERS)

    async def receive_files(self, turn: Turn, text: str) -> None:
        """Dispatcher.receive_files when rules are the only workbooks taken in chat."""
        await self.inbox().receive_files(turn, text)

    async def import_workbook(self, turn: Turn, data: bytes) -> None:
        if not self.may_import(turn):
            await self._audit(turn, IMPORT_ACTION, Outcome.DENIED, needed_role=_keepers())
            await turn.send_card(refused_card(turn.t))
            return
        try:
            await self._check(turn, data)
        except DomainError as error:  # the dispatcher explains it; the import's line is ours
            await self._refused(turn, error.message_key)
            raise
        except Exception as error:
            await self._audit(turn, IMPORT_ACTION, Outcome.FAILED, error=type(error).__name__)
            raise

    async def _check(self, turn: Turn, data: bytes) -> None:
        scope = await self._scope(turn)
        if scope is not None and not scope:
            raise DomainError(NO_ENTITY)
        known = [entity.code for entity in (await self._desk.access.catalogue()).entities]
        # Reading a workbook is CPU work (openpyxl): keep the event loop free for other turns.
        rules, problems = await asyncio.to_thread(self._workbooks.read, data, known)
        if rules is None or problems:
            await self._refused(turn, "invalid_workbook", len(problems))
            lines = [self._workbooks.describe(problem, turn.t) for problem in problems]
            for problem_card in rejected_cards(lines, turn.t):
                await turn.send_card(problem_card)
            return
        current = await self._desk.access.rules.load()
        if scope is not None:
            as_read = await asyncio.to_thread(self._as_read, current, known)
            breaches = scope_breaches(as_read, rules, scope)
            if breaches:
                await self._refused(turn, "outside_entity", len(breaches))
                lines = [describe_breach(breach, turn.t) for breach in breaches]
                codes = sorted(scope)
                for breach_card in outside_entity_cards(codes, lines, turn.t):
                    await turn.send_card(breach_card)
                return
        tried = await self._dry_run(rules, scope)
        moved = [line for line in tried if line.changed]
        names = await self._desk.names(people_in_dry_run(moved))
        self._pending.keep(pending_key(turn), rules, current, scope)
        active = sum(1 for rule in rules if rule.active)
        await self._audit(
            turn,
            CHECK_ACTION,
            Outcome.OK,
            durable=False,  # nothing changed yet; applying is audited durably
            rules=str(len(rules)),
            active=str(active),
            tried=str(len(tried)),
            changed=str(len(moved)),
            size=str(len(data)),
        )
        summary = DryRunSummary(
            rules=len(rules),
            active=active,
            tried=len(tried),
            lines=tuple(describe_dry_run(line, names, turn.t) for line in moved),
            scoped=scope is not None,
        )
        await self._warn_about_people_who_left(turn, rules, scope)
        for checked in checked_cards(summary, self._pending.minutes, turn.t):
            await turn.send_card(checked)

    async def _warn_about_people_who_left(
        self, turn: Turn, rules: Sequence[RoutingRule], scope: Scope
    ) -> None:
        """Rules (the caller's own, for an entity admin) whose person has left: a warning, the
        rules may still be applied (their post goes to the delegate or to triage)."""
        own = [rule for rule in rules if scope is None or in_scope(rule, scope)]
        warnings = await rules_to_inactive_people(own, self._desk.access.directory)
        if warnings:
            names = await self._desk.names(warning.person_id for warning in warnings)
            lines = [describe_warning(warning, names, turn.t) for warning in warnings]
            # Teams renders Markdown in a text message too, and a line holds a directory name.
            await turn.send_text("\n\n".join(escape_text(line, limit=MAX_LINE) for line in lines))

    async def _dry_run(self, rules: Sequence[RoutingRule], scope: Scope) -> list[DryRunLine]:
        """The latest `last_n` items routed again with `rules` (for an entity admin: the latest
        of their entities' items, among the latest MAX_LAST_N)."""
        desk = self._desk
        clock, zone = desk.flow.clock, desk.access.timezone
        items, delegations = desk.flow.items, desk.access.delegations
        if scope is None:
            return await dry_run_rules(rules, items, delegations, clock, zone, self._last_n)
        lines = await dry_run_rules(rules, items, delegations, clock, zone, MAX_LAST_N)
        own = {fold(code) for code in scope}
        mine = [line for line in lines if {fold(e) for e in item_entities(line.item)} & own]
        return mine[: self._last_n]

    def _as_read(self, rules: Sequence[RoutingRule], known: Collection[str]) -> list[RoutingRule]:
        """The rules as their workbook reads back (the form an upload is compared in): a rule
        stored some other way (a suggestion from the post desk) is spelled as the reader
        spells it. As stored when they would not read back."""
        read, _ = self._workbooks.read(self._workbooks.write(rules), known)
        return read if read is not None else list(rules)

    # --- applying the checked rules ------------------------------------------------------------
    @command(
        APPLY_COMMAND,
        nl=("regels overnemen", "postregels overnemen", "regels toepassen"),
        en=("apply rules", "apply routing rules", "apply the rules"),
        title_key=N_("cmd.post_rules_apply.title"),
        help_key=N_("cmd.post_rules_apply.help"),
        example_key=N_("cmd.post_rules_apply.example"),
        role=Role.ENTITY_ADMIN,
        also=(Role.MAILROOM,),
        order=641,
    )
    async def apply_rules(self, turn: Turn, args: str) -> None:
        await self._require_keeper(turn, APPLY_COMMAND)
        pending = self._pending.take(pending_key(turn))
        if pending is None:
            raise DomainError(NOTHING_PENDING, minutes=self._pending.minutes)
        if await self._scope(turn) != pending.scope:
            await self._refused(turn, "rights_changed")
            raise DomainError(RIGHTS_CHANGED)
        repo = self._desk.access.rules
        if await repo.load() != list(pending.against):
            await self._refused(turn, "changed_meanwhile")
            raise DomainError(CHANGED_MEANWHILE)
        actor = turn.caller
        await replace_rules(
            repo, pending.rules, actor, self._auditor, tenant_id=turn.caller.tenant_id
        )
        self._desk.access.forget_rules()
        self._on_rules_changed()
        active = sum(1 for rule in pending.rules if rule.active)
        await turn.send_card(applied_card(len(pending.rules), active, turn.t))

    # --- helpers -------------------------------------------------------------------------------
    async def _scope(self, turn: Turn) -> Scope:
        if turn.caller.has(Role.MAILROOM):  # Werkplek admins too
            return None
        return await self._desk.access.standing(turn.caller).admin_of()

    async def _require_keeper(self, turn: Turn, name: str) -> None:
        if not self.may_import(turn):
            await self._audit(turn, f"command.{name}", Outcome.DENIED, needed_role=_keepers())
            raise Forbidden(DENIED)

    async def _refused(self, turn: Turn, reason: str, problems: int = 0) -> None:
        await record_refused_import(
            self._auditor,
            turn.caller,
            problems,
            tenant_id=turn.caller.tenant_id,
            reason=reason,
        )

    async def _audit(
        self, turn: Turn, action: str, outcome: Outcome, *, durable: bool = True, **detail: str
    ) -> None:
        caller = turn.caller
        await self._auditor.record(
            actor_id=caller.user_id,
            action=action,
            outcome=outcome,
            role=caller.role,
            tenant_id=caller.tenant_id,
            object_type=RULES_OBJECT,
            correlation_id=caller.correlation_id,
            durable=durable,
            **detail,
        )


def _keepers() -> str:
    return ",".join(role.value for role in KEEPERS)


# --- the inbox -----------------------------------------------------------------------------------
class WorkbookInbox:
    """The one Dispatcher.receive_files handler for every workbook admins may send in chat."""

    def __init__(
        self,
        importers: Sequence[WorkbookImporter],
        downloads: FileDownloads,
        sniff: WorkbookSniff,
        auditor: Auditor,
        max_upload_bytes: int,
    ) -> None:
        self._importers = list(importers)
        self._downloads = downloads
        self._sniff = sniff
        self._auditor = auditor
        self._max_upload_bytes = max_upload_bytes

    async def receive_files(self, turn: Turn, text: str) -> None:
        allowed = [importer for importer in self._importers if importer.may_import(turn)]
        if not allowed:  # nothing they could send would be taken: the file is not fetched
            await self._audit(turn, Outcome.DENIED, reason="no_importer")
            await turn.send_card(inbox_refused_card(turn.t))
            return
        hints = [turn.t(HINTS[i.workbook_kind]) for i in allowed if i.workbook_kind in HINTS]
        workbooks = [file for file in turn.files if is_workbook(file)]
        if len(workbooks) != 1 or len(turn.files) != 1:
            await self._audit(
                turn, Outcome.REJECTED, reason="not_one_workbook", files=str(len(turn.files))
            )
            await turn.send_card(one_workbook_card(hints, turn.t))
            return
        try:
            data = await self._downloads.fetch(workbooks[0].download_url, self._max_upload_bytes)
        except (InvalidInput, Unavailable) as error:
            await self._audit(turn, Outcome.REJECTED, reason=error.message_key)
            await turn.send_card(download_failed_card(explained(error, turn.t), turn.t))
            return
        kind = await asyncio.to_thread(self._sniff, data)
        importer = next((i for i in self._importers if kind and i.workbook_kind == kind), None)
        if importer is None and len(allowed) == 1:
            importer = allowed[0]  # its reader says what the workbook lacks
        if importer is None:
            await self._audit(turn, Outcome.REJECTED, reason="unknown_workbook")
            await turn.send_card(unknown_workbook_card(hints, turn.t))
            return
        await importer.import_workbook(turn, data)

    async def _audit(self, turn: Turn, outcome: Outcome, **detail: str) -> None:
        caller = turn.caller
        await self._auditor.record(
            actor_id=caller.user_id,
            action=INBOX_ACTION,
            outcome=outcome,
            role=caller.role,
            tenant_id=caller.tenant_id,
            object_type="workbook",
            correlation_id=caller.correlation_id,
            durable=True,
            **detail,
        )
