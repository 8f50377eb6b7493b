"""What became of a list of people sent in the chat for a draft: how many were kept, and every
row that was not (its problem in words, already escaped by the caller), capped for a card."""

from __future__ import annotations

from collections.abc import Sequence

from bot.i18n import Translator
from cards.base import Card, card, error_block, execute, heading, text
from cards.verbs import Verb

# A card is no report: past this, the rest is counted, not listed.
MAX_SHOWN = 25


def list_outcome_card(
    reference: str,
    announcement_id: int,
    kept: int,
    problems: Sequence[str],
    t: Translator,
) -> Card:
    """`kept`: people stored as the draft's recipients (0: the list was not used); `problems`:
    each row (or the file) that was refused, in words."""
    body = [heading(t("announcements.upload.title", reference=reference))]
    if kept:
        body.append(text(t.n("announcements.upload.kept", kept)))
    else:
        body.append(text(t("announcements.upload.none_kept"), weight="Bolder"))
    if problems:
        body.append(text(t.n("announcements.upload.problems", len(problems))))
        body += [error_block(line) for line in problems[:MAX_SHOWN]]
        if len(problems) > MAX_SHOWN:
            body.append(text(t.n("announcements.upload.more", len(problems) - MAX_SHOWN)))
    target = {"announcement": announcement_id}
    return card(
        body, [execute(t("announcements.upload.to_draft"), Verb.ANNOUNCEMENT_STATUS, target)]
    )


def list_wanted_card(reference: str, announcement_id: int, t: Translator) -> Card:
    """A file that is not one .xlsx or .csv list, sent while a draft waits for its list."""
    target = {"announcement": announcement_id}
    return card(
        [
            heading(t("announcements.upload.one_file_title")),
            text(t("announcements.upload.one_file")),
        ],
        [execute(t("announcements.upload.to_draft"), Verb.ANNOUNCEMENT_STATUS, target)],
    )
