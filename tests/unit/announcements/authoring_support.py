"""What the tests of authoring, approvals and uploaded lists share: a small administration (three
entities, named groups, a channel), its comms people with their scopes, and the services over
the in-memory fakes (tests/unit/announcements/fakes.py).

The people:
- Ann (comms, entity AWV, nothing configured): her own entity only.
- Bert (comms, entity DOMG, in the group "grp-wide"): his own entity, the group "Alle
  leidinggevenden", channels and lists (and "g-secret", which is not configured as an audience).
- Carl (comms, entity ADV): an approver. Eva (admin): everything. Sam (staff): no announcements.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bot.domain.announcements.announcements import Announcement
from bot.domain.announcements.audiences import Audience, AudienceKind, AudienceScope, Channel
from bot.domain.announcements.content import Content, Importance
from bot.domain.licences.catalogue import Entity
from bot.domain.platform.actors import Actor
from bot.domain.platform.roles import Role
from bot.ports.announcements import AudienceMember
from bot.services.announcements.approvals import AnnouncementApprovals
from bot.services.announcements.audience_lists import AudienceLists
from bot.services.announcements.authoring import AnnouncementAuthoring, AnnouncementForm
from bot.services.announcements.images import ImageCheck
from bot.services.announcements.parts import AnnouncementRules
from tests.support.clock import FakeClock
from tests.unit.announcements.fakes import (
    FakeAnnouncementRepository,
    FakeAudienceDirectory,
    FakeCards,
    FakeFileDownloads,
    FakePeople,
)

TENANT = "t1"
ANN = Actor("ann", TENANT, "Ann", frozenset({Role.STAFF, Role.COMMS}))
BERT = Actor("bert", TENANT, "Bert", frozenset({Role.STAFF, Role.COMMS}))
CARL = Actor("carl", TENANT, "Carl", frozenset({Role.STAFF, Role.COMMS}))
EVA = Actor("eva", TENANT, "Eva", frozenset({Role.STAFF, Role.ADMIN}))
SAM = Actor("sam", TENANT, "Sam", frozenset({Role.STAFF}))

ENTITIES = (
    Entity("AWV", "Agentschap Wegen en Verkeer", "Roads and Traffic Agency", "g-awv"),
    Entity("DOMG", "Departement Omgeving", "Department of Environment", "g-domg"),
    Entity("ADV", "Agentschap Digitaal Vlaanderen", "Digital Flanders Agency", "g-adv"),
)
LEADERS = "g-leaders"
IT = "g-it"
CHANNEL = "19:news@thread.tacv2"
IMAGE = "https://img.example/banner.png"
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 32


def members(prefix: str, count: int) -> list[AudienceMember]:
    return [AudienceMember(f"{prefix}-{n}", f"{prefix}-{n}@example.org") for n in range(count)]


def rules(**changes: Any) -> AnnouncementRules:
    values: dict[str, Any] = {
        "scopes": {
            "grp-wide": AudienceScope(
                groups=frozenset({LEADERS, "g-secret"}), channels=True, lists=True
            )
        },
        "groups": {LEADERS: "Alle leidinggevenden", IT: "ICT"},
        "channels": {CHANNEL: "Nieuws"},
        "image_max_bytes": 1024,
    }
    values.update(changes)
    return AnnouncementRules(**values)


@dataclass
class World:
    rules: AnnouncementRules = field(default_factory=rules)
    clock: FakeClock = field(default_factory=FakeClock)
    repository: FakeAnnouncementRepository = field(default_factory=FakeAnnouncementRepository)
    directory: FakeAudienceDirectory = field(default_factory=FakeAudienceDirectory)
    cards: FakeCards = field(default_factory=FakeCards)
    downloads: FakeFileDownloads = field(default_factory=lambda: FakeFileDownloads({IMAGE: PNG}))
    people: FakePeople = field(
        default_factory=lambda: FakePeople(
            locales={"carl": "en"},
            entities={"ann": "AWV", "bert": "DOMG", "carl": "ADV", "eva": "ADV"},
            groups={"bert": ["grp-wide"]},
            approver_ids=["ann", "bert", "carl", "eva"],
        )
    )
    roles: dict[str, frozenset[Role]] = field(
        default_factory=lambda: {a.user_id: a.roles for a in (ANN, BERT, CARL, EVA, SAM)}
    )
    enqueued: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.directory.add_group("g-awv", *members("awv", 3))
        self.directory.add_group("g-domg", *members("domg", 2))
        self.directory.add_group("g-adv", *members("adv", 1))
        self.directory.add_group(LEADERS, *members("lead", 4))
        self.directory.add_group(IT, *members("it", 2))

    async def entities(self) -> list[Entity]:
        return list(ENTITIES)

    async def roles_of(self, user_id: str) -> frozenset[Role]:
        return self.roles.get(user_id, frozenset({Role.STAFF}))

    def authoring(self) -> AnnouncementAuthoring:
        return AnnouncementAuthoring(
            repository=self.repository,
            people=self.people,
            directory=self.directory,
            cards=self.cards,
            rules=self.rules,
            clock=self.clock,
            images=ImageCheck(self.downloads, self.rules.image_max_bytes),
            entities=self.entities,
            on_enqueued=lambda: self.enqueued.append("woken"),
        )

    def approvals(self) -> AnnouncementApprovals:
        return AnnouncementApprovals(
            repository=self.repository,
            people=self.people,
            directory=self.directory,
            cards=self.cards,
            rules=self.rules,
            clock=self.clock,
            entities=self.entities,
            roles_of=self.roles_of,
            on_enqueued=lambda: self.enqueued.append("woken"),
        )

    def lists(self) -> AudienceLists:
        return AudienceLists(
            repository=self.repository,
            people=self.people,
            directory=self.directory,
            rules=self.rules,
            clock=self.clock,
        )

    async def draft(self, actor: Actor = ANN, form: AnnouncementForm | None = None) -> Announcement:
        return await self.authoring().save(actor, None, form or FORM, None)


def entities(*codes: str) -> Audience:
    return Audience(AudienceKind.ENTITIES, entities=codes)


def groups(*ids: str) -> Audience:
    return Audience(AudienceKind.GROUPS, groups=ids)


def channels(*ids: str) -> Audience:
    return Audience(AudienceKind.CHANNELS, channels=tuple(Channel(i, "typed") for i in ids))


EVERYONE = Audience(AudienceKind.EVERYONE)

FORM = AnnouncementForm(
    dutch=Content("MFA wordt verplicht", "Vanaf **maandag**."),
    english=Content("MFA becomes required", "From **Monday**."),
    importance=Importance.URGENT,
    audience=entities("AWV"),
)


def form(
    audience: Audience | None = None,
    *,
    dutch: Content | None = None,
    english: Content | None = None,
    send_at: datetime | None = None,
) -> AnnouncementForm:
    return AnnouncementForm(
        dutch=dutch or FORM.dutch,
        english=english if english is not None else FORM.english,
        importance=FORM.importance,
        audience=audience or FORM.audience,
        send_at=send_at,
    )
