"""The Microsoft 365 Agents SDK host: the only wiring between Teams activities and our dialogs.

Every activity passes one gate first (tenant allow-list, duplicate delivery, remembering the
sender), then one of five routes: installation (welcome), message (dispatcher), card action
(dispatcher), a read receipt in a personal chat (handed to the optional ReadReceipts port,
nothing answered) or anything else (ignored on purpose, so nothing is logged with its text).
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, replace
from datetime import timedelta

from aiohttp import web
from microsoft_agents.activity import (
    Activity,
    ActivityTypes,
    AdaptiveCardInvokeResponse,
    InvokeResponse,
)
from microsoft_agents.hosting.aiohttp import CloudAdapter
from microsoft_agents.hosting.core import (
    AgentApplication,
    AgentAuthConfiguration,
    MemoryStorage,
    TurnContext,
    TurnState,
)
from microsoft_agents.hosting.core.authorization import ConnectionManager
from pydantic import ValidationError

from bot.commands.dispatcher import ActionResult, Dispatcher
from bot.domain.platform.actors import Actor
from bot.domain.platform.audit import Outcome
from bot.domain.platform.connector_hosts import host_of
from bot.domain.platform.conversations import ConversationRef, SeenUser
from bot.domain.platform.errors import StoreUnavailable, new_reference
from bot.http.metrics import Metrics
from bot.http.problems import problem
from bot.i18n import pick_locale, translator
from bot.observability import correlation_id
from bot.ports.platform import Clock, ProcessedActivities, ReadReceipts
from bot.services.platform.audit import Auditor
from bot.services.platform.contacts import ContactBook
from bot.services.platform.roles import RoleResolver
from bot.settings import Settings
from bot.teams import read_receipts
from bot.teams.activities import ChannelRequest, hide_activity_dumps, readable_activity
from bot.teams.auth import (
    InboundPolicy,
    authenticate,
    local_refusal,
    read_activity,
    service_url_refusal,
    unauthorized,
)
from bot.teams.tokens import AnonymousTokenProvider, AsyncCredential, CredentialTokenProvider
from bot.teams.turn import (
    TeamsTurn,
    addresses_bot,
    conversation_type_of,
    message_text,
    tenant_of,
    user_of,
)
from bot.turn import carries_signed_link, is_personal
from cards.platform.availability import unavailable_card, unavailable_text
from cards.platform.system import failure_card
from dialogs.platform.start import StartDialog

logger = logging.getLogger(__name__)

_CARD_RESPONSE = "application/vnd.microsoft.card.adaptive"
_MESSAGE_RESPONSE = "application/vnd.microsoft.activity.message"
# Activities whose sender is the person (installing counts: it is how we first learn the chat).
_FROM_A_PERSON = frozenset(
    {
        ActivityTypes.message,
        ActivityTypes.invoke,
        ActivityTypes.installation_update,
        ActivityTypes.conversation_update,
    }
)
_CONNECTOR_RESOURCE = "https://api.botframework.com"
_CONNECTOR_SCOPE = "https://api.botframework.com/.default"
# Teams sends conversationUpdate and installationUpdate together on install: greet once.
_WELCOME_WINDOW = timedelta(hours=1)


@dataclass(frozen=True, slots=True)
class HostServices:
    settings: Settings
    dispatcher: Dispatcher
    start: StartDialog
    roles: RoleResolver
    contacts: ContactBook
    processed: ProcessedActivities
    auditor: Auditor
    clock: Clock
    metrics: Metrics
    credential: AsyncCredential | None = None  # the bot identity; None in anonymous mode
    read_receipts: ReadReceipts | None = None  # None: read receipts are ignored


def auth_configuration(settings: Settings) -> AgentAuthConfiguration:
    return AgentAuthConfiguration(
        client_id=settings.bot_app_id or None,
        tenant_id=settings.bot_tenant_id or None,
        client_secret=settings.bot_app_secret.get_secret_value() or None,
        authority=settings.bot_authority_host or None,
        anonymous_allowed=settings.is_anonymous and settings.listens_on_loopback,
        # A second line behind InboundPolicy, which is stricter (no first-party tenants, callers).
        issuers=InboundPolicy.from_settings(settings).issuers,
        validate_issuer=True,
    )


class TeamsHost:
    def __init__(self, services: HostServices) -> None:
        self._s = services
        self._tenants = services.settings.tenants
        self._connector_hosts = services.settings.allowed_connector_hosts
        self._connections = ConnectionManager(
            provider_factory=self._token_provider,
            connections_configurations={
                "SERVICE_CONNECTION": auth_configuration(services.settings)
            },
        )
        self.auth_config = self._connections.get_default_connection_configuration()
        self._inbound = InboundPolicy.from_settings(services.settings)
        hide_activity_dumps()
        self.adapter = CloudAdapter(connection_manager=self._connections)
        self.app: AgentApplication[TurnState] = AgentApplication[TurnState](
            storage=MemoryStorage(), connection_manager=self._connections
        )
        self._register_routes()

    def _register_routes(self) -> None:
        app = self.app
        app.before_turn(self._gate)
        app.activity(ActivityTypes.installation_update)(self._on_installation)
        app.conversation_update("membersAdded")(self._on_members_added)
        app.activity(ActivityTypes.message)(self._on_message)
        app.adaptive_card.action_execute(re.compile(r".+"))(self._on_card_action)
        app.add_route(read_receipts.is_read_receipt, self._on_read_receipt)
        app.add_route(lambda context: True, self._ignore)
        app.error(self._on_error)

    def _token_provider(self, configuration: AgentAuthConfiguration) -> CredentialTokenProvider:
        if self._s.credential is None:
            return AnonymousTokenProvider(configuration)
        return CredentialTokenProvider(configuration, self._s.credential)

    async def connector_token(self) -> str:
        """A Bot Framework token for proactive sends (None-equivalent in anonymous mode)."""
        provider = self._connections.get_default_connection()
        return await provider.get_access_token(_CONNECTOR_RESOURCE, [_CONNECTOR_SCOPE])

    async def handle(self, request: web.Request) -> web.StreamResponse:
        """POST /api/messages: who is calling (token, or a local non-browser), then the body."""
        local = local_refusal(request) if self._s.settings.is_anonymous else None
        identity = (
            local
            if local is not None
            else await authenticate(
                request, self.auth_config, self._s.settings.jwks_timeout_seconds, self._inbound
            )
        )
        if isinstance(identity, web.Response):
            self._s.metrics.activities.labels("unknown", "unauthorized").inc()
            return identity
        body = await read_activity(request)
        if isinstance(body, web.Response):
            return body
        refusal = service_url_refusal(identity, self._inbound, body)
        if refusal is not None:
            self._s.metrics.activities.labels("unknown", "unauthorized").inc()
            return refusal
        activity = readable_activity(body)
        if activity is None:
            return problem(400, "Geen geldige activiteit.", detail_en="Not a valid activity.")
        if not self._connector_hosts.allows(activity.service_url):
            # Before the SDK, which opens a connector client to that URL before any turn (an
            # unusable one was a 500); the gate checks again for every turn.
            self._s.metrics.activities.labels(str(activity.type), "connector_refused").inc()
            logger.warning("activity refused: connector host %s", host_of(activity.service_url))
            return problem(403, "Connector niet toegestaan.", detail_en="Connector not allowed.")
        try:
            answer = await self.adapter.process_request(
                ChannelRequest(request, identity, activity), self.app
            )
        except ValidationError:
            return problem(400, "Geen geldige activiteit.", detail_en="Not a valid activity.")
        # 501 is the SDK's answer to an invoke nothing answered: one we do not support, or one
        # the gate refused. The request is at fault, not the bot.
        if answer.status_code in (400, 501):
            return problem(400, "Geen geldige activiteit.", detail_en="Not a valid activity.")
        if answer.status_code == 401:
            return unauthorized("Not allowed.")
        if answer.body is None:
            return web.Response(status=answer.status_code, headers=answer.headers)
        return web.json_response(answer.body, status=answer.status_code, headers=answer.headers)

    # --- the gate ---------------------------------------------------------------------------

    async def _gate(self, context: TurnContext, state: TurnState) -> bool:
        activity = context.activity
        correlation_id.set(activity.id or "")
        kind = str(activity.type)
        if not self._connector_hosts.allows(activity.service_url):
            # Any answer would go there with the bot's token: none is sent, nothing remembered.
            self._s.metrics.activities.labels(kind, "connector_refused").inc()
            logger.warning("activity refused: connector host %s", host_of(activity.service_url))
            return False
        tenant = tenant_of(activity)
        if tenant not in self._tenants:
            await self._refuse_tenant(context, tenant)
            return False
        if activity.id and not await self._s.processed.first_time(
            f"{activity.channel_id}:{activity.conversation.id}:{activity.id}", self._s.clock.now()
        ):
            self._s.metrics.activities.labels(kind, "duplicate").inc()
            if kind == ActivityTypes.invoke:
                await self._invoke_reply(context, ActionResult())
            return False
        await self._remember(activity, tenant)
        self._s.metrics.activities.labels(kind, "accepted").inc()
        # Ids only: the text, names and addresses in an activity never reach the log.
        logger.info(
            "activity accepted",
            extra={"activity_type": kind, "user_id": user_of(activity)[0], "tenant_id": tenant},
        )
        return True

    async def _refuse_tenant(self, context: TurnContext, tenant: str) -> None:
        activity = context.activity
        user_id, _ = user_of(activity)
        self._s.metrics.activities.labels(str(activity.type), "foreign_tenant").inc()
        await self._s.auditor.record(
            actor_id=user_id,
            tenant_id=tenant,
            action="tenant.refused",
            outcome=Outcome.DENIED,
            correlation_id=activity.id or "",
            activity_type=str(activity.type),
        )
        text = translator(activity.locale, self._s.settings.default_locale)("tenant.refused")
        if activity.type == ActivityTypes.message:
            await context.send_activity(text)
        elif activity.type == ActivityTypes.invoke:
            await self._invoke_reply(context, ActionResult(message=text))

    async def _remember(self, activity: Activity, tenant: str) -> None:
        user_id, name = user_of(activity)
        if not user_id or activity.type not in _FROM_A_PERSON:
            return
        locale = pick_locale(activity.locale, self._s.settings.default_locale)
        await self._s.contacts.saw(
            SeenUser(user_id=user_id, tenant_id=tenant, display_name=name, locale=locale)
        )
        if conversation_type_of(activity) == "personal" and activity.service_url:
            await self._s.contacts.reachable_at(
                ConversationRef(
                    user_id=user_id,
                    tenant_id=tenant,
                    service_url=activity.service_url,
                    conversation_id=activity.conversation.id,
                    bot_id=activity.recipient.id if activity.recipient else "",
                    channel_id=str(activity.channel_id or "msteams"),
                    locale=locale,
                    updated_at=self._s.clock.now(),
                )
            )

    # --- routes -------------------------------------------------------------------------------

    async def _turn(self, context: TurnContext) -> TeamsTurn:
        activity = context.activity
        user_id, name = user_of(activity)
        caller = Actor(user_id=user_id, tenant_id=tenant_of(activity), name=name)
        if user_id:
            caller = replace(caller, roles=await self._s.roles.roles_of(user_id))
        t = translator(activity.locale, self._s.settings.default_locale)
        return TeamsTurn(context, caller, t)

    async def _on_message(self, context: TurnContext, state: TurnState) -> None:
        turn = await self._turn(context)
        # Before any parsing: "<at>Werkplek</at> licentie ..." must not end up in a draft.
        text = message_text(context.activity)
        addressed = addresses_bot(context.activity)
        if not addressed and (turn.files or not text):
            # Said in a channel to others (the bot reads it for the desk's threads): not ours.
            self._s.metrics.activities.labels(str(context.activity.type), "ignored").inc()
            return
        if turn.files:
            await self._s.dispatcher.on_files(turn, text)
            return
        if not text:
            await turn.send_text(turn.t("unknown.not_text"))
            return
        await self._s.dispatcher.on_text(turn, text, addressed=addressed)

    async def _on_card_action(
        self, context: TurnContext, state: TurnState, data: object
    ) -> AdaptiveCardInvokeResponse:
        # The SDK sends what this returns as the invoke response (the refreshed card).
        value = context.activity.value if isinstance(context.activity.value, dict) else {}
        verb = str((value.get("action") or {}).get("verb") or "")
        turn = await self._turn(context)
        result = await self._s.dispatcher.on_action(turn, verb, data)
        if result.card is not None and not is_personal(turn) and carries_signed_link(result.card):
            # Never expected (the dispatcher answers personal verbs privately): a refreshed card
            # replaces the card for everyone in the conversation, so the link must not be on it.
            logger.error("a card with a signed link was refused in a %s", turn.conversation_type)
            result = ActionResult(message=turn.t("privacy.ask_privately"))
        return _invoke_response(result)

    async def _on_installation(self, context: TurnContext, state: TurnState) -> None:
        if (context.activity.action or "add").startswith("add"):
            await self._welcome(context)

    async def _on_members_added(self, context: TurnContext, state: TurnState) -> None:
        bot_id = context.activity.recipient.id if context.activity.recipient else None
        if any(member.id == bot_id for member in context.activity.members_added or []):
            await self._welcome(context)

    async def _welcome(self, context: TurnContext) -> None:
        now = self._s.clock.now()
        window = int(now.timestamp() // _WELCOME_WINDOW.total_seconds())
        if not await self._s.processed.first_time(
            f"welcome:{context.activity.conversation.id}:{window}", now
        ):
            return
        await self._s.start.welcome(await self._turn(context))

    async def _on_read_receipt(self, context: TurnContext, state: TurnState) -> None:
        # Nothing is sent back (bot.teams.read_receipts says why).
        if not await read_receipts.hand_on(context.activity, self._s.read_receipts):
            self._s.metrics.activities.labels(str(context.activity.type), "ignored").inc()

    async def _ignore(self, context: TurnContext, state: TurnState) -> None:
        self._s.metrics.activities.labels(str(context.activity.type), "ignored").inc()

    async def _invoke_reply(self, context: TurnContext, result: ActionResult) -> None:
        """Answer an invoke outside the card-action route (refusals, duplicates, failures)."""
        body = _invoke_response(result)
        await context.send_activity(
            Activity(
                type=ActivityTypes.invoke_response,
                value=InvokeResponse(
                    status=200, body=body.model_dump(mode="json", by_alias=True, exclude_none=True)
                ),
            )
        )

    async def _on_error(self, context: TurnContext, error: Exception) -> None:
        reference = new_reference()
        # The gate remembers every sender before anything else: a database outage lands here.
        unavailable = isinstance(error, StoreUnavailable)
        self._s.metrics.errors.labels("database" if unavailable else "turn").inc()
        logger.error(
            "turn failed%s; reference %s",
            ": database unavailable" if unavailable else "",
            reference,
            exc_info=(type(error), error, error.__traceback__),
        )
        try:
            turn = await self._turn(context)
            if unavailable:
                card = unavailable_card(reference, turn.t)
                # As text for a click: the clicked card stays as it was, to be clicked again.
                result = ActionResult(message=unavailable_text(reference, turn.t))
            else:
                card = failure_card(reference, self._s.settings.servicedesk_url, turn.t)
                result = ActionResult(card=card)
            if context.activity.type == ActivityTypes.invoke:
                await self._invoke_reply(context, result)
            else:
                await turn.send_card(card)
        except Exception:
            logger.exception("could not tell the user about failure %s", reference)


def _invoke_response(result: ActionResult) -> AdaptiveCardInvokeResponse:
    if result.card is not None:
        return AdaptiveCardInvokeResponse(status_code=200, type=_CARD_RESPONSE, value=result.card)
    return AdaptiveCardInvokeResponse(
        status_code=200, type=_MESSAGE_RESPONSE, value=result.message or ""
    )
