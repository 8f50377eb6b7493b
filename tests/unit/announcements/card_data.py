"""Announcements in the shapes the cards meet, for the card tests and the shared card samples
(tests/support/card_samples.py)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.domain.announcements.announcements import Announcement, AnnouncementState
from bot.domain.announcements.audiences import Audience, AudienceKind
from bot.domain.announcements.content import Content, Importance
from bot.domain.announcements.recipients import Figures, Progress
from cards.announcements.forms import AudienceChoices

BRUSSELS = ZoneInfo("Europe/Brussels")
CREATED = datetime(2026, 11, 23, 9, 15, tzinfo=BRUSSELS)
AUTHOR = "7b2c9f1e-3a4d-4b5e-8f60-1a2b3c4d5e6f"
APPROVER = "3e4f5a6b-7c8d-4e9f-a0b1-c2d3e4f5a6b7"

DUTCH = Content(
    title="Vanaf maandag is MFA verplicht",
    summary=(
        "Vanaf **maandag 1 december** meld je je aan met _tweestapsverificatie_.\n\n"
        "- Installeer de Authenticator-app\n"
        "- Registreer je toestel vóór vrijdag\n\n"
        "Meer uitleg op [het intranet](https://intranet.vlaanderen.example/mfa)."
    ),
    image_url="https://intranet.vlaanderen.example/img/mfa.png",
    image_alt="Een gsm met de Authenticator-app open",
    link_title="Stappenplan",
    link_url="https://intranet.vlaanderen.example/mfa/stappen",
)
ENGLISH = Content(
    title="Multi-factor sign-in is required from Monday",
    summary="From **Monday 1 December** you sign in with _multi-factor authentication_.",
    image_alt="A phone with the Authenticator app open",
    link_title="Step by step",
)
ENTITIES = Audience(AudienceKind.ENTITIES, entities=("AWV", "DOMG"))
CHOICES = AudienceChoices(
    entities=[("AWV", "Agentschap Wegen en Verkeer"), ("DOMG", "Departement Omgeving")],
    groups=[("g-leiding", "Alle leidinggevenden")],
    channels=[("19:abc@thread.tacv2", "Algemeen")],
    everyone=False,
    lists=True,
)


def announcement(**changes: Any) -> Announcement:
    base = Announcement(
        id=42,
        reference="ANN-2026-000042",
        tenant_id="t",
        author_id=AUTHOR,
        author_name="Sofie Peeters",
        author_entity="DOMG",
        state=AnnouncementState.DRAFT,
        version=3,
        dutch=DUTCH,
        english=None,
        importance=Importance.NORMAL,
        audience=ENTITIES,
        created_at=CREATED,
        updated_at=CREATED,
    )
    return replace(base, **changes)


def in_state(state: AnnouncementState, **changes: Any) -> Announcement:
    """An announcement as it is in `state`: started, finished, decided as that state implies."""
    started = CREATED + timedelta(hours=2)
    shaped: dict[str, Any] = {"state": state}
    if state in (AnnouncementState.SENDING, AnnouncementState.SENT, AnnouncementState.RECALLED):
        shaped |= {"started_at": started, "resolved": True, "audience_size": 1234}
    if state in (AnnouncementState.SENT, AnnouncementState.RECALLED, AnnouncementState.CANCELLED):
        shaped["finished_at"] = started + timedelta(minutes=3)
    if state is AnnouncementState.SCHEDULED:
        shaped["send_at"] = CREATED + timedelta(days=3)
    if state is AnnouncementState.REJECTED:
        shaped |= {
            "approval_required": True,
            "decided_by": APPROVER,
            "decided_by_name": "Jef Claes",
            "decision_note": "Graag het stappenplan als link toevoegen.",
        }
    return announcement(**(shaped | changes))


def progress(done: int = 765, audience: int = 1234, **more: Any) -> Progress:
    left = audience - done
    figures = Figures(
        audience=audience,
        sent=done - 40,
        throttled_sent=25,
        failed=5,
        blocked=8,
        not_found=2,
        not_reached=left,
        read=410,
        acknowledged=302,
    )
    rate = float(more.pop("per_second", 12.34))
    end = more.pop("expected_end", CREATED + timedelta(hours=2, minutes=4))
    return Progress(replace(figures, **more), rate, end)
