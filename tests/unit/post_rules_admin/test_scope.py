"""What an entity admin's workbook may change: their own entity's rules, nothing else; and how
long checked rules wait, for whom."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from bot.domain.platform.actors import Actor
from bot.domain.post.rule_imports import PendingRuleImport
from bot.domain.post.rule_scope import Breach, ScopeBreach, in_scope, scope_breaches
from bot.i18n import Translator
from bot.services.post.rules import describe_breach
from tests.support.clock import FakeClock
from tests.unit.post_rules_admin.world import current_rules, renumbered, tax_rule

ADV = frozenset({"ADV"})


def test_a_rule_for_every_entity_is_nobodys_own() -> None:
    every, adv, domg = current_rules()
    assert not in_scope(every, ADV)
    assert not in_scope(replace(every, entity=""), ADV)
    assert in_scope(adv, ADV) and in_scope(replace(adv, entity="adv"), ADV)
    assert not in_scope(domg, ADV)


def test_the_same_rules_breach_nothing() -> None:
    assert scope_breaches(current_rules(), current_rules(), ADV) == []


def test_own_rules_may_be_added_changed_removed_and_placed_anywhere() -> None:
    every, adv, domg = current_rules()
    assert scope_breaches(current_rules(), renumbered([tax_rule(), every, domg]), ADV) == []
    changed = replace(adv, active=False, description="uit")
    assert scope_breaches(current_rules(), renumbered([every, domg, changed]), ADV) == []
    assert scope_breaches(current_rules(), [every, domg], ADV) == []


def test_every_change_to_other_rules_is_listed() -> None:
    every, adv, _ = current_rules()
    new = [
        replace(every, description="anders"),
        adv,
        tax_rule("R-004", 4, "DFB"),
        replace(tax_rule("R-005", 5), entity="*"),
    ]
    assert scope_breaches(current_rules(), new, ADV) == [
        ScopeBreach(Breach.CHANGED, "R-001", "*"),
        ScopeBreach(Breach.REMOVED, "R-003", "DOMG"),
        ScopeBreach(Breach.ADDED, "R-004", "DFB"),
        ScopeBreach(Breach.ADDED, "R-005", "*"),
    ]


def test_moving_a_rule_out_of_or_into_ones_entity_is_a_change() -> None:
    every, adv, domg = current_rules()
    assert scope_breaches(current_rules(), [every, replace(adv, entity="*"), domg], ADV) == [
        ScopeBreach(Breach.ADDED, "R-002", "*")
    ]
    assert scope_breaches(current_rules(), [replace(every, entity="ADV"), adv, domg], ADV) == [
        ScopeBreach(Breach.CHANGED, "R-001", "*")
    ]


def test_other_rules_keep_their_order() -> None:
    every, adv, domg = current_rules()
    assert scope_breaches(current_rules(), renumbered([domg, adv, every]), ADV) == [
        ScopeBreach(Breach.MOVED, "R-003", "DOMG")
    ]


def test_an_admin_of_two_entities_keeps_both() -> None:
    every, adv, domg = current_rules()
    both = frozenset({"ADV", "DOMG"})
    assert scope_breaches(current_rules(), renumbered([domg, adv, every]), both) == []


def test_breaches_read_as_sentences() -> None:
    t = Translator("nl")
    assert describe_breach(ScopeBreach(Breach.REMOVED, "R-003", "DOMG"), t) == (
        "regel R-003 (DOMG): verwijderd"
    )
    assert describe_breach(ScopeBreach(Breach.CHANGED, "R-001", "*"), Translator("en")) == (
        "rule R-001 (every entity): changed"
    )


# --- checked rules waiting ----------------------------------------------------------------------
def test_checked_rules_wait_ten_minutes_for_their_uploader() -> None:
    now = FakeClock().now()
    uploader = Actor("User-1", "t")
    pending = PendingRuleImport.checked("id", uploader, tuple(current_rules()), (), None, now)
    assert pending.is_for(uploader) and pending.is_for(Actor("user-1", "t"))
    assert not pending.is_for(Actor("user-2", "t")) and not pending.is_for(Actor("User-1", "u"))
    assert not pending.has_expired(now + timedelta(seconds=599))
    assert pending.has_expired(now + timedelta(seconds=600))
