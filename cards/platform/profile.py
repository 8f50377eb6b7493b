"""How Werkplek knows the caller: directory facts and roles."""

from __future__ import annotations

from collections.abc import Iterable

from bot.domain.platform.directory import DirectoryUser
from bot.domain.platform.roles import Role
from bot.domain.platform.untrusted import escape_text
from bot.i18n import Translator
from cards.base import MAX_NAME, Card, card, facts, heading, text


def role_label(role: Role, t: Translator) -> str:
    return t(f"role.{role.value}")


def profile_card(
    user: DirectoryUser, manager: DirectoryUser | None, roles: Iterable[Role], t: Translator
) -> Card:
    unknown = t("profile.unknown")

    def shown(value: str | None) -> str:
        # Directory fields: guests and synced accounts bring names from elsewhere.
        return escape_text(value or "", limit=MAX_NAME) or unknown

    ordered = sorted(roles, key=list(Role).index)
    pairs = [
        (t("profile.name"), shown(user.display_name)),
        (t("profile.email"), shown(user.mail or user.user_principal_name)),
        (t("profile.job_title"), shown(user.job_title)),
        (t("profile.department"), shown(user.department)),
        (t("profile.manager"), shown(manager.display_name) if manager else t("profile.no_manager")),
        (t("profile.roles"), ", ".join(role_label(r, t) for r in ordered)),
    ]
    return card(
        [heading(t("profile.title")), facts(pairs), text(t("profile.fix_hint"), subtle=True)]
    )
