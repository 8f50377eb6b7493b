"""The routing rules in chat: the download link, an upload checked and tried on recent post, the
confirmation that applies it, and who may do what."""

from __future__ import annotations

from dataclasses import replace
from urllib.parse import parse_qsl, urlsplit

import pytest

from bot.domain.platform.actors import Actor
from bot.domain.platform.audit import Outcome
from bot.domain.platform.signing import verify
from bot.domain.post.items import Destination, DestinationKind
from bot.domain.post.routing import RoutingRule
from bot.domain.post.rule_imports import PENDING_MINUTES
from bot.http.exports import POST_RULES
from bot.services.platform.audit import Auditor
from bot.services.post.rules import CHECK_ACTION, IMPORT_ACTION, PostRules
from dialogs.post.rules import RULES_EXPORT
from tests.unit.post.fakes import ELISE, JEF, LOTTE, MAILROOM_CLERK, SOFIE, TENANT, THOMAS
from tests.unit.post_rules_admin.world import (
    ADMIN,
    BASE,
    ENTITY_ADMIN,
    MAILROOM,
    SECRET,
    STAFF,
    RulesWorld,
    current_rules,
    renumbered,
    tax_rule,
)
from tests.unit.test_dispatcher import card_text


@pytest.fixture
def world() -> RulesWorld:
    return RulesWorld()


def texts(cards: list[dict]) -> str:
    return "\n".join(card_text(card) for card in cards)


def open_url(card: dict) -> str:
    (action,) = [a for a in card.get("actions", []) if a["type"] == "Action.OpenUrl"]
    return str(action["url"])


def link_params(world: RulesWorld, url: str) -> dict[str, str]:
    now = int(world.clock.now().timestamp())
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}" == BASE
    params = dict(parse_qsl(parts.query))
    signature, expires = params.pop("sig"), int(params.pop("exp"))
    assert verify(SECRET, parts.path, params, expires, signature, now)
    assert len(params.pop("n")) >= 16  # the single-use nonce, random per link
    return {"path": parts.path, "expires_in": str(expires - now), **params}


def test_the_dialog_asks_for_the_kind_the_export_endpoint_serves() -> None:
    assert RULES_EXPORT == POST_RULES


# --- the rules card -----------------------------------------------------------------------------
@pytest.mark.parametrize("text", ["regels", "toon de postregels", "routeringsregels"])
async def test_the_mailroom_gets_the_rules_and_a_signed_download_link(
    world: RulesWorld, text: str
) -> None:
    turn = await world.say(text, MAILROOM_CLERK, MAILROOM)
    (card,) = turn.cards
    shown = card_text(card)
    assert "Routeringsregels voor inkomende post" in shown
    assert {"title": "Regels", "value": "3"} in card["body"][2]["facts"]
    assert {"title": "Actief", "value": "3"} in card["body"][2]["facts"]
    assert "stuur het aangepaste Excel-bestand in deze chat" in shown
    assert "laatste 50 poststukken" in shown
    assert "10 minuten" in shown
    assert "alleen regels voor je eigen entiteit" not in shown
    params = link_params(world, open_url(card))
    assert params == {
        "path": "/api/exports/post-rules",
        "expires_in": str(10 * 60),
        "by": MAILROOM_CLERK,
    }


async def test_an_entity_admin_is_told_which_rules_are_theirs(world: RulesWorld) -> None:
    turn = await world.say("regels", THOMAS, ENTITY_ADMIN)
    (card,) = turn.cards
    assert {"title": "Voor ADV", "value": "1"} in card["body"][2]["facts"]
    assert "alleen regels voor je eigen entiteit (ADV)" in card_text(card)
    assert link_params(world, open_url(card))["by"] == THOMAS


async def test_an_entity_admin_of_no_entity_may_look_but_not_change(world: RulesWorld) -> None:
    turn = await world.say("regels", LOTTE, ENTITY_ADMIN)
    assert "Ik vind geen entiteit waarvan je ICT-beheerder bent" in card_text(turn.cards[0])


async def test_the_rules_card_speaks_english(world: RulesWorld) -> None:
    turn = await world.say("routing rules", MAILROOM_CLERK, MAILROOM, locale="en")
    shown = card_text(turn.cards[0])
    assert "send the edited workbook in this chat" in shown
    assert "Download the rules" in shown


