"""Checked routing rules waiting in memory, as bot/store/post/pending_imports.py keeps them; and
the directory's people and channels for the names in a rules workbook."""

from __future__ import annotations

from collections.abc import Sequence

from bot.domain.post.rule_imports import PendingRuleImport
from bot.domain.post.rule_names import ChannelLookup, ChannelName, NameMatch, person_key


class MemoryPendingRuleImports:
    """Implements bot.ports.post.PendingRuleImportRepository: one per person, taken once."""

    def __init__(self) -> None:
        self.waiting: dict[tuple[str, str], PendingRuleImport] = {}

    async def keep(self, pending: PendingRuleImport) -> None:
        for key in [k for k, kept in self.waiting.items() if kept.has_expired(pending.created_at)]:
            del self.waiting[key]
        self.waiting[(pending.tenant_id, pending.uploaded_by.casefold())] = pending

    async def take(self, tenant_id: str, user_id: str) -> PendingRuleImport | None:
        return self.waiting.pop((tenant_id, user_id.casefold()), None)


class FakeRuleNames:
    """Implements bot.ports.post.RuleNames over a small directory held in memory, and counts
    what it was asked (how many calls, how many names in each)."""

    def __init__(self) -> None:
        # object id -> (display name, mail, UPN)
        self.people_by_id: dict[str, tuple[str, str, str]] = {}
        # group id -> (team name, {channel id: channel name})
        self.teams: dict[str, tuple[str, dict[str, str]]] = {}
        self.asked: list[tuple[str, int]] = []  # (method, names in the call)
        self.failure: Exception | None = None

    def person(self, person_id: str, name: str, mail: str, upn: str = "") -> None:
        self.people_by_id[person_id] = (name, mail, upn or mail)

    def team(self, group_id: str, name: str, channels: dict[str, str]) -> None:
        self.teams[group_id] = (name, channels)

    def _ask(self, method: str, count: int) -> None:
        self.asked.append((method, count))
        if self.failure is not None:
            raise self.failure

    async def people(self, addresses: Sequence[str]) -> dict[str, tuple[NameMatch, ...]]:
        self._ask("people", len(addresses))
        found: dict[str, tuple[NameMatch, ...]] = {}
        for address in addresses:
            key = person_key(address)
            matches = tuple(
                NameMatch(person_id, name)
                for person_id, (name, mail, upn) in self.people_by_id.items()
                if key in (mail.casefold(), upn.casefold())
            )
            if matches:
                found[key] = matches
        return found

    async def channels(self, names: Sequence[ChannelName]) -> dict[str, ChannelLookup]:
        self._ask("channels", len(names))
        found: dict[str, ChannelLookup] = {}
        for wanted in names:
            teams = [
                (group, team, channels)
                for group, (team, channels) in self.teams.items()
                if team.casefold() == wanted.team.casefold()
            ]
            matches = tuple(
                NameMatch(f"{group}|{channel}", f"{team} / {channel_name}")
                for group, team, channels in teams
                for channel, channel_name in channels.items()
                if channel_name.casefold() == wanted.channel.casefold()
            )
            found[wanted.key] = ChannelLookup(len(teams), matches)
        return found

    async def person_names(self, person_ids: Sequence[str]) -> dict[str, str]:
        self._ask("person_names", len(person_ids))
        return {
            person_id: self.people_by_id[person_id][0]
            for person_id in person_ids
            if person_id in self.people_by_id
        }

    async def channel_names(self, targets: Sequence[str]) -> dict[str, str]:
        self._ask("channel_names", len(targets))
        found: dict[str, str] = {}
        for target in targets:
            group, _, channel = target.partition("|")
            team = self.teams.get(group)
            if team is not None and channel in team[1]:
                found[target] = f"{team[0]} / {team[1][channel]}"
        return found
