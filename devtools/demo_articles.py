"""The demo's knowledge base: about thirty articles on what the administration's staff ask the
service desk most (MFA, devices and conditional access, SSO at home, Power BI and Power
Platform, licences, scanned post), in Dutch and English, kept in demo_articles.json.

`python -m devtools.demo_articles FILE` writes them as the workbook an admin would import
(`werkplek articles import FILE`), which is how the demo stack stores them.
"""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path
from typing import Any

from bot.domain.servicedesk.articles import Article, ArticleLink, Category, KnowledgeBase

ARTICLES_FILE = Path(__file__).with_name("demo_articles.json")


def demo_knowledge(path: Path = ARTICLES_FILE) -> KnowledgeBase:
    entries: list[dict[str, Any]] = json.loads(path.read_text(encoding="utf-8"))
    return KnowledgeBase(tuple(_article(entry) for entry in entries))


def _article(entry: dict[str, Any]) -> Article:
    return Article(
        key=entry["key"],
        category=Category(entry["category"]),
        title_nl=entry["title_nl"],
        title_en=entry.get("title_en", ""),
        answer_nl=entry["answer_nl"],
        answer_en=entry.get("answer_en", ""),
        questions_nl=tuple(entry.get("questions_nl", ())),
        questions_en=tuple(entry.get("questions_en", ())),
        links=tuple(
            ArticleLink(link["title_nl"], link.get("title_en", ""), link["url"])
            for link in entry.get("links", ())
        ),
        owner=entry.get("owner", ""),
        last_reviewed=date.fromisoformat(entry["last_reviewed"])
        if entry.get("last_reviewed")
        else None,
    )


def main(argv: list[str]) -> None:
    from bot.excel.servicedesk.articles import write_articles

    Path(argv[0]).write_bytes(write_articles(demo_knowledge()))


if __name__ == "__main__":
    main(sys.argv[1:])