@pytest.mark.parametrize("text", ["regels", "regels overnemen"])
async def test_staff_are_refused_the_rules_and_audited(world: RulesWorld, text: str) -> None:
    turn = await world.say(text, LOTTE, STAFF)
    (card,) = turn.cards
    # The handler refuses (a command declares one role); once commands take several, the
    # dispatcher does, with its own card. Either way: no rules, no link, a DENIED line.
    refusals = ("postkamer en de ICT-beheerders van een entiteit", "Daarvoor heb je geen rechten")
    assert any(refusal in card_text(card) for refusal in refusals)
    # Its only way on is help: no link, no button into the rules.
    assert [a.get("data") for a in card.get("actions", [])] in ([], [{"command": "help"}])
    name = "post_rules" if text == "regels" else "post_rules_apply"
    assert ("denied", LOTTE) in [(o, who) for o, who, _ in world.actions(f"command.{name}")]


# --- an upload: problems ------------------------------------------------------------------------
async def test_a_bad_workbook_lists_every_problem_and_keeps_nothing(world: RulesWorld) -> None:
    bad = [
        replace(current_rules()[0], destination=Destination(DestinationKind.PERSON, "geen-guid")),
        replace(current_rules()[1], entity="XYZ"),
        replace(current_rules()[2], position=2),
    ]
    data = world.workbooks.write(bad)
    problems = world.workbooks.read(data, ["ADV", "DOMG", "DFB"]).problems
    assert len(problems) == 3
    turn = await world.send([("regels.xlsx", data)], MAILROOM_CLERK, MAILROOM)
    shown = texts(turn.cards)
    assert "Regels niet overgenomen" in shown
    assert "3 fouten" in shown
    for problem in problems:
        assert world.workbooks.describe(problem, turn.t) in shown
    assert "blad Regels, rij 2, kolom Doel" in shown
    assert "blad Regels, rij 3, kolom Entiteit" in shown
    assert world.post.rules.rules == current_rules()
    assert world.actions(IMPORT_ACTION) == [
        ("rejected", MAILROOM_CLERK, {"reason": "invalid_workbook", "problems": "3"})
    ]
    again = await world.say("regels overnemen", MAILROOM_CLERK, MAILROOM)
    assert "geen gecontroleerde regels" in card_text(again.cards[0])


async def test_many_problems_continue_on_further_cards(world: RulesWorld) -> None:
    rules = [
        RoutingRule(f"R-{n:03d}", n, Destination(DestinationKind.PERSON, "geen-guid"))
        for n in range(1, 401)
    ]
    turn = await world.upload(rules, MAILROOM_CLERK, MAILROOM)
    assert len(turn.cards) > 1
    shown = texts(turn.cards)
    assert "400 fouten" in shown
    assert shown.count("geen-guid") == 400
    assert "Vervolg van de fouten (2/" in shown


async def test_a_file_that_is_no_workbook_is_a_problem_not_a_crash(world: RulesWorld) -> None:
    turn = await world.send([("regels.xlsx", b"this is no zip file")], MAILROOM_CLERK, MAILROOM)
    assert "geen Excel-werkboek" in card_text(turn.cards[0])
    assert world.actions(IMPORT_ACTION)[0][0] == "rejected"


