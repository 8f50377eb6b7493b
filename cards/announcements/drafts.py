"""The author's overview of one announcement (what it says in brief, to whom, when, and what
can be done with it now), and the list of their announcements (`aankondigingen`).

The buttons follow the state (cards/announcements/parts.state_actions): a draft is edited,
previewed, sent or deleted; one on its way can be cancelled; a sent one recalled, reported on
and, when urgent, reminded. Any can be duplicated into a new draft.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import tzinfo

from bot.domain.announcements.announcements import Announcement, AnnouncementState
from bot.domain.announcements.audiences import AudienceKind
from bot.domain.platform.untrusted import escape_text
from bot.i18n import Translator
from cards.announcements.parts import (
    audience_text,
    shown_moment,
    size_text,
    state_actions,
    state_block,
    state_word,
    target,
    title_of,
    when_text,
)
from cards.base import (
    MAX_NAME,
    Card,
    Element,
    banner,
    card,
    error_block,
    execute,
    facts,
    heading,
    moment,
    text,
)
from cards.verbs import Verb

MAX_LISTED = 20
# An approver's note, as the author reads it.
MAX_NOTE = 1000


def draft_card(
    announcement: Announcement,
    t: Translator,
    zone: tzinfo,
    *,
    audience_size: int | None,
    audience_names: Sequence[str],
    problems: Sequence[str] = (),
    approval_required: bool,
) -> Card:
    """One of my announcements. `problems` (in words) stand in the way of sending it: then
    there is no send button, only the way back to the form."""
    body: list[Element] = []
    if problems:
        body.append(banner(t("announcements.draft.check"), "Attention"))
        body += [error_block(problem) for problem in problems]
    body += [
        heading(title_of(announcement, t)),
        state_block(announcement.state, t),
        facts(overview_facts(announcement, t, zone, audience_size, audience_names)),
    ]
    body += decision_lines(announcement, t)
    audience = announcement.audience
    if announcement.editable and audience is not None and audience.kind is AudienceKind.LIST:
        # The list is a file sent in this chat (dialogs/announcements/lists.py).
        body.append(text(t("announcements.upload.hint"), subtle=audience.list_size > 0))
    actions = state_actions(
        announcement, t, approval_required=approval_required, can_send=not problems
    )
    return card(body, actions)


def overview_facts(
    announcement: Announcement,
    t: Translator,
    zone: tzinfo,
    audience_size: int | None,
    audience_names: Sequence[str],
) -> list[tuple[str, str]]:
    """Reference, importance, languages, audience and its size, send time."""
    languages = [t("announcements.language.nl")]
    if announcement.english is not None and not announcement.english.is_empty:
        languages.append(t("announcements.language.en"))
    return [
        (t("announcements.fact.reference"), announcement.reference),
        (
            t("announcements.fact.importance"),
            t(f"announcements.importance.{announcement.importance.value}"),
        ),
        (t("announcements.fact.languages"), ", ".join(languages)),
        (t("announcements.fact.audience"), audience_text(announcement, audience_names, t)),
        (t("announcements.fact.size"), size_text(announcement, audience_size, t)),
        (t("announcements.fact.send_at"), when_text(announcement, t, zone)),
        (t("announcements.form.delivery"), t(f"announcements.delivery.{announcement.delivery}")),
    ]


def decision_lines(announcement: Announcement, t: Translator) -> list[Element]:
    """Who approved it, or who sent it back and why."""
    who = escape_text(announcement.decided_by_name, limit=MAX_NAME) or t("announcements.someone")
    if announcement.state is AnnouncementState.REJECTED:
        note = escape_text(announcement.decision_note, limit=MAX_NOTE, multiline=True)
        line = (
            t("announcements.rejected_by_note", name=who, note=note)
            if note
            else t("announcements.rejected_by", name=who)
        )
        return [{**text(line, weight="Bolder"), "color": "Attention"}]
    approved = announcement.approval_required and announcement.decided_by
    if approved and announcement.state not in (
        AnnouncementState.DRAFT,
        AnnouncementState.AWAITING_APPROVAL,
    ):
        return [text(t("announcements.approved_by", name=who), subtle=True)]
    return []


def announcements_list(announcements: Sequence[Announcement], t: Translator, zone: tzinfo) -> Card:
    """My announcements, newest first, each with its state, its date and a way to open it."""
    body: list[Element] = [heading(t("announcements.list.title"))]
    new = execute(t("announcements.list.new"), Verb.ANNOUNCEMENT_FORM, {})
    if not announcements:
        body.append(text(t("announcements.list.none")))
        return card(body, [new])
    for announcement in announcements[:MAX_LISTED]:
        when = moment(shown_moment(announcement), zone)
        line = t(
            "announcements.list.line",
            state=state_word(announcement.state, t),
            reference=announcement.reference,
            date=when,
        )
        body.append(
            {
                "type": "Container",
                "separator": True,
                "items": [
                    text(title_of(announcement, t), weight="Bolder"),
                    {**text(line, subtle=True), "spacing": "None"},
                    {
                        "type": "ActionSet",
                        "actions": [
                            execute(
                                t("announcements.list.open"),
                                Verb.ANNOUNCEMENT_STATUS,
                                target(announcement),
                            )
                        ],
                    },
                ],
            }
        )
    if len(announcements) > MAX_LISTED:
        body.append(text(t.n("announcements.list.more", MAX_LISTED), subtle=True))
    return card(body, [new])
