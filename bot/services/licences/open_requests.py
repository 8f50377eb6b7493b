"""A person's open licence requests as the access card shows them (bot.ports.access.OpenRequests).

The request's state and the reason it waits become one stage in the requester's words: a request
that is being granted but waits for the country in the account says so, since that is what the
person (or the service desk looking with them) can act on.
"""

from __future__ import annotations

from bot.domain.access.open_work import OpenRequest, RequestStage
from bot.domain.licences.catalogue import Catalogue
from bot.domain.licences.grants import UsageLocationMissing
from bot.domain.licences.requests import LicenceRequest, RequestState
from bot.ports.licences import CatalogueRepository, LicenceRequestRepository

# How many of the person's newest requests are looked at: far more than anyone has open at once.
LOOKED_AT = 50

_STAGES = {
    RequestState.SUBMITTED: RequestStage.SUBMITTED,
    RequestState.PENDING_APPROVAL: RequestStage.AWAITING_APPROVAL,
    RequestState.APPROVED: RequestStage.BEING_GRANTED,
    RequestState.FULFILLING: RequestStage.BEING_GRANTED,
    RequestState.WAITING_FOR_SEATS: RequestStage.AWAITING_SEATS,
}


def stage_of(request: LicenceRequest) -> RequestStage | None:
    """Where an open request stands; None for one that is no longer open."""
    if not request.is_open:
        return None
    if (
        request.state is RequestState.FULFILLING
        and request.reason == UsageLocationMissing.message_key
    ):
        return RequestStage.AWAITING_COUNTRY
    return _STAGES.get(request.state)


class OpenLicenceRequests:
    def __init__(
        self,
        requests: LicenceRequestRepository,
        catalogue: CatalogueRepository,
        *,
        looked_at: int = LOOKED_AT,
    ) -> None:
        self._requests = requests
        self._catalogue = catalogue
        self._looked_at = looked_at

    async def open_requests(self, tenant_id: str, user_id: str) -> list[OpenRequest]:
        found = await self._requests.for_requester(tenant_id, user_id, limit=self._looked_at)
        staged = [(request, stage) for request in found if (stage := stage_of(request))]
        if not staged:
            return []  # the catalogue is read only when there is something to name
        catalogue = await self._catalogue.load()
        oldest_first = sorted(staged, key=lambda pair: (pair[0].created_at, pair[0].id))
        return [_open(request, stage, catalogue) for request, stage in oldest_first]


def _open(request: LicenceRequest, stage: RequestStage, catalogue: Catalogue) -> OpenRequest:
    item = catalogue.item(request.item_key)
    # An item since removed from the catalogue still has its key to show.
    name_nl = item.name_nl if item is not None else request.item_key
    name_en = item.name_en if item is not None else request.item_key
    return OpenRequest(request.reference, name_nl, name_en, stage, request.created_at)
