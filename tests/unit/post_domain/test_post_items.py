"""Every transition of a post item from every state, acknowledgement before handling, version
counting, and the dedupe keys of notices."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta

import pytest

from bot.domain.platform.errors import DomainError
from bot.domain.post.items import (
    NEEDS_ACKNOWLEDGEMENT,
    TRIAGE,
    AcknowledgementRequired,
    DocumentType,
    IllegalPostTransition,
    PostItem,
    PostNotice,
    PostNoticeKind,
    PostState,
    Routing,
    format_post_reference,
    item_card_key,
)
from tests.unit.post_domain.samples import JEF, LOTTE, MAILROOM, T0, THOMAS, item, metadata, person

LATER = T0 + timedelta(hours=2)
TO_JEF = Routing(person(JEF), addressee_id=JEF, rule_id="addressee")
TO_TRIAGE = Routing(TRIAGE, reason="post.reason.unknown_addressee")

Transition = Callable[[PostItem], PostItem]
TRANSITIONS: dict[str, Transition] = {
    "route": lambda i: i.route(TO_JEF, LATER),
    "forward": lambda i: i.forward(JEF, LOTTE, "Voor jou", LATER),
    "not_for_me": lambda i: i.not_for_me(JEF, "Niet mijn dienst", LATER),
    "acknowledge": lambda i: i.acknowledge(JEF, LATER),
    "handle": lambda i: i.handle(JEF, LATER),
    "request_original": lambda i: i.request_original(JEF, LATER),
    "reminded": lambda i: i.reminded(LATER),
    "scan_deleted": lambda i: i.scan_deleted(LATER),
}
R, T, H, X = PostState.ROUTED, PostState.TRIAGE, PostState.HANDLED, PostState.RECEIVED
ALLOWED: dict[str, tuple[frozenset[PostState], PostState | None]] = {
    # transition: (states it may start from, the state it ends in; None = unchanged)
    "route": (frozenset({X, T}), R),
    "forward": (frozenset({R}), R),
    "not_for_me": (frozenset({R}), T),
    "acknowledge": (frozenset({R, T}), None),
    "handle": (frozenset({R}), H),
    "request_original": (frozenset({R, T, H}), None),
    "reminded": (frozenset({R}), R),
    "scan_deleted": (frozenset({H}), H),
}
CASES = [(name, state) for name in TRANSITIONS for state in PostState]


def in_state(state: PostState) -> PostItem:
    return item(state, version=3, destination=TRIAGE if state is T else person(JEF))


@pytest.mark.parametrize(("name", "state"), CASES, ids=[f"{n}-{s.value}" for n, s in CASES])
def test_every_transition_from_every_state(name: str, state: PostState) -> None:
    before = in_state(state)
    allowed, ends_in = ALLOWED[name]
    if state not in allowed:
        with pytest.raises(IllegalPostTransition) as raised:
            TRANSITIONS[name](before)
        assert (raised.value.state, raised.value.transition) == (state, name)
        assert raised.value.params == {"state": state.value, "transition": name}
        assert raised.value.message_key == "post.error.illegal_transition"
        return
    after = TRANSITIONS[name](before)
    assert after.state is (ends_in or state)
    assert (after.version, after.updated_at) == (4, LATER)
    assert before.version == 3  # items are values: the old one is untouched


def test_route_to_a_person_then_handle() -> None:
    received = item()
    assert received.is_open and received.version == 1
    routed = received.route(TO_JEF, LATER)
    assert (routed.state, routed.destination, routed.addressee_id, routed.rule_id) == (
        PostState.ROUTED,
        person(JEF),
        JEF,
        "addressee",
    )
    assert routed.triage_reason == ""
    done = routed.handle(JEF, LATER)
    assert (done.state, done.handled_by, done.handled_at, done.version) == (H, JEF, LATER, 3)
    assert not done.is_open


def test_route_to_triage_records_the_reason() -> None:
    triaged = item().route(TO_TRIAGE, LATER)
    assert triaged.state is PostState.TRIAGE and triaged.destination == TRIAGE
    assert triaged.triage_reason == "post.reason.unknown_addressee"
    assert triaged.is_open


def test_route_from_triage_clears_the_reason_and_keeps_the_addressee() -> None:
    triaged = item(addressee_id=JEF).route(TO_TRIAGE, T0)
    routed = triaged.route(Routing(person(LOTTE), rule_id="manual"), LATER)
    assert (routed.state, routed.destination, routed.triage_reason) == (R, person(LOTTE), "")
    assert routed.addressee_id == JEF  # the envelope still named Jef
    assert routed.version == 3


def test_route_records_a_delegation() -> None:
    routing = Routing(person(LOTTE), addressee_id=JEF, rule_id="addressee", delegated_from=JEF)
    routed = item().route(routing, LATER)
    assert (routed.destination, routed.delegated_from) == (person(LOTTE), JEF)


def test_forward_changes_the_person_and_restarts_reminders() -> None:
    routed = item().route(TO_JEF, T0).reminded(T0).reminded(T0)
    assert routed.reminders_sent == 2
    forwarded = routed.forward(JEF, THOMAS, "Graag opvolgen", LATER)
    assert forwarded.destination == person(THOMAS)
    assert (forwarded.forwarded_by, forwarded.note) == (JEF, "Graag opvolgen")
    assert (forwarded.reminders_sent, forwarded.last_reminded_at) == (0, None)
    assert forwarded.addressee_id == JEF


def test_not_for_me_goes_back_to_triage_with_the_persons_words() -> None:
    routed = item().route(TO_JEF, T0)
    back = routed.not_for_me(JEF, "Ik werk niet meer bij deze dienst", LATER)
    assert (back.state, back.destination) == (PostState.TRIAGE, TRIAGE)
    assert (back.triage_reason, back.forwarded_by) == ("Ik werk niet meer bij deze dienst", JEF)


def test_reminded_counts() -> None:
    routed = item().route(TO_JEF, T0)
    once = routed.reminded(LATER)
    twice = once.reminded(LATER + timedelta(days=1))
    assert (twice.reminders_sent, twice.last_reminded_at) == (2, LATER + timedelta(days=1))
    assert twice.version == routed.version + 2


def test_scan_deleted_keeps_the_metadata() -> None:
    done = item().route(TO_JEF, T0).handle(JEF, T0)
    purged = done.scan_deleted(LATER)
    assert purged.scan_deleted_at == LATER
    assert (purged.metadata, purged.document, purged.handled_by) == (
        done.metadata,
        done.document,
        JEF,
    )


# --- acknowledgement -------------------------------------------------------------------------
@pytest.mark.parametrize("kind", sorted(NEEDS_ACKNOWLEDGEMENT))
def test_registered_and_legal_items_need_an_acknowledgement_first(kind: DocumentType) -> None:
    routed = item(metadata=metadata(document_type=kind)).route(TO_JEF, T0)
    assert routed.needs_acknowledgement
    with pytest.raises(AcknowledgementRequired) as raised:
        routed.handle(JEF, LATER)
    assert isinstance(raised.value, DomainError)
    assert raised.value.message_key == "post.error.acknowledge_first"
    acknowledged = routed.acknowledge(LOTTE, LATER)
    assert (acknowledged.acknowledged_by, acknowledged.acknowledged_at) == (LOTTE, LATER)
    assert acknowledged.state is PostState.ROUTED
    done = acknowledged.handle(JEF, LATER)
    assert done.state is PostState.HANDLED and done.acknowledged_by == LOTTE


def test_a_letter_flagged_registered_needs_an_acknowledgement() -> None:
    routed = item(metadata=metadata(registered=True, tracking_number="RR123456789BE"))
    routed = routed.route(TO_JEF, T0)
    assert routed.needs_acknowledgement
    with pytest.raises(AcknowledgementRequired):
        routed.handle(JEF, LATER)


@pytest.mark.parametrize(
    "kind", sorted(set(DocumentType) - NEEDS_ACKNOWLEDGEMENT), ids=lambda kind: kind.value
)
def test_other_items_are_handled_without(kind: DocumentType) -> None:
    routed = item(metadata=metadata(document_type=kind)).route(TO_JEF, T0)
    assert not routed.needs_acknowledgement
    assert routed.handle(JEF, LATER).state is PostState.HANDLED


def test_the_mailroom_may_acknowledge_in_triage_and_it_carries_over() -> None:
    triaged = item(metadata=metadata(document_type=DocumentType.LEGAL)).route(TO_TRIAGE, T0)
    acknowledged = triaged.acknowledge(MAILROOM, LATER)
    assert acknowledged.state is PostState.TRIAGE
    routed = acknowledged.route(TO_JEF, LATER)
    assert routed.handle(JEF, LATER).acknowledged_by == MAILROOM


def test_acknowledge_and_request_original_happen_once() -> None:
    routed = item().route(TO_JEF, T0)
    acknowledged = routed.acknowledge(JEF, LATER)
    again = acknowledged.acknowledge(LOTTE, LATER + timedelta(hours=1))
    assert again is acknowledged  # the first acknowledgement stands; no new version
    requested = routed.request_original(JEF, LATER)
    assert requested.original_requested_by == JEF
    assert requested.original_requested_at == LATER
    assert requested.request_original(LOTTE, LATER) is requested


def test_the_original_may_be_requested_after_handling() -> None:
    done = item().route(TO_JEF, T0).handle(JEF, T0)
    requested = done.request_original(JEF, LATER)
    assert requested.state is PostState.HANDLED and requested.original_requested_by == JEF


# --- versions --------------------------------------------------------------------------------
def test_every_change_counts_one_version() -> None:
    steps: list[Transition] = [
        lambda i: i.route(TO_JEF, LATER),
        lambda i: i.acknowledge(JEF, LATER),
        lambda i: i.reminded(LATER),
        lambda i: i.forward(JEF, LOTTE, "", LATER),
        lambda i: i.not_for_me(LOTTE, "Niet voor mij", LATER),
        lambda i: i.route(TO_JEF, LATER),
        lambda i: i.request_original(JEF, LATER),
        lambda i: i.handle(JEF, LATER),
        lambda i: i.scan_deleted(LATER),
    ]
    current = item()
    for expected, step in enumerate(steps, start=2):
        current = step(current)
        assert current.version == expected
    assert current.created_at == T0 and current.updated_at == LATER


# --- references and dedupe keys --------------------------------------------------------------
def test_reference_format() -> None:
    assert format_post_reference(2026, 123) == "POST-2026-000123"
    assert format_post_reference(2027, 1) == "POST-2027-000001"


def test_notice_dedupe_key_per_version_kind_and_recipient() -> None:
    routed = item().route(TO_JEF, T0)  # version 2
    notice = PostNotice(PostNoticeKind.NEW_ITEM, routed, recipient_id=JEF.upper())
    assert notice.dedupe_key == f"post:123:card:1:{JEF}"  # the card later edits point at
    same = PostNotice(PostNoticeKind.NEW_ITEM, routed, recipient_id=JEF)
    assert same.dedupe_key == notice.dedupe_key
    forwarded = routed.forward(JEF, LOTTE, "", LATER)
    keys = {
        notice.dedupe_key,
        PostNotice(PostNoticeKind.NEW_ITEM, routed, recipient_id=LOTTE).dedupe_key,
        PostNotice(PostNoticeKind.ITEM_UPDATED, routed, recipient_id=JEF).dedupe_key,
        PostNotice(PostNoticeKind.FORWARDED, forwarded, recipient_id=LOTTE).dedupe_key,
        PostNotice(PostNoticeKind.NEW_ITEM, replace(routed, id=124), recipient_id=JEF).dedupe_key,
    }
    assert len(keys) == 5


def test_notice_dedupe_key_into_a_channel() -> None:
    channel = "19:mailroom@thread.tacv2"
    triaged = item().route(TO_TRIAGE, T0)
    notice = PostNotice(PostNoticeKind.TRIAGE, triaged, conversation_id=channel)
    assert notice.dedupe_key == item_card_key(123, channel, triaged.card_version)


def test_a_step_makes_the_key_unique_per_occasion() -> None:
    routed = item().route(TO_JEF, T0)
    first = PostNotice(PostNoticeKind.REMINDER, routed, recipient_id=JEF, step="reminder-1")
    second = PostNotice(PostNoticeKind.REMINDER, routed, recipient_id=JEF, step="reminder-2")
    assert first.dedupe_key == f"post:123:reminder-1:reminder:{JEF}"
    assert first.dedupe_key != second.dedupe_key
    # the same occasion at a later version is still the same message (no double reminder)
    later = PostNotice(PostNoticeKind.REMINDER, routed.reminded(LATER), JEF, step="reminder-1")
    assert later.dedupe_key == first.dedupe_key


def test_item_card_key() -> None:
    assert item_card_key(123, JEF.upper(), 2) == f"post:123:card:2:{JEF}"
    assert item_card_key(123, JEF, 1) != item_card_key(124, JEF, 1)
    assert item_card_key(123, JEF, 1) != item_card_key(123, JEF, 2)
    routed = item().route(TO_JEF, T0)
    update = PostNotice(
        PostNoticeKind.ITEM_UPDATED, routed, recipient_id=JEF, replaces=item_card_key(123, JEF, 1)
    )
    assert update.replaces != update.dedupe_key


# --- a new addressee starts afresh ---------------------------------------------------------
def test_routing_again_after_not_for_me_restarts_reminders_and_forgets_the_forwarder() -> None:
    reminded = item().route(TO_JEF, T0).reminded(T0).reminded(T0)
    back = reminded.not_for_me(JEF, "Niet voor mij", T0)
    again = back.route(Routing(person(LOTTE), rule_id="manual"), LATER)
    assert (again.reminders_sent, again.last_reminded_at) == (0, None)
    assert (again.forwarded_by, again.note) == ("", "")


def test_forwarding_a_delegated_item_is_no_longer_delegated() -> None:
    delegated = item().route(Routing(person(LOTTE), addressee_id=JEF, delegated_from=JEF), T0)
    forwarded = delegated.forward(LOTTE, THOMAS, "", LATER)
    assert forwarded.delegated_from == ""
