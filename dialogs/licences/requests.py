"""Licences and Power BI access in chat: ask for one, follow it up, decide on it, unblock it.

- `licentie` / `license` opens the request form. What the person wrote after the keyword is read
  for an item ("licentie voor Power BI om rapporten te delen"): a named item opens its form at
  once, with the sentence as a first draft of the justification; otherwise the picker.
- `aanvragen` / `requests` lists one's own requests, with cancel, submit again and extend.
- Approvers decide on their card; ICT admins retry a grant they unblocked.

A card payload is user input (validated by dialogs/licences/payloads.py). Every verb that names
a request lets the desk check the clicker's right to act on it; a refusal is audited durably
(outcome DENIED, the id from the payload) and answered with a short message, leaving the card as
it was. A click on a stage someone else decided first gets who decided and when, and the card
updates to the closed version.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import tzinfo

from bot.commands.dispatcher import ActionResult, refuse
from bot.commands.registry import card_action, command, vocabulary
from bot.domain.licences.catalogue import CatalogueItem
from bot.domain.licences.requests import (
    AlreadyDecided,
    IllegalTransition,
    LicenceRequest,
    NotAnApprover,
    NotYours,
    RequestState,
    StaleRequest,
)
from bot.domain.platform.actors import Actor
from bot.domain.platform.errors import Forbidden
from bot.domain.platform.text import folded_words
from bot.i18n import N_, Translator
from bot.services.licences.desk import LicenceDesk
from bot.services.licences.forms import FormContext, RequestForm
from bot.services.platform.audit import Auditor
from bot.turn import Card, Turn
from cards.licences.common import iso_moment, person, state_word
from cards.licences.forms import (
    MAX_JUSTIFICATION_INPUT,
    MAX_LISTED,
    Draft,
    InputProblem,
    already_granted_card,
    existing_card,
    form_card,
    picker_card,
    received_card,
    requests_card,
)
from cards.licences.status import (
    approval_card,
    approver_view,
    closed_card,
    retried_card,
)
from cards.verbs import Verb
from dialogs.licences.payloads import (
    DecisionClick,
    PickItem,
    RequestTarget,
    SubmittedForm,
    ViewTarget,
)

OBJECT_TYPE = "licence_request"
# Words that say nothing about why someone needs an item: a sentence made only of these (and
# the item's name) is no draft justification.
# fmt: off
_EMPTY_WORDS = frozenset({
    "ik", "wil", "graag", "een", "de", "het", "aanvragen", "aanvraag", "aub", "alstublieft",
    "nodig", "heb", "voor", "mij", "me", "mijn", "licentie", "licenties", "toegang", "tot",
    "i", "want", "would", "like", "need", "a", "an", "the", "to", "request", "for", "my",
    "please", "license", "licence", "licenses", "licences", "access", "get", "krijgen",
    "werkruimte", "workspace",
})
# fmt: on
_MIN_TELLING_WORDS = 2


def draft_justification(words: str, item: CatalogueItem) -> str:
    """The person's own sentence as a first draft, when it says more than the item's name."""
    named = set(folded_words(" ".join((item.name_nl, item.name_en, item.key, *item.synonyms))))
    telling = [w for w in folded_words(words) if w not in named and w not in _EMPTY_WORDS]
    if len(telling) < _MIN_TELLING_WORDS:
        return ""
    return " ".join(words.split())[:MAX_JUSTIFICATION_INPUT]


class LicenceDialog:
    def __init__(self, desk: LicenceDesk, auditor: Auditor, tz: tzinfo) -> None:
        self._desk = desk
        self._auditor = auditor
        self._tz = tz

    @vocabulary("licence")
    async def catalogue_words(self) -> list[str]:
        """The catalogue's item names and synonyms, as admins keep them: "ik heb Tableau nodig"
        asks for a licence when Tableau is in the catalogue (cached by the desk for minutes)."""
        catalogue = await self._desk.catalogue()
        return [
            word
            for item in catalogue.items
            for word in (item.name_nl, item.name_en, *item.synonyms)
        ]

    # --- commands ---------------------------------------------------------------------------
    # The product names are keywords too: people ask for "Power BI", not for "a licence". Plural
    # "licenties" alone is not: "welke licenties heb ik" is a question for `status`.
    @command(
        "licence",
        nl=(
            "licentie",
            "licentie aanvragen",
            "licenties aanvragen",
            "werkruimte",
            "power bi",
            "power automate",
            "power apps",
        ),
        en=(
            "license",
            "licence",
            "request a license",
            "request a licence",
            "workspace",
            "power bi",
            "power automate",
            "power apps",
        ),
        title_key=N_("cmd.licence.title"),
        help_key=N_("cmd.licence.help"),
        example_key=N_("cmd.licence.example"),
        featured=True,
        order=400,
        whole_text=True,
    )
    async def request_licence(self, turn: Turn, args: str) -> None:
        context = await self._desk.form_context(turn.caller)
        item = await self._desk.suggest(turn.caller, args) if args.strip() else None
        if item is None and len(context.items) == 1:
            item = context.items[0]
        if item is None:
            await turn.send_card(picker_card(context.items, turn.t))
            return
        draft = Draft(justification=draft_justification(args, item))
        await turn.send_card(self._form(turn.t, context, item, draft))

    @command(
        "requests",
        nl=("aanvragen", "mijn aanvragen"),
        en=("requests", "my requests"),
        title_key=N_("cmd.requests.title"),
        help_key=N_("cmd.requests.help"),
        example_key=N_("cmd.requests.example"),
        order=410,
    )
    async def list_requests(self, turn: Turn, args: str) -> None:
        await turn.send_card(await self._my_requests(turn))

    # --- the requester's buttons --------------------------------------------------------------
    @card_action(Verb.LICENCE_PICK, payload=PickItem)
    async def pick(self, turn: Turn, data: PickItem) -> Card:
        context = await self._desk.form_context(turn.caller)
        item = context.offered(data.item or "")
        if item is None:
            return picker_card(context.items, turn.t)
        return self._form(turn.t, context, item, Draft())

    @card_action(Verb.LICENCE_SUBMIT, payload=SubmittedForm)
    async def submit(self, turn: Turn, data: SubmittedForm) -> Card:
        item = await self._desk.item(data.item)
        # Only the item's own questions are answers; other "answer." fields are not stored.
        asked = {q.key for q in item.questions} if item else set()
        form = RequestForm(
            item_key=data.item,
            justification=data.justification,
            end_date=data.end_date,
            answers={k: v for k, v in data.answers.items() if k in asked},
            previous_reference=data.previous,
        )
        result = await self._desk.submit(turn.caller, form)
        if result.errors:
            context = await self._desk.form_context(turn.caller)
            offered = context.offered(data.item)
            if offered is None:
                return picker_card(context.items, turn.t, problem=turn.t("licence.form.error.item"))
            draft = Draft(
                justification=data.justification,
                end_date=data.end_date,
                answers=form.answers,
                previous_reference=data.previous,
                extending=data.extend and bool(data.previous),
            )
            return self._form(turn.t, context, offered, draft, result.errors)
        if result.existing is not None:
            return existing_card(result.existing, item, turn.t, self._tz)
        if result.already_granted and item is not None:
            return already_granted_card(item, turn.t)
        assert result.request is not None  # SubmitResult holds exactly one outcome
        return received_card(result.request, item, turn.t, self._tz)

    @card_action(Verb.LICENCE_CANCEL, payload=RequestTarget)
    async def cancel(self, turn: Turn, data: RequestTarget) -> Card | ActionResult:
        try:
            cancelled = await self._desk.cancel(turn.caller, data.request)
        except NotYours as refused:
            return await self._deny(turn, "licence.cancel", data.request, refused.message_key)
        except IllegalTransition as late:
            return ActionResult(message=_too_late(late, turn.t))
        except StaleRequest as moved:
            # An approver or the worker moved it first: show where it stands now.
            message = turn.t(moved.message_key)
            return ActionResult(card=await self._my_requests(turn, notice=message), message=message)
        notice = turn.t("licence.cancelled", reference=cancelled.reference)
        return await self._my_requests(turn, notice=notice)

    @card_action(Verb.LICENCE_AGAIN, payload=RequestTarget)
    async def again(self, turn: Turn, data: RequestTarget) -> Card | ActionResult:
        """Submit a rejected (expired, cancelled) request again, or extend granted access: the
        form, filled from that request; the desk decides whether that may."""
        try:
            redraft = await self._desk.draft_from(turn.caller, data.request)
        except NotYours as refused:
            return await self._deny(turn, "licence.draft", data.request, refused.message_key)
        context = await self._desk.form_context(turn.caller)
        form = redraft.form
        item = context.offered(form.item_key)
        if item is None:
            return picker_card(context.items, turn.t, problem=turn.t("licence.form.error.item"))
        draft = Draft(
            justification=form.justification,
            end_date=form.end_date,
            answers=form.answers,
            previous_reference=form.previous_reference,
            extending=redraft.extending,
        )
        return self._form(turn.t, context, item, draft)

    # --- approvers ----------------------------------------------------------------------------
    @card_action(Verb.LICENCE_APPROVE, payload=DecisionClick)
    async def approve(self, turn: Turn, data: DecisionClick) -> Card | ActionResult:
        return await self._decide(turn, data, approve=True)

    @card_action(Verb.LICENCE_REJECT, payload=DecisionClick)
    async def reject(self, turn: Turn, data: DecisionClick) -> Card | ActionResult:
        return await self._decide(turn, data, approve=False)

    @card_action(Verb.LICENCE_VIEW, payload=ViewTarget)
    async def view(self, turn: Turn, data: ViewTarget) -> Card | ActionResult:
        """The refresh of an approval card: the version this viewer may see now."""
        viewer = turn.caller
        try:
            request = await self._desk.for_approver(viewer, data.request)
        except Forbidden as refused:
            return await self._deny(turn, "licence.view", data.request, refused.message_key)
        item = await self._desk.item(request.item_key)
        return approver_view(
            request, item, viewer.user_id, turn.t, self._tz, reminder=data.reminder
        )

    @card_action(Verb.LICENCE_RETRY, payload=RequestTarget)
    async def retry(self, turn: Turn, data: RequestTarget) -> Card | ActionResult:
        """An ICT admin set the usage location or ordered seats: grant again now."""
        try:
            request = await self._desk.retry_fulfilment(turn.caller, data.request)
        except Forbidden as refused:
            return await self._deny(turn, "licence.retry", data.request, refused.message_key)
        except IllegalTransition as late:
            return ActionResult(message=_too_late(late, turn.t))
        except StaleRequest as moved:
            # The worker was at it just then; the card stays, so the admin can try once more.
            return ActionResult(message=turn.t(moved.message_key))
        item = await self._desk.item(request.item_key)
        return retried_card(request, item, turn.t, self._tz)

    # --- helpers ------------------------------------------------------------------------------
    async def _decide(
        self, turn: Turn, data: DecisionClick, *, approve: bool
    ) -> Card | ActionResult:
        viewer = turn.caller
        try:
            request = await self._desk.for_approver(viewer, data.request)
        except Forbidden as refused:
            return await self._deny(turn, "licence.decide", data.request, refused.message_key)
        item = await self._desk.item(request.item_key)
        if request.state is not RequestState.PENDING_APPROVAL or request.stage != data.stage:
            return self._decided_before(turn, request, item, data.stage)
        if not approve and not data.comment.strip():
            problem = turn.t("licence.approval.reason_needed")
            card = approval_card(request, item, turn.t, self._tz, problem=problem)
            return ActionResult(card=card, message=problem)
        try:
            after = await self._desk.decide(
                viewer, data.request, approve=approve, comment=data.comment
            )
        except NotAnApprover as refused:
            return await self._deny(turn, "licence.decide", data.request, refused.message_key)
        except AlreadyDecided as first:
            message = turn.t(
                first.message_key,
                name=person(str(first.params.get("name", "")), turn.t),
                at=iso_moment(str(first.params.get("at", "")), self._tz),
            )
            fresh = await self._reload(viewer, data.request)
            if fresh is None:
                return ActionResult(message=message)
            card = closed_card(fresh, item, turn.t, self._tz, stage=data.stage, notice=message)
            return ActionResult(card=card, message=message)
        except (StaleRequest, IllegalTransition) as moved:
            if isinstance(moved, IllegalTransition):
                message = _too_late(moved, turn.t)
            else:
                message = turn.t(moved.message_key)
            fresh = await self._reload(viewer, data.request)
            if fresh is None:
                return ActionResult(message=message)
            card = approver_view(fresh, item, viewer.user_id, turn.t, self._tz, notice=message)
            return ActionResult(card=card, message=message)
        done = "licence.approval.done_approved" if approve else "licence.approval.done_rejected"
        card = approver_view(after, item, viewer.user_id, turn.t, self._tz)
        return ActionResult(card=card, message=turn.t(done, reference=after.reference))

    def _decided_before(
        self, turn: Turn, request: LicenceRequest, item: CatalogueItem | None, stage: int
    ) -> ActionResult:
        """A click on a stage that is closed: who decided it, and the closed card."""
        decision = request.decision_of(stage) or request.last_decision()
        if decision is not None:
            message = turn.t(
                "licence.error.already_decided",
                name=person(decision.approver_name, turn.t),
                at=iso_moment(decision.at.isoformat(), self._tz),
            )
        else:
            message = turn.t("licence.closed.state", state=state_word(request.state, turn.t))
        card = closed_card(request, item, turn.t, self._tz, stage=stage, notice=message)
        return ActionResult(card=card, message=message)

    def _form(
        self,
        t: Translator,
        context: FormContext,
        item: CatalogueItem,
        draft: Draft,
        problems: Sequence[InputProblem] = (),
    ) -> Card:
        offer = context.offers.get(item.key)
        return form_card(
            item,
            t,
            today=context.today,
            max_days=offer.max_days if offer else None,
            draft=draft,
            problems=problems,
            other_items=len(context.items) > 1,
        )

    async def _my_requests(self, turn: Turn, *, notice: str = "") -> Card:
        mine = await self._desk.mine(turn.caller, limit=MAX_LISTED + 1)
        return requests_card(mine.requests, mine.items, turn.t, self._tz, notice=notice)

    async def _reload(self, viewer: Actor, request_id: int) -> LicenceRequest | None:
        """The request as it is now, for a card that lost a race; None when the viewer may no
        longer see it (their stage closed without them)."""
        try:
            return await self._desk.for_approver(viewer, request_id)
        except Forbidden:
            return None

    async def _deny(
        self, turn: Turn, action: str, request_id: int, message_key: str
    ) -> ActionResult:
        return await refuse(
            self._auditor,
            turn,
            action=action,
            object_type=OBJECT_TYPE,
            object_id=str(request_id),
            message_key=message_key,
        )


def _too_late(error: IllegalTransition, t: Translator) -> str:
    return t(
        "licence.error.illegal_transition",
        state=state_word(error.state, t),
        transition=error.transition,
    )
