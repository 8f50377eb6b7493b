"""How Werkplek knows the caller: directory facts and roles."""

from __future__ import annotations

from collections.abc import Iterable

from bot.domain.directory import DirectoryUser
from bot.domain.roles import Role
from bot.i18n import Translator
from cards.base import Card, card, facts, heading, text


def role_label(role: Role, t: Translator) -> str:
    return t(f"role.{role.value}")


def profile_card(
    user: DirectoryUser, manager: DirectoryUser | None, roles: Iterable[Role], t: Translator
) -> Card:
    unknown = t("profile.unknown")
    ordered = sorted(roles, key=list(Role).index)
    pairs = [
        (t("profile.name"), user.display_name or unknown),
        (t("profile.email"), user.mail or user.user_principal_name or unknown),
        (t("profile.job_title"), user.job_title or unknown),
        (t("profile.department"), user.department or unknown),
        (t("profile.manager"), manager.display_name if manager else t("profile.no_manager")),
        (t("profile.roles"), ", ".join(role_label(r, t) for r in ordered)),
    ]
    return card(
        [heading(t("profile.title")), facts(pairs), text(t("profile.fix_hint"), subtle=True)]
    )
