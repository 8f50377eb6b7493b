"""Alembic migrations, run in code by bot.store.database.Database.migrate (no alembic.ini)."""
