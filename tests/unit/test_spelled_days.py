"""Days said in words and days of the month alone (bot/commands/spelled_days.py) and how the
delegation's day parser reads them (dialogs/post/text.py)."""

from __future__ import annotations

from datetime import date

import pytest
from num2words import num2words

from bot.commands.lemmas import tokens
from bot.commands.spelled_days import day_of_the_month, numbered, spelled
from bot.domain.platform.text import fold
from dialogs.post.text import parse_day


@pytest.mark.parametrize("lang", ["nl", "en"])
@pytest.mark.parametrize("ordinal", [False, True])
def test_the_day_numbers_are_spelled_as_num2words_spells_them(lang: str, ordinal: bool) -> None:
    to = "ordinal" if ordinal else "cardinal"
    for number in range(1, 32):
        expected = fold(num2words(number, lang=lang, to=to)).replace("-", "").replace(" ", "")
        assert spelled(number, lang, ordinal=ordinal) == expected, number


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("van veertien tot achttien december", "van 14 tot 18 december"),
        ("tot eenendertig december", "tot 31 december"),
        ("until the twentieth", "until the 20e"),
        ("tot de twintigste", "tot de 20e"),
        # an article is no day, and other words stay as typed
        ("ik ben een week weg", "ik ben een week weg"),
        ("one more letter", "one more letter"),
    ],
)
def test_day_numbers_said_in_words_are_written_in_digits(text: str, said: str) -> None:
    assert " ".join(word.text for word in numbered(tokens(text))) == said


def test_a_day_of_the_month_is_an_ordinal_after_an_article() -> None:
    words = tokens("from the 10th until 20th of the 3rd")
    assert [i for i in range(len(words)) if day_of_the_month(words, i)] == [2, 7]


@pytest.mark.parametrize(
    ("said", "today", "day"),
    [
        ("the 10th", date(2026, 12, 1), date(2026, 12, 10)),
        ("20ste", date(2026, 12, 1), date(2026, 12, 20)),
        ("1e", date(2026, 12, 2), date(2027, 1, 1)),  # passed: next month's
        ("31e", date(2027, 2, 1), date(2027, 3, 31)),  # no 31 February: the next there is
    ],
)
def test_a_day_of_the_month_alone_is_this_months_or_the_next(
    said: str, today: date, day: date
) -> None:
    assert parse_day(said, today) == day
