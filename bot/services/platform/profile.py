"""What the directory says about the person behind a turn: their profile and how to greet them."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from bot.domain.platform.actors import Actor
from bot.domain.platform.directory import DirectoryUser
from bot.domain.platform.errors import DomainError
from bot.ports.platform import Directory


@dataclass(frozen=True, slots=True)
class Profile:
    user: DirectoryUser
    manager: DirectoryUser | None


class Profiles:
    def __init__(self, directory: Directory) -> None:
        self._directory = directory

    async def profile(self, user_id: str) -> Profile:
        """The person and their manager, read at once. Raises what the directory raises."""
        user, manager = await asyncio.gather(
            self._directory.get_user(user_id), self._directory.get_manager(user_id)
        )
        return Profile(user, manager)

    async def first_name(self, actor: Actor) -> str:
        """How the person likes to be called: install events carry no name, the directory
        knows it; when the directory cannot tell, the name the channel gave."""
        try:
            user = await self._directory.get_user(actor.user_id)
        except DomainError:
            return actor.name
        return user.given_name or user.display_name or actor.name
