"""Routing rules, the addressee default, triage reasons, delegations, rule suggestions, the dry
run and working days."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from bot.domain.post.items import (
    TRIAGE,
    Destination,
    DestinationKind,
    DocumentType,
    IntakeMetadata,
    PostItem,
    PostState,
    Routing,
    Sender,
)
from bot.domain.post.routing import (
    ADDRESSEE_INACTIVE_REASON,
    ADDRESSEE_RULE,
    AMBIGUOUS_REASON,
    ANY_ENTITY,
    CONFIDENTIAL_UNKNOWN_REASON,
    RULE_PERSON_INACTIVE_REASON,
    RULE_REASON,
    UNKNOWN_ADDRESSEE_REASON,
    Delegation,
    DryRunLine,
    RoutingRule,
    RuleConditions,
    active_delegation,
    dry_run,
    route,
    rule_matches,
    suggest_rule,
)
from tests.unit.post_domain.samples import JEF, LOTTE, T0, THOMAS, item, metadata, person

BOEKHOUDING = Destination(DestinationKind.TEAM, "group-boekhouding|19:channel@thread.tacv2")
ADV_QUEUE = Destination(DestinationKind.ENTITY, "ADV")
DAY = date(2026, 11, 4)  # a Wednesday


def rule(rule_id: str, position: int, destination: Destination, **kwargs: object) -> RoutingRule:
    conditions = kwargs.pop("conditions", RuleConditions())
    return RoutingRule(rule_id, position, destination, conditions, **kwargs)  # type: ignore[arg-type]


def when(**conditions: object) -> RuleConditions:
    return RuleConditions(**conditions)  # type: ignore[arg-type]


def matches(r: RoutingRule, meta: IntakeMetadata | None = None, entity: str = "ADV") -> bool:
    return rule_matches(r, meta or metadata(), entity, JEF)


def routed(
    meta: IntakeMetadata | None = None,
    *,
    rules: tuple[RoutingRule, ...] = (),
    delegations: tuple[Delegation, ...] = (),
    addressee_id: str = JEF,
    ambiguous: bool = False,
    entity: str = "ADV",
    day: date = DAY,
    inactive: frozenset[str] = frozenset(),
) -> Routing:
    return route(
        meta or metadata(),
        entity=entity,
        addressee_id=addressee_id,
        ambiguous=ambiguous,
        rules=rules,
        delegations=delegations,
        day=day,
        inactive=inactive,
    )


def delegation(
    user: str, delegate: str, starts: date, ends: date, created: int = 0, id: int = 1
) -> Delegation:
    return Delegation(user, delegate, starts, ends, user, T0 + timedelta(hours=created), id)


# --- conditions ------------------------------------------------------------------------------
def test_an_empty_rule_takes_everything_in_scope() -> None:
    assert matches(rule("R-1", 1, ADV_QUEUE))


def test_inactive_rules_never_match() -> None:
    assert not matches(rule("R-1", 1, ADV_QUEUE, active=False))


@pytest.mark.parametrize(
    ("scope", "entity", "expected"),
    [
        (ANY_ENTITY, "ADV", True),
        (ANY_ENTITY, "", True),
        ("ADV", "ADV", True),
        ("adv", "ADV", True),  # case ignored
        (" ADV ", "adv", True),
        ("", "DFB", True),  # a blank scope is every entity
        ("ADV", "DFB", False),
        ("ADV", "", False),  # an item of unknown entity only meets rules for every entity
    ],
)
def test_entity_scope(scope: str, entity: str, expected: bool) -> None:
    assert matches(rule("R-1", 1, ADV_QUEUE, entity=scope), entity=entity) is expected


def test_addressee_ids() -> None:
    r = rule("R-1", 1, BOEKHOUDING, conditions=when(addressee_ids=(JEF.upper(), LOTTE)))
    assert rule_matches(r, metadata(), "ADV", JEF)
    assert rule_matches(r, metadata(), "ADV", LOTTE)
    assert not rule_matches(r, metadata(), "ADV", THOMAS)
    assert not rule_matches(r, metadata(), "ADV", "")


@pytest.mark.parametrize(
    ("text", "addressee", "expected"),
    [
        ("Dienst Personeel", "Agentschap X – Dienst Personeel", True),
        ("dienst personeel", "DIENST PERSONEEL", True),
        ("Financiën", "Departement Financien en Begroting", True),  # accents ignored
        ("Personeel Dienst", "Dienst Personeel", True),  # all words, any order
        ("Dienst Personeel", "Dienst Personeelszaken", False),  # whole words
        ("Dienst Personeel", "Dienst Werkplek", False),
    ],
)
def test_addressee_text(text: str, addressee: str, expected: bool) -> None:
    r = rule("R-1", 1, ADV_QUEUE, conditions=when(addressee_text=text))
    assert matches(r, metadata(addressee=addressee)) is expected


@pytest.mark.parametrize(
    ("text", "sender", "expected"),
    [
        ("FOD Financiën", Sender("", "FOD Financien"), True),
        ("fod financien", Sender("Jan Smit", "FOD Financiën"), True),
        ("Smit", Sender("Jan Smit", "FOD Financiën"), True),  # the name counts too
        ("Jan FOD", Sender("Jan Smit", "FOD Financiën"), True),  # name and organisation
        ("Proximus", Sender("Jan Smit", "FOD Financiën"), False),
        ("Fin", Sender("", "FOD Financiën"), False),
    ],
)
def test_sender_contains(text: str, sender: Sender, expected: bool) -> None:
    r = rule("R-1", 1, ADV_QUEUE, conditions=when(sender_contains=text))
    assert matches(r, metadata(sender=sender)) is expected


def test_document_types() -> None:
    r = rule("R-1", 1, ADV_QUEUE, conditions=when(document_types=frozenset({DocumentType.INVOICE})))
    assert matches(r, metadata(document_type=DocumentType.INVOICE))
    assert not matches(r, metadata(document_type=DocumentType.LETTER))


def test_a_registered_rule_takes_letters_flagged_registered() -> None:
    types = frozenset({DocumentType.REGISTERED})
    r = rule("R-1", 1, ADV_QUEUE, conditions=when(document_types=types))
    assert matches(r, metadata(document_type=DocumentType.REGISTERED))
    assert matches(r, metadata(document_type=DocumentType.LETTER, registered=True))
    assert not matches(r, metadata(document_type=DocumentType.LETTER))


@pytest.mark.parametrize(
    ("keywords", "subject", "ocr", "expected"),
    [
        (("factuur",), "Factuur 2026-118", "", True),
        (("factuur",), "", "Hierbij onze FACTUUR voor oktober", True),
        (("factuur", "aanmaning"), "Tweede aanmaning", "", True),  # any keyword
        (("factuur",), "Facturen oktober", "", False),  # whole words only
        (("financiën",), "Financien", "", True),  # accents ignored
        (("aanslagbiljet personenbelasting",), "Uw aanslagbiljet personenbelasting", "", True),
        (("aanslagbiljet personenbelasting",), "Aanslagbiljet", "personenbelasting", False),
        (("aanslagbiljet personenbelasting",), "personenbelasting aanslagbiljet", "", False),
        (("factuur",), "Brief", "", False),
        (("",), "Brief", "", False),  # an empty keyword matches nothing
    ],
)
def test_keywords(keywords: tuple[str, ...], subject: str, ocr: str, expected: bool) -> None:
    r = rule("R-1", 1, ADV_QUEUE, conditions=when(keywords=keywords))
    assert matches(r, metadata(subject=subject, ocr_text=ocr)) is expected


def test_every_condition_must_hold() -> None:
    r = rule(
        "R-1",
        1,
        BOEKHOUDING,
        conditions=when(
            sender_contains="Proximus",
            keywords=("factuur",),
            document_types=frozenset({DocumentType.INVOICE}),
        ),
    )
    invoice = metadata(
        sender=Sender("", "Proximus NV"), subject="Factuur", document_type=DocumentType.INVOICE
    )
    assert matches(r, invoice)
    assert not matches(r, metadata(sender=Sender("", "Proximus NV"), subject="Factuur"))
    assert not matches(r, metadata(subject="Factuur", document_type=DocumentType.INVOICE))


# --- route -----------------------------------------------------------------------------------
INVOICES = rule("R-2", 2, BOEKHOUDING, conditions=when(keywords=("factuur",)))
EVERYTHING_ADV = rule("R-9", 9, ADV_QUEUE, entity="ADV")


def test_first_matching_rule_by_position_wins() -> None:
    meta = metadata(subject="Factuur")
    routing = routed(meta, rules=(EVERYTHING_ADV, INVOICES))
    assert routing == Routing(BOEKHOUDING, addressee_id=JEF, rule_id="R-2")
    routing = routed(metadata(subject="Brief"), rules=(EVERYTHING_ADV, INVOICES))
    assert routing == Routing(ADV_QUEUE, addressee_id=JEF, rule_id="R-9")


def test_equal_positions_keep_the_list_order() -> None:
    first = rule("R-A", 5, BOEKHOUDING)
    second = rule("R-B", 5, ADV_QUEUE)
    assert routed(rules=(first, second)).rule_id == "R-A"
    assert routed(rules=(second, first)).rule_id == "R-B"


def test_inactive_and_out_of_scope_rules_are_skipped() -> None:
    rules = (rule("R-1", 1, BOEKHOUDING, active=False), rule("R-2", 2, BOEKHOUDING, entity="DFB"))
    assert routed(rules=rules) == Routing(person(JEF), addressee_id=JEF, rule_id=ADDRESSEE_RULE)


def test_no_rule_goes_to_the_person_on_the_envelope() -> None:
    routing = routed(rules=(INVOICES,))
    assert routing == Routing(person(JEF), addressee_id=JEF, rule_id=ADDRESSEE_RULE)
    assert routing.reason == "" and routing.delegated_from == ""


def test_a_named_person_wins_over_the_ambiguous_flag() -> None:
    assert routed(ambiguous=True).destination == person(JEF)


@pytest.mark.parametrize(
    ("ambiguous", "confidential", "reason"),
    [
        (False, False, UNKNOWN_ADDRESSEE_REASON),
        (True, False, AMBIGUOUS_REASON),
        (False, True, CONFIDENTIAL_UNKNOWN_REASON),
        (True, True, CONFIDENTIAL_UNKNOWN_REASON),  # sealed first: the mailroom must not open it
    ],
)
def test_triage_reasons(ambiguous: bool, confidential: bool, reason: str) -> None:
    meta = metadata(confidential=confidential)
    routing = routed(meta, addressee_id="", ambiguous=ambiguous, rules=(INVOICES,))
    assert routing == Routing(TRIAGE, reason=reason)
    assert reason.startswith("post.reason.")


def test_a_rule_beats_triage_and_records_no_addressee() -> None:
    routing = routed(metadata(subject="factuur"), addressee_id="", rules=(INVOICES,))
    assert routing == Routing(BOEKHOUDING, rule_id="R-2")


def test_a_rule_may_send_to_triage_on_purpose() -> None:
    legal = rule("R-1", 1, TRIAGE, conditions=when(document_types=frozenset({DocumentType.LEGAL})))
    routing = routed(metadata(document_type=DocumentType.LEGAL), rules=(legal,))
    assert routing == Routing(TRIAGE, addressee_id=JEF, rule_id="R-1", reason=RULE_REASON)


def test_rules_see_the_entity_the_caller_gives() -> None:
    assert routed(rules=(EVERYTHING_ADV,), entity="adv").rule_id == "R-9"
    assert routed(rules=(EVERYTHING_ADV,), entity="DFB").rule_id == ADDRESSEE_RULE


def test_delegation_redirects_a_person_and_records_from_whom() -> None:
    away = delegation(JEF, LOTTE, date(2026, 11, 2), date(2026, 11, 6))
    routing = routed(delegations=(away,))
    assert routing == Routing(
        person(LOTTE), addressee_id=JEF, rule_id=ADDRESSEE_RULE, delegated_from=JEF
    )


def test_delegation_applies_to_a_rule_that_sends_to_a_person() -> None:
    to_jef = rule("R-1", 1, person(JEF), conditions=when(keywords=("factuur",)))
    away = delegation(JEF, LOTTE, DAY, DAY)
    routing = routed(
        metadata(subject="factuur"), addressee_id="", rules=(to_jef,), delegations=(away,)
    )
    assert routing == Routing(person(LOTTE), rule_id="R-1", delegated_from=JEF)


def test_delegation_does_not_touch_teams_entities_or_triage() -> None:
    away = delegation(JEF, LOTTE, DAY, DAY)
    assert routed(rules=(EVERYTHING_ADV,), delegations=(away,)).delegated_from == ""
    assert routed(addressee_id="", delegations=(away,)).destination == TRIAGE


# --- delegations -----------------------------------------------------------------------------
START, END = date(2026, 11, 2), date(2026, 11, 6)
AWAY = delegation(JEF, LOTTE, START, END)


@pytest.mark.parametrize(
    ("day", "active"),
    [
        (START - timedelta(days=1), False),  # before
        (START, True),  # the first day
        (date(2026, 11, 4), True),
        (END, True),  # the last day
        (END + timedelta(days=1), False),  # after
    ],
)
def test_delegation_window_is_inclusive(day: date, active: bool) -> None:
    assert (active_delegation((AWAY,), JEF, day) == AWAY) is active


def test_delegation_is_for_that_person_only() -> None:
    assert active_delegation((AWAY,), LOTTE, DAY) is None
    assert active_delegation((AWAY,), JEF.upper(), DAY) == AWAY  # ids compared case-blind


def test_overlapping_delegations_the_latest_created_wins() -> None:
    older = delegation(JEF, LOTTE, START, END, created=0, id=1)
    newer = delegation(JEF, THOMAS, DAY, DAY, created=5, id=2)
    assert active_delegation((newer, older), JEF, DAY) == newer
    assert active_delegation((older, newer), JEF, DAY) == newer
    assert active_delegation((older, newer), JEF, START) == older  # newer not yet active


def test_same_moment_the_higher_id_wins() -> None:
    one = delegation(JEF, LOTTE, START, END, id=1)
    two = delegation(JEF, THOMAS, START, END, id=2)
    assert active_delegation((two, one), JEF, DAY) == two


def test_a_delegation_to_oneself_is_ignored() -> None:
    to_self = delegation(JEF, JEF.upper(), START, END, created=9, id=9)
    assert active_delegation((to_self,), JEF, DAY) is None
    assert active_delegation((AWAY, to_self), JEF, DAY) == AWAY


def test_chains_are_not_followed() -> None:
    jef_away = delegation(JEF, LOTTE, START, END)
    lotte_away = delegation(LOTTE, THOMAS, START, END, id=2)
    routing = routed(delegations=(jef_away, lotte_away))
    assert routing.destination == person(LOTTE) and routing.delegated_from == JEF


def test_a_loop_ends_after_one_step() -> None:
    there = delegation(JEF, LOTTE, START, END)
    back = delegation(LOTTE, JEF, START, END, id=2)
    assert routed(delegations=(there, back)).destination == person(LOTTE)


# --- someone who left -----------------------------------------------------------------------
TO_JEF = rule("R-5", 1, person(JEF), conditions=when(keywords=("factuur",)))
INVOICE = metadata(subject="factuur")


@pytest.mark.parametrize(
    ("meta", "rules", "delegations", "inactive", "expected"),
    [
        pytest.param(
            None,
            (),
            (),
            {JEF},
            Routing(
                TRIAGE, addressee_id=JEF, rule_id=ADDRESSEE_RULE, reason=ADDRESSEE_INACTIVE_REASON
            ),
            id="envelope-person-left-no-delegate",
        ),
        pytest.param(
            None,
            (),
            (AWAY,),
            {JEF},
            Routing(person(LOTTE), addressee_id=JEF, rule_id=ADDRESSEE_RULE, delegated_from=JEF),
            id="envelope-person-left-to-delegate",
        ),
        pytest.param(
            None,
            (),
            (AWAY,),
            {JEF, LOTTE},
            Routing(
                TRIAGE, addressee_id=JEF, rule_id=ADDRESSEE_RULE, reason=ADDRESSEE_INACTIVE_REASON
            ),
            id="envelope-person-and-delegate-left",
        ),
        pytest.param(
            None,
            (),
            (AWAY,),
            {LOTTE},
            Routing(person(JEF), addressee_id=JEF, rule_id=ADDRESSEE_RULE),
            id="delegate-left-person-keeps-it",
        ),
        pytest.param(
            INVOICE,
            (TO_JEF,),
            (),
            {JEF.upper()},
            Routing(TRIAGE, addressee_id=JEF, rule_id="R-5", reason=RULE_PERSON_INACTIVE_REASON),
            id="rule-person-left-case-blind",
        ),
        pytest.param(
            INVOICE,
            (TO_JEF,),
            (AWAY,),
            {JEF},
            Routing(person(LOTTE), addressee_id=JEF, rule_id="R-5", delegated_from=JEF),
            id="rule-person-left-to-delegate",
        ),
        pytest.param(
            INVOICE,
            (rule("R-6", 1, BOEKHOUDING),),
            (),
            {JEF},
            Routing(BOEKHOUDING, addressee_id=JEF, rule_id="R-6"),
            id="a-team-rule-is-untouched",
        ),
        pytest.param(
            None,
            (),
            (),
            {LOTTE},
            Routing(person(JEF), addressee_id=JEF, rule_id=ADDRESSEE_RULE),
            id="someone-else-left",
        ),
    ],
)
def test_post_for_someone_who_left(
    meta: IntakeMetadata | None,
    rules: tuple[RoutingRule, ...],
    delegations: tuple[Delegation, ...],
    inactive: set[str],
    expected: Routing,
) -> None:
    assert routed(meta, rules=rules, delegations=delegations, inactive=frozenset(inactive)) == (
        expected
    )


def test_a_delegation_to_someone_who_left_gives_way_to_an_older_one() -> None:
    older = delegation(JEF, LOTTE, START, END, created=0, id=1)
    newer = delegation(JEF, THOMAS, DAY, DAY, created=5, id=2)
    assert active_delegation((older, newer), JEF, DAY, inactive={THOMAS}) == older
    assert active_delegation((newer,), JEF, DAY, inactive={THOMAS.upper()}) is None


# --- rule suggestions ------------------------------------------------------------------------
def triaged(
    addressee: str, sender: Sender, entity: str = "ADV", addressee_id: str = ""
) -> PostItem:
    meta = metadata(addressee=addressee, sender=sender, entity=entity)
    return item(PostState.TRIAGE, metadata=meta, addressee_id=addressee_id)


def test_suggest_rule_from_the_sender_organisation_and_the_envelope() -> None:
    post = triaged(
        "Agentschap Digitaal Vlaanderen, Dienst Personeel", Sender("Jan Smit", "Securex")
    )
    suggestion = suggest_rule(post, BOEKHOUDING, "R-050", 50)
    assert suggestion == RoutingRule(
        id="R-050",
        position=50,
        destination=BOEKHOUDING,
        conditions=RuleConditions(
            sender_contains="Securex",
            addressee_text="Agentschap Digitaal Vlaanderen Dienst Personeel",
        ),
        entity="ADV",
        description=post.reference,
        active=True,
    )
    assert rule_matches(suggestion, post.metadata, "ADV", "")


def test_suggest_rule_uses_the_sender_name_without_an_organisation() -> None:
    post = triaged("Dienst Personeel", Sender("Jan Smit", ""))
    assert suggest_rule(post, BOEKHOUDING, "R-1", 1).conditions.sender_contains == "Jan Smit"


def test_suggest_rule_leaves_out_titles_and_markers() -> None:
    post = triaged("Agentschap Digitaal Vlaanderen t.a.v. de directeur", Sender("", "Securex"))
    suggestion = suggest_rule(post, ADV_QUEUE, "R-1", 1)
    assert suggestion.conditions.addressee_text == "Agentschap Digitaal Vlaanderen directeur"
    assert rule_matches(suggestion, post.metadata, "ADV", "")
    # the next letter, worded a little differently, meets the rule too
    other = metadata(
        addressee="Agentschap Digitaal Vlaanderen, ter attentie van de directeur",
        sender=Sender("", "Securex"),
    )
    assert rule_matches(suggestion, other, "ADV", "")


def test_suggest_rule_keeps_a_family_as_written() -> None:
    post = triaged("Fam. Peeters", Sender("", "Stad Brussel"))
    suggestion = suggest_rule(post, ADV_QUEUE, "R-1", 1)
    assert suggestion.conditions.addressee_text == "Fam. Peeters"
    jef = metadata(addressee="Jef Peeters", sender=Sender("", "Stad Brussel"))
    assert not rule_matches(suggestion, jef, "ADV", JEF)


def test_suggest_rule_without_the_addressee_when_a_person_was_named() -> None:
    post = triaged("Jef Peeters", Sender("", "Proximus"), addressee_id=JEF)
    suggestion = suggest_rule(post, BOEKHOUDING, "R-1", 1)
    assert suggestion.conditions == RuleConditions(sender_contains="Proximus")


def test_suggest_rule_for_every_entity_when_the_item_has_none() -> None:
    post = triaged("Dienst Personeel", Sender("", "Securex"), entity="")
    assert suggest_rule(post, BOEKHOUDING, "R-1", 1).entity == ANY_ENTITY


def test_a_suggestion_without_conditions_comes_inactive() -> None:
    post = triaged("", Sender("", ""))
    suggestion = suggest_rule(post, BOEKHOUDING, "R-1", 1)
    assert suggestion.conditions == RuleConditions() and not suggestion.active


# --- dry run ---------------------------------------------------------------------------------
def test_dry_run_shows_before_and_after() -> None:
    at_jef = item(PostState.ROUTED, destination=person(JEF), id=1)
    invoice = item(
        PostState.ROUTED, destination=person(JEF), id=2, metadata=metadata(subject="Factuur")
    )
    rules = (INVOICES,)

    def again(post: PostItem) -> Routing:
        return routed(post.metadata, rules=rules)

    lines = dry_run([at_jef, invoice], again)
    assert lines == [
        DryRunLine(at_jef, person(JEF), Routing(person(JEF), JEF, ADDRESSEE_RULE)),
        DryRunLine(invoice, person(JEF), Routing(BOEKHOUDING, JEF, "R-2")),
    ]
    assert [line.changed for line in lines] == [False, True]
    assert dry_run([], again) == []


# --- working days ----------------------------------------------------------------------------
