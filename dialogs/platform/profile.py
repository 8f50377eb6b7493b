"""Profile: what the directory says about the caller, and which Werkplek roles follow from it."""

from __future__ import annotations

from bot.commands.registry import command
from bot.i18n import N_
from bot.services.platform.profile import Profiles
from bot.turn import Turn
from cards.platform.profile import profile_card


class ProfileDialog:
    def __init__(self, profiles: Profiles) -> None:
        self._profiles = profiles

    @command(
        "profile",
        nl=("profiel", "wie ben ik", "mijn gegevens"),
        en=("profile", "who am i", "my details"),
        title_key=N_("cmd.profile.title"),
        help_key=N_("cmd.profile.help"),
        example_key=N_("cmd.profile.example"),
        featured=True,
        order=800,
    )
    async def show_profile(self, turn: Turn, args: str) -> None:
        profile = await self._profiles.profile(turn.caller.user_id)
        await turn.send_card(profile_card(profile.user, profile.manager, turn.caller.roles, turn.t))
