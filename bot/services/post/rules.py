"""The routing rules of incoming post as the mailroom and entity ICT admins keep them in chat.

`PostRules` is the one face the rules dialog calls:
- `summary`: how many rules there are, and which of them are the caller's to change;
- `check`: a workbook sent in chat, read (the RuleWorkbooks port), its people and channels
  given by name looked up (rules_names.py, the RuleNames port). With problems, every one is
  listed and nothing is kept. Otherwise the rules are checked against the caller's entities
  (bot/domain/post/rule_scope.py), tried on the latest post (`dry_run`, rules_dry_run.py), rules
  to people who left are warned about (rules_warnings.py), and the checked rules wait in the
  database for the uploader's confirmation (bot/domain/post/rule_imports.py);
- `workbook`: the rules as a workbook, names written next to the ids;
- `apply`: the uploader's checked rules replace all rules at once, audited durably, and the
  routing caches on this replica are forgotten (others read the rules afresh within half a
  minute). Nothing is applied that expired, that the uploader's rights no longer cover, or that
  was checked against rules someone changed since (an import, a rule suggestion).

Who may: the mailroom, entity ICT admins and Werkplek's admins (KEEPERS), the roles the
registry declares for the rules commands. A workbook sent in chat comes without a command, so
`check` is where that is checked for it; the dialog checks nothing itself. An entity ICT admin
(without the mailroom's role) changes only the rules of their own entities, and their dry run
tries only their entities' items (other entities' post is not theirs to see).

Replacing is all or nothing, with one audit line (also for `werkplek rules import`).
"""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass

from bot.domain.platform.actors import Actor
from bot.domain.platform.audit import Outcome
from bot.domain.platform.errors import DomainError, NextCommand
from bot.domain.platform.roles import Role
from bot.domain.platform.text import fold
from bot.domain.post.routing import ANY_ENTITY, DryRunLine, RoutingRule
from bot.domain.post.rule_imports import PENDING_MINUTES, PendingRuleImport
from bot.domain.post.rule_scope import Scope, ScopeBreach, own_rules, scope_breaches
from bot.i18n import N_, Translator
from bot.ports.platform import Clock
from bot.ports.post import (
    PendingRuleImportRepository,
    PostItemRepository,
    RoutingRuleRepository,
    RuleNames,
    RuleWorkbooks,
)
from bot.services.platform.audit import Auditor
from bot.services.post.access import NameBook, PostAccess, item_entities
from bot.services.post.people import PostPeople
from bot.services.post.rules_dry_run import (
    DEFAULT_LAST_N,
    MAX_LAST_N,
    describe_dry_run,
    dry_run_rules,
    people_in_dry_run,
)
from bot.services.post.rules_names import resolve_names, rule_labels
from bot.services.post.rules_warnings import describe_warning, rules_to_inactive_people

IMPORT_ACTION = "post.rules.import"
CHECK_ACTION = "post.rules.check"  # a valid workbook tried on recent post, nothing stored
RULES_OBJECT = "post_rules"
# Who may keep the rules (any of these; admins hold every role).
KEEPERS = (Role.MAILROOM, Role.ENTITY_ADMIN)

NOTHING_PENDING = N_("post_rules_admin.apply.nothing")
CHANGED_MEANWHILE = N_("post_rules_admin.apply.changed_meanwhile")
RIGHTS_CHANGED = N_("post_rules_admin.apply.rights_changed")
NO_ENTITY = N_("post_rules_admin.no_entity")
# Nothing (left) to confirm: the rules as they are, and how to send a workbook.
THE_RULES: NextCommand = ("post_rules", "cmd.post_rules.title")


@dataclass(frozen=True, slots=True)
class RulesOverview:
    """The rules as one keeper sees them. `entities`: their entity codes when they may change
    only those rules (an entity ICT admin), None when they may change every rule."""

    rules: int
    active: int
    entities: tuple[str, ...] | None
    own: int  # rules scoped to `entities`


# --- what a check of a workbook found (lines in the caller's language) ----------------------------
@dataclass(frozen=True, slots=True)
class NotAKeeper:
    """The caller may not change the routing rules at all."""


@dataclass(frozen=True, slots=True)
class Rejected:
    problems: tuple[str, ...]  # by sheet, row and column


@dataclass(frozen=True, slots=True)
class OutsideEntities:
    entities: tuple[str, ...]  # the caller's own
    breaches: tuple[str, ...]  # every rule of others the workbook changes


@dataclass(frozen=True, slots=True)
class Checked:
    """Valid rules, waiting `minutes` for the uploader's confirmation."""

    rules: int
    active: int
    tried: int  # items routed again
    moved: tuple[str, ...]  # one line per item that would go elsewhere
    scoped: bool  # only the items of the caller's entities were tried
    warnings: tuple[str, ...]  # rules that send post to someone who left
    minutes: int


RulesCheck = NotAKeeper | Rejected | OutsideEntities | Checked


@dataclass(frozen=True, slots=True)
class Applied:
    rules: int
    active: int


