"""Every card builder in cards/, called with realistic data in the shapes it meets in use.

Each sampler calls builders through `build`, which keeps the builder's dotted name with the
card(s) it made ("cards.post.item.item_card"), once per shape worth seeing: a request in every
state, an item routed, in triage, handled... tests/unit/test_card_accessibility.py discovers the
builders itself and fails for one that no sample here was made by, so a new card cannot skip
the checks.

The people, requests, items and reports are the ones the capability tests use (their fakes and
samples), so a sample reads like what staff, approvers and the mailroom really get.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any

from bot.domain.access.facts import AccessFacts, AuthMethod, Device, Fact
from bot.domain.access.open_work import OpenPost, OpenRequest, OpenWork, RequestStage
from bot.domain.access.rules import assess
from bot.domain.licences.notices import LicenceNotice, NoticeKind
from bot.domain.licences.requests import RequestState
from bot.domain.platform.directory import DirectoryUser
from bot.domain.platform.errors import DomainError, Unavailable
from bot.domain.platform.roles import Role
from bot.domain.platform.working_time import WorkingCalendar
from bot.domain.post.items import TRIAGE, Destination, DestinationKind, DocumentType, PostState
from bot.domain.post.routing import Delegation
from bot.domain.servicedesk.articles import Category, KnowledgeBase
from bot.domain.servicedesk.sla import SlaClock, TicketSla
from bot.domain.servicedesk.tickets import (
    MessageKind,
    SlaState,
    SlaStep,
    SlaTarget,
    Ticket,
    TicketMessage,
    Urgency,
)
from bot.i18n import Translator
from bot.services.licences.forms import FieldError
from cards.access import status as access
from cards.base import Card
from cards.licences import admin as licence_admin
from cards.licences import forms, status
from cards.platform import availability, help, profile, system, understanding, workbooks
from cards.post import item as post_item
from cards.post import lists, rules
from cards.servicedesk import admin as articles_admin
from cards.servicedesk import articles, desk, sla, tickets
from devtools.demo_articles import demo_knowledge
from dialogs import command_specs
from tests.unit.access.test_rules import NOW, POLICY, facts
from tests.unit.access.test_rules import person as access_person
from tests.unit.licences.fakes import JEF, LOTTE, THOMAS
from tests.unit.licences.samples import (
    AUTOMATE,
    CATALOGUE,
    ITEMS,
    PPU,
    PRO,
    decision,
    in_every_state,
    request,
    two_stage,
)
from tests.unit.post.fakes import BRUSSELS, FINANCE_TARGET, FRIDAY, metadata
from tests.unit.post.fakes import person as to_person


@dataclass(frozen=True, slots=True)
class Built:
    """What one builder made from one shape of data: its dotted name and its card(s)."""

    builder: str
    cards: list[Card]


def build(builder: Callable[..., Card | list[Card]], *args: Any, **kwargs: Any) -> Built:
    """Call `builder` and keep its name with what it made, so a sample is counted for the
    builder that really made it."""
    made = builder(*args, **kwargs)
    return Built(
        f"{builder.__module__}.{builder.__name__}", made if isinstance(made, list) else [made]
    )


Sampled = Iterator[tuple[str, Built]]

TODAY = date(2026, 11, 27)
LINK = "https://werkplek.example/api/files/x?sig=abc"
DESK = "https://servicedesk.example"
CALENDAR = WorkingCalendar(BRUSSELS)
SOFIE = DirectoryUser(
    "a30b3089-414e-477d-8adf-46920e8965cb",
    "Sofie Peeters",
    "sofie.peeters@demo.example",
    mail="sofie.peeters@demo.example",
    job_title="Dossierbeheerder",
    department="Omgeving",
)
JEF_USER = DirectoryUser(JEF, "Jef Peeters", "jef.peeters@demo.example", job_title="Teamleider")
NAMES = {LOTTE: "Lotte Janssens", JEF: "Jef Peeters", THOMAS: "Thomas Claes"}


def sample_cards(t: Translator) -> Iterator[tuple[str, str, Card]]:
    """(builder, shape, card) for every sample; the cards of a list numbered from 1."""
    for sampler in SAMPLERS:
        for shape, built in sampler(t):
            numbered = len(built.cards) > 1
            for number, one in enumerate(built.cards, start=1):
                yield built.builder, f"{shape}-{number}" if numbered else shape, one


# --- platform ----------------------------------------------------------------------------------
def _system(t: Translator) -> Sampled:
    yield "failure-ticket", build(system.failure_card, "WP-1A2B3C4D", DESK, t, ticket=True)
    featured = [spec for spec in command_specs() if spec.featured]
    yield "welcome", build(system.welcome_card, "Sofie Peeters", featured, t)
    yield "welcome-anonymous", build(system.welcome_card, "", featured, t)
    yield "denied", build(system.denied_card, profile.role_label(Role.MAILROOM, t), t)
    yield "failure", build(system.failure_card, "WP-7F3A2C1D", DESK, t)
    error = DomainError("licence_admin.report.bad_date", value="31/02/2026")
    yield "notice", build(system.notice_card, system.explained(error, t), t)


def _understanding(t: Translator) -> Sampled:
    specs = {spec.name: spec for spec in command_specs()}
    featured = [spec for spec in specs.values() if spec.featured]
    choices = [(specs["status"], ""), (specs["requests"], "")]
    yield "ask", build(understanding.ask_card, choices, t)
    yield "thanks", build(understanding.thanks_card, featured, t)
    yield "not-understood", build(understanding.not_understood_card, featured[:3], t)
    yield "not-understood-nothing", build(understanding.not_understood_card, [], t)
    yield "not-understood-desk", build(understanding.not_understood_card, featured[:3], t, DESK)
    yield (
        "not-understood-ticket",
        build(
            understanding.not_understood_card, featured[:3], t, DESK, True, "Mijn scanner is stuk"
        ),
    )


def _help(t: Translator) -> Sampled:
    specs = command_specs()
    yield "short", build(help.help_card, specs, t, with_examples=False)
    yield "examples", build(help.help_card, specs, t, with_examples=True)
    yield "no-commands", build(help.help_card, [], t, with_examples=False)


def _profile(t: Translator) -> Sampled:
    yield "with-manager", build(profile.profile_card, SOFIE, JEF_USER, [Role.STAFF], t)
    yield "agent", build(profile.profile_card, SOFIE, None, [Role.STAFF, Role.AGENT], t)


def _availability(t: Translator) -> Sampled:
    yield "unavailable", build(availability.unavailable_card, "WP-0C9D8E7F", t)


def _workbooks(t: Translator) -> Sampled:
    hints = [t("workbooks.hint.catalogue"), t("workbooks.hint.post_rules")]
    yield "refused", build(workbooks.inbox_refused_card, t)
    yield "one", build(workbooks.one_workbook_card, hints, t)
    yield "unknown", build(workbooks.unknown_workbook_card, hints[:1], t)
    error = DomainError("download.error.too_large", max_mb=10)
    yield "download-failed", build(workbooks.download_failed_card, system.explained(error, t), t)


# --- access ------------------------------------------------------------------------------------
def _access(t: Translator) -> Sampled:
    in_order = assess(facts(), POLICY, NOW)
    wrong = assess(
        facts(
            access_person(account_enabled=False, usage_location=None),
            methods=[AuthMethod("password")],
            licences=[],
            devices=[Device("LAPTOP-0042", "Windows", compliance="noncompliant")],
        ),
        POLICY,
        NOW,
    )
    grace = [Device("LAPTOP-0042", "Windows", compliance="inGracePeriod")]
    warned = assess(facts(devices=grace), POLICY, NOW)
    unknown = assess(AccessFacts(user=access_person(account_enabled=None)), POLICY, NOW)
    for name, report in (("ok", in_order), ("action", wrong), ("warn", warned), ("?", unknown)):
        yield f"own-{name}", build(access.access_card, report, t, tz=BRUSSELS)
        yield (
            f"agent-{name}",
            build(access.access_card, report, t, viewed_by_agent=True, tz=BRUSSELS),
        )
    # The open-work line: requests at two stages and post waiting; then both sources down.
    requests = [
        OpenRequest("LIC-2026-000007", "Power BI Pro", "", RequestStage.AWAITING_APPROVAL, NOW),
        OpenRequest(
            "LIC-2026-000011",
            "Werkruimte Begroting",
            "Budget workspace",
            RequestStage.AWAITING_COUNTRY,
            NOW,
        ),
    ]
    busy = OpenWork(requests=Fact.of(requests), post=Fact.of(OpenPost(3)))
    down = OpenWork(
        requests=Fact.unchecked(Unavailable.message_key),
        post=Fact.unchecked(Unavailable.message_key),
    )
    for name, work in (("open-work", busy), ("open-work-unread", down)):
        report = replace(in_order, open_work=work)
        yield f"own-{name}", build(access.access_card, report, t, tz=BRUSSELS)
        yield (
            f"agent-{name}",
            build(access.access_card, report, t, viewed_by_agent=True, tz=BRUSSELS),
        )
    yield "pick", build(access.pick_person_card, [SOFIE, JEF_USER], "Peeters", t, more=True)
    yield "nobody", build(access.nobody_found_card, "Xavier Dubois", t)
    yield "refused", build(access.lookup_refused_card, t)


# --- licences ----------------------------------------------------------------------------------
def _request_form(t: Translator) -> Sampled:
    yield "picker", build(forms.picker_card, CATALOGUE.items, t)
    yield "picker-none", build(forms.picker_card, [], t, problem=t("licence.form.error.item"))
    yield "form", build(forms.form_card, PRO, t, today=TODAY, other_items=True)
    problems = [
        FieldError("justification", "licence.form.error.justification_short", {"count": 20}),
        FieldError("answer.doel", "licence.form.error.required", {}),
    ]
    draft = forms.Draft(justification="Rapporten", end_date=TODAY + timedelta(days=30))
    yield (
        "form-problems",
        build(
            forms.form_card, AUTOMATE, t, today=TODAY, max_days=180, draft=draft, problems=problems
        ),
    )
    again = forms.Draft(previous_reference="LIC-2026-000007", extending=True)
    yield "form-extend", build(forms.form_card, PPU, t, today=TODAY, max_days=180, draft=again)
    yield "granted", build(forms.already_granted_card, PRO, t)


def _my_requests(t: Translator) -> Sampled:
    pending = request()
    yield "received", build(forms.received_card, pending, PRO, t, BRUSSELS)
    for one in in_every_state():
        yield (
            f"existing-{one.state.value}",
            build(forms.existing_card, one, ITEMS.get(one.item_key), t, BRUSSELS),
        )
    notice = t("licence.cancelled", reference=pending.reference)
    yield "mine", build(forms.requests_card, in_every_state(), ITEMS, t, BRUSSELS, notice=notice)
    yield "mine-none", build(forms.requests_card, [], ITEMS, t, BRUSSELS)


def _approvals(t: Translator) -> Sampled:
    pending = two_stage()
    yield "approval", build(status.approval_card, pending, PPU, t, BRUSSELS)
    # A requester the directory knows no entity for (a new colleague, a guest).
    no_entity = request(entity="")
    yield "approval-no-entity", build(status.approval_card, no_entity, PRO, t, BRUSSELS)
    problem = t("licence.approval.reason_needed")
    yield (
        "approval-problem",
        build(
            status.approval_card,
            request(),
            PRO,
            t,
            BRUSSELS,
            reminder=True,
            comment="",
            problem=problem,
        ),
    )
    approved = request(state=RequestState.APPROVED, approvers=(), decisions=(decision(),))
    refused = request(
        state=RequestState.REJECTED,
        approvers=(),
        decisions=(decision(approved=False, comment="Niet nodig voor je taken."),),
    )
    yield "closed-approved", build(status.closed_card, approved, PRO, t, BRUSSELS)
    yield (
        "closed-rejected",
        build(status.closed_card, refused, PRO, t, BRUSSELS, notice="Al beslist"),
    )
    cancelled = request(state=RequestState.CANCELLED, approvers=())
    yield "closed-cancelled", build(status.closed_card, cancelled, PRO, t, BRUSSELS)
    yield "view-approver", build(status.approver_view, pending, PPU, THOMAS, t, BRUSSELS)
    yield "view-decided", build(status.approver_view, pending, PPU, JEF, t, BRUSSELS)
    failed = request(state=RequestState.FULFILLING, approvers=())
    yield "retried", build(status.retried_card, failed, PRO, t, BRUSSELS)


def _licence_notices(t: Translator) -> Sampled:
    ending = request(state=RequestState.FULFILLED, approvers=(), end_date=TODAY)
    shapes = {
        NoticeKind.STAGE_APPROVED: two_stage(),
        NoticeKind.APPROVED: request(state=RequestState.APPROVED, decisions=(decision(),)),
        NoticeKind.REJECTED: request(
            state=RequestState.REJECTED, decisions=(decision(approved=False, comment="Nee."),)
        ),
        NoticeKind.WAITING_FOR_SEATS: request(state=RequestState.WAITING_FOR_SEATS),
        NoticeKind.FAILED: request(state=RequestState.FAILED, reason="licence.reason.no_approver"),
        NoticeKind.ENDING_SOON: ending,
        NoticeKind.ENDED: replace(ending, state=RequestState.ENDED),
    }
    seats = {"sku": "POWER_BI_PRO", "free_seats": "0", "waiting": "3", "stage": "1"}
    for kind in NoticeKind:
        shown = shapes.get(kind, request())
        recipient = THOMAS if kind in (NoticeKind.SEATS_NEEDED,) else LOTTE
        notice = LicenceNotice(kind, recipient, shown, PRO, facts=seats)
        yield kind.value, build(status.notice_card, notice, t, BRUSSELS)


def _licence_admin(t: Translator) -> Sampled:
    yield "catalogue", build(licence_admin.catalogue_card, CATALOGUE, LINK, 10, t)
    start, end = date(2026, 11, 1), date(2026, 11, 30)
    yield "report", build(licence_admin.report_card, start, end, "ADV Agentschap", LINK, 10, t)
    yield "report-all", build(licence_admin.report_card, start, end, "", LINK, 10, t)
    yield "done", build(licence_admin.import_done_card, CATALOGUE, t)
    problems = [f"Items, rij {row}, kolom 'Sleutel': leeg" for row in range(2, 700)]
    yield "problems", build(licence_admin.import_problem_cards, problems, t)
    yield "refused", build(licence_admin.import_refused_card, t)


# --- post --------------------------------------------------------------------------------------
def _items() -> Iterator[tuple[str, Any]]:
    from tests.unit.post.fakes import make_world

    world = make_world()
    base = world.add(to_person(LOTTE))
    yield "routed", base
    registered = metadata(document_type=DocumentType.REGISTERED, tracking_number="RR123456789BE")
    yield "registered", replace(base, metadata=registered)
    # A confidential letter whose envelope says nothing of what it is about.
    yield "confidential", replace(base, metadata=metadata(confidential=True, subject=""))
    yield "forwarded", replace(base, destination=to_person(JEF), forwarded_by=LOTTE, note="Graag")
    yield "team", replace(base, destination=Destination(DestinationKind.TEAM, FINANCE_TARGET))
    yield "entity", replace(base, destination=Destination(DestinationKind.ENTITY, "ADV"))
    sent_back = replace(base, state=PostState.TRIAGE, destination=TRIAGE, forwarded_by=LOTTE)
    yield "sent-back", replace(sent_back, triage_reason="Niet voor mij: ik werk bij DOMG")
    yield "handled", replace(base, state=PostState.HANDLED, handled_by=LOTTE, handled_at=FRIDAY)


def _post_item(t: Translator) -> Sampled:
    texts = post_item.ItemTexts(names=NAMES, reader=LOTTE)
    holder = post_item.ItemView(act=True, suggest_rule=True, back={"offset": 0})
    for name, one in _items():
        view = post_item.ItemView(route=True) if one.state is PostState.TRIAGE else holder
        yield name, build(post_item.item_card, one, t, BRUSSELS, view=view, texts=texts)
    _, routed = next(_items())
    done = replace(
        texts, notice=t("post.done.forwarded", reference="POST-2026-000001"), problem="Kies iemand"
    )
    link = post_item.ScanLink("https://werkplek.example/api/post/items/1/scan?sig=x", 5)
    yield (
        "link",
        build(post_item.item_card, routed, t, BRUSSELS, view=holder, texts=done, link=link),
    )


def _post_lists(t: Translator) -> Sampled:
    listed = [one for _, one in _items()]
    first = lists.ListState()
    yield (
        "list",
        build(lists.post_list_card, listed[:5], first, t, BRUSSELS, has_more=True, page_size=5),
    )
    later = lists.ListState(scope="all", registered=True, week=True, search="Fluvius", offset=5)
    yield (
        "list-filtered",
        build(
            lists.post_list_card,
            listed[5:],
            later,
            t,
            BRUSSELS,
            has_more=False,
            page_size=5,
            names=NAMES,
            notice="Gedaan.",
        ),
    )
    yield (
        "list-empty",
        build(lists.post_list_card, [], first, t, BRUSSELS, has_more=False, page_size=5),
    )
    away = Delegation(LOTTE, JEF, TODAY, TODAY + timedelta(days=7), LOTTE, FRIDAY, id=3)
    later_away = replace(away, starts=TODAY + timedelta(days=20), ends=TODAY + timedelta(days=30))
    yield "delegations", build(lists.delegations_card, [away, later_away], NAMES, t, today=TODAY)
    yield (
        "delegations-none",
        build(lists.delegations_card, [], NAMES, t, today=TODAY, notice="Gestopt."),
    )
    yield "picker", build(lists.delegate_picker_card, [SOFIE, JEF_USER], TODAY, TODAY, t)


def _post_rules(t: Translator) -> Sampled:
    everyone = rules.RulesSummary(rules=12, active=10)
    mine = rules.RulesSummary(rules=12, active=10, entities=("ADV",), own=4)
    yield "rules", build(rules.rules_card, everyone, LINK, 10, 50, t)
    yield "rules-entity", build(rules.rules_card, mine, LINK, 10, 50, t)
    problems = [f"Regels, rij {row}, kolom 'Bestemming': niemand gevonden" for row in range(2, 400)]
    yield "rejected", build(rules.rejected_cards, problems, t)
    yield "outside", build(rules.outside_entity_cards, ["ADV"], ["Regels, rij 4: DOMG"], t)
    moved = tuple(f"POST-2026-{n:06d}: naar Team Financiën" for n in range(1, 300))
    yield "checked", build(rules.checked_cards, rules.DryRunSummary(12, 10, 400, moved), 15, t)
    yield "checked-same", build(rules.checked_cards, rules.DryRunSummary(12, 10, 40, ()), 15, t)
    yield "checked-no-post", build(rules.checked_cards, rules.DryRunSummary(12, 10, 0, ()), 15, t)
    yield "applied", build(rules.applied_card, 12, 10, t)
    yield "refused", build(rules.refused_card, t)


def _articles(t: Translator) -> Sampled:
    knowledge = demo_knowledge()
    first, *others = knowledge.articles[:3]
    keys = [other.key for other in others]
    yield "answer", build(articles.article_card, first, t, search="KB-0123456789AB", others=keys)
    yield "shown", build(articles.article_card, others[0], t, servicedesk_url=DESK)
    yield "no-desk", build(articles.article_card, others[1], t)
    yield "helped", build(articles.helped_card, first, t, DESK)
    yield "not-helped", build(articles.not_helped_card, first, others, t, DESK)
    yield "not-helped-alone", build(articles.not_helped_card, first, [], t, DESK)


def _articles_admin(t: Translator) -> Sampled:
    knowledge = demo_knowledge()
    yield "articles", build(articles_admin.articles_card, knowledge, LINK, 10, t)
    one = KnowledgeBase(knowledge.articles[:1])
    yield "articles-one", build(articles_admin.articles_card, one, LINK, 1, t)
    yield "articles-empty", build(articles_admin.articles_card, KnowledgeBase(), LINK, 10, t)
    yield "done", build(articles_admin.import_done_card, knowledge, t)
    problems = [
        f"blad Artikels, rij {row}, kolom Sleutel: Vul deze cel in." for row in range(2, 700)
    ]
    yield "problems", build(articles_admin.import_problem_cards, problems, t)
    yield "one-problem", build(articles_admin.import_problem_cards, problems[:1], t)
    yield "refused", build(articles_admin.import_refused_card, t)


def _tickets(t: Translator) -> Sampled:
    asked = Ticket(
        id=7,
        reference="SD-2026-000007",
        tenant_id="t",
        requester_id=LOTTE,
        category=Category.ACCESS,
        urgency=Urgency.HIGH,
        question="Mijn Authenticator vraagt geen code meer sinds mijn nieuwe gsm.",
        created_at=datetime(2026, 11, 27, 9, 0, tzinfo=BRUSSELS),
        context=(("reference", "WP-1A2B3C4D"),),
    )
    later = asked.created_at + timedelta(hours=1)
    waiting = asked.assigned_to(JEF).replied(JEF, later)
    resolved = waiting.resolved(JEF, "Authenticator opnieuw geregistreerd.", later, CALENDAR)
    talk = [
        TicketMessage(later, JEF, MessageKind.AGENT, "Heb je de app al opnieuw geinstalleerd?"),
        TicketMessage(later, JEF, MessageKind.NOTE, "Toestel staat niet in Intune."),
        TicketMessage(later, LOTTE, MessageKind.REQUESTER, "Ja, zonder resultaat."),
    ]
    yield "form", build(tickets.ticket_form_card, t, question="Mijn scanner werkt niet")
    yield (
        "form-context",
        build(
            tickets.ticket_form_card,
            t,
            context=asked.context,
            problem=t("servicedesk.ticket.stale"),
        ),
    )
    yield "sent", build(tickets.ticket_sent_card, asked, t)
    yield "mine", build(tickets.my_tickets_card, [asked, resolved], t, BRUSSELS)
    yield "mine-none", build(tickets.my_tickets_card, [], t, BRUSSELS)
    yield "open", build(tickets.requester_ticket_card, waiting, talk, NAMES, t, BRUSSELS, now=later)
    yield (
        "resolved",
        build(
            tickets.requester_ticket_card,
            resolved,
            talk,
            NAMES,
            t,
            BRUSSELS,
            now=later,
            notice=t("servicedesk.ticket.thanks"),
        ),
    )
    yield "answered", build(tickets.answered_card, waiting, "Probeer opnieuw.", "Jef Peeters", t)
    yield "resolved-notice", build(tickets.resolved_card, resolved, t)
    yield "reopened-notice", build(tickets.reopened_card, waiting, "Jef Peeters", t)
    on_time = _clocks(SlaState.ON_TIME, SlaState.ON_TIME)
    # Answered too late; the resolution still runs and is nearly late.
    late = _clocks(SlaState.BREACHED, SlaState.AT_RISK, answered=True)
    yield "desk-new", build(desk.desk_ticket_card, asked, [], NAMES, on_time, t, BRUSSELS)
    yield (
        "desk-talk",
        build(
            desk.desk_ticket_card,
            waiting,
            talk,
            NAMES,
            late,
            t,
            BRUSSELS,
            notice=t("servicedesk.desk.done.reply"),
        ),
    )
    overdue = _clocks(SlaState.BREACHED, SlaState.BREACHED)
    queued = [(asked, overdue), (waiting, late)]
    yield "queue", build(desk.queue_card, queued, NAMES, t, BRUSSELS)
    yield "queue-empty", build(desk.queue_card, [], NAMES, t, BRUSSELS)
    done = _clocks(SlaState.MET, SlaState.MET, answered=True, resolved=True)
    yield "desk-resolved", build(desk.desk_ticket_card, resolved, talk, NAMES, done, t, BRUSSELS)


def _clocks(
    first: SlaState, resolution: SlaState, *, answered: bool = False, resolved: bool = False
) -> TicketSla:
    """A ticket's service levels asked on Friday 27/11 at 9:00 with urgency high (1 and 8
    working hours)."""
    due = datetime(2026, 11, 27, 10, 0, tzinfo=BRUSSELS)
    return TicketSla(
        SlaClock(SlaTarget.FIRST_RESPONSE, first, due, is_running=not answered),
        SlaClock(
            SlaTarget.RESOLUTION, resolution, due + timedelta(hours=7), is_running=not resolved
        ),
    )


def _ticket_assign(t: Translator) -> Sampled:
    """The desk's card with whom a ticket can be given to, and the notice to who gets it."""
    from bot.domain.servicedesk.agents import DeskAgent
    from cards.servicedesk import desk_changes

    asked = Ticket(
        id=8,
        reference="SD-2026-000008",
        tenant_id="t",
        requester_id=LOTTE,
        category=Category.LICENCES,
        urgency=Urgency.NORMAL,
        question="Ik heb een Power BI Pro-licentie nodig voor het nieuwe dashboard.",
        created_at=datetime(2026, 11, 27, 9, 0, tzinfo=BRUSSELS),
    )
    agents = [DeskAgent(JEF, "Jef Peeters"), DeskAgent(THOMAS, "Thomas Claes")]
    on_time = _clocks(SlaState.ON_TIME, SlaState.ON_TIME)
    yield (
        "desk-agents",
        build(desk.desk_ticket_card, asked, [], NAMES, on_time, t, BRUSSELS, agents=agents),
    )
    taken = asked.assigned_to(JEF)
    yield (
        "desk-assigned",
        build(
            desk.desk_ticket_card,
            taken,
            [],
            NAMES,
            on_time,
            t,
            BRUSSELS,
            agents=agents,
            notice=t("servicedesk.desk.done.assign"),
        ),
    )
    yield "assigned", build(desk_changes.assigned_card, taken, "Thomas Claes", t)