# --- an upload: the dry run, then the confirmation ----------------------------------------------
async def test_a_good_workbook_is_tried_on_recent_post_and_applied_when_confirmed(
    world: RulesWorld,
) -> None:
    items = world.seed_post()
    new = [*current_rules(), tax_rule()]
    turn = await world.upload(new, MAILROOM_CLERK, MAILROOM)
    (card,) = turn.cards
    shown = card_text(card)
    assert "Regels gecontroleerd, nog niet overgenomen" in shown
    assert "4 regels, waarvan 4 actief" in shown
    assert "zou 1 poststuk van de laatste 5 ergens anders terechtkomen" in shown
    assert f"{items[4].reference}: triage -> persoon Jef Peeters (regel R-004)" in shown
    for unchanged in items[:4]:
        assert unchanged.reference not in shown
    assert f"binnen {PENDING_MINUTES} minuten" in shown
    assert world.post.rules.rules == current_rules()  # nothing stored yet
    assert world.forgotten == 0
    [(outcome, actor, detail)] = world.actions(CHECK_ACTION)
    assert (outcome, actor) == ("ok", MAILROOM_CLERK)
    assert (detail["rules"], detail["tried"], detail["changed"]) == ("4", "5", "1")

    clicked = await world.click(card, MAILROOM_CLERK, MAILROOM)
    (done,) = clicked.cards
    assert "Regels overgenomen" in card_text(done)
    assert world.post.rules.rules == new
    assert world.forgotten == 1
    assert world.actions(IMPORT_ACTION) == [("ok", MAILROOM_CLERK, {"rules": "4", "active": "4"})]
    (entry,) = [e for e in world.audit.entries if e.action == IMPORT_ACTION]
    assert (entry.tenant_id, entry.object_type, entry.role) == (
        clicked.caller.tenant_id,
        "post_rules",
        "mailroom,staff",
    )
    twice = await world.say("regels overnemen", MAILROOM_CLERK, MAILROOM)
    assert "geen gecontroleerde regels" in card_text(twice.cards[0])
    assert world.post.rules.replaced == 1


async def test_rules_that_move_nothing_say_so(world: RulesWorld) -> None:
    world.seed_post()
    turn = await world.upload(current_rules(), MAILROOM_CLERK, MAILROOM)
    assert "De laatste 5 poststukken zouden met deze regels op dezelfde plaats" in card_text(
        turn.cards[0]
    )


async def test_without_post_there_is_nothing_to_try(world: RulesWorld) -> None:
    turn = await world.upload(
        current_rules(),
        MAILROOM_CLERK,
        MAILROOM,
    )
    assert "nog geen post om de regels op uit te proberen" in card_text(turn.cards[0])


async def test_the_confirmation_lapses_after_ten_minutes(world: RulesWorld) -> None:
    await world.upload([*current_rules(), tax_rule()], MAILROOM_CLERK, MAILROOM)
    world.clock.advance(minutes=PENDING_MINUTES, seconds=1)
    turn = await world.say("regels overnemen", MAILROOM_CLERK, MAILROOM)
    assert "vervalt na 10 minuten" in card_text(turn.cards[0])
    assert world.post.rules.rules == current_rules()


async def test_the_confirmation_may_reach_another_replica(world: RulesWorld) -> None:
    # Checked rules wait in the store both replicas share, not in the memory of the first.
    new = [*current_rules(), tax_rule()]
    await world.upload(new, MAILROOM_CLERK, MAILROOM)
    replica = PostRules(
        access=world.post.access,
        items=world.post.items,
        pending=world.pending,
        workbooks=world.workbooks,
        auditor=Auditor(world.audit, world.clock),
        clock=world.clock,
    )
    applied = await replica.apply(Actor(MAILROOM_CLERK, TENANT, roles=MAILROOM))
    assert (applied.rules, world.post.rules.rules) == (4, new)
    twice = await world.say("regels overnemen", MAILROOM_CLERK, MAILROOM)
    assert "geen gecontroleerde regels" in card_text(twice.cards[0])
    assert world.post.rules.replaced == 1


async def test_only_the_latest_upload_of_that_person_is_applied(world: RulesWorld) -> None:
    first = [*current_rules(), tax_rule()]
    second = [*current_rules(), tax_rule(position=9)]
    await world.upload(first, MAILROOM_CLERK, MAILROOM)
    await world.upload(second, MAILROOM_CLERK, MAILROOM)
    other = await world.say("regels overnemen", ELISE, MAILROOM)
    assert "geen gecontroleerde regels" in card_text(other.cards[0])
    await world.say("apply rules", MAILROOM_CLERK, MAILROOM, locale="en")
    assert world.post.rules.rules == second


