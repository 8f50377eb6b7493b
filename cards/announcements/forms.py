"""The form an author writes an announcement in: its Dutch text, an optional English one, its
importance, its audience and when it goes.

The form offers only the audiences the author may use (`AudienceChoices`, from their scope),
but that is a courtesy: the service checks the audience again on every save and before
sending, because the submitted data is the author's to change. The input ids are this module's
constants; the dialog reads the submitted data with them. Inputs show no Markdown and send
their text back, so what the author wrote is cleaned (controls, bidi), never escaped.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import tzinfo
from typing import Any

from bot.domain.announcements.announcements import Announcement
from bot.domain.announcements.audiences import Audience, AudienceChoices, AudienceKind, Refusal
from bot.domain.announcements.batches import DeliveryMode
from bot.domain.announcements.content import (
    ALT_MAX,
    LINK_TITLE_MAX,
    SUMMARY_MAX,
    TITLE_MAX,
    URL_MAX,
    Content,
    ContentProblem,
    Importance,
)
from bot.domain.platform.untrusted import clean_text, escape_text
from bot.i18n import Translator
from cards.announcements.parts import number
from cards.base import MAX_NAME, Card, Element, banner, card, error_block, execute, heading, text
from cards.verbs import Verb

TITLE = "title"
SUMMARY = "summary"
IMAGE_URL = "image_url"
IMAGE_ALT = "image_alt"
LINK_TITLE = "link_title"
LINK_URL = "link_url"
IMPORTANCE = "importance"
DELIVERY = "delivery"
EN_TITLE = "en_title"
EN_SUMMARY = "en_summary"
EN_IMAGE_ALT = "en_image_alt"
EN_LINK_TITLE = "en_link_title"
AUDIENCE_KIND = "audience_kind"
ENTITIES = "entities"  # codes, comma separated (a multi-select's value)
GROUPS = "groups"  # group ids, comma separated
CHANNELS = "channels"  # channel conversation ids, comma separated
SEND_DATE = "send_date"  # YYYY-MM-DD in the administration's zone; empty: as soon as possible
SEND_TIME = "send_time"  # HH:MM
INPUTS = (
    TITLE,
    SUMMARY,
    IMAGE_URL,
    IMAGE_ALT,
    LINK_TITLE,
    LINK_URL,
    IMPORTANCE,
    EN_TITLE,
    EN_SUMMARY,
    EN_IMAGE_ALT,
    EN_LINK_TITLE,
    AUDIENCE_KIND,
    ENTITIES,
    GROUPS,
    CHANNELS,
    SEND_DATE,
    SEND_TIME,
)
# The collapsed container with the English inputs (the toggle button names it).
ENGLISH_PART = "english"


def announcement_form(
    t: Translator,
    *,
    draft: Announcement | None,
    choices: AudienceChoices,
    zone: tzinfo,
    problems: Sequence[str] = (),
) -> Card:
    """A new announcement (`draft` None) or a draft to edit, its inputs filled in. `problems`:
    what was wrong with the last save, already in words; `zone`: the send time's."""
    dutch = draft.dutch if draft is not None else Content(title="")
    english = (draft.english if draft is not None else None) or Content(title="")
    body: list[Element] = []
    if problems:
        body.append(banner(t("announcements.form.check"), "Attention"))
        body += [error_block(problem) for problem in problems]
    title = "announcements.form.title_edit" if draft is not None else "announcements.form.title"
    body.append(heading(t(title)))
    if draft is not None:
        body.append(text(draft.reference, subtle=True))
    body += _content_inputs(dutch, t)
    importance = draft.importance if draft is not None else Importance.NORMAL
    body.append(
        {
            "type": "Input.ChoiceSet",
            "id": IMPORTANCE,
            "label": t("announcements.form.importance"),
            "style": "expanded",
            "value": importance.value,
            "choices": [
                {"title": t(f"announcements.importance.{kind.value}"), "value": kind.value}
                for kind in Importance
            ],
        }
    )
    body += _english(english, t, open_=not english.is_empty)
    body += _audience_inputs(draft.audience if draft is not None else None, choices, t)
    body += _send_time(draft, zone, t)
    delivery = draft.delivery if draft is not None else DeliveryMode.AUTOMATIC
    body.append(
        {
            "type": "Input.ChoiceSet",
            "id": DELIVERY,
            "label": t("announcements.form.delivery"),
            "style": "compact",
            "value": delivery.value,
            "choices": [
                {"title": t(f"announcements.delivery.{mode.value}"), "value": mode.value}
                for mode in DeliveryMode
            ],
        }
    )
    data: dict[str, Any] = {"announcement": draft.id if draft is not None else None}
    if draft is not None:
        data["version"] = draft.version
    save = {
        **execute(t("announcements.form.save"), Verb.ANNOUNCEMENT_SAVE, data),
        "style": "positive",
    }
    return card(body, [save])