def _ticket_relay(t: Translator) -> Sampled:
    from cards.servicedesk import relay

    asked = Ticket(
        id=9,
        reference="SD-2026-000009",
        tenant_id="t",
        requester_id=LOTTE,
        category=Category.OTHER,
        urgency=Urgency.NORMAL,
        question="Mijn printer trekt geen papier meer <b>sinds</b> vrijdag.",
        created_at=datetime(2026, 11, 27, 9, 0, tzinfo=BRUSSELS),
    )
    said = "De lade zit nog vast, ook na **herstarten**. [klik](https://evil.example)"
    yield "offer", build(relay.relay_offer_card, asked, said, t)
    yield "started", build(relay.relay_started_card, asked, t)
    yield "declined", build(relay.relay_declined_card, asked, t)
    yield "stopped", build(relay.relay_stopped_card, asked, t)
    yield "thread", build(relay.thread_message_card, asked, said, "Lotte <Janssens>", t)
    yield "thread-nameless", build(relay.thread_message_card, asked, said, "", t)


def _ticket_files(t: Translator) -> Sampled:
    from bot.domain.servicedesk.ticket_files import TicketFile
    from cards.servicedesk import ticket_files

    asked = Ticket(
        id=11,
        reference="SD-2026-000011",
        tenant_id="t",
        requester_id=LOTTE,
        category=Category.OTHER,
        urgency=Urgency.NORMAL,
        question="Mijn printer trekt geen papier meer.",
        created_at=datetime(2026, 11, 27, 9, 0, tzinfo=BRUSSELS),
    )
    at = asked.created_at + timedelta(minutes=5)
    photo = TicketFile(1, 11, at, LOTTE, "lade.jpg", "image/jpeg", 284_211, "ab" * 32, "k/1")
    odd = TicketFile(
        2,
        11,
        at,
        LOTTE,
        "**fout** [klik](https://evil.example).pdf",
        "application/pdf",
        3_407_872,
        "cd" * 32,
        "k/2",
    )
    too_big: tuple[str, str, dict[str, object]] = (
        "scan.pdf",
        "download.error.too_large",
        {"max_mb": "10"},
    )
    not_taken: tuple[str, str, dict[str, object]] = (
        "setup.exe",
        "servicedesk.files.error.type",
        {},
    )
    yield "attached", build(ticket_files.files_attached_card, asked, [photo], [], t)
    yield (
        "attached-some",
        build(ticket_files.files_attached_card, asked, [photo, odd], [too_big], t),
    )
    yield "refused", build(ticket_files.files_attached_card, asked, [], [too_big, not_taken], t)
    yield "thread", build(ticket_files.file_thread_card, asked, odd, "Lotte <Janssens>", t)
    yield "thread-nameless", build(ticket_files.file_thread_card, asked, photo, "", t)
    yield "link", build(ticket_files.file_link_card, asked, photo, LINK, 10, t)
    yield "link-one-minute", build(ticket_files.file_link_card, asked, odd, LINK, 1, t)


