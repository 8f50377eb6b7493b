"""The announcement as its recipients see it, the author's preview of it, the reminder, and
what replaces it once recalled.

The text is the author's, in the reader's language when there is an English one: the title
and the image's alt text are escaped or cleaned like any text from outside, the summary keeps
the Markdown Teams renders (cards/announcements/markdown.py). The image and the link button
are shown only for https addresses. The English text shares the Dutch one's image and link
addresses (the form asks for them once).

Urgent announcements carry "Gelezen en begrepen"; once the reader confirmed, the card says
when instead. A preview carries the same button, marked as a preview in its data so that the
service records nothing for it.
"""

from __future__ import annotations

from datetime import datetime, tzinfo

from bot.domain.announcements.announcements import Announcement
from bot.domain.announcements.content import (
    ALT_MAX,
    LINK_TITLE_MAX,
    Importance,
    is_https_url,
)
from bot.domain.platform.untrusted import clean_text, escape_text
from bot.i18n import Translator
from cards.announcements.markdown import summary_markdown
from cards.announcements.parts import shown_moment, target, title_of
from cards.base import (
    MAX_NAME,
    Card,
    Element,
    banner,
    card,
    execute,
    heading,
    moment,
    open_url,
    text,
)
from cards.verbs import Verb


def announcement_message(
    announcement: Announcement,
    t: Translator,
    *,
    acknowledged_at: datetime | None = None,
    preview: bool = False,
    reminder: bool = False,
    in_channel: bool = False,
    zone: tzinfo,
) -> Card:
    """The card in a recipient's chat (or a channel). `reminder`: sent again to who has not
    confirmed yet; `preview`: the author's own copy, whose button records nothing;
    `in_channel`: a post in a team channel, read by many and acknowledged by none (so no
    button that would refuse whoever clicks it)."""
    body: list[Element] = []
    if preview:
        body.append(banner(t("announcements.message.preview"), "Warning"))
    if reminder:
        body.append(banner(t("announcements.message.reminder")))
    urgent = announcement.importance is Importance.URGENT
    if urgent:
        body.append(banner(t("announcements.message.urgent"), "Attention"))
    content, link = message_body(announcement, t, zone)
    body += content
    actions: list[Element] = [link] if link is not None else []
    if urgent and acknowledged_at is not None:
        confirmed = t("announcements.message.acknowledged", date=moment(acknowledged_at, zone))
        body.append({**text(confirmed, weight="Bolder"), "color": "Good"})
    elif urgent and not in_channel:
        data = {**target(announcement), "preview": True} if preview else target(announcement)
        acknowledge = execute(
            t("announcements.message.acknowledge"), Verb.ANNOUNCEMENT_ACKNOWLEDGE, data
        )
        actions.append({**acknowledge, "style": "positive"})
    return card(body, actions)


def message_body(
    announcement: Announcement, t: Translator, zone: tzinfo
) -> tuple[list[Element], Element | None]:
    """What the recipients read (title, summary, image, who and when) and its link button,
    for the message itself and for an approver who reads it before it goes."""
    content = announcement.text(t.locale)
    dutch = announcement.dutch
    body: list[Element] = [heading(title_of(announcement, t))]
    if content.summary.strip():
        body.append(text(summary_markdown(content.summary)))
    image_url = content.image_url or dutch.image_url
    if is_https_url(image_url):
        alt = content.image_alt or dutch.image_alt or content.title
        body.append(
            {
                "type": "Image",
                "url": image_url,
                # Alt text is read out, never rendered as Markdown: cleaned, not escaped.
                "altText": clean_text(alt, limit=ALT_MAX) or t("announcements.message.image"),
                "size": "Stretch",
            }
        )
    author = escape_text(announcement.author_name, limit=MAX_NAME) or t("announcements.someone")
    byline = t(
        "announcements.message.byline",
        name=author,
        date=moment(shown_moment(announcement), zone),
    )
    body.append({**text(byline, subtle=True), "size": "Small"})
    link_url = content.link_url or dutch.link_url
    link: Element | None = None
    if is_https_url(link_url):
        title = content.link_title or dutch.link_title
        shown = clean_text(title, limit=LINK_TITLE_MAX) or t("announcements.message.open_link")
        link = open_url(shown, link_url)
    return body, link


def announcement_recalled(t: Translator) -> Card:
    """What a recalled announcement becomes in every chat it reached."""
    return card([text(t("announcements.message.recalled"), subtle=True)])
