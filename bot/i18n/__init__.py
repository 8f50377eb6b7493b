"""Localisation: gettext catalogs (nl first, en as fallback for English clients).

Message ids are stable keys ("help.title"); the catalogs hold the Dutch and English texts with
`{name}` placeholders. A text that counts something is a plural entry (msgid and msgid_plural
both the key, one msgstr[i] per form) read with `t.n("key", count)`: "1 brief", "3 brieven",
never "brief(ven)". The .po files are read with Babel at start-up, so there is no separate
compile step to forget.
"""

from __future__ import annotations

import gettext
import io
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from babel.messages.catalog import Catalog


LOCALES = ("nl", "en")
DEFAULT_LOCALE = "nl"
CATALOG_DIR = Path(__file__).parent
DOMAIN = "werkplek"


def N_(key: str) -> str:
    """Mark a message id stored for later translation (help texts, error keys)."""
    return key


def pick_locale(client_locale: str | None, default: str = DEFAULT_LOCALE) -> str:
    """Teams sends e.g. "nl-BE" or "en-US"; anything we don't speak falls back to the default."""
    if not client_locale:
        return default
    language = client_locale.replace("_", "-").split("-", 1)[0].casefold()
    return language if language in LOCALES else default


@cache
def _translations(locale: str) -> gettext.GNUTranslations:
    from babel.messages.mofile import write_mo  # Babel loads with the first text, not at start

    buffer = io.BytesIO()
    write_mo(buffer, _read_catalog(locale))
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


def _read_catalog(locale: str) -> Catalog:
    """The locale's catalogs merged: werkplek.po (foundation) and one file per capability."""
    from babel.messages.pofile import read_po

    folder = CATALOG_DIR / locale / "LC_MESSAGES"
    merged: Catalog | None = None
    for path in [folder / f"{DOMAIN}.po", *sorted(folder.glob("*.po"))]:
        if merged is not None and path.name == f"{DOMAIN}.po":
            continue
        with path.open("rb") as handle:
            catalog = read_po(handle, locale=locale)
        if merged is None:
            merged = catalog
            continue
        for message in catalog:
            if message.id and message.id in merged:
                raise ValueError(f"{path.name}: {message.id!r} is already in another catalog")
            if message.id:
                merged[message.id] = message
    assert merged is not None
    return merged


def catalog_messages(locale: str) -> dict[str, str]:
    """Every message id with its text, for parity tests and tooling (a plural entry's forms
    on separate lines)."""
    return {_key(m.id): _text(m.string) for m in _read_catalog(locale) if m.id}


def _key(message_id: object) -> str:
    return str(message_id[0]) if isinstance(message_id, tuple | list) else str(message_id)


def _text(string: object) -> str:
    return "\n".join(string) if isinstance(string, tuple | list) else str(string)


@dataclass(frozen=True, slots=True)
class Translator:
    """Texts in one locale. `t("key", name=...)` formats the catalog text."""

    locale: str

    def __call__(self, key: str, /, **params: object) -> str:
        text = _translations(self.locale).gettext(key)
        if text == key and self.locale != DEFAULT_LOCALE:
            text = _translations(DEFAULT_LOCALE).gettext(key)
        return text.format(**params) if params else text

    def n(self, key: str, count: int, /, **params: object) -> str:
        """A plural entry in the form for `count`; `{count}` is filled in too."""
        text = _translations(self.locale).ngettext(key, key, count)
        if text == key and self.locale != DEFAULT_LOCALE:
            text = _translations(DEFAULT_LOCALE).ngettext(key, key, count)
        return text.format(count=count, **params)

    def join(self, keys: Iterable[str], separator: str = ", ") -> str:
        return separator.join(self(key) for key in keys)


def translator(client_locale: str | None, default: str = DEFAULT_LOCALE) -> Translator:
    return Translator(pick_locale(client_locale, default))