def _ticket_sla(t: Translator) -> Sampled:
    asked = Ticket(
        id=8,
        reference="SD-2026-000008",
        tenant_id="t",
        requester_id=LOTTE,
        category=Category.LICENCES,
        urgency=Urgency.NORMAL,
        question="Ik kan Power BI niet openen: 'Je hebt geen licentie'.",
        created_at=datetime(2026, 11, 27, 9, 0, tzinfo=BRUSSELS),
    )
    taken = asked.assigned_to(JEF)
    due = datetime(2026, 11, 27, 13, 0, tzinfo=BRUSSELS)
    first = SlaStep(SlaTarget.FIRST_RESPONSE, SlaState.AT_RISK, due)
    solved = SlaStep(SlaTarget.RESOLUTION, SlaState.AT_RISK, due + timedelta(days=3))
    yield "reminder-minutes", build(sla.sla_reminder_card, asked, first, 45, t, BRUSSELS)
    yield "reminder-hours", build(sla.sla_reminder_card, taken, solved, 90, t, BRUSSELS)
    late = SlaStep(SlaTarget.FIRST_RESPONSE, SlaState.BREACHED, due)
    yield "escalation-nobody", build(sla.sla_escalation_card, asked, late, "", t, BRUSSELS)
    unsolved = SlaStep(SlaTarget.RESOLUTION, SlaState.BREACHED, due + timedelta(days=3))
    awv = replace(taken, desk="AWV")
    yield (
        "escalation-assigned",
        build(sla.sla_escalation_card, awv, unsolved, "Jef Peeters", t, BRUSSELS),
    )


