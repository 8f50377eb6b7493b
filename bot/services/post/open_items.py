"""How much post waits for a person, as the access card shows it (bot.ports.access.OpenPostItems).

The person's own post: items routed to them and not handled yet (what their `post` list shows
first). Team and entity queues are left out on purpose (see bot.domain.access.open_work). The
count stops at `counted`: the card then says "more than", which is all a reader needs there.
"""

from __future__ import annotations

from bot.domain.access.open_work import OpenPost
from bot.domain.post.items import Destination, DestinationKind, PostState
from bot.domain.post.routing import PostQuery
from bot.ports.post import PostItemRepository

# Past this many the card says "more than 20": the list itself is one click away.
COUNTED = 20


class OpenPostCount:
    def __init__(self, items: PostItemRepository, *, counted: int = COUNTED) -> None:
        self._items = items
        self._counted = counted

    async def open_post(self, user_id: str) -> OpenPost:
        query = PostQuery(
            destinations=(Destination(DestinationKind.PERSON, user_id),),
            states=frozenset({PostState.ROUTED}),
            limit=self._counted + 1,  # one more tells whether there are more
        )
        found = await self._items.visible_to(query)
        if len(found) > self._counted:
            return OpenPost(self._counted, more=True)
        return OpenPost(len(found))