async def test_rules_changed_meanwhile_are_not_overwritten(world: RulesWorld) -> None:
    await world.upload([*current_rules(), tax_rule()], MAILROOM_CLERK, MAILROOM)
    meanwhile = [*current_rules(), tax_rule("R-010", 10, "DFB")]
    world.post.rules.rules = meanwhile  # someone else's import, or a rule suggestion
    turn = await world.say("regels overnemen", MAILROOM_CLERK, MAILROOM)
    assert "Iemand anders heeft de regels intussen aangepast" in card_text(turn.cards[0])
    assert world.post.rules.rules == meanwhile
    assert world.actions(IMPORT_ACTION) == [
        ("rejected", MAILROOM_CLERK, {"reason": "changed_meanwhile", "problems": "0"})
    ]


async def test_rights_that_changed_since_the_check_apply_nothing(world: RulesWorld) -> None:
    await world.upload([*current_rules(), tax_rule()], THOMAS, MAILROOM | ENTITY_ADMIN)
    turn = await world.say("regels overnemen", THOMAS, ENTITY_ADMIN)
    assert "Je rechten zijn sinds de controle veranderd" in card_text(turn.cards[0])
    assert world.post.rules.rules == current_rules()


async def test_an_admin_keeps_every_rule(world: RulesWorld) -> None:
    new = renumbered([tax_rule(entity="*"), *current_rules()[1:]])
    turn = await world.upload(new, "admin-1", ADMIN)
    await world.click(turn.cards[-1], "admin-1", ADMIN)
    assert world.post.rules.rules == new


# --- entity admins ------------------------------------------------------------------------------
async def test_an_entity_admin_may_change_their_own_rules_anywhere_in_the_order(
    world: RulesWorld,
) -> None:
    items = world.seed_post()
    rules = current_rules()
    # Their new rule first, their old one changed, the others renumbered but in their order.
    new = renumbered(
        [tax_rule(), rules[0], replace(rules[1], description="Subsidies naar Jef"), rules[2]]
    )
    turn = await world.upload(new, THOMAS, ENTITY_ADMIN)
    shown = texts(turn.cards)
    assert "zou 1 poststuk van je entiteit, van de laatste 4, ergens anders" in shown
    assert f"{items[4].reference}: triage -> persoon Jef Peeters (regel R-004)" in shown
    assert items[3].reference not in shown  # DOMG's post is not theirs to see
    await world.click(turn.cards[-1], THOMAS, ENTITY_ADMIN)
    assert world.post.rules.rules == new


async def test_an_entity_admin_may_not_touch_other_entities_rules(world: RulesWorld) -> None:
    rules = current_rules()
    new = [
        replace(rules[0], description="Alle facturen"),  # for every entity: changed
        rules[1],
        # R-003 (DOMG) removed
        tax_rule("R-004", 4, "DOMG"),  # added for another entity
        tax_rule("R-005", 5, "*"),  # added for every entity
    ]
    turn = await world.upload(new, THOMAS, ENTITY_ADMIN)
    shown = texts(turn.cards)
    assert "Regels niet overgenomen" in shown
    assert "alleen regels voor ADV toevoegen, wijzigen of verwijderen" in shown
    assert "Deze 4 regels horen daar niet bij" in shown
    for line in (
        "regel R-001 (alle entiteiten): gewijzigd",
        "regel R-003 (DOMG): verwijderd",
        "regel R-004 (DOMG): toegevoegd",
        "regel R-005 (alle entiteiten): toegevoegd",
    ):
        assert line in shown
    assert world.post.rules.rules == rules
    assert world.actions(IMPORT_ACTION) == [
        ("rejected", THOMAS, {"reason": "outside_entity", "problems": "4"})
    ]
    nothing = await world.say("regels overnemen", THOMAS, ENTITY_ADMIN)
    assert "geen gecontroleerde regels" in card_text(nothing.cards[0])


async def test_an_entity_admin_may_not_reorder_other_entities_rules(world: RulesWorld) -> None:
    rules = current_rules()
    turn = await world.upload(renumbered([rules[2], rules[1], rules[0]]), THOMAS, ENTITY_ADMIN)
    assert "regel R-003 (DOMG): staat in een andere volgorde" in texts(turn.cards)


async def test_an_entity_admin_may_not_take_a_rule_into_their_entity(world: RulesWorld) -> None:
    rules = current_rules()
    turn = await world.upload([replace(rules[0], entity="ADV"), *rules[1:]], THOMAS, ENTITY_ADMIN)
    assert "regel R-001 (alle entiteiten): gewijzigd" in texts(turn.cards)


