"""The scanner's metadata as it arrives (JSON), validated into IntakeMetadata.

One model for both ways in: the intake API's `metadata` part and the JSON sidecar of a folder
import. Every invalid field is reported with its JSON path ("$.sender.name"), so the scanning
service's operator can fix all of them at once.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, Any

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

from bot.domain.platform.errors import DomainError
from bot.domain.post.items import DocumentType, IntakeMetadata, Sender

MAX_OCR_CHARS = 1_000_000
_TRACKING_RULE = "trackingNumber is required when registered is true"


def _without_nul(text: str) -> str:
    # PostgreSQL text cannot hold U+0000 (the insert fails); it carries nothing readable.
    return text.replace("\x00", "")


def _no_nul(text: str) -> str:
    if "\x00" in text:
        raise ValueError("must not contain U+0000")
    return text


Text = Annotated[
    str, AfterValidator(_without_nul), StringConstraints(strip_whitespace=True, max_length=1000)
]
ShortText = Annotated[
    str, AfterValidator(_without_nul), StringConstraints(strip_whitespace=True, max_length=128)
]


class SenderIn(BaseModel):
    model_config = ConfigDict(strict=True, extra="ignore")

    name: Text = ""
    organisation: Text = ""


class MetadataIn(BaseModel):
    """The fields of the issue, camelCase on the wire. Strict types (a JSON string is no
    number, a date needs its UTC offset); unknown fields are ignored, so a scanner that sends
    more keeps working."""

    model_config = ConfigDict(strict=True, populate_by_name=True, extra="ignore")

    external_id: Annotated[
        str,
        AfterValidator(_no_nul),
        StringConstraints(strip_whitespace=True, min_length=1, max_length=255),
    ] = Field(alias="externalId")
    received_at: AwareDatetime = Field(alias="receivedAt")
    scanned_at: AwareDatetime = Field(alias="scannedAt")
    sender: SenderIn
    addressee: Text  # as written on the envelope; "" (unreadable) goes to triage
    entity: ShortText = ""
    subject: Text = ""
    document_type: DocumentType = Field(DocumentType.LETTER, alias="documentType")
    registered: bool = False
    tracking_number: ShortText = Field("", alias="trackingNumber")
    pages: int = Field(0, ge=0, le=100_000)
    confidential: bool = False
    ocr_text: Annotated[
        str, AfterValidator(_without_nul), StringConstraints(max_length=MAX_OCR_CHARS)
    ] = Field("", alias="ocrText")

    @model_validator(mode="after")
    def _registered_needs_tracking(self) -> MetadataIn:
        if self.registered and not self.tracking_number:
            raise ValueError(_TRACKING_RULE)
        return self

    def to_domain(self) -> IntakeMetadata:
        return IntakeMetadata(
            external_id=self.external_id,
            received_at=self.received_at,
            scanned_at=self.scanned_at,
            sender=Sender(self.sender.name, self.sender.organisation),
            addressee=self.addressee,
            entity=self.entity,
            subject=self.subject,
            document_type=self.document_type,
            registered=self.registered or self.document_type is DocumentType.REGISTERED,
            tracking_number=self.tracking_number,
            pages=self.pages,
            confidential=self.confidential,
            ocr_text=self.ocr_text,
        )


@dataclass(frozen=True, slots=True)
class FieldError:
    """One invalid field: `path` is a JSON path into the metadata ("$.sender.name"), or the
    name of a multipart part ("file") at the HTTP edge."""

    path: str
    code: str
    detail: str

    def document(self) -> dict[str, str]:
        return {"path": self.path, "code": self.code, "detail": self.detail}

    def __str__(self) -> str:
        return f"{self.path}: {self.detail} ({self.code})"


class InvalidMetadata(DomainError):
    message_key = "post.intake.invalid"

    def __init__(self, errors: list[FieldError]) -> None:
        super().__init__()
        self.errors = errors


def parse_metadata(raw: bytes | str) -> IntakeMetadata:
    """Validate the JSON; raises InvalidMetadata listing every invalid field."""
    try:
        return MetadataIn.model_validate_json(raw).to_domain()
    except ValidationError as invalid:
        raise InvalidMetadata(
            [field_error(error) for error in invalid.errors(include_url=False)]
        ) from None


def field_error(error: Mapping[str, Any]) -> FieldError:
    path = "$"
    for step in error.get("loc", ()):
        path += f"[{step}]" if isinstance(step, int) else f".{step}"
    message = str(error.get("msg", "invalid"))
    code = str(error.get("type", "invalid"))
    if code == "value_error" and _TRACKING_RULE in message:
        # The model-level rule names its own field.
        path, code, message = "$.trackingNumber", "missing", _TRACKING_RULE
    return FieldError(path, code, message)
