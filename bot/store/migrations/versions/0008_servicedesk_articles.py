"""The service desk's knowledge base: articles, their full-text index, and the searches.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04

The index is each engine's own full-text search over the articles' stemmed words
(bot/store/servicedesk/terms.py stems both the articles and the questions): an FTS5 table,
which ranks by BM25, on SQLite; a table with a weighted tsvector and a GIN index on PostgreSQL.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

# Frozen copies of the column types as they are at this revision.
_TIMESTAMP = sa.DateTime(timezone=True)
_JSON = sa.JSON().with_variant(JSONB(), "postgresql")
_BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "servicedesk_articles",
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("category", sa.String(32), nullable=False),
        sa.Column("title_nl", sa.Text(), nullable=False),
        sa.Column("title_en", sa.Text(), nullable=False, server_default=""),
        sa.Column("answer_nl", sa.Text(), nullable=False),
        sa.Column("answer_en", sa.Text(), nullable=False, server_default=""),
        sa.Column("questions", _JSON, nullable=False),
        sa.Column("links", _JSON, nullable=False),
        sa.Column("owner", sa.Text(), nullable=False, server_default=""),
        sa.Column("last_reviewed", sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint("key", name="pk_servicedesk_articles"),
    )
    op.create_table(
        "servicedesk_searches",
        sa.Column("id", _BIG_ID, autoincrement=True, nullable=False),
        sa.Column("reference", sa.String(32), nullable=False),
        sa.Column("tenant_id", sa.String(64), nullable=False),
        sa.Column("asked_by", sa.String(64), nullable=False),
        sa.Column("asked_at", _TIMESTAMP, nullable=False),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("article_key", sa.String(64), nullable=True),
        sa.Column("helped", sa.Boolean(), nullable=True),
        sa.Column("answered_at", _TIMESTAMP, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_servicedesk_searches"),
        sa.UniqueConstraint("reference", name="uq_servicedesk_searches_reference"),
    )
    op.create_index("ix_servicedesk_searches_asked_at", "servicedesk_searches", ["asked_at"])
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE TABLE servicedesk_article_index ("
            " article_key VARCHAR(64) NOT NULL, language VARCHAR(8) NOT NULL,"
            " document TSVECTOR NOT NULL, PRIMARY KEY (article_key, language))"
        )
        op.execute(
            "CREATE INDEX ix_servicedesk_article_index_document"
            " ON servicedesk_article_index USING GIN (document)"
        )
    else:
        # Stems only, so the tokenizer just splits on spaces; the key and language ride along.
        op.execute(
            "CREATE VIRTUAL TABLE servicedesk_article_index USING fts5("
            "article_key UNINDEXED, language UNINDEXED, heading, body,"
            " tokenize = 'unicode61 remove_diacritics 0')"
        )


def downgrade() -> None:
    # The knowledge base and its search figures go; the workbook is imported again.
    op.execute("DROP TABLE servicedesk_article_index")
    op.drop_table("servicedesk_searches")
    op.drop_table("servicedesk_articles")
