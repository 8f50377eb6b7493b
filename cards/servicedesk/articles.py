"""A knowledge-base article as an answer: its title, its answer (the Markdown subset Teams
renders), its links, and what to do next.

The article's texts are an admin's, checked when the workbook was imported (links https only);
the title is escaped like any text from outside, the answer keeps its Markdown (it is the point
of it) but loses control characters. A first answer asks "Heeft dit geholpen?"; "Ja" thanks,
"Nee" offers the next articles and the service desk. Every version ends in a next step.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from bot.domain.platform.untrusted import clean_text, escape_text
from bot.domain.servicedesk.articles import MAX_ANSWER, MAX_TITLE, Article
from bot.i18n import Translator
from cards.base import (
    MAX_COMMAND_ARGS,
    Card,
    Element,
    banner,
    card,
    day,
    execute,
    heading,
    open_url,
    text,
)
from cards.verbs import Verb


def article_card(
    article: Article,
    t: Translator,
    *,
    search: str = "",
    others: Sequence[str] = (),
    servicedesk_url: str = "",
    question: str = "",
) -> Card:
    """The best answer to a question: with "Ja"/"Nee" when it answers a search (`search`, its
    reference; `others`, the keys of the next best articles, offered after "Nee")."""
    actions: list[Element] = []
    if search:
        data: dict[str, object] = {"search": search, "article": article.key, "others": list(others)}
        if question:
            data["question"] = question[:MAX_COMMAND_ARGS]
        actions = [
            execute(
                t("servicedesk.article.helped"), Verb.ARTICLE_FEEDBACK, {**data, "helped": True}
            ),
            execute(
                t("servicedesk.article.not_helped"),
                Verb.ARTICLE_FEEDBACK,
                {**data, "helped": False},
            ),
        ]
    else:
        actions = _next_steps(t, servicedesk_url)
    body = _article_body(article, t)
    if search:
        body.insert(0, text(t("servicedesk.article.intro"), subtle=True))
        body.append(text(t("servicedesk.article.ask"), weight="Bolder"))
    return card(body, actions)


def helped_card(article: Article, t: Translator, servicedesk_url: str) -> Card:
    """After "Ja": the same article, thanked, without the question."""
    body = [banner(t("servicedesk.article.thanks"), "Good"), *_article_body(article, t)]
    return card(body, _next_steps(t, servicedesk_url))


def not_helped_card(
    article: Article,
    others: Sequence[Article],
    t: Translator,
    servicedesk_url: str,
    question: str = "",
) -> Card:
    """After "Nee": the other articles that came closest, each a button, and the service
    desk's people: the ticket form with the question filled in (`question`, what the person
    asked), else the service desk's page; the first article stays readable below."""
    lines = [heading(t("servicedesk.article.sorry"))]
    if others:
        lines.append(text(t("servicedesk.article.others")))
    else:
        lines.append(text(t("servicedesk.article.no_others")))
    body = [*lines, *_article_body(article, t)]
    actions: list[Element] = [
        execute(
            _cut_title(other, t),
            Verb.ARTICLE_SHOW,
            {"article": other.key},
        )
        for other in others
    ]
    if question:
        ask = {"question": question[:MAX_COMMAND_ARGS]}
        actions.append(execute(t("servicedesk.ask_a_person"), Verb.TICKET_FORM, ask))
        return card(body, [*actions, *_next_steps(t, "")])
    return card(body, [*actions, *_next_steps(t, servicedesk_url)])


def _article_body(article: Article, t: Translator) -> list[Element]:
    locale = t.locale
    body: list[Element] = [
        heading(escape_text(article.title(locale), limit=MAX_TITLE)),
        text(clean_text(article.answer(locale), limit=MAX_ANSWER, multiline=True)),
    ]
    if article.links:
        lines = [
            f"- [{escape_text(link.title(locale), limit=MAX_TITLE)}]({link.url})"
            for link in article.links
        ]
        body.append(text("\n".join(lines)))
    if article.last_reviewed is not None:
        body.append(text(_reviewed(article.last_reviewed, t), subtle=True))
    return body


def _reviewed(on: date, t: Translator) -> str:
    return t("servicedesk.article.reviewed", day=day(on))


def _cut_title(article: Article, t: Translator) -> str:
    """A button's title: Teams cuts long ones badly, so the title is cut at a word."""
    title = article.title(t.locale)
    if len(title) <= 60:
        return title
    return title[:57].rsplit(" ", 1)[0] + "…"


def _next_steps(t: Translator, servicedesk_url: str) -> list[Element]:
    steps: list[Element] = []
    if servicedesk_url:
        steps.append(open_url(t("servicedesk.contact"), servicedesk_url))
    steps.append(execute(t("unknown.show_help"), Verb.RUN_COMMAND, {"command": "help"}))
    return steps
