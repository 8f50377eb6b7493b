"""What the licence cards send back when someone clicks, validated before a handler runs.

A card payload is user input: ids are bounded, keys match what the catalogue allows, and texts
have generous limits. The desk's own limits (2,000 / 500 characters) come back as errors next to
the input; only what no card can send is refused as a broken payload.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

from cards.licences.forms import ANSWER_PREFIX

# Ids in payloads: a positive database id; item and question keys as the catalogue allows them.
MAX_REQUEST_ID = 2**63 - 1
ITEM_KEY = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$"
QUESTION_KEY = r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$"
REFERENCE = r"^(LIC-\d{4}-\d{6,9})?$"
MAX_ANSWERS = 20
MAX_TEXT_PAYLOAD = 8000

Answer = Annotated[str, StringConstraints(max_length=MAX_TEXT_PAYLOAD)]
QuestionKey = Annotated[str, StringConstraints(pattern=QUESTION_KEY)]


class PickItem(BaseModel):
    """Step 1 of the form: an item chosen (none: show the picker again)."""

    model_config = ConfigDict(extra="ignore")

    item: str | None = Field(default=None, pattern=ITEM_KEY)


class RequestTarget(BaseModel):
    """A button about one request: its id, which the desk checks against the clicker."""

    model_config = ConfigDict(extra="ignore")

    request: int = Field(strict=True, gt=0, le=MAX_REQUEST_ID)


class ViewTarget(RequestTarget):
    reminder: bool = False


class DecisionClick(RequestTarget):
    """Approve / Reject on an approval card; `comment` is the card's input."""

    stage: int = Field(strict=True, ge=1, le=10)
    comment: str = Field(default="", max_length=MAX_TEXT_PAYLOAD)


class SubmittedForm(BaseModel):
    """The request form: its button's data merged with its inputs, as Teams sends them.

    The answers to the item's questions arrive as "answer.<question key>" fields; any other
    field a card (or someone editing the payload) adds is ignored."""

    model_config = ConfigDict(extra="ignore")

    item: str = Field(pattern=ITEM_KEY)
    previous: str = Field(default="", pattern=REFERENCE)
    extend: bool = False  # only chooses the form's title when it comes back with errors
    justification: str = Field(default="", max_length=MAX_TEXT_PAYLOAD)
    end_date: date | None = None
    answers: dict[QuestionKey, Answer] = Field(default_factory=dict, max_length=MAX_ANSWERS)

    @model_validator(mode="before")
    @classmethod
    def _gather_answers(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        fields = {k: v for k, v in data.items() if k != "answers"}
        answers = {
            key.removeprefix(ANSWER_PREFIX): value
            for key, value in data.items()
            if isinstance(key, str) and key.startswith(ANSWER_PREFIX)
        }
        return {**fields, "answers": answers}

    @field_validator("end_date", mode="before")
    @classmethod
    def _empty_date(cls, value: Any) -> Any:
        return None if value == "" else value
