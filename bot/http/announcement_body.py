"""The body of POST /api/announcements (bot/http/announcements.py): one declared model, read
with a bound before it gets here, and every invalid field named by its JSON path with the
message id that says what to do.

Decisions (and why):
- Strict types and unknown fields refused: a flow that sends "send": "true" or misspells
  "send_at" must hear so, not get a draft it did not mean.
- The texts' lengths, addresses and the audience's scope are not checked here: the service
  checks them for every author alike, with the messages people already read in chat.
- Targets of another kind than the audience's `kind` are refused rather than dropped.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    model_validator,
)
from pydantic_core import PydanticCustomError

from bot.domain.announcements.audiences import Audience, AudienceKind, Channel
from bot.domain.announcements.batches import DeliveryMode
from bot.domain.announcements.content import Content, Importance
from bot.services.announcements.authoring import AnnouncementForm

CLIENT_KEY_MAX = 100
# A pydantic error type -> the message id that says it (anything else: field_invalid).
_FIELD_KEYS = {
    "missing": "announcements.api.field_missing",
    "string_too_short": "announcements.api.field_missing",
    "extra_forbidden": "announcements.api.field_unknown",
    "string_too_long": "announcements.api.field_too_long",
    "timezone_aware": "announcements.api.field_datetime",
    "datetime_parsing": "announcements.api.field_datetime",
    "datetime_from_date_parsing": "announcements.api.field_datetime",
    "datetime_type": "announcements.api.field_datetime",
    "audience_mixed": "announcements.api.audience_mixed",
}


def _without_nul(text: str) -> str:
    # PostgreSQL text cannot hold U+0000; refused rather than silently changed.
    if "\x00" in text:
        raise PydanticCustomError("nul", "must not contain U+0000")
    return text


Text = Annotated[str, AfterValidator(_without_nul)]
# Constraints before the validator, so that pydantic names their errors (string_too_short...).
Target = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1), AfterValidator(_without_nul)
]


class _TextsIn(BaseModel):
    """One language's texts. Their lengths and addresses are the domain's to check (its
    messages say the limits), so here they are only texts."""

    model_config = ConfigDict(strict=True, extra="forbid")

    title: Text = ""
    summary: Text = ""
    image_url: Text = ""
    image_alt: Text = ""
    link_title: Text = ""
    link_url: Text = ""

    def content(self) -> Content:
        return Content(
            title=self.title.strip(),
            summary=self.summary.strip(),
            image_url=self.image_url.strip(),
            image_alt=self.image_alt.strip(),
            link_title=self.link_title.strip(),
            link_url=self.link_url.strip(),
        )


class _ChannelIn(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid")

    id: Target
    name: Text = ""  # the configured name is shown, whatever this says


class _AudienceIn(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid")

    kind: Literal["entities", "groups", "channels", "everyone"]
    entities: list[Target] = Field(default_factory=list)
    groups: list[Target] = Field(default_factory=list)
    channels: list[_ChannelIn] = Field(default_factory=list)

    @model_validator(mode="after")
    def _one_kind(self) -> _AudienceIn:
        # Targets of another kind would be dropped without a word: refused instead.
        given = {
            "entities": bool(self.entities),
            "groups": bool(self.groups),
            "channels": bool(self.channels),
        }
        if any(present and kind != self.kind for kind, present in given.items()):
            raise PydanticCustomError("audience_mixed", "targets of another kind than 'kind'")
        return self

    def audience(self) -> Audience:
        kind = AudienceKind(self.kind)
        return Audience(
            kind,
            entities=tuple(self.entities),
            groups=tuple(self.groups),
            channels=tuple(Channel(channel.id, channel.name) for channel in self.channels),
        )


class AnnouncementIn(_TextsIn):
    """The POST body. Strict types (a JSON string is no boolean, `send_at` needs its offset);
    unknown fields are refused, so a misspelt one is never silently ignored."""

    client_key: Annotated[
        str,
        StringConstraints(strip_whitespace=True, min_length=1, max_length=CLIENT_KEY_MAX),
        AfterValidator(_without_nul),
    ]
    title: Text
    importance: Importance = Importance.NORMAL
    english: _TextsIn | None = None
    audience: _AudienceIn
    send_at: AwareDatetime | None = None
    send: bool = False
    delivery: DeliveryMode = DeliveryMode.AUTOMATIC

    def form(self) -> AnnouncementForm:
        english = self.english.content() if self.english is not None else None
        return AnnouncementForm(
            dutch=self.content(),
            english=english,
            importance=self.importance,
            audience=self.audience.audience(),
            send_at=self.send_at,
            delivery=self.delivery,
        )


@dataclass(frozen=True, slots=True)
class FieldProblem:
    """One invalid field: its JSON path ("$.audience.entities[0]"), the message id that says
    what to do, and that message's values."""

    path: str
    message_key: str
    values: Mapping[str, str] = field(default_factory=dict)


class MalformedBody(Exception):
    """The body is not JSON at all."""


class InvalidBody(Exception):
    def __init__(self, problems: list[FieldProblem]) -> None:
        super().__init__(f"{len(problems)} invalid fields")
        self.problems = problems


def parse_body(body: bytes) -> AnnouncementIn:
    """The body as the model; MalformedBody, or InvalidBody listing every invalid field."""
    try:
        return AnnouncementIn.model_validate_json(body)
    except ValidationError as invalid:
        errors = invalid.errors(include_url=False)
        if any(error["type"] == "json_invalid" for error in errors):
            raise MalformedBody from None
        raise InvalidBody([field_problem(error) for error in errors]) from None


def field_problem(error: Mapping[str, Any]) -> FieldProblem:
    path = "$"
    for step in error.get("loc", ()):
        path += f"[{step}]" if isinstance(step, int) else f".{step}"
    kind = str(error.get("type", ""))
    values = {"field": path}
    if kind == "string_too_long":
        values["max"] = str((error.get("ctx") or {}).get("max_length", ""))
    return FieldProblem(path, _FIELD_KEYS.get(kind, "announcements.api.field_invalid"), values)
