"""What the post cards send back when a button is clicked, validated before the desk sees it.

A card payload is user input: every model ignores what it does not know and bounds what it
takes. Ids are only ids here: the desk checks the clicker against the item or delegation.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from bot.services.post.listing import MAX_SEARCH, PostFilters, Scope
from cards.post.lists import ListState

MAX_ITEM_ID = 2**63 - 1
MAX_OFFSET = 10_000
# Generous bounds for what a card sends: the desk cuts notes and reasons to its own limits.
MAX_TEXT_PAYLOAD = 8000
# An Entra object id from the people picker (a GUID); "" when nobody was picked.
PERSON_ID = r"^([A-Za-z0-9][A-Za-z0-9._@-]{0,127})?$"


class PageClick(BaseModel):
    """The list's state, as every list button carries it."""

    model_config = ConfigDict(extra="ignore")

    scope: Literal["open", "handled", "all"] = "open"
    registered: bool = False
    week: bool = False
    search: str = Field(default="", max_length=MAX_SEARCH)
    offset: int = Field(default=0, ge=0, le=MAX_OFFSET)

    def state(self) -> ListState:
        return ListState(self.scope, self.registered, self.week, self.search, self.offset)


class ItemTarget(BaseModel):
    """A button about one item: its id (checked by the desk), and the list it was shown from."""

    model_config = ConfigDict(extra="ignore")

    item: int = Field(strict=True, gt=0, le=MAX_ITEM_ID)
    back: PageClick | None = None


class ForwardClick(ItemTarget):
    person: str = Field(default="", pattern=PERSON_ID)
    note: str = Field(default="", max_length=MAX_TEXT_PAYLOAD)


class NotForMeClick(ItemTarget):
    reason: str = Field(default="", max_length=MAX_TEXT_PAYLOAD)


class RouteClick(ItemTarget):
    person: str = Field(default="", pattern=PERSON_ID)


class DelegationPick(BaseModel):
    model_config = ConfigDict(extra="ignore")

    delegate: str = Field(min_length=1, pattern=PERSON_ID)
    starts: date
    ends: date


class DelegationTarget(BaseModel):
    model_config = ConfigDict(extra="ignore")

    delegation: int = Field(strict=True, gt=0, le=MAX_ITEM_ID)


def filters_of(state: ListState) -> PostFilters:
    return PostFilters(
        scope=Scope(state.scope),
        registered=state.registered,
        this_week=state.week,
        search=state.search,
    )


def state_of(filters: PostFilters, offset: int = 0) -> ListState:
    return ListState(
        filters.scope.value, filters.registered, filters.this_week, filters.search, offset
    )
