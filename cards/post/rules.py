"""Cards of the routing rules in chat: the rules (download, how to import), a refused workbook,
the dry run that waits for a confirmation, and the applied rules.

Long lists (every problem of a workbook, every item the new rules would move) continue on
further cards: a Teams card holds about 28 KB. The confirmation button runs the
`post_rules_apply` command, so typing "regels overnemen" does the same.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.domain.platform.untrusted import escape_text
from bot.i18n import Translator
from cards.base import (
    MAX_LINE,
    MAX_NAME,
    Card,
    Element,
    card,
    execute,
    facts,
    heading,
    open_url,
    run_button,
    text,
)
from cards.platform.system import help_button
from cards.verbs import Verb

# Characters of listed lines per card: well under Teams' card size limit, with room for markup.
MAX_LIST_CHARS = 12_000
APPLY_COMMAND = "post_rules_apply"  # dialogs/post/rules.py


@dataclass(frozen=True, slots=True)
class RulesSummary:
    """What the rules card counts. `entities`: the caller's entity codes when they may change
    only those rules (an entity ICT admin), None when they may change every rule."""

    rules: int
    active: int
    entities: tuple[str, ...] | None = None
    own: int = 0  # rules scoped to `entities`


@dataclass(frozen=True, slots=True)
class DryRunSummary:
    """A checked workbook: its rules, and what they would change on the latest post."""

    rules: int
    active: int
    tried: int  # items routed again
    lines: tuple[str, ...]  # one per item that would go elsewhere
    scoped: bool = False  # only the items of the caller's entities were tried


def chunk(lines: Sequence[str], limit: int = MAX_LIST_CHARS) -> list[list[str]]:
    """Lines as "- line" bullets, in groups that each stay under `limit` characters. A line
    quotes workbook cells, envelopes or names, so the whole line is escaped (it holds no
    Markdown of ours); the bullets are ours."""
    chunks: list[list[str]] = [[]]
    size = 0
    for line in lines:
        entry = f"- {escape_text(line, limit=MAX_LINE)}"
        if chunks[-1] and size + len(entry) > limit:
            chunks.append([])
            size = 0
        chunks[-1].append(entry)
        size += len(entry) + 1
    return chunks


def _listed(
    first: list[Element],
    lines: Sequence[str],
    more_key: str,
    last: list[Element],
    t: Translator,
    actions: list[Element] | None = None,
) -> list[Card]:
    """`first` on the first card, the lines over as many cards as they need, `last` and the
    actions on the last one."""
    chunks = chunk(lines)
    cards: list[Card] = []
    for number, part in enumerate(chunks, start=1):
        body = list(first) if number == 1 else []
        if number > 1:
            body.append(heading(t(more_key, part=number, parts=len(chunks))))
        if part:
            body.append(text("\n".join(part)))
        final = number == len(chunks)
        if final:
            body += last
        cards.append(card(body, actions if final else None))
    return cards


def entity_list(codes: Sequence[str], t: Translator) -> str:
    shown = [escape_text(code, limit=MAX_NAME) for code in codes]
    return ", ".join(shown) if shown else t("post_rules_admin.all_entities")


def rules_card(
    summary: RulesSummary, download_url: str, minutes: int, last_n: int, t: Translator
) -> Card:
    counts = [
        (t("post_rules_admin.count.rules"), str(summary.rules)),
        (t("post_rules_admin.count.active"), str(summary.active)),
    ]
    if summary.entities:
        label = t("post_rules_admin.count.yours", entities=entity_list(summary.entities, t))
        counts.append((label, str(summary.own)))
    body = [
        heading(t("post_rules_admin.card.title")),
        text(t("post_rules_admin.card.intro")),
        facts(counts),
        text(t("post_rules_admin.card.import_title"), weight="Bolder"),
        text(t.n("post_rules_admin.card.import_how", last_n)),
    ]
    if summary.entities is not None:
        if summary.entities:
            scope = t("post_rules_admin.card.scope", entities=entity_list(summary.entities, t))
        else:
            scope = t("post_rules_admin.card.no_entity")
        body.append(text(scope))
    body.append(text(t.n("post_rules_admin.link.lifetime", minutes), subtle=True))
    return card(body, [open_url(t("post_rules_admin.card.download"), download_url)])


def rejected_cards(problems: Sequence[str], t: Translator) -> list[Card]:
    """A workbook with problems: every one, by sheet, row and column; nothing was stored."""
    first = [
        heading(t("post_rules_admin.rejected.title")),
        text(t.n("post_rules_admin.rejected.body", len(problems))),
    ]
    last = [text(t("post_rules_admin.rejected.next"), subtle=True)]
    return _listed(first, problems, "post_rules_admin.rejected.more", last, t, [_show_rules(t)])


def outside_entity_cards(
    entities: Sequence[str], breaches: Sequence[str], t: Translator
) -> list[Card]:
    """An entity admin's workbook that touches rules of other entities; nothing was stored."""
    first = [
        heading(t("post_rules_admin.rejected.title")),
        text(t.n("post_rules_admin.scope.body", len(breaches), entities=entity_list(entities, t))),
    ]
    last = [text(t("post_rules_admin.scope.next"), subtle=True)]
    return _listed(first, breaches, "post_rules_admin.rejected.more", last, t, [_show_rules(t)])


def checked_cards(summary: DryRunSummary, minutes: int, t: Translator) -> list[Card]:
    """A valid workbook: the dry run, then the button that applies the rules."""
    first = [
        heading(t("post_rules_admin.checked.title")),
        text(t.n("post_rules_admin.checked.body", summary.rules, active=summary.active)),
    ]
    if not summary.tried:
        first.append(text(t("post_rules_admin.checked.no_post")))
    elif not summary.lines:
        first.append(text(t.n("post_rules_admin.checked.unchanged", summary.tried)))
    else:
        key = "changed_yours" if summary.scoped else "changed"
        first.append(
            text(
                t.n(f"post_rules_admin.checked.{key}", len(summary.lines), total=summary.tried),
                weight="Bolder",
            )
        )
    last = [
        text(t("post_rules_admin.checked.only_new"), subtle=True),
        text(t.n("post_rules_admin.checked.apply_how", minutes)),
    ]
    apply = execute(
        t("post_rules_admin.checked.apply"), Verb.RUN_COMMAND, {"command": APPLY_COMMAND}
    )
    return _listed(first, summary.lines, "post_rules_admin.checked.more", last, t, [apply])


def applied_card(rules: int, active: int, t: Translator) -> Card:
    return card(
        [
            heading(t("post_rules_admin.applied.title")),
            text(t.n("post_rules_admin.applied.body", rules, active=active)),
        ]
    )


def refused_card(t: Translator) -> Card:
    """Someone who may not change the routing rules sent a rules workbook."""
    return card(
        [
            heading(t("post_rules_admin.files.refused_title")),
            text(t("post_rules_admin.files.refused_body")),
        ],
        [help_button(t)],
    )


def _show_rules(t: Translator) -> Element:
    """The way on from a workbook that was not taken: the rules as they are, to edit again."""
    return run_button(t("post_rules_admin.show_rules"), "post_rules")