class PostRules:
    def __init__(
        self,
        *,
        access: PostAccess,
        items: PostItemRepository,
        pending: PendingRuleImportRepository,
        workbooks: RuleWorkbooks,
        auditor: Auditor,
        clock: Clock,
        names: NameBook | None = None,
        rule_names: RuleNames | None = None,
        on_rules_changed: Callable[[], None] = lambda: None,
        last_n: int = DEFAULT_LAST_N,
        minutes: int = PENDING_MINUTES,
    ) -> None:
        """access: who is an entity's ICT admin, the rules, delegations and the catalogue's
        entities; rule_names: the directory for people and channels a workbook names (None:
        only ids are accepted); on_rules_changed: the intake's `forget_rules`, so new post on
        this replica follows new rules at once."""
        self._access = access
        self._rules: RoutingRuleRepository = access.rules
        self._items = items
        self._pending = pending
        self._workbooks = workbooks
        self._auditor = auditor
        self._clock = clock
        self._people = PostPeople(access.directory, names or NameBook())
        self._rule_names = rule_names
        self._on_rules_changed = on_rules_changed
        self.last_n = last_n  # items a dry run tries
        self.minutes = minutes  # how long checked rules wait for a confirmation

    def may_keep(self, actor: Actor) -> bool:
        return any(actor.has(role) for role in KEEPERS)

    async def summary(self, actor: Actor) -> RulesOverview:
        rules = await self._rules.load()
        scope = await self._scope(actor)
        return RulesOverview(
            rules=len(rules),
            active=sum(1 for rule in rules if rule.active),
            entities=None if scope is None else tuple(sorted(scope)),
            own=0 if scope is None else len(own_rules(rules, scope)),
        )

    # --- a workbook sent in chat -------------------------------------------------------------
    async def check(self, actor: Actor, data: bytes, t: Translator) -> RulesCheck:
        """Read, check and try the workbook; valid rules wait for `apply`. Audited either way
        (a refusal durably); a DomainError is audited here and explained by the dispatcher."""
        if not self.may_keep(actor):
            await self._audit(actor, IMPORT_ACTION, Outcome.DENIED, needed_role=_keepers())
            return NotAKeeper()
        try:
            return await self._check(actor, data, t)
        except DomainError as error:
            await self._refused(actor, error.message_key)
            raise
        except Exception as error:
            await self._audit(actor, IMPORT_ACTION, Outcome.FAILED, error=type(error).__name__)
            raise

    async def _check(self, actor: Actor, data: bytes, t: Translator) -> RulesCheck:
        scope = await self._scope(actor)
        if scope is not None and not scope:
            raise DomainError(NO_ENTITY)
        known = [entity.code for entity in (await self._access.catalogue()).entities]
        # Reading a workbook is CPU work (openpyxl): keep the event loop free for other turns.
        read = await asyncio.to_thread(self._workbooks.read, data, known)
        read = await resolve_names(read, self._rule_names)
        if read.rules is None or read.problems:
            problems = read.problems
            await self._refused(actor, "invalid_workbook", len(problems))
            return Rejected(tuple(self._workbooks.describe(problem, t) for problem in problems))
        rules = list(read.rules)
        current = await self._rules.load()
        if scope is not None:
            as_read = await asyncio.to_thread(self._as_read, current, known)
            breaches = scope_breaches(as_read, rules, scope)
            if breaches:
                await self._refused(actor, "outside_entity", len(breaches))
                lines = tuple(describe_breach(breach, t) for breach in breaches)
                return OutsideEntities(tuple(sorted(scope)), lines)
        tried = await self.dry_run(rules, scope)
        moved = [line for line in tried if line.changed]
        names = await self._people.names(people_in_dry_run(moved))
        now = self._clock.now()
        await self._pending.keep(
            PendingRuleImport.checked(
                secrets.token_hex(16), actor, tuple(rules), tuple(current), scope, now, self.minutes
            )
        )
        active = sum(1 for rule in rules if rule.active)
        await self._audit(
            actor,
            CHECK_ACTION,
            Outcome.OK,
            durable=False,  # nothing changed yet; applying is audited durably
            rules=str(len(rules)),
            active=str(active),
            tried=str(len(tried)),
            changed=str(len(moved)),
            size=str(len(data)),
        )
        return Checked(
            rules=len(rules),
            active=active,
            tried=len(tried),
            moved=tuple(describe_dry_run(line, names, t) for line in moved),
            scoped=scope is not None,
            warnings=await self._warnings(own_rules(rules, scope), t),
            minutes=self.minutes,
        )

    async def dry_run(self, rules: Sequence[RoutingRule], scope: Scope) -> list[DryRunLine]:
        """The latest `last_n` items routed again with `rules` (for an entity admin: the latest
        of their entities' items, among the latest MAX_LAST_N). Reads only."""
        access, clock = self._access, self._clock
        delegations, zone = access.delegations, access.timezone
        if scope is None:
            return await dry_run_rules(rules, self._items, delegations, clock, zone, self.last_n)
        lines = await dry_run_rules(rules, self._items, delegations, clock, zone, MAX_LAST_N)
        own = {fold(code) for code in scope}
        mine = [line for line in lines if {fold(e) for e in item_entities(line.item)} & own]
        return mine[: self.last_n]

    async def _warnings(self, rules: Sequence[RoutingRule], t: Translator) -> tuple[str, ...]:
        """Rules (the caller's own, for an entity admin) whose person has left: the rules may
        still be applied (their post goes to the delegate or to triage)."""
        warnings = await rules_to_inactive_people(rules, self._access.directory)
        if not warnings:
            return ()
        names = await self._people.names(warning.person_id for warning in warnings)
        return tuple(describe_warning(warning, names, t) for warning in warnings)

    def _as_read(self, rules: Sequence[RoutingRule], known: Collection[str]) -> list[RoutingRule]:
        """The rules as their workbook reads back (the form an upload is compared in): a rule
        stored some other way (a suggestion from the post desk) is spelled as the reader
        spells it. As stored when they would not read back."""
        read = self._workbooks.read(self._workbooks.write(rules), known).rules
        return list(read) if read is not None else list(rules)

    # --- the export --------------------------------------------------------------------------
    async def workbook(self) -> bytes:
        """The rules as a workbook, people and channels written "Naam <id>" (ids alone for
        those the directory does not know, or when it cannot answer)."""
        rules = await self._rules.load()
        labels = await rule_labels(rules, self._rule_names)
        return await asyncio.to_thread(self._workbooks.write, rules, labels)

    # --- applying the checked rules ----------------------------------------------------------
    async def apply(self, actor: Actor) -> Applied:
        """The caller's checked rules in place of all rules, once (a second confirmation, on
        any replica, finds nothing)."""
        pending = await self._pending.take(actor.tenant_id, actor.user_id)
        now = self._clock.now()
        if pending is None or not pending.is_for(actor) or pending.has_expired(now):
            raise DomainError(NOTHING_PENDING, next_command=THE_RULES, count=self.minutes)
        if await self._scope(actor) != pending.scope:
            await self._refused(actor, "rights_changed")
            raise DomainError(RIGHTS_CHANGED, next_command=THE_RULES)
        if await self._rules.load() != list(pending.against):
            await self._refused(actor, "changed_meanwhile")
            raise DomainError(CHANGED_MEANWHILE, next_command=THE_RULES)
        await replace_rules(
            self._rules, pending.rules, actor, self._auditor, tenant_id=actor.tenant_id
        )
        self._access.forget_rules()
        self._on_rules_changed()
        return Applied(len(pending.rules), sum(1 for rule in pending.rules if rule.active))

    # --- helpers -----------------------------------------------------------------------------
    async def _scope(self, actor: Actor) -> Scope:
        if actor.has(Role.MAILROOM):  # Werkplek admins too
            return None
        return await self._access.standing(actor).admin_of()

    async def _refused(self, actor: Actor, reason: str, problems: int = 0) -> None:
        await record_refused_import(
            self._auditor, actor, problems, tenant_id=actor.tenant_id, reason=reason
        )

    async def _audit(
        self, actor: Actor, action: str, outcome: Outcome, *, durable: bool = True, **detail: str
    ) -> None:
        await self._auditor.record(
            actor_id=actor.user_id,
            action=action,
            outcome=outcome,
            role=actor.role,
            tenant_id=actor.tenant_id,
            object_type=RULES_OBJECT,
            correlation_id=actor.correlation_id,
            durable=durable,
            **detail,
        )


