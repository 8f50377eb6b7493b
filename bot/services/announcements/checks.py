"""What authoring and approving an announcement check and share: the refusals (one exception
carrying every problem, so a form shows them all at once), the audit line of a step, the scope
of a person, the send time's bounds and the outbox keys of the approval cards
(bot/services/announcements/authoring.py, approvals.py, audience_lists.py).

Decisions (and why):
- A form's problems are all raised together (`AnnouncementProblems`): fixing one, sending,
  and hearing of the next one is what people hated in Company Communicator's form.
- An announcement someone may not see is refused like an unknown one (`not_found`): a guessed
  id says nothing about what exists.
- Content and audience problems use the domain's message ids (`announcements.problem.<value>`,
  `announcements.audience.<value>`); a target not offered to the person (typed into the card's
  payload) is refused with the same id as one outside their scope: to them it is the same.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.domain.announcements.announcements import Announcement
from bot.domain.announcements.audiences import (
    EVERYTHING,
    AudienceProblem,
    AudienceScope,
    Refusal,
    scope_of,
)
from bot.domain.announcements.content import Content, texts_problems
from bot.domain.platform.actors import Actor
from bot.domain.platform.audit import AuditEntry, Outcome
from bot.domain.platform.errors import DomainError, Forbidden, NotFound
from bot.domain.platform.roles import Role
from bot.services.announcements.parts import People

OBJECT_TYPE = "announcement"
# How far ahead an announcement may be scheduled: further is more likely a typo than a plan.
SEND_AHEAD_DAYS = 90
# An approver's note (required to reject): a reason, not a letter.
MAX_NOTE = 500


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing to fix: a message id and its values (an entity code, a limit)."""

    message_key: str
    params: tuple[tuple[str, str], ...] = ()

    @property
    def values(self) -> dict[str, str]:
        return dict(self.params)


class AnnouncementProblems(DomainError):
    """The announcement cannot be saved or sent as it is; `problems` lists every reason."""

    message_key = "announcements.error.problems"

    def __init__(self, problems: Sequence[Problem]) -> None:
        super().__init__(count=len(problems))
        self.problems = tuple(problems)

    @property
    def message_keys(self) -> tuple[str, ...]:
        return tuple(problem.message_key for problem in self.problems)


def raise_problems(problems: Iterable[Problem]) -> None:
    """Raise them all at once (each once, in order), or nothing when there are none."""
    found = list(dict.fromkeys(problems))
    if found:
        raise AnnouncementProblems(found)


def text_problems(dutch: Content, english: Content | None) -> list[Problem]:
    return [Problem(f"announcements.problem.{p.value}") for p in texts_problems(dutch, english)]


def refusal_problem(refusal: Refusal) -> Problem:
    params = (("target", refusal.target),) if refusal.target else ()
    return Problem(f"announcements.audience.{refusal.problem.value}", params)


def not_allowed(problem: AudienceProblem, target: str = "") -> Problem:
    return refusal_problem(Refusal(problem, target))


def send_at_problems(send_at: datetime | None, now: datetime) -> list[Problem]:
    """A send time is aware (the card's date and time in Europe/Brussels) and not too far
    ahead; one in the past means "now" (checked when submitted)."""
    if send_at is None:
        return []
    if send_at.tzinfo is None or send_at.utcoffset() is None:
        return [Problem("announcements.error.send_at_invalid")]
    latest = now + timedelta(days=SEND_AHEAD_DAYS)
    if send_at > latest:
        return [
            Problem("announcements.error.send_at_too_far", (("latest", latest.date().isoformat()),))
        ]
    return []


def require_comms(actor: Actor) -> None:
    if not actor.has(Role.COMMS):
        raise Forbidden("announcements.error.comms_only")


def same_person(a: str, b: str) -> bool:
    return a.casefold() == b.casefold()


def visible_to(actor: Actor, announcement: Announcement | None) -> Announcement:
    """The announcement when the actor may work on it (its author, or an admin of its tenant);
    otherwise the same refusal as for no announcement at all."""
    if (
        announcement is None
        or announcement.tenant_id != actor.tenant_id
        or not (actor.is_admin or same_person(announcement.author_id, actor.user_id))
    ):
        raise NotFound("announcements.error.not_found")
    return announcement


def announcement_audit(
    at: datetime,
    actor: Actor,
    action: str,
    announcement: Announcement | None,
    *,
    outcome: Outcome = Outcome.OK,
    **detail: str,
) -> AuditEntry:
    """The audit line of a step on an announcement, named by its reference (None: a new one,
    whose reference the store fills in)."""
    return AuditEntry(
        at=at,
        actor_id=actor.user_id,
        action=action,
        outcome=outcome,
        role=actor.role,
        tenant_id=actor.tenant_id if announcement is None else announcement.tenant_id,
        object_type=OBJECT_TYPE,
        object_id="" if announcement is None else announcement.reference,
        correlation_id=actor.correlation_id,
        detail=dict(detail),
    )


def approval_key(announcement_id: int, approver_id: str, version: int) -> str:
    """The outbox key of the approval card an approver got for this version."""
    return f"ann:{announcement_id}:approval:{approver_id.lower()}:{version}"


def decision_key(announcement_id: int, version: int) -> str:
    """The outbox key of the author's notice of a decision (the decided version)."""
    return f"ann:{announcement_id}:decision:{version}"


class Scopes:
    """Whom a person may reach: their configured scope (their own entry and their groups'),
    and their own entity."""

    def __init__(self, people: People, configured: Mapping[str, AudienceScope]) -> None:
        self._people = people
        self._configured = dict(configured)

    async def of(self, user_id: str, *, is_admin: bool) -> tuple[AudienceScope, str]:
        own = await self._people.entity_of(user_id)
        if is_admin:
            return EVERYTHING, own
        groups = await self._people.groups_of(user_id)
        return scope_of(user_id, groups, self._configured), own
