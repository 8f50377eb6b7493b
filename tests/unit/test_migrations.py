"""The head revision the bot checks at start-up is the one its migration scripts end at."""

from bot.store import migrator


def test_head_constant_matches_the_scripts() -> None:
    assert migrator.script_heads() == migrator.HEAD_REVISIONS