def problem_texts(
    content: Sequence[ContentProblem],
    refusals: Sequence[Refusal],
    t: Translator,
    names: Mapping[str, str] | None = None,
) -> list[str]:
    """The form's (or the draft card's) `problems` in words, each once: what is wrong with the
    text, then with the audience, a refused entity or group named (`names`: id -> name, else
    its code or id), escaped for the card."""
    said = [t(f"announcements.problem.{problem.value}") for problem in content]
    for refusal in refusals:
        why = t(f"announcements.audience.{refusal.problem.value}")
        if refusal.target:
            shown = (names or {}).get(refusal.target) or refusal.target
            why = t(
                "announcements.audience.refused_target",
                problem=why,
                target=escape_text(shown, limit=MAX_NAME),
            )
        said.append(why)
    return list(dict.fromkeys(said))


def _input(
    input_id: str, label: str, value: str, limit: int, *, multiline: bool = False, **more: Any
) -> Element:
    element: Element = {
        "type": "Input.Text",
        "id": input_id,
        "label": label,
        "maxLength": limit,
        "value": clean_text(value, limit=limit, multiline=multiline),
        **more,
    }
    if multiline:
        element["isMultiline"] = True
    return element


def _content_inputs(dutch: Content, t: Translator) -> list[Element]:
    return [
        _input(
            TITLE,
            t("announcements.form.title_input"),
            dutch.title,
            TITLE_MAX,
            isRequired=True,
            errorMessage=t("announcements.problem.title_missing"),
        ),
        _input(
            SUMMARY,
            t("announcements.form.summary"),
            dutch.summary,
            SUMMARY_MAX,
            multiline=True,
            placeholder=t("announcements.form.summary_hint"),
        ),
        _input(
            IMAGE_URL,
            t("announcements.form.image_url"),
            dutch.image_url,
            URL_MAX,
            style="Url",
            placeholder="https://",
        ),
        _input(IMAGE_ALT, t("announcements.form.image_alt"), dutch.image_alt, ALT_MAX),
        _input(LINK_TITLE, t("announcements.form.link_title"), dutch.link_title, LINK_TITLE_MAX),
        _input(
            LINK_URL,
            t("announcements.form.link_url"),
            dutch.link_url,
            URL_MAX,
            style="Url",
            placeholder="https://",
        ),
    ]


def _english(english: Content, t: Translator, *, open_: bool) -> list[Element]:
    """The English text, folded away unless there already is one."""
    toggle: Element = {
        "type": "ActionSet",
        "actions": [
            {
                "type": "Action.ToggleVisibility",
                "title": t("announcements.form.english_toggle"),
                "targetElements": [ENGLISH_PART],
            }
        ],
    }
    part: Element = {
        "type": "Container",
        "id": ENGLISH_PART,
        "isVisible": open_,
        "items": [
            text(t("announcements.form.english_body"), subtle=True),
            _input(EN_TITLE, t("announcements.form.en_title"), english.title, TITLE_MAX),
            _input(
                EN_SUMMARY,
                t("announcements.form.en_summary"),
                english.summary,
                SUMMARY_MAX,
                multiline=True,
            ),
            _input(EN_IMAGE_ALT, t("announcements.form.en_image_alt"), english.image_alt, ALT_MAX),
            _input(
                EN_LINK_TITLE,
                t("announcements.form.en_link_title"),
                english.link_title,
                LINK_TITLE_MAX,
            ),
        ],
    }
    return [toggle, part]


