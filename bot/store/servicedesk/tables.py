"""The service desk's tables: the knowledge base (replaced as a whole) and its searches.

The search index beside the articles is no table of this MetaData: it is the engine's own full
text search (an FTS5 table on SQLite, a tsvector column with a GIN index on PostgreSQL), created
by migration 0008 for the engine at hand and kept by bot/store/servicedesk/articles.py. The
migration check leaves it out by name (INDEX_TABLE).
"""

from __future__ import annotations

import sqlalchemy as sa

from bot.store.columns import BigId, JsonDocument, UtcDateTime
from bot.store.metadata import metadata

# The full-text index of the articles, one row per article and language.
INDEX_TABLE = "servicedesk_article_index"

articles = sa.Table(
    "servicedesk_articles",
    metadata,
    sa.Column("key", sa.String(64), primary_key=True),
    sa.Column("position", sa.Integer(), nullable=False),
    sa.Column("category", sa.String(32), nullable=False),
    sa.Column("title_nl", sa.Text(), nullable=False),
    sa.Column("title_en", sa.Text(), nullable=False, server_default=""),
    sa.Column("answer_nl", sa.Text(), nullable=False),
    sa.Column("answer_en", sa.Text(), nullable=False, server_default=""),
    sa.Column("questions", JsonDocument, nullable=False),  # {"nl": [...], "en": [...]}
    sa.Column("links", JsonDocument, nullable=False),  # [{title_nl, title_en, url}]
    sa.Column("owner", sa.Text(), nullable=False, server_default=""),
    sa.Column("last_reviewed", sa.Date(), nullable=True),
)

# One row per question searched: what it found and, once the person says so, whether it helped
# (the knowledge base's deflection). `asked_by` (an Entra object id) is there so that only the
# person who asked can say whether it helped; the figures count searches, never people.
searches = sa.Table(
    "servicedesk_searches",
    metadata,
    sa.Column("id", BigId, primary_key=True, autoincrement=True),
    sa.Column("reference", sa.String(32), nullable=False, unique=True),
    sa.Column("tenant_id", sa.String(64), nullable=False),
    sa.Column("asked_by", sa.String(64), nullable=False),
    sa.Column("asked_at", UtcDateTime, nullable=False),
    sa.Column("language", sa.String(8), nullable=False),
    sa.Column("question", sa.Text(), nullable=False),
    sa.Column("article_key", sa.String(64), nullable=True),  # the best answer; None: nothing
    sa.Column("helped", sa.Boolean(), nullable=True),  # None until the person answers
    sa.Column("answered_at", UtcDateTime, nullable=True),
    sa.Index("ix_servicedesk_searches_asked_at", "asked_at"),
)
