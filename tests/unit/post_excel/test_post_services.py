"""The services behind the rules import, the register and the retention purge, on in-memory
ports: a dry run routes recent post as the intake would today and changes nothing; a
register names people once each (an id when nobody can); a purge deletes only what is due,
survives a store that fails, and marks what it deleted."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.domain.platform.actors import Actor
from bot.domain.platform.directory import DirectoryUser
from bot.domain.platform.errors import Unavailable
from bot.domain.platform.roles import Role
from bot.domain.post.items import TRIAGE, Destination, DestinationKind, PostItem, Routing
from bot.domain.post.routing import (
    ADDRESSEE_RULE,
    AMBIGUOUS_REASON,
    Delegation,
    DryRunLine,
    RoutingRule,
    RuleConditions,
)
from bot.i18n import Translator
from bot.services.platform.audit import Auditor
from bot.services.post.register import build_post_register, display_names
from bot.services.post.retention import PURGE_ACTION, purge_scans
from bot.services.post.rules import record_refused_import, replace_rules
from bot.services.post.rules_dry_run import describe_dry_run, dry_run_rules, people_in_dry_run
from tests.support.clock import FakeClock
from tests.unit.fakes import MemoryAuditLog, MemoryDirectory
from tests.unit.post.fakes import (
    MemoryDelegations,
    MemoryDocuments,
    MemoryPostItems,
    MemoryRoutingRules,
)
from tests.unit.post_excel.samples import AN, CHANNEL, GROUP, JEF, MONDAY, handled, item, routed

BRUSSELS = ZoneInfo("Europe/Brussels")
NOW = MONDAY + timedelta(days=200)
CLOCK = FakeClock(NOW)
ADMIN = Actor("admin-1", roles=frozenset({Role.ADMIN}), correlation_id="corr-1")
TO_AN = RoutingRule(
    "R-001", 1, Destination(DestinationKind.PERSON, AN), RuleConditions(sender_contains="FOD")
)


def _person(user_id: str) -> Destination:
    return Destination(DestinationKind.PERSON, user_id)


def _user(user_id: str, name: str) -> DirectoryUser:
    return DirectoryUser(user_id, name, f"{name.split()[0].lower()}@example.org")


# --- dry run -----------------------------------------------------------------------------------
async def test_a_dry_run_shows_where_recent_post_is_and_would_go_newest_first() -> None:
    items = MemoryPostItems()
    triage = items.put(routed(item(1), TRIAGE, rule_id=""))
    jef = items.put(routed(item(2), rule_id=ADDRESSEE_RULE))
    before = dict(items.rows)

    lines = await dry_run_rules([TO_AN], items, MemoryDelegations(), CLOCK, BRUSSELS, 50)

    assert [line.item.reference for line in lines] == [jef.reference, triage.reference]
    assert all(line.after.destination == _person(AN) for line in lines)
    assert [line.before for line in lines] == [_person(JEF), TRIAGE]
    assert all(line.changed for line in lines)
    assert items.rows == before and items.audit == [], "a dry run changes nothing"


async def test_a_dry_run_takes_the_last_n_only() -> None:
    items = MemoryPostItems()
    for number in range(1, 6):
        items.put(routed(item(number), TRIAGE, rule_id=""))

    lines = await dry_run_rules([], items, MemoryDelegations(), CLOCK, BRUSSELS, 2)

    assert [line.item.id for line in lines] == [5, 4]
    assert await dry_run_rules([], items, MemoryDelegations(), CLOCK, BRUSSELS, 0) == []


async def test_a_dry_run_follows_todays_delegations() -> None:
    items = MemoryPostItems()
    items.put(routed(item(1), _person(JEF), rule_id=ADDRESSEE_RULE))
    delegations = MemoryDelegations()
    today = NOW.astimezone(BRUSSELS).date()
    await delegations.add(Delegation(AN, JEF, today, today + timedelta(days=1), AN, NOW))

    (line,) = await dry_run_rules([TO_AN], items, delegations, CLOCK, BRUSSELS, 50)

    assert line.after.destination == _person(JEF), "An is away today: her post goes to Jef"
    assert line.after.delegated_from == AN
    assert line.after.rule_id == "R-001"
    assert not line.changed


async def test_a_dry_run_keeps_why_an_item_was_unclear() -> None:
    items = MemoryPostItems()
    items.put(item(1).route(Routing(TRIAGE, reason=AMBIGUOUS_REASON), MONDAY))

    (line,) = await dry_run_rules([], items, MemoryDelegations(), CLOCK, BRUSSELS, 50)

    assert line.after == Routing(TRIAGE, reason=AMBIGUOUS_REASON)


def test_dry_run_lines_read_as_sentences() -> None:
    triage = routed(item(12), TRIAGE, rule_id="")
    team = Destination(DestinationKind.TEAM, f"{GROUP}|{CHANNEL}")
    lines = [
        DryRunLine(triage, TRIAGE, Routing(_person(JEF), rule_id="R-003")),
        DryRunLine(triage, _person(JEF), Routing(_person(JEF), JEF, ADDRESSEE_RULE)),
        DryRunLine(triage, team, Routing(Destination(DestinationKind.ENTITY, "DFB"))),
        DryRunLine(triage, TRIAGE, Routing(_person(AN), rule_id="R-1", delegated_from=JEF)),
    ]
    names = {JEF: "Jef Peeters", AN: "An Claes", GROUP: "Facturatie"}
    t = Translator("nl")

    assert [describe_dry_run(line, names, t) for line in lines] == [
        "POST-2026-000012: triage -> persoon Jef Peeters (regel R-003)",
        "POST-2026-000012: persoon Jef Peeters (geadresseerde op de omslag), ongewijzigd",
        "POST-2026-000012: team Facturatie -> entiteit DFB (geen regel)",
        "POST-2026-000012: triage -> persoon An Claes, in de plaats van Jef Peeters (regel R-1)",
    ]
    assert describe_dry_run(lines[0], {}, Translator("en")) == (
        f"POST-2026-000012: triage -> person {JEF} (rule R-003)"
    )
    assert people_in_dry_run(lines) == [JEF, AN]


# --- replacing -----------------------------------------------------------------------------------
async def test_replacing_the_rules_is_audited() -> None:
    repo, log = MemoryRoutingRules(), MemoryAuditLog()
    rules = [TO_AN, replace(TO_AN, id="R-002", position=2, active=False)]

    await replace_rules(repo, rules, ADMIN, Auditor(log, CLOCK), tenant_id="t1")
    await record_refused_import(Auditor(log, CLOCK), ADMIN, 7)

    assert repo.rules == rules
    ok, refused = log.entries
    assert (ok.action, ok.outcome.value, ok.actor_id, ok.role) == (
        "post.rules.import", "ok", "admin-1", "admin",
    )  # fmt: skip
    assert ok.detail == {"rules": "2", "active": "1"}
    assert (ok.tenant_id, ok.correlation_id) == ("t1", "corr-1")
    assert (refused.outcome.value, refused.detail["problems"]) == ("rejected", "7")


# --- the register ------------------------------------------------------------------------------
async def test_the_register_names_each_person_once_and_keeps_ids_it_cannot_name() -> None:
    items = MemoryPostItems()
    first = items.put(handled(routed(item(1)), timedelta(hours=2)))
    items.put(routed(item(2)))
    items.put(routed(item(3, received=MONDAY + timedelta(days=40))))  # after the period
    stranger = "0d3f0c1a-0000-4000-8000-000000000000"
    items.put(routed(item(4), _person(stranger), addressee_id=stranger))
    directory = MemoryDirectory(users={JEF: _user(JEF, "Jef Peeters")})

    found, names = await build_post_register(
        items, directory, MONDAY - timedelta(days=1), MONDAY + timedelta(days=30)
    )

    assert [i.id for i in found] == [1, 2, 4]
    assert found[0] == first
    assert names == {JEF: "Jef Peeters", stranger: stranger}
    assert sorted(directory.calls) == sorted([f"user:{JEF}", f"user:{stranger}"])


async def test_without_a_directory_or_when_it_fails_ids_stand_in() -> None:
    assert await display_names(None, [JEF, AN]) == {JEF: JEF, AN: AN}
    failing = MemoryDirectory(failure=Unavailable())
    assert await display_names(failing, [JEF, JEF]) == {JEF: JEF}

    class Broken(MemoryDirectory):
        async def get_user(self, user_id: str) -> DirectoryUser:
            raise RuntimeError("socket closed")

    assert await display_names(Broken(), [AN]) == {AN: AN}


# --- retention ---------------------------------------------------------------------------------
async def _handled_with_scan(
    items: MemoryPostItems, documents: MemoryDocuments, number: int, days_ago: int
) -> PostItem:
    stored = await documents.put(f"scan-{number}.pdf", b"%PDF")
    at = NOW - timedelta(days=days_ago)
    post = replace(item(number, received=at - timedelta(days=1)), document=stored)
    post = replace(post, created_at=at - timedelta(days=1))
    return items.put(handled(routed(post), timedelta(days=1)))


async def test_the_purge_deletes_due_scans_only_and_marks_them() -> None:
    items, documents = MemoryPostItems(), MemoryDocuments()
    old = await _handled_with_scan(items, documents, 1, 100)
    young = await _handled_with_scan(items, documents, 2, 30)
    open_item = items.put(routed(item(3, received=NOW - timedelta(days=300))))

    result = await purge_scans(items, documents, CLOCK, 90, Actor.system())

    assert result.deleted == (old.reference,)
    assert result.cutoff == NOW - timedelta(days=90)
    assert old.document.key not in documents.files
    assert young.document.key in documents.files
    marked = items.rows[old.id]
    assert marked.scan_deleted_at == NOW and marked.metadata == old.metadata
    assert items.rows[open_item.id] == open_item
    assert [(e.action, e.object_id, e.detail) for e in items.audit] == [
        (PURGE_ACTION, old.reference, {"scan": "deleted"})
    ]
    again = await purge_scans(items, documents, CLOCK, 90, Actor.system())
    assert again.deleted == ()


async def test_a_dry_purge_lists_and_changes_nothing() -> None:
    items, documents = MemoryPostItems(), MemoryDocuments()
    old = await _handled_with_scan(items, documents, 1, 100)

    result = await purge_scans(items, documents, CLOCK, 90, Actor.system(), dry_run=True)

    assert (result.deleted, result.dry_run) == ((old.reference,), True)
    assert old.document.key in documents.files and items.rows[old.id] == old


async def test_a_store_that_fails_does_not_stop_the_others_and_the_purge_ends() -> None:
    items, documents = MemoryPostItems(), MemoryDocuments()
    stuck = [await _handled_with_scan(items, documents, n, 200 - n) for n in range(1, 5)]
    fine = await _handled_with_scan(items, documents, 9, 95)

    class Flaky(MemoryDocuments):
        async def delete(self, key: str) -> bool:
            if key != fine.document.key:
                raise Unavailable()
            return await documents.delete(key)

    result = await purge_scans(items, Flaky(), CLOCK, 90, Actor.system(), batch=2)

    assert result.deleted == (fine.reference,)
    assert sorted(result.failed) == sorted(s.reference for s in stuck)
    assert all(items.rows[s.id].scan_deleted_at is None for s in stuck), "tried next time"


async def test_an_item_changed_meanwhile_is_marked_on_a_second_try() -> None:
    items, documents = MemoryPostItems(), MemoryDocuments()
    old = await _handled_with_scan(items, documents, 1, 100)
    items.races.add(old.id)  # another replica saved the item just before us

    result = await purge_scans(items, documents, CLOCK, 90, Actor.system())

    assert result.deleted == (old.reference,)
    assert items.rows[old.id].scan_deleted_at == NOW


@pytest.mark.parametrize("days", [0, 90])
async def test_the_cutoff_is_retention_days_before_now(days: int) -> None:
    result = await purge_scans(MemoryPostItems(), MemoryDocuments(), CLOCK, days, ADMIN)

    assert result.cutoff == NOW - timedelta(days=days)
    assert result.deleted == result.failed == ()