def _keepers() -> str:
    return ",".join(role.value for role in KEEPERS)


def describe_breach(breach: ScopeBreach, t: Translator) -> str:
    scope = breach.entity.strip() or ANY_ENTITY
    entity = t("post_rules_admin.all_entities") if scope == ANY_ENTITY else scope
    return t(f"post_rules_admin.scope.{breach.breach.value}", rule=breach.rule_id, entity=entity)


# --- replacing, for chat and the command line ----------------------------------------------------
async def replace_rules(
    repo: RoutingRuleRepository,
    rules: Sequence[RoutingRule],
    actor: Actor,
    auditor: Auditor,
    *,
    tenant_id: str = "",
) -> None:
    """Store `rules` in place of all current ones (all or nothing), then audit it durably."""
    await repo.replace(rules)
    await auditor.record(
        actor_id=actor.user_id,
        action=IMPORT_ACTION,
        outcome=Outcome.OK,
        role=actor.role,
        tenant_id=tenant_id,
        object_type=RULES_OBJECT,
        correlation_id=actor.correlation_id,
        rules=str(len(rules)),
        active=str(sum(1 for rule in rules if rule.active)),
    )


async def record_refused_import(
    auditor: Auditor,
    actor: Actor,
    problems: int,
    *,
    tenant_id: str = "",
    reason: str = "invalid_workbook",
) -> None:
    """The audit line of an import that stored nothing (a workbook with problems)."""
    await auditor.record(
        actor_id=actor.user_id,
        action=IMPORT_ACTION,
        outcome=Outcome.REJECTED,
        role=actor.role,
        tenant_id=tenant_id,
        object_type=RULES_OBJECT,
        correlation_id=actor.correlation_id,
        reason=reason,
        problems=str(problems),
    )