def _audience_inputs(
    audience: Audience | None, choices: AudienceChoices, t: Translator
) -> list[Element]:
    kinds = choices.kinds()
    if not kinds:
        return [error_block(t("announcements.form.no_audience"))]
    picked = audience.kind if audience is not None and audience.kind in kinds else kinds[0]
    elements: list[Element] = [
        text(t("announcements.form.audience"), weight="Bolder"),
        {
            "type": "Input.ChoiceSet",
            "id": AUDIENCE_KIND,
            "label": t("announcements.form.audience_kind"),
            "style": "expanded",
            "isRequired": True,
            "errorMessage": t("announcements.audience.empty"),
            "value": picked.value,
            "choices": [
                {"title": t(f"announcements.kind.{kind.value}"), "value": kind.value}
                for kind in kinds
            ],
        },
    ]
    held_channels = tuple(c.conversation_id for c in audience.channels) if audience else ()
    for input_id, label, offered, held in (
        (
            ENTITIES,
            "announcements.form.entities",
            choices.entities,
            audience.entities if audience else (),
        ),
        (GROUPS, "announcements.form.groups", choices.groups, audience.groups if audience else ()),
        (CHANNELS, "announcements.form.channels", choices.channels, held_channels),
    ):
        if offered:
            elements.append(_pick_many(input_id, t(label), offered, held))
    if AudienceKind.LIST in kinds:
        elements.append(_list_line(audience, t))
    return elements


def _pick_many(
    input_id: str, label: str, offered: Sequence[tuple[str, str]], held: Sequence[str]
) -> Element:
    """A multi-select of what is on offer; what the draft holds and is still on offer is
    ticked (a target the author may no longer use is not offered again)."""
    values = {value for value, _ in offered}
    ticked = [value for value in held if value in values]
    element: Element = {
        "type": "Input.ChoiceSet",
        "id": input_id,
        "label": label,
        "isMultiSelect": True,
        "style": "filtered" if len(offered) > 10 else "compact",
        "choices": [
            {"title": clean_text(name, limit=MAX_NAME) or value, "value": value}
            for value, name in offered
        ],
    }
    if ticked:
        element["value"] = ",".join(ticked)
    return element


def _list_line(audience: Audience | None, t: Translator) -> Element:
    """An uploaded list is sent as a file in the chat, not through the form."""
    if audience is not None and audience.kind is AudienceKind.LIST and audience.list_size:
        held = t.n(
            "announcements.form.list_held",
            audience.list_size,
            name=escape_text(audience.list_name, limit=MAX_NAME),
            number=number(audience.list_size, t),
        )
        return text(held, subtle=True)
    return text(t("announcements.form.list_how"), subtle=True)


def _send_time(draft: Announcement | None, zone: tzinfo, t: Translator) -> list[Element]:
    at = draft.send_at.astimezone(zone) if draft is not None and draft.send_at else None
    send_date: Element = {
        "type": "Input.Date",
        "id": SEND_DATE,
        "label": t("announcements.form.send_date"),
    }
    send_time: Element = {
        "type": "Input.Time",
        "id": SEND_TIME,
        "label": t("announcements.form.send_time"),
    }
    if at is not None:
        send_date["value"] = at.date().isoformat()
        send_time["value"] = at.strftime("%H:%M")
    return [
        text(t("announcements.form.when"), weight="Bolder"),
        text(t("announcements.form.when_hint"), subtle=True),
        send_date,
        send_time,
    ]