def _ticket_report(t: Translator) -> Sampled:
    from bot.domain.servicedesk.report import SearchFigures
    from cards.servicedesk import report as ticket_report
    from tests.unit.servicedesk.report_world import BRUSSELS as ZONE
    from tests.unit.servicedesk.report_world import sample_report

    figures = sample_report()
    card = ticket_report.ticket_report_card
    yield "all", build(card, figures, "", LINK, 10, t, ZONE)
    one = sample_report("AWV")
    yield "entity", build(card, one, "AWV – Agentschap Wegen en Verkeer", LINK, 1, t, ZONE)
    quiet = replace(sample_report("DOMG"), searches=SearchFigures())
    yield "nothing-yet", build(card, quiet, "DOMG – Departement Omgeving", LINK, 10, t, ZONE)


def _announcements(t: Translator) -> Sampled:
    """The message in its shapes, the form, a draft in every state, the list, the status card
    and the approver's card."""
    from bot.domain.announcements.announcements import AnnouncementState
    from bot.domain.announcements.audiences import NO_AUDIENCE
    from bot.domain.announcements.content import Content, Importance
    from cards.announcements import approval, drafts, forms, lists, message, report_link
    from cards.announcements import status as announcement_status
    from tests.unit.announcements.card_data import (
        CHOICES,
        ENGLISH,
        announcement,
        in_state,
        progress,
    )

    plain = announcement(dutch=Content(title="De postkamer is dicht op 24/12"))
    urgent = in_state(AnnouncementState.SENT, importance=Importance.URGENT, english=ENGLISH)
    send = message.announcement_message
    yield "plain", build(send, plain, t, zone=BRUSSELS)
    yield "with-image-and-link", build(send, in_state(AnnouncementState.SENT), t, zone=BRUSSELS)
    yield "urgent", build(send, urgent, t, zone=BRUSSELS)
    yield "urgent-acknowledged", build(send, urgent, t, acknowledged_at=FRIDAY, zone=BRUSSELS)
    yield "preview", build(send, urgent, t, preview=True, zone=BRUSSELS)
    yield "reminder", build(send, urgent, t, reminder=True, zone=BRUSSELS)
    yield "recalled", build(message.announcement_recalled, t)
    yield "report-link", build(report_link.report_link_card, "ANN-2026-000042", LINK, 10, t)
    outcome = lists.list_outcome_card
    rows = [f"rij {n}: 'jan' is geen e-mailadres." for n in range(2, 40)]
    yield "list-kept", build(outcome, "ANN-2026-000042", 42, 1200, rows, t)
    yield "list-none-kept", build(outcome, "ANN-2026-000042", 42, 0, rows[:2], t)
    yield "list-wanted", build(lists.list_wanted_card, "ANN-2026-000042", 42, t)
    form = forms.announcement_form
    yield "form-new", build(form, t, draft=None, choices=CHOICES, zone=BRUSSELS)
    edited = announcement(english=ENGLISH, send_at=FRIDAY)
    problems = [t("announcements.problem.title_missing"), t("announcements.audience.empty")]
    yield (
        "form-draft-problems",
        build(form, t, draft=edited, choices=CHOICES, zone=BRUSSELS, problems=problems),
    )
    yield (
        "form-no-audience",
        build(form, t, draft=None, choices=forms.AudienceChoices(), zone=BRUSSELS),
    )
    for state in AnnouncementState:
        shaped = in_state(state, importance=Importance.URGENT)
        yield (
            f"draft-{state.value}",
            build(
                drafts.draft_card,
                shaped,
                t,
                BRUSSELS,
                audience_size=1234,
                audience_names=["Agentschap Wegen en Verkeer", "Departement Omgeving"],
                approval_required=state is AnnouncementState.DRAFT,
            ),
        )
    yield (
        "draft-problems",
        build(
            drafts.draft_card,
            announcement(audience=NO_AUDIENCE),
            t,
            BRUSSELS,
            audience_size=None,
            audience_names=[],
            problems=[t("announcements.audience.empty")],
            approval_required=False,
        ),
    )
    listed = [in_state(state) for state in AnnouncementState]
    yield "list", build(drafts.announcements_list, listed, t, BRUSSELS)
    yield "list-empty", build(drafts.announcements_list, [], t, BRUSSELS)
    card = announcement_status.status_card
    sending = in_state(AnnouncementState.SENDING, importance=Importance.URGENT)
    yield "status-sending", build(card, sending, progress(), t, BRUSSELS)
    done = in_state(AnnouncementState.SENT)
    yield "status-sent", build(card, done, progress(1234, expected_end=None), t, BRUSSELS)
    waiting = in_state(AnnouncementState.AWAITING_APPROVAL, approval_required=True)
    ask = approval.approval_card
    names = ["Agentschap Wegen en Verkeer"]
    yield (
        "approval",
        build(ask, waiting, t, BRUSSELS, audience_names=names, audience_size=1234, decided=False),
    )
    approved = in_state(
        AnnouncementState.SCHEDULED,
        approval_required=True,
        decided_by="approver",
        decided_by_name="Jef Claes",
    )
    yield (
        "approval-decided",
        build(ask, approved, t, BRUSSELS, audience_names=names, audience_size=1234, decided=True),
    )
    yield (
        "approval-rejected",
        build(
            ask,
            in_state(AnnouncementState.REJECTED),
            t,
            BRUSSELS,
            audience_names=names,
            audience_size=None,
            decided=True,
        ),
    )


SAMPLERS = (
    _system,
    _understanding,
    _help,
    _profile,
    _availability,
    _workbooks,
    _access,
    _request_form,
    _my_requests,
    _approvals,
    _licence_notices,
    _licence_admin,
    _post_item,
    _post_lists,
    _post_rules,
    _articles,
    _articles_admin,
    _tickets,
    _ticket_assign,
    _ticket_relay,
    _ticket_files,
    _ticket_sla,
    _ticket_report,
    _announcements,
)
