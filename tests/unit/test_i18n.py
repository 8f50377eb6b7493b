"""Catalogs: both languages have the same messages and placeholders, and code uses no unknown id."""

from __future__ import annotations

import ast
import re
import string
from pathlib import Path

import pytest

from bot.domain.platform.errors import DomainError
from bot.domain.platform.roles import Role
from bot.i18n import LOCALES, Translator, catalog_messages, pick_locale
from cards.base import worded
from cards.platform.system import explained

ROOT = Path(__file__).resolve().parents[2]
_KEY = re.compile(r"^[a-z_]+(\.[a-z0-9_]+)+$")
_KEY_ARGUMENTS = {"message_key", "help_key", "title_key", "example_key"}


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def _keys_used_in_code() -> set[tuple[str, str]]:
    """(file, id) for every literal id: t("x"), t.n("x", n), N_("x"), turn.t("x"), *_key="x"."""
    found: set[tuple[str, str]] = set()
    for folder in ("bot", "dialogs", "cards"):
        for path in (ROOT / folder).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if not isinstance(node, ast.Call):
                    continue
                name = (
                    node.func.attr
                    if isinstance(node.func, ast.Attribute)
                    else getattr(node.func, "id", "")
                )
                literals = []
                if name in {"t", "n", "N_", "_"} and node.args:
                    literals.append(node.args[0])
                literals += [kw.value for kw in node.keywords if kw.arg in _KEY_ARGUMENTS]
                for literal in literals:
                    if isinstance(literal, ast.Constant) and isinstance(literal.value, str):
                        found.add((str(path.relative_to(ROOT)), literal.value))
    return found


def test_catalogs_have_the_same_ids_and_placeholders() -> None:
    nl, en = catalog_messages("nl"), catalog_messages("en")
    assert set(nl) == set(en)
    for key in nl:
        assert _placeholders(nl[key]) == _placeholders(en[key]), key
        assert nl[key] and en[key], f"{key} is empty"


def test_every_id_used_in_code_exists() -> None:
    used = _keys_used_in_code()
    assert len(used) > 20, "the scan found too little; is it still reading the code?"
    catalogs = [catalog_messages(locale) for locale in LOCALES]  # each read once: 80 s less
    missing = {
        (where, key)
        for where, key in used
        if _KEY.match(key) and any(key not in catalog for catalog in catalogs)
    }
    assert not missing


def test_dynamic_ids_exist() -> None:
    for locale in LOCALES:
        messages = catalog_messages(locale)
        for role in Role:
            assert f"role.{role.value}" in messages


@pytest.mark.parametrize(
    ("client", "expected"),
    [
        ("nl-BE", "nl"),
        ("nl", "nl"),
        ("en-US", "en"),
        ("en_GB", "en"),
        ("fr-BE", "nl"),
        (None, "nl"),
        ("", "nl"),
    ],
)
def test_locale_choice(client: str | None, expected: str) -> None:
    assert pick_locale(client) == expected


def test_texts_are_formatted_and_fall_back_to_dutch() -> None:
    assert Translator("nl")("welcome.greeting", name="Jef") == "Dag Jef!"
    assert Translator("en")("welcome.greeting", name="Jef") == "Hello Jef!"


@pytest.mark.parametrize(
    ("locale", "count", "expected"),
    [("nl", 1, "1 fout."), ("nl", 3, "3 fouten."), ("nl", 0, "0 fouten."), ("en", 1, "1 error.")],
)
def test_counted_texts_take_the_form_of_their_count(locale: str, count: int, expected: str) -> None:
    text = Translator(locale).n("post_rules_admin.rejected.body", count)
    assert expected in text
    assert "(en)" not in text and "(s)" not in text


def test_a_counted_text_has_every_form_in_both_languages() -> None:
    for locale in LOCALES:
        forms = catalog_messages(locale)["post_rules_admin.rejected.body"].split("\n")
        assert len(forms) == 2 and all(forms), locale


@pytest.mark.parametrize(
    ("count", "expected"),
    [
        (1, "Post tijdens afwezigheid kan voor hoogstens 1 dag."),
        (90, "Post tijdens afwezigheid kan voor hoogstens 90 dagen."),
    ],
)
def test_an_error_that_counts_is_explained_in_the_form_of_its_count(
    count: int, expected: str
) -> None:
    """A DomainError (or a form problem) carries its number as `count`: the card reads the
    plural entry, on a typed command and on a click alike (both explain it so)."""
    error = DomainError("post.delegation.error.too_long", count=count)
    assert explained(error, Translator("nl")) == expected


def test_an_error_with_a_count_but_no_plural_entry_reads_as_it_is() -> None:
    error = DomainError("post.rules.import.invalid", count=3)
    assert explained(error, Translator("nl")).endswith("Fouten in het werkboek: 3.")
    assert worded("post.rules.import.invalid", {"count": "3"}, Translator("en")).endswith(": 3.")


def test_a_form_problem_counts_and_keeps_its_other_params_escaped() -> None:
    problem = {"count": 1, "latest": "2027-05-27 *vet*"}
    text = worded("licence.form.error.end_too_late", problem, Translator("nl"))
    assert text.startswith("Dit kan voor hoogstens 1 dag: kies ten laatste 2027-05-27 ")
    assert "*vet*" not in text
