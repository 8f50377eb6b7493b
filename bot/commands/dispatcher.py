"""The one place that turns text and card clicks into handler calls.

A message is read over its whole sentence (bot/commands/understanding.py) against the commands
the caller may run: one clear reading runs its command, two close ones are asked about with a
button each, a greeting or thanks is answered with the main buttons, and nothing gets the
closest commands as buttons. A command the caller may not run is refused only when the message
opens with its keyword: a word it happens to share ("wat zijn de regels voor thuiswerk?") is no
request for it.

It checks the caller's role, validates card payloads, audits every command and verb, and turns
failures into answers: a DomainError becomes its localised explanation, anything else a card with
a short reference that is also in the log. Handlers never see a failure they did not raise.

It is also the one place that keeps personal answers out of channels and group chats: a personal
command or verb asked for there runs on a PrivateTurn and its answer goes to the caller's 1:1
chat (bot/commands/privacy.py).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from pydantic import ValidationError

from bot.commands.asides import of_oneself
from bot.commands.hooks import FileHandler, GreetingHandler, QuestionHandler, Relay
from bot.commands.lemmas import tokens
from bot.commands.phrases import CLASSES
from bot.commands.privacy import (
    ASK_PRIVATELY,
    SENT_PRIVATELY,
    PrivateReplies,
    PrivateTurn,
    goes_privately,
)
from bot.commands.registry import CommandSpec, Match, Registry

# Re-exported: every dialog answers a click with these.
from bot.commands.results import ActionResult as ActionResult
from bot.commands.results import refuse as refuse
from bot.commands.shipped_model import corpus_model
from bot.commands.suggestions import closest, featured, spec_named
from bot.commands.understanding import Candidate, Verdict, understand
from bot.domain.platform.audit import Outcome
from bot.domain.platform.errors import DomainError, StoreUnavailable, new_reference
from bot.domain.platform.roles import Role
from bot.domain.platform.text import folded_words
from bot.ports.platform import Notifier
from bot.services.platform.audit import Auditor
from bot.turn import Turn, is_personal
from cards.platform.availability import unavailable_card, unavailable_text
from cards.platform.profile import role_label
from cards.platform.system import Retry, denied_card, explained, failure_card, notice_card
from cards.platform.understanding import ask_card, not_understood_card, thanks_card

logger = logging.getLogger(__name__)

_FILES = "files.received"
_THANKS = frozenset(CLASSES["thanks"].split())


class Dispatcher:
    def __init__(
        self,
        registry: Registry,
        auditor: Auditor,
        servicedesk_url: str,
        notifier: Notifier | None = None,
    ) -> None:
        """notifier: the outbox, for personal answers asked for in a channel or group chat
        (without it, the person is asked to use the 1:1 chat)."""
        self.registry = registry
        self._auditor = auditor
        self._desk = servicedesk_url
        self._file_handler: FileHandler | None = None
        self._greeting_handler: GreetingHandler | None = None
        self._question_handler: QuestionHandler | None = None
        self._tickets = False  # the service desk takes tickets: failures offer its form
        self._relay: Relay | None = None
        self._private = PrivateReplies(notifier)

    def receive_files(self, handler: FileHandler) -> None:
        """Route messages with files to handler, which checks the caller's role itself."""
        self._file_handler = handler

    def greet_with(self, handler: GreetingHandler) -> None:
        """Answer greetings and thanks with handler (the start dialog's welcome)."""
        self._greeting_handler = handler

    def answer_questions_with(self, handler: QuestionHandler, *, tickets: bool = False) -> None:
        """Offer what no command claims to handler first (the knowledge base's answers);
        `tickets`: the service desk takes tickets, so failures offer its form, not its page."""
        self._question_handler = handler
        self._tickets = tickets

    def relay_with(self, relay: Relay) -> None:
        """Let the service desk's relay take free messages for open tickets and the agents'
        messages in a ticket's thread."""
        self._relay = relay

    async def on_files(self, turn: Turn, text: str) -> None:
        """A message with files: the file handler takes it, whatever the text says. Without one,
        the text is handled as usual (and a message without text gets the "text only" answer).
        What a file gets back (import results, problems) is personal: Teams sends files to a bot
        only in a 1:1 chat, and anything claiming otherwise is answered there too."""
        if goes_privately(turn, personal=True):
            private = PrivateTurn(turn)
            await self.on_files(private, text)
            await self._answer_privately(turn, private)
            return
        relay = self._relay  # files sent while the person's chat goes to their open ticket
        if relay is not None and is_personal(turn) and await relay.take_files(turn, text):
            return
        if self._file_handler is None:
            if text:
                await self.on_text(turn, text)
            else:
                await turn.send_text(turn.t("unknown.not_text"))
            return
        handle_files = self._file_handler
        await self._answer_in_chat(turn, _FILES, lambda: handle_files(turn, text))

    async def on_text(
        self, turn: Turn, text: str, *, addressed: bool = True, relay: bool = True
    ) -> None:
        """A message. `addressed`: the bot was mentioned, or the chat is a 1:1 chat; a channel
        message that is not (the bot reads the channel for the service desk's threads) is the
        relay's or nobody's. `relay=False`: read as if no ticket were open."""
        hooks = self._relay if relay else None
        explicit = self.registry.explicit(text)
        # In a ticket's thread, "@Werkplek open meldingen" is a command; anything else is for
        # the person (agents there need not mention the bot at all).
        for_thread = not (addressed and explicit is not None)
        if hooks and for_thread and not is_personal(turn) and await hooks.from_thread(turn, text):
            return
        if not addressed:
            return
        if explicit is None and hooks is not None and await hooks.take(turn, text):
            # While the person talks with the desk, only a command's keyword is a command.
            return
        if explicit is not None and not explicit.args:
            # A keyword alone ("help", "post"): nothing to read, and a refusal if not theirs.
            await self.run_command(turn, explicit.command.spec.name)
            return
        if (forbidden := self._forbidden_ask(text, explicit, turn.caller.roles)) is not None:
            # Asked for by its keyword, and not the caller's to run: refused, and audited.
            await self.run_command(turn, forbidden.command.spec.name, forbidden.args)
            return
        allowed = [bound.spec for bound in self.registry.visible_to(turn.caller.roles)]
        words = await self._vocabulary(allowed)
        reading = understand(text, allowed, words, corpus_model())
        if (winner := reading.winner) is not None:
            if hooks is not None and await self._about_a_ticket(turn, text, allowed, words):
                return
            await self.run_command(turn, winner.name, given_arguments(explicit, winner))
        elif reading.verdict is Verdict.ASK:
            named = ((spec_named(allowed, c.name), c.args) for c in reading.choices)
            choices = [(spec, args) for spec, args in named if spec is not None]
            await turn.send_card(ask_card(choices, turn.t))
        elif reading.verdict is Verdict.GREETING:
            await self._greet(turn, text, allowed)
        elif not (hooks and await hooks.offer(turn, text)) and not await self._answered(turn, text):
            offered = closest(reading, allowed)
            shown = not_understood_card(offered, turn.t, self._desk, self._tickets, text)
            await turn.send_card(shown)

    async def without_relay(self, turn: Turn, text: str) -> bool:
        """The message read as if no ticket were open: the person said it is not for theirs."""
        await self.on_text(turn, text, relay=False)
        return True

    async def _about_a_ticket(
        self, turn: Turn, text: str, allowed: list[CommandSpec], words: dict[str, tuple[str, ...]]
    ) -> bool:
        """A sentence only the labelled examples read as a command, none of its words a
        command's own ("ja, dat heb ik al geprobeerd"), from someone with an open ticket: more
        likely about the ticket, so offered for it (once; "Niet toevoegen" reads it as usual)."""
        assert self._relay is not None
        if understand(text, allowed, words).verdict is Verdict.COMMAND:
            return False
        return await self._relay.offer(turn, text)

    async def _answered(self, turn: Turn, text: str) -> bool:
        """Whether the question handler answered; one that fails costs only its answer."""
        if self._question_handler is None:
            return False
        try:
            return await self._question_handler(turn, text)
        except Exception:
            logger.warning("question handler failed", exc_info=True)
            return False

    def _forbidden_ask(
        self, text: str, explicit: Match | None, roles: frozenset[Role]
    ) -> Match | None:
        """A message that opens with the keyword of a command the caller may not run, read as
        that command among all ("regels"); not a sentence that holds it ("regels voor ...?")."""
        if explicit is None or explicit.command.spec.allows(roles):
            return None
        every = [bound.spec for bound in self.registry.commands]
        winner = understand(text, every).winner
        return (
            explicit if winner is not None and winner.name == explicit.command.spec.name else None
        )

    async def _vocabulary(self, allowed: list[CommandSpec]) -> dict[str, tuple[str, ...]]:
        """The words each allowed command's dialog keeps outside the code (catalogue names).
        A source that fails costs only its words: the sentence is still read without them."""
        words: dict[str, tuple[str, ...]] = {}
        for spec in allowed:
            source = self.registry.vocabularies.get(spec.name)
            if source is None:
                continue
            try:
                words[spec.name] = tuple(await source())
            except Exception:
                logger.warning("vocabulary of %s unavailable", spec.name, exc_info=True)
        return words

    async def _greet(self, turn: Turn, text: str, allowed: list[CommandSpec]) -> None:
        thanks = bool(_THANKS & set(folded_words(text)))
        if self._greeting_handler is not None:
            await self._greeting_handler(turn, thanks)
        elif thanks:
            await turn.send_card(thanks_card([s for s in allowed if s.featured], turn.t))
        else:
            await turn.send_card(not_understood_card(featured(allowed), turn.t))

    async def run_command(self, turn: Turn, name: str, args: str = "") -> None:
        bound = self.registry.get(name)
        if bound is None:
            await turn.send_card(not_understood_card([], turn.t))
            return
        if goes_privately(turn, bound.spec.personal):
            private = PrivateTurn(turn)
            await self.run_command(private, name, args)
            await self._answer_privately(turn, private)
            return
        action = f"command.{name}"
        if not bound.spec.allows(turn.caller.roles):
            await self._deny(turn, action, bound.spec.role)
            await turn.send_card(denied_card(role_label(bound.spec.role, turn.t), turn.t))
            return
        retry = (name, args) if bound.spec.retry_safe else None
        await self._answer_in_chat(turn, action, lambda: bound.handler(turn, args), retry)

    async def _answer_in_chat(
        self,
        turn: Turn,
        action: str,
        handle: Callable[[], Awaitable[None]],
        retry: Retry | None = None,
    ) -> None:
        """Run a message's handler: its failures become answers in the chat, each audited, each
        with a next step: the one the error names, or `retry` (the same command and words)."""
        try:
            await handle()
        except DomainError as error:
            await self._audit(turn, action, Outcome.REJECTED, reason=error.message_key)
            notice = notice_card(explained(error, turn.t), turn.t, next_command=error.next_command)
            await turn.send_card(notice)
            return
        except StoreUnavailable as unavailable:
            reference = self._unavailable(action, unavailable)
            await turn.send_card(unavailable_card(reference, turn.t, retry=retry))
            return
        except Exception:
            reference = new_reference()
            logger.exception("%s failed; reference %s", action, reference)
            await self._audit(turn, action, Outcome.FAILED, reference=reference)
            await turn.send_card(
                failure_card(reference, self._desk, turn.t, retry=retry, ticket=self._tickets)
            )
            return
        await self._audit(turn, action, Outcome.OK)

    async def on_action(self, turn: Turn, verb: str, data: object) -> ActionResult:
        bound = self.registry.verbs.get(verb)
        action = f"verb.{verb}"
        if bound is not None and goes_privately(turn, bound.spec.personal):
            return await self._action_privately(turn, verb, data)
        if bound is None:
            await self._audit(turn, action, Outcome.REJECTED, reason="unknown_verb")
            return ActionResult(message=turn.t("card.unknown_action"))
        if not turn.caller.has(bound.spec.role):
            await self._deny(turn, action, bound.spec.role)
            return ActionResult(
                message=turn.t("denied.body", role=role_label(bound.spec.role, turn.t))
            )
        try:
            payload = bound.spec.payload.model_validate(data or {})
        except ValidationError:
            await self._audit(turn, action, Outcome.REJECTED, reason="invalid_payload")
            return ActionResult(message=turn.t("card.invalid_payload"))
        try:
            result = await bound.handler(turn, payload)
        except DomainError as error:
            await self._audit(turn, action, Outcome.REJECTED, reason=error.message_key)
            return ActionResult(message=explained(error, turn.t))
        except StoreUnavailable as unavailable:
            # A line of text, so the clicked card stays as it was and can be clicked again.
            text = unavailable_text(self._unavailable(action, unavailable), turn.t)
            return ActionResult(message=text, shareable=True)
        except Exception:
            reference = new_reference()
            logger.exception("%s failed; reference %s", action, reference)
            await self._audit(turn, action, Outcome.FAILED, reference=reference)
            # A line of text, not a card: the clicked card (an approver's buttons) stays.
            return ActionResult(message=turn.t("error.click_failed", reference=reference))
        await self._audit(turn, action, Outcome.OK)
        return result if isinstance(result, ActionResult) else ActionResult(card=result)

    async def _action_privately(self, turn: Turn, verb: str, data: object) -> ActionResult:
        """A click on a personal verb in a channel or group chat: the clicked card stays as it
        is, the answer goes to the clicker's 1:1 chat (unless the handler marked it shareable)."""
        private = PrivateTurn(turn)
        result = await self.on_action(private, verb, data)
        if result.shareable:
            if private.kept:
                await self._answer_privately(turn, private, quietly=True)
            return result
        if result.card is not None:
            private.keep_card(result.card)
        elif result.message:
            private.keep_text(result.message)
        return await self._answer_privately(turn, private, quietly=True)

    async def _answer_privately(
        self, turn: Turn, private: PrivateTurn, *, quietly: bool = False
    ) -> ActionResult:
        """Queue what `private` kept for the caller's 1:1 chat and say so where they asked
        (quietly: only return what to say, for an invoke's answer)."""
        if not private.kept:
            return ActionResult()
        try:
            delivered = await self._private.deliver(private)
        except StoreUnavailable as unavailable:
            reference = self._unavailable("private answer", unavailable)
            answer = ActionResult(card=unavailable_card(reference, turn.t))
        except Exception:
            # Not queued, so not sent: the conversation only learns that it failed.
            reference = new_reference()
            logger.exception("private answer not queued; reference %s", reference)
            answer = ActionResult(
                card=failure_card(reference, self._desk, turn.t, ticket=self._tickets)
            )
        else:
            answer = ActionResult(message=turn.t(SENT_PRIVATELY if delivered else ASK_PRIVATELY))
            logger.info(
                "answer kept out of a %s conversation (%d messages, queued: %s)",
                turn.conversation_type,
                len(private.kept),
                delivered,
            )
        if not quietly:
            if answer.card is not None:
                await turn.send_card(answer.card)
            elif answer.message:
                await turn.send_text(answer.message)
        return answer

    def _unavailable(self, action: str, error: StoreUnavailable) -> str:
        """The database cannot serve: logged with a new reference, and no audit line (it could
        not be written either); the person is asked to try again shortly."""
        reference = new_reference()
        logger.error("%s: database unavailable; reference %s", action, reference, exc_info=error)
        return reference

    async def _deny(self, turn: Turn, action: str, needed: Role) -> None:
        await self._audit(turn, action, Outcome.DENIED, needed_role=needed.value)

    async def _audit(self, turn: Turn, action: str, outcome: Outcome, **detail: str) -> None:
        caller = turn.caller
        try:
            await self._auditor.record(
                durable=outcome is not Outcome.OK,
                actor_id=caller.user_id,
                action=action,
                outcome=outcome,
                role=caller.role,
                tenant_id=caller.tenant_id,
                correlation_id=caller.correlation_id,
                **detail,
            )
        except Exception:
            # The user's command already happened; losing its audit line must be loud, not fatal.
            logger.exception("audit write failed for %s", action)


def given_arguments(explicit: Match | None, winner: Candidate) -> str:
    """What the winning command gets: what the understanding step read in the message ("status
    van Griet Vandenbroucke aub" is Griet Vandenbroucke, "post van het kadaster" a search for
    the kadaster); when it read nothing in a message that opens with the command's keyword
    (`explicit`), the command's own syntax (everything after the keyword, as help documents
    it: "post fluvius", "winkel abc-123 domg")."""
    if winner.args or explicit is None or explicit.command.spec.name != winner.name:
        return winner.args
    # "status van mijn account en MFA" speaks of one's own: no one to look up, nothing else
    return winner.args if of_oneself(tokens(explicit.args)) else explicit.args
