"""`werkplek articles import|export` on a real SQLite store: a bad workbook stores nothing and
says where, a good one replaces the knowledge base and is searchable, export reads back."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.cli import main
from bot.domain.servicedesk.articles import KnowledgeBase
from bot.excel.servicedesk.articles import read_articles, write_articles
from bot.store import Database
from bot.store.servicedesk.articles import SqlKnowledgeBase
from devtools.demo_articles import demo_knowledge
from tests.support.db import MakeDatabaseUrl, run_blocking


@pytest.fixture
def database_url(
    make_database_url: MakeDatabaseUrl, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> str:
    url = make_database_url("sqlite")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", url)
    for name in ("AZURE_TENANT_ID", "AZURE_CLIENT_ID", "AZURE_CLIENT_SECRET"):
        monkeypatch.delenv(name, raising=False)
    return url


def _stored(url: str) -> tuple[KnowledgeBase, list[str]]:
    async def load() -> tuple[KnowledgeBase, list[str]]:
        database = Database(url)
        try:
            store = SqlKnowledgeBase(database)
            hits = await store.search("premium connector in mijn flow", "nl")
            return await store.load(), [hit.key for hit in hits]
        finally:
            await database.dispose()

    return run_blocking(load())


def test_a_good_workbook_replaces_the_articles_and_is_searchable(
    database_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "artikels.xlsx"
    path.write_bytes(write_articles(demo_knowledge()))
    assert main(["articles", "import", str(path), "--dry-run"]) == 0
    assert "niets opgeslagen" in capsys.readouterr().out
    assert _stored(database_url)[0] == KnowledgeBase()

    assert main(["articles", "import", str(path)]) == 0
    assert "30 artikels" in capsys.readouterr().out
    stored, found = _stored(database_url)
    assert stored == demo_knowledge()
    assert found[0] == "automate-premium-connectoren"

    out = tmp_path / "terug.xlsx"
    assert main(["artikels", "export", str(out)]) == 0
    assert read_articles(out.read_bytes()) == (demo_knowledge(), [])


def test_a_bad_workbook_lists_its_problems_and_stores_nothing(
    database_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = tmp_path / "goed.xlsx"
    good.write_bytes(write_articles(demo_knowledge()))
    assert main(["articles", "import", str(good)]) == 0
    capsys.readouterr()
    articles = demo_knowledge().articles
    broken = KnowledgeBase((articles[0], articles[0], *articles[2:]))  # the same key twice
    bad = tmp_path / "fout.xlsx"
    bad.write_bytes(write_articles(broken))
    assert main(["articles", "import", str(bad)]) == 1
    said = capsys.readouterr().err
    assert "Er is niets opgeslagen" in said and articles[0].key in said
    assert _stored(database_url)[0] == demo_knowledge()  # the old one stays
