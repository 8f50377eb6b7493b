"""What the announcement cards send back, read with bounds before anything uses it.

Every id in a payload is only a claim: the services check who may act on that announcement.
The form's inputs are bounded here (a hostile client can post anything) and become an
`AnnouncementForm`; what they mean (an entity the author may pick, a valid link) is the
service's to check.
"""

from __future__ import annotations

from datetime import date, datetime, time, tzinfo
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from bot.domain.announcements.audiences import (
    MAX_TARGETS,
    NO_AUDIENCE,
    Audience,
    AudienceKind,
    Channel,
)
from bot.domain.announcements.batches import DeliveryMode
from bot.domain.announcements.content import (
    ALT_MAX,
    LINK_TITLE_MAX,
    SUMMARY_MAX,
    TITLE_MAX,
    URL_MAX,
    Content,
    Importance,
)
from bot.domain.platform.untrusted import clean_text
from bot.services.announcements.authoring import AnnouncementForm
from bot.turn import Card
from cards.announcements import forms

MAX_ID = 2**63 - 1
# A little over each limit: a text just too long is told as such by the service, not cut.
_SLACK = 50
Short = Annotated[str, StringConstraints(max_length=TITLE_MAX + _SLACK)]
Long = Annotated[str, StringConstraints(max_length=SUMMARY_MAX + _SLACK)]
Alt = Annotated[str, StringConstraints(max_length=ALT_MAX + _SLACK)]
LinkTitle = Annotated[str, StringConstraints(max_length=LINK_TITLE_MAX + _SLACK)]
Url = Annotated[str, StringConstraints(max_length=URL_MAX + _SLACK)]
# A multi-select's value: ids joined by commas.
Picked = Annotated[str, StringConstraints(max_length=(MAX_TARGETS + 1) * 260)]


class Target(BaseModel):
    model_config = ConfigDict(extra="ignore")

    announcement: int = Field(strict=True, gt=0, le=MAX_ID)


class Decision(Target):
    """A step taken on what the clicker saw: the version on their card."""

    version: int = Field(strict=True, gt=0, le=MAX_ID)
    note: Annotated[str, StringConstraints(max_length=2000)] = ""


class Acknowledged(Target):
    preview: bool = False


class FormAsk(BaseModel):
    """The form: a new announcement (no id) or one of mine to edit."""

    model_config = ConfigDict(extra="ignore")

    announcement: int | None = Field(default=None, strict=True, gt=0, le=MAX_ID)


class FormSent(FormAsk):
    """The form's inputs as Teams sends them (every value a string)."""

    version: int | None = Field(default=None, strict=True, gt=0, le=MAX_ID)
    title: Short = ""
    summary: Long = ""
    image_url: Url = ""
    image_alt: Alt = ""
    link_title: LinkTitle = ""
    link_url: Url = ""
    importance: str = Field(default=Importance.NORMAL.value, max_length=16)
    en_title: Short = ""
    en_summary: Long = ""
    en_image_alt: Alt = ""
    en_link_title: LinkTitle = ""
    audience_kind: str = Field(default="", max_length=16)
    entities: Picked = ""
    groups: Picked = ""
    channels: Picked = ""
    delivery: str = Field(default=DeliveryMode.AUTOMATIC.value, max_length=16)
    send_date: str = Field(default="", max_length=10)
    send_time: str = Field(default="", max_length=8)

    def form(self, zone: tzinfo, channel_names: dict[str, str]) -> AnnouncementForm:
        """The form as the service reads it. An unknown importance or audience kind, or a date
        that is no date, becomes what the service refuses with a clear message."""
        dutch = Content(
            title=self.title.strip(),
            summary=self.summary.strip(),
            image_url=self.image_url.strip(),
            image_alt=self.image_alt.strip(),
            link_title=self.link_title.strip(),
            link_url=self.link_url.strip(),
        )
        english = Content(
            title=self.en_title.strip(),
            summary=self.en_summary.strip(),
            # One image and one link for both languages; only their words are translated.
            image_url=dutch.image_url if self.en_title.strip() else "",
            image_alt=self.en_image_alt.strip(),
            link_title=self.en_link_title.strip(),
            link_url=dutch.link_url if self.en_link_title.strip() else "",
        )
        importance = (
            Importance(self.importance)
            if self.importance in Importance.__members__.values()
            else Importance.NORMAL
        )
        return AnnouncementForm(
            dutch=dutch,
            english=None if english.is_empty else english,
            importance=importance,
            audience=self._audience(channel_names),
            send_at=_moment(self.send_date, self.send_time, zone),
            delivery=(
                DeliveryMode(self.delivery)
                if self.delivery in DeliveryMode.__members__.values()
                else DeliveryMode.AUTOMATIC
            ),
        )

    def _audience(self, channel_names: dict[str, str]) -> Audience:
        kind = self.audience_kind
        if kind not in AudienceKind.__members__.values():
            return NO_AUDIENCE
        match AudienceKind(kind):
            case AudienceKind.EVERYONE:
                return Audience(AudienceKind.EVERYONE)
            case AudienceKind.ENTITIES:
                return Audience(AudienceKind.ENTITIES, entities=_picked(self.entities, upper=True))
            case AudienceKind.GROUPS:
                return Audience(AudienceKind.GROUPS, groups=_picked(self.groups))
            case AudienceKind.CHANNELS:
                channels = tuple(
                    Channel(conversation_id=c, name=channel_names.get(c, ""))
                    for c in _picked(self.channels)
                )
                return Audience(AudienceKind.CHANNELS, channels=channels)
            case AudienceKind.LIST:
                # The list's people are stored with the draft when the file is sent.
                return Audience(AudienceKind.LIST)
        return NO_AUDIENCE


