"""The access card's open-work line: open licence requests with where each stands, how much post
waits, and a button to each list.

The buttons run the person's own commands ("aanvragen", "post"), so they are on the person's own
card only: on a card a service-desk agent looks at, they would show the agent's lists instead.
A source that could not be read says so in its own sentence; the other still shows.
"""

from __future__ import annotations

from bot.domain.access.facts import Fact
from bot.domain.access.open_work import OpenPost, OpenRequest, OpenWork, RequestStage
from bot.domain.platform.untrusted import escape_text
from bot.i18n import Translator
from cards.base import MAX_NAME, Element, run_button, text

# More than this many open requests and the line names the oldest and counts the rest.
MAX_LISTED_REQUESTS = 5
REQUESTS_COMMAND = "requests"
POST_COMMAND = "post"

_STAGE = {
    RequestStage.SUBMITTED: "access.open.stage.submitted",
    RequestStage.AWAITING_APPROVAL: "access.open.stage.awaiting_approval",
    RequestStage.BEING_GRANTED: "access.open.stage.being_granted",
    RequestStage.AWAITING_COUNTRY: "access.open.stage.awaiting_country",
    RequestStage.AWAITING_SEATS: "access.open.stage.awaiting_seats",
}


def open_work_row(work: OpenWork, t: Translator, *, own: bool) -> Element:
    """`own`: the card is the caller's own (the buttons run the caller's commands)."""
    items: list[Element] = [text(t("access.open.title"), weight="Bolder")]
    items += _requests(work.requests, t)
    items.append(_post(work.post, t))
    if own:
        buttons = [
            run_button(t("access.open.show_requests"), REQUESTS_COMMAND),
            run_button(t("access.open.show_post"), POST_COMMAND),
        ]
        items.append({"type": "ActionSet", "actions": buttons})
    return {"type": "Container", "separator": True, "spacing": "Medium", "items": items}


def _requests(requests: Fact[list[OpenRequest]], t: Translator) -> list[Element]:
    if requests.value is None:
        return [text(t("access.open.requests_unchecked"))]
    if not requests.value:
        return [text(t("access.open.requests_none"))]
    found = requests.value
    lines = [_request_line(request, t) for request in found[:MAX_LISTED_REQUESTS]]
    if len(found) > MAX_LISTED_REQUESTS:
        lines.append(t.n("access.open.requests_more", len(found) - MAX_LISTED_REQUESTS))
    listed = {**text("\n".join(f"- {line}" for line in lines)), "spacing": "Small"}
    return [text(t.n("access.open.requests", len(found))), listed]


def _request_line(request: OpenRequest, t: Translator) -> str:
    name = escape_text(request.name(t.locale), limit=MAX_NAME) or request.reference
    stage = t(_STAGE[request.stage])
    return t("access.open.request", name=name, reference=request.reference, stage=stage)


def _post(post: Fact[OpenPost], t: Translator) -> Element:
    if post.value is None:
        return text(t("access.open.post_unchecked"))
    if post.value.more:
        return text(t.n("access.open.post_more", post.value.count))
    if not post.value.count:
        return text(t("access.open.post_none"))
    return text(t.n("access.open.post", post.value.count))
