"""What an announcement says, in Dutch and optionally in English, and the checks on it.

The summary is the Markdown subset Teams renders in a TextBlock (bold, italic, lists, links);
it is never interpreted here, only bounded. An image is an https address with an alt text (the
service checks that it really serves an image of a bounded size before the announcement is
sent); a link button is a title and an https address, both or neither.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from urllib.parse import urlsplit

TITLE_MAX = 120
SUMMARY_MAX = 4000
ALT_MAX = 250
LINK_TITLE_MAX = 60
URL_MAX = 2048


class Importance(StrEnum):
    NORMAL = "normal"
    URGENT = "urgent"  # carries "Gelezen en begrepen": the person acknowledges it


@dataclass(frozen=True, slots=True)
class Content:
    """One language's text of an announcement."""

    title: str
    summary: str = ""
    image_url: str = ""
    image_alt: str = ""
    link_title: str = ""
    link_url: str = ""

    @property
    def is_empty(self) -> bool:
        return not any(
            (
                self.title,
                self.summary,
                self.image_url,
                self.image_alt,
                self.link_title,
                self.link_url,
            )
        )


class ContentProblem(StrEnum):
    """Why a text cannot be sent; the message ids are announcements.problem.<value>."""

    TITLE_MISSING = "title_missing"
    TITLE_TOO_LONG = "title_too_long"
    SUMMARY_TOO_LONG = "summary_too_long"
    IMAGE_NOT_HTTPS = "image_not_https"
    IMAGE_ALT_MISSING = "image_alt_missing"
    ALT_TOO_LONG = "alt_too_long"
    LINK_INCOMPLETE = "link_incomplete"
    LINK_NOT_HTTPS = "link_not_https"
    LINK_TITLE_TOO_LONG = "link_title_too_long"
    ENGLISH_INCOMPLETE = "english_incomplete"


def is_https_url(value: str) -> bool:
    """An absolute https address with a host, no credentials, no whitespace."""
    if not value or len(value) > URL_MAX or any(ch.isspace() for ch in value):
        return False
    try:
        parts = urlsplit(value)
    except ValueError:
        return False
    return parts.scheme == "https" and bool(parts.hostname) and "@" not in parts.netloc


def content_problems(content: Content) -> list[ContentProblem]:
    """Everything wrong with one language's text, in the form's order."""
    problems: list[ContentProblem] = []
    if not content.title.strip():
        problems.append(ContentProblem.TITLE_MISSING)
    elif len(content.title) > TITLE_MAX:
        problems.append(ContentProblem.TITLE_TOO_LONG)
    if len(content.summary) > SUMMARY_MAX:
        problems.append(ContentProblem.SUMMARY_TOO_LONG)
    if content.image_url and not is_https_url(content.image_url):
        problems.append(ContentProblem.IMAGE_NOT_HTTPS)
    if content.image_url and not content.image_alt.strip():
        problems.append(ContentProblem.IMAGE_ALT_MISSING)
    if len(content.image_alt) > ALT_MAX:
        problems.append(ContentProblem.ALT_TOO_LONG)
    if bool(content.link_title.strip()) != bool(content.link_url.strip()):
        problems.append(ContentProblem.LINK_INCOMPLETE)
    elif content.link_url and not is_https_url(content.link_url):
        problems.append(ContentProblem.LINK_NOT_HTTPS)
    if len(content.link_title) > LINK_TITLE_MAX:
        problems.append(ContentProblem.LINK_TITLE_TOO_LONG)
    return problems


def texts_problems(dutch: Content, english: Content | None) -> list[ContentProblem]:
    """The Dutch text must be complete; an English one, when there is any, too (its problems
    are said once, as ENGLISH_INCOMPLETE, so a reader knows which language to fix)."""
    problems = content_problems(dutch)
    if english is not None and not english.is_empty and content_problems(english):
        problems.append(ContentProblem.ENGLISH_INCOMPLETE)
    return problems


def text_for(dutch: Content, english: Content | None, locale: str) -> Content:
    """The text a reader gets: English for an English client when there is one, else Dutch."""
    if locale == "en" and english is not None and not english.is_empty:
        return english
    return dutch