def _picked(value: str, *, upper: bool = False) -> tuple[str, ...]:
    """A multi-select's comma-joined ids, each once, at most one over the limit (so that the
    service says "too many" rather than this cutting silently)."""
    seen: dict[str, None] = {}
    for part in value.split(","):
        item = part.strip()
        if item:
            seen[item.upper() if upper else item] = None
        if len(seen) > MAX_TARGETS:
            break
    return tuple(seen)


def _moment(day: str, at: str, zone: tzinfo) -> datetime | None:
    """The send time the author picked, in the administration's zone; None when no day was
    picked (as soon as possible), a time alone meaning today."""
    if not day.strip():
        return None
    try:
        when = date.fromisoformat(day.strip())
        clock = time.fromisoformat(at.strip()) if at.strip() else time(9, 0)
    except ValueError:
        # Not a date Teams would send: an invalid moment the service refuses in words.
        return datetime(1970, 1, 1)
    return datetime.combine(when, clock.replace(second=0, microsecond=0), tzinfo=zone)


# The form's input ids, as the card names them (checked by a test: a renamed input must not
# silently drop what people typed).
FORM_FIELDS = frozenset(forms.INPUTS)
_ENGLISH_FIELDS = (forms.EN_TITLE, forms.EN_SUMMARY, forms.EN_IMAGE_ALT, forms.EN_LINK_TITLE)


def refilled(form: Card, sent: FormSent) -> Card:
    """The form again with what the author typed in it, for a save that was refused.

    Teams replaces the clicked card with the answer, and the form card is filled from a stored
    draft only (none yet for a new announcement, the old words for an edit): without this a
    refused save would cost the author everything they wrote. Texts are cleaned as the form
    cleans them; a choice keeps only what the form still offers (a tampered entity is not
    shown as picked), else the form's own default."""
    typed = sent.model_dump(include=set(FORM_FIELDS))
    for element in _elements(form):
        input_id = element.get("id")
        if input_id == forms.ENGLISH_PART and any(typed[key].strip() for key in _ENGLISH_FIELDS):
            element["isVisible"] = True
        if input_id not in typed or not str(element.get("type", "")).startswith("Input."):
            continue
        value = str(typed[input_id])
        if element["type"] == "Input.ChoiceSet":
            choices = (str(choice.get("value")) for choice in element.get("choices", []))
            offered = {choice.casefold(): choice for choice in choices}
            kept = ",".join(
                offered[part.casefold()] for part in _picked(value) if part.casefold() in offered
            )
            if kept:
                element["value"] = kept
        elif element["type"] == "Input.Text":
            limit = int(element.get("maxLength") or len(value) or 1)
            multiline = bool(element.get("isMultiline"))
            element["value"] = clean_text(value, limit=limit, multiline=multiline)
        elif value.strip():
            element["value"] = clean_text(value, limit=16)
        else:
            element.pop("value", None)
    return form


def _elements(node: object) -> list[dict[str, Any]]:
    """Every element of a card (a dict), depth first."""
    if isinstance(node, dict):
        return [node, *(found for value in node.values() for found in _elements(value))]
    if isinstance(node, list):
        return [found for item in node for found in _elements(item)]
    return []