async def test_an_entity_admin_of_no_entity_may_not_import(world: RulesWorld) -> None:
    turn = await world.upload(current_rules(), LOTTE, ENTITY_ADMIN)
    assert "Ik vind geen entiteit waarvan je ICT-beheerder bent" in card_text(turn.cards[0])
    assert world.actions(IMPORT_ACTION) == [
        ("rejected", LOTTE, {"reason": "post_rules_admin.no_entity", "problems": "0"})
    ]


async def test_rules_stored_some_other_way_still_count_as_unchanged(world: RulesWorld) -> None:
    # A suggestion from the post desk spells the entity as the scanner did; the workbook
    # spells it as the catalogue does. The entity admin did not change it.
    suggested = replace(tax_rule("R-009", 9, "domg"), description="POST-2026-000004")
    world.post.rules.rules = [*current_rules(), suggested]
    turn = await world.upload(
        [*current_rules(), replace(suggested, entity="DOMG"), tax_rule("R-010", 10)],
        THOMAS,
        ENTITY_ADMIN,
    )
    assert "Regels gecontroleerd" in card_text(turn.cards[0])


# --- who may send a rules workbook --------------------------------------------------------------
async def test_a_rules_workbook_from_staff_is_refused_without_fetching_it(
    world: RulesWorld,
) -> None:
    turn = await world.upload([*current_rules(), tax_rule()], SOFIE, STAFF)
    (card,) = turn.cards
    assert "Ik kan dit bestand niet verwerken" in card_text(card)
    assert world.downloads.fetched == []
    assert world.actions("workbook.import") == [("denied", SOFIE, {"reason": "no_importer"})]
    assert world.post.rules.rules == current_rules()


async def test_a_rules_workbook_from_a_catalogue_admin_only_is_refused(
    world: RulesWorld,
) -> None:
    # Someone the licence importer takes files from, but who keeps no routing rules (no real
    # role is like that today: admins hold every role; the rules service checks anyway).
    world.rules.may_keep = lambda actor: False  # type: ignore[method-assign]
    turn = await world.upload([*current_rules(), tax_rule()], JEF, ADMIN)
    assert "De routeringsregels van de post passen alleen de postkamer" in card_text(turn.cards[0])
    (entry,) = [e for e in world.audit.entries if e.action == IMPORT_ACTION]
    assert (entry.outcome, entry.actor_id, entry.detail) == (
        Outcome.DENIED,
        JEF,
        {"needed_role": "mailroom,entity_admin"},
    )


# --- rules that send post to someone who left ---------------------------------------------------
def jef_left(world: RulesWorld) -> None:
    directory = world.post.directory
    directory.users[JEF] = replace(directory.users[JEF], account_enabled=False)


async def test_rules_to_someone_who_left_are_warned_about_and_may_still_be_applied(
    world: RulesWorld,
) -> None:
    jef_left(world)
    new = [*current_rules(), tax_rule()]

    turn = await world.upload(new, MAILROOM_CLERK, MAILROOM)

    (warning,) = turn.texts
    assert "regel R-002 stuurt post naar Jef Peeters" in warning
    assert "regel R-004 stuurt post naar Jef Peeters" in warning
    assert "uitgeschakeld" in warning
    (card,) = turn.cards
    await world.click(card, MAILROOM_CLERK, MAILROOM)
    assert world.post.rules.rules == new


async def test_an_entity_admin_is_warned_only_about_their_own_rules(world: RulesWorld) -> None:
    jef_left(world)  # R-002 (ADV) sends to Jef; Elise holds DOMG

    turn = await world.upload(current_rules(), ELISE, ENTITY_ADMIN)

    assert turn.texts == []
    (card,) = turn.cards
    assert "Regels gecontroleerd, nog niet overgenomen" in card_text(card)


async def test_no_warning_while_everyone_named_works_here(world: RulesWorld) -> None:
    turn = await world.upload([*current_rules(), tax_rule()], MAILROOM_CLERK, MAILROOM)
    assert turn.texts == []
